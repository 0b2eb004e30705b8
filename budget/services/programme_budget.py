"""Writes of the programme budget (DOMAIN.md §5): the PPI, autorisations de programme (AP) with their
revisions and yearly crédits de paiement (CP), budget lines, and expenses from their legal commitment to
their payment.

The rules, in the order a finance department checks them:
- the PPI is a plan (not a legal act): any non-negative amount per year, all years saved or none;
- an AP's amount is its initial amount plus its revisions; it never goes below what is committed on it, and
  the sum of its CP never exceeds it; a year's CP never goes below what was already mandated that year;
- a budget line's credits (budget primitif + décisions modificatives) are ≥ 0 and ≥ what is committed on it;
- a commitment needs the line's remaining credits (and, on an AP line, the year's CP and the AP's remainder);
  a payment order (mandat) on an AP line needs the year's CP not yet mandated;
- an expense goes committed → liquidated → ordered → paid, each date on or after the previous one; it may be
  cancelled before it is ordered. Every transition writes a StatusChange row in the same transaction.
"""

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce

from budget.models import (
    AuthorisationRevision,
    AuthorisationStatus,
    BudgetAccount,
    BudgetDirection,
    BudgetLine,
    BudgetSection,
    Expense,
    ExpenseStatus,
    PaymentCredit,
    PlannedInvestment,
    ProgrammeAuthorisation,
)
from operations.models import Contract, Invoice, Operation
from partners.models import Organisation
from programmes.models import Programme
from pvd.accounts.models import User
from pvd.concurrency import StaleObjectError, save_versioned
from pvd.errors import DomainError
from pvd.models import StatusChange
from pvd.money import ZERO, format_euros

E = ExpenseStatus
A = AuthorisationStatus

YEAR_MIN, YEAR_MAX = 2000, 2100


class ProgrammeBudgetError(DomainError):
    """A rule of the programme budget refused the action (French message, with the figures)."""


def _e(amount: Decimal) -> str:
    return format_euros(amount)


def _sum(queryset, field: str = "amount_ttc") -> Decimal:
    return queryset.aggregate(total=Coalesce(Sum(field), ZERO))["total"]


def _check_year(year: int, field: str = "year") -> None:
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise ValidationError({field: f"L'année {year} n'est pas comprise entre {YEAR_MIN} et {YEAR_MAX}."})


def budget_owners(programme: Programme) -> list[Organisation]:
    """Whose budget can carry the programme: its EPCI and its communes."""
    owners = [programme.epci] if programme.epci_id else []
    return owners + list(programme.communes.order_by("name", "pk"))


def _check_owner(programme: Programme, organisation: Organisation, field: str = "organisation") -> None:
    if organisation.pk not in {o.pk for o in budget_owners(programme)}:
        raise ValidationError(
            {field: f"« {organisation} » n'est ni l'intercommunalité ni une commune du programme."}
        )


# --- Figures the rules read --------------------------------------------------------------------------------


def committed_on_line(line: BudgetLine, *, exclude: Expense | None = None) -> Decimal:
    """What is committed on the line (every expense not cancelled), TTC."""
    queryset = Expense.objects.filter(budget_line=line).exclude(status=E.CANCELLED)
    if exclude is not None:
        queryset = queryset.exclude(pk=exclude.pk)
    return _sum(queryset)


def authorisation_amount(authorisation: ProgrammeAuthorisation) -> Decimal:
    """The AP's amount: its initial amount plus its revisions."""
    return authorisation.initial_amount + _sum(authorisation.revisions.all(), "delta")


def committed_on_authorisation(
    authorisation: ProgrammeAuthorisation, *, year: int | None = None, exclude: Expense | None = None
) -> Decimal:
    """What is committed on the AP's lines (all years, or the lines of `year`), TTC."""
    queryset = Expense.objects.filter(budget_line__authorisation=authorisation).exclude(status=E.CANCELLED)
    if year is not None:
        queryset = queryset.filter(budget_line__year=year)
    if exclude is not None:
        queryset = queryset.exclude(pk=exclude.pk)
    return _sum(queryset)


def mandated_on_authorisation(authorisation: ProgrammeAuthorisation, year: int) -> Decimal:
    """The CP consumed in `year`: the payment orders (mandats) issued that year on the AP's lines."""
    return _sum(
        Expense.objects.filter(
            budget_line__authorisation=authorisation,
            status__in=[E.ORDERED, E.PAID],
            ordered_on__year=year,
        )
    )


def credit_of_year(authorisation: ProgrammeAuthorisation, year: int) -> Decimal | None:
    credit = PaymentCredit.objects.filter(authorisation=authorisation, year=year).first()
    return None if credit is None else credit.amount


def _lock_authorisation(authorisation: ProgrammeAuthorisation) -> ProgrammeAuthorisation:
    return ProgrammeAuthorisation.objects.select_for_update().get(pk=authorisation.pk)


# --- PPI -----------------------------------------------------------------------------------------------------


def _set_yearly_rows(
    *,
    model: type[PlannedInvestment] | type[PaymentCredit],
    existing: dict[int, PlannedInvestment | PaymentCredit],
    rows: Mapping[int, Decimal | None],
    field: str,
    expected_versions: Mapping[int, int],
    create: dict[str, object],
    by: User,
) -> None:
    """Create, update or delete one row per year: None removes the year; a stale row refuses the lot."""
    for year, amount in sorted(rows.items()):
        _check_year(year)
        if amount is not None and amount < 0:
            raise ValidationError({field: f"{year} : un montant ne peut pas être négatif."})
        row = existing.get(year)
        if row is not None and year in expected_versions and row.version != expected_versions[year]:
            raise StaleObjectError(
                f"L'année {year} a été modifiée par un autre utilisateur pendant votre saisie. "
                "Vos modifications n'ont pas été enregistrées : rechargez la page pour repartir de la version "
                "actuelle."
            )
        if amount is None:
            if row is not None:
                row._history_user = by  # type: ignore[attr-defined]
                row.delete()
        elif row is None:
            new = model(year=year, **{field: amount}, **create)
            new.full_clean()
            new._history_user = by  # type: ignore[attr-defined]
            new.save()
        elif getattr(row, field) != amount:
            save_versioned(row, expected_version=row.version, changes={field: amount}, by=by)


@transaction.atomic
def ppi_set(
    *,
    operation: Operation,
    rows: Mapping[int, Decimal | None],
    by: User,
    expected_versions: Mapping[int, int] | None = None,
) -> list[PlannedInvestment]:
    """Set the operation's PPI: {year: amount TTC}; None removes the year. All years are saved or none;
    a year changed by someone else since `expected_versions` refuses the whole grid (StaleObjectError)."""
    Operation.objects.select_for_update().filter(pk=operation.pk).first()
    existing = {
        row.year: row for row in PlannedInvestment.objects.select_for_update().filter(operation=operation)
    }
    _set_yearly_rows(
        model=PlannedInvestment,
        existing=existing,
        rows=rows,
        field="amount_ttc",
        expected_versions=expected_versions or {},
        create={"operation": operation},
        by=by,
    )
    return list(PlannedInvestment.objects.filter(operation=operation).order_by("year"))


# --- Autorisations de programme ----------------------------------------------------------------------------


def _check_operations(programme: Programme, operations: list[Operation]) -> None:
    strangers = sorted(o.code for o in operations if o.programme_id != programme.pk)
    if strangers:
        raise ValidationError({"operations": f"Opérations d'un autre programme : {', '.join(strangers)}."})


def _check_number_free(organisation: Organisation, number: str, exclude_pk: int | None = None) -> None:
    queryset = ProgrammeAuthorisation.objects.filter(organisation=organisation, number=number)
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    if queryset.exists():
        raise ValidationError(
            {"number": f"Le numéro d'AP « {number} » existe déjà dans le budget de {organisation}."}
        )


@transaction.atomic
def authorisation_create(
    *,
    programme: Programme,
    organisation: Organisation,
    number: str,
    label: str,
    voted_on: datetime.date,
    deliberation_reference: str,
    initial_amount: Decimal,
    by: User,
    operations: Iterable[Operation] = (),
) -> ProgrammeAuthorisation:
    """Record an AP voted by the owner's council (open); the operations it finances are of the programme."""
    operations = list(operations)
    number = number.strip()
    _check_owner(programme, organisation)
    _check_operations(programme, operations)
    _check_number_free(organisation, number)
    if initial_amount < 0:
        raise ValidationError({"initial_amount": "Le montant d'une AP ne peut pas être négatif."})
    authorisation = ProgrammeAuthorisation(
        programme=programme,
        organisation=organisation,
        number=number,
        label=label,
        voted_on=voted_on,
        deliberation_reference=deliberation_reference,
        initial_amount=initial_amount,
        status=A.OPEN,
    )
    authorisation.full_clean()
    authorisation._history_user = by  # type: ignore[attr-defined]
    authorisation.save()
    if operations:
        authorisation.operations.set(operations)
    StatusChange.objects.create(
        obj=authorisation, source="", target=A.OPEN, by=by, comment=f"AP votée le {voted_on:%d/%m/%Y}."
    )
    return authorisation


@transaction.atomic
def authorisation_update(
    *,
    authorisation: ProgrammeAuthorisation,
    expected_version: int,
    by: User,
    number: str,
    label: str,
    voted_on: datetime.date,
    deliberation_reference: str,
    initial_amount: Decimal,
    operations: Iterable[Operation],
) -> ProgrammeAuthorisation:
    """Correct what the AP is (its budget owner does not change). Its amount (initial + revisions) stays at
    or above what is committed on it and the sum of its CP."""
    operations = list(operations)
    number = number.strip()
    current = _lock_authorisation(authorisation)
    _check_operations(current.programme, operations)
    _check_number_free(current.organisation, number, exclude_pk=current.pk)
    amount = initial_amount + (authorisation_amount(current) - current.initial_amount)
    _check_amount_covers(current, amount, field="initial_amount")
    saved = save_versioned(
        current,
        expected_version=expected_version,
        by=by,
        changes={
            "number": number,
            "label": label,
            "voted_on": voted_on,
            "deliberation_reference": deliberation_reference,
            "initial_amount": initial_amount,
        },
    )
    if set(saved.operations.values_list("pk", flat=True)) != {o.pk for o in operations}:
        saved._history_user = by  # type: ignore[attr-defined]
        saved.operations.set(operations)
    return saved


def _check_amount_covers(authorisation: ProgrammeAuthorisation, amount: Decimal, *, field: str) -> None:
    committed = committed_on_authorisation(authorisation)
    credits = _sum(authorisation.payment_credits.all(), "amount")
    if amount < 0:
        raise ValidationError({field: f"Le montant de l'AP deviendrait négatif ({_e(amount)})."})
    if amount < committed:
        raise ValidationError(
            {
                field: f"Le montant de l'AP ({_e(amount)}) serait inférieur à ce qui est déjà engagé "
                f"({_e(committed)})."
            }
        )
    if amount < credits:
        raise ValidationError(
            {
                field: f"Le montant de l'AP ({_e(amount)}) serait inférieur à la somme de ses crédits de "
                f"paiement ({_e(credits)}) : réduisez d'abord les CP."
            }
        )


@transaction.atomic
def authorisation_revise(
    *,
    authorisation: ProgrammeAuthorisation,
    voted_on: datetime.date,
    deliberation_reference: str,
    delta: Decimal,
    reason: str,
    by: User,
) -> AuthorisationRevision:
    """Record a revision voted by the council: the AP's amount moves by `delta` (up or down), never below
    what is committed on it nor below the sum of its CP."""
    current = _lock_authorisation(authorisation)
    if current.status != A.OPEN:
        raise ProgrammeBudgetError(
            f"L'AP {current.number} est « {current.get_status_display()} » : elle ne peut plus être révisée."
        )
    if delta == 0:
        raise ValidationError({"delta": "Une révision change le montant de l'AP : indiquez une variation."})
    if voted_on < current.voted_on:
        raise ValidationError(
            {"voted_on": f"Une révision ne peut pas précéder le vote de l'AP ({current.voted_on:%d/%m/%Y})."}
        )
    _check_amount_covers(current, authorisation_amount(current) + delta, field="delta")
    revision = AuthorisationRevision(
        authorisation=current,
        voted_on=voted_on,
        deliberation_reference=deliberation_reference,
        delta=delta,
        reason=reason,
    )
    revision.full_clean()
    revision._history_user = by  # type: ignore[attr-defined]
    revision.save()
    return revision


@transaction.atomic
def credits_set(
    *,
    authorisation: ProgrammeAuthorisation,
    rows: Mapping[int, Decimal | None],
    by: User,
    expected_versions: Mapping[int, int] | None = None,
) -> list[PaymentCredit]:
    """Set the AP's CP: {year: amount}; None removes the year. The sum of the CP never exceeds the AP's
    amount, and a year's CP never goes below what was already mandated on the AP that year."""
    current = _lock_authorisation(authorisation)
    existing = {c.year: c for c in PaymentCredit.objects.select_for_update().filter(authorisation=current)}
    wanted = {year: credit.amount for year, credit in existing.items()}
    wanted.update(rows)
    errors: list[str] = []
    for year, amount in sorted(wanted.items()):
        if year not in rows:
            continue
        mandated = mandated_on_authorisation(current, year)
        if (amount or ZERO) < mandated:
            errors.append(
                f"{year} : le crédit de paiement ({_e(amount or ZERO)}) serait inférieur à ce qui est déjà "
                f"mandaté cette année-là ({_e(mandated)})."
            )
    total = sum((amount for amount in wanted.values() if amount is not None), ZERO)
    amount = authorisation_amount(current)
    if total > amount:
        errors.append(
            f"La somme des crédits de paiement ({_e(total)}) dépasse le montant de l'AP ({_e(amount)}) "
            f"de {_e(total - amount)}."
        )
    if errors:
        raise ProgrammeBudgetError(" ".join(errors))
    _set_yearly_rows(
        model=PaymentCredit,
        existing=existing,
        rows=rows,
        field="amount",
        expected_versions=expected_versions or {},
        create={"authorisation": current},
        by=by,
    )
    return list(PaymentCredit.objects.filter(authorisation=current).order_by("year"))


AUTHORISATION_TRANSITIONS: dict[str, frozenset[str]] = {
    A.OPEN: frozenset({A.CLOSED, A.CANCELLED}),
    A.CLOSED: frozenset({A.OPEN}),  # reopened by the council when a late expense comes in
    A.CANCELLED: frozenset(),  # final
}


def authorisation_targets(status: str) -> list[str]:
    return sorted(AUTHORISATION_TRANSITIONS[status], key=A.values.index)


@transaction.atomic
def authorisation_change_status(
    *,
    authorisation: ProgrammeAuthorisation,
    to: str,
    by: User,
    expected_version: int,
    comment: str = "",
) -> ProgrammeAuthorisation:
    """Close, reopen or cancel an AP. Closing needs every commitment on it paid or cancelled; cancelling
    needs no expense at all on it (an AP with expenses is closed, not cancelled)."""
    current = _lock_authorisation(authorisation)
    if to not in A.values:
        raise ProgrammeBudgetError(f"Statut inconnu : « {to} ».")
    source = current.status
    if to not in AUTHORISATION_TRANSITIONS[source]:
        raise ProgrammeBudgetError(
            f"L'AP {current.number} ne peut pas passer de « {A(source).label} » à « {A(to).label} »."
        )
    expenses = Expense.objects.filter(budget_line__authorisation=current).exclude(status=E.CANCELLED)
    if to == A.CLOSED:
        open_commitments = expenses.exclude(status=E.PAID)
        if open_commitments.exists():
            raise ProgrammeBudgetError(
                f"L'AP {current.number} a encore {open_commitments.count()} engagement(s) non payé(s) pour "
                f"{_e(_sum(open_commitments))} : soldez-les ou annulez-les avant de la clôturer."
            )
    if to == A.CANCELLED and expenses.exists():
        raise ProgrammeBudgetError(
            f"L'AP {current.number} porte déjà des dépenses ({_e(_sum(expenses))}) : elle peut être clôturée, "
            "pas annulée."
        )
    saved = save_versioned(current, expected_version=expected_version, by=by, changes={"status": to})
    StatusChange.objects.create(obj=saved, source=source, target=to, by=by, comment=comment.strip())
    return saved


# --- Budget lines --------------------------------------------------------------------------------------------


def _check_line(
    *,
    programme: Programme,
    organisation: Organisation,
    year: int,
    section: str,
    direction: str,
    account: BudgetAccount,
    operation: Operation | None,
    authorisation: ProgrammeAuthorisation | None,
    voted_amount: Decimal,
    amendments_amount: Decimal,
) -> None:
    errors: dict[str, str] = {}
    _check_year(year)
    _check_owner(programme, organisation)
    if section not in BudgetSection.values:
        errors["section"] = "Section inconnue."
    if direction not in BudgetDirection.values:
        errors["direction"] = "Sens inconnu."
    if account.section != section or account.direction != direction:
        errors["account"] = (
            f"Le compte {account.code} relève de la section « {account.get_section_display()} » en "
            f"« {account.get_direction_display().lower()} » : il ne convient pas à cette ligne."
        )
    if operation is not None and operation.programme_id != programme.pk:
        errors["operation"] = "Cette opération appartient à un autre programme."
    if authorisation is not None:
        if authorisation.programme_id != programme.pk:
            errors["authorisation"] = "Cette AP appartient à un autre programme."
        elif authorisation.organisation_id != organisation.pk:
            errors["authorisation"] = (
                f"L'AP {authorisation.number} est votée au budget de {authorisation.organisation}."
            )
        elif section != BudgetSection.INVESTMENT or direction != BudgetDirection.EXPENSE:
            errors["authorisation"] = "Une AP finance des dépenses d'investissement seulement."
        elif authorisation.status != A.OPEN:
            errors["authorisation"] = (
                f"L'AP {authorisation.number} est « {authorisation.get_status_display()} »."
            )
        elif operation is not None:
            linked = set(authorisation.operations.values_list("pk", flat=True))
            if linked and operation.pk not in linked:
                errors["operation"] = (
                    f"L'opération {operation.code} n'est pas financée par l'AP {authorisation.number}."
                )
    if voted_amount < 0:
        errors["voted_amount"] = "Le budget primitif ne peut pas être négatif."
    elif voted_amount + amendments_amount < 0:
        errors["amendments_amount"] = (
            f"Les décisions modificatives ({_e(amendments_amount)}) rendraient les crédits négatifs "
            f"({_e(voted_amount + amendments_amount)})."
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def budget_line_create(
    *,
    programme: Programme,
    organisation: Organisation,
    year: int,
    section: str,
    direction: str,
    account: BudgetAccount,
    label: str,
    voted_amount: Decimal,
    by: User,
    amendments_amount: Decimal = ZERO,
    operation: Operation | None = None,
    authorisation: ProgrammeAuthorisation | None = None,
) -> BudgetLine:
    """Add a line to the owner's budget of `year` for the programme."""
    if not account.is_active:
        raise ValidationError({"account": f"Le compte {account.code} n'est plus utilisable."})
    _check_line(
        programme=programme,
        organisation=organisation,
        year=year,
        section=section,
        direction=direction,
        account=account,
        operation=operation,
        authorisation=authorisation,
        voted_amount=voted_amount,
        amendments_amount=amendments_amount,
    )
    line = BudgetLine(
        programme=programme,
        organisation=organisation,
        year=year,
        section=section,
        direction=direction,
        account=account,
        operation=operation,
        authorisation=authorisation,
        label=label,
        voted_amount=voted_amount,
        amendments_amount=amendments_amount,
    )
    line.full_clean()
    line._history_user = by  # type: ignore[attr-defined]
    line.save()
    return line


@transaction.atomic
def budget_line_update(
    *,
    line: BudgetLine,
    expected_version: int,
    by: User,
    organisation: Organisation,
    year: int,
    section: str,
    direction: str,
    account: BudgetAccount,
    label: str,
    voted_amount: Decimal,
    amendments_amount: Decimal,
    operation: Operation | None = None,
    authorisation: ProgrammeAuthorisation | None = None,
) -> BudgetLine:
    """Change a line (a décision modificative changes `amendments_amount`). Its credits stay at or above
    what is committed on it; a line with expenses keeps its owner, year, section, direction and AP."""
    current = BudgetLine.objects.select_for_update().get(pk=line.pk)
    _check_line(
        programme=current.programme,
        organisation=organisation,
        year=year,
        section=section,
        direction=direction,
        account=account,
        operation=operation,
        authorisation=authorisation,
        voted_amount=voted_amount,
        amendments_amount=amendments_amount,
    )
    committed = committed_on_line(current)
    if current.expenses.exists():
        frozen = {
            "organisation": (current.organisation_id, organisation.pk),
            "year": (current.year, year),
            "section": (current.section, section),
            "direction": (current.direction, direction),
            "authorisation": (current.authorisation_id, authorisation.pk if authorisation else None),
        }
        changed = [name for name, (old, new) in frozen.items() if old != new]
        if changed:
            raise ValidationError(
                dict.fromkeys(changed, "Cette ligne porte des dépenses : ce champ ne peut plus changer.")
            )
    if voted_amount + amendments_amount < committed:
        raise ValidationError(
            {
                "amendments_amount": f"Les crédits de la ligne ({_e(voted_amount + amendments_amount)}) seraient "
                f"inférieurs à ce qui est déjà engagé ({_e(committed)})."
            }
        )
    return save_versioned(
        current,
        expected_version=expected_version,
        by=by,
        changes={
            "organisation": organisation,
            "year": year,
            "section": section,
            "direction": direction,
            "account": account,
            "label": label,
            "voted_amount": voted_amount,
            "amendments_amount": amendments_amount,
            "operation": operation,
            "authorisation": authorisation,
        },
    )


# --- Expenses ------------------------------------------------------------------------------------------------


def line_remaining(line: BudgetLine, *, exclude: Expense | None = None) -> Decimal:
    """The line's credits not yet committed: budget primitif + DM − commitments not cancelled."""
    return line.voted_amount + line.amendments_amount - committed_on_line(line, exclude=exclude)


def _check_credits(line: BudgetLine, amount: Decimal, *, exclude: Expense | None = None) -> None:
    """Refuse a commitment of `amount` the line (and its AP) cannot bear, with the figures."""
    credits = line.voted_amount + line.amendments_amount
    committed = committed_on_line(line, exclude=exclude)
    if amount > credits - committed:
        raise ProgrammeBudgetError(
            f"Crédits insuffisants sur la ligne « {line.account.code} — {line.label} » ({line.year}) : "
            f"crédits ouverts {_e(credits)}, déjà engagé {_e(committed)}, disponible {_e(credits - committed)} ; "
            f"l'engagement demandé ({_e(amount)}) dépasse de {_e(amount - (credits - committed))}."
        )
    authorisation = line.authorisation
    if authorisation is None:
        return
    authorisation = _lock_authorisation(authorisation)
    if authorisation.status != A.OPEN:
        raise ProgrammeBudgetError(
            f"L'AP {authorisation.number} est « {authorisation.get_status_display()} » : aucun engagement "
            "nouveau n'est possible."
        )
    credit = credit_of_year(authorisation, line.year)
    if credit is None:
        raise ProgrammeBudgetError(
            f"L'AP {authorisation.number} n'a pas de crédit de paiement pour {line.year} : votez-le avant "
            "d'engager."
        )
    committed_year = committed_on_authorisation(authorisation, year=line.year, exclude=exclude)
    if amount > credit - committed_year:
        raise ProgrammeBudgetError(
            f"Crédit de paiement {line.year} de l'AP {authorisation.number} insuffisant : CP {_e(credit)}, "
            f"déjà engagé sur l'année {_e(committed_year)}, disponible {_e(credit - committed_year)} ; "
            f"l'engagement demandé ({_e(amount)}) dépasse de {_e(amount - (credit - committed_year))}."
        )
    amount_ap = authorisation_amount(authorisation)
    committed_ap = committed_on_authorisation(authorisation, exclude=exclude)
    if amount > amount_ap - committed_ap:
        raise ProgrammeBudgetError(
            f"L'AP {authorisation.number} est insuffisante : montant {_e(amount_ap)}, déjà engagé "
            f"{_e(committed_ap)}, disponible {_e(amount_ap - committed_ap)} ; l'engagement demandé "
            f"({_e(amount)}) dépasse de {_e(amount - (amount_ap - committed_ap))}."
        )


def _contract_link(
    line: BudgetLine, contract: Contract | None, invoice: Invoice | None, *, exclude: Expense | None = None
) -> Contract | None:
    """An expense may pay a contract (and one of its invoices): a contract of the line's programme, an invoice
    of that contract, one expense per invoice. Returns the contract (the invoice's when only it is given)."""
    if invoice is not None:
        if contract is not None and invoice.contract_id != contract.pk:
            raise ValidationError({"invoice": "Cette facture n'est pas une facture du marché choisi."})
        contract = invoice.contract
        others = Expense.objects.filter(invoice=invoice)
        if exclude is not None:
            others = others.exclude(pk=exclude.pk)
        if others.exists():
            raise ValidationError({"invoice": "Cette facture est déjà payée par une autre dépense."})
    if contract is not None and contract.lot.consultation.programme_id != line.programme_id:
        raise ValidationError({"contract": "Ce marché n'appartient pas au programme de la ligne budgétaire."})
    return contract


def _check_expense_fields(
    line: BudgetLine, operation: Operation | None, amount_ht: Decimal, amount_ttc: Decimal, committed_on
) -> None:
    errors: dict[str, str] = {}
    if amount_ht < 0:
        errors["amount_ht"] = "Un montant ne peut pas être négatif."
    elif amount_ttc < amount_ht:
        errors["amount_ttc"] = "Le montant TTC ne peut pas être inférieur au montant HT."
    elif amount_ttc == 0:
        errors["amount_ttc"] = "Un engagement porte sur un montant positif."
    if committed_on.year != line.year:
        errors["committed_on"] = f"Un engagement sur le budget {line.year} est daté de {line.year}."
    if operation is not None and operation.programme_id != line.programme_id:
        errors["operation"] = "Cette opération appartient à un autre programme."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def expense_create(
    *,
    budget_line: BudgetLine,
    by: User,
    label: str,
    supplier: str,
    amount_ht: Decimal,
    amount_ttc: Decimal,
    committed_on: datetime.date,
    commitment_reference: str = "",
    contract_reference: str = "",
    invoice_reference: str = "",
    operation: Operation | None = None,
    contract: Contract | None = None,
    invoice: Invoice | None = None,
) -> Expense:
    """Commit an expense on a line (legal commitment: the contract or order signed on `committed_on`).
    Refused with the figures when the line's remaining credits (and on an AP line, the year's CP and the
    AP's remainder) cannot bear it."""
    line = BudgetLine.objects.select_for_update().select_related("account").get(pk=budget_line.pk)
    if line.direction != BudgetDirection.EXPENSE:
        raise ProgrammeBudgetError("Une dépense s'engage sur une ligne de dépenses, pas de recettes.")
    operation = operation or line.operation
    _check_expense_fields(line, operation, amount_ht, amount_ttc, committed_on)
    contract = _contract_link(line, contract, invoice)
    _check_credits(line, amount_ttc)
    expense = Expense(
        budget_line=line,
        operation=operation,
        contract=contract,
        invoice=invoice,
        label=label,
        supplier=supplier,
        contract_reference=contract_reference,
        invoice_reference=invoice_reference,
        amount_ht=amount_ht,
        amount_ttc=amount_ttc,
        committed_on=committed_on,
        commitment_reference=commitment_reference,
        status=E.COMMITTED,
    )
    expense.full_clean()
    expense._history_user = by  # type: ignore[attr-defined]
    expense.save()
    StatusChange.objects.create(
        obj=expense, source="", target=E.COMMITTED, by=by, comment=f"Engagée le {committed_on:%d/%m/%Y}."
    )
    return expense


@transaction.atomic
def expense_update(
    *,
    expense: Expense,
    expected_version: int,
    by: User,
    label: str,
    supplier: str,
    amount_ht: Decimal,
    amount_ttc: Decimal,
    committed_on: datetime.date,
    commitment_reference: str,
    contract_reference: str,
    invoice_reference: str,
    operation: Operation | None,
    contract: Contract | None = None,
    invoice: Invoice | None = None,
) -> Expense:
    """Correct an expense. Its amounts and commitment date change only while it is merely committed (a
    liquidated expense's amount is the checked one); a larger amount is checked against the credits."""
    line = BudgetLine.objects.select_for_update().select_related("account").get(pk=expense.budget_line_id)
    current = Expense.objects.get(pk=expense.pk)
    if current.status != E.COMMITTED and (
        amount_ht != current.amount_ht
        or amount_ttc != current.amount_ttc
        or committed_on != current.committed_on
    ):
        raise ProgrammeBudgetError(
            f"La dépense est « {current.get_status_display()} » : son montant et sa date d'engagement ne "
            "changent plus."
        )
    if current.status == E.CANCELLED:
        raise ProgrammeBudgetError("Une dépense annulée ne se modifie plus.")
    _check_expense_fields(line, operation, amount_ht, amount_ttc, committed_on)
    contract = _contract_link(line, contract, invoice, exclude=current)
    if amount_ttc > current.amount_ttc:
        _check_credits(line, amount_ttc, exclude=current)
    if current.liquidated_on and committed_on > current.liquidated_on:
        raise ValidationError({"committed_on": "L'engagement ne peut pas suivre la liquidation."})
    return save_versioned(
        current,
        expected_version=expected_version,
        by=by,
        changes={
            "label": label,
            "supplier": supplier,
            "amount_ht": amount_ht,
            "amount_ttc": amount_ttc,
            "committed_on": committed_on,
            "commitment_reference": commitment_reference,
            "contract_reference": contract_reference,
            "invoice_reference": invoice_reference,
            "operation": operation,
            "contract": contract,
            "invoice": invoice,
        },
    )


EXPENSE_TRANSITIONS: dict[str, frozenset[str]] = {
    E.COMMITTED: frozenset({E.LIQUIDATED, E.CANCELLED}),
    E.LIQUIDATED: frozenset({E.ORDERED, E.CANCELLED}),
    E.ORDERED: frozenset({E.PAID}),  # a payment order is cancelled by a reversal, not here
    E.PAID: frozenset(),
    E.CANCELLED: frozenset(),
}

# The date field each step fills, and the step before it (whose date it may not precede).
STEP_DATE = {E.LIQUIDATED: "liquidated_on", E.ORDERED: "ordered_on", E.PAID: "paid_on"}
PREVIOUS_DATE = {
    E.LIQUIDATED: ("committed_on", "l'engagement"),
    E.ORDERED: ("liquidated_on", "la liquidation"),
    E.PAID: ("ordered_on", "le mandatement"),
}


def expense_targets(status: str) -> list[str]:
    return sorted(EXPENSE_TRANSITIONS[status], key=E.values.index)


def _check_step(expense: Expense, to: str) -> None:
    if to not in E.values:
        raise ProgrammeBudgetError(f"Étape inconnue : « {to} ».")
    source = expense.status
    if to in EXPENSE_TRANSITIONS[source]:
        return
    if to == E.CANCELLED and source in {E.ORDERED, E.PAID}:
        raise ProgrammeBudgetError(
            f"La dépense est déjà « {E(source).label} » : un mandat émis ne s'annule pas ici (annulation ou "
            "réduction de mandat auprès du comptable)."
        )
    if not EXPENSE_TRANSITIONS[source]:
        raise ProgrammeBudgetError(
            f"La dépense est « {E(source).label} » : plus aucune étape n'est possible."
        )
    allowed = ", ".join(f"« {E(t).label} »" for t in expense_targets(source))
    raise ProgrammeBudgetError(
        f"La dépense ne peut pas passer de « {E(source).label} » à « {E(to).label} » ; étapes possibles : "
        f"{allowed}."
    )


@transaction.atomic
def expense_advance(
    *,
    expense: Expense,
    to: str,
    date: datetime.date,
    by: User,
    reference: str = "",
    comment: str = "",
    expected_version: int | None = None,
) -> Expense:
    """Move an expense one step along the chain: liquidated (service done, on `date`), ordered (mandat
    number `reference`), paid; or cancelled (before the payment order). Each date is on or after the previous
    step's. A payment order on an AP line needs the CP of its year not yet mandated."""
    current = Expense.objects.select_for_update().select_related("budget_line").get(pk=expense.pk)
    if expected_version is not None and current.version != expected_version:
        # Let save_versioned describe what changed.
        save_versioned(current, expected_version=expected_version, changes={})
    _check_step(current, to)
    changes: dict[str, object] = {"status": to}
    if to in STEP_DATE:
        previous_field, previous_label = PREVIOUS_DATE[to]
        previous = getattr(current, previous_field)
        if previous is not None and date < previous:
            raise ValidationError(
                {"date": f"Cette date ({date:%d/%m/%Y}) précède {previous_label} ({previous:%d/%m/%Y})."}
            )
        changes[STEP_DATE[to]] = date
    elif date < current.committed_on:
        raise ValidationError(
            {"date": f"Cette date ({date:%d/%m/%Y}) précède l'engagement ({current.committed_on:%d/%m/%Y})."}
        )
    if to == E.LIQUIDATED and reference.strip():
        changes["invoice_reference"] = reference.strip()
    if to == E.ORDERED:
        if not reference.strip():
            raise ValidationError({"reference": "Indiquez le numéro du mandat."})
        changes["payment_order_reference"] = reference.strip()
        authorisation = current.budget_line.authorisation
        if authorisation is not None:
            authorisation = _lock_authorisation(authorisation)
            credit = credit_of_year(authorisation, date.year) or ZERO
            mandated = mandated_on_authorisation(authorisation, date.year)
            if current.amount_ttc > credit - mandated:
                raise ProgrammeBudgetError(
                    f"Crédit de paiement {date.year} de l'AP {authorisation.number} insuffisant pour ce mandat : "
                    f"CP {_e(credit)}, déjà mandaté {_e(mandated)}, disponible {_e(credit - mandated)} ; "
                    f"mandat de {_e(current.amount_ttc)}."
                )
    source = current.status
    saved = save_versioned(current, expected_version=current.version, by=by, changes=changes)
    note = (
        comment.strip()
        or f"{E(to).label} le {date:%d/%m/%Y}"
        + (f" ({reference.strip()})" if reference.strip() else "")
        + "."
    )
    StatusChange.objects.create(obj=saved, source=source, target=to, by=by, comment=note)
    return saved


__all__ = [
    "AUTHORISATION_TRANSITIONS",
    "EXPENSE_TRANSITIONS",
    "ProgrammeBudgetError",
    "authorisation_amount",
    "authorisation_change_status",
    "authorisation_create",
    "authorisation_revise",
    "authorisation_update",
    "budget_line_create",
    "budget_line_update",
    "budget_owners",
    "committed_on_authorisation",
    "committed_on_line",
    "credits_set",
    "expense_advance",
    "expense_create",
    "expense_update",
    "line_remaining",
    "ppi_set",
]
