"""GDPR: no page or export reachable by a mayor (nor by the programme's referent or partner, who read aggregates
only) contains a household's name, address or income. Every URL of the access matrix that answers them 200 is
walked with distinctive households in Wassy and La Porte du Der; XLSX exports are unzipped and searched."""

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse

from operations.housing.models import FileStatus, GrantStatus, IncomeCategory
from tests.operations.housing_factories import HousingFileFactory, HousingGrantFactory
from tests.operations.housing_rows import housing_rows
from tests.test_access_matrix import CASES

D = datetime.date
pytestmark = pytest.mark.django_db

# (name, address, RFR): distinctive enough that any occurrence in a page is a leak.
HOUSEHOLDS = [
    ("Bérangère Zwiebelkuchen", "3 ruelle des Vanniers", Decimal("15432.00")),
    ("Aurélien Quintanilla", "48 chemin du Grand Pâtis", Decimal("21987.00")),
    ("Famille Oxymore", "9 allée des Cordiers", Decimal("13579.00")),
]
STATUSES = [FileStatus.APPROVED, FileStatus.WORKS, FileStatus.PAID, FileStatus.FILED, FileStatus.CLOSED]


def _forbidden() -> list[str]:
    words = ["Famille Témoin", "rue des Tanneurs"]  # housing_rows' own household
    for name, address, income in HOUSEHOLDS:
        whole = int(income)
        words += [name, name.split()[-1], address]
        words += [str(whole), f"{whole:,}".replace(",", " "), f"{whole:,}".replace(",", "\u202f")]
        words += [f"{whole:,}".replace(",", "\xa0"), str(income), str(income).replace(".", ",")]
    return words


def _households(territory) -> None:
    rows = housing_rows(territory)
    hp = rows.wassy.housing_programme
    for index, (name, address, income) in enumerate(HOUSEHOLDS):
        for commune in (territory.wassy, territory.la_porte_du_der):
            for number, status in enumerate(STATUSES):
                file = HousingFileFactory(
                    housing_programme=hp,
                    reference=f"W-GDPR-{index}-{commune.insee_code}-{number}",
                    applicant_name=name,
                    address=address,
                    commune=commune,
                    sector=rows.wassy.sector if commune == territory.wassy else None,
                    status=status,
                    income_category=IncomeCategory.VERY_MODEST,
                    reference_income=income,
                    tax_year=2024,
                    phone="03 25 99 88 77",
                    notes=f"{name} souhaite être rappelé",
                    first_contact_on=D(2025, 2, 1),
                    filed_on=D(2025, 4, 1),
                    decided_on=D(2025, 6, 1) if status != FileStatus.FILED else None,
                    closed_on=D(2026, 2, 1) if status == FileStatus.CLOSED else None,
                    paid_on=D(2026, 1, 1) if status in (FileStatus.PAID, FileStatus.CLOSED) else None,
                    works_amount_ht=Decimal("24000.00"),
                    works_amount_ttc=Decimal("25320.00"),
                )
                if status != FileStatus.FILED:
                    HousingGrantFactory(
                        file=file,
                        funder=territory.anah,
                        status=GrantStatus.COMMITTED,
                        committed_on=D(2025, 6, 1),
                    )


def _body(response) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    if raw[:2] == b"PK":  # XLSX (or any zip): search every XML part
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            return "\n".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    return raw.decode("utf-8", "replace")


@pytest.mark.parametrize("persona", ["mayor_of_wassy", "mayor_of_la_porte_du_der", "referent", "partner"])
def test_no_page_or_export_a_mayor_reaches_names_a_household(persona, territory, client_for) -> None:
    _households(territory)
    client = client_for(persona)
    forbidden = _forbidden()
    walked = []
    for case in CASES:
        if case.expected.get(persona) != 200:
            continue
        url = reverse(case.name, kwargs=case.kwargs(territory))
        response = client.get(url)
        if response.status_code != 200:
            continue
        walked.append(case.name)
        body = _body(response)
        leaks = [word for word in forbidden if word in body]
        assert leaks == [], f"{persona} GET {url} ({case.name}) montre : {leaks}"
    assert "commune" in walked  # the walk reached the commune page, where the aggregates are


def test_the_walk_would_see_a_leak(territory, client_for) -> None:
    """The search is able to fail: the manager, who reads named files, does see the household on its file page."""
    _households(territory)
    from operations.models import HousingFile

    file = HousingFile.objects.get(reference="W-GDPR-0-52550-0")
    body = _body(client_for("manager").get(reverse("operations:housing_file_detail", args=[file.pk])))
    assert [w for w in _forbidden() if w in body]
