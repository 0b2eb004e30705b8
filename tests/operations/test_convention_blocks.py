"""Data blocks of conventions (issue 9, H2): each provider's table with hand-computed cells, keys, footer, empty
message, and a query count that stays the same at 1 and 10 rows."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from budget.models import FinancingLineStatus, FundingCategory
from budget.selectors.conventions import financing_block
from operations.conventions.blocks import PROVIDERS, render_blocks
from operations.conventions.models import BlockKind, ConventionKind
from operations.housing.models import EnvelopeKind, TargetCategory
from operations.housing.selectors.conventions import envelopes_block, targets_block
from operations.models import OperationStatus
from operations.selectors.conventions import action_plan_block
from programmes.models import (
    Axis,
    NeedStatus,
    Objective,
    ProjectStatus,
    RevitalisationProject,
    StakePriority,
)
from programmes.selectors.conventions import axes_block, needs_block, ort_sectors_block, stakes_block
from tests.budget.factories import FinancingLineFactory, FinancingPlanFactory
from tests.factories import HousingProgrammeFactory, OfferFactory, OrganisationFactory
from tests.operations.convention_factories import ConventionFactory, OrtSectorFactory
from tests.operations.factories import OperationFactory, PhaseFactory
from tests.operations.housing_factories import HousingEnvelopeFactory, HousingTargetFactory
from tests.programmes.factories import NeedFactory, StakeFactory, theme

D = datetime.date
NBSP = "\xa0"


def euros(text: str) -> str:
    """'1 234,00 €' written with plain spaces in the tests -> the non-breaking spaces of the cells."""
    return text.replace(" ", NBSP)


def count_queries(provider, convention) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as context:
        result = provider(convention)
    return len(context.captured_queries), result


@pytest.fixture
def framework(territory):
    return ConventionFactory(programme=territory.programme, title="Convention-cadre PVD valant ORT")


@pytest.fixture
def housing_convention(territory):
    return ConventionFactory(
        programme=None,
        housing_programme=territory.opah_ru,
        kind=ConventionKind.HOUSING,
        title="Convention d'OPAH-RU de Saint-Dizier",
    )


# --- Shape ---------------------------------------------------------------------------------------------------


def test_every_block_kind_has_a_provider_and_renders(framework):
    assert set(PROVIDERS) == set(BlockKind.values)
    tables = render_blocks(framework, list(BlockKind.values))
    for kind, table in tables.items():
        assert table["kind"] == kind
        assert table["title"] == BlockKind(kind).label
        assert set(table) == {"kind", "title", "columns", "rows", "footer", "empty", "note"}


def test_a_housing_convention_without_programme_has_empty_strategy_blocks(housing_convention):
    for provider in (
        stakes_block,
        axes_block,
        needs_block,
        ort_sectors_block,
        action_plan_block,
        financing_block,
    ):
        table = provider(housing_convention)
        assert table["rows"] == []
        assert "aucun programme Petites Villes de Demain" in table["empty"]


# --- Stakes --------------------------------------------------------------------------------------------------


def test_stakes_block_lists_theme_commune_and_priority(territory, framework):
    wassy_stake = StakeFactory(
        programme=territory.programme,
        title="Vacance commerciale rue Gambetta",
        theme=theme("commerce"),
        commune=territory.wassy,
        priority=StakePriority.HIGH,
    )
    common = StakeFactory(
        programme=territory.programme, title="Habitat ancien dégradé", theme=theme("habitat")
    )
    StakeFactory(programme=territory.other_programme, title="Ailleurs")

    table = stakes_block(framework)

    assert [c["label"] for c in table["columns"]] == ["Enjeu", "Thème", "Commune", "Priorité"]
    assert table["rows"] == [
        {
            "key": f"stake-{wassy_stake.pk}",
            "cells": [
                "Vacance commerciale rue Gambetta",
                "Commerces, services et activités",
                "Wassy",
                "Prioritaire",
            ],
        },
        {
            "key": f"stake-{common.pk}",
            "cells": ["Habitat ancien dégradé", "Rénovation de l'habitat", "Toutes", "Important"],
        },
    ]


def test_stakes_block_without_stakes_says_so(framework):
    table = stakes_block(framework)
    assert table["rows"] == []
    assert table["empty"] == "Aucun enjeu n'est encore identifié pour ce programme."


def test_stakes_block_query_count_is_flat(territory, framework):
    StakeFactory(programme=territory.programme, commune=territory.wassy)
    once, table = count_queries(stakes_block, framework)
    assert len(table["rows"]) == 1
    for _ in range(9):
        StakeFactory(
            programme=territory.programme, commune=territory.la_porte_du_der, theme=theme("patrimoine")
        )
    tenfold, table = count_queries(stakes_block, framework)
    assert len(table["rows"]) == 10
    assert once == tenfold == 1


# --- Axes ----------------------------------------------------------------------------------------------------


def _project(programme, number: int = 1, status: str = ProjectStatus.DRAFT, axes: int = 1):
    project = RevitalisationProject.objects.create(programme=programme, number=number, status=status)
    for rank in range(1, axes + 1):
        axis = Axis.objects.create(project=project, order=rank, title=f"Axe de test {rank}")
        Objective.objects.create(axis=axis, order=1, title=f"Objectif {rank}.1")
        Objective.objects.create(axis=axis, order=2, title=f"Objectif {rank}.2")
    return project


def test_axes_block_lists_the_draft_project_axes_and_objectives(territory, framework):
    project = _project(territory.programme)
    axis = project.axes.get()
    first, second = axis.objectives.order_by("order")

    table = axes_block(framework)

    assert table["rows"] == [
        {"key": f"objective-{first.pk}", "cells": ["Axe 1 — Axe de test 1", "Objectif 1.1"]},
        {"key": f"objective-{second.pk}", "cells": ["Axe 1 — Axe de test 1", "Objectif 1.2"]},
    ]
    assert table["note"] == "Projet de revitalisation, version 1 (brouillon) : non encore validée."


def test_axes_block_shows_the_validated_version_as_frozen(territory, framework):
    snapshot = {
        "number": 1,
        "title": "Projet",
        "vision": "",
        "axes": [
            {
                "id": 7,
                "order": 1,
                "title": "Un centre-ville habité",
                "objectives": [
                    {"id": 70, "order": 1, "title": "Remettre 40 logements vacants sur le marché"}
                ],
            }
        ],
    }
    RevitalisationProject.objects.create(
        programme=territory.programme,
        number=1,
        status=ProjectStatus.VALIDATED,
        validated_on=D(2023, 5, 12),
        snapshot=snapshot,
    )
    _project(territory.programme, number=2)  # a later draft does not replace the validated version

    table = axes_block(framework)

    assert table["rows"] == [
        {
            "key": "objective-70",
            "cells": ["Axe 1 — Un centre-ville habité", "Remettre 40 logements vacants sur le marché"],
        }
    ]
    assert table["note"] == "Projet de revitalisation, version 1 validée le 12/05/2023."


def test_axes_block_without_project_says_so(framework):
    assert axes_block(framework)["empty"] == "Le projet de revitalisation n'est pas encore rédigé."


def test_axes_block_query_count_is_flat(territory, framework):
    project = _project(territory.programme, axes=1)
    once, table = count_queries(axes_block, framework)
    assert len(table["rows"]) == 2
    project.delete()
    _project(territory.programme, axes=10)
    tenfold, table = count_queries(axes_block, framework)
    assert len(table["rows"]) == 20
    assert once == tenfold


# --- Engineering needs ---------------------------------------------------------------------------------------


def test_needs_block_formats_cost_and_offer_and_totals(territory, framework):
    cerema = OrganisationFactory(name="Cerema")
    offer = OfferFactory(organisation=cerema, name="Appui mobilités")
    study = NeedFactory(
        programme=territory.programme,
        title="Plan de circulation",
        commune=territory.wassy,
        estimated_cost_ht=Decimal("1234567.89"),
        status=NeedStatus.GRANTED,
        offer=offer,
    )
    amo = NeedFactory(
        programme=territory.programme,
        title="AMO halles",
        kind="amo",
        estimated_cost_ht=Decimal("10000.11"),
    )
    NeedFactory(programme=territory.programme, title="Abandonné", status=NeedStatus.DROPPED)

    table = needs_block(framework)

    assert table["rows"] == [
        {"key": f"need-{amo.pk}", "cells": [
            "AMO halles", "Mobilité", "Toutes", "Assistance à maîtrise d'ouvrage (AMO)", "Identifié",
            euros("10 000,11 €"), "—",
        ]},
        {"key": f"need-{study.pk}", "cells": [
            "Plan de circulation", "Mobilité", "Wassy", "Étude", "Accordé", euros("1 234 567,89 €"),
            "Appui mobilités (Cerema)",
        ]},
    ]  # fmt: skip
    assert table["footer"] == ["Total", "", "", "", "", euros("1 244 568,00 €"), ""]
    assert [c["numeric"] for c in table["columns"]] == [False, False, False, False, False, True, False]


def test_needs_block_query_count_is_flat(territory, framework):
    offer = OfferFactory()
    NeedFactory(programme=territory.programme, offer=offer, commune=territory.wassy)
    once, table = count_queries(needs_block, framework)
    for _ in range(9):
        NeedFactory(programme=territory.programme, offer=OfferFactory(), commune=territory.la_porte_du_der)
    tenfold, table = count_queries(needs_block, framework)
    assert len(table["rows"]) == 10
    assert once == tenfold == 1


# --- ORT sectors ---------------------------------------------------------------------------------------------


def test_ort_sectors_block_lists_sectors(territory, framework):
    centre = OrtSectorFactory(
        programme=territory.programme, commune=territory.wassy, name="Centre-ville de Wassy", order=1
    )
    faubourg = OrtSectorFactory(
        programme=territory.programme,
        commune=territory.la_porte_du_der,
        name="Faubourg de Montier-en-Der",
        is_town_centre=False,
        description="Rue de l'Isle, place de l'Hôtel de Ville.",
        order=2,
    )

    table = ort_sectors_block(framework)

    assert table["rows"] == [
        {"key": f"ort-sector-{centre.pk}", "cells": ["Centre-ville de Wassy", "Wassy", "Oui", "Rues du centre ancien."]},
        {"key": f"ort-sector-{faubourg.pk}", "cells": [
            "Faubourg de Montier-en-Der", "La Porte du Der", "Non", "Rue de l'Isle, place de l'Hôtel de Ville."
        ]},
    ]  # fmt: skip
    assert ort_sectors_block(ConventionFactory(programme=territory.other_programme))["empty"] == (
        "Aucun secteur d'intervention ORT n'est encore délimité."
    )


def test_ort_sectors_block_query_count_is_flat(territory, framework):
    OrtSectorFactory(programme=territory.programme, commune=territory.wassy)
    once, _ = count_queries(ort_sectors_block, framework)
    for _ in range(9):
        OrtSectorFactory(programme=territory.programme, commune=territory.la_porte_du_der)
    tenfold, table = count_queries(ort_sectors_block, framework)
    assert len(table["rows"]) == 10
    assert once == tenfold == 1


# --- Action plan ---------------------------------------------------------------------------------------------


def test_action_plan_block_lists_operations_with_dates_and_total(territory, framework):
    halles = OperationFactory(
        programme=territory.programme,
        code="W-01",
        title="Réhabilitation des halles",
        owner=territory.wassy,
        communes=[territory.wassy],
        status=OperationStatus.COMMITTED,
        maturity=3,
        estimated_cost_ht=Decimal("1234567.89"),
        estimated_cost_ttc=Decimal("1481481.47"),
    )
    PhaseFactory(operation=halles, baseline_start=D(2025, 3, 1), baseline_end=D(2025, 12, 31))
    PhaseFactory(operation=halles, baseline_start=D(2026, 1, 15), baseline_end=D(2027, 6, 30))
    voie = OperationFactory(
        programme=territory.programme,
        code="C-02",
        title="Voie verte",
        owner=territory.epci,
        communes=[territory.wassy, territory.la_porte_du_der],
        estimated_cost_ht=None,
        estimated_cost_ttc=None,
    )
    OperationFactory(programme=territory.programme, code="W-09", status=OperationStatus.ABANDONED)

    table = action_plan_block(framework)

    assert table["rows"] == [
        {"key": f"operation-{voie.pk}", "cells": [
            "C-02", "Voie verte", "CA du Grand Saint-Dizier Der et Vallées", "La Porte du Der, Wassy",
            "Idée / en maturation", "Intention", "—", "—", "—",
        ]},
        {"key": f"operation-{halles.pk}", "cells": [
            "W-01", "Réhabilitation des halles", "Wassy", "Wassy", "Engagée", "Programme défini",
            "01/03/2025", "30/06/2027", euros("1 234 567,89 €"),
        ]},
    ]  # fmt: skip
    assert table["footer"] == ["Total", "", "", "", "", "", "", "", euros("1 234 567,89 €")]
    assert "abandonnées exclues" in table["note"]


def test_action_plan_block_without_operations_says_so(framework):
    table = action_plan_block(framework)
    assert (table["rows"], table["footer"]) == ([], [])
    assert table["empty"] == "Aucune opération n'est inscrite au plan d'action."


def test_action_plan_block_query_count_is_flat(territory, framework):
    def operation():
        op = OperationFactory(programme=territory.programme, communes=[territory.wassy])
        PhaseFactory(operation=op)

    operation()
    once, _ = count_queries(action_plan_block, framework)
    for _ in range(9):
        operation()
    tenfold, table = count_queries(action_plan_block, framework)
    assert len(table["rows"]) == 10
    assert once == tenfold == 2  # operations + owner + calendar subqueries; communes


# --- Maquette financière -------------------------------------------------------------------------------------


def test_financing_block_has_one_column_per_financer_and_own_share(territory, framework):
    state = OrganisationFactory(name="État — préfecture de la Haute-Marne", kind="state_service")
    region = OrganisationFactory(name="Région Grand Est", kind="region")
    halles = OperationFactory(
        programme=territory.programme, code="W-01", title="Halles", owner=territory.wassy
    )
    plan = FinancingPlanFactory(
        operation=halles, eligible_cost_ht=Decimal("200000.00"), eligible_cost_ttc=Decimal("240000.00")
    )
    FinancingLineFactory(
        plan=plan, category=FundingCategory.STATE_DOTATION, funder=state, amount_ht=Decimal(80000)
    )
    FinancingLineFactory(plan=plan, category=FundingCategory.REGION, funder=region, amount_ht=Decimal(40000))
    FinancingLineFactory(plan=plan, category=FundingCategory.OWN_FUNDS, amount_ht=Decimal(80000))
    place = OperationFactory(programme=territory.programme, code="W-02", title="Place", owner=territory.wassy)
    plan = FinancingPlanFactory(
        operation=place, eligible_cost_ht=Decimal("100000.00"), eligible_cost_ttc=Decimal("120000.00")
    )
    FinancingLineFactory(
        plan=plan, category=FundingCategory.REGION, funder=region, amount_ht=Decimal("30000.50")
    )
    FinancingLineFactory(plan=plan, category=FundingCategory.LOAN, amount_ht=Decimal(50000))
    FinancingLineFactory(plan=plan, category=FundingCategory.OWN_FUNDS, amount_ht=Decimal("19999.50"))
    FinancingLineFactory(
        plan=plan,
        category=FundingCategory.STATE_DOTATION,
        funder=state,
        amount_ht=Decimal(20000),
        status=FinancingLineStatus.REFUSED,
    )
    no_plan = OperationFactory(
        programme=territory.programme, code="W-03", title="Étude", estimated_cost_ht=Decimal("15000.00")
    )

    table = financing_block(framework)

    assert [c["label"] for c in table["columns"]] == [
        "Opération", "Coût HT", "État — préfecture de la Haute-Marne", "Région Grand Est", "Autofinancement",
    ]  # fmt: skip
    assert all(c["numeric"] for c in table["columns"][1:])
    assert table["rows"] == [
        {"key": f"operation-{halles.pk}", "cells": [
            "W-01 — Halles", euros("200 000,00 €"), euros("80 000,00 €"), euros("40 000,00 €"), euros("80 000,00 €"),
        ]},
        {"key": f"operation-{place.pk}", "cells": [
            "W-02 — Place", euros("100 000,00 €"), "—", euros("30 000,50 €"), euros("69 999,50 €"),
        ]},
        {"key": f"operation-{no_plan.pk}", "cells": ["W-03 — Étude", euros("15 000,00 €"), "—", "—", "—"]},
    ]  # fmt: skip
    # 200 000 + 100 000 + 15 000; State 80 000 (the refused 20 000 left out); Region 40 000 + 30 000,50;
    # own share 80 000 + 50 000 + 19 999,50.
    assert table["footer"] == [
        "Total", euros("315 000,00 €"), euros("80 000,00 €"), euros("70 000,50 €"), euros("149 999,50 €"),
    ]  # fmt: skip


def test_financing_block_orders_financers_by_total(territory, framework):
    small = OrganisationFactory(name="A petit financeur", kind="department")
    large = OrganisationFactory(name="Z grand financeur", kind="region")
    plan = FinancingPlanFactory(operation=OperationFactory(programme=territory.programme))
    FinancingLineFactory(
        plan=plan, category=FundingCategory.DEPARTMENT, funder=small, amount_ht=Decimal(1000)
    )
    FinancingLineFactory(plan=plan, category=FundingCategory.REGION, funder=large, amount_ht=Decimal(9000))

    labels = [c["label"] for c in financing_block(framework)["columns"]]

    assert labels == ["Opération", "Coût HT", "Z grand financeur", "A petit financeur"]


def test_financing_block_query_count_is_flat(territory, framework):
    region = OrganisationFactory(name="Région Grand Est", kind="region")

    def operation(n: int):
        plan = FinancingPlanFactory(operation=OperationFactory(programme=territory.programme))
        FinancingLineFactory(plan=plan, category=FundingCategory.REGION, funder=region, amount_ht=Decimal(n))
        FinancingLineFactory(
            plan=plan,
            category=FundingCategory.STATE_OTHER,
            funder=OrganisationFactory(kind="state_service"),
            amount_ht=Decimal(n),
        )
        FinancingLineFactory(plan=plan, amount_ht=Decimal(1000))

    operation(1)
    once, _ = count_queries(financing_block, framework)
    for n in range(2, 11):
        operation(n)
    tenfold, table = count_queries(financing_block, framework)
    assert len(table["rows"]) == 10
    assert len(table["columns"]) == 2 + 1 + 10 + 1  # operation, cost, Region, ten State services, own share
    assert once == tenfold == 2  # operations + plans; line sums by operation and funder


# --- OPAH targets and envelopes ------------------------------------------------------------------------------


def test_targets_block_by_category_and_year(territory, housing_convention):
    HousingTargetFactory(
        housing_programme=territory.opah_ru, category=TargetCategory.PO_VERY_MODEST, year=2025, count=10
    )
    HousingTargetFactory(
        housing_programme=territory.opah_ru, category=TargetCategory.PO_VERY_MODEST, year=2026, count=1200
    )
    HousingTargetFactory(
        housing_programme=territory.opah_ru, category=TargetCategory.LANDLORD, year=2025, count=5
    )

    table = targets_block(housing_convention)

    # OPAH-RU from 01/07/2021 to 31/12/2026: one column per year.
    assert [c["label"] for c in table["columns"]] == [
        "Catégorie",
        "2021",
        "2022",
        "2023",
        "2024",
        "2025",
        "2026",
        "Total",
    ]
    assert table["rows"] == [
        {"key": f"target-{territory.opah_ru.pk}-po_very_modest", "cells": [
            "Propriétaires occupants très modestes", "—", "—", "—", "—", "10", f"1{NBSP}200", f"1{NBSP}210",
        ]},
        {"key": f"target-{territory.opah_ru.pk}-landlord", "cells": [
            "Propriétaires bailleurs (logements)", "—", "—", "—", "—", "5", "—", "5",
        ]},
    ]  # fmt: skip
    assert table["footer"] == ["Total", "0", "0", "0", "0", "15", f"1{NBSP}200", f"1{NBSP}215"]


def test_envelopes_block_by_financer_kind_and_year(territory, housing_convention):
    HousingEnvelopeFactory(
        housing_programme=territory.opah_ru, funder=territory.anah, year=2025, amount=Decimal(100000)
    )
    HousingEnvelopeFactory(
        housing_programme=territory.opah_ru, funder=territory.anah, year=2026, amount=Decimal("150000.50")
    )
    HousingEnvelopeFactory(
        housing_programme=territory.opah_ru,
        funder=territory.saint_dizier,
        kind=EnvelopeKind.ENGINEERING,
        year=2025,
        amount=Decimal(30000),
    )

    table = envelopes_block(housing_convention)

    anah, city = territory.anah.pk, territory.saint_dizier.pk
    dash = ["—"] * 4
    assert table["rows"] == [
        {"key": f"envelope-{territory.opah_ru.pk}-{anah}_works", "cells": [
            "Agence nationale de l'habitat (Anah) — Aides aux travaux", *dash,
            euros("100 000,00 €"), euros("150 000,50 €"), euros("250 000,50 €"),
        ]},
        {"key": f"envelope-{territory.opah_ru.pk}-{city}_engineering", "cells": [
            "Saint-Dizier — Ingénierie (suivi-animation)", *dash, euros("30 000,00 €"), "—", euros("30 000,00 €"),
        ]},
    ]  # fmt: skip
    zero = euros("0,00 €")
    assert table["footer"] == [
        "Total", zero, zero, zero, zero, euros("130 000,00 €"), euros("150 000,50 €"), euros("280 000,50 €"),
    ]  # fmt: skip


def test_a_framework_convention_quotes_its_programme_housing_programmes(territory, framework):
    opah = HousingProgrammeFactory(
        programme=territory.programme, name="OPAH de Wassy", starts_on=D(2025, 1, 1), ends_on=D(2025, 12, 31)
    )
    HousingTargetFactory(housing_programme=opah, category=TargetCategory.AUTONOMY, year=2025, count=3)

    table = targets_block(framework)

    assert table["rows"] == [{"key": f"target-{opah.pk}-autonomy", "cells": ["Autonomie", "3", "3"]}]


def test_housing_blocks_without_housing_programme_say_so(territory):
    convention = ConventionFactory(programme=territory.other_programme)
    for provider in (targets_block, envelopes_block):
        table = provider(convention)
        assert table["rows"] == []
        assert table["empty"] == "La convention ne porte sur aucune OPAH ni aucun PIG."


def test_housing_blocks_query_count_is_flat(territory, housing_convention):
    categories = TargetCategory.values
    HousingTargetFactory(housing_programme=territory.opah_ru, category=categories[0], year=2021)
    HousingEnvelopeFactory(housing_programme=territory.opah_ru, year=2021)
    targets_once, _ = count_queries(targets_block, housing_convention)
    envelopes_once, _ = count_queries(envelopes_block, housing_convention)
    for n in range(1, 10):
        HousingTargetFactory(
            housing_programme=territory.opah_ru, category=categories[n % 8], year=2021 + n // 8
        )
        HousingEnvelopeFactory(housing_programme=territory.opah_ru, year=2021 + n % 6)
    targets_tenfold, targets = count_queries(targets_block, housing_convention)
    envelopes_tenfold, envelopes = count_queries(envelopes_block, housing_convention)
    assert len(envelopes["rows"]) == 10
    assert len(targets["rows"]) == 8
    assert targets_once == targets_tenfold == 2  # housing programmes; targets
    assert envelopes_once == envelopes_tenfold == 2  # housing programmes; envelopes + funders
