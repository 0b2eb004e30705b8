"""Page-shaped reads of the strategy: documents, stakes, engineering needs, and "who can help".

Every list is one query for its rows plus one per many-to-many it shows (prefetched), whatever the number
of rows: the pages' query budgets stay flat (tests/programmes/test_*.py). Rows come through the access
policy (`policy.visible_to` / `get_for_user`): a mayor reads their commune's and the programme-wide stakes
and needs, and the programme's documents.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.http import Http404

from partners.models import Offer, OfferKind, Organisation, Theme
from programmes.models import (
    EngineeringNeed,
    NeedKind,
    NeedStatus,
    Programme,
    Stake,
    StrategicDocument,
)
from pvd.accounts import policy
from pvd.accounts.models import User
from pvd.models import StatusChange

# The theme whose offers serve every theme (national catalogue: Cerema's expertise, BdT's AMP…).
TRANSVERSAL_THEME = "transversal"


def _ordered_communes() -> Prefetch:
    return Prefetch("communes", queryset=Organisation.objects.order_by("name", "pk"))


def _ordered_themes() -> Prefetch:
    return Prefetch("themes", queryset=Theme.objects.order_by("order", "pk"))


def programme_for_strategy(user: User, pk: int) -> Programme:
    """The programme whose strategy a page shows, with its EPCI and communes; 404 out of scope.

    The strategy is read by the programme's readers (manager, referent, partner) and by the mayors of its
    communes — the same scope as the policy's rules for documents, stakes and needs.
    """
    queryset = Programme.objects.select_related("epci").prefetch_related(_ordered_communes())
    try:
        return policy.strategy_programmes(queryset, user).get(pk=pk)
    except Programme.DoesNotExist as error:
        raise Http404("Aucun objet ne correspond à votre demande.") from error


# --- Documents ---------------------------------------------------------------------------------------------


def documents_for_page(user: User, programme: Programme) -> QuerySet[StrategicDocument]:
    return (
        policy.visible_to(StrategicDocument.objects.all(), user)
        .filter(programme=programme)
        .select_related("author")
        .prefetch_related(_ordered_themes(), _ordered_communes())
        .order_by("-year", "title", "pk")
    )


def document_for_page(user: User, pk: int) -> StrategicDocument:
    """One document with what its page shows, and the stakes drawn from it that the user may read."""
    queryset = StrategicDocument.objects.select_related("programme", "author").prefetch_related(
        _ordered_themes(),
        _ordered_communes(),
        Prefetch(
            "stakes",
            queryset=policy.visible_to(Stake.objects.all(), user).select_related("theme", "commune"),
            to_attr="visible_stakes",
        ),
    )
    return policy.get_for_user(queryset, user, pk=pk)


# --- Stakes ------------------------------------------------------------------------------------------------


def _sources(user: User) -> Prefetch:
    return Prefetch(
        "sources",
        queryset=policy.visible_to(StrategicDocument.objects.all(), user).order_by("-year", "title", "pk"),
    )


def stakes_for_page(user: User, programme: Programme) -> QuerySet[Stake]:
    """The programme's stakes the user may read, by theme then priority (the list groups by theme)."""
    return (
        policy.visible_to(Stake.objects.all(), user)
        .filter(programme=programme)
        .select_related("theme", "commune")
        .prefetch_related(_sources(user))
        .order_by("theme__order", "theme_id", "priority", "title", "pk")
    )


def stake_for_page(user: User, pk: int) -> Stake:
    queryset = Stake.objects.select_related("programme", "theme", "commune").prefetch_related(
        _sources(user),
        Prefetch(
            "engineering_needs",
            queryset=policy.visible_to(EngineeringNeed.objects.all(), user).select_related("theme"),
            to_attr="visible_needs",
        ),
    )
    return policy.get_for_user(queryset, user, pk=pk)


# --- Engineering needs -------------------------------------------------------------------------------------


def needs_for_page(user: User, programme: Programme) -> QuerySet[EngineeringNeed]:
    return (
        policy.visible_to(EngineeringNeed.objects.all(), user)
        .filter(programme=programme)
        .select_related("theme", "commune", "offer__organisation")
        .order_by("theme__order", "title", "pk")
    )


@dataclass(frozen=True)
class StatusTotal:
    status: NeedStatus
    count: int
    total: Decimal  # estimated cost HT of the needs with that status (unknown costs count as zero)


def need_totals(needs: QuerySet[EngineeringNeed]) -> list[StatusTotal]:
    """Count and estimated cost HT per status, every status listed in workflow order (one query)."""
    rows = {
        row["status"]: row
        for row in needs.order_by().values("status").annotate(n=Count("pk"), total=Sum("estimated_cost_ht"))
    }
    return [
        StatusTotal(
            status=status,
            count=rows.get(status, {}).get("n", 0),
            total=rows.get(status, {}).get("total") or Decimal("0.00"),
        )
        for status in NeedStatus
    ]


def need_for_page(user: User, pk: int) -> EngineeringNeed:
    queryset = EngineeringNeed.objects.select_related(
        "programme", "theme", "commune", "offer__organisation"
    ).prefetch_related(
        Prefetch(
            "stakes",
            queryset=policy.visible_to(Stake.objects.all(), user).select_related("theme", "commune"),
            to_attr="visible_stakes",
        )
    )
    return policy.get_for_user(queryset, user, pk=pk)


def status_changes(need: EngineeringNeed) -> list[StatusChange]:
    """The need's transitions, newest first, with their authors and French labels (one query)."""
    changes = list(
        StatusChange.objects.filter(content_type=ContentType.objects.get_for_model(need), object_id=need.pk)
        .select_related("by")
        .order_by("-at", "-pk")
    )
    for change in changes:
        change.source_label = NeedStatus(change.source).label if change.source else ""  # type: ignore[attr-defined]
        change.target_label = NeedStatus(change.target).label  # type: ignore[attr-defined]
        by = change.by
        change.by_label = (by.get_full_name() or by.email) if by else "Système (reprise de données)"  # type: ignore[attr-defined]
    return changes


# --- Who can help: offers matching a need ------------------------------------------------------------------

# For each kind of need, the offer kinds that can serve it, best first, with why (a loan never funds
# engineering in the PVD catalogue, so it matches nothing).
KIND_FIT: dict[str, list[tuple[str, str]]] = {
    NeedKind.STUDY: [
        (OfferKind.ENGINEERING, "une offre d'ingénierie peut porter ou accompagner l'étude"),
        (OfferKind.EXPERTISE, "une expertise peut cadrer ou co-réaliser l'étude"),
        (OfferKind.FUNDING, "un financement peut couvrir une partie du coût de l'étude"),
    ],
    NeedKind.EXPERTISE: [
        (OfferKind.EXPERTISE, "une offre d'expertise répond directement au besoin"),
        (OfferKind.ENGINEERING, "une offre d'ingénierie peut apporter cette expertise"),
        (OfferKind.FUNDING, "un financement peut payer une expertise extérieure"),
    ],
    NeedKind.AMO: [
        (OfferKind.ENGINEERING, "une offre d'ingénierie accompagne la maîtrise d'ouvrage"),
        (OfferKind.EXPERTISE, "une expertise peut appuyer ponctuellement le maître d'ouvrage"),
        (OfferKind.FUNDING, "un financement peut couvrir une AMO"),
    ],
    NeedKind.TRAINING: [
        (OfferKind.TRAINING, "une offre de formation et de réseau répond directement au besoin"),
        (OfferKind.EXPERTISE, "une expertise peut animer une session"),
        (OfferKind.FUNDING, "un financement peut payer une formation"),
    ],
}


@dataclass(frozen=True)
class Suggestion:
    offer: Offer
    rank: int  # 0 = the best kind fit
    exact_theme: bool  # False: the offer is transversal, not on the need's theme itself
    reason: str


def matching_offers(
    need: EngineeringNeed, on: datetime.date | None = None, *, user: User | None = None
) -> list[Suggestion]:
    """Offers valid on `on` (today by default) that can serve the need: on its theme, or transversal,
    and of a kind that fits its kind; ranked by kind fit, then exact theme before transversal, then name.

    On a page, pass `user`: the catalogue is then read through the access policy. One query.
    """
    day = on or policy.today()
    fits = KIND_FIT.get(need.kind, [])
    if not fits:
        return []
    base = Offer.objects.all() if user is None else Offer.objects.visible_to(user)
    through = Offer.themes.through
    on_theme = through.objects.filter(offer_id=OuterRef("pk"), theme_id=need.theme_id)
    transversal = through.objects.filter(offer_id=OuterRef("pk"), theme__code=TRANSVERSAL_THEME)
    offers = (
        base.valid_on(day)
        .filter(kind__in=[kind for kind, _ in fits])
        .annotate(exact_theme=Exists(on_theme), transversal=Exists(transversal))
        .filter(Q(exact_theme=True) | Q(transversal=True))
        .select_related("organisation")
    )
    ranks = {kind: (index, why) for index, (kind, why) in enumerate(fits)}
    theme_name = need.theme.name
    suggestions = []
    for offer in offers:
        rank, why = ranks[offer.kind]
        where = f"thème « {theme_name} »" if offer.exact_theme else "offre transversale, tous thèmes"
        until = f", valable jusqu'au {offer.valid_until:%d/%m/%Y}" if offer.valid_until else ""
        reason = f"{why[0].upper()}{why[1:]} ({where}{until})."
        suggestions.append(Suggestion(offer=offer, rank=rank, exact_theme=offer.exact_theme, reason=reason))
    suggestions.sort(
        key=lambda s: (s.rank, not s.exact_theme, s.offer.organisation.name, s.offer.name, s.offer.pk)
    )
    return suggestions


def offers_for_request(user: User, day: datetime.date) -> QuerySet[Offer]:
    """Every offer of the catalogue valid on `day`, for the "solliciter" select (not only suggestions)."""
    return (
        Offer.objects.visible_to(user)
        .valid_on(day)
        .exclude(kind=OfferKind.LOAN)
        .select_related("organisation")
        .order_by("organisation__name", "name", "pk")
    )


# --- The project summary (pvd.reports) ---------------------------------------------------------------------


@dataclass(frozen=True)
class CommuneCount:
    name: str
    count: int


@dataclass
class SharedStrategy:
    """The stakes and engineering needs every reader of a programme's strategy may read — those common to the
    programme — and, per commune, how many are the commune's own (a mayor reads only their commune's: a
    document shared by all the readers counts them, it does not list them)."""

    stakes: list[Stake]
    needs: list[EngineeringNeed]
    commune_stakes: list[CommuneCount]
    commune_needs: list[CommuneCount]


def _by_commune(queryset: QuerySet) -> list[CommuneCount]:
    rows = queryset.values("commune__name").annotate(n=Count("pk")).order_by("commune__name")
    return [CommuneCount(row["commune__name"], row["n"]) for row in rows]


def shared_strategy(programme: Programme) -> SharedStrategy:
    """For a document read by the programme's readers and the mayors of its communes (the caller checked the
    access). Four queries whatever the number of stakes and needs."""
    stakes = Stake.objects.filter(programme=programme)
    needs = EngineeringNeed.objects.filter(programme=programme)
    return SharedStrategy(
        stakes=list(
            stakes.filter(commune__isnull=True)
            .select_related("theme")
            .order_by("priority", "theme__order", "title", "pk")
        ),
        needs=list(
            needs.filter(commune__isnull=True)
            .select_related("theme", "offer__organisation")
            .order_by("theme__order", "title", "pk")
        ),
        commune_stakes=_by_commune(stakes.filter(commune__isnull=False)),
        commune_needs=_by_commune(needs.filter(commune__isnull=False)),
    )
