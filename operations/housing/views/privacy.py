"""GDPR pages of housing (issue 7): a file's access log (who opened, edited or exported it, and when), the
retention page of a housing programme (the files the next run would anonymise) and running it now.

The access log and the retention pages are the programme's managers' and staff's (policy.can_view_file_accesses,
policy.can_manage_housing_programme). Out of scope → 404, in scope without the right → 403.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from operations.housing.selectors import privacy as selectors
from operations.housing.services import privacy as services
from operations.models import HousingFile, HousingProgramme
from pvd.accounts import policy
from pvd.actions import run_service

ACCESSES_PER_PAGE = 50


class RetentionRunForm(forms.Form):
    confirm = forms.BooleanField(
        label="Je confirme l'anonymisation définitive des dossiers listés ci-dessus",
        required=True,
        error_messages={"required": "Cochez la case de confirmation pour lancer l'anonymisation."},
    )


@login_required
@require_GET
def file_accesses(request: HttpRequest, pk: int) -> HttpResponse:
    file = policy.get_for_user(HousingFile.objects.select_related("housing_programme"), request.user, pk=pk)
    policy.require(policy.can_view_file_accesses(request.user, file.housing_programme))
    page = Paginator(selectors.file_accesses(file=file), ACCESSES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "operations/housing/privacy/accesses.html",
        {"file": file, "housing_programme": file.housing_programme, "page": page},
    )


def _programme_for_retention(request: HttpRequest, pk: int) -> HousingProgramme:
    housing_programme = policy.get_for_user(HousingProgramme.objects.all(), request.user, pk=pk)
    policy.require(policy.can_manage_housing_programme(request.user, housing_programme))
    return housing_programme


@login_required
@require_GET
def retention(request: HttpRequest, pk: int) -> HttpResponse:
    housing_programme = _programme_for_retention(request, pk)
    day = timezone.localdate()
    report = selectors.retention_preview(housing_programme=housing_programme, day=day)
    return render(
        request,
        "operations/housing/privacy/retention.html",
        {
            "housing_programme": housing_programme,
            "day": day,
            "preview": report.programmes[0],
            "anonymised": selectors.anonymised_count(housing_programme=housing_programme),
            "form": RetentionRunForm(),
        },
    )


@login_required
@require_POST
def retention_run(request: HttpRequest, pk: int) -> HttpResponse:
    housing_programme = _programme_for_retention(request, pk)
    form = RetentionRunForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("operations:housing_retention", pk=housing_programme.pk)
    report = run_service(
        request,
        form,
        "L'anonymisation a été exécutée.",
        lambda: services.anonymise_expired(
            day=timezone.localdate(), dry_run=False, by=request.user, housing_programme=housing_programme
        ),
    )
    if report is not None:
        count = report.total
        messages.info(
            request,
            f"{count} dossier{'s' if count > 1 else ''} anonymisé{'s' if count > 1 else ''}."
            if count
            else "Aucun dossier n'était à anonymiser.",
        )
    return redirect("operations:housing_retention", pk=housing_programme.pk)
