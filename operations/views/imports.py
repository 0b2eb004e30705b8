"""Import of an existing action plan (XLSX): upload page, template download, job status page.

Access: the programme's managers (and staff). Readers and the mayors of the programme's communes get 403
(in scope, without the right), everyone else 404 (`programme_for_strategy`). The job runs in Celery; the
status page polls itself with htmx every 2 s while it runs (a <meta refresh> covers browsers without JS).
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from operations.importer import (
    COLUMNS,
    TEMPLATE_FILENAME,
    XLSX_CONTENT_TYPE,
    operation_import_start,
    template_xlsx,
)
from operations.models import OperationImport
from programmes.models import Programme
from programmes.selectors.strategy import programme_for_strategy
from pvd.accounts import policy

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Classeur du plan d'action (.xlsx)",
        help_text="La première feuille est lue ; la première ligne porte les noms des colonnes. 10 Mo au plus.",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError("Le fichier dépasse 10 Mo.")
        return upload


def _managed_programme(request: HttpRequest, pk: int) -> Programme:
    programme = programme_for_strategy(request.user, pk)
    policy.require(policy.can_edit_operations(request.user, programme))
    return programme


@login_required
def import_upload(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _managed_programme(request, pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = operation_import_start(programme=programme, file=form.cleaned_data["file"], by=request.user)
        except ValidationError as error:
            form.add_error("file", error.message_dict.get("file", error.messages))
        else:
            messages.success(request, "Le fichier est déposé ; l'import se déroule en arrière-plan.")
            return redirect("operations:import_status", pk=job.pk)
    ctx = {
        "programme": programme,
        "form": form,
        "columns": COLUMNS,
        "imports": programme.operation_imports.select_related("created_by")[:10],
    }
    return render(request, "operations/imports/upload.html", ctx)


@login_required
@require_GET
def import_template(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _managed_programme(request, pk)
    response = HttpResponse(template_xlsx(programme), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{TEMPLATE_FILENAME}"'
    return response


@login_required
@require_GET
def import_status(request: HttpRequest, pk: int) -> HttpResponse:
    job = policy.get_for_user(OperationImport.objects.select_related("created_by"), request.user, pk=pk)
    programme = _managed_programme(request, job.programme_id)  # 403 without the right
    ctx = {"programme": programme, "job": job}
    if request.headers.get("HX-Request"):
        return render(request, "operations/imports/status.html#job", ctx)
    return render(request, "operations/imports/status.html", ctx)
