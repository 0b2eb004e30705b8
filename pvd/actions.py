"""Running a service from a view: one way to report success, refusals and validation errors."""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from pvd.concurrency import StaleObjectError
from pvd.errors import DomainError


def run_service[T](request: HttpRequest, form: forms.Form, success: str, action: Callable[[], T]) -> T | None:
    """Run a service: its result, with a success message; or None, with the refusal shown — a stale
    version or a business rule as a message, the model's French validation messages on the form."""
    try:
        result = action()
    except (StaleObjectError, DomainError) as error:
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
