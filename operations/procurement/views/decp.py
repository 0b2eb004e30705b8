"""The essential data of the programme's contracts (DECP): a page listing what will be published and what is
set aside (with its reasons), and the JSON download itself.

Publishing the data is the buyer's act: the programme's managers (and staff) only. Its other readers and the
mayors of its communes get 403, out of scope 404 (operations.selectors.operations.programme_for_operations).
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from operations.procurement import decp
from operations.selectors.operations import programme_for_operations
from programmes.models import Programme
from pvd.accounts import policy


def _programme_for_publication(request: HttpRequest, pk: int) -> Programme:
    programme = programme_for_operations(request.user, pk)
    policy.require(
        policy.can_manage_procurement(request.user, programme),
        "La publication des données essentielles est réservée aux gestionnaires du programme.",
    )
    return programme


@login_required
@require_GET
def decp_page(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme_for_publication(request, pk)
    export = decp.programme_export(request.user, programme)
    return render(
        request,
        "operations/procurement/decp.html",
        {
            "programme": programme,
            "export": export,
            "can_read_programme": policy.can_read_programme(request.user, programme),
        },
    )


@login_required
@require_GET
def decp_json(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme_for_publication(request, pk)
    export = decp.programme_export(request.user, programme)
    response = HttpResponse(export.to_json(), content_type="application/json; charset=utf-8")
    filename = f"decp-{slugify(programme.name)}-{export.day.isoformat()}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
