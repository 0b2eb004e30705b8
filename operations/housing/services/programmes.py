"""Writes of a housing programme's convention: the programme's perimeter and convention fields, avenants, the
targets grid (category × year) and the envelopes grid (funder × kind × year), perimeter sectors and local top-up
rules (règlement d'aides).

Keyword-only, atomic, audited: every row is saved with its history user (django-simple-history), and each target
or envelope records the avenant that set it (or none: the initial convention). A grid is saved in ONE
transaction: a refused cell leaves nothing half-saved. Refusals are HousingProgrammeError (French) or the model's
ValidationError on the field.
"""

import datetime
from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from operations.housing.models import EnvelopeKind, TargetCategory
from operations.models import (
    HousingAmendment,
    HousingEnvelope,
    HousingProgramme,
    HousingSector,
    HousingTarget,
    TopUpRule,
)
from partners.models import Organisation
from programmes.models import Programme
from pvd.accounts.models import User
from pvd.concurrency import save_audited, save_versioned
from pvd.errors import DomainError
from pvd.money import round_cents


class HousingProgrammeError(DomainError):
    """A rule of the housing programme's convention refused the action (French message)."""


PROGRAMME_FIELDS = (
    "perimeter_description",
    "anah_convention_reference",
    "anah_convention_signed_on",
    "operator_contract",
    "operation",
    "retention_years",
)
SECTOR_FIELDS = ("name", "commune", "streets", "in_ort")
TOP_UP_FIELDS = (
    "funder",
    "label",
    "owner_type",
    "income_categories",
    "theme",
    "base",
    "rate",
    "flat_amount",
    "cap",
    "valid_from",
    "valid_until",
    "conditions",
)


def _lock(housing_programme: HousingProgramme) -> HousingProgramme:
    return HousingProgramme.objects.select_for_update().get(pk=housing_programme.pk)


def _years(housing_programme: HousingProgramme) -> range:
    return range(housing_programme.starts_on.year, housing_programme.ends_on.year + 1)


def _check_year(housing_programme: HousingProgramme, year: int) -> None:
    years = _years(housing_programme)
    if year not in years:
        raise HousingProgrammeError(
            f"L'année {year} est en dehors de la période du dispositif ({years.start}–{years.stop - 1})."
        )


def _check_amendment(housing_programme: HousingProgramme, amendment: HousingAmendment | None) -> None:
    if amendment is not None and amendment.housing_programme_id != housing_programme.pk:
        raise HousingProgrammeError("Cet avenant n'appartient pas à ce dispositif.")


CREATE_FIELDS = (
    "kind",
    "name",
    "owner",
    "operator",
    "starts_on",
    "ends_on",
    "operation",
    "perimeter_description",
    "anah_convention_reference",
    "anah_convention_signed_on",
)


@transaction.atomic
def housing_programme_create(
    *, programme: Programme, by: User, communes: list[Organisation], **fields: object
) -> HousingProgramme:
    """A new OPAH, OPAH-RU or PIG of a PVD programme (e.g. the future OPAH-RU of Wassy after its pre-operational
    study): its perimeter lies in the programme's EPCI, its operation (fiche-action) belongs to the programme."""
    unknown = set(fields) - set(CREATE_FIELDS)
    if unknown:
        raise HousingProgrammeError(f"Champs non modifiables ici : {', '.join(sorted(unknown))}.")
    if not communes:
        raise ValidationError({"communes": "Le périmètre compte au moins une commune."})
    outside = [c.name for c in communes if c.epci_id != programme.epci_id]
    if outside:
        raise ValidationError(
            {"communes": f"Hors de l'intercommunalité du programme : {', '.join(sorted(outside))}."}
        )
    operation = fields.get("operation")
    if operation is not None and operation.programme_id != programme.pk:  # type: ignore[attr-defined]
        raise HousingProgrammeError("Cette opération n'appartient pas au programme.")
    hp = HousingProgramme(programme=programme, **fields)
    save_audited(hp, by)
    hp.communes.set(communes)
    return hp


@transaction.atomic
def housing_programme_update(
    *,
    housing_programme: HousingProgramme,
    by: User,
    changes: Mapping[str, object],
    expected_version: int,
    communes: list[Organisation] | None = None,
) -> HousingProgramme:
    """Edit the perimeter (communes and description), the Anah convention's reference and date, the operator's
    contract and the retention period of closed files. A form displayed before someone else's save is refused
    (StaleObjectError), never silently overwritten."""
    unknown = set(changes) - set(PROGRAMME_FIELDS)
    if unknown:
        raise HousingProgrammeError(f"Champs non modifiables ici : {', '.join(sorted(unknown))}.")
    if communes is not None and not communes:
        raise ValidationError({"communes": "Le périmètre compte au moins une commune."})
    current = save_versioned(
        housing_programme, expected_version=expected_version, changes=dict(changes), by=by
    )
    if communes is not None:
        current.communes.set(communes)
    return current


@transaction.atomic
def housing_amendment_create(
    *,
    housing_programme: HousingProgramme,
    by: User,
    signed_on: datetime.date,
    subject: str,
    deliberation: str = "",
) -> HousingAmendment:
    """Record an avenant to the Anah convention, numbered after the last one."""
    current = _lock(housing_programme)
    if current.anah_convention_signed_on and signed_on < current.anah_convention_signed_on:
        raise ValidationError({"signed_on": "Un avenant ne peut pas précéder la signature de la convention."})
    number = (current.amendments.aggregate(n=Max("number"))["n"] or 0) + 1
    amendment = HousingAmendment(
        housing_programme=current,
        number=number,
        signed_on=signed_on,
        subject=subject,
        deliberation=deliberation,
    )
    save_audited(amendment, by)
    return amendment


@transaction.atomic
def housing_targets_save(
    *,
    housing_programme: HousingProgramme,
    by: User,
    counts: Mapping[tuple[str, int], int | None],
    amendment: HousingAmendment | None = None,
) -> list[HousingTarget]:
    """Save the targets grid: {(category, year): count or None (no target)}. Only the cells that change are
    written, each linked to `amendment` (None: the initial convention). Returns the changed rows."""
    current = _lock(housing_programme)
    _check_amendment(current, amendment)
    existing = {(t.category, t.year): t for t in current.targets.all()}
    changed: list[HousingTarget] = []
    for (category, year), count in sorted(counts.items()):
        if category not in TargetCategory.values:
            raise HousingProgrammeError(f"Catégorie d'objectif inconnue : « {category} ».")
        _check_year(current, year)
        if count is not None and count < 0:
            raise HousingProgrammeError(
                f"L'objectif « {TargetCategory(category).label} » {year} ne peut pas être négatif."
            )
        target = existing.get((category, year))
        if count is None:
            if target is not None:
                target._history_user = by  # type: ignore[attr-defined]
                target.delete()
            continue
        if target is None:
            target = HousingTarget(housing_programme=current, category=category, year=year, count=count)
        elif target.count == count:
            continue
        target.count = count
        target.amendment = amendment
        save_audited(target, by)
        changed.append(target)
    return changed


@transaction.atomic
def housing_envelopes_save(
    *,
    housing_programme: HousingProgramme,
    by: User,
    amounts: Mapping[tuple[int, str, int], Decimal | None],
    amendment: HousingAmendment | None = None,
) -> list[HousingEnvelope]:
    """Save the envelopes grid: {(funder id, kind, year): amount or None}. Same rules as the targets."""
    current = _lock(housing_programme)
    _check_amendment(current, amendment)
    existing = {(e.funder_id, e.kind, e.year): e for e in current.envelopes.all()}
    changed: list[HousingEnvelope] = []
    for (funder_id, kind, year), amount in sorted(amounts.items()):
        if kind not in EnvelopeKind.values:
            raise HousingProgrammeError(f"Nature d'enveloppe inconnue : « {kind} ».")
        _check_year(current, year)
        if amount is not None and amount < 0:
            raise HousingProgrammeError(f"Une enveloppe ne peut pas être négative ({year}).")
        envelope = existing.get((funder_id, kind, year))
        if amount is None:
            if envelope is not None:
                envelope._history_user = by  # type: ignore[attr-defined]
                envelope.delete()
            continue
        amount = round_cents(amount)
        if envelope is None:
            envelope = HousingEnvelope(
                housing_programme=current, funder_id=funder_id, kind=kind, year=year, amount=amount
            )
        elif envelope.amount == amount:
            continue
        envelope.amount = amount
        envelope.amendment = amendment
        save_audited(envelope, by)
        changed.append(envelope)
    return changed


@transaction.atomic
def housing_sector_save(
    *,
    housing_programme: HousingProgramme,
    by: User,
    values: Mapping[str, object],
    sector: HousingSector | None = None,
) -> HousingSector:
    """Create (sector None) or edit a sector of the perimeter; its commune must be in the perimeter."""
    unknown = set(values) - set(SECTOR_FIELDS)
    if unknown:
        raise HousingProgrammeError(f"Champs non modifiables ici : {', '.join(sorted(unknown))}.")
    current = _lock(housing_programme)
    if sector is None:
        sector = HousingSector(housing_programme=current)
    elif sector.housing_programme_id != current.pk:
        raise HousingProgrammeError("Ce secteur n'appartient pas à ce dispositif.")
    for name, value in values.items():
        setattr(sector, name, value)
    if sector.commune_id and not current.communes.filter(pk=sector.commune_id).exists():
        raise ValidationError({"commune": "Cette commune n'est pas dans le périmètre du dispositif."})
    save_audited(sector, by)
    return sector


@transaction.atomic
def housing_top_up_save(
    *,
    housing_programme: HousingProgramme,
    by: User,
    values: Mapping[str, object],
    rule: TopUpRule | None = None,
) -> TopUpRule:
    """Create (rule None) or edit a local top-up rule of the règlement d'aides: a rate of a base (with a cap per
    file), or a flat amount per dwelling; income categories empty means no income condition."""
    unknown = set(values) - set(TOP_UP_FIELDS)
    if unknown:
        raise HousingProgrammeError(f"Champs non modifiables ici : {', '.join(sorted(unknown))}.")
    current = _lock(housing_programme)
    if rule is None:
        rule = TopUpRule(housing_programme=current)
    elif rule.housing_programme_id != current.pk:
        raise HousingProgrammeError("Cette aide n'appartient pas à ce dispositif.")
    for name, value in values.items():
        setattr(rule, name, value)
    errors: dict[str, str] = {}
    if rule.rate is not None and not (0 < rule.rate <= 1):
        errors["rate"] = "Le taux est une fraction comprise entre 0 et 1 (0,1 pour 10 %)."
    if rule.cap is not None and rule.cap < 0:
        errors["cap"] = "Le plafond ne peut pas être négatif."
    if rule.flat_amount is not None and rule.flat_amount < 0:
        errors["flat_amount"] = "Le forfait ne peut pas être négatif."
    if rule.base == TopUpRule.Base.FLAT and rule.flat_amount is None:
        errors["flat_amount"] = "Indiquez le forfait d'une aide forfaitaire."
    if rule.base != TopUpRule.Base.FLAT and rule.rate is None:
        errors["rate"] = "Indiquez le taux de l'aide."
    if errors:
        raise ValidationError(errors)
    save_audited(rule, by)
    return rule
