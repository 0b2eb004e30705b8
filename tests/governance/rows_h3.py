"""H3 rows of the access matrix (tests/test_access_matrix.py): made on demand for one territory.

Arbitration notes of the territory's programme: a draft (managers only), one submitted to the élu référent, one
submitted to the comité de projet (its decision recorded by the manager), one decided (with its frozen snapshot),
and an alert of the programme (a note can be opened from it). Also the builders of the H3 tests: a note ready
to be submitted, submitted.
"""

import datetime
from dataclasses import dataclass

from pvd.accounts.models import User
from pvd.governance.models import (
    Alert,
    Arbitration,
    ArbitrationOption,
    ArbitrationStatus,
    CommitteeKind,
    DecisionLevel,
)
from pvd.governance.services import arbitrations as services
from tests.conftest import Territory
from tests.governance.factories import (
    PARIS,
    AlertFactory,
    ArbitrationFactory,
    ArbitrationOptionFactory,
    CommitteeFactory,
)
from tests.operations.factories import OperationFactory

SNAPSHOT = {
    "reference": "ARB-2026-104",
    "title": "Arbitrage décidé",
    "programme": "PVD Wassy et La Porte du Der",
    "source": "Sujet libre",
    "requested_by": "Camille Martin",
    "requested_on": "2026-11-02",
    "decision_level": "Élu(e) référent(e)",
    "committee": "",
    "due_on": "",
    "context": "Le contexte de l'arbitrage.",
    "question": "Quelle option retenir ?",
    "risk": None,
    "operations": [],
    "subsidy_requests": [],
    "contracts": [],
    "options": {},
    "recommended_option": "",
    "recommendation": "",
    "follow_up": "",
    "deliberation_needed": False,
    "decision": {
        "outcome": "rejected",
        "outcome_label": "Rejeté",
        "option": "",
        "option_title": "",
        "decided_by": "Jean-Marc Lefèvre, élu(e) référent(e)",
        "recorded_by": "Jean-Marc Lefèvre",
        "decided_at": "2026-11-10T09:00:00+01:00",
        "decided_on": "2026-11-10",
        "meeting": "",
        "comment": "Hors budget.",
        "conditions": "",
    },
}


@dataclass
class H3Rows:
    draft: Arbitration
    submitted: Arbitration
    body_submitted: Arbitration
    decided: Arbitration
    alert: Alert


def h3_rows(t: Territory) -> H3Rows:
    """The rows, created once per test (the territory object caches them)."""
    rows = getattr(t, "_h3_rows", None)
    if rows is None:
        committee = CommitteeFactory(
            programme=t.programme, kind=CommitteeKind.PROJECT_COMMITTEE, name="Comité de projet (H3)"
        )
        draft = ArbitrationFactory(programme=t.programme, reference="ARB-2026-101", title="Brouillon")
        submitted = ArbitrationFactory(
            programme=t.programme,
            reference="ARB-2026-102",
            title="Soumis à l'élu référent",
            status=ArbitrationStatus.SUBMITTED,
            submitted_at=datetime.datetime(2026, 11, 5, 9, 0, tzinfo=PARIS),
        )
        body_submitted = ArbitrationFactory(
            programme=t.programme,
            reference="ARB-2026-103",
            title="Soumis au comité de projet",
            status=ArbitrationStatus.SUBMITTED,
            decision_level=DecisionLevel.PROJECT_COMMITTEE,
            committee=committee,
            submitted_at=datetime.datetime(2026, 11, 6, 9, 0, tzinfo=PARIS),
        )
        decided = ArbitrationFactory(
            programme=t.programme,
            reference="ARB-2026-104",
            title="Arbitrage décidé",
            status=ArbitrationStatus.DECIDED,
            outcome="rejected",
            decided_at=datetime.datetime(2026, 11, 10, 9, 0, tzinfo=PARIS),
            decision_comment="Hors budget.",
            snapshot=SNAPSHOT,
        )
        alert = AlertFactory(programme=t.programme, title="Opération en retard")
        rows = H3Rows(draft, submitted, body_submitted, decided, alert)
        t._h3_rows = rows  # type: ignore[attr-defined]
    return rows


# --- Builders of the H3 tests ---


def ready_note(territory: Territory, manager: User, **fields: object) -> Arbitration:
    """A draft of the territory's programme with its question, two options (A, B), B recommended, an operation."""
    operation = fields.pop("operation", None) or OperationFactory(
        programme=territory.programme, code="W-03", title="Requalification de la place"
    )
    arbitration = ArbitrationFactory(
        programme=territory.programme,
        requested_by=manager,
        title=fields.pop("title", "Surcoût de la place"),
        decision_level=fields.pop("decision_level", DecisionLevel.REFERENT),
        **fields,
    )
    arbitration.operations.add(operation)
    ArbitrationOptionFactory(
        arbitration=arbitration, letter="A", title="Maintenir le projet", description="Tel quel."
    )
    option_b = ArbitrationOptionFactory(
        arbitration=arbitration, letter="B", title="Réduire le périmètre", description="Sans le parvis."
    )
    Arbitration.objects.filter(pk=arbitration.pk).update(
        recommendation="Retenir l'option B : elle tient l'enveloppe.", recommended_option=option_b
    )
    arbitration.refresh_from_db()
    return arbitration


def option(arbitration: Arbitration, letter: str) -> ArbitrationOption:
    return arbitration.options.get(letter=letter)


def submitted_note(territory: Territory, manager: User, **fields: object) -> Arbitration:
    return services.arbitration_submit(arbitration=ready_note(territory, manager, **fields), by=manager)
