"""Grant computations of a household file: class jumps and energy gain, the Anah aid in force, its eligibility
checklist (never a silent pass), the scheme grant with its caps, and the local top-ups of the règlement d'aides."""

import datetime
from decimal import Decimal

import pytest

from operations.housing.grants import (
    class_jumps,
    eligibility,
    energy_gain,
    scheme_grant,
    scheme_in_force,
    schemes_in_force,
    top_up_proposals,
)
from operations.housing.models import IncomeCategory, OwnerType, Theme, TopUpRule
from operations.models import AidScheme, HousingFile
from tests.operations.housing_factories import AidSchemeFactory, HousingFileFactory, TopUpRuleFactory

pytestmark = pytest.mark.django_db
D = datetime.date
APRIL_2026 = datetime.date(2026, 4, 1)
VM, M, INT, ABOVE = (
    IncomeCategory.VERY_MODEST,
    IncomeCategory.MODEST,
    IncomeCategory.INTERMEDIATE,
    IncomeCategory.ABOVE,
)


# --- Energy figures -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "jumps"),
    [
        ("E", "C", 2),
        ("G", "A", 6),
        ("F", "E", 1),
        ("D", "D", 0),
        ("C", "E", -2),
        ("", "C", None),
        ("E", None, None),
    ],
)
def test_class_jumps_count_the_dpe_classes_gained(before: str, after: str | None, jumps: int | None) -> None:
    assert class_jumps(before, after) == jumps


@pytest.mark.parametrize(
    ("before", "after", "gain"),
    [
        (Decimal(400), Decimal(180), Decimal("0.55")),
        (Decimal(300), Decimal(300), Decimal(0)),
        (Decimal(300), Decimal(330), Decimal("-0.1")),
        (Decimal(3), Decimal(2), Decimal("0.3333")),
        (None, Decimal(180), None),
        (Decimal(400), None, None),
        (Decimal(0), Decimal(0), None),
    ],
)
def test_energy_gain_is_the_share_of_consumption_saved(
    before: Decimal | None, after: Decimal | None, gain: Decimal | None
) -> None:
    assert energy_gain(before, after) == gain


# --- The aid in force (shipped versions) ----------------------------------------------------------------------


def test_the_version_in_force_follows_the_suspensions_and_the_reopening_of_maprimerenov() -> None:
    code = "mpr-parcours-accompagne"
    assert scheme_in_force(code, D(2025, 9, 29)) is None  # suspended 23/06–30/09/2025
    autumn = scheme_in_force(code, D(2025, 9, 30))
    assert autumn is not None and not autumn.requires_france_renov_appointment
    assert scheme_in_force(code, D(2025, 12, 31)) == autumn
    assert scheme_in_force(code, D(2026, 1, 1)) is None  # all Anah aids suspended
    reopened = scheme_in_force(code, D(2026, 2, 23))
    assert reopened is not None and reopened.requires_france_renov_appointment


def test_schemes_in_force_filter_by_theme_and_owner_type() -> None:
    day = D(2025, 10, 15)
    codes = {s.code for s in schemes_in_force(day)}
    assert {"mpr-parcours-accompagne", "ma-prime-logement-decent", "maprimeadapt"} <= codes
    assert [s.code for s in schemes_in_force(day, theme=Theme.AUTONOMY)] == ["maprimeadapt"]
    assert schemes_in_force(day, theme=Theme.ENERGY, owner_type=OwnerType.LANDLORD) == []
    for_everyone = AidSchemeFactory(owner_types=[], theme=Theme.RENTAL)
    assert schemes_in_force(day, theme=Theme.RENTAL, owner_type=OwnerType.LANDLORD) == [for_everyone]


# --- Eligibility ------------------------------------------------------------------------------------------------


def mpr_2026() -> AidScheme:
    return AidScheme.objects.get(code="mpr-parcours-accompagne", valid_from=D(2026, 2, 23))


def make_file(**fields: object) -> HousingFile:
    values = {
        "owner_type": OwnerType.OCCUPIER,
        "income_category": VM,
        "year_built": 1960,
        "label_before": "F",
        "label_after": "C",
        "first_contact_on": D(2026, 1, 5),
        "france_renov_appointment_on": D(2026, 2, 25),
        "filed_on": D(2026, 3, 2),
        "works_amount_ht": Decimal("25000.00"),
        "works_amount_ttc": Decimal("26375.00"),
        **fields,
    }
    return HousingFileFactory.build(**values)


def checks_by_label(file: HousingFile, scheme: AidScheme, day: datetime.date = APRIL_2026) -> dict:
    return {c.label: c for c in eligibility(file, scheme, day=day)}


def test_a_file_meeting_every_condition_of_maprimerenov_2026_passes_every_check() -> None:
    checks = eligibility(make_file(), mpr_2026(), day=D(2026, 4, 1))
    assert [c.label for c in checks] == [
        "Type de demandeur",
        "Logement de plus de 15 ans",
        "Étiquette de départ E/F/G",
        "Gain d'au moins 2 classes DPE",
        "Rendez-vous France Rénov' avant le dépôt",
        "Taux pour la catégorie de ressources",
    ]
    assert all(c.ok is True for c in checks), checks


def test_a_landlord_is_not_eligible_to_an_owner_occupier_aid() -> None:
    check = checks_by_label(make_file(owner_type=OwnerType.LANDLORD), mpr_2026())["Type de demandeur"]
    assert check.ok is False


@pytest.mark.parametrize(
    ("year_built", "ok"),
    [(2010, True), (2011, None), (2012, False), (None, None)],
)
def test_the_dwelling_age_is_judged_on_the_filing_year_and_the_boundary_year_is_left_to_check(
    year_built: int | None, ok: bool | None
) -> None:
    # Filed in 2026: built in 2010 is 16 years old; 2011 is 15 in the year (exact date unknown); 2012 is 14.
    check = checks_by_label(make_file(year_built=year_built), mpr_2026())["Logement de plus de 15 ans"]
    assert check.ok is ok
    assert check.detail


def test_before_filing_the_dwelling_age_is_judged_on_the_day_given() -> None:
    file = make_file(year_built=2010, filed_on=None)
    assert checks_by_label(file, mpr_2026(), day=D(2026, 4, 1))["Logement de plus de 15 ans"].ok is True
    assert checks_by_label(file, mpr_2026(), day=D(2025, 4, 1))["Logement de plus de 15 ans"].ok is None


@pytest.mark.parametrize(("label_before", "ok"), [("G", True), ("E", True), ("D", False), ("", None)])
def test_the_start_label_must_be_e_f_or_g(label_before: str, ok: bool | None) -> None:
    checks = checks_by_label(make_file(label_before=label_before, label_after="A"), mpr_2026())
    assert checks["Étiquette de départ E/F/G"].ok is ok


@pytest.mark.parametrize(("label_after", "ok"), [("C", True), ("D", True), ("E", False), ("", None)])
def test_at_least_two_classes_must_be_gained(label_after: str, ok: bool | None) -> None:
    checks = checks_by_label(make_file(label_before="F", label_after=label_after), mpr_2026())
    assert checks["Gain d'au moins 2 classes DPE"].ok is ok


@pytest.mark.parametrize(("label_after", "ok"), [("D", True), ("E", True), ("F", False), ("", None)])
def test_the_label_after_works_must_not_be_worse_than_the_minimum(label_after: str, ok: bool | None) -> None:
    scheme = AidSchemeFactory(min_label_after="E")
    assert (
        checks_by_label(make_file(label_after=label_after), scheme)["Étiquette après travaux E ou mieux"].ok
        is ok
    )


@pytest.mark.parametrize(
    ("appointment", "filed_on", "ok"),
    [
        (D(2026, 3, 1), D(2026, 3, 2), True),
        (D(2026, 3, 2), D(2026, 3, 2), False),
        (D(2026, 3, 3), D(2026, 3, 2), False),
        (None, D(2026, 3, 2), False),
        (D(2026, 3, 1), None, True),
    ],
)
def test_the_france_renov_appointment_must_come_before_filing(
    appointment: datetime.date | None, filed_on: datetime.date | None, ok: bool
) -> None:
    file = make_file(france_renov_appointment_on=appointment, filed_on=filed_on)
    assert checks_by_label(file, mpr_2026())["Rendez-vous France Rénov' avant le dépôt"].ok is ok


def test_a_rate_not_entered_cannot_be_evaluated_rather_than_read_as_zero() -> None:
    check = checks_by_label(make_file(income_category=INT), mpr_2026())[
        "Taux pour la catégorie de ressources"
    ]
    assert check.ok is None
    assert "Taux non renseigné" in check.detail
    unknown = checks_by_label(make_file(income_category=""), mpr_2026())[
        "Taux pour la catégorie de ressources"
    ]
    assert unknown.ok is None


def test_a_scheme_without_conditions_only_checks_its_rate() -> None:
    scheme = AidSchemeFactory(owner_types=[])
    assert [c.label for c in eligibility(make_file(), scheme, day=D(2026, 4, 1))] == [
        "Taux pour la catégorie de ressources"
    ]


# --- The scheme grant -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("works", "label_after", "category", "eligible", "cap", "amount"),
    [
        (Decimal("25000.00"), "D", VM, Decimal("25000.00"), Decimal(30000), Decimal("20000.00")),
        (Decimal("30000.00"), "D", M, Decimal("30000.00"), Decimal(30000), Decimal("18000.00")),
        (Decimal("30000.01"), "D", M, Decimal(30000), Decimal(30000), Decimal("18000.00")),
        (Decimal("50000.00"), "D", VM, Decimal(30000), Decimal(30000), Decimal("24000.00")),  # 2 classes
        (Decimal("50000.00"), "C", VM, Decimal(40000), Decimal(40000), Decimal("32000.00")),  # 3 classes
        (Decimal("35000.00"), "C", M, Decimal("35000.00"), Decimal(40000), Decimal("21000.00")),
        (Decimal("12345.67"), "D", M, Decimal("12345.67"), Decimal(30000), Decimal("7407.40")),
    ],
)
def test_the_scheme_grant_is_the_rate_of_the_capped_works(
    works: Decimal, label_after: str, category: str, eligible: Decimal, cap: Decimal, amount: Decimal
) -> None:
    file = make_file(
        works_amount_ht=works, label_before="F", label_after=label_after, income_category=category
    )
    proposal = scheme_grant(file, mpr_2026())
    assert (proposal.eligible_ht, proposal.cap, proposal.amount) == (eligible, cap, amount)
    assert proposal.label == "MaPrimeRénov' Parcours accompagné"


def test_the_amount_is_rounded_half_up_to_the_cent() -> None:
    scheme = AidSchemeFactory(rate_very_modest=Decimal("0.5"), works_cap_ht=None)
    assert scheme_grant(make_file(works_amount_ht=Decimal("10000.01")), scheme).amount == Decimal("5000.01")


def test_a_missing_rate_or_works_amount_gives_no_amount_and_says_why() -> None:
    no_rate = scheme_grant(make_file(income_category=ABOVE), mpr_2026())
    assert no_rate.amount is None and no_rate.rate is None
    assert "taux non renseigné pour les ménages supérieurs" in no_rate.explanation
    no_works = scheme_grant(make_file(works_amount_ht=None), mpr_2026())
    assert no_works.amount is None and "travaux HT non renseigné" in no_works.explanation


def test_the_explanation_shows_the_computation_in_french() -> None:
    proposal = scheme_grant(make_file(label_after="D"), mpr_2026())
    assert proposal.explanation == (
        "Subventionnable : 25\xa0000,00\xa0€ HT (travaux 25\xa0000,00\xa0€ HT, plafond 30\xa0000,00\xa0€) × "
        "80\xa0% (ménages très modestes) = 20\xa0000,00\xa0€."
    )


# --- Local top-ups ------------------------------------------------------------------------------------------------


def rule(**fields: object) -> TopUpRule:
    return TopUpRuleFactory.build(**{"rate": Decimal("0.10"), "cap": Decimal("3000.00"), **fields})


def test_a_top_up_of_the_works_is_capped_per_file() -> None:
    rules = [rule(label="Prime EPCI")]
    below = top_up_proposals(make_file(works_amount_ht=Decimal("25000.00")), rules, day=D(2026, 4, 1))
    assert [(p.label, p.amount) for p in below] == [("Prime EPCI", Decimal("2500.00"))]
    at = top_up_proposals(make_file(works_amount_ht=Decimal("30000.00")), rules, day=D(2026, 4, 1))
    assert at[0].amount == Decimal("3000.00")
    above = top_up_proposals(make_file(works_amount_ht=Decimal("40000.00")), rules, day=D(2026, 4, 1))
    assert above[0].amount == Decimal("3000.00")
    assert "plafonné à 3\xa0000,00\xa0€" in above[0].explanation


def test_a_rule_without_income_condition_applies_to_every_category() -> None:
    rules = [rule(income_categories=[])]
    for category in (VM, M, INT, ABOVE, ""):
        assert len(top_up_proposals(make_file(income_category=category), rules, day=D(2026, 4, 1))) == 1


def test_a_rule_with_income_categories_applies_only_to_them() -> None:
    rules = [rule(income_categories=[VM])]
    assert len(top_up_proposals(make_file(income_category=VM), rules, day=D(2026, 4, 1))) == 1
    assert top_up_proposals(make_file(income_category=M), rules, day=D(2026, 4, 1)) == []
    assert top_up_proposals(make_file(income_category=""), rules, day=D(2026, 4, 1)) == []


def test_a_flat_rule_pays_per_dwelling_within_its_cap() -> None:
    flat = rule(base=TopUpRule.Base.FLAT, rate=None, flat_amount=Decimal("1500.00"), cap=Decimal("4000.00"))
    one = top_up_proposals(make_file(dwellings=1), [flat], day=D(2026, 4, 1))[0]
    assert (one.amount, one.rate, one.eligible_ht) == (Decimal("1500.00"), None, None)
    assert top_up_proposals(make_file(dwellings=2), [flat], day=D(2026, 4, 1))[0].amount == Decimal("3000.00")
    assert top_up_proposals(make_file(dwellings=3), [flat], day=D(2026, 4, 1))[0].amount == Decimal("4000.00")


def test_a_rule_on_the_eligible_amount_uses_the_capped_anah_base() -> None:
    file = make_file(works_amount_ht=Decimal("50000.00"), label_after="D")
    file.scheme = mpr_2026()
    proposal = top_up_proposals(file, [rule(base=TopUpRule.Base.ELIGIBLE_HT, cap=None)], day=D(2026, 4, 1))[0]
    assert (proposal.eligible_ht, proposal.amount) == (Decimal(30000), Decimal("3000.00"))
    without_scheme = top_up_proposals(
        make_file(), [rule(base=TopUpRule.Base.ELIGIBLE_HT)], day=D(2026, 4, 1)
    )[0]
    assert without_scheme.amount is None and "inconnu" in without_scheme.explanation


def test_a_rule_for_a_theme_applies_only_to_files_with_that_theme() -> None:
    rules = [rule(theme=Theme.AUTONOMY)]
    assert top_up_proposals(make_file(theme_energy=True), rules, day=D(2026, 4, 1)) == []
    assert len(top_up_proposals(make_file(theme_autonomy=True), rules, day=D(2026, 4, 1))) == 1


def test_a_rule_for_an_owner_type_applies_only_to_it() -> None:
    rules = [rule(owner_type=OwnerType.LANDLORD)]
    assert top_up_proposals(make_file(owner_type=OwnerType.OCCUPIER), rules, day=D(2026, 4, 1)) == []
    assert len(top_up_proposals(make_file(owner_type=OwnerType.LANDLORD), rules, day=D(2026, 4, 1))) == 1


def test_a_rule_is_read_on_the_filing_day_and_before_filing_on_the_day_given() -> None:
    rules = [rule(valid_from=D(2025, 1, 1), valid_until=D(2026, 3, 1))]
    assert top_up_proposals(make_file(filed_on=D(2026, 3, 2)), rules, day=D(2025, 6, 1)) == []
    assert len(top_up_proposals(make_file(filed_on=D(2026, 3, 1)), rules, day=D(2027, 1, 1))) == 1
    assert len(top_up_proposals(make_file(filed_on=None), rules, day=D(2026, 3, 1))) == 1
    assert top_up_proposals(make_file(filed_on=None), rules, day=D(2026, 3, 2)) == []
    assert top_up_proposals(make_file(filed_on=None), rules, day=D(2024, 12, 31)) == []
