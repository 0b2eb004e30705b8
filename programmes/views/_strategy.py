"""Helpers shared by the strategy's views (documents, stakes, needs)."""

from django.http import HttpRequest, HttpResponse

from programmes.models import Programme
from pvd.accounts import policy


def programme_context(request: HttpRequest, programme: Programme) -> dict[str, object]:
    """What every strategy page's header needs: the programme, whether its overview page opens for the user
    (mayors read the strategy but not the programme page), and whether they may edit the strategy."""
    return {
        "programme": programme,
        "can_read_programme": policy.can_read_programme(request.user, programme),
        "can_edit": policy.can_edit_strategy(request.user, programme),
    }


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    from programmes.strategy_exports import XLSX_CONTENT_TYPE

    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
