"""Forms and filters of the strategy's sources: documents and stakes (they validate; services write).

Edit forms carry the `version` they were displayed with (optimistic locking, docs/decisions/0004).
"""

import django_filters
from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q, QuerySet

from partners.models import Organisation, OrganisationKind, Theme
from programmes.models import DocumentKind, DocumentStatus, Programme, Stake, StakePriority, StrategicDocument
from programmes.validators import allowed_labels, format_megabytes, validate_upload
from pvd.accounts.models import User
from pvd.forms import VersionedForm

PROGRAMME_WIDE = "programme"  # the commune filter's choice for rows common to the whole programme


def programme_communes(programme: Programme) -> QuerySet[Organisation]:
    return programme.communes.order_by("name", "pk")


def author_choices(user: User, programme: Programme) -> QuerySet[Organisation]:
    """Partners, the programme's EPCI and its communes (not every commune of France)."""
    return (
        Organisation.objects.visible_to(user)
        .filter(
            ~Q(kind__in=[OrganisationKind.COMMUNE, OrganisationKind.EPCI])
            | Q(pk=programme.epci_id)
            | Q(pk__in=programme.communes.values("pk"))
        )
        .order_by("name", "pk")
    )


class DocumentForm(VersionedForm):
    file = forms.FileField(
        label="Fichier",
        required=False,
        widget=forms.ClearableFileInput,
        help_text="",  # set in __init__ from the settings
    )

    class Meta:
        model = StrategicDocument
        fields = ["title", "kind", "status", "author", "year", "file", "url", "themes", "communes", "summary"]
        widgets = {
            "themes": forms.CheckboxSelectMultiple,
            "communes": forms.CheckboxSelectMultiple,
            "summary": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {"url": "Un lien vers le document publié, à défaut de fichier ou en plus."}

    def __init__(self, *args: object, user: User, programme: Programme, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["author"].queryset = author_choices(user, programme)
        self.fields["themes"].queryset = Theme.objects.visible_to(user).order_by("order", "pk")
        self.fields["communes"].queryset = programme_communes(programme)
        self.fields["file"].help_text = (
            f"Formats acceptés : {allowed_labels()} ; "
            f"{format_megabytes(settings.UPLOAD_MAX_BYTES)} Mo au plus."
        )

    def clean_file(self) -> object:
        value = self.cleaned_data.get("file")
        if isinstance(value, UploadedFile):
            validate_upload(value, name=value.name or "", size=value.size or 0)
        return value


class StakeForm(VersionedForm):
    class Meta:
        model = Stake
        fields = ["title", "theme", "commune", "priority", "description", "sources"]
        widgets = {"sources": forms.CheckboxSelectMultiple, "description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: object, user: User, programme: Programme, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = Theme.objects.visible_to(user).order_by("order", "pk")
        self.fields["commune"].queryset = programme_communes(programme)
        self.fields["commune"].empty_label = "Tout le programme"
        self.fields["sources"].queryset = programme.documents.order_by("-year", "title", "pk")


# --- Filters (django-filter, GET forms) --------------------------------------------------------------------


def commune_choices(programme: Programme) -> list[tuple[str, str]]:
    return [(str(c.pk), c.name) for c in programme.communes.all()] + [
        (PROGRAMME_WIDE, "Commun à tout le programme")
    ]


def filter_by_commune(queryset: QuerySet, value: str) -> QuerySet:
    if value == PROGRAMME_WIDE:
        return queryset.filter(commune__isnull=True)
    return queryset.filter(commune_id=value) if value else queryset


class DocumentFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label="Nature", choices=DocumentKind.choices, empty_label="Toutes")
    status = django_filters.ChoiceFilter(label="État", choices=DocumentStatus.choices, empty_label="Tous")
    theme = django_filters.ModelChoiceFilter(
        label="Thème", queryset=Theme.objects.none(), method="on_theme", empty_label="Tous"
    )
    commune = django_filters.ChoiceFilter(
        label="Commune", choices=[], method="on_commune", empty_label="Toutes"
    )

    class Meta:
        model = StrategicDocument
        fields: list[str] = []

    def __init__(self, *args: object, user: User, programme: Programme, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.filters["theme"].queryset = Theme.objects.visible_to(user).order_by("order", "pk")
        self.filters["commune"].extra["choices"] = [(str(c.pk), c.name) for c in programme.communes.all()]

    def on_theme(self, queryset: QuerySet, name: str, theme: Theme | None) -> QuerySet:
        # A subquery, not a join: a document on two themes shows once.
        if theme is None:
            return queryset
        through = StrategicDocument.themes.through
        return queryset.filter(pk__in=through.objects.filter(theme=theme).values("strategicdocument_id"))

    def on_commune(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if not value:
            return queryset
        through = StrategicDocument.communes.through
        return queryset.filter(
            pk__in=through.objects.filter(organisation_id=value).values("strategicdocument_id")
        )


class StakeFilter(django_filters.FilterSet):
    theme = django_filters.ModelChoiceFilter(label="Thème", queryset=Theme.objects.none(), empty_label="Tous")
    commune = django_filters.ChoiceFilter(
        label="Commune", choices=[], method="on_commune", empty_label="Toutes"
    )
    priority = django_filters.ChoiceFilter(
        label="Priorité", choices=StakePriority.choices, empty_label="Toutes"
    )

    class Meta:
        model = Stake
        fields: list[str] = []

    def __init__(self, *args: object, user: User, programme: Programme, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.filters["theme"].queryset = Theme.objects.visible_to(user).order_by("order", "pk")
        self.filters["commune"].extra["choices"] = commune_choices(programme)

    def on_commune(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return filter_by_commune(queryset, value)
