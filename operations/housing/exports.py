"""The XLSX of a housing programme's results: targets against files filed, approved and paid per category and
year; aid committed and paid against the works envelopes per funder and year; energy results. The cells come
from `selectors.results` already masked (« < 5 », amount « masqué ») for readers of aggregates only: the
export shows exactly what the page shows, never a name, an address or an income.
"""

import datetime

from operations.housing.selectors.results import ProgrammeResults
from pvd.money import format_percent
from pvd.xlsx import Column, Sheet, workbook


def results_xlsx(results: ProgrammeResults, *, today: datetime.date) -> bytes:
    hp = results.housing_programme
    heading = [
        f"{hp.get_kind_display()} — {hp.name}",
        f"Objectifs et réalisations, édité le {today:%d/%m/%Y}",
    ]
    if results.masked:
        heading.append(
            "Agrégats anonymisés : une case de 1 à 4 ménages est masquée (« < 5 ») avec son montant."
        )
    target_rows = [(row, year) for row in results.categories for year in [*row.years, row.total]]
    targets = Sheet(
        title="Objectifs",
        heading=heading,
        columns=[
            Column("Catégorie", lambda r: r[0].label, width=40),
            Column("Année", lambda r: r[1].year or "Total", width=10),
            Column("Unité", lambda r: r[0].unit, width=12),
            Column("Objectif", lambda r: r[1].target, width=12),
            Column("Déposés", lambda r: r[1].filed.export(), width=12),
            Column("Agréés", lambda r: r[1].approved.export(), width=12),
            Column("Soldés", lambda r: r[1].paid.export(), width=12),
        ],
        rows=target_rows,
    )
    fund_rows = [(row, year) for row in results.funders for year in [*row.years, row.total]]
    funds = Sheet(
        title="Aides et enveloppes",
        heading=heading,
        columns=[
            Column("Financeur", lambda r: r[0].funder.name, width=40),
            Column("Année", lambda r: r[1].year or "Total", width=10),
            Column("Enveloppe travaux", lambda r: r[1].envelope),
            Column("Ménages (aides engagées)", lambda r: r[1].committed.export()),
            Column("Aides engagées", lambda r: r[1].committed.export_amount()),
            Column("Ménages (versements)", lambda r: r[1].paid.export()),
            Column("Aides versées", lambda r: r[1].paid.export_amount()),
        ],
        rows=fund_rows,
    )
    energy = results.energy
    energy_rows = [
        ("Dossiers agréés avec étiquettes avant et après", energy.files.export()),
        (
            "Gain énergétique moyen",
            format_percent(energy.mean_gain, 1) if energy.mean_gain is not None else "—",
        ),
        ("Dossiers gagnant au moins 2 classes", energy.two_classes_or_more.export()),
        *[(f"Saut de {jump} classe(s)", cell.export()) for jump, cell in energy.jumps],
    ]
    energy_sheet = Sheet(
        title="Énergie",
        heading=heading,
        columns=[Column("Indicateur", lambda r: r[0], width=50), Column("Valeur", lambda r: r[1], width=16)],
        rows=energy_rows,
    )
    return workbook([targets, funds, energy_sheet])
