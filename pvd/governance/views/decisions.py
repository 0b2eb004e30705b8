"""Decisions per agenda item and the decision register (issue 8, H2).

Access (pvd/accounts/policy.py): the register and a decision's page open to the programme's readers and the mayors
of its communes (404 for everyone else); its managers record and correct the decisions of meetings (403 for the
other readers). A decision taken online on an arbitration links to the note only for whoever reads the note.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from programmes.models import Programme
from programmes.selectors.strategy import programme_for_strategy
from pvd.accounts import policy
from pvd.actions import run_service
from pvd.governance.forms.decisions import DecisionForm
from pvd.governance.models import AgendaItem, Decision
from pvd.governance.selectors import decisions as selectors
from pvd.governance.services import decisions as services
from pvd.governance.services.minutes import vote_label
from pvd.history import HistoryEntry, history_entries
from pvd.xlsx import XLSX_CONTENT_TYPE, Column, Sheet, workbook

PAGE_SIZE = 25


def _programme_context(request: HttpRequest, programme: Programme) -> dict[str, object]:
    return {
        "programme": programme,
        "can_read_programme": policy.can_read_programme(request.user, programme),
        "can_manage": policy.can_manage_governance(request.user, programme),
    }


@login_required
def decision_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a decision on an agenda item of a held meeting; its links default to the item's."""
    item = policy.get_for_user(
        AgendaItem.objects.select_related("meeting__committee__programme"), request.user, pk=pk
    )
    meeting = item.meeting
    programme = meeting.committee.programme
    policy.require(policy.can_manage_governance(request.user, programme))
    held = services.meeting_is_held(meeting)
    initial = {"operation": item.operation_id, "need": item.need_id, "arbitration": item.arbitration_id}
    form = DecisionForm(
        request.POST or None, initial=initial, user=request.user, programme=programme, meeting=meeting
    )
    if request.method == "POST" and form.is_valid():
        decision = run_service(
            request,
            form,
            "La décision a été enregistrée au registre.",
            lambda: services.decision_create(item=item, by=request.user, **form.service_fields()),
        )
        if decision is not None:
            return redirect("governance:decision", pk=decision.pk)
    ctx = {
        **_programme_context(request, programme),
        "item": item,
        "meeting": meeting,
        "form": form,
        "held": held,
    }
    return render(request, "governance/decision_form.html", ctx)


@login_required
@require_GET
def decision_register(request: HttpRequest, pk: int) -> HttpResponse:
    """Every decision of the programme, searched and filtered, 25 a page."""
    programme = programme_for_strategy(request.user, pk)
    policy.require(policy.can_read_governance(request.user, programme))
    filters = selectors.RegisterFilters.from_query(request.GET)
    page = Paginator(selectors.register(request.user, programme, filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    decisions = selectors.decorate(page.object_list, request.user)
    ctx = {
        **_programme_context(request, programme),
        "filters": filters,
        "page": page,
        "decisions": decisions,
        "referent_value": selectors.REFERENT,
        **selectors.filter_choices(programme),
    }
    return render(request, "governance/decision_register.html", ctx)


def _columns() -> list[Column]:
    def meeting(d: Decision) -> str:
        if d.meeting is None:
            return "Arbitrage décidé en ligne"
        return f"{d.meeting.committee.name}, {timezone.localtime(d.meeting.starts_at):%d/%m/%Y}"

    def deliberation(d: Decision) -> str:
        if d.deliberation is None:
            return ""
        return f"n° {d.deliberation.number} du {d.deliberation.adopted_on:%d/%m/%Y} ({d.deliberation.organisation.name})"

    def enforceable(d: Decision) -> str:
        if d.deliberation is None:
            return ""
        return (
            "Oui"
            if d.deliberation_enforceable
            else "Non : manque " + " et ".join(d.deliberation.missing_formalities)
        )

    return [
        Column("Date", lambda d: d.decided_on, 12),
        Column("Décidé par", lambda d: d.decided_by, 28),
        Column("Réunion", meeting, 32),
        Column("Point de l'ordre du jour", lambda d: d.agenda_item.title if d.agenda_item else "", 32),
        Column("Décision", lambda d: d.text, 60),
        Column("Vote", vote_label, 30),
        Column("Pour", lambda d: d.votes_for, 8),
        Column("Contre", lambda d: d.votes_against, 8),
        Column("Abstentions", lambda d: d.abstentions, 10),
        Column("Opération", lambda d: f"{d.operation.code} — {d.operation.title}" if d.operation else "", 36),
        Column("Besoin d'ingénierie", lambda d: d.need.title if d.need else "", 28),
        Column(
            "Arbitrage",
            lambda d: (d.arbitration.reference if d.link_arbitration else "Oui") if d.arbitration_id else "",
            14,
        ),
        Column("Délibération", deliberation, 36),
        Column("Délibération exécutoire", enforceable, 24),
    ]


@login_required
@require_GET
def decision_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The filtered register as a spreadsheet (dates as dates)."""
    programme = programme_for_strategy(request.user, pk)
    policy.require(policy.can_read_governance(request.user, programme))
    filters = selectors.RegisterFilters.from_query(request.GET)
    decisions = selectors.decorate(selectors.register(request.user, programme, filters), request.user)
    heading = [
        f"Registre des décisions — {programme.name}",
        f"Extrait le {timezone.localdate():%d/%m/%Y} ; {len(decisions)} décision{'s' if len(decisions) > 1 else ''}"
        + (" (filtré)" if filters.active else ""),
    ]
    content = workbook([Sheet("Décisions", _columns(), decisions, heading)])
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    filename = f"registre-des-decisions-{slugify(programme.name)}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _history(decision: Decision) -> list[HistoryEntry]:
    """The decision's history; whoever may not open the arbitration note does not read its name there either."""
    entries = history_entries(decision)
    if decision.arbitration_id and not decision.link_arbitration:
        label = str(Decision._meta.get_field("arbitration").verbose_name).capitalize()
        for entry in entries:
            entry.changes = [change for change in entry.changes if change.label != label]
    return entries


@login_required
@require_GET
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    decision = selectors.decision_for_page(request.user, pk)
    selectors.decorate([decision], request.user)
    programme = decision.programme
    ctx = {
        **_programme_context(request, programme),
        "decision": decision,
        "can_edit": policy.can_manage_governance(request.user, programme)
        and decision.agenda_item_id is not None,
        "history_entries": _history(decision),
    }
    return render(request, "governance/decision_detail.html", ctx)


@login_required
def decision_edit(request: HttpRequest, pk: int) -> HttpResponse:
    decision = selectors.decision_for_page(request.user, pk)
    programme = decision.programme
    policy.require(policy.can_manage_governance(request.user, programme))
    if decision.agenda_item_id is None:
        messages.error(request, services.FROZEN)
        return redirect("governance:decision", pk=decision.pk)
    form = DecisionForm(
        request.POST or None,
        instance=decision,
        user=request.user,
        programme=programme,
        meeting=decision.meeting,
    )
    if request.method == "POST" and form.is_valid():
        saved = run_service(
            request,
            form,
            "La décision a été enregistrée.",
            lambda: services.decision_update(
                decision=decision,
                expected_version=form.cleaned_data["version"],
                by=request.user,
                **form.service_fields(),
            ),
        )
        if saved is not None:
            return redirect("governance:decision", pk=saved.pk)
    ctx = {
        **_programme_context(request, programme),
        "decision": decision,
        "item": decision.agenda_item,
        "meeting": decision.meeting,
        "form": form,
        "held": True,
    }
    return render(request, "governance/decision_form.html", ctx)
