"""Reports rendered through pvd.documents: the operation fiche, the project summary, the committee report (issue 9,
H5). Each view asks for a fresh PDF (POST) and sends to its status page; the PDF is rendered in Celery.

Access: the fiche-action, whoever reads the operation; the project summary, the programme's readers and the mayors
of its communes (as the strategy pages); the committee report, the programme's readers (as the programme page).
Outside the scope: 404 (pvd/reports.py holds the renderers and their read rules).
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from operations.selectors.operations import operation_for_page
from programmes.selectors import programme_for_page
from programmes.selectors.strategy import programme_for_strategy
from pvd import reports
from pvd.accounts import policy
from pvd.documents import request_document


@login_required
@require_POST
def report_operation(request: HttpRequest, pk: int) -> HttpResponse:
    """A fresh fiche-action PDF of the operation, then its status page."""
    operation = operation_for_page(request.user, pk)
    doc = request_document(operation, reports.OPERATION_SHEET, request.user)
    return redirect("document", pk=doc.pk)


@login_required
@require_POST
def report_project(request: HttpRequest, pk: int) -> HttpResponse:
    """A fresh summary of the programme's revitalisation project, then its status page."""
    programme = programme_for_strategy(request.user, pk)
    policy.require(reports.can_read_strategy(request.user, programme))
    doc = request_document(programme, reports.PROJECT_SUMMARY, request.user)
    return redirect("document", pk=doc.pk)


@login_required
@require_POST
def report_committee(request: HttpRequest, pk: int) -> HttpResponse:
    """A fresh report to the programme's comité de projet, then its status page."""
    programme = programme_for_page(request.user, pk)
    policy.require(reports.can_read_committee_report(request.user, programme))
    doc = request_document(programme, reports.COMMITTEE_REPORT, request.user)
    return redirect("document", pk=doc.pk)
