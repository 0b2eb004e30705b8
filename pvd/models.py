"""Cross-cutting records shared by every app."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


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
