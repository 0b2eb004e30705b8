"""Filters and sorting of the action plan. Every criterion is a GET parameter, so a filtered and sorted list
is a URL that can be bookmarked or shared (`?commune=12&en_retard=oui&tri=-avancement`)."""

import django_filters
from django import forms
from django.db.models import Case, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When

from operations.models import Operation, OperationStatus
from partners.models import Organisation, Theme
from programmes.models import Axis, Programme
from pvd.accounts import policy
from pvd.accounts.models import User

YES_NO = [("oui", "Oui"), ("non", "Non")]

# `tri` values: the column, then "-" for descending order.
SORTS: dict[str, tuple[str, str]] = {
    "code": ("Numéro", "code"),
    "intitule": ("Intitulé", "title"),
    "statut": ("Statut", "status_rank"),
    "avancement": ("Avancement", "progress"),
    "cout_ht": ("Coût HT", "estimated_cost_ht"),
    "commune": ("Commune", "first_commune"),
}
SORT_CHOICES = [
    choice
    for key, (label, _) in SORTS.items()
    for choice in ((key, f"{label} (croissant)"), (f"-{key}", f"{label} (décroissant)"))
]


def _status_rank() -> Case:
    return Case(
        *[When(status=value, then=Value(rank)) for rank, value in enumerate(OperationStatus.values)],
        output_field=IntegerField(),
    )


def _first_commune() -> Subquery:
    """The name of the operation's first commune (alphabetically), for sorting without a GROUP BY."""
    through = Operation.communes.through
    return Subquery(
        through.objects.filter(operation_id=OuterRef("pk"))
        .order_by("organisation__name")
        .values("organisation__name")[:1]
    )


def sort_operations(queryset: QuerySet[Operation], value: str) -> QuerySet[Operation]:
    key = value.removeprefix("-")
    if key not in SORTS:
        return queryset
    field = SORTS[key][1]
    if field == "status_rank":
        queryset = queryset.annotate(status_rank=_status_rank())
    elif field == "first_commune":
        queryset = queryset.annotate(first_commune=_first_commune())
    expression = F(field).desc(nulls_last=True) if value.startswith("-") else F(field).asc(nulls_last=True)
    return queryset.order_by(expression, "code", "pk")


class OperationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Rechercher", method="on_text", help_text="Numéro, intitulé, description"
    )
    commune = django_filters.ModelChoiceFilter(
        label="Commune", queryset=Organisation.objects.none(), field_name="communes", empty_label="Toutes"
    )
    axe = django_filters.ModelChoiceFilter(
        label="Axe du projet", queryset=Axis.objects.none(), field_name="axis", empty_label="Tous"
    )
    theme = django_filters.ModelChoiceFilter(
        label="Thème", queryset=Theme.objects.none(), field_name="themes", empty_label="Tous"
    )
    statut = django_filters.ChoiceFilter(
        label="Statut", choices=OperationStatus.choices, field_name="status", empty_label="Tous"
    )
    moa = django_filters.ModelChoiceFilter(
        label="Maître d'ouvrage", queryset=Organisation.objects.none(), field_name="owner", empty_label="Tous"
    )
    en_retard = django_filters.ChoiceFilter(
        label="En retard", choices=YES_NO, method="on_late", empty_label="Indifférent"
    )
    ort = django_filters.ChoiceFilter(
        label="Dans le périmètre ORT", choices=YES_NO, method="on_ort", empty_label="Indifférent"
    )
    tri = django_filters.ChoiceFilter(
        label="Trier par", choices=SORT_CHOICES, method="on_sort", empty_label="Numéro"
    )

    class Meta:
        model = Operation
        fields: list[str] = []

    def __init__(self, *args: object, user: User, programme: Programme, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.filters["commune"].queryset = programme.communes.order_by("name", "pk")
        self.filters["axe"].queryset = (
            policy.visible_to(Axis.objects.all(), user)
            .filter(project__programme=programme)
            .select_related("project")
            .order_by("-project__number", "order", "pk")
        )
        self.filters["theme"].queryset = Theme.objects.visible_to(user).order_by("order", "pk")
        self.filters["moa"].queryset = Organisation.objects.filter(
            pk__in=Operation.objects.filter(programme=programme).values("owner_id")
        ).order_by("name", "pk")
        self.form.fields["axe"].label_from_instance = lambda axis: (
            f"{axis.title} (version {axis.project.number})"
        )
        self.form.fields["q"].widget = forms.TextInput(attrs={"type": "search"})

    def on_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(code__icontains=value) | Q(title__icontains=value) | Q(description__icontains=value)
        )

    def on_late(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(is_late=(value == "oui"))

    def on_ort(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(in_ort=(value == "oui"))

    def on_sort(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return sort_operations(queryset, value)
