"""Helpers shared by the strategy's views (documents, stakes, needs)."""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse

from programmes.models import Programme
from programmes.services.errors import StrategyError
from pvd.accounts import policy
from pvd.concurrency import StaleObjectError


def programme_context(request: HttpRequest, programme: Programme) -> dict[str, object]:
    """What every strategy page's header needs: the programme, whether its overview page opens for the user
    (mayors read the strategy but not the programme page), and whether they may edit the strategy."""
    return {
        "programme": programme,
        "can_read_programme": policy.can_read_programme(request.user, programme),
        "can_edit": policy.can_edit_strategy(request.user, programme),
    }


def run_service[T](request: HttpRequest, form: forms.Form, success: str, action: Callable[[], T]) -> T | None:
    """Run a service: its result with a success message; or None, with the refusal shown — a stale version
    or a business rule as a message, the model's French validation messages on the form."""
    try:
        result = action()
    except (StaleObjectError, StrategyError) as error:
        messages.error(request, str(error))
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error.messages)
    else:
        messages.success(request, success)
        return result
    return None


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    from programmes.strategy_exports import XLSX_CONTENT_TYPE

    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
