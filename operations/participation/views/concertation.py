"""Participation (issue 11), concertation: the programme's participation hub, the concertation plan and its
follow-up, the events (list with filters and statistics, page, create, edit, status, attendance by profile), the
contributions with their effect on the project, and the XLSX export.

Readers: the programme's readers and the mayors of its communes (policy.can_read_participation), who see only the
events and plan lines of their commune (visible_to; 404 on the others). Writes: policy.can_manage_participation
(403 for the other readers).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from operations.models import ConcertationEvent, ConcertationPlanItem, Contribution
from operations.participation.forms.concertation import (
    ContributionForm,
    EventFilterForm,
    EventForm,
    EventStatusForm,
    PlanItemForm,
    attendance_formset,
)
from operations.participation.models import AttendeeProfile
from operations.participation.selectors import concertation as selectors
from operations.participation.selectors.programmes import page_header
from operations.participation.services import concertation as services
from programmes.models import Programme
from pvd.accounts import policy
from pvd.actions import run_service
from pvd.xlsx import XLSX_CONTENT_TYPE, Column, Sheet, workbook

TEMPLATES = "operations/participation/concertation"


def _header(request: HttpRequest, programme: Programme) -> dict[str, object]:
    return page_header(request.user, programme)


def _programme_for_write(request: HttpRequest, pk: int) -> Programme:
    programme = selectors.programme_for_participation(request.user, pk)
    policy.require(policy.can_manage_participation(request.user, programme))
    return programme


def _event_for_write(request: HttpRequest, pk: int) -> ConcertationEvent:
    event = selectors.event_for_page(request.user, pk)
    policy.require(policy.can_manage_participation(request.user, event.programme))
    return event


def _form_page(
    request: HttpRequest,
    programme: Programme,
    form: object,
    title: str,
    *,
    back: str,
    event: ConcertationEvent | None = None,
    template: str = f"{TEMPLATES}/form.html",
    **extra: object,
) -> HttpResponse:
    return render(
        request,
        template,
        {**_header(request, programme), "form": form, "title": title, "back": back, "event": event, **extra},
    )


# --- The hub --------------------------------------------------------------------------------------------------


@login_required
@require_GET
def participation(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_for_participation(request.user, pk)
    commune = selectors.commune_of(programme, request.GET.get("commune"))
    day = policy.today()
    return render(
        request,
        "operations/participation/hub.html",
        {
            **_header(request, programme),
            "commune": commune,
            "hub": selectors.hub(request.user, programme, day, commune),
            "day": day,
        },
    )


# --- The concertation plan ------------------------------------------------------------------------------------


@login_required
@require_GET
def concertation_plan(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_for_participation(request.user, pk)
    commune = selectors.commune_of(programme, request.GET.get("commune"))
    day = policy.today()
    rows = selectors.plan_rows(request.user, programme, day, commune)
    return render(
        request,
        f"{TEMPLATES}/plan.html",
        {
            **_header(request, programme),
            "commune": commune,
            "rows": rows,
            "summary": selectors.plan_summary(rows, day),
            "day": day,
        },
    )


def _plan_url(programme: Programme) -> str:
    return reverse("operations:concertation_plan", args=[programme.pk])


@login_required
def concertation_plan_create(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme_for_write(request, pk)
    form = PlanItemForm(request.POST or None, programme=programme, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        operations, communes = list(data.pop("operations")), list(data.pop("communes"))
        created = run_service(
            request,
            form,
            "La démarche a été ajoutée au plan de concertation.",
            lambda: services.plan_item_create(
                programme=programme, by=request.user, operations=operations, communes=communes, **data
            ),
        )
        if created is not None:
            return redirect("operations:concertation_plan", pk=programme.pk)
    return _form_page(
        request, programme, form, "Nouvelle démarche du plan de concertation", back=_plan_url(programme)
    )


@login_required
def concertation_plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = policy.get_for_user(ConcertationPlanItem.objects.select_related("programme"), request.user, pk=pk)
    programme = _programme_for_write(request, item.programme_id)
    form = PlanItemForm(request.POST or None, instance=item, programme=programme, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        operations, communes = list(data.pop("operations")), list(data.pop("communes"))
        version = data.pop("version")
        saved = run_service(
            request,
            form,
            "La démarche a été enregistrée.",
            lambda: services.plan_item_update(
                item=ConcertationPlanItem.objects.select_related("programme").get(pk=item.pk),
                by=request.user,
                expected_version=version,
                changes=data,
                operations=operations,
                communes=communes,
            ),
        )
        if saved is not None:
            return redirect("operations:concertation_plan", pk=programme.pk)
    return _form_page(
        request,
        programme,
        form,
        f"Modifier la démarche « {item.title} »",
        back=_plan_url(programme),
        item=item,
    )


# --- Events ---------------------------------------------------------------------------------------------------


def _filter_form(request: HttpRequest, programme: Programme) -> EventFilterForm:
    return EventFilterForm(
        request.GET or None,
        programme=programme,
        user=request.user,
        years=selectors.event_years(request.user, programme),
    )


@login_required
@require_GET
def concertation_events(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_for_participation(request.user, pk)
    filter_form = _filter_form(request, programme)
    day = policy.today()
    data = selectors.event_list(
        request.user, programme, filter_form.criteria(), request.GET.dict(), request.GET.get("page"), day
    )
    return render(
        request,
        f"{TEMPLATES}/events.html",
        {**_header(request, programme), "filter_form": filter_form, "data": data, "day": day},
    )


@login_required
def concertation_event_create(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme_for_write(request, pk)
    initial = {}
    plan_pk = request.GET.get("demarche")
    if plan_pk and plan_pk.isdigit():
        item = ConcertationPlanItem.objects.filter(programme=programme, pk=int(plan_pk)).first()
        if item is not None:
            initial = {"plan_item": item, "format": item.format, "legal_frame": item.legal_frame}
    form = EventForm(request.POST or None, initial=initial, programme=programme, user=request.user)
    if request.method == "POST" and form.is_valid():
        fields, links = form.values()
        created = run_service(
            request,
            form,
            "Le temps de concertation a été enregistré.",
            lambda: services.event_create(
                programme=programme,
                by=request.user,
                status=form.cleaned_data["initial_status"],
                **links,
                **fields,
            ),
        )
        if created is not None:
            return redirect("operations:concertation_event", pk=created.pk)
    return _form_page(
        request,
        programme,
        form,
        "Nouveau temps de concertation",
        back=reverse("operations:concertation_events", args=[programme.pk]),
    )


@login_required
@require_GET
def concertation_event(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_for_page(request.user, pk)
    header = _header(request, event.programme)
    return render(
        request,
        f"{TEMPLATES}/event.html",
        {
            **header,
            "event": event,
            "page": selectors.event_page(request.user, event),
            "status_form": EventStatusForm(event=event)
            if header["can_manage"] and services.allowed_targets(event.status)
            else None,
        },
    )


@login_required
def concertation_event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event_for_write(request, pk)
    programme = event.programme
    form = EventForm(request.POST or None, instance=event, programme=programme, user=request.user)
    if request.method == "POST" and form.is_valid():
        fields, links = form.values()
        version = form.cleaned_data["version"]
        saved = run_service(
            request,
            form,
            "Le temps de concertation a été enregistré.",
            lambda: services.event_update(
                event=event, by=request.user, expected_version=version, changes=fields, **links
            ),
        )
        if saved is not None:
            return redirect("operations:concertation_event", pk=event.pk)
    return _form_page(
        request,
        programme,
        form,
        f"Modifier « {event.title} »",
        back=reverse("operations:concertation_event", args=[event.pk]),
        event=event,
    )


@login_required
@require_POST
def concertation_event_status(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event_for_write(request, pk)
    form = EventStatusForm(request.POST, event=event)
    if form.is_valid():
        data = form.cleaned_data
        run_service(
            request,
            form,
            "Le statut du temps de concertation a été modifié.",
            lambda: services.event_change_status(
                event=event,
                to=data["status"],
                by=request.user,
                comment=data["comment"],
                expected_version=data["version"],
            ),
        )
    for name, errors in form.errors.items():
        for error in errors:
            label = form.fields[name].label if name in form.fields else ""
            messages.error(request, f"{label} : {error}" if label else error)
    return redirect("operations:concertation_event", pk=event.pk)


@login_required
def concertation_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """The breakdown of participants by profile, as one formset saved in one transaction."""
    event = _event_for_write(request, pk)
    formset = attendance_formset(event, request.POST if request.method == "POST" else None)
    if request.method == "POST" and formset.is_valid():
        saved = run_service(
            request,
            formset,  # type: ignore[arg-type]
            "La répartition des participants a été enregistrée.",
            lambda: services.attendance_save(event=event, by=request.user, counts=formset.counts()),
        )
        if saved is not None:
            return redirect("operations:concertation_event", pk=event.pk)
    return _form_page(
        request,
        event.programme,
        formset,
        f"Participants de « {event.title} » par profil",
        back=reverse("operations:concertation_event", args=[event.pk]),
        event=event,
        template=f"{TEMPLATES}/attendance.html",
        formset=formset,
    )


def _contribution_page(
    request: HttpRequest, event: ConcertationEvent, contribution: Contribution | None
) -> HttpResponse:
    programme = event.programme
    form = ContributionForm(
        request.POST or None, instance=contribution, programme=programme, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if contribution is None:
            saved = run_service(
                request,
                form,
                "La contribution a été enregistrée.",
                lambda: services.contribution_create(event=event, by=request.user, **data),
            )
        else:
            version = data.pop("version")
            saved = run_service(
                request,
                form,
                "La contribution a été enregistrée.",
                lambda: services.contribution_update(
                    contribution=contribution, by=request.user, expected_version=version, changes=data
                ),
            )
        if saved is not None:
            return redirect("operations:concertation_event", pk=event.pk)
    return _form_page(
        request,
        programme,
        form,
        f"Contribution « {contribution.subject} »" if contribution else "Nouvelle contribution",
        back=reverse("operations:concertation_event", args=[event.pk]),
        event=event,
    )


@login_required
def contribution_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _contribution_page(request, _event_for_write(request, pk), None)


@login_required
def contribution_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contribution = selectors.contribution_for_page(request.user, pk)
    event = _event_for_write(request, contribution.event_id)
    return _contribution_page(request, event, contribution)


# --- Export ---------------------------------------------------------------------------------------------------


@login_required
@require_GET
def concertation_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The programme's events the user sees (filtered like the list) with their figures."""
    programme = selectors.programme_for_participation(request.user, pk)
    filter_form = _filter_form(request, programme)
    events = selectors.export_events(request.user, programme, filter_form.criteria())
    labels = dict(AttendeeProfile.choices)

    def bilan(event: ConcertationEvent) -> str:
        state = selectors.bilan_state(event)
        return state.label if state else ""

    columns = [
        Column("Date", lambda e: e.starts_on, 12),
        Column("Jusqu'au", lambda e: e.ends_on, 12),
        Column("Intitulé", lambda e: e.title, 40),
        Column("Format", lambda e: e.get_format_display(), 26),
        Column("Cadre", lambda e: e.get_legal_frame_display(), 30),
        Column("Statut", lambda e: e.get_status_display(), 10),
        Column("Démarche du plan", lambda e: e.plan_item.title if e.plan_item else "", 30),
        Column("Communes", lambda e: ", ".join(c.name for c in e.communes.all()), 24),
        Column("Opérations", lambda e: ", ".join(o.code for o in e.operations.all()), 20),
        Column("Lieu", lambda e: e.place, 24),
        Column("Organisateur", lambda e: e.organiser.name if e.organiser else "", 24),
        Column("Invitations", lambda e: e.invitations_sent, 12, total=True),
        Column("Participants", lambda e: e.attendance_count, 12, total=True),
        Column(
            "Participants par profil",
            lambda e: " ; ".join(f"{labels[p.profile]} : {p.count}" for p in e.attendance_profiles.all()),
            40,
        ),
        Column("Contributions", lambda e: e.contributions_total, 14, total=True),
        Column("Contributions retenues", lambda e: e.contributions_adopted, 14, total=True),
        Column("Retour aux participants", lambda e: e.feedback_on, 14),
        Column("Bilan (L103-2)", bilan, 40),
    ]
    day = policy.today()
    content = workbook(
        [
            Sheet(
                "Concertation",
                columns,
                events,
                heading=[
                    f"Temps de concertation — {programme.name}",
                    f"Export du {day:%d/%m/%Y} par {request.user.get_full_name() or request.user.email}.",
                ],
            )
        ]
    )
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="concertation-{slugify(programme.name)}-{day:%Y-%m-%d}.xlsx"'
    )
    return response
