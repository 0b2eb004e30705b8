"""The bench's ROOT_URLCONF: the whole site plus a bare authenticated view, the baseline of every ratio.

The bare view goes through the same middleware as the real pages (session, authentication, CSRF,
history, axes…) and `login_required`, but does no work of its own: a page's median divided by this
one's tells what the page itself costs, whatever the machine.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

BARE_VIEW_URL = "/__bench__/vue-nue/"


@login_required
def bare_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


urlpatterns = [
    path(BARE_VIEW_URL.strip("/") + "/", bare_view, name="bench-bare-view"),
    path("", include("pvd.urls")),
]
