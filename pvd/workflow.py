"""Status workflows: one way to list the allowed targets of a status and to word a refused transition, for
every service that owns a transitions table (operations, financing lines, subsidy requests, consultations,
contracts). The services keep their tables and their evidence rules; this module only says no, in French."""

from collections.abc import Iterable, Mapping

from django.db import models


def in_order(targets: Iterable[str], choices: type[models.TextChoices]) -> list[str]:
    """`targets` in the workflow's order (the order of the choices), for the forms."""
    return sorted(targets, key=choices.values.index)


def refusal(
    *,
    transitions: Mapping[str, Iterable[str]],
    choices: type[models.TextChoices],
    source: str,
    target: str,
    subject: str,
    pronoun: str,
    allowed: Iterable[str] | None = None,
) -> str | None:
    """Why `subject` (« La demande », « Le marché M-12 »…) may not move from `source` to `target`, in French
    and naming both statuses — or None when it may. `allowed` narrows the table (a consultation's CAO step)."""
    if target not in choices.values:
        return f"Statut inconnu : « {target} »."
    label = {value: str(text) for value, text in choices.choices}
    if target == source:
        return f"{subject} est déjà « {label[source]} »."
    possible = in_order(allowed if allowed is not None else transitions.get(source, ()), choices)
    if target in possible:
        return None
    if not transitions.get(source):
        return (
            f"{subject} est « {label[source]} » : ce statut est définitif, {pronoun} ne peut pas passer à "
            f"« {label[target]} »."
        )
    listed = ", ".join(f"« {label[t]} »" for t in possible)
    return (
        f"{subject} ne peut pas passer de « {label[source]} » à « {label[target]} » ; statuts possibles : "
        f"{listed}."
    )
