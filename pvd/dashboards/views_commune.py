"""The mayor's commune page and its one-page PDF (issue 10, H4).

The page reads the commune's summary (pvd/dashboards/commune.py) for the operations and indicators the user
sees, and tells what changed since the user's previous visit. The PDF is the summary every reader of the commune
shares, asked for with a POST and rendered in Celery (pvd.documents), then shown on its status page.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from operations.models import Operation
from partners import selectors as partners_selectors
from programmes import selectors as programmes_selectors
from pvd.accounts import policy
from pvd.dashboards import commune as summaries
from pvd.documents import request_document


def commune_page(request: HttpRequest, insee_code: str) -> HttpResponse:
    """The commune page a mayor reads in a minute (pvd.views.commune_detail delegates here)."""
    commune = partners_selectors.commune_for_page(request.user, insee_code)
    summary = summaries.summary_for_user(request.user, commune)
    previous_visit = summaries.record_visit(request.user, summaries.visit_page(commune))
    changes = None
    if previous_visit is not None:
        operations = Operation.objects.visible_to(request.user).filter(communes=commune)
        changes = summaries.changes_since(operations, previous_visit)
    ctx = {
        "commune": commune,
        "programmes": programmes_selectors.programmes_of_commune(commune),
        "summary": summary,
        "groups": summary.groups,
        "money": summary.money,
        "housing": summary.housing,
        "previous_visit": previous_visit,
        "previous_visit_day": timezone.localtime(previous_visit).date() if previous_visit else None,
        "changes": changes,
        "can_print": policy.can_read_commune_summary(request.user, commune),
    }
    return render(request, "pages/commune.html", ctx)


@login_required
@require_POST
def commune_summary_pdf(request: HttpRequest, insee_code: str) -> HttpResponse:  # H4
    """A fresh one-page summary of the commune, then its status page."""
    commune = partners_selectors.commune_for_page(request.user, insee_code)
    policy.require(policy.can_read_commune_summary(request.user, commune))
    doc = request_document(commune, summaries.COMMUNE_SUMMARY, request.user)
    return redirect("document", pk=doc.pk)
