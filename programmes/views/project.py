"""Pages of the revitalisation project: the current version and its editing, the versions, the diff, the
élu référent's validation page and the printable summary.

Every view: the programme through `programme_for_strategy` (404 outside the scope), the right through the
policy (403), then the service; a refused rule (StrategyError) or a stale form (StaleObjectError) becomes a
message, never a 500.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from programmes.forms.project import (
    AxisForm,
    Decision,
    MoveForm,
    ObjectiveForm,
    ProjectVisionForm,
    ValidationDecisionForm,
    VersionForm,
)
from programmes.models import Axis, Objective, Programme, ProjectStatus, RevitalisationProject
from programmes.selectors import project as selectors
from programmes.selectors.strategy import programme_for_strategy
from programmes.services import project as services
from programmes.services.errors import StrategyError
from programmes.views._strategy import programme_context
from pvd.accounts import policy
from pvd.actions import run_service
from pvd.concurrency import StaleObjectError


def _project_url(programme: Programme) -> str:
    return reverse("programmes:project", args=[programme.pk])


def _draft_for_editing(request: HttpRequest, pk: int) -> tuple[Programme, RevitalisationProject | None]:
    """The programme and its draft version, for a manager; None (with a message) if there is no draft."""
    programme = programme_for_strategy(request.user, pk)
    policy.require(policy.can_edit_strategy(request.user, programme))
    versions = selectors.project_versions(request.user, programme)
    latest = versions[0] if versions else None
    if latest is None:
        messages.error(request, "Le projet n'a pas encore de version : créez-en une.")
        return programme, None
    if latest.status != ProjectStatus.DRAFT:
        messages.error(request, services.refusal_message(latest))
        return programme, None
    return programme, latest


def _form_errors(form: object, error: ValidationError) -> None:
    if hasattr(error, "message_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)  # type: ignore[attr-defined]
    else:
        form.add_error(None, error.messages)  # type: ignore[attr-defined]


# --- Reading -------------------------------------------------------------------------------------------


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The latest version of the project: editable by the managers while it is a draft, read by others."""
    programme = programme_for_strategy(request.user, pk)
    versions = selectors.project_versions(request.user, programme)
    project = versions[0] if versions else None
    context = programme_context(request, programme)
    can_edit = bool(context["can_edit"])
    in_force = next((v for v in versions if v.status == ProjectStatus.VALIDATED), None)
    ctx = {
        **context,
        "versions": versions,
        "project": project,
        "content": selectors.project_content(project) if project else None,
        "in_force": in_force if in_force is not project else None,
        "editable": bool(can_edit and project and project.status == ProjectStatus.DRAFT),
        "can_start": can_edit and (project is None or project.status in selectors.FROZEN_STATUSES),
        "can_validate": bool(
            project
            and project.status == ProjectStatus.SUBMITTED
            and policy.can_validate_project(request.user, programme)
        ),
        "changes": selectors.status_changes(versions),
    }
    return render(request, "programmes/project/detail.html", ctx)


@login_required
def project_version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """One version as it was: a validated or superseded one from its frozen snapshot."""
    programme = programme_for_strategy(request.user, pk)
    versions = selectors.project_versions(request.user, programme)
    project = selectors.version_by_number(versions, number)
    previous = next((v for v in versions if v.number < number), None)
    ctx = {
        **programme_context(request, programme),
        "project": project,
        "content": selectors.project_content(project),
        "previous": previous,
        "frozen": project.status in selectors.FROZEN_STATUSES,
        "crumb": f"Version {project.number}",
    }
    return render(request, "programmes/project/version.html", ctx)


def _number(value: str | None) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError as error:
        raise Http404("Numéro de version invalide.") from error


@login_required
def project_compare(request: HttpRequest, pk: int) -> HttpResponse:
    """The diff between two versions (?de=1&a=2); without them, the choice of the two versions."""
    programme = programme_for_strategy(request.user, pk)
    versions = selectors.project_versions(request.user, programme)
    old_number, new_number = _number(request.GET.get("de")), _number(request.GET.get("a"))
    diff = old = new = None
    if old_number is not None and new_number is not None:
        old = selectors.version_by_number(versions, old_number)
        new = selectors.version_by_number(versions, new_number)
        diff = selectors.diff_versions(selectors.project_content(old), selectors.project_content(new))
    elif len(versions) >= 2:
        old_number, new_number = versions[1].number, versions[0].number
    ctx = {
        **programme_context(request, programme),
        "versions": versions,
        "diff": diff,
        "old": old,
        "new": new,
        "old_number": old_number,
        "new_number": new_number,
    }
    return render(request, "programmes/project/compare.html", ctx)


@login_required
def project_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable summary of a version (?version=N), by default the one in force."""
    programme = programme_for_strategy(request.user, pk)
    versions = selectors.project_versions(request.user, programme)
    number = _number(request.GET.get("version"))
    project = (
        selectors.version_by_number(versions, number)
        if number is not None
        else selectors.version_in_force(versions)
    )
    ctx = {
        **programme_context(request, programme),
        "project": project,
        "content": selectors.project_content(project) if project else None,
        "communes": programme.communes.all(),  # prefetched, in name order
    }
    return render(request, "programmes/project/print.html", ctx)


# --- The élu référent's decision -----------------------------------------------------------------------


@login_required
def project_validation(request: HttpRequest, pk: int) -> HttpResponse:
    """The référent validates the submitted version (date, comment, deliberation) or sends it back."""
    programme = programme_for_strategy(request.user, pk)
    policy.require(
        policy.can_validate_project(request.user, programme),
        "Seul l'élu référent du programme valide le projet de revitalisation.",
    )
    versions = selectors.project_versions(request.user, programme)
    project = next((v for v in versions if v.status == ProjectStatus.SUBMITTED), None)
    in_force = next((v for v in versions if v.status == ProjectStatus.VALIDATED), None)
    form = ValidationDecisionForm(request.POST or None, project=project) if project else None
    if project is not None and request.method == "POST" and form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == Decision.VALIDATE:
                services.project_validate(
                    project=project,
                    expected_version=data["version"],
                    by=request.user,
                    on=data["on"],
                    comment=data["comment"],
                    deliberation_reference=data["deliberation_reference"],
                )
            else:
                services.project_return(
                    project=project,
                    expected_version=data["version"],
                    by=request.user,
                    comment=data["comment"],
                )
        except (StrategyError, StaleObjectError) as error:
            messages.error(request, str(error))
        except ValidationError as error:
            _form_errors(form, error)
        else:
            if data["decision"] == Decision.VALIDATE:
                messages.success(
                    request,
                    f"La version {project.number} du projet est validée : son contenu est désormais figé.",
                )
                return redirect("programmes:project_version", pk=programme.pk, number=project.number)
            messages.success(
                request, f"La version {project.number} est renvoyée en brouillon à l'équipe projet."
            )
            return redirect(_project_url(programme))
    ctx = {
        **programme_context(request, programme),
        "project": project,
        "content": selectors.project_content(project) if project else None,
        "in_force": in_force,
        "form": form,
    }
    return render(request, "programmes/project/validation.html", ctx)


# --- The team's actions on the versions ----------------------------------------------------------------


@login_required
@require_POST
def project_start(request: HttpRequest, pk: int) -> HttpResponse:
    programme = programme_for_strategy(request.user, pk)
    policy.require(policy.can_edit_strategy(request.user, programme))
    try:
        project = services.project_start(programme=programme, by=request.user)
    except StrategyError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"La version {project.number} du projet est ouverte en brouillon.")
    return redirect(_project_url(programme))


@login_required
@require_POST
def project_submit(request: HttpRequest, pk: int) -> HttpResponse:
    programme, project = _draft_for_editing(request, pk)
    form = VersionForm(request.POST)
    if project is not None and form.is_valid():
        try:
            services.project_submit(
                project=project, expected_version=form.cleaned_data["version"], by=request.user
            )
        except (StrategyError, StaleObjectError) as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"La version {project.number} est soumise à l'élu référent.")
    return redirect(_project_url(programme))


@login_required
def project_vision(request: HttpRequest, pk: int) -> HttpResponse:
    programme, project = _draft_for_editing(request, pk)
    if project is None:
        return redirect(_project_url(programme))
    form = ProjectVisionForm(request.POST or None, instance=project)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = run_service(
            request,
            form,
            "La vision du projet est enregistrée.",
            lambda: services.project_update(
                project=project,
                expected_version=data["version"],
                by=request.user,
                title=data["title"],
                vision=data["vision"],
            ),
        )
        if saved is not None:
            return redirect(_project_url(programme))
    ctx = {
        **programme_context(request, programme),
        "project": project,
        "form": form,
        "heading": f"Titre et vision — version {project.number}",
    }
    return render(request, "programmes/project/form.html", ctx)


# --- Axes ----------------------------------------------------------------------------------------------


def _axis_for_editing(request: HttpRequest, pk: int, axis_pk: int) -> tuple[Programme, Axis]:
    programme = programme_for_strategy(request.user, pk)
    axis = policy.get_for_user(
        Axis.objects.select_related("project"), request.user, pk=axis_pk, project__programme_id=programme.pk
    )
    policy.require(policy.can_edit_strategy(request.user, programme))
    return programme, axis


def _frozen_redirect(
    request: HttpRequest, project: RevitalisationProject, programme: Programme
) -> HttpResponse:
    messages.error(request, services.refusal_message(project))
    return redirect(_project_url(programme))


@login_required
def axis_create(request: HttpRequest, pk: int) -> HttpResponse:
    programme, project = _draft_for_editing(request, pk)
    if project is None:
        return redirect(_project_url(programme))
    form = AxisForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            axis = services.axis_create(
                project=project,
                by=request.user,
                title=data["title"],
                description=data["description"],
                themes=data["themes"],
                stakes=data["stakes"],
            )
        except StrategyError as error:
            messages.error(request, str(error))
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, f"L'axe {axis.order} « {axis.title} » est ajouté.")
            return redirect(f"{_project_url(programme)}#axe-{axis.pk}")
    ctx = {
        **programme_context(request, programme),
        "project": project,
        "form": form,
        "heading": f"Nouvel axe stratégique — version {project.number}",
    }
    return render(request, "programmes/project/form.html", ctx)


@login_required
def axis_edit(request: HttpRequest, pk: int, axis_pk: int) -> HttpResponse:
    programme, axis = _axis_for_editing(request, pk, axis_pk)
    if axis.project.status != ProjectStatus.DRAFT:
        return _frozen_redirect(request, axis.project, programme)
    form = AxisForm(request.POST or None, instance=axis, programme=programme)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = run_service(
            request,
            form,
            f"L'axe « {data['title']} » est enregistré.",
            lambda: services.axis_update(
                axis=axis,
                expected_version=data["version"],
                by=request.user,
                title=data["title"],
                description=data["description"],
                themes=data["themes"],
                stakes=data["stakes"],
            ),
        )
        if saved is not None:
            return redirect(f"{_project_url(programme)}#axe-{axis.pk}")
    ctx = {
        **programme_context(request, programme),
        "project": axis.project,
        "form": form,
        "heading": f"Modifier l'axe {axis.order}",
    }
    return render(request, "programmes/project/form.html", ctx)


@login_required
@require_POST
def axis_delete(request: HttpRequest, pk: int, axis_pk: int) -> HttpResponse:
    programme, axis = _axis_for_editing(request, pk, axis_pk)
    try:
        services.axis_delete(axis=axis, by=request.user)
    except StrategyError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"L'axe « {axis.title} » et ses objectifs sont supprimés.")
    return redirect(_project_url(programme))


@login_required
@require_POST
def axis_move(request: HttpRequest, pk: int, axis_pk: int) -> HttpResponse:
    programme, axis = _axis_for_editing(request, pk, axis_pk)
    form = MoveForm(request.POST)
    if form.is_valid():
        try:
            services.axis_move(axis=axis, by=request.user, direction=form.cleaned_data["direction"])
        except StrategyError as error:
            messages.error(request, str(error))
    return redirect(f"{_project_url(programme)}#axe-{axis.pk}")


# --- Objectives ----------------------------------------------------------------------------------------


def _objective_for_editing(request: HttpRequest, pk: int, objective_pk: int) -> tuple[Programme, Objective]:
    programme = programme_for_strategy(request.user, pk)
    objective = policy.get_for_user(
        Objective.objects.select_related("axis__project"),
        request.user,
        pk=objective_pk,
        axis__project__programme_id=programme.pk,
    )
    policy.require(policy.can_edit_strategy(request.user, programme))
    return programme, objective


@login_required
def objective_create(request: HttpRequest, pk: int, axis_pk: int) -> HttpResponse:
    programme, axis = _axis_for_editing(request, pk, axis_pk)
    if axis.project.status != ProjectStatus.DRAFT:
        return _frozen_redirect(request, axis.project, programme)
    form = ObjectiveForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            objective = services.objective_create(
                axis=axis,
                by=request.user,
                title=data["title"],
                description=data["description"],
                themes=data["themes"],
                stakes=data["stakes"],
            )
        except StrategyError as error:
            messages.error(request, str(error))
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, f"L'objectif « {objective.title} » est ajouté à l'axe {axis.order}.")
            return redirect(f"{_project_url(programme)}#axe-{axis.pk}")
    ctx = {
        **programme_context(request, programme),
        "project": axis.project,
        "form": form,
        "heading": f"Nouvel objectif opérationnel — axe {axis.order} « {axis.title} »",
    }
    return render(request, "programmes/project/form.html", ctx)


@login_required
def objective_edit(request: HttpRequest, pk: int, objective_pk: int) -> HttpResponse:
    programme, objective = _objective_for_editing(request, pk, objective_pk)
    project = objective.axis.project
    if project.status != ProjectStatus.DRAFT:
        return _frozen_redirect(request, project, programme)
    form = ObjectiveForm(request.POST or None, instance=objective, programme=programme)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = run_service(
            request,
            form,
            f"L'objectif « {data['title']} » est enregistré.",
            lambda: services.objective_update(
                objective=objective,
                expected_version=data["version"],
                by=request.user,
                title=data["title"],
                description=data["description"],
                themes=data["themes"],
                stakes=data["stakes"],
            ),
        )
        if saved is not None:
            return redirect(f"{_project_url(programme)}#axe-{objective.axis_id}")
    ctx = {
        **programme_context(request, programme),
        "project": project,
        "form": form,
        "heading": f"Modifier l'objectif opérationnel {objective.axis.order}.{objective.order}",
    }
    return render(request, "programmes/project/form.html", ctx)


@login_required
@require_POST
def objective_delete(request: HttpRequest, pk: int, objective_pk: int) -> HttpResponse:
    programme, objective = _objective_for_editing(request, pk, objective_pk)
    try:
        services.objective_delete(objective=objective, by=request.user)
    except StrategyError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"L'objectif « {objective.title} » est supprimé.")
    return redirect(f"{_project_url(programme)}#axe-{objective.axis_id}")


@login_required
@require_POST
def objective_move(request: HttpRequest, pk: int, objective_pk: int) -> HttpResponse:
    programme, objective = _objective_for_editing(request, pk, objective_pk)
    form = MoveForm(request.POST)
    if form.is_valid():
        try:
            services.objective_move(
                objective=objective, by=request.user, direction=form.cleaned_data["direction"]
            )
        except StrategyError as error:
            messages.error(request, str(error))
    return redirect(f"{_project_url(programme)}#axe-{objective.axis_id}")
