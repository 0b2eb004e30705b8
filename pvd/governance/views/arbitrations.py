"""Arbitration notes and the decisions inbox (issue 8, H3).

Access (pvd/accounts/policy.py): notes are internal — the programme's managers see them from the draft, its referents
once submitted; mayors, partners, the operator and outsiders never (404 on a note; on the programme's list, 404
outside the programme, 403 for a partner who reads the programme). Managers create, edit (draft only), submit and
record a body's decision; only the programme's élu(e) référent(e) decides a note put to them (403 for anyone else,
the manager and staff included). The inbox opens to anyone logged in and shows only what awaits them.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from programmes.models import Programme
from pvd.accounts import policy
from pvd.actions import run_service
from pvd.concurrency import StaleObjectError
from pvd.documents import request_document
from pvd.errors import DomainError
from pvd.governance.forms.arbitrations import ArbitrationForm, BodyDecisionForm, DecideForm
from pvd.governance.models import (
    ARBITRATION_LEVELS,
    Alert,
    Arbitration,
    ArbitrationOutcome,
    ArbitrationStatus,
    DecisionLevel,
)
from pvd.governance.selectors import arbitrations as selectors
from pvd.governance.services import arbitrations as services
from pvd.history import history_entries


def _programme(request: HttpRequest, pk: int) -> Programme:
    try:
        return Programme.objects.visible_to(request.user).get(pk=pk)
    except Programme.DoesNotExist as error:
        raise Http404("Aucun programme ne correspond à votre demande.") from error


def _header(request: HttpRequest, programme: Programme) -> dict[str, object]:
    return {
        "programme": programme,
        "can_read_programme": policy.can_read_programme(request.user, programme),
        "can_manage": policy.can_manage_governance(request.user, programme),
    }


def _fields(data: dict[str, object]) -> dict[str, object]:
    return {name: value for name, value in data.items() if name != "version"}


def _refused(request: HttpRequest, action: object) -> object | None:
    """Run a workflow action: its result, or None with the refusal shown as a message."""
    try:
        return action()  # type: ignore[operator]
    except (StaleObjectError, DomainError) as error:
        messages.error(request, str(error))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return None


# --- The list and creation ---------------------------------------------------------------------------------------


@login_required
def arbitration_list(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk)
    policy.require(policy.can_read_arbitrations(request.user, programme))
    filters = selectors.filters_from(request.GET)
    ctx = {
        **_header(request, programme),
        "arbitrations": list(selectors.arbitrations_of_programme(request.user, programme, filters)),
        "filters": filters,
        "statuses": ArbitrationStatus.choices,
        "levels": [(level.value, level.label) for level in ARBITRATION_LEVELS],
        "operations": list(selectors.operations_for_filter(request.user, programme)),
    }
    return render(request, "governance/arbitration_list.html", ctx)


@login_required
def arbitration_create(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk)
    policy.require(policy.can_manage_governance(request.user, programme))
    form = ArbitrationForm(request.POST or None, user=request.user, programme=programme)
    if request.method == "POST" and form.is_valid():
        arbitration = run_service(
            request,
            form,
            "La note d'arbitrage a été créée en brouillon : ajoutez ses options.",
            lambda: services.arbitration_create(programme=programme, by=request.user, **form.cleaned_data),
        )
        if arbitration is not None:
            return redirect("governance:arbitration", pk=arbitration.pk)
    return render(request, "governance/arbitration_form.html", {**_header(request, programme), "form": form})


@login_required
@require_POST
def arbitration_from_alert(request: HttpRequest, pk: int) -> HttpResponse:
    alert = policy.get_for_user(Alert.objects.select_related("programme"), request.user, pk=pk)
    policy.require(policy.can_manage_governance(request.user, alert.programme))
    arbitration = _refused(request, lambda: services.arbitration_from_alert(alert=alert, by=request.user))
    if arbitration is None:
        return redirect("governance:alert", pk=alert.pk)
    messages.success(
        request, f"La note {arbitration.reference} a été ouverte à partir de l'alerte : complétez-la."
    )
    return redirect("governance:arbitration_edit", pk=arbitration.pk)


# --- One note ---------------------------------------------------------------------------------------------------


def _options_with_impact(arbitration: Arbitration) -> list[object]:
    from pvd.governance.selectors.impact import options_with_impact  # H4's computation

    return options_with_impact(arbitration, day=timezone.localdate())


@login_required
def arbitration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    arbitration = selectors.arbitration_for_page(request.user, pk)
    return _detail(request, arbitration)


def _detail(
    request: HttpRequest,
    arbitration: Arbitration,
    *,
    decide_form: DecideForm | None = None,
    record_form: BodyDecisionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    programme = arbitration.programme
    can_manage = policy.can_manage_governance(user, programme)
    can_decide = (
        policy.can_decide_arbitration(user, arbitration)
        and arbitration.decision_level == DecisionLevel.REFERENT
    )
    can_record = policy.can_record_body_decision(user, arbitration)
    if can_decide and decide_form is None:
        decide_form = DecideForm(arbitration=arbitration)
    if can_record and record_form is None:
        record_form = BodyDecisionForm(
            arbitration=arbitration, meetings=services.meetings_for_decision(arbitration)
        )
    decided = arbitration.status in (ArbitrationStatus.DECIDED, ArbitrationStatus.IMPLEMENTED)
    ctx = {
        **_header(request, programme),
        "arbitration": arbitration,
        "linked": selectors.linked_objects(user, arbitration),
        "option_views": _options_with_impact(arbitration),
        "can_edit": can_manage and arbitration.status == ArbitrationStatus.DRAFT,
        "can_submit": can_manage
        and (
            arbitration.status == ArbitrationStatus.DRAFT
            or (decided and arbitration.outcome == ArbitrationOutcome.POSTPONED)
        ),
        "can_reopen": can_manage and decided and arbitration.outcome == ArbitrationOutcome.POSTPONED,
        "can_implement": can_manage
        and arbitration.status == ArbitrationStatus.DECIDED
        and arbitration.outcome == ArbitrationOutcome.APPROVED,
        "can_decide": can_decide,
        "can_record": can_record,
        "decide_form": decide_form,
        "record_form": record_form,
        "decided": decided,
        "has_snapshot": bool(arbitration.snapshot),
        "timeline": selectors.timeline(arbitration),
        "effects": selectors.effects(arbitration),
        "decisions": list(arbitration.decisions.select_related("meeting").order_by("-decided_on", "-pk")),
        "history_entries": history_entries(arbitration),
    }
    return render(request, "governance/arbitration_detail.html", ctx, status=status)


@login_required
def arbitration_edit(request: HttpRequest, pk: int) -> HttpResponse:
    arbitration = selectors.arbitration_for_page(request.user, pk)
    programme = arbitration.programme
    policy.require(policy.can_manage_governance(request.user, programme))
    if arbitration.status != ArbitrationStatus.DRAFT:
        messages.error(
            request,
            f"L'arbitrage {arbitration.reference} est « {arbitration.get_status_display()} » : seule une note en "
            "brouillon se modifie.",
        )
        return redirect("governance:arbitration", pk=arbitration.pk)
    form = ArbitrationForm(request.POST or None, instance=arbitration, user=request.user, programme=programme)
    if request.method == "POST" and form.is_valid():
        saved = run_service(
            request,
            form,
            "La note d'arbitrage a été enregistrée.",
            lambda: services.arbitration_update(
                arbitration=arbitration,
                expected_version=form.cleaned_data["version"],
                by=request.user,
                **_fields(form.cleaned_data),
            ),
        )
        if saved is not None:
            return redirect("governance:arbitration", pk=saved.pk)
    ctx = {**_header(request, programme), "form": form, "arbitration": arbitration}
    return render(request, "governance/arbitration_form.html", ctx)


def _version(request: HttpRequest) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None


@login_required
@require_POST
def arbitration_submit(request: HttpRequest, pk: int) -> HttpResponse:
    arbitration = selectors.arbitration_for_page(request.user, pk)
    policy.require(policy.can_manage_governance(request.user, arbitration.programme))
    submitted = _refused(
        request,
        lambda: services.arbitration_submit(
            arbitration=arbitration,
            by=request.user,
            comment=request.POST.get("comment", "").strip(),
            expected_version=_version(request),
        ),
    )
    if submitted is not None:
        messages.success(request, f"La note {submitted.reference} a été soumise pour décision.")
    return redirect("governance:arbitration", pk=arbitration.pk)


@login_required
@require_POST
def arbitration_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    arbitration = selectors.arbitration_for_page(request.user, pk)
    policy.require(policy.can_manage_governance(request.user, arbitration.programme))
    reopened = _refused(
        request,
        lambda: services.arbitration_reopen(
            arbitration=arbitration, by=request.user, comment=request.POST.get("comment", "").strip()
        ),
    )
    if reopened is not None:
        messages.success(request, f"La note {reopened.reference} est de nouveau en brouillon.")
    return redirect("governance:arbitration", pk=arbitration.pk)


def _run_decision(
    request: HttpRequest, arbitration: Arbitration, form: DecideForm, action: object
) -> object | None:
    try:
        return action()  # type: ignore[operator]
    except (StaleObjectError, DomainError) as error:
        messages.error(request, str(error))
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            form.add_error(None, error.messages)
    return None


@login_required
@require_POST
def arbitration_decide(request: HttpRequest, pk: int) -> HttpResponse:
    arbitration = selectors.arbitration_for_page(request.user, pk)
    policy.require(
        policy.can_decide_arbitration(request.user, arbitration)
        and arbitration.decision_level == DecisionLevel.REFERENT,
        "Seul(e) l'élu(e) référent(e) du programme décide cet arbitrage, une fois la note soumise.",
    )
    form = DecideForm(request.POST, arbitration=arbitration)
    if form.is_valid():
        data = form.cleaned_data
        decided = _run_decision(
            request,
            arbitration,
            form,
            lambda: services.arbitration_decide(
                arbitration=arbitration,
                by=request.user,
                outcome=data["outcome"],
                option=data["option"],
                comment=data["comment"],
                conditions=data["conditions"],
            ),
        )
        if decided is not None:
            messages.success(request, "Votre décision a été enregistrée.")
            return redirect("governance:arbitration", pk=arbitration.pk)
        if not form.errors:
            return redirect("governance:arbitration", pk=arbitration.pk)
    return _detail(request, arbitration, decide_form=form, status=400)


@login_required
@require_POST
def arbitration_record_decision(request: HttpRequest, pk: int) -> HttpResponse:
    arbitration = selectors.arbitration_for_page(request.user, pk)
    policy.require(
        policy.can_record_body_decision(request.user, arbitration),
        "Seul le chef de projet enregistre la décision d'une instance, une fois la note soumise à l'instance.",
    )
    form = BodyDecisionForm(
        request.POST, arbitration=arbitration, meetings=services.meetings_for_decision(arbitration)
    )
    if form.is_valid():
        data = form.cleaned_data
        decided = _run_decision(
            request,
            arbitration,
            form,
            lambda: services.record_body_decision(
                arbitration=arbitration,
                by=request.user,
                meeting=data["meeting"],
                outcome=data["outcome"],
                option=data["option"],
                comment=data["comment"],
                conditions=data["conditions"],
            ),
        )
        if decided is not None:
            messages.success(request, "La décision de l'instance a été enregistrée.")
            return redirect("governance:arbitration", pk=arbitration.pk)
        if not form.errors:
            return redirect("governance:arbitration", pk=arbitration.pk)
    return _detail(request, arbitration, record_form=form, status=400)


@login_required
def arbitration_snapshot(request: HttpRequest, pk: int) -> HttpResponse:
    """The note as it was decided, read only from its frozen snapshot."""
    arbitration = selectors.arbitration_for_page(request.user, pk)
    if not arbitration.snapshot:
        raise Http404("Cet arbitrage n'a pas encore de version décidée.")
    ctx = {
        **_header(request, arbitration.programme),
        "arbitration": arbitration,
        "note": selectors.note_for_display(arbitration.snapshot),
    }
    return render(request, "governance/arbitration_snapshot.html", ctx)


@login_required
@require_POST
def arbitration_print(request: HttpRequest, pk: int) -> HttpResponse:
    """A fresh PDF of the note (the frozen note once decided), then its status page."""
    arbitration = selectors.arbitration_for_page(request.user, pk)
    doc = request_document(arbitration, "arbitration_note", request.user)
    return redirect("document", pk=doc.pk)


# --- The decisions inbox -----------------------------------------------------------------------------------------


@login_required
def decision_inbox(request: HttpRequest) -> HttpResponse:
    return render(request, "governance/inbox.html", selectors.inbox(request.user))
