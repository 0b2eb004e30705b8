"""The user's notifications (issue 8, H5): the list (unread first), opening one (marks it read and goes to its
page — a local path only, never an open redirect) and marking them all read. Access: the notifications of the
user only (`policy`: `governance.notification` → its user; staff, who see every row through the policy, still get
only their own here — nobody reads or marks another's notifications); another's notification is 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from pvd.accounts import policy
from pvd.governance.models import Notification
from pvd.governance.selectors import alerts as selectors

PAGE_SIZE = 25


def is_local_path(url: str) -> bool:
    """A path of this site (« /gouvernance/… »): no scheme, no host, no protocol-relative « // » nor « /\\ »."""
    return (
        bool(url)
        and url.startswith("/")
        and not url.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(url, allowed_hosts=set(), require_https=False)
    )


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.notifications_for_list(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    ctx = {
        "page": page,
        "notifications": list(page.object_list),
        "unread": selectors.unread_count(request.user),
    }
    return render(request, "governance/notification_list.html", ctx)


@login_required
@require_GET
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the notification read and open what it is about; without a local page, back to the list."""
    notification = policy.get_for_user(Notification.objects.filter(user=request.user), request.user, pk=pk)
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
    if is_local_path(notification.url):
        return redirect(notification.url)
    return redirect("governance:notifications")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    unread = Notification.objects.filter(user=request.user, read_at__isnull=True)
    count = policy.visible_to(unread, request.user).update(read_at=timezone.now())
    if count:
        messages.success(
            request,
            f"{count} notification{'s' if count > 1 else ''} marquée{'s' if count > 1 else ''} comme lue{'s' if count > 1 else ''}.",
        )
    else:
        messages.info(request, "Aucune notification non lue.")
    return redirect("governance:notifications")
