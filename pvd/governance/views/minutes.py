"""Minutes of a meeting and its printable agenda and minutes (issue 8, H2).

Access (pvd/accounts/policy.py): a meeting is seen by its programme's readers and the mayors of its communes (404 for
everyone else); its managers write the minutes (403 for the other readers). The PDFs are asked for by POST (a fresh
document each time, rendered in Celery) and read by whoever sees the meeting; the minutes only once it is held.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from pvd.accounts import policy
from pvd.actions import run_service
from pvd.documents import request_document
from pvd.governance.forms.minutes import MinutesForm
from pvd.governance.models import Meeting
from pvd.governance.services import minutes as services
from pvd.governance.services.decisions import meeting_is_held


def _meeting(request: HttpRequest, pk: int) -> Meeting:
    return policy.get_for_user(
        Meeting.objects.select_related("committee__programme", "minutes_written_by"), request.user, pk=pk
    )


@login_required
def minutes_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The minutes' rich-text editor; before the meeting is held the page says why it cannot be written yet."""
    meeting = _meeting(request, pk)
    programme = meeting.committee.programme
    policy.require(policy.can_manage_governance(request.user, programme))
    held = meeting_is_held(meeting)
    form = MinutesForm(request.POST or None, instance=meeting)
    if request.method == "POST":
        if not held:
            messages.error(request, services.NOT_HELD)
        elif form.is_valid():
            saved = run_service(
                request,
                form,
                "Le compte rendu a été enregistré.",
                lambda: services.minutes_update(
                    meeting=meeting,
                    expected_version=form.cleaned_data["version"],
                    by=request.user,
                    minutes=form.cleaned_data["minutes"],
                ),
            )
            if saved is not None:
                return redirect("governance:meeting", pk=meeting.pk)
    ctx = {
        "meeting": meeting,
        "programme": programme,
        "can_read_programme": policy.can_read_programme(request.user, programme),
        "form": form,
        "held": held,
        "not_held_message": services.NOT_HELD,
    }
    return render(request, "governance/minutes_edit.html", ctx)


@login_required
@require_POST
def meeting_print(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """A fresh PDF of the agenda (`agenda`) or of the minutes (`minutes`, once held), then its status page."""
    document_kind = services.PRINT_KINDS.get(kind)
    if document_kind is None:
        raise Http404("Aucun document de ce type.")
    meeting = _meeting(request, pk)
    if document_kind == services.MEETING_MINUTES and not meeting_is_held(meeting):
        messages.error(
            request, "La réunion n'a pas encore eu lieu : son compte rendu ne peut pas encore être imprimé."
        )
        return redirect("governance:meeting", pk=meeting.pk)
    doc = request_document(meeting, document_kind, request.user)
    return redirect("document", pk=doc.pk)
