"""The XLSX of the programme's procurement list: one row per consultation (the filtered list), typed cells
(amounts in euros, dates as dates), a total of the estimated values, and the coming deadlines on a second sheet."""

import datetime

from operations.procurement.models import Procedure, PublicityLevel
from operations.procurement.selectors.consultations import ProcurementList
from programmes.models import Programme
from pvd.xlsx import Column, Sheet, workbook


def _label(choices: type, value: str) -> str:
    return choices(value).label if value else ""


def procurement_xlsx(programme: Programme, data: ProcurementList, *, day: datetime.date) -> bytes:
    heading = [f"Marchés publics — {programme.name}", f"Extraction du {day:%d/%m/%Y}"]
    consultations = Sheet(
        "Consultations",
        [
            Column("Référence", lambda r: r.consultation.reference, 14),
            Column("Objet", lambda r: r.consultation.title, 40),
            Column("Acheteur", lambda r: r.consultation.buyer.name, 24),
            Column("Nature", lambda r: r.consultation.get_nature_display(), 14),
            Column("Code CPV", lambda r: r.consultation.cpv_code, 12),
            Column("Valeur estimée (€ HT)", lambda r: r.consultation.estimated_value_ht, 18, total=True),
            Column("Date de lancement", lambda r: r.consultation.launch_date, 14),
            Column("Procédure requise", lambda r: _label(Procedure, r.consultation.computed_procedure), 28),
            Column(
                "Publicité requise", lambda r: _label(PublicityLevel, r.consultation.computed_publicity), 28
            ),
            Column("Procédure retenue", lambda r: r.consultation.get_procedure_display(), 28),
            Column("Fondement", lambda r: r.consultation.procedure_ground, 24),
            Column("Statut", lambda r: r.consultation.get_status_display(), 20),
            Column("Publication", lambda r: r.consultation.published_on, 14),
            Column(
                "Remise des offres",
                lambda r: r.consultation.offers_deadline.date() if r.consultation.offers_deadline else None,
                14,
            ),
            Column("Prochaine échéance", lambda r: r.next_deadline.label if r.next_deadline else "", 28),
            Column("Due le", lambda r: r.next_deadline.due_on if r.next_deadline else None, 14),
            Column("État", lambda r: r.next_deadline.status_label if r.next_deadline else "", 14),
        ],
        data.rows,
        heading,
    )
    calendar = Sheet(
        "Échéances",
        [
            Column("Due le", lambda i: i.due_on, 14),
            Column("Consultation", lambda i: i.consultation_title, 40),
            Column("Échéance", lambda i: i.label, 30),
            Column("État", lambda i: i.status_label, 14),
            Column("Détail", lambda i: i.detail, 40),
            Column("Règle", lambda i: i.rule, 60),
        ],
        [item for month in data.calendar for item in month.items],
        heading,
    )
    return workbook([consultations, calendar])
