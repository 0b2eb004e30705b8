"""Browser journeys: Playwright drives Debian's Chromium against pytest-django's live server.

STYLE.md §5 "Pitfalls": the ORM must accept being called while Playwright's sync API runs its event
loop, Chromium is the system one (never `playwright install`), and axe-core runs on every page visited.

Without a `chromium` binary every test here is skipped, unless PVD_REQUIRE_BROWSER=1 (CI): then each one
fails, so a missing browser can never pass silently for a green run.

Static files: pytest-django's live server wraps the site in django.contrib.staticfiles' StaticFilesHandler,
which serves /static/ from the finders (static/ and the apps) even with DEBUG=false: no collectstatic, no
WhiteNoise needed. `served_files` fails a test on any /static/ response but 200, and `axe` first checks that
every stylesheet of the page applied, since the contrast rules are only meaningful with our CSS.
"""

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, Response

# Playwright's sync API runs an event loop in this thread; without this the ORM raises
# SynchronousOnlyOperation in fixtures and assertions that touch the database.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

E2E_DIR = Path(__file__).resolve().parent
AXE_JS = E2E_DIR / "vendor" / "axe.min.js"
CHROMIUM = shutil.which("chromium")
BROWSER_REQUIRED = os.environ.get("PVD_REQUIRE_BROWSER") == "1"

NO_BROWSER_SKIP = (
    "no `chromium` on PATH (Debian package `chromium`); set PVD_REQUIRE_BROWSER=1 to fail instead"
)
NO_BROWSER_FAIL = (
    "PVD_REQUIRE_BROWSER=1 but no `chromium` executable was found on PATH: install Debian's `chromium` "
    "package (never `playwright install`) or unset PVD_REQUIRE_BROWSER to skip the browser tests."
)


def _is_e2e(item: pytest.Item) -> bool:
    return E2E_DIR in Path(item.path).resolve().parents


def _fail_without_browser() -> None:
    pytest.fail(NO_BROWSER_FAIL, pytrace=False)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # A conftest hook sees every collected item of the session, not only this directory's.
    for index, item in enumerate(items):
        if not _is_e2e(item):
            continue
        if CHROMIUM is None and BROWSER_REQUIRED and isinstance(item, pytest.Function):
            # Same test id, but a body that fails at once and no fixtures: the session's `browser` fixture
            # would otherwise look for Playwright's own (absent) Chromium and bury this message under a
            # "run playwright install" hint, as a setup error rather than a failed test.
            item = items[index] = pytest.Function.from_parent(
                item.parent, name=item.name, originalname=item.originalname, callobj=_fail_without_browser
            )
        item.add_marker(pytest.mark.browser)
        if CHROMIUM is None and not BROWSER_REQUIRED:
            item.add_marker(pytest.mark.skip(reason=NO_BROWSER_SKIP))


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, object]:
    return {
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture
def served_files(page: Page) -> Iterator[list[Response]]:
    """Every /static/ response the page loads; the test fails at teardown if one of them was not a 200."""
    responses: list[Response] = []
    page.on("response", lambda response: responses.append(response) if "/static/" in response.url else None)
    yield responses
    failed = [f"{response.status} {response.url}" for response in responses if response.status != 200]
    assert not failed, "Static files not served to the browser:\n" + "\n".join(failed)


def _describe(violation: dict) -> str:
    lines = [f"- {violation['id']} ({violation['impact']}): {violation['help']} — {violation['helpUrl']}"]
    for node in violation["nodes"]:
        target = " ".join(str(part) for part in node["target"])
        summary = " ".join(node.get("failureSummary", "").split())
        lines.append(f"    {target}  {summary}")
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    """Run axe-core (vendored, 4.14.1) on the page; fail on any serious or critical violation."""
    # Contrast rules are only meaningful with our stylesheets applied: each one must have loaded.
    sheets = page.evaluate(
        "() => [...document.querySelectorAll('link[rel=stylesheet]')]"
        ".map(link => [link.href, link.sheet ? link.sheet.cssRules.length : 0])"
    )
    assert sheets and all(rules for _, rules in sheets), f"Stylesheets not loaded on {page.url}: {sheets}"
    page.add_script_tag(path=str(AXE_JS))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    blocking = [v for v in results["violations"] if v["impact"] in {"serious", "critical"}]
    assert not blocking, f"axe-core: serious/critical violations on {page.url}:\n" + "\n".join(
        _describe(v) for v in blocking
    )


@pytest.fixture
def axe() -> Callable[[Page], None]:
    """axe(page): the accessibility check every journey runs on each page it visits."""
    return assert_accessible
