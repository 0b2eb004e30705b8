"""Page-shaped reads of conventions (issue 9, H1): the lists of a programme's or a housing programme's conventions
(avenants grouped under the convention they amend, with the reference of the version in force), a convention's
page (status card with the conditions of each next status, parties with the state of their deliberation, issued
versions, avenants, transitions) and a signatory fetched for a write.

Everything goes through the access policy (404 out of scope); the number of queries does not grow with the
number of conventions, signatories or versions.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.http import Http404
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from operations.conventions.models import (
    SIGNED_STATUSES,
    Convention,
    ConventionStatus,
    ConventionVersion,
    Signatory,
)
from operations.conventions.services.conventions import TRANSITIONS, Check, status_checks, version_in_force
from operations.conventions.snapshot import rendered_articles, take_snapshot
from operations.models import HousingProgramme
from programmes.models import Deliberation, Programme
from pvd.accounts import policy
from pvd.accounts.models import User
from pvd.models import StatusChange

ARTICLES_PARTIAL = "operations/conventions/partials/_articles.html"
# Statuses in which a version may still be issued (then the text is frozen).
ISSUABLE_STATUSES = frozenset({ConventionStatus.DRAFT, ConventionStatus.REVIEW, ConventionStatus.APPROVED})


# --- The programme a list belongs to -------------------------------------------------------------------------


def programme_for_conventions(user: User, pk: int) -> Programme:
    """The programme if the user reads its conventions list (its readers, the mayors of its communes), or 404."""
    try:
        return policy.strategy_programmes(Programme.objects.select_related("epci"), user).get(pk=pk)
    except Programme.DoesNotExist as error:
        raise Http404("Aucun objet ne correspond à votre demande.") from error


def housing_programme_for_conventions(user: User, pk: int) -> HousingProgramme:
    return policy.get_for_user(HousingProgramme.objects.select_related("programme", "owner"), user, pk=pk)


# --- Lists ---------------------------------------------------------------------------------------------------


@dataclass
class ConventionRow:
    convention: Convention
    in_force_reference: str = ""
    amendments: list["ConventionRow"] = field(default_factory=list)


def _in_force_references(conventions: list[Convention]) -> dict[int, str]:
    """The reference of the version in force of each convention (one query): for a convention, the signed version
    of its latest signed avenant, else its own signed version (as `version_in_force`); for an avenant, its own."""
    ids = [c.pk for c in conventions]
    rows = (
        ConventionVersion.objects.filter(signed=True)
        .filter(Q(convention_id__in=ids) | Q(convention__parent_id__in=ids))
        .order_by()
        .values_list(
            "convention_id",
            "convention__parent_id",
            "convention__status",
            "convention__amendment_number",
            "reference",
        )
    )
    own: dict[int, str] = {}
    latest_amendment: dict[int, tuple[int, str]] = {}
    for convention_id, parent_id, status, number, reference in rows:
        own[convention_id] = reference
        in_force = parent_id is not None and status in (ConventionStatus.SIGNED, ConventionStatus.IN_FORCE)
        if in_force and (number or 0) > latest_amendment.get(parent_id, (-1, ""))[0]:
            latest_amendment[parent_id] = (number or 0, reference)
    references = {}
    for convention in conventions:
        if not convention.is_amendment and convention.pk in latest_amendment:
            references[convention.pk] = latest_amendment[convention.pk][1]
        else:
            references[convention.pk] = own.get(convention.pk, "")
    return references


def convention_rows(conventions: QuerySet[Convention], user: User) -> list[ConventionRow]:
    """The conventions the user sees, each followed by its avenants (an avenant whose convention the user does not
    see is listed on its own). Two queries."""
    visible = list(policy.visible_to(conventions, user).order_by("pk"))
    references = _in_force_references(visible)
    rows = {c.pk: ConventionRow(c, references[c.pk]) for c in visible}
    top: list[ConventionRow] = []
    for convention in visible:
        row = rows[convention.pk]
        if convention.parent_id is not None and convention.parent_id in rows:
            rows[convention.parent_id].amendments.append(row)
        else:
            top.append(row)
    return top


def programme_conventions(user: User, programme: Programme) -> list[ConventionRow]:
    return convention_rows(Convention.objects.filter(programme=programme), user)


def housing_conventions(user: User, housing_programme: HousingProgramme) -> list[ConventionRow]:
    return convention_rows(Convention.objects.filter(housing_programme=housing_programme), user)


# --- A convention's page -------------------------------------------------------------------------------------


def deliberation_state(deliberation: Deliberation | None, on: datetime.date) -> str:
    """« exécutoire depuis le 13/03/2026 », « pas encore exécutoire : manque la publication »…"""
    if deliberation is None:
        return ""
    if deliberation.is_enforceable(on):
        return f"exécutoire depuis le {deliberation.enforceable_on:%d/%m/%Y}"
    missing = deliberation.missing_formalities
    if missing:
        return f"pas encore exécutoire : manque {' et '.join(missing)}"
    return f"exécutoire à partir du {deliberation.enforceable_on:%d/%m/%Y}"


@dataclass(frozen=True)
class StatusOption:
    """A status the convention may move to next, with its conditions today."""

    target: str
    label: str
    checks: list[Check]

    @property
    def blocking(self) -> list[Check]:
        return [check for check in self.checks if check.blocking]

    @property
    def warnings(self) -> list[Check]:
        return [check for check in self.checks if not check.blocking]

    @property
    def ready(self) -> bool:
        return all(check.ok for check in self.blocking)


def status_options(convention: Convention, on: datetime.date) -> list[StatusOption]:
    return [
        StatusOption(target, str(ConventionStatus(target).label), status_checks(convention, target, on))
        for target in TRANSITIONS.get(convention.status, ())
    ]


def signatories(convention: Convention, on: datetime.date) -> list[Signatory]:
    """The parties in order, each with the state of its deliberation (one query)."""
    rows = list(
        convention.signatories.select_related("organisation", "deliberation__organisation").order_by(
            "order", "pk"
        )
    )
    for signatory in rows:
        signatory.deliberation_state = deliberation_state(signatory.deliberation, on)  # type: ignore[attr-defined]
    return rows


def status_changes(convention: Convention) -> list[StatusChange]:
    """The convention's transitions, newest first, with French labels and their authors (one query)."""
    changes = list(
        StatusChange.objects.filter(
            content_type=ContentType.objects.get_for_model(Convention), object_id=convention.pk
        )
        .select_related("by")
        .order_by("-at", "-pk")
    )
    labels = dict(ConventionStatus.choices)
    for change in changes:
        change.source_label = labels.get(change.source, change.source) if change.source else ""  # type: ignore[attr-defined]
        change.target_label = labels.get(change.target, change.target)  # type: ignore[attr-defined]
        by = change.by
        change.by_label = (by.get_full_name() or by.email) if by else "Système"  # type: ignore[attr-defined]
    return changes


def articles_partial() -> str | None:
    """The articles partial (written with the articles' pages) if it exists."""
    try:
        get_template(ARTICLES_PARTIAL)
    except TemplateDoesNotExist:
        return None
    return ARTICLES_PARTIAL


def convention_page(user: User, convention: Convention, on: datetime.date) -> dict[str, Any]:
    """Everything the convention's page shows besides its header, and what the user may do there."""
    can_manage = policy.can_manage_convention(user, convention)
    signed = convention.status in SIGNED_STATUSES
    amendments: list[Convention] = []
    if signed and not convention.is_amendment:
        amendments = list(
            policy.visible_to(convention.amendments.all(), user).order_by("amendment_number", "pk")
        )
    return {
        "can_manage": can_manage,
        "can_change_status": policy.can_change_convention_status(user, convention),
        "can_edit": can_manage and convention.status != ConventionStatus.ENDED,
        "can_edit_parties": can_manage and convention.is_editable,
        "can_edit_articles": can_manage and convention.is_editable,
        "can_issue": can_manage and convention.status in ISSUABLE_STATUSES,
        "can_amend": can_manage
        and convention.status in (ConventionStatus.SIGNED, ConventionStatus.IN_FORCE)
        and not convention.is_amendment,
        "status_options": status_options(convention, on),
        "signatories": signatories(convention, on),
        "versions": list(convention.versions.select_related("document", "issued_by").order_by("-number")),
        "in_force": version_in_force(convention) if signed and not convention.is_amendment else None,
        "amendments": amendments,
        "show_amendments": signed and not convention.is_amendment,
        "changes": status_changes(convention),
        "articles": rendered_articles(take_snapshot(convention)),
        "articles_partial": articles_partial(),
        "today": on,
    }


def signatory_for_user(user: User, pk: int) -> Signatory:
    """A signatory of a convention the user sees, with its convention, or 404."""
    return policy.get_for_user(
        Signatory.objects.select_related("convention", "organisation", "deliberation__organisation"),
        user,
        pk=pk,
    )
