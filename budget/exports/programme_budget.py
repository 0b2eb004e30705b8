"""XLSX exports of the programme budget in the layout a finance department expects: a heading (collectivité,
programme, exercice, date d'édition), one sheet per table of the page, accounts with their chapter, amounts
as numbers in euros, a total row (pvd/xlsx.py)."""

from budget.selectors.programme_budget import CarryForward, ProgrammeBudgetPage
from programmes.models import Programme
from pvd.accounts import policy
from pvd.xlsx import Column, Sheet, workbook


def heading(programme: Programme, year: int, subject: str) -> list[str]:
    return [
        subject,
        f"Collectivité : {programme.epci.name if programme.epci_id else '—'}",
        f"Programme : {programme.name}",
        f"Exercice : {year}",
        f"Édité le {policy.today():%d/%m/%Y}",
    ]


def _line_columns(expense: bool) -> list[Column]:
    columns = [
        Column("Budget de", lambda r: r.organisation.name, 28),
        Column("Section", lambda r: r.get_section_display(), 16),
        Column("Chapitre", lambda r: r.account.chapter, 10),
        Column("Compte", lambda r: r.account.code, 10),
        Column("Libellé", lambda r: r.label, 36),
        Column("Opération", lambda r: r.operation.code if r.operation_id else "", 12),
        Column("AP", lambda r: r.authorisation.number if r.authorisation_id else "", 12),
        Column("Budget primitif", lambda r: r.voted_amount, total=True),
        Column("Décisions modificatives", lambda r: r.amendments_amount, total=True),
        Column("Crédits ouverts", lambda r: r.credits, total=True),
    ]
    if expense:
        columns += [
            Column("Engagé", lambda r: r.committed, total=True),
            Column("Liquidé", lambda r: r.liquidated, total=True),
            Column("Mandaté", lambda r: r.ordered, total=True),
            Column("Payé", lambda r: r.paid, total=True),
            Column("Disponible", lambda r: r.remaining, total=True),
        ]
    else:
        columns += [
            Column("Titres émis (encaissés)", lambda r: r.titles, total=True),
            Column("Reste à recouvrer", lambda r: r.to_collect, total=True),
        ]
    return columns


def _carry_forward_columns() -> list[Column]:
    return [
        Column("Budget de", lambda e: e.budget_line.organisation.name, 28),
        Column("Exercice de la ligne", lambda e: e.budget_line.year, 10),
        Column("Chapitre", lambda e: e.budget_line.account.chapter, 10),
        Column("Compte", lambda e: e.budget_line.account.code, 10),
        Column("Ligne", lambda e: e.budget_line.label, 30),
        Column(
            "AP", lambda e: e.budget_line.authorisation.number if e.budget_line.authorisation_id else "", 12
        ),
        Column("Opération", lambda e: e.operation.code if e.operation_id else "", 12),
        Column("Objet", lambda e: e.label, 34),
        Column("Tiers", lambda e: e.supplier, 26),
        Column("N° d'engagement", lambda e: e.commitment_reference, 16),
        Column("Marché ou bon de commande", lambda e: e.contract_reference, 18),
        Column("Engagée le", lambda e: e.committed_on, 12),
        Column("Statut", lambda e: e.get_status_display(), 16),
        Column("Reste à réaliser (€ TTC)", lambda e: e.amount_ttc, total=True),
    ]


def _chart_rows(years: list[int], series: list) -> list[tuple]:
    return [(year, [s.values[i] for s in series]) for i, year in enumerate(years)]


def _chart_columns(series: list) -> list[Column]:
    return [
        Column("Année", lambda r: r[0], 10),
        *[Column(s.label, lambda r, i=i: r[1][i], 22, total=True) for i, s in enumerate(series)],
    ]


def programme_budget_sheets(page: ProgrammeBudgetPage) -> list[Sheet]:
    programme, year = page.programme, page.year
    lines_expense = [line for g in page.expense_groups for line in g.lines]
    lines_revenue = [line for g in page.revenue_groups for line in g.lines]
    return [
        Sheet(
            "Dépenses",
            _line_columns(True),
            lines_expense,
            heading(programme, year, "Exécution des dépenses du programme"),
        ),
        Sheet(
            "Recettes",
            _line_columns(False),
            lines_revenue,
            heading(programme, year, "Exécution des recettes du programme"),
        ),
        Sheet(
            "AP-CP",
            [
                Column("Budget de", lambda a: a.organisation.name, 28),
                Column("N° d'AP", lambda a: a.number, 12),
                Column("Intitulé", lambda a: a.label, 36),
                Column("Statut", lambda a: a.get_status_display(), 12),
                Column("Votée le", lambda a: a.voted_on, 12),
                Column("Délibération", lambda a: a.deliberation_reference, 16),
                Column("Montant initial", lambda a: a.initial_amount, total=True),
                Column("Révisions", lambda a: a.revisions_total, total=True),
                Column("Montant de l'AP", lambda a: a.amount, total=True),
                Column(f"CP {year}", lambda a: a.credit_year, total=True),
                Column(f"CP {year} consommés (mandatés)", lambda a: a.consumed_year, total=True),
                Column("Engagé (cumul)", lambda a: a.committed_total, total=True),
                Column("Payé (cumul)", lambda a: a.paid_total, total=True),
                Column("Reste à engager", lambda a: a.remaining, total=True),
            ],
            page.authorisations,
            heading(programme, year, "Autorisations de programme et crédits de paiement"),
        ),
        Sheet(
            "Opérations",
            [
                Column("Code", lambda o: o.code, 10),
                Column("Opération", lambda o: o.title, 40),
                Column(f"PPI {year}", lambda o: o.ppi_year, total=True),
                Column(f"Crédits {year}", lambda o: o.credits_year, total=True),
                Column("Engagé", lambda o: o.committed_year, total=True),
                Column("Payé", lambda o: o.paid_year, total=True),
                Column("PPI (toutes années)", lambda o: o.ppi_total, total=True),
            ],
            page.operations,
            heading(programme, year, "Budget par opération"),
        ),
        Sheet(
            "Restes à réaliser",
            _carry_forward_columns(),
            page.carry_forward.expenses,
            heading(programme, year, f"Restes à réaliser au 31/12/{year}"),
        ),
        Sheet(
            "Financements par année",
            _chart_columns(page.funding.series),
            _chart_rows(page.funding.years, page.funding.series),
            heading(programme, year, "Financements attendus par catégorie et par année (€ TTC)"),
        ),
        Sheet(
            "Prévu et réalisé",
            _chart_columns(page.planned.series),
            _chart_rows(page.planned.years, page.planned.series),
            heading(programme, year, "Prévu (PPI), crédits de paiement et payé par année (€ TTC)"),
        ),
    ]


def programme_budget_xlsx(page: ProgrammeBudgetPage) -> bytes:
    return workbook(programme_budget_sheets(page))


def carry_forward_xlsx(programme: Programme, rows: CarryForward) -> bytes:
    return workbook(
        [
            Sheet(
                "Restes à réaliser",
                _carry_forward_columns(),
                rows.expenses,
                heading(programme, rows.year, f"Restes à réaliser au 31/12/{rows.year}"),
            )
        ]
    )
