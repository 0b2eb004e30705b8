"""Meetings of the bodies: list, create, the meeting page, edit and status, agenda (with the suggested agenda),
attendance, invitations with their iCal file, and documents (issue 8, H1).

Access (pvd/accounts/policy.py): a meeting is seen by its programme's readers and the mayors of its communes (404 for
everyone else); its managers write (403 for the other readers). Documents download through `meeting_document`, which
checks the meeting's access.
"""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from pvd.accounts import policy
from pvd.actions import run_service
from pvd.concurrency import StaleObjectError
from pvd.downloads import private_download
from pvd.errors import DomainError
from pvd.governance import ical
from pvd.governance.forms.meetings import (
    AgendaItemForm,
    AttendanceFormSet,
    MeetingDocumentForm,
    MeetingForm,
    NewAttendanceForm,
    SuggestionsForm,
    attendance_initial,
)
from pvd.governance.models import AgendaItem, Attendance, AttendanceStatus, Committee, MeetingDocument
from pvd.governance.selectors import meetings as selectors
from pvd.governance.selectors.decisions import meeting_panels
from pvd.governance.services import meetings as services
from pvd.governance.services.decisions import voting_members, voting_members_present


def _context(request: HttpRequest, meeting: object = None, programme: object = None, **extra: object) -> dict:
    programme = programme or meeting.committee.programme
    return {
        "meeting": meeting,
        "programme": programme,
        "can_read_programme": policy.can_read_programme(request.user, programme),
        "can_manage": policy.can_manage_governance(request.user, programme),
        **extra,
    }


def _managed_meeting(request: HttpRequest, pk: int) -> object:
    meeting = selectors.meeting_for_page(request.user, pk)
    policy.require(policy.can_manage_governance(request.user, meeting.committee.programme))
    return meeting


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@login_required
@require_GET
def meeting_list(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.governed_programme(request.user, pk)
    committee_id, year = _int(request.GET.get("instance")), _int(request.GET.get("annee"))
    upcoming, past = selectors.meetings_for_list(
        request.user, programme, committee_id=committee_id, year=year
    )
    committees = policy.visible_to(Committee.objects.filter(programme=programme), request.user).order_by(
        "name"
    )
    this_year = timezone.localdate().year
    ctx = _context(
        request,
        programme=programme,
        upcoming=upcoming,
        past=past,
        committees=committees,
        years=range(this_year + 1, this_year - 6, -1),
        committee_id=committee_id,
        year=year,
    )
    return render(request, "governance/meeting_list.html", ctx)


@login_required
def meeting_create(request: HttpRequest, pk: int) -> HttpResponse:
    committee = policy.get_for_user(Committee.objects.select_related("programme"), request.user, pk=pk)
    policy.require(policy.can_manage_governance(request.user, committee.programme))
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        meeting = run_service(
            request,
            form,
            "La réunion a été créée.",
            lambda: services.meeting_create(committee=committee, by=request.user, **form.cleaned_data),
        )
        if meeting is not None:
            return redirect("governance:meeting", pk=meeting.pk)
    ctx = _context(request, programme=committee.programme, form=form, committee=committee)
    return render(request, "governance/meeting_form.html", ctx)


@login_required
@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_for_page(request.user, pk)
    items = list(
        AgendaItem.objects.filter(meeting=meeting)
        .select_related("operation", "need", "arbitration", "subsidy_request")
        .order_by("order", "pk")
    )
    can_read_arbitrations = policy.can_read_arbitrations(request.user, meeting.committee.programme)
    attendances = list(Attendance.objects.filter(meeting=meeting).order_by("name", "pk"))
    documents = list(MeetingDocument.objects.filter(meeting=meeting).select_related("uploaded_by"))
    ctx = _context(
        request,
        meeting,
        items=items,
        can_read_arbitrations=can_read_arbitrations,
        attendances=attendances,
        documents=documents,
        present=voting_members_present(meeting),
        voting=voting_members(meeting),
        **meeting_panels(request.user, meeting),
    )
    return render(request, "governance/meeting_detail.html", ctx)


@login_required
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _managed_meeting(request, pk)
    form = MeetingForm(request.POST or None, instance=meeting)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        comment = data.pop("comment", "")
        saved = run_service(
            request,
            form,
            "La réunion a été modifiée.",
            lambda: services.meeting_update(
                meeting=meeting, expected_version=version, by=request.user, comment=comment, **data
            ),
        )
        if saved is not None:
            return redirect("governance:meeting", pk=meeting.pk)
    return render(request, "governance/meeting_form.html", _context(request, meeting, form=form))


@login_required
def agenda_item_create(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _managed_meeting(request, pk)
    programme = meeting.committee.programme
    form = AgendaItemForm(request.POST or None, programme=programme, user=request.user)
    if request.method == "POST" and form.is_valid():
        item = run_service(
            request,
            form,
            "Le point a été ajouté à l'ordre du jour.",
            lambda: services.agenda_item_create(meeting=meeting, by=request.user, **form.cleaned_data),
        )
        if item is not None:
            return redirect("governance:meeting", pk=meeting.pk)
    return render(request, "governance/agenda_item_form.html", _context(request, meeting, form=form))


@login_required
def agenda_item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = policy.get_for_user(
        AgendaItem.objects.select_related("meeting__committee__programme"), request.user, pk=pk
    )
    meeting = item.meeting
    programme = meeting.committee.programme
    policy.require(policy.can_manage_governance(request.user, programme))
    form = AgendaItemForm(request.POST or None, instance=item, programme=programme, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        saved = run_service(
            request,
            form,
            "Le point a été modifié.",
            lambda: services.agenda_item_update(item=item, expected_version=version, by=request.user, **data),
        )
        if saved is not None:
            return redirect("governance:meeting", pk=meeting.pk)
    return render(
        request, "governance/agenda_item_form.html", _context(request, meeting, form=form, item=item)
    )


def _managed_item(request: HttpRequest, pk: int) -> AgendaItem:
    item = policy.get_for_user(
        AgendaItem.objects.select_related("meeting__committee__programme"), request.user, pk=pk
    )
    policy.require(policy.can_manage_governance(request.user, item.meeting.committee.programme))
    return item


@login_required
def agenda_item_delete(request: HttpRequest, pk: int) -> HttpResponse:
    item = _managed_item(request, pk)
    meeting = item.meeting
    if request.method == "POST":
        try:
            services.agenda_item_delete(item=item, by=request.user)
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Le point a été retiré de l'ordre du jour.")
        return redirect("governance:meeting", pk=meeting.pk)
    return render(request, "governance/agenda_item_delete.html", _context(request, meeting, item=item))


@login_required
@require_POST
def agenda_item_move(request: HttpRequest, pk: int) -> HttpResponse:
    item = _managed_item(request, pk)
    try:
        services.agenda_item_move(item=item, direction=request.POST.get("direction", ""), by=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    return redirect("governance:meeting", pk=item.meeting_id)


@login_required
def agenda_suggestions(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _managed_meeting(request, pk)
    suggestions = selectors.agenda_suggestions(request.user, meeting)
    form = SuggestionsForm(request.POST if request.method == "POST" else None, suggestions=suggestions)
    if request.method == "POST" and form.is_valid():
        added = run_service(
            request,
            form,
            "Les points choisis ont été ajoutés à l'ordre du jour.",
            lambda: services.agenda_add_suggestions(
                meeting=meeting, suggestions=form.chosen(), by=request.user
            ),
        )
        if added is not None:
            return redirect("governance:meeting", pk=meeting.pk)
    ctx = _context(request, meeting, form=form, suggestions=suggestions)
    return render(request, "governance/agenda_suggestions.html", ctx)


@login_required
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _managed_meeting(request, pk)
    if request.method == "POST" and "prefill" in request.POST:
        added = services.attendance_prefill(meeting=meeting, by=request.user)
        messages.success(request, f"{added} membre(s) ajouté(s) à la liste des participants.")
        return redirect("governance:attendance", pk=meeting.pk)
    rows = list(Attendance.objects.filter(meeting=meeting).select_related("person", "organisation"))
    by_id = {a.pk: a for a in rows}
    formset = AttendanceFormSet(request.POST or None, initial=attendance_initial(rows), prefix="p")
    new_form = NewAttendanceForm(request.POST or None, prefix="n")
    if request.method == "POST" and formset.is_valid() and new_form.is_valid():
        data = [
            {**f.cleaned_data, "attendance": by_id[f.cleaned_data["id"]]}
            for f in formset.forms
            if f.cleaned_data.get("id") in by_id
        ]
        try:
            services.attendance_save(meeting=meeting, rows=data, new=new_form.cleaned_data, by=request.user)
        except (DomainError, StaleObjectError) as error:
            messages.error(request, str(error))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Les présences ont été enregistrées.")
            return redirect("governance:attendance", pk=meeting.pk)
    pairs = [(f, by_id.get(f.initial.get("id") if f.initial else None)) for f in formset.forms]
    ctx = _context(
        request,
        meeting,
        formset=formset,
        pairs=pairs,
        new_form=new_form,
        present=voting_members_present(meeting),
        voting=voting_members(meeting),
        statuses=AttendanceStatus,
    )
    return render(request, "governance/attendance.html", ctx)


@login_required
@require_POST
def meeting_invite(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _managed_meeting(request, pk)
    try:
        count = services.request_invitations(meeting=meeting, by=request.user, site_url=settings.SITE_URL)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"Les invitations partent ({count} participant(s) avec une adresse e-mail ; "
            "ceux déjà invités ne le sont à nouveau que si la réunion a changé).",
        )
    return redirect("governance:meeting", pk=meeting.pk)


@login_required
@require_GET
def meeting_ics(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_for_page(request.user, pk)
    event = ical.meeting_event(meeting, site_url=settings.SITE_URL)
    content = ical.calendar_bytes([event], name=meeting.committee.name, method="PUBLISH")
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    day: datetime.date = timezone.localtime(meeting.starts_at).date()
    response["Content-Disposition"] = f'attachment; filename="reunion-{meeting.pk}-{day:%Y-%m-%d}.ics"'
    return response


@login_required
def document_create(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _managed_meeting(request, pk)
    form = MeetingDocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        document = run_service(
            request,
            form,
            "Le document a été déposé.",
            lambda: services.document_add(meeting=meeting, by=request.user, **form.cleaned_data),
        )
        if document is not None:
            return redirect("governance:meeting", pk=meeting.pk)
    return render(request, "governance/meeting_document_form.html", _context(request, meeting, form=form))


@login_required
@require_GET
def document_file(request: HttpRequest, pk: int) -> HttpResponse:
    document = policy.get_for_user(MeetingDocument.objects.all(), request.user, pk=pk)
    return private_download(document.file)
