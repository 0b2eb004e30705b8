"""Strategy rows of the access matrix (tests/test_access_matrix.py): made on demand for one territory.

A document of the programme with a file, a stake and a need of Wassy: the mayor of Wassy reads them,
the mayor of La Porte du Der does not see the stake and the need (404) but reads the programme's document.
"""

from dataclasses import dataclass

from programmes.models import EngineeringNeed, Stake, StrategicDocument
from tests.conftest import Territory
from tests.programmes.factories import DocumentFactory, NeedFactory, StakeFactory, pdf_file


@dataclass
class StrategyRows:
    document: StrategicDocument
    stake: Stake
    need: EngineeringNeed


def strategy_rows(t: Territory) -> StrategyRows:
    """The rows, created once per test (the territory object caches them)."""
    rows = getattr(t, "_strategy_rows", None)
    if rows is None:
        document = DocumentFactory(programme=t.programme, title="Étude commerce de Wassy", file=pdf_file())
        stake = StakeFactory(programme=t.programme, commune=t.wassy, title="Vacance commerciale à Wassy")
        need = NeedFactory(programme=t.programme, commune=t.wassy, title="Étude de stationnement à Wassy")
        rows = StrategyRows(document, stake, need)
        t._strategy_rows = rows  # type: ignore[attr-defined]
    return rows
