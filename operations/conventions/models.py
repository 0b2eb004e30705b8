"""Conventions and avenants with their issued versions (issue 9). Imported by `operations.models` so that Django
registers them in the operations app.

They live in `operations` rather than `programmes` (where ARCHITECTURE.md §1 lists them) because a convention
d'OPAH-RU or de PIG belongs to a housing programme, which lives in `operations`, and a lower app never points up
(decision 0013). The deliberations that authorise the signatories and the ORT perimeters live in `programmes`.

A convention is a list of titled **articles** (a sanitised subset of HTML) in which **data blocks** are inserted
by a marker (`[[bloc:plan_action]]`): tables rendered from live data while the convention is a draft
(`operations.conventions.blocks`). **Issuing a version** freezes everything — the data snapshot, the rendered
PDF and its SHA-256, who and when — so that a signed version never changes when the data does; later changes go
into an **avenant** (a convention whose `parent` is the convention it amends).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from pvd.concurrency import VersionedModel
from pvd.fields import ScopedQuerySet

# --- Vocabularies ----------------------------------------------------------------------------------------


class ConventionKind(models.TextChoices):
    """DOMAIN.md §1.2, §3.2."""

    ADHESION = "adhesion", "Convention d'adhésion PVD"
    FRAMEWORK = "framework", "Convention-cadre PVD valant ORT"
    AMENDMENT = "amendment", "Avenant"
    HOUSING = "housing", "Convention d'OPAH / OPAH-RU / PIG"
    PARTNER = "partner", "Autre convention partenariale"


class ConventionStatus(models.TextChoices):
    DRAFT = "draft", "Projet"
    REVIEW = "review", "En relecture par les parties"
    APPROVED = "approved", "Approuvée par délibérations"
    SIGNED = "signed", "Signée"
    IN_FORCE = "in_force", "En vigueur"
    ENDED = "ended", "Terminée"


# Statuses in which the text (articles, signatories) may still change.
EDITABLE_STATUSES = frozenset({ConventionStatus.DRAFT, ConventionStatus.REVIEW})
# Statuses from which the convention binds the parties.
SIGNED_STATUSES = frozenset({ConventionStatus.SIGNED, ConventionStatus.IN_FORCE, ConventionStatus.ENDED})

# Organisations whose signature must be authorised by an enforceable deliberation (local authorities).
DELIBERATING_KINDS = frozenset({"commune", "epci", "department", "region"})


class ArticleKind(models.TextChoices):
    PREAMBLE = "preamble", "Préambule"
    ARTICLE = "article", "Article"
    ANNEX = "annex", "Annexe"


class BlockKind(models.TextChoices):
    """Data blocks an article may insert with `[[bloc:<value>]]` (operations.conventions.blocks)."""

    STAKES = "enjeux", "Enjeux du territoire"
    AXES = "orientations", "Orientations stratégiques et objectifs"
    ACTION_PLAN = "plan_action", "Plan d'action (fiches-actions)"
    FINANCING = "maquette_financiere", "Maquette financière"
    NEEDS = "ingenierie", "Besoins en ingénierie"
    ORT_SECTORS = "perimetres_ort", "Secteurs d'intervention ORT"
    HOUSING_TARGETS = "objectifs_opah", "Objectifs quantitatifs de l'OPAH"
    HOUSING_ENVELOPES = "enveloppes_opah", "Engagements financiers de l'OPAH"
    SIGNATORIES = "signataires", "Parties et signataires"
    INDICATORS = "indicateurs", "Indicateurs de suivi"  # issue 10
    GOVERNANCE = "gouvernance", "Instances de gouvernance"  # issue 8


def _choices(name: str, field: str, choices: type[models.TextChoices]) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__in": choices.values}), name=name, violation_error_message="Valeur inconnue."
    )


# --- Models of articles (reference data, editable by the administrator) ----------------------------------


class ArticleTemplate(models.Model):
    """One article of the model a new convention of a kind starts from (the ANCT convention-cadre model of
    DOMAIN.md §1.3, the Anah convention's chapters of §3.2…): shipped by a data migration, editable in the admin."""

    convention_kind = models.CharField("type de convention", max_length=20, choices=ConventionKind)
    order = models.PositiveSmallIntegerField("ordre")
    kind = models.CharField("nature", max_length=20, choices=ArticleKind, default=ArticleKind.ARTICLE)
    number = models.CharField("numéro", max_length=30, blank=True, help_text="« Article 4 », « Annexe 2 »…")
    title = models.CharField("titre", max_length=250)
    body = models.TextField("texte type", blank=True, help_text="HTML simple ; marqueurs [[bloc:…]] admis.")

    class Meta:
        verbose_name = "article type"
        verbose_name_plural = "articles types"
        ordering = ("convention_kind", "order", "pk")
        constraints = [
            _choices("articletemplate_convention_kind_valid", "convention_kind", ConventionKind),
            _choices("articletemplate_kind_valid", "kind", ArticleKind),
            models.UniqueConstraint(
                fields=["convention_kind", "order"],
                name="articletemplate_order_unique",
                violation_error_message="Ce modèle a déjà un article à cette place.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_convention_kind_display()} — {self.number} {self.title}".strip()


# --- Conventions -----------------------------------------------------------------------------------------


class Convention(VersionedModel):
    """A convention or an avenant (`parent`): parties, articles, status, issued versions."""

    Kind = ConventionKind
    Status = ConventionStatus

    kind = models.CharField("type", max_length=20, choices=ConventionKind)
    title = models.CharField("intitulé", max_length=250)
    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="conventions",
        verbose_name="programme PVD",
    )
    housing_programme = models.ForeignKey(
        "operations.HousingProgramme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="conventions",
        verbose_name="OPAH / PIG",
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="amendments",
        verbose_name="convention modifiée",
    )
    amendment_number = models.PositiveSmallIntegerField("avenant n°", null=True, blank=True, editable=False)
    purpose = models.TextField(
        "objet",
        blank=True,
        help_text="Pour un avenant : ce qu'il modifie (plan d'action, maquette, périmètres…).",
    )
    status = models.CharField(
        "statut", max_length=20, choices=ConventionStatus, default=ConventionStatus.DRAFT
    )
    starts_on = models.DateField("entrée en vigueur", null=True, blank=True)
    ends_on = models.DateField("fin", null=True, blank=True)
    signed_on = models.DateField("signée le", null=True, blank=True, editable=False)
    ended_on = models.DateField("terminée le", null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="créée par",
        editable=False,
    )

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "convention"
        verbose_name_plural = "conventions"
        ordering = ("-pk",)
        constraints = [
            _choices("convention_kind_valid", "kind", ConventionKind),
            _choices("convention_status_valid", "status", ConventionStatus),
            models.CheckConstraint(
                condition=Q(programme__isnull=False) | Q(housing_programme__isnull=False),
                name="convention_has_programme",
                violation_error_message="Une convention relève d'un programme PVD ou d'une OPAH / d'un PIG.",
            ),
            models.CheckConstraint(
                condition=(Q(kind="amendment") & Q(parent__isnull=False))
                | (~Q(kind="amendment") & Q(parent__isnull=True)),
                name="convention_amendment_has_parent",
                violation_error_message="Un avenant modifie une convention ; une convention n'a pas de parent.",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="convention_ends_after_start",
                violation_error_message="La fin de la convention ne peut pas précéder son entrée en vigueur.",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=sorted(SIGNED_STATUSES)) | Q(signed_on__isnull=False),
                name="convention_signed_dated",
                violation_error_message="Une convention signée a une date de signature.",
            ),
            models.UniqueConstraint(
                fields=["parent", "amendment_number"],
                condition=Q(parent__isnull=False),
                name="convention_amendment_number_unique",
                violation_error_message="Cette convention a déjà un avenant portant ce numéro.",
            ),
            models.UniqueConstraint(
                fields=["programme"],
                condition=Q(kind="framework") & ~Q(status="ended"),
                name="convention_one_active_framework",
                violation_error_message="Ce programme a déjà une convention-cadre active.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def is_amendment(self) -> bool:
        return self.kind == ConventionKind.AMENDMENT


class ConventionArticle(VersionedModel):
    """One titled article of a convention. `key` is stable across avenants (an avenant's articles start as a
    copy of the version in force and keep their keys), so that the comparison pairs them."""

    convention = models.ForeignKey(
        Convention, on_delete=models.CASCADE, related_name="articles", verbose_name="convention"
    )
    key = models.UUIDField("identifiant stable", default=uuid.uuid4, editable=False)
    order = models.PositiveSmallIntegerField("ordre")
    kind = models.CharField("nature", max_length=20, choices=ArticleKind, default=ArticleKind.ARTICLE)
    number = models.CharField("numéro", max_length=30, blank=True)
    title = models.CharField("titre", max_length=250)
    body = models.TextField("texte", blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "article"
        verbose_name_plural = "articles"
        ordering = ("convention", "order", "pk")
        constraints = [
            _choices("conventionarticle_kind_valid", "kind", ArticleKind),
            models.UniqueConstraint(
                fields=["convention", "key"],
                name="conventionarticle_key_unique",
                violation_error_message="Cet article existe déjà dans la convention.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} — {self.title}" if self.number else self.title


class Signatory(VersionedModel):
    """A party that signs: the organisation, the person signing and in what capacity, and — for a local
    authority — the deliberation that authorises the signature (enforceable before the convention is signed)."""

    convention = models.ForeignKey(
        Convention, on_delete=models.CASCADE, related_name="signatories", verbose_name="convention"
    )
    organisation = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        related_name="signed_conventions",
        verbose_name="partie",
    )
    signer_name = models.CharField("signataire", max_length=200, blank=True)
    signer_capacity = models.CharField(
        "qualité", max_length=200, blank=True, help_text="« Le Maire », « La Préfète de la Haute-Marne »…"
    )
    deliberation = models.ForeignKey(
        "programmes.Deliberation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signatories",
        verbose_name="délibération autorisant la signature",
    )
    order = models.PositiveSmallIntegerField("ordre", default=1)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "signataire"
        verbose_name_plural = "signataires"
        ordering = ("convention", "order", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=["convention", "organisation"],
                name="signatory_organisation_unique",
                violation_error_message="Cette partie signe déjà la convention.",
            ),
        ]

    def __str__(self) -> str:
        return str(self.organisation)

    @property
    def needs_deliberation(self) -> bool:
        return self.organisation.kind in DELIBERATING_KINDS


class ConventionVersion(models.Model):
    """An issued version: frozen. The snapshot holds everything the PDF shows (articles, data blocks,
    signatories) as it was when issued; the PDF is rendered once from it (`document`) and its SHA-256 is printed
    on the verification page the QR code points to. The signed scan is kept beside it."""

    convention = models.ForeignKey(
        Convention, on_delete=models.PROTECT, related_name="versions", verbose_name="convention"
    )
    number = models.PositiveSmallIntegerField("version")
    reference = models.CharField("référence", max_length=60, unique=True, editable=False)
    token = models.CharField("jeton de vérification", max_length=40, unique=True, editable=False)
    issued_at = models.DateTimeField("émise le", auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name="émise par",
    )
    note = models.CharField(
        "motif", max_length=250, blank=True, help_text="« Pour relecture », « Pour signature »…"
    )
    snapshot = models.JSONField("contenu figé", editable=False)
    document = models.OneToOneField(
        "pvd.RenderedDocument",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="convention_version",
        verbose_name="PDF",
        editable=False,
    )
    signed = models.BooleanField(
        "version signée", default=False, editable=False, help_text="La version que les parties ont signée."
    )
    signed_scan = models.FileField(
        "exemplaire signé (scan)", upload_to="conventions/signees/%Y/", max_length=255, blank=True
    )
    signed_scan_sha256 = models.CharField("SHA-256 du scan", max_length=64, blank=True, editable=False)
    signed_scan_uploaded_at = models.DateTimeField("scan déposé le", null=True, blank=True, editable=False)
    signed_scan_uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="scan déposé par",
        editable=False,
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "version émise"
        verbose_name_plural = "versions émises"
        ordering = ("convention", "-number")
        constraints = [
            models.UniqueConstraint(
                fields=["convention", "number"],
                name="conventionversion_number_unique",
                violation_error_message="Cette convention a déjà une version portant ce numéro.",
            ),
            models.UniqueConstraint(
                fields=["convention"],
                condition=Q(signed=True),
                name="conventionversion_one_signed",
                violation_error_message="Une seule version d'une convention est la version signée.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.convention} — version {self.number}"

    @property
    def sha256(self) -> str:
        return self.document.sha256 if self.document_id and self.document else ""
