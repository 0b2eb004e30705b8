"""Contract rows of the access matrix and the contract page tests, made on demand for one territory.

A works contract of a consultation for an operation of Wassy (mayor of Wassy reads it; the mayor of La Porte du
Der gets 404), with an invoice and a declared sub-contractor; the programme's readers read, its manager writes.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from operations.models import Contract, Invoice, Subcontractor
from tests.conftest import Territory
from tests.operations.factories import OperationFactory
from tests.operations.procurement_factories import (
    CompanyFactory,
    ConsultationFactory,
    ContractFactory,
    InvoiceFactory,
    LotFactory,
)

D = datetime.date


@dataclass
class ContractRows:
    contract: Contract
    invoice: Invoice
    subcontractor: Subcontractor


def wassy_contract(t: Territory, **contract: object) -> Contract:
    operation = OperationFactory(programme=t.programme, owner=t.wassy, communes=[t.wassy])
    consultation = ConsultationFactory(programme=t.programme, buyer=t.wassy, operations=[operation])
    lot = LotFactory(consultation=consultation, operation=operation)
    return ContractFactory(lot=lot, **contract)


def contract_rows(t: Territory) -> ContractRows:
    rows = getattr(t, "_contract_rows", None)
    if rows is None:
        contract = wassy_contract(t)
        invoice = InvoiceFactory(contract=contract, received_on=D(2026, 7, 1))
        subcontractor = Subcontractor.objects.create(
            contract=contract,
            organisation=CompanyFactory(name="Électricité Haut-Marnaise"),
            siret="12345678900011",
            scope="Éclairage public",
            amount_ttc=Decimal("18000.00"),
            declared_on=D(2026, 6, 1),
        )
        rows = ContractRows(contract, invoice, subcontractor)
        t._contract_rows = rows  # type: ignore[attr-defined]
    return rows
