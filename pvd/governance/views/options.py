"""Options of an arbitration note, their financing changes, and implementing the approved option (issue 8, H4).

Access (pvd/accounts/policy.py): an option is read through its note (managers from the draft, referents once
submitted, nobody else — 404 outside); only the programme's managers add, edit, delete options and their financing
changes (403 for a referent), and only while the note is a draft (otherwise the page says why and goes back to the
note); only a manager implements an approved option (POST).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from pvd.accounts import policy
from pvd.actions import run_service
from pvd.concurrency import StaleObjectError
from pvd.errors import DomainError
from pvd.governance.forms.options import OptionForm, financing_formset
from pvd.governance.models import Arbitration, ArbitrationOption, ArbitrationStatus
from pvd.governance.selectors.impact import options_with_impact
from pvd.governance.services import options as services


def _arbitration(request: HttpRequest, pk: int) -> Arbitration:
    arbitration = policy.get_for_user(
        Arbitration.objects.select_related("programme", "chosen_option"), request.user, pk=pk
    )
    policy.require(policy.can_manage_governance(request.user, arbitration.programme))
    return arbitration


def _option(request: HttpRequest, pk: int) -> ArbitrationOption:
    option = policy.get_for_user(
        ArbitrationOption.objects.select_related("arbitration__programme", "operation"), request.user, pk=pk
    )
    policy.require(policy.can_manage_governance(request.user, option.arbitration.programme))
    return option


def _not_draft(request: HttpRequest, arbitration: Arbitration) -> HttpResponse | None:
    if arbitration.status == ArbitrationStatus.DRAFT:
        return None
    messages.error(
        request,
        f"L'arbitrage {arbitration.reference} est « {arbitration.get_status_display()} » : ses options ne se "
        "modifient qu'en brouillon.",
    )
    return redirect("governance:arbitration", pk=arbitration.pk)


def arbitration_url(arbitration: Arbitration) -> str:
    return reverse("governance:arbitration", args=[arbitration.pk])


def _context(request: HttpRequest, arbitration: Arbitration, **extra: object) -> dict[str, object]:
    programme = arbitration.programme
    return {
        "arbitration": arbitration,
        "programme": programme,
        "can_read_programme": policy.can_read_programme(request.user, programme),
        **extra,
    }


def _fields(data: dict[str, object]) -> dict[str, object]:
    return {name: value for name, value in data.items() if name != "version"}


@login_required
def option_create(request: HttpRequest, pk: int) -> HttpResponse:
    arbitration = _arbitration(request, pk)
    if (refused := _not_draft(request, arbitration)) is not None:
        return refused
    form = OptionForm(
        request.POST or None,
        user=request.user,
        arbitration=arbitration,
        initial={"letter": services.next_letter(arbitration)},
    )
    if request.method == "POST" and form.is_valid():
        option = run_service(
            request,
            form,
            "L'option a été ajoutée : son impact est calculé sur la note.",
            lambda: services.option_create(arbitration=arbitration, by=request.user, data=form.cleaned_data),
        )
        if option is not None:
            return redirect(f"{arbitration_url(arbitration)}#option-{option.letter}")
    return render(
        request, "governance/option_form.html", _context(request, arbitration, form=form, option=None)
    )


@login_required
def option_edit(request: HttpRequest, pk: int) -> HttpResponse:
    option = _option(request, pk)
    arbitration = option.arbitration
    if (refused := _not_draft(request, arbitration)) is not None:
        return refused
    form = OptionForm(request.POST or None, instance=option, user=request.user, arbitration=arbitration)
    if request.method == "POST" and form.is_valid():
        saved = run_service(
            request,
            form,
            f"L'option {option.letter} a été enregistrée.",
            lambda: services.option_update(
                option=option,
                expected_version=form.cleaned_data["version"],
                by=request.user,
                data=_fields(form.cleaned_data),
            ),
        )
        if saved is not None:
            return redirect(f"{arbitration_url(arbitration)}#option-{saved.letter}")
    return render(
        request, "governance/option_form.html", _context(request, arbitration, form=form, option=option)
    )


@login_required
@require_POST
def option_delete(request: HttpRequest, pk: int) -> HttpResponse:
    option = _option(request, pk)
    version = request.POST.get("version", "")
    try:
        services.option_delete(
            option=option, by=request.user, expected_version=int(version) if version.isdigit() else None
        )
    except (StaleObjectError, DomainError) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"L'option {option.letter} a été supprimée.")
    return redirect("governance:arbitration", pk=option.arbitration_id)


@login_required
def option_financing(request: HttpRequest, pk: int) -> HttpResponse:
    option = _option(request, pk)
    arbitration = option.arbitration
    if (refused := _not_draft(request, arbitration)) is not None:
        return refused
    lines = services.financing_lines_of(option)
    formset = financing_formset(request.POST or None, option=option, user=request.user, lines=lines)
    if request.method == "POST" and formset.is_valid():
        version = request.POST.get("version", "")
        try:
            services.financing_changes_set(
                option=option,
                rows=formset.rows(),
                by=request.user,
                expected_version=int(version) if version.isdigit() else -1,
            )
        except (StaleObjectError, DomainError) as error:
            messages.error(request, str(error))
        except ValidationError as error:
            formset._non_form_errors = formset.error_class(error.messages)  # shown above the table
        else:
            messages.success(
                request, f"Les changements de financement de l'option {option.letter} sont enregistrés."
            )
            return redirect(f"{arbitration_url(arbitration)}#option-{option.letter}")
    view = next(
        (v for v in options_with_impact(arbitration, day=timezone.localdate()) if v.option.pk == option.pk),
        None,
    )
    ctx = _context(
        request,
        arbitration,
        option=option,
        formset=formset,
        lines=list(lines),
        view=view,
        view_list=[view] if view else [],
    )
    return render(request, "governance/option_financing.html", ctx)


@login_required
@require_POST
def arbitration_implement(request: HttpRequest, pk: int) -> HttpResponse:
    arbitration = _arbitration(request, pk)
    version = request.POST.get("version", "")
    try:
        services.implement_arbitration(
            arbitration=arbitration,
            by=request.user,
            expected_version=int(version) if version.isdigit() else arbitration.version,
        )
    except (StaleObjectError, DomainError) as error:
        messages.error(request, str(error))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"L'option {arbitration.chosen_option.letter if arbitration.chosen_option else ''} de l'arbitrage "
            f"{arbitration.reference} a été mise en œuvre : l'opération et son financement sont à jour.",
        )
    return redirect("governance:arbitration", pk=arbitration.pk)
