"""What the household files report to the alerts engine (issue 8): the Anah decision that would be an implicit
rejection and the works completion limit, in their warning window or missed. Titles carry the file's reference
only — never a household's name (GDPR). Two queries per programme whatever the number of files."""

import datetime
from collections.abc import Iterator

from django.urls import reverse

from operations.housing.deadlines import (
    AWAITING_DECISION,
    DEADLINE_FIELDS,
    IMPLICIT_REJECTION,
    WORKS_RUNNING,
    deadlines_for,
    load_rules,
)
from operations.housing.models import HousingFile
from programmes.models import Programme
from pvd.deadlines import ATTENTION, CRITICAL, OVERDUE, WARNING, AlertCandidate

TITLES = {
    IMPLICIT_REJECTION: "Dossier {ref} : décision de l'Anah attendue (silence valant rejet)",
    "works_completion": "Dossier {ref} : limite d'achèvement des travaux",
}


def household_file_deadlines(programme: Programme, day: datetime.date) -> Iterator[AlertCandidate]:
    """The open files of the programme's housing programmes whose deadline is near (attention) or missed
    (critical). An implicit rejection is for the chargé de mission to chase the Anah; missed works limits for the
    COTECH of the OPAH-RU (a prorogation or a withdrawal to decide)."""
    files = (
        HousingFile.objects.filter(
            housing_programme__programme=programme, status__in=AWAITING_DECISION | WORKS_RUNNING
        )
        .only(*DEADLINE_FIELDS, "commune")
        .order_by("pk")
    )
    rules = load_rules()
    for file in files:
        for deadline in deadlines_for(file, rules, day=day):
            if deadline.status not in (WARNING, OVERDUE):
                continue
            overdue = deadline.status == OVERDUE
            works = deadline.code != IMPLICIT_REJECTION
            yield AlertCandidate(
                kind=f"housing.{deadline.code}",
                key=f"housing.{deadline.code}:{file.pk}",
                level=CRITICAL if overdue else ATTENTION,
                title=TITLES.get(deadline.code, "Dossier {ref} : " + deadline.label).format(
                    ref=file.reference
                ),
                url=reverse("operations:housing_file_detail", args=[file.pk]),
                due_on=deadline.due_on,
                detail=" ".join(filter(None, [deadline.detail, deadline.rule])),
                obj=file,
                commune_id=file.commune_id,
                decision_level="cotech" if works and overdue else "manager",
            )
