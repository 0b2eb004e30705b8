"""Preferences and the personal calendar feed (issue 8, H6).

Access: the preferences page and the token reset are every logged-in user's own (`NotificationPreference` rule:
their user only). The feed needs no login: the secret token in its address is the credential (a calendar
application cannot log in); an unknown token, or the token of a user made inactive or without any active role,
answers 404 — like a page that does not exist.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from pvd.actions import run_service
from pvd.governance import ical
from pvd.governance.forms.preferences import PreferencesForm
from pvd.governance.selectors.calendar import feed_events, feed_owner
from pvd.governance.services import preferences as services
from pvd.governance.services.notify import preferences_for


def feed_url(request: HttpRequest, token: str) -> str:
    return request.build_absolute_uri(reverse("governance:calendar_feed", args=[token]))


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    preference = preferences_for(request.user)
    form = PreferencesForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = run_service(
            request,
            form,
            "Vos préférences ont été enregistrées.",
            lambda: services.preferences_update(user=request.user, **data),
        )
        if done is not None:
            return redirect("governance:preferences")
    ctx = {"form": form, "preference": preference, "feed_url": feed_url(request, preference.calendar_token)}
    return render(request, "governance/preferences.html", ctx)


@login_required
@require_POST
def calendar_reset(request: HttpRequest) -> HttpResponse:
    services.calendar_token_reset(user=request.user)
    messages.success(
        request,
        "Votre calendrier a une nouvelle adresse : l'ancienne ne fonctionne plus. "
        "Remplacez-la dans votre application d'agenda.",
    )
    return redirect("governance:preferences")


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    user = feed_owner(token)
    if user is None:
        raise Http404("Aucun calendrier ne correspond à cette adresse.")
    # The site's address (not the request's): the UIDs match those of the invitations sent by e-mail.
    body = ical.calendar_bytes(
        feed_events(user, site_url=settings.SITE_URL), name="PVD Pilot — mes réunions et échéances"
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="pvd-pilot.ics"'
    response["Cache-Control"] = "private, max-age=900"
    response["X-Robots-Tag"] = "noindex"
    return response
