"""The financing plan of an operation as a workbook, in the layout a finance department expects:
"Plan de financement" (heading: operation, owner, date; one row per line with base, rate, HT, TTC, status;
totals), "Contrôles" (each legal check with its result, figures and reference), "FCTVA et coût net"."""

from decimal import Decimal

from budget.selectors.financing import MoneyTab
from pvd.money import format_euros, format_percent
from pvd.xlsx import Column, Sheet, workbook


def _heading(tab: MoneyTab, what: str) -> list[str]:
    operation = tab.operation
    lines = [
        f"{what} — {operation.code} {operation.title}",
        f"Programme : {operation.programme.name}",
        f"Maître d'ouvrage : {operation.owner.name}",
        f"Établi le {tab.day:%d/%m/%Y}",
    ]
    if tab.plan is not None:
        plan = tab.plan
        lines.append(
            f"Dépense éligible : {format_euros(plan.eligible_cost_ht)} HT ; {format_euros(plan.eligible_cost_ttc)} TTC"
        )
    else:
        lines.append("Aucun plan de financement n'est établi pour cette opération.")
    return lines


def _lines_sheet(tab: MoneyTab) -> Sheet:
    default_base = tab.plan.eligible_cost_ht if tab.plan is not None else None

    def base(line: object) -> Decimal | None:
        return line.base_ht if line.base_ht is not None else default_base

    def rate(line: object) -> Decimal | None:
        value = base(line)
        return line.amount_ht / value if value else None

    columns = [
        Column("Financeur", lambda line: line.funder.name, width=32),
        Column("Dispositif", lambda line: line.scheme.name if line.scheme_id else "", width=28),
        Column("Catégorie", lambda line: line.get_category_display(), width=30),
        Column("Précision", lambda line: line.label, width=24),
        Column("Assiette éligible (€ HT)", base),
        Column("Taux", rate, width=10, percent=True),
        Column("Montant (€ HT)", lambda line: line.amount_ht, total=True),
        Column("Montant (€ TTC)", lambda line: line.amount_ttc, total=True),
        Column("Statut", lambda line: line.get_status_display(), width=12),
        Column(
            "Compté au plan", lambda line: "Non (refusé)" if line.status == "refused" else "Oui", width=14
        ),
    ]
    return Sheet("Plan de financement", columns, tab.lines, heading=_heading(tab, "Plan de financement"))


def _checks_sheet(tab: MoneyTab) -> Sheet:
    columns = [
        Column("Contrôle", lambda check: check.title, width=45),
        Column("Résultat", lambda check: check.state_label, width=16),
        Column("Détail", lambda check: check.message, width=90),
        Column("Référence", lambda check: check.legal_reference, width=40),
    ]
    heading = [
        *_heading(tab, "Contrôles du plan de financement"),
        "Lignes comptées : envisagées, demandées et accordées (les lignes refusées sont exclues).",
    ]
    return Sheet("Contrôles", columns, tab.checks, heading=heading)


def _fctva_sheet(tab: MoneyTab) -> Sheet:
    estimate, net = tab.estimate, tab.net
    rows: list[tuple[str, object, str]] = []
    if estimate is not None and net is not None:
        rows.append(("Dépense éligible TTC", estimate.eligible_cost_ttc, ""))
        rows.append(("Part non éligible au FCTVA", estimate.excluded_ttc, tab.plan.fctva_exclusion_reason))
        rows.append(("Assiette du FCTVA", estimate.base_ttc, ""))
        for year in estimate.years:
            spent = f"dépense {year.spending_year}" if year.spending_year else "année de dépense inconnue"
            received = (
                f"versé en {year.received_year}" if year.received_year else "année de versement inconnue"
            )
            rate = f"taux {format_percent(year.rate, 3)}" if year.rate is not None else "taux inconnu"
            rows.append((f"FCTVA — {spent}, {received}", year.amount, f"{rate} ; {year.rate_reference}"))
        rows.append(
            ("FCTVA estimé (total)", estimate.total, "" if estimate.complete else "Estimation incomplète")
        )
        for problem in estimate.problems:
            rows.append(("À compléter", None, problem))
        rows.append(("Subventions accordées (TTC)", net.grants_granted, ""))
        rows.append(("Subventions du plan, non refusées (TTC)", net.grants_planned, ""))
        rows.append(
            ("Coût net — subventions accordées seulement", net.net_granted, "TTC − accordées − FCTVA")
        )
        rows.append(
            ("Coût net — toutes les lignes non refusées", net.net_planned, "TTC − non refusées − FCTVA")
        )
    columns = [
        Column("Poste", lambda row: row[0], width=50),
        Column("Montant (€)", lambda row: row[1], width=18),
        Column("Précision", lambda row: row[2], width=70),
    ]
    return Sheet("FCTVA et coût net", columns, rows, heading=_heading(tab, "FCTVA et coût net"))


def plan_xlsx(tab: MoneyTab) -> bytes:
    return workbook([_lines_sheet(tab), _checks_sheet(tab), _fctva_sheet(tab)])
