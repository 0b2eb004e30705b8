"""Consultations: the procedure computed and kept, looser procedures refused without a ground, lots and
criteria, the status workflow with its evidence (minimum delays, standstill), stale edits refused, the pages
(list, calendar, consultation, forms) with query counts equal at 1× and 10×, the XLSX, and the alerts selector."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from operations.models import ProcurementThreshold
from operations.procurement.selectors.consultations import consultation_deadlines
from operations.procurement.services import consultations as services
from operations.procurement.thresholds import MissingThreshold
from pvd.concurrency import StaleObjectError
from pvd.models import StatusChange
from tests.operations.consultation_rows import wassy_consultation

D = datetime.date
pytestmark = pytest.mark.django_db


def aware(*args: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args))


def criteria(weights=(("price", "60"), ("technical", "40"))) -> list[services.CriterionData]:
    return [
        services.CriterionData(key=n, kind=kind, name=kind.capitalize(), weight=Decimal(w) / 100)
        for n, (kind, w) in enumerate(weights, start=1)
    ]


def publish(c, by, published_on=None, days=35, **extra):
    published_on = published_on or D(2026, 3, 10)
    return services.consultation_change_status(
        consultation=c,
        status="published",
        by=by,
        published_on=published_on,
        offers_deadline=aware(*(published_on + datetime.timedelta(days=days)).timetuple()[:3], 12),
        **extra,
    )


def to_dce(c, by):
    services.criteria_set(consultation=c, by=by, criteria=criteria())
    return services.consultation_change_status(consultation=c, status="dce", by=by)


# --- Procedure --------------------------------------------------------------------------------------------


def test_creation_computes_and_keeps_the_procedure_of_the_launch_date(territory, manager) -> None:
    c = wassy_consultation(territory, manager)
    assert (c.computed_procedure, c.computed_publicity, c.procedure) == ("adapted", "boamp_jal", "adapted")
    assert c.lots.get().estimated_value_ht == Decimal("450000.00")
    assert StatusChange.objects.filter(object_id=c.pk, target="need_defined").exists()


def test_a_launched_consultation_keeps_its_procedure_when_a_new_threshold_row_is_added(
    territory, manager
) -> None:
    c = to_dce(wassy_consultation(territory, manager), manager)
    c = publish(c, manager)
    ProcurementThreshold.objects.filter(kind="eu", nature="works").update(value_ht=Decimal(400000))
    c = services.consultation_update(
        consultation=c, expected_version=c.version, by=manager, title="Place de Wassy — tranche 1"
    )
    assert c.computed_procedure == "adapted"
    page = client_page(territory, c)
    assert "reste celle de la consultation" in page


def client_page(territory, c) -> str:
    from django.test import Client

    from tests.factories import UserFactory

    staff = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)
    return client.get(reverse("operations:consultation_detail", args=[c.pk])).content.decode()


def test_the_need_recomputes_the_procedure_while_not_published(territory, manager) -> None:
    c = wassy_consultation(territory, manager)
    c = services.consultation_update(
        consultation=c,
        expected_version=c.version,
        by=manager,
        estimated_value_ht=Decimal(6000000),
        procedure="open",
    )
    assert (c.computed_procedure, c.computed_publicity) == ("open", "eu")


def test_a_looser_procedure_is_refused_without_ground_and_allowed_with_one(territory, manager) -> None:
    with pytest.raises(ValidationError) as error:
        wassy_consultation(territory, manager, estimated_value_ht=Decimal(6000000), procedure="adapted")
    assert "fondement juridique" in str(error.value.message_dict["procedure"])
    c = wassy_consultation(
        territory,
        manager,
        reference="2026-PL02",
        estimated_value_ht=Decimal(6000000),
        procedure="adapted",
        procedure_ground="R2122-2 — appel d'offres infructueux",
    )
    assert (c.computed_procedure, c.procedure) == ("open", "adapted")


def test_a_missing_threshold_refuses_creation_with_a_clear_message(territory, manager) -> None:
    with pytest.raises(MissingThreshold, match="Aucun seuil en vigueur le 01/06/2019"):
        wassy_consultation(territory, manager, launch_date=D(2019, 6, 1))


def test_stale_edit_is_refused(territory, manager, referent) -> None:
    c = wassy_consultation(territory, manager)
    services.consultation_update(consultation=c, expected_version=c.version, by=manager, title="Nouvel objet")
    with pytest.raises(StaleObjectError, match="objet"):
        services.consultation_update(consultation=c, expected_version=c.version, by=manager, title="Autre")


def test_the_need_does_not_change_after_publication(territory, manager) -> None:
    c = publish(to_dce(wassy_consultation(territory, manager), manager), manager)
    with pytest.raises(services.ConsultationError, match="ne peut plus changer"):
        services.consultation_update(
            consultation=c, expected_version=c.version, by=manager, estimated_value_ht=Decimal(10)
        )


# --- Lots and criteria ------------------------------------------------------------------------------------


def test_lots_that_do_not_add_up_are_flagged(territory, manager) -> None:
    c = wassy_consultation(territory, manager)
    services.lot_create(consultation=c, by=manager, title="Éclairage", estimated_value_ht=Decimal(50000))
    assert "500\xa0000,00\xa0€" in services.lots_warning(c)


@pytest.mark.parametrize(
    ("weights", "ok"),
    [
        ((("price", "60"), ("technical", "40")), True),
        ((("price", "60"), ("technical", "39.99")), False),
        ((("price", "60"), ("technical", "40.01")), False),
        ((("technical", "60"), ("delay", "40")), False),  # no price criterion
    ],
)
def test_weights_must_sum_to_exactly_100_percent_before_publication(territory, manager, weights, ok) -> None:
    c = wassy_consultation(territory, manager)
    services.criteria_set(consultation=c, by=manager, criteria=criteria(weights))
    c = services.consultation_change_status(consultation=c, status="dce", by=manager)
    if ok:
        assert publish(c, manager).status == "published"
    else:
        with pytest.raises(services.ConsultationError, match="Publication impossible"):
            publish(c, manager)


def test_sub_criteria_weights_sum_to_100_percent_of_their_parent(territory, manager) -> None:
    c = wassy_consultation(territory, manager)
    rows = [
        *criteria(),
        services.CriterionData(
            key=3, kind="technical", name="Méthodologie", weight=Decimal("0.5"), parent_key=2
        ),
        services.CriterionData(key=4, kind="technical", name="Moyens", weight=Decimal("0.4"), parent_key=2),
    ]
    saved = services.criteria_set(consultation=c, by=manager, criteria=rows)
    assert any("sous-critères" in p for p in services.criteria_problems(saved))


# --- Transitions ------------------------------------------------------------------------------------------


def test_formal_procedure_offers_delay_is_enforced_at_publication(territory, manager) -> None:
    c = wassy_consultation(territory, manager, estimated_value_ht=Decimal(6000000), procedure="open")
    c.lots.update(estimated_value_ht=Decimal(6000000))
    c = to_dce(c, manager)
    with pytest.raises(ValidationError) as error:
        publish(c, manager, days=29)
    assert "au moins 30" in str(error.value.message_dict["offers_deadline"])
    assert publish(c, manager, days=30).status == "published"


def test_full_workflow_of_a_formal_procedure_with_cao_and_standstill(territory, manager) -> None:
    c = wassy_consultation(territory, manager, estimated_value_ht=Decimal(6000000), procedure="open")
    c = publish(to_dce(c, manager), manager, days=30)
    c = services.consultation_change_status(
        consultation=c, status="opened", by=manager, opened_on=D(2026, 4, 9)
    )
    c = services.consultation_change_status(
        consultation=c, status="analysis", by=manager, analysis_on=D(2026, 4, 20)
    )
    with pytest.raises(services.ConsultationError, match="commission d'appel d'offres"):
        services.consultation_change_status(
            consultation=c, status="awarded", by=manager, awarded_on=D(2026, 5, 1)
        )
    c = services.consultation_change_status(consultation=c, status="cao", by=manager, cao_on=D(2026, 4, 28))
    c = services.consultation_change_status(
        consultation=c, status="awarded", by=manager, awarded_on=D(2026, 5, 1)
    )
    c = services.consultation_change_status(
        consultation=c, status="rejections_sent", by=manager, rejections_sent_on=D(2026, 5, 4)
    )
    with pytest.raises(services.ConsultationError, match="15/05/2026"):
        services.consultation_change_status(
            consultation=c, status="signed", by=manager, signed_on=D(2026, 5, 14)
        )
    c = services.consultation_change_status(
        consultation=c, status="signed", by=manager, signed_on=D(2026, 5, 15)
    )
    assert c.status == "signed"
    assert StatusChange.objects.filter(object_id=c.pk).count() == 9


def test_opening_before_the_offers_deadline_and_missing_evidence_are_refused(territory, manager) -> None:
    c = publish(to_dce(wassy_consultation(territory, manager), manager), manager)
    with pytest.raises(services.ConsultationError, match="ouverture des plis"):
        services.consultation_change_status(consultation=c, status="opened", by=manager)
    with pytest.raises(ValidationError):
        services.consultation_change_status(
            consultation=c, status="opened", by=manager, opened_on=D(2026, 3, 20)
        )


def test_cancelling_needs_a_reason_and_is_final(territory, manager) -> None:
    c = wassy_consultation(territory, manager)
    with pytest.raises(services.ConsultationError, match="motif"):
        services.consultation_change_status(consultation=c, status="cancelled", by=manager)
    c = services.consultation_change_status(
        consultation=c, status="cancelled", by=manager, comment="Besoin abandonné"
    )
    assert c.closing_reason == "Besoin abandonné"
    with pytest.raises(services.ConsultationError, match="définitif"):
        services.consultation_change_status(consultation=c, status="dce", by=manager)


# --- Pages ------------------------------------------------------------------------------------------------


def make_consultations(t, by, n: int, start: int = 0, value: str = "30000") -> None:
    for i in range(start, start + n):
        c = wassy_consultation(
            t, by, reference=f"2026-{i:03d}", estimated_value_ht=Decimal(value), nature="services"
        )
        c.lots.update(estimated_value_ht=Decimal(value))
        publish(to_dce(c, by), by, published_on=D(2026, 3, 10), days=25)


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_list_and_xlsx_query_counts_do_not_grow_with_the_consultations(
    client_for, territory, manager
) -> None:
    client = client_for("manager")
    list_url = reverse("operations:procurement", args=[territory.programme.pk])
    xlsx_url = reverse("operations:procurement_xlsx", args=[territory.programme.pk])
    make_consultations(territory, manager, 1)
    small = (queries(client, list_url), queries(client, xlsx_url))
    make_consultations(territory, manager, 9, start=1)
    assert (queries(client, list_url), queries(client, xlsx_url)) == small


def test_consultation_page_query_count_does_not_grow(client_for, territory, manager) -> None:
    client = client_for("manager")
    make_consultations(territory, manager, 1)
    c = wassy_consultation(territory, manager, reference="P")
    url = reverse("operations:consultation_detail", args=[c.pk])
    small = queries(client, url)
    make_consultations(territory, manager, 9, start=1)
    for n in range(5):
        services.lot_create(consultation=c, by=manager, title=f"Lot {n}", estimated_value_ht=Decimal(1))
    services.criteria_set(consultation=c, by=manager, criteria=criteria())
    assert queries(client, url) == small


def test_list_shows_procedure_value_next_deadline_calendar_and_filters(
    client_for, territory, manager
) -> None:
    make_consultations(territory, manager, 2)
    client = client_for("manager")
    url = reverse("operations:procurement", args=[territory.programme.pk])
    html = client.get(url).content.decode()
    assert "30\xa0000,00\xa0€" in html and "60\xa0000,00\xa0€" in html  # rows and total
    assert "Sans publicité ni mise en concurrence préalables" in html
    assert "Calendrier des échéances" in html
    assert client.get(url, {"nature": "works"}).context["data"].rows == []


def test_split_purchase_warning_on_the_consultation_page(client_for, territory, manager) -> None:
    make_consultations(territory, manager, 2)  # 2 × 30 000 € of services in March 2026: 40 000 € threshold
    c = territory.programme.consultations.first()
    html = client_for("manager").get(reverse("operations:consultation_detail", args=[c.pk])).content.decode()
    assert "Fractionnement possible" in html


def test_mayor_of_another_commune_does_not_see_wassys_consultation_in_the_list(
    client_for, territory, manager
):
    make_consultations(territory, manager, 1)
    response = client_for("mayor_of_la_porte_du_der").get(
        reverse("operations:procurement", args=[territory.programme.pk])
    )
    assert response.context["data"].rows == []


def test_xlsx_has_typed_values(client_for, territory, manager) -> None:
    make_consultations(territory, manager, 1)
    response = client_for("manager").get(
        reverse("operations:procurement_xlsx", args=[territory.programme.pk])
    )
    sheet = load_workbook(io.BytesIO(response.content))["Consultations"]
    header = [c.value for c in sheet[4]]
    row = {h: c.value for h, c in zip(header, sheet[5], strict=True)}
    assert row["Référence"] == "2026-000"
    assert row["Valeur estimée (€ HT)"] == Decimal(30000) or row["Valeur estimée (€ HT)"] == 30000
    assert row["Date de lancement"].date() == D(2026, 3, 2)
    assert row["Procédure requise"] == "Sans publicité ni mise en concurrence préalables"
    assert row["Statut"] == "Publiée"


def test_create_form_previews_the_procedure_and_creates(client_for, territory, manager) -> None:
    client = client_for("manager")
    url = reverse("operations:consultation_create", args=[territory.programme.pk])
    data = {
        "reference": "2026-N1",
        "title": "Maîtrise d'œuvre",
        "buyer": territory.wassy.pk,
        "nature": "services",
        "estimated_value_ht": "59999.99",
        "launch_date": "2026-04-01",
        "electronic": "on",
        "price_formula": "lowest_over_price",
    }
    preview = client.post(url, {**data, "preview": "1"})
    assert preview.status_code == 200
    assert "Sans publicité ni mise en concurrence" in preview.content.decode()
    response = client.post(url, data)
    assert response.status_code == 302
    c = territory.programme.consultations.get(reference="2026-N1")
    assert c.computed_procedure == "no_publicity"


def test_status_form_publishes(client_for, territory, manager) -> None:
    c = to_dce(wassy_consultation(territory, manager), manager)
    response = client_for("manager").post(
        reverse("operations:consultation_status", args=[c.pk]),
        {
            "status": "published",
            "event_on": "2026-03-10",
            "offers_deadline": "2026-04-14T12:00",
            "version": c.version,
        },
    )
    assert response.status_code == 302
    c.refresh_from_db()
    assert (c.status, c.published_on) == ("published", D(2026, 3, 10))


def test_criteria_formset_saves_weights_as_fractions(client_for, territory, manager) -> None:
    c = wassy_consultation(territory, manager)
    data = {
        "criteres-TOTAL_FORMS": "2",
        "criteres-INITIAL_FORMS": "0",
        "criteres-0-key": "1",
        "criteres-0-kind": "price",
        "criteres-0-name": "Prix",
        "criteres-0-weight_percent": "40",
        "criteres-0-max_score": "10",
        "criteres-1-key": "2",
        "criteres-1-kind": "technical",
        "criteres-1-name": "Valeur technique",
        "criteres-1-weight_percent": "60",
        "criteres-1-max_score": "10",
    }
    response = client_for("manager").post(reverse("operations:criteria_edit", args=[c.pk]), data)
    assert response.status_code == 302
    assert sorted(c.criteria.values_list("weight", flat=True)) == [Decimal("0.4"), Decimal("0.6")]


def test_consultation_deadlines_for_alerts_do_not_grow_in_queries(territory, manager) -> None:
    make_consultations(territory, manager, 1, value="100000")  # MAPA: the offers deadline is an alert
    consultation_deadlines(manager, day=D(2026, 3, 20))  # the user's scope is read once, then cached
    with CaptureQueriesContext(connection) as one:
        items = consultation_deadlines(manager, day=D(2026, 3, 20))
    make_consultations(territory, manager, 9, start=1, value="100000")
    with CaptureQueriesContext(connection) as ten:
        more = consultation_deadlines(manager, day=D(2026, 3, 20))
    assert len(one.captured_queries) == len(ten.captured_queries)
    assert len(more) == 10 * len(items) > 0
