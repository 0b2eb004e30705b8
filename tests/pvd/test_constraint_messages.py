"""Every database constraint of the project has a French message that can be shown.

Django formats `violation_error_message` with `%` (it may name the constraint as `%(name)s`): a bare `%`
in "100 %" made `full_clean()` crash with a ValueError instead of showing the message to the user.
"""

import pytest
from django.apps import apps

PROJECT_APPS = ("accounts", "partners", "programmes", "operations", "budget", "pvd")


def _constraints() -> list[tuple[str, object]]:
    return [
        (f"{model._meta.label}.{constraint.name}", constraint)
        for app in PROJECT_APPS
        for model in apps.get_app_config(app).get_models()
        for constraint in model._meta.constraints
    ]


@pytest.mark.parametrize(("name", "constraint"), _constraints(), ids=[name for name, _ in _constraints()])
def test_every_constraint_message_can_be_shown_to_the_user(name: str, constraint: object) -> None:
    message = constraint.get_violation_error_message()
    assert "%%" not in message
    assert message.strip()
