"""Filters of the partner directory and the offers catalogue (django-filter, GET forms with labels)."""

import django_filters
from django.db.models import Q, QuerySet

from partners.models import Offer, OfferKind, Organisation, OrganisationKind, Theme
from pvd.accounts import policy

# The directory lists partners: every kind but communes (they have their own page).
DIRECTORY_KINDS = [
    (value, label) for value, label in OrganisationKind.choices if value != OrganisationKind.COMMUNE
]


class OrganisationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Rechercher", method="search", help_text="Nom ou SIREN.")
    kind = django_filters.ChoiceFilter(label="Type d'organisme", choices=DIRECTORY_KINDS, empty_label="Tous")
    theme = django_filters.ModelChoiceFilter(
        label="Thème de leurs offres",
        queryset=Theme.objects.none(),
        method="with_offers_on",
        empty_label="Tous",
    )

    class Meta:
        model = Organisation
        fields: list[str] = []

    def __init__(self, *args: object, user: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.filters["theme"].queryset = Theme.objects.visible_to(user)

    def search(self, queryset: QuerySet[Organisation], name: str, value: str) -> QuerySet[Organisation]:
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(siren=value)) if value else queryset

    def with_offers_on(
        self, queryset: QuerySet[Organisation], name: str, theme: Theme | None
    ) -> QuerySet[Organisation]:
        # A subquery rather than a join: an organisation with three offers on the theme shows once.
        if theme is None:
            return queryset
        return queryset.filter(pk__in=Offer.objects.filter(themes=theme).values("organisation_id"))


class OfferFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Rechercher", method="search", help_text="Intitulé, organisme ou code."
    )
    kind = django_filters.ChoiceFilter(label="Nature", choices=OfferKind.choices, empty_label="Toutes")
    theme = django_filters.ModelChoiceFilter(
        label="Thème", queryset=Theme.objects.none(), method="on_theme", empty_label="Tous"
    )
    valid_today = django_filters.ChoiceFilter(
        label="En vigueur aujourd'hui",
        choices=[("yes", "Oui"), ("no", "Non (expirées ou à venir)")],
        method="in_force",
        empty_label="Toutes",
    )

    class Meta:
        model = Offer
        fields: list[str] = []

    def __init__(self, *args: object, user: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.filters["theme"].queryset = Theme.objects.visible_to(user)

    def search(self, queryset: QuerySet[Offer], name: str, value: str) -> QuerySet[Offer]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(organisation__name__icontains=value) | Q(code__iexact=value)
        )

    def on_theme(self, queryset: QuerySet[Offer], name: str, theme: Theme | None) -> QuerySet[Offer]:
        if theme is None:
            return queryset
        return queryset.filter(pk__in=Offer.themes.through.objects.filter(theme=theme).values("offer_id"))

    def in_force(self, queryset: QuerySet[Offer], name: str, value: str) -> QuerySet[Offer]:
        valid = Offer.objects.valid_on(policy.today()).values("pk")
        return queryset.filter(pk__in=valid) if value == "yes" else queryset.exclude(pk__in=valid)
