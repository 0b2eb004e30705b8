"""The access matrix: every URL of the project, for every persona, answers the expected status.

Adding a URL without its row here fails `test_every_url_pattern_is_in_the_matrix`. Statuses:
200 page, 302 redirect (to the login page for the anonymous, to their space for a user), 403 in
scope without the right, 404 out of scope (indistinguishable from a missing page), 405 wrong method.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import PERSONAS, Territory

ANON, MAN, REF, MW, MP, OPE, PAR, OUT, STAFF = PERSONAS


@dataclass(frozen=True)
class Case:
    name: str
    kwargs: Callable[[Territory], dict[str, object]]
    expected: dict[str, int]
    label: str = ""


def every(status: int, **overrides: int) -> dict[str, int]:
    return {persona: overrides.get(persona, status) for persona in PERSONAS}


LOGGED_IN_ONLY = {ANON: 302}
NO_KWARGS: Callable[[Territory], dict[str, object]] = lambda t: {}

CASES = [
    # Home: one destination -> redirect there; several (or only housing programmes) -> the chooser.
    Case("home", NO_KWARGS, every(302, operator=200, staff=200)),
    Case("healthz", NO_KWARGS, every(200)),
    Case(
        "programme",
        lambda t: {"pk": t.programme.pk},
        every(404, anonymous=302, manager=200, referent=200, partner=200, staff=200),
    ),
    Case(
        "programme",
        lambda t: {"pk": t.other_programme.pk},
        every(404, anonymous=302, outsider=200, staff=200),
        label="another EPCI's programme",
    ),
    Case(
        "programmes:edit",
        lambda t: {"pk": t.programme.pk},
        every(404, anonymous=302, manager=200, referent=403, partner=403, staff=200),
    ),
    Case(
        "commune",
        lambda t: {"insee_code": "52550"},
        every(404, anonymous=302, manager=200, referent=200, mayor_of_wassy=200, partner=200, staff=200),
        label="Wassy",
    ),
    Case(
        "commune",
        lambda t: {"insee_code": "52331"},
        every(
            404,
            anonymous=302,
            manager=200,
            referent=200,
            mayor_of_la_porte_du_der=200,
            partner=200,
            staff=200,
        ),
        label="La Porte du Der",
    ),
    Case(
        "commune",
        lambda t: {"insee_code": "52448"},
        every(404, anonymous=302, staff=200),
        label="Saint-Dizier, in no programme",
    ),
    Case("commune", lambda t: {"insee_code": "99999"}, every(404, anonymous=302), label="unknown code"),
    Case("accounts:login", NO_KWARGS, every(302, anonymous=200)),
    Case("accounts:logout", NO_KWARGS, every(405)),  # POST only
    Case("accounts:password_reset", NO_KWARGS, every(200)),
    Case("accounts:password_reset_done", NO_KWARGS, every(200)),
    Case(
        "accounts:password_reset_confirm", lambda t: {"uidb64": "MQ", "token": "jeton-invalide"}, every(200)
    ),
    Case("accounts:password_reset_complete", NO_KWARGS, every(200)),
    Case("accounts:password_change", NO_KWARGS, every(200, **LOGGED_IN_ONLY)),
    Case("accounts:password_change_done", NO_KWARGS, every(200, **LOGGED_IN_ONLY)),
]

# The Django admin is staff-only as a whole: its index and every model's list and add pages are walked.
ADMIN_NAMESPACE = "admin"


def admin_cases() -> list[Case]:
    cases = [Case("admin:index", NO_KWARGS, every(302, staff=200))]
    superuser_request = SimpleNamespace(
        user=SimpleNamespace(is_active=True, is_superuser=True, has_perm=lambda *a: True)
    )
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        cases.append(
            Case(f"admin:{opts.app_label}_{opts.model_name}_changelist", NO_KWARGS, every(302, staff=200))
        )
        # Some logs (django-axes attempts) cannot be added by hand, even by staff.
        add_status = 200 if model_admin.has_add_permission(superuser_request) else 403
        cases.append(
            Case(f"admin:{opts.app_label}_{opts.model_name}_add", NO_KWARGS, every(302, staff=add_status))
        )
    for label in sorted({model._meta.app_label for model in admin.site._registry}):
        cases.append(
            Case("admin:app_list", lambda t, label=label: {"app_label": label}, every(302, staff=200), label)
        )
    return cases


def walk(resolver: URLResolver, namespace: str = "") -> Iterator[str]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry, inner)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}" if entry.name else f"{namespace}<sans nom: {entry.pattern}>"


def test_every_url_pattern_is_in_the_matrix() -> None:
    covered = {case.name for case in CASES}
    missing = sorted(
        name
        for name in set(walk(get_resolver()))
        if not name.startswith(f"{ADMIN_NAMESPACE}:") and name not in covered
    )
    assert missing == [], f"URLs sans ligne dans la matrice d'accès : {missing}"


def test_the_matrix_names_no_url_that_does_not_exist() -> None:
    names = set(walk(get_resolver()))
    assert {case.name for case in CASES} <= names


ALL_CASES = CASES + admin_cases()


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("case", ALL_CASES, ids=lambda c: f"{c.name}{'[' + c.label + ']' if c.label else ''}")
def test_access(persona: str, case: Case, territory: Territory, client_for: Callable) -> None:
    url = reverse(case.name, kwargs=case.kwargs(territory))
    response = client_for(persona).get(url)
    assert response.status_code == case.expected[persona], f"{persona} GET {url}"
    if response.status_code == 302 and persona == ANON and not case.name.startswith("admin:"):
        assert response["Location"].startswith(reverse("accounts:login"))
