"""The housing demo: ~120 files of the Saint-Dizier OPAH-RU and the PIG at every status, coherent dates and money,
aggregates for the mayors of Wassy and La Porte du Der, the operator working both programmes, a stable reload."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum

from operations.housing.models import CategorySource, FileStatus, GrantStatus
from operations.models import (
    HousingAmendment,
    HousingEnvelope,
    HousingFile,
    HousingGrant,
    HousingGrantPayment,
    HousingProgramme,
    HousingSector,
    HousingTarget,
    IncomeCeiling,
    TopUpRule,
)
from pvd.accounts import policy
from pvd.accounts.models import User


@pytest.fixture
def demo(db, settings) -> None:
    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())


def test_the_demo_has_about_120_files_at_every_status_in_both_programmes(demo) -> None:
    files = HousingFile.objects.all()
    assert 110 <= files.count() <= 130
    assert set(files.values_list("status", flat=True)) == set(FileStatus.values)
    by_programme = Counter(files.values_list("housing_programme__kind", flat=True))
    assert by_programme["opah_ru"] > 60 and by_programme["pig"] > 30
    pig_communes = Counter(
        files.filter(housing_programme__kind="pig").values_list("commune__insee_code", flat=True)
    )
    assert pig_communes["52550"] >= 5 and pig_communes["52331"] >= 5


def test_the_demo_programmes_have_sectors_targets_an_avenant_envelopes_and_top_ups(demo) -> None:
    opah = HousingProgramme.objects.get(name__startswith="OPAH-RU du centre-ville de Saint-Dizier")
    assert {"Cœur de ville", "Faubourg de Marne"} <= set(
        HousingSector.objects.filter(housing_programme=opah).values_list("name", flat=True)
    )
    amendment = HousingAmendment.objects.get(housing_programme=opah)
    changed = HousingTarget.objects.filter(housing_programme=opah, amendment=amendment)
    assert set(changed.values_list("year", flat=True)) == {2025, 2026}
    funders = set(
        HousingEnvelope.objects.filter(housing_programme=opah).values_list("funder__name", flat=True)
    )
    assert {
        "Région Grand Est",
        "Département de la Haute-Marne",
        "Procivis Champagne",
        "Saint-Dizier",
    } <= funders
    commune_rule = TopUpRule.objects.get(housing_programme=opah, funder__name="Saint-Dizier")
    assert commune_rule.income_categories == []  # no income condition


def test_the_demo_files_respect_the_date_chain_and_the_money(demo) -> None:
    for file in HousingFile.objects.all():
        chain = [file.first_contact_on, file.filed_on, file.decided_on, file.works_started_on, file.paid_on]
        present = [d for d in chain if d]
        assert present == sorted(present), file.reference
        if file.status in (FileStatus.APPROVED, FileStatus.WORKS, FileStatus.PAID, FileStatus.CLOSED):
            assert file.decided_on and file.grants.filter(status=GrantStatus.COMMITTED).exists(), (
                file.reference
            )
        if file.status in (FileStatus.PAID, FileStatus.CLOSED):
            for grant in file.grants.all():
                assert grant.payments.aggregate(s=Sum("amount"))["s"] == grant.amount, file.reference
    assert HousingGrantPayment.objects.filter(kind="instalment").exists()
    assert not HousingGrant.objects.filter(status=GrantStatus.COMMITTED, committed_on__isnull=True).exists()


def test_files_filed_in_2025_have_the_category_of_the_2025_table(demo) -> None:
    computed = HousingFile.objects.filter(filed_on__year=2025, owner_type="occupier")
    assert computed.exists()
    for file in computed:
        assert (file.category_source, file.ceiling_year) == (CategorySource.COMPUTED, 2025)
        very_modest = IncomeCeiling.objects.get(year=2025, zone=file.zone, category="very_modest")
        expected = (
            "very_modest"
            if file.reference_income <= very_modest.ceiling_for(file.household_size)
            else "modest"
        )
        assert file.income_category == expected
    assert (
        HousingFile.objects.filter(category_source=CategorySource.DECLARED)
        .exclude(filed_on__year=2025)
        .exists()
    )


def test_the_demo_operator_works_both_programmes(demo) -> None:
    operator = User.objects.get(email="operateur-opah@pvd.example")
    for hp in HousingProgramme.objects.filter(operator__isnull=False):
        assert policy.can_edit_household_files(operator, hp)


def test_loading_the_demo_twice_changes_nothing(demo) -> None:
    before = (HousingFile.objects.count(), HousingGrant.objects.count(), HousingGrantPayment.objects.count())
    history = HousingFile.history.count()
    call_command("load_demo", stdout=StringIO())
    assert (
        HousingFile.objects.count(),
        HousingGrant.objects.count(),
        HousingGrantPayment.objects.count(),
    ) == before
    assert HousingFile.history.count() == history
