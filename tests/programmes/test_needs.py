"""Engineering needs: the status workflow (every transition, allowed or refused), the StatusChange rows,
stale pages, "who can help" matching, the list's totals, the export and the query budgets."""

import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from openpyxl import load_workbook

from budget.models import SchemeRule
from partners.models import Offer, OfferKind, PublicityRequirement
from programmes.models import EngineeringNeed, NeedKind, NeedStatus
from programmes.selectors.strategy import matching_offers, need_totals
from programmes.services import needs as services
from programmes.services.errors import StrategyError
from programmes.strategy_exports import DATE_FORMAT, EUROS_FORMAT
from pvd.concurrency import StaleObjectError
from pvd.models import StatusChange
from tests.conftest import Territory
from tests.factories import OfferFactory, OrganisationFactory, ProgrammeFactory
from tests.programmes.factories import NeedFactory, theme

S = NeedStatus
DAY = datetime.date(2026, 11, 2)
ALLOWED = [(source, target) for source, targets in services.TRANSITIONS.items() for target in sorted(targets)]
REFUSED = [
    (source, target)
    for source in S.values
    for target in S.values
    if target not in services.TRANSITIONS[source] and target != source
]


def changes_of(need: EngineeringNeed) -> list[tuple[str, str, str, str]]:
    rows = StatusChange.objects.filter(
        content_type=ContentType.objects.get_for_model(EngineeringNeed), object_id=need.pk
    ).order_by("pk")
    return [(c.source, c.target, c.by.full_name if c.by else "", c.comment) for c in rows]


@pytest.fixture
def offer(territory: Territory):
    return OfferFactory(
        organisation=OrganisationFactory(name="Cerema"),
        name="Expertise du Cerema",
        kind=OfferKind.EXPERTISE,
        themes=[theme("mobilite")],
    )


def need_in(status: str, territory: Territory, offer) -> EngineeringNeed:
    """A need already in `status`, with the dates that status implies."""
    dates = {
        S.REQUESTED: {"requested_on": datetime.date(2026, 10, 1), "offer": offer},
        S.GRANTED: {"requested_on": datetime.date(2026, 10, 1), "answered_on": datetime.date(2026, 10, 15)},
        S.IN_PROGRESS: {"started_on": datetime.date(2026, 10, 20)},
    }
    return NeedFactory(
        programme=territory.programme, status=status, title="Étude mobilité", **dates.get(status, {})
    )


# --- The workflow ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("source", "target"), ALLOWED, ids=lambda value: str(value))
def test_each_allowed_transition_moves_the_need_and_writes_a_status_change(
    source: str, target: str, manager, territory: Territory, offer
) -> None:
    need = need_in(source, territory, offer)
    refused = source == S.REQUESTED and target == S.IDENTIFIED
    updated = services.need_change_status(
        need=need,
        target=target,
        expected_version=need.version,
        by=manager,
        on=DAY,
        comment="Décidé en comité technique.",
        offer=offer,
        answer="Pas de crédits cette année." if refused else "",
    )
    need.refresh_from_db()
    assert (need.status, need.version) == (target, 2)
    assert updated.status == target
    expected_comment = (
        "Refus du partenaire : Pas de crédits cette année.\nDécidé en comité technique."
        if refused
        else "Décidé en comité technique."
    )
    assert changes_of(need) == [(source, target, "Camille Martin", expected_comment)]
    date_field = "answered_on" if refused else services.DATE_FIELDS.get(target)
    if date_field:
        assert getattr(need, date_field) == DAY
    assert need.history.latest().history_user == manager


@pytest.mark.parametrize(("source", "target"), REFUSED, ids=lambda value: str(value))
def test_each_illegal_transition_is_refused_with_a_french_message(
    source: str, target: str, manager, territory: Territory, offer
) -> None:
    need = need_in(source, territory, offer)
    with pytest.raises(StrategyError) as refusal:
        services.need_change_status(
            need=need,
            target=target,
            expected_version=need.version,
            by=manager,
            on=DAY,
            offer=offer,
            answer="x",
        )
    if source == S.DELIVERED:
        assert str(refusal.value) == "Un besoin « Livré » est définitif : son statut ne change plus."
    else:
        assert str(refusal.value).startswith(
            f"Un besoin « {S(source).label} » ne peut pas passer à « {S(target).label} » ; statuts possibles : "
        )
    need.refresh_from_db()
    assert (need.status, need.version) == (source, 1)
    assert changes_of(need) == []


def test_the_refusal_message_lists_the_possible_statuses(manager, territory: Territory, offer) -> None:
    need = need_in(S.IDENTIFIED, territory, offer)
    with pytest.raises(StrategyError) as refusal:
        services.need_change_status(need=need, target=S.DELIVERED, expected_version=1, by=manager)
    assert str(refusal.value) == (
        "Un besoin « Identifié » ne peut pas passer à « Livré » ; "
        "statuts possibles : « Sollicité auprès d'un partenaire », « Abandonné »."
    )


def test_requesting_needs_an_offer(manager, territory: Territory, offer) -> None:
    need = need_in(S.IDENTIFIED, territory, offer)
    with pytest.raises(StrategyError, match="^Choisissez l'offre du partenaire sollicité.$"):
        services.need_change_status(need=need, target=S.REQUESTED, expected_version=1, by=manager)


def test_an_expired_offer_cannot_be_requested(manager, territory: Territory, offer) -> None:
    offer.valid_until = datetime.date(2026, 3, 31)
    offer.save()
    need = need_in(S.IDENTIFIED, territory, offer)
    with pytest.raises(StrategyError) as refusal:
        services.need_change_status(
            need=need, target=S.REQUESTED, expected_version=1, by=manager, on=DAY, offer=offer
        )
    assert str(refusal.value) == "L'offre « Expertise du Cerema » n'est plus valable depuis le 31/03/2026."


def test_a_refusal_needs_the_partner_answer(manager, territory: Territory, offer) -> None:
    need = need_in(S.REQUESTED, territory, offer)
    with pytest.raises(StrategyError) as refusal:
        services.need_change_status(
            need=need, target=S.IDENTIFIED, expected_version=1, by=manager, answer="  "
        )
    assert str(refusal.value) == "Indiquez la réponse du partenaire qui refuse (motif, suite proposée)."


def test_a_refused_need_keeps_the_answer_until_it_is_requested_again(
    manager, territory: Territory, offer
) -> None:
    need = need_in(S.REQUESTED, territory, offer)
    need = services.need_change_status(
        need=need,
        target=S.IDENTIFIED,
        expected_version=1,
        by=manager,
        on=DAY,
        answer="Hors de nos priorités.",
    )
    assert (need.partner_answer, need.answered_on, need.offer) == ("Hors de nos priorités.", DAY, offer)
    other = OfferFactory(name="AMP", kind=OfferKind.ENGINEERING, themes=[theme("transversal")])
    need = services.need_change_status(
        need=need,
        target=S.REQUESTED,
        expected_version=2,
        by=manager,
        on=datetime.date(2026, 11, 20),
        offer=other,
    )
    assert (need.offer, need.requested_on, need.answered_on, need.partner_answer) == (
        other,
        datetime.date(2026, 11, 20),
        None,
        "",
    )


def test_a_date_in_the_future_is_refused(manager, territory: Territory, offer) -> None:
    need = need_in(S.GRANTED, territory, offer)
    with pytest.raises(StrategyError, match="^La date ne peut pas être dans le futur"):
        services.need_change_status(
            need=need, target=S.IN_PROGRESS, expected_version=1, by=manager, on=datetime.date(2999, 1, 1)
        )


def test_a_delivery_before_the_start_is_refused(manager, territory: Territory, offer) -> None:
    need = need_in(S.IN_PROGRESS, territory, offer)  # started on 20/10/2026
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refusal:
        services.need_change_status(
            need=need, target=S.DELIVERED, expected_version=1, by=manager, on=datetime.date(2026, 10, 1)
        )
    assert refusal.value.messages == ["La livraison ne peut pas précéder le démarrage."]
    assert changes_of(need) == []


def test_a_transition_from_a_stale_page_is_refused_and_writes_nothing(
    manager, territory: Territory, offer
) -> None:
    need = need_in(S.IDENTIFIED, territory, offer)
    services.need_update(
        need=need,
        expected_version=1,
        by=manager,
        title="Étude mobilité (précisée)",
        theme=need.theme,
        kind=need.kind,
        commune=None,
        scope="",
        deliverable="",
        estimated_cost_ht=None,
        stakes=[],
    )
    with pytest.raises(StaleObjectError):
        services.need_change_status(need=need, target=S.DROPPED, expected_version=1, by=manager)
    need.refresh_from_db()
    assert (need.status, need.version) == (S.IDENTIFIED, 2)
    assert changes_of(need) == []


def test_a_new_need_starts_identified_with_its_first_status_change(manager, territory: Territory) -> None:
    need = services.need_create(
        programme=territory.programme,
        by=manager,
        title="Schéma cyclable",
        theme=theme("mobilite"),
        kind=NeedKind.STUDY,
        commune=territory.la_porte_du_der,
        estimated_cost_ht=Decimal("18000.00"),
    )
    assert need.status == S.IDENTIFIED
    assert changes_of(need) == [("", S.IDENTIFIED, "Camille Martin", "Besoin identifié.")]


# --- The actions on the page -------------------------------------------------------------------------------


def test_manager_mobilises_an_offer_from_the_page(client_for, manager, territory: Territory, offer) -> None:
    need = need_in(S.IDENTIFIED, territory, offer)
    response = client_for("manager").post(
        reverse("programmes:need_transition", args=[need.pk]),
        {
            "action": "request",
            "request-version": 1,
            "request-offer": offer.pk,
            "request-comment": "Appel du 2/11",
        },
        follow=True,
    )
    need.refresh_from_db()
    assert (need.status, need.offer, need.requested_on) == (S.REQUESTED, offer, datetime.date.today())
    assert [str(m) for m in response.context["messages"]] == [
        "Statut du besoin : « Sollicité auprès d'un partenaire »."
    ]
    assert changes_of(need) == [(S.IDENTIFIED, S.REQUESTED, "Camille Martin", "Appel du 2/11")]


def test_a_stale_action_on_the_page_shows_the_refusal(
    client_for, manager, territory: Territory, offer
) -> None:
    need = need_in(S.GRANTED, territory, offer)
    EngineeringNeed.objects.filter(pk=need.pk).update(version=5)
    response = client_for("manager").post(
        reverse("programmes:need_transition", args=[need.pk]),
        {"action": "start", "start-version": 1},
        follow=True,
    )
    need.refresh_from_db()
    assert need.status == S.GRANTED
    [message] = [str(m) for m in response.context["messages"]]
    assert message.startswith("« Étude mobilité » a été modifié")


def test_an_action_the_status_does_not_offer_is_refused(
    client_for, manager, territory: Territory, offer
) -> None:
    need = need_in(S.DROPPED, territory, offer)
    response = client_for("manager").post(
        reverse("programmes:need_transition", args=[need.pk]),
        {"action": "refuse", "refuse-version": 1, "refuse-answer": "Non"},
        follow=True,
    )
    need.refresh_from_db()
    assert need.status == S.DROPPED
    assert [str(m) for m in response.context["messages"]] == [
        (
            "Le besoin est « Abandonné » : l'action « Enregistrer le refus du partenaire » n'est pas possible. "
            "La page montre maintenant son état actuel."
        )
    ]


@pytest.mark.parametrize("persona", ["referent", "partner", "mayor_of_wassy"])
def test_readers_cannot_change_a_status(client_for, persona: str, territory: Territory, offer) -> None:
    need = need_in(S.IDENTIFIED, territory, offer)
    response = client_for(persona).post(
        reverse("programmes:need_transition", args=[need.pk]), {"action": "drop", "drop-version": 1}
    )
    assert response.status_code == 403
    assert changes_of(need) == []


def test_the_detail_page_shows_the_status_history_and_who_can_help(
    client_for, manager, territory: Territory, offer
) -> None:
    need = need_in(S.IDENTIFIED, territory, offer)
    services.need_change_status(
        need=need, target=S.DROPPED, expected_version=1, by=manager, comment="Reporté"
    )
    need.refresh_from_db()
    services.need_change_status(need=need, target=S.IDENTIFIED, expected_version=2, by=manager)
    response = client_for("manager").get(reverse("programmes:need_detail", args=[need.pk]))
    page = response.content.decode()
    assert [(c.source_label, c.target_label, c.comment) for c in response.context["changes"]] == [
        ("Abandonné", "Identifié", ""),
        ("Identifié", "Abandonné", "Reporté"),
    ]
    assert "Identifié → Abandonné" in page
    assert f'href="{reverse("partners:offer_detail", args=[offer.pk])}"' in page
    assert [action for action, _, _ in response.context["actions"]] == ["request", "drop"]


# --- Who can help ------------------------------------------------------------------------------------------


@pytest.fixture
def empty_catalogue(db) -> None:
    """Without the national reference offers (partners' data migration): each test builds its catalogue.
    The funding schemes' dated rules and publicity requirements (data migrations) protect their offers: they
    go first."""
    SchemeRule.objects.all().delete()
    PublicityRequirement.objects.all().delete()
    Offer.objects.all().delete()


def test_matching_ranks_valid_offers_on_the_theme_by_kind_fit(empty_catalogue, territory: Territory) -> None:
    need = NeedFactory(programme=territory.programme, theme=theme("mobilite"), kind=NeedKind.STUDY)
    bdt = OrganisationFactory(name="Banque des Territoires")
    cerema = OrganisationFactory(name="Cerema")
    OfferFactory(organisation=bdt, name="Prêts", kind=OfferKind.LOAN, themes=[theme("mobilite")])
    OfferFactory(organisation=bdt, name="Co-financement", kind=OfferKind.FUNDING, themes=[theme("mobilite")])
    OfferFactory(
        organisation=cerema, name="Expertise mobilité", kind=OfferKind.EXPERTISE, themes=[theme("mobilite")]
    )
    OfferFactory(organisation=bdt, name="AMP", kind=OfferKind.ENGINEERING, themes=[theme("transversal")])
    OfferFactory(
        organisation=cerema,
        name="Ingénierie mobilité",
        kind=OfferKind.ENGINEERING,
        themes=[theme("mobilite")],
    )
    OfferFactory(organisation=cerema, name="Habitat", kind=OfferKind.ENGINEERING, themes=[theme("habitat")])
    OfferFactory(
        organisation=cerema,
        name="Expirée",
        kind=OfferKind.ENGINEERING,
        themes=[theme("mobilite")],
        valid_until=datetime.date(2026, 3, 31),
    )
    OfferFactory(
        organisation=cerema,
        name="À venir",
        kind=OfferKind.ENGINEERING,
        themes=[theme("mobilite")],
        valid_from=datetime.date(2027, 1, 1),
    )
    suggestions = matching_offers(need, on=datetime.date(2026, 11, 28))
    assert [(s.offer.name, s.rank, s.exact_theme) for s in suggestions] == [
        ("Ingénierie mobilité", 0, True),
        ("AMP", 0, False),
        ("Expertise mobilité", 1, True),
        ("Co-financement", 2, True),
    ]
    assert suggestions[0].reason == (
        "Une offre d'ingénierie peut porter ou accompagner l'étude (thème « Mobilité »)."
    )
    assert suggestions[1].reason == (
        "Une offre d'ingénierie peut porter ou accompagner l'étude (offre transversale, tous thèmes)."
    )
    # On 1 March 2026 the expired offer was still valid, and says until when.
    march = [s.offer.name for s in matching_offers(need, on=datetime.date(2026, 3, 1))]
    assert march == ["Expirée", "Ingénierie mobilité", "AMP", "Expertise mobilité", "Co-financement"]
    assert matching_offers(need, on=datetime.date(2026, 3, 1))[0].reason.endswith(
        ", valable jusqu'au 31/03/2026)."
    )


def test_a_training_need_prefers_training_offers(empty_catalogue, territory: Territory) -> None:
    need = NeedFactory(programme=territory.programme, theme=theme("participation"), kind=NeedKind.TRAINING)
    caue = OrganisationFactory(name="CAUE de la Haute-Marne")
    OfferFactory(organisation=caue, name="Conseil", kind=OfferKind.EXPERTISE, themes=[theme("participation")])
    OfferFactory(organisation=caue, name="Ateliers", kind=OfferKind.TRAINING, themes=[theme("participation")])
    OfferFactory(
        organisation=caue, name="Ingénierie", kind=OfferKind.ENGINEERING, themes=[theme("participation")]
    )
    assert [s.offer.name for s in matching_offers(need, on=DAY)] == ["Ateliers", "Conseil"]


# --- List, totals, export, budgets -------------------------------------------------------------------------


@pytest.fixture
def needs(territory: Territory, offer) -> dict[str, EngineeringNeed]:
    return {
        "wassy": NeedFactory(
            programme=territory.programme,
            commune=territory.wassy,
            title="Plan de stationnement de Wassy",
            estimated_cost_ht=Decimal("25000.00"),
            status=S.REQUESTED,
            offer=offer,
            requested_on=datetime.date(2026, 10, 12),
        ),
        "lpdd": NeedFactory(
            programme=territory.programme,
            commune=territory.la_porte_du_der,
            title="Schéma cyclable",
            estimated_cost_ht=Decimal("18000.50"),
        ),
        "common": NeedFactory(
            programme=territory.programme,
            title="Audit énergétique",
            theme=theme("transition-ecologique"),
            estimated_cost_ht=Decimal("20000.00"),
        ),
        "elsewhere": NeedFactory(programme=territory.other_programme, estimated_cost_ht=Decimal("99.00")),
    }


def test_totals_of_estimated_cost_per_status(needs, territory: Territory) -> None:
    totals = {
        t.status: (t.count, t.total)
        for t in need_totals(EngineeringNeed.objects.filter(programme=territory.programme))
    }
    assert totals == {
        S.IDENTIFIED: (2, Decimal("38000.50")),
        S.REQUESTED: (1, Decimal("25000.00")),
        S.GRANTED: (0, Decimal("0.00")),
        S.IN_PROGRESS: (0, Decimal("0.00")),
        S.DELIVERED: (0, Decimal("0.00")),
        S.DROPPED: (0, Decimal("0.00")),
    }


def test_the_list_shows_totals_in_euros_and_filters(client_for, manager, needs, territory: Territory) -> None:
    client = client_for("manager")
    url = reverse("programmes:needs", args=[territory.programme.pk])
    page = client.get(url).content.decode()
    assert "38\xa0000,50\xa0€" in page
    assert "63\xa0000,50\xa0€" in page  # total
    assert [n.title for n in client.get(url, {"status": S.REQUESTED}).context["needs"]] == [
        "Plan de stationnement de Wassy"
    ]
    assert [n.title for n in client.get(url, {"commune": "programme"}).context["needs"]] == [
        "Audit énergétique"
    ]
    assert client.get(url, {"kind": NeedKind.TRAINING}).context["total_count"] == 0


def test_the_mayor_of_la_porte_du_der_reads_only_her_needs_and_the_common_ones(
    client_for, mayor_of_la_porte_du_der, needs, territory: Territory
) -> None:
    response = client_for("mayor_of_la_porte_du_der").get(
        reverse("programmes:needs", args=[territory.programme.pk])
    )
    assert sorted(n.title for n in response.context["needs"]) == ["Audit énergétique", "Schéma cyclable"]
    assert response.context["total_cost"] == Decimal("38000.50")


def test_the_export_has_real_dates_and_amounts_and_only_rows_in_scope(
    client_for, mayor_of_wassy, needs, territory: Territory
) -> None:
    response = client_for("mayor_of_wassy").get(
        reverse("programmes:needs_export", args=[territory.programme.pk])
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "Thème",
        "Besoin",
        "Commune",
        "Nature",
        "Statut",
        "Coût estimé (€ HT)",
        "Offre mobilisée",
        "Partenaire",
        "Sollicité le",
        "Réponse le",
        "Réponse du partenaire",
        "Démarré le",
        "Livré le",
        "Contenu de la mission",
        "Livrable attendu",
    )
    assert [row[1] for row in rows[1:]] == ["Plan de stationnement de Wassy", "Audit énergétique"]
    wassy = rows[1]
    assert wassy[:9] == (
        "Mobilité",
        "Plan de stationnement de Wassy",
        "Wassy",
        "Étude",
        "Sollicité auprès d'un partenaire",
        25000,
        "Expertise du Cerema",
        "Cerema",
        datetime.datetime(2026, 10, 12, 0, 0),
    )
    assert sheet["F2"].number_format == EUROS_FORMAT == '#,##0.00\\ "€"'
    assert sheet["I2"].number_format == DATE_FORMAT == "DD/MM/YYYY"
    assert sheet["F2"].data_type == "n"


def grow(territory: Territory, factor: int, offer) -> None:
    for n in range(3 * factor):
        NeedFactory(
            programme=territory.programme,
            commune=[territory.wassy, territory.la_porte_du_der, None][n % 3],
            status=S.REQUESTED,
            offer=offer,
            requested_on=DAY,
            estimated_cost_ht=Decimal("1000.00"),
        )
        NeedFactory(programme=ProgrammeFactory(epci=territory.other_epci))


@pytest.mark.parametrize("factor", [1, 10])
def test_need_list_query_budget_is_flat(
    client_for, manager, territory: Territory, offer, factor: int, django_assert_num_queries
) -> None:
    grow(territory, factor, offer)
    client = client_for("manager")
    # session, user, memberships (scope), programme + EPCI, its communes, themes (filter choices),
    # totals per status (one aggregate), needs + theme + commune + offer + its organisation, menu: programmes,
    # session refresh (savepoint, update, release)
    with django_assert_num_queries(13):  # +1: the bell's unread count (issue 8)
        response = client.get(reverse("programmes:needs", args=[territory.programme.pk]))
    assert response.context["total_count"] == 3 * factor


@pytest.mark.parametrize("factor", [1, 10])
def test_need_page_query_budget_is_flat(
    client_for, manager, empty_catalogue, territory: Territory, offer, factor: int, django_assert_num_queries
) -> None:
    need = need_in(S.IDENTIFIED, territory, offer)
    for n in range(factor):
        OfferFactory(name=f"Offre {n}", kind=OfferKind.EXPERTISE, themes=[theme("mobilite")])
        services.need_change_status(need=need, target=S.DROPPED, expected_version=need.version, by=manager)
        need.refresh_from_db()
        services.need_change_status(need=need, target=S.IDENTIFIED, expected_version=need.version, by=manager)
        need.refresh_from_db()
    client = client_for("manager")
    # session, user, memberships (scope), need + programme + theme + commune + offer + organisation, its stakes,
    # matching offers + organisation, status changes + authors, menu: programmes, offers valid today (the
    # "solliciter" select), history (records + authors), history of the stakes list, names in the history
    # (programme, theme: one query each), session refresh (savepoint, update, release)
    with django_assert_num_queries(17):  # +1: the bell's unread count (issue 8)
        response = client.get(reverse("programmes:need_detail", args=[need.pk]))
    assert len(response.context["suggestions"]) == factor + 1
    assert len(response.context["changes"]) == 2 * factor


def test_a_status_change_without_author_reads_as_data_recovery(client_for, manager, territory, offer) -> None:
    need = need_in(S.IDENTIFIED, territory, offer)
    StatusChange.objects.create(obj=need, source="", target=S.IDENTIFIED, by=None, comment="Reprise")
    response = client_for("manager").get(reverse("programmes:need_detail", args=[need.pk]))
    assert [c.by_label for c in response.context["changes"]] == ["Système (reprise de données)"]
