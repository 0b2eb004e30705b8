"""Consultation rows of the access matrix and the page tests, made on demand for one territory.

A works consultation of Wassy (buyer Wassy, for an operation of Wassy) with one lot: the mayor of Wassy reads
it, the mayor of La Porte du Der does not see it (404), the programme's readers read it, its manager edits it.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from operations.models import Consultation, Lot, Operation
from operations.procurement.services import consultations as services
from tests.conftest import Territory
from tests.factories import UserFactory
from tests.operations.factories import OperationFactory


@dataclass
class ConsultationRows:
    operation: Operation
    consultation: Consultation
    lot: Lot


def wassy_consultation(t: Territory, by, *, reference: str = "2026-PL01", **data: object) -> Consultation:
    operation = data.pop("operation", None) or OperationFactory(
        programme=t.programme, owner=t.wassy, communes=[t.wassy], title="Place de Wassy"
    )
    fields = {
        "title": "Réaménagement de la place de Wassy",
        "buyer": t.wassy,
        "nature": "works",
        "estimated_value_ht": Decimal("450000.00"),
        "launch_date": datetime.date(2026, 3, 2),
        "cpv_code": "45233140",
        **data,
    }
    return services.consultation_create(
        programme=t.programme, by=by, reference=reference, operations=[operation], **fields
    )


def consultation_rows(t: Territory) -> ConsultationRows:
    rows = getattr(t, "_consultation_rows", None)
    if rows is None:
        consultation = wassy_consultation(t, UserFactory(full_name="Saisie initiale"))
        rows = ConsultationRows(consultation.operations.get(), consultation, consultation.lots.get())
        t._consultation_rows = rows  # type: ignore[attr-defined]
    return rows
