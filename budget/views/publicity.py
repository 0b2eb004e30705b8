"""The financers' publicity obligations of a programme (issue 11): what is missing per operation first, every
obligation with the action that meets it, then each communication action and the financers of its operations it
does not credit; and the XLSX of the missing obligations.

Readers: the programme's readers and the mayors of its communes (a mayor sees only their commune's operations
and actions); everybody else 404. The obligations are computed in budget.selectors.publicity.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from budget.selectors.publicity import publicity_report
from operations.participation.selectors.programmes import programme_for_participation
from pvd.accounts import policy
from pvd.xlsx import XLSX_CONTENT_TYPE, Column, Sheet, workbook


@login_required
@require_GET
def publicity(request: HttpRequest, pk: int) -> HttpResponse:
    programme = programme_for_participation(request.user, pk)
    day = policy.today()
    return render(
        request,
        "budget/publicity.html",
        {
            "programme": programme,
            "can_read_programme": policy.can_read_programme(request.user, programme),
            "can_manage": policy.can_manage_participation(request.user, programme),
            "report": publicity_report(request.user, programme, on=day),
        },
    )


@login_required
@require_GET
def publicity_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The missing obligations (and those to plan), one row each, for the team's follow-up."""
    programme = programme_for_participation(request.user, pk)
    day = policy.today()
    report = publicity_report(request.user, programme, on=day)
    rows = [o for o in report.obligations if o.state != "met"]
    rows.sort(key=lambda o: (o.state != "missing", o.operation.code, o.funder.name, o.label))
    columns = [
        Column("Opération", lambda o: o.operation.code, 12),
        Column("Intitulé", lambda o: o.operation.title, 40),
        Column("Financeur", lambda o: o.funder.name, 32),
        Column("Obligation", lambda o: o.label, 48),
        Column("Supports concernés", lambda o: o.channel_labels, 30),
        Column("Origine", lambda o: " ; ".join(o.sources), 36),
        Column("État", lambda o: o.state_label, 14),
    ]
    content = workbook(
        [
            Sheet(
                "Obligations manquantes",
                columns,
                rows,
                heading=[
                    f"Obligations de publicité des financeurs — {programme.name}",
                    f"Au {day:%d/%m/%Y} : manquantes (aides accordées) et à prévoir (aides demandées).",
                ],
            )
        ]
    )
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="publicite-{slugify(programme.name)}-{day:%Y-%m-%d}.xlsx"'
    )
    return response
