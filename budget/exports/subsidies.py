"""The subsidies pipeline as a workbook (pvd/xlsx.py): the requests with their amounts, the payments, the
deadlines to come — the same filters as the page."""

import datetime

from budget.models import SubsidyPayment
from budget.selectors.subsidies import Pipeline
from programmes.models import Programme
from pvd.xlsx import Column, Sheet, workbook


def _operations(request: object) -> str:
    return ", ".join(a.operation.code for a in request.allocations.all())


def subsidies_xlsx(
    programme: Programme,
    pipeline: Pipeline,
    payments: list[SubsidyPayment],
    *,
    day: datetime.date,
    user: object,
) -> bytes:
    who = getattr(user, "get_full_name", lambda: "")() or getattr(user, "email", "")
    heading = [
        f"Demandes de subvention — {programme.name}",
        f"Extraction du {day:%d/%m/%Y} par {who}",
    ]
    titles = {r.pk: r.title for r in pipeline.requests}
    requests = Sheet(
        "Demandes",
        [
            Column("Objet", lambda r: r.title, 40),
            Column("Financeur", lambda r: r.funder.name, 28),
            Column("Dispositif", lambda r: r.scheme.name if r.scheme_id else "", 24),
            Column("Bénéficiaire", lambda r: r.beneficiary.name, 24),
            Column("Opérations", _operations, 18),
            Column("Statut", lambda r: r.get_status_display(), 18),
            Column("Référence du dossier", lambda r: r.platform_reference, 18),
            Column("Dépôt", lambda r: r.filed_on, 12),
            Column("Décision", lambda r: r.decided_on, 12),
            Column("Notification", lambda r: r.notified_on, 12),
            Column("Commencement", lambda r: r.started_on, 12),
            Column("Achèvement", lambda r: r.completed_on, 12),
            Column("Assiette demandée (€ HT)", lambda r: r.requested_base_ht, 16),
            Column("Montant demandé", lambda r: r.requested_amount, 16, total=True),
            Column("Montant attribué (réductions déduites)", lambda r: r.effective_award, 18, total=True),
            Column("Taux attribué", lambda r: r.award_rate, 10, percent=True),
            Column("Encaissé (reversements déduits)", lambda r: r.net_received, 18, total=True),
            Column("Reste à percevoir", lambda r: r.remaining, 16, total=True),
        ],
        pipeline.requests,
        heading,
    )
    payment_sheet = Sheet(
        "Versements",
        [
            Column("Demande", lambda p: p.request.title, 40),
            Column("Financeur", lambda p: p.request.funder.name, 28),
            Column("Nature", lambda p: p.get_kind_display(), 12),
            Column("Montant", lambda p: p.amount, 16, total=True),
            Column("Demandé le", lambda p: p.requested_on, 12),
            Column("Encaissé le", lambda p: p.received_on, 12),
            Column("Titre de recette", lambda p: p.revenue_order_reference, 18),
        ],
        payments,
        heading,
    )
    deadlines = Sheet(
        "Échéances",
        [
            Column("Demande", lambda d: titles.get(d.request_id, d.request_title), 40),
            Column("Échéance", lambda d: d.label, 36),
            Column("Date limite", lambda d: d.due_on, 12),
            Column("Alerte à partir du", lambda d: d.warn_from, 12),
            Column("État", lambda d: d.status_label, 16),
            Column("Règle", lambda d: d.rule, 60),
        ],
        pipeline.deadlines,
        heading,
    )
    return workbook([requests, payment_sheet, deadlines])
