"""ARCHITECTURE.md §1: models depend downward, partners ← programmes ← operations ← budget. A lower app never
imports a higher app's modules (pages that combine apps read them from above, through selectors)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ["partners", "programmes", "operations", "budget"]


def _imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("app", LAYERS[:-1])
def test_a_lower_app_never_imports_a_higher_one(app: str) -> None:
    higher = set(LAYERS[LAYERS.index(app) + 1 :])
    offenders = sorted(
        f"{path.relative_to(ROOT)} → {', '.join(sorted(_imported_apps(path) & higher))}"
        for path in (ROOT / app).rglob("*.py")
        if _imported_apps(path) & higher
    )
    assert offenders == []
