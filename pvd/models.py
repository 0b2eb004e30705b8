"""Cross-cutting records shared by every app."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q


class StatusChange(models.Model):
    """One status transition of any workflow object: from what, to what, who, when, why.

    Written by the service that performs the transition, in the same transaction (STYLE.md §8, §11).
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name="type d'objet")
    object_id = models.PositiveBigIntegerField("identifiant")
    obj = GenericForeignKey("content_type", "object_id")
    source = models.CharField("statut de départ", max_length=40, blank=True)
    target = models.CharField("nouveau statut", max_length=40)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="par"
    )
    at = models.DateTimeField("le", auto_now_add=True)
    comment = models.TextField("commentaire", blank=True)

    class Meta:
        verbose_name = "changement de statut"
        verbose_name_plural = "changements de statut"
        ordering = ("-at", "-pk")
        indexes = [models.Index(fields=["content_type", "object_id"], name="statuschange_object")]

    def __str__(self) -> str:
        return f"{self.source or '—'} → {self.target}"


class DocumentStatus(models.TextChoices):
    QUEUED = "queued", "En attente"
    RENDERING = "rendering", "En cours de production"
    DONE = "done", "Prêt"
    FAILED = "failed", "Échec"


class RenderedDocument(models.Model):
    """One PDF produced by WeasyPrint in a Celery task (`pvd.documents`): for which object, by which renderer
    (`kind`), who asked and when, its state, then the file and its SHA-256."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name="type d'objet")
    object_id = models.PositiveBigIntegerField("identifiant")
    obj = GenericForeignKey("content_type", "object_id")
    kind = models.CharField("document", max_length=60)
    title = models.CharField("titre", max_length=250)
    status = models.CharField("état", max_length=20, choices=DocumentStatus, default=DocumentStatus.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="demandé par",
    )
    requested_at = models.DateTimeField("demandé le", auto_now_add=True)
    finished_at = models.DateTimeField("produit le", null=True, blank=True)
    file = models.FileField("fichier", upload_to="documents/%Y/%m/", blank=True)
    sha256 = models.CharField("empreinte SHA-256", max_length=64, blank=True)
    size = models.PositiveIntegerField("taille (octets)", null=True, blank=True)
    error = models.TextField("erreur", blank=True)

    class Meta:
        verbose_name = "document produit"
        verbose_name_plural = "documents produits"
        ordering = ("-requested_at", "-pk")
        indexes = [
            models.Index(fields=["content_type", "object_id", "kind"], name="rendereddocument_object"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=DocumentStatus.values), name="rendereddocument_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | ~Q(sha256=""),
                name="rendereddocument_done_has_hash",
                violation_error_message="Un document prêt a son empreinte.",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class LastVisit(models.Model):
    """When a user last opened a page that tells « what changed since your last visit » (the commune page).

    `page` names the page (`commune:52550`); on each visit `previous_seen_at` takes the old `seen_at`, so the page
    compares against the visit before this one even when reloaded.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="last_visits",
        verbose_name="utilisateur",
    )
    page = models.CharField("page", max_length=80)
    seen_at = models.DateTimeField("dernière visite")
    previous_seen_at = models.DateTimeField("visite précédente", null=True, blank=True)

    class Meta:
        verbose_name = "dernière visite"
        verbose_name_plural = "dernières visites"
        constraints = [
            models.UniqueConstraint(fields=("user", "page"), name="lastvisit_one_per_page"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.page}"
