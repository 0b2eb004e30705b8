"""Grant computations of a household file (DOMAIN.md §3.3, DOMAIN_RULES §2.10): energy figures, the Anah aid
in force, its eligibility checklist, the scheme grant and the local top-ups of the règlement d'aides.

Pure: the rules come from dated data (`AidScheme` versions, `TopUpRule`s) given by the caller or read by the two
`scheme*_in_force` helpers; nothing here writes. A condition that cannot be evaluated (a missing label, a rate
not entered) says so (`Check.ok is None`), it never passes silently; a missing rate is « non renseigné », never 0 %.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from operations.housing.models import (
    THEME_FIELDS,
    AidScheme,
    EnergyLabel,
    HousingFile,
    IncomeCategory,
    OwnerType,
    TopUpRule,
)
from pvd.money import format_euros, format_percent, round_cents

LABELS = EnergyLabel.values  # "A" (best) … "G" (worst)
GAIN_PLACES = Decimal("0.0001")


def class_jumps(before: str | None, after: str | None) -> int | None:
    """DPE classes gained from `before` to `after` (E → C = 2); negative when worse; None if a label is missing."""
    if before not in LABELS or after not in LABELS:
        return None
    return LABELS.index(before) - LABELS.index(after)


def energy_gain(consumption_before: Decimal | None, consumption_after: Decimal | None) -> Decimal | None:
    """Energy gain as a fraction of the consumption before (400 → 180 kWh/m²/an = 0.55), to 4 decimals."""
    if consumption_before is None or consumption_after is None or consumption_before <= 0:
        return None
    return ((consumption_before - consumption_after) / consumption_before).quantize(GAIN_PLACES)


# --- The aid in force ----------------------------------------------------------------------------------


def scheme_in_force(code: str, day: datetime.date) -> AidScheme | None:
    """The version of the aid `code` in force on `day` (None: suspended or not entered)."""
    return (
        AidScheme.objects.valid_on(day)
        .filter(code=code)
        .select_related("funder")
        .order_by("-valid_from")
        .first()
    )


def schemes_in_force(
    day: datetime.date, *, theme: str | None = None, owner_type: str | None = None
) -> list[AidScheme]:
    """The aid versions in force on `day`, optionally for a theme and an owner type (no owner types = all)."""
    schemes = AidScheme.objects.valid_on(day).select_related("funder").order_by("code", "-valid_from")
    if theme:
        schemes = schemes.filter(theme=theme)
    return [s for s in schemes if not owner_type or not s.owner_types or owner_type in s.owner_types]


# --- Eligibility -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One line of the eligibility checklist: ok True (met), False (not met) or None (cannot be evaluated)."""

    label: str
    ok: bool | None
    detail: str


def filing_day(file: HousingFile, day: datetime.date) -> datetime.date:
    """The day the rules are read on: the filing day once filed, else `day` (today)."""
    return file.filed_on or day


def category_label(category: str | None) -> str:
    """« très modestes » (the label without its colour), for sentences."""
    if category not in IncomeCategory.values:
        return "non déterminée"
    return IncomeCategory(category).label.split(" (")[0].lower()


def eligibility(
    file: HousingFile, scheme: AidScheme, *, day: datetime.date, category: str | None = None
) -> list[Check]:
    """The scheme's eligibility checklist for the file, on the filing day (or `day` before filing).
    `category` defaults to the category kept on the file (a provisional one may be given before filing)."""
    on = filing_day(file, day)
    category = category or file.income_category or None
    checks: list[Check] = []
    if scheme.owner_types:
        allowed = ", ".join(OwnerType(t).label.lower() for t in scheme.owner_types if t in OwnerType.values)
        checks.append(
            Check(
                "Type de demandeur",
                file.owner_type in scheme.owner_types,
                f"{file.get_owner_type_display()} ; admis : {allowed}.",
            )
        )
    if scheme.min_dwelling_age_years:
        minimum = scheme.min_dwelling_age_years
        label = f"Logement de plus de {minimum} ans"
        if file.year_built is None:
            checks.append(Check(label, None, "Année de construction non renseignée."))
        else:
            age = on.year - file.year_built
            if age > minimum:
                checks.append(
                    Check(label, True, f"Construit en {file.year_built}, {age} ans au {on:%d/%m/%Y}.")
                )
            elif age == minimum:
                checks.append(
                    Check(
                        label,
                        None,
                        f"Construit en {file.year_built} : {minimum} ans l'année du dépôt, la date d'achèvement "
                        "exacte est à vérifier.",
                    )
                )
            else:
                checks.append(
                    Check(label, False, f"Construit en {file.year_built}, {age} ans au {on:%d/%m/%Y}.")
                )
    if scheme.eligible_start_labels:
        label = f"Étiquette de départ {'/'.join(scheme.eligible_start_labels)}"
        if not file.label_before:
            checks.append(Check(label, None, "Étiquette DPE avant travaux non renseignée."))
        else:
            ok = file.label_before in scheme.eligible_start_labels
            checks.append(Check(label, ok, f"Étiquette avant travaux : {file.label_before}."))
    jumps = class_jumps(file.label_before or None, file.label_after or None)
    if scheme.min_class_jump:
        label = f"Gain d'au moins {scheme.min_class_jump} classes DPE"
        if jumps is None:
            checks.append(Check(label, None, "Étiquettes DPE avant et après travaux à renseigner."))
        else:
            detail = f"{file.label_before} → {file.label_after} : {jumps} classe(s)."
            checks.append(Check(label, jumps >= scheme.min_class_jump, detail))
    if scheme.min_label_after:
        label = f"Étiquette après travaux {scheme.min_label_after} ou mieux"
        if not file.label_after:
            checks.append(Check(label, None, "Étiquette DPE après travaux non renseignée."))
        else:
            ok = LABELS.index(file.label_after) <= LABELS.index(scheme.min_label_after)
            checks.append(Check(label, ok, f"Étiquette après travaux : {file.label_after}."))
    if scheme.requires_france_renov_appointment:
        label = "Rendez-vous France Rénov' avant le dépôt"
        appointment = file.france_renov_appointment_on
        if appointment is None:
            checks.append(Check(label, False, "Aucun rendez-vous France Rénov' enregistré."))
        elif file.filed_on is not None and appointment >= file.filed_on:
            checks.append(
                Check(
                    label,
                    False,
                    f"Rendez-vous du {appointment:%d/%m/%Y}, pas avant le dépôt du {file.filed_on:%d/%m/%Y}.",
                )
            )
        else:
            checks.append(Check(label, True, f"Rendez-vous du {appointment:%d/%m/%Y}."))
    label = "Taux pour la catégorie de ressources"
    if category not in IncomeCategory.values:
        checks.append(Check(label, None, "Catégorie de ressources non déterminée."))
    else:
        rate = scheme.rate_for(category)
        if rate is None:
            checks.append(
                Check(label, None, f"Taux non renseigné pour les ménages {category_label(category)}.")
            )
        else:
            checks.append(
                Check(label, True, f"Ménages {category_label(category)} : {format_percent(rate, places=0)}.")
            )
    return checks


# --- Proposals -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Proposal:
    """A computed grant: what it would be, and how it was computed (in French). `amount` None = cannot be
    computed (the explanation says why)."""

    eligible_ht: Decimal | None
    rate: Decimal | None
    amount: Decimal | None
    cap: Decimal | None
    explanation: str
    label: str = ""
    funder_id: int | None = None
    scheme: AidScheme | None = None
    rule: TopUpRule | None = None


def scheme_cap(file: HousingFile, scheme: AidScheme) -> Decimal | None:
    """The works cap of the scheme for the file: the large-gain cap when the class jumps reach its threshold."""
    jumps = class_jumps(file.label_before or None, file.label_after or None)
    if (
        scheme.large_gain_class_jump is not None
        and scheme.large_gain_works_cap_ht is not None
        and jumps is not None
        and jumps >= scheme.large_gain_class_jump
    ):
        return scheme.large_gain_works_cap_ht
    return scheme.works_cap_ht


def scheme_grant(file: HousingFile, scheme: AidScheme, *, category: str | None = None) -> Proposal:
    """The Anah grant: eligible HT = min(works HT, cap), amount = eligible × rate of the category, to the cent."""
    category = category or file.income_category or None
    cap = scheme_cap(file, scheme)
    common = {"label": scheme.name, "funder_id": scheme.funder_id, "scheme": scheme}
    works = file.works_amount_ht
    rate = scheme.rate_for(category) if category else None
    if works is None:
        return Proposal(None, rate, None, cap, "Montant des travaux HT non renseigné.", **common)
    eligible = min(works, cap) if cap is not None else works
    cap_text = f"plafond {format_euros(cap)}" if cap is not None else "sans plafond"
    base_text = (
        f"Subventionnable : {format_euros(eligible)} HT (travaux {format_euros(works)} HT, {cap_text})"
    )
    if category is None:
        return Proposal(
            eligible, None, None, cap, f"{base_text} ; catégorie de ressources non déterminée.", **common
        )
    if rate is None:
        return Proposal(
            eligible,
            None,
            None,
            cap,
            f"{base_text} ; taux non renseigné pour les ménages {category_label(category)}.",
            **common,
        )
    amount = round_cents(eligible * rate)
    return Proposal(
        eligible,
        rate,
        amount,
        cap,
        f"{base_text} × {format_percent(rate, places=0)} (ménages {category_label(category)}) = "
        f"{format_euros(amount)}.",
        **common,
    )


def rule_applies(rule: TopUpRule, file: HousingFile, *, day: datetime.date, category: str | None) -> bool:
    """The rule is in force on the day and its owner type, income categories and theme match (empty = any)."""
    if rule.valid_from > day or (rule.valid_until is not None and rule.valid_until < day):
        return False
    if rule.owner_type and rule.owner_type != file.owner_type:
        return False
    if rule.income_categories and category not in rule.income_categories:
        return False
    return not rule.theme or bool(getattr(file, THEME_FIELDS[rule.theme]))


def top_up_proposals(
    file: HousingFile, rules: Iterable[TopUpRule], *, day: datetime.date, category: str | None = None
) -> list[Proposal]:
    """The local top-ups of the règlement d'aides that apply to the file on the filing day (or `day` before)."""
    on = filing_day(file, day)
    category = category or file.income_category or None
    anah = scheme_grant(file, file.scheme, category=category) if file.scheme_id else None
    proposals = []
    for rule in rules:
        if not rule_applies(rule, file, day=on, category=category):
            continue
        common = {"label": rule.label, "funder_id": rule.funder_id, "rule": rule, "cap": rule.cap}
        if rule.base == TopUpRule.Base.FLAT:
            base = rule.flat_amount * file.dwellings
            raw = base
            text = f"Forfait {format_euros(rule.flat_amount)} × {file.dwellings} logement(s)"
            rate = None
        else:
            if rule.base == TopUpRule.Base.ELIGIBLE_HT:
                base = anah.eligible_ht if anah is not None else None
                missing = "Montant subventionnable de l'aide Anah inconnu (aide ou travaux non renseignés)."
                base_name = "subventionnable Anah"
            else:
                base = file.works_amount_ht
                missing = "Montant des travaux HT non renseigné."
                base_name = "travaux"
            rate = rule.rate
            if base is None:
                proposals.append(Proposal(None, rate, None, explanation=missing, **common))
                continue
            raw = round_cents(base * rate)
            text = f"{format_percent(rate, places=0)} × {format_euros(base)} HT ({base_name})"
        amount = min(raw, rule.cap) if rule.cap is not None else raw
        capped = f", plafonné à {format_euros(rule.cap)}" if rule.cap is not None and raw > rule.cap else ""
        eligible = None if rule.base == TopUpRule.Base.FLAT else base
        proposals.append(
            Proposal(
                eligible, rate, amount, explanation=f"{text}{capped} = {format_euros(amount)}.", **common
            )
        )
    return proposals
