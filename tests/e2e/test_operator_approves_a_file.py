"""The operator records the Anah approval of a filed household file in Wassy through the status form; the file
turns « Agréé / engagé ». The mayor of Wassy then sees the aggregate count of approved files of her commune go
up (6 files: not masked) and never a household's name. axe-core runs on every page visited."""

import datetime
import re
from collections.abc import Callable
from decimal import Decimal

import pytest
from playwright.sync_api import Page, Response, expect
from pytest_django.live_server_helper import LiveServer

from operations.housing.models import FileStatus, IncomeCategory
from operations.models import HousingFile, HousingFileAccess, HousingProgrammeKind
from pvd.accounts.models import Role, User
from tests.conftest import Territory
from tests.e2e.test_mayor_journey import PASSWORD, log_in
from tests.factories import HousingProgrammeFactory, MembershipFactory
from tests.operations.housing_factories import HousingFileFactory

pytestmark = pytest.mark.browser
D = datetime.date


def test_operator_approves_a_filed_file_and_the_mayor_sees_only_the_aggregate_change(
    page: Page,
    live_server: LiveServer,
    operator: User,
    mayor_of_wassy: User,
    territory: Territory,
    axe: Callable[[Page], None],
    served_files: list[Response],
) -> None:
    pig = HousingProgrammeFactory(
        kind=HousingProgrammeKind.PIG,
        name="PIG « Habiter mieux »",
        owner=territory.epci,
        communes=[territory.wassy, territory.la_porte_du_der],
    )
    MembershipFactory(user=operator, role=Role.OPERATOR, housing_programme=pig)
    common = {
        "housing_programme": pig,
        "commune": territory.wassy,
        "income_category": IncomeCategory.VERY_MODEST,
        "reference_income": Decimal("15432.00"),
        "first_contact_on": D(2025, 9, 1),
        "filed_on": D(2026, 1, 12),
        "receipt_on": D(2026, 1, 15),
        "works_amount_ht": Decimal("24000.00"),
        "works_amount_ttc": Decimal("25320.00"),
    }
    for n in range(5):
        HousingFileFactory(
            **common,
            reference=f"PIG-2026-00{n + 1}",
            applicant_name=f"Ménage Déjà Agréé {n}",
            status=FileStatus.APPROVED,
            decided_on=D(2026, 3, 2),
        )
    filed = HousingFileFactory(
        **common,
        reference="PIG-2026-042",
        applicant_name="Odile Vercingétorix",
        address="5 rue des Cloutiers",
        status=FileStatus.FILED,
    )

    # The operator opens the kanban, then the filed file, and records the approval.
    log_in(page, live_server, operator.email, PASSWORD)
    page.goto(f"{live_server.url}/operations/habitat/dispositif/{pig.pk}/dossiers/suivi/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Suivi des dossiers par statut")
    axe(page)
    page.get_by_role("link", name="PIG-2026-042").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dossier PIG-2026-042")
    expect(page.get_by_text("Odile Vercingétorix").first).to_be_visible()
    axe(page)
    status = page.get_by_role("region", name="Faire avancer le dossier")
    status.get_by_label("Nouveau statut").select_option(label="Agréé / engagé")
    status.get_by_label("Date de l'événement").fill("2026-04-20")
    status.get_by_role("button", name="Changer le statut").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dossier PIG-2026-042")
    expect(page.get_by_text(re.compile("Agréé / engagé")).first).to_be_visible()
    axe(page)
    filed.refresh_from_db()
    assert (filed.status, filed.decided_on) == (FileStatus.APPROVED, D(2026, 4, 20))
    assert HousingFileAccess.objects.filter(file=filed, user=operator).exists()  # the opening was logged

    page.get_by_role("button", name="Se déconnecter").click()

    # The mayor of Wassy reads the commune's aggregates: 6 approved files, and no household.
    log_in(page, live_server, mayor_of_wassy.email, PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/communes/52550/")
    housing = page.get_by_role("region", name="Amélioration de l'habitat sur la commune")
    approved_row = housing.get_by_role("row", name=re.compile("Dossiers agréés"))
    expect(approved_row).to_contain_text("6")
    body = page.content()
    for secret in ["Vercingétorix", "Déjà Agréé", "rue des Cloutiers", "15 432", "15\u00a0432", "15432"]:
        assert secret not in body
    axe(page)
    assert HousingFile.objects.filter(housing_programme=pig, status=FileStatus.APPROVED).count() == 6
