"""Reads of communication actions (issue 11): the programme's list (filters in the URL, figures per channel,
pagination), an action's page (links, proof, transitions).

Every read goes through the access policy: the programme's readers see its actions, a mayor those that concern
their commune (`visible_to`); the programme page itself is opened by its readers and the mayors of its communes
(`can_read_participation`), everybody else gets 404. Fixed number of queries whatever the number of actions.
"""

from dataclasses import dataclass

import django_filters
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, QuerySet, Sum
from django.utils.http import urlencode

from operations.models import CommunicationAction, Operation
from operations.participation.models import CommunicationStatus
from partners.models import CommunicationKind, Organisation
from programmes.models import Programme
from pvd.accounts import policy
from pvd.accounts.models import User
from pvd.models import StatusChange

PAGE_SIZE = 30


def visible_operations(user: User, programme: Programme) -> QuerySet[Operation]:
    return Operation.objects.visible_to(user).filter(programme=programme).order_by("code", "pk")


class ActionFilter(django_filters.FilterSet):
    canal = django_filters.ChoiceFilter(
        label="Canal", choices=CommunicationKind.choices, field_name="kind", empty_label="Tous"
    )
    statut = django_filters.ChoiceFilter(
        label="Statut", choices=CommunicationStatus.choices, field_name="status", empty_label="Tous"
    )
    annee = django_filters.ChoiceFilter(
        label="Année", choices=[], field_name="date__year", empty_label="Toutes"
    )
    operation = django_filters.ModelChoiceFilter(
        label="Opération", queryset=Operation.objects.none(), field_name="operations", empty_label="Toutes"
    )
    commune = django_filters.ModelChoiceFilter(
        label="Commune", queryset=Organisation.objects.none(), field_name="communes", empty_label="Toutes"
    )

    class Meta:
        model = CommunicationAction
        fields: list[str] = []

    def __init__(self, *args: object, user: User, programme: Programme, years: list[int], **kwargs: object):
        super().__init__(*args, **kwargs)
        self.filters["annee"].extra["choices"] = [(str(year), str(year)) for year in years]
        self.filters["operation"].queryset = visible_operations(user, programme)
        self.filters["commune"].queryset = programme.communes.order_by("name", "pk")


@dataclass(frozen=True)
class ChannelFigure:
    kind: str
    label: str
    done: int
    reach: int


@dataclass
class ActionList:
    filter: ActionFilter
    page: Page
    figures: list[ChannelFigure]  # done actions of the filtered list, per channel
    done: int
    reach: int  # total reach of the done actions of the filtered list
    query: str  # the filters as a query string, without the page

    @property
    def filtered(self) -> bool:
        return bool(self.query)


def _with_links(actions: QuerySet[CommunicationAction], user: User) -> QuerySet[CommunicationAction]:
    return actions.prefetch_related(
        Prefetch("operations", queryset=Operation.objects.visible_to(user).order_by("code", "pk")),
        Prefetch("funders_credited", queryset=Organisation.objects.order_by("name", "pk")),
    )


def action_list(user: User, programme: Programme, params: dict[str, str], page: str | None) -> ActionList:
    """The programme's actions the user sees, filtered and paginated, newest first, with the figures of the done
    ones. Queries: the years, the operations and communes of the form, the figures, the page's count and rows,
    their operations and funders."""
    clean = {k: v for k, v in params.items() if k != "page" and v}
    base = CommunicationAction.objects.visible_to(user).filter(programme=programme)
    years = [d.year for d in base.dates("date", "year", order="DESC")]
    action_filter = ActionFilter(clean or None, queryset=base, user=user, programme=programme, years=years)
    actions = action_filter.qs if action_filter.is_bound and action_filter.is_valid() else base
    figures_rows = (
        actions.filter(status=CommunicationStatus.DONE)
        .order_by()
        .values("kind")
        .annotate(n=Count("pk", distinct=True), reach=Sum("reach"))
    )
    by_kind = {row["kind"]: row for row in figures_rows}
    figures = [
        ChannelFigure(kind, str(label), by_kind[kind]["n"], by_kind[kind]["reach"] or 0)
        for kind, label in CommunicationKind.choices
        if kind in by_kind
    ]
    rows = _with_links(actions.distinct().order_by("-date", "-pk"), user)
    return ActionList(
        filter=action_filter,
        page=Paginator(rows, PAGE_SIZE).get_page(page),
        figures=figures,
        done=sum(f.done for f in figures),
        reach=sum(f.reach for f in figures),
        query=urlencode(clean),
    )


def action_for_page(user: User, programme_pk: int, pk: int) -> CommunicationAction:
    """An action the user sees, of programme `programme_pk`, or 404."""
    action = policy.get_for_user(
        _with_links(CommunicationAction.objects.select_related("programme"), user).prefetch_related(
            Prefetch("communes", queryset=Organisation.objects.order_by("name", "pk"))
        ),
        user,
        pk=pk,
        programme_id=programme_pk,
    )
    return action


def status_changes(action: CommunicationAction) -> list[StatusChange]:
    """The action's transitions, newest first, with their authors and French labels (one query)."""
    changes = list(
        StatusChange.objects.filter(
            content_type=ContentType.objects.get_for_model(CommunicationAction), object_id=action.pk
        )
        .select_related("by")
        .order_by("-at", "-pk")
    )
    for change in changes:
        change.source_label = CommunicationStatus(change.source).label if change.source else ""  # type: ignore[attr-defined]
        change.target_label = CommunicationStatus(change.target).label  # type: ignore[attr-defined]
        by = change.by
        change.by_label = (by.get_full_name() or by.email) if by else "Système"  # type: ignore[attr-defined]
    return changes
