"""Filters of a housing programme's household files. Every criterion is a GET parameter, so a filtered list is a
URL that can be bookmarked or shared (`?statut=filed&categorie=very_modest&annee=2026`); the kanban's « + x
autres » links to the list filtered on one status."""

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from operations.housing.models import THEME_FIELDS, FileStatus, HousingFile, IncomeCategory, OwnerType, Theme
from operations.models import HousingProgramme
from partners.models import Organisation


class HousingFileFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Rechercher", method="on_text", help_text="Référence ou nom du demandeur"
    )
    statut = django_filters.ChoiceFilter(
        label="Statut", choices=FileStatus.choices, field_name="status", empty_label="Tous"
    )
    commune = django_filters.ModelChoiceFilter(
        label="Commune", queryset=Organisation.objects.none(), field_name="commune", empty_label="Toutes"
    )
    demandeur = django_filters.ChoiceFilter(
        label="Type de demandeur", choices=OwnerType.choices, field_name="owner_type", empty_label="Tous"
    )
    categorie = django_filters.ChoiceFilter(
        label="Catégorie de ressources",
        choices=IncomeCategory.choices,
        field_name="income_category",
        empty_label="Toutes",
    )
    theme = django_filters.ChoiceFilter(
        label="Thématique", choices=Theme.choices, method="on_theme", empty_label="Toutes"
    )
    annee = django_filters.ChoiceFilter(
        label="Année de dépôt", choices=[], method="on_year", empty_label="Toutes"
    )

    class Meta:
        model = HousingFile
        fields: list[str] = []

    def __init__(
        self, *args: object, housing_programme: HousingProgramme, years: list[int], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        self.filters["commune"].queryset = housing_programme.communes.order_by("name", "pk")
        self.filters["annee"].extra["choices"] = [(str(year), str(year)) for year in years]
        self.form.fields["q"].widget = forms.TextInput(attrs={"type": "search"})

    def on_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(reference__icontains=value) | Q(applicant_name__icontains=value))

    def on_theme(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(**{THEME_FIELDS[Theme(value)]: True})

    def on_year(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(filed_on__year=int(value))
