"""Page-shaped reads of the programmes app."""

from django.db.models import Prefetch, QuerySet

from partners.models import Organisation
from programmes.models import Programme
from pvd.accounts import policy
from pvd.accounts.models import Membership, User


def _communes() -> Prefetch:
    return Prefetch("communes", queryset=Organisation.objects.order_by("name", "pk"))


def programmes_for_home(user: User) -> QuerySet[Programme]:
    return Programme.objects.visible_to(user).select_related("epci").prefetch_related(_communes())


def programme_for_page(user: User, pk: int) -> Programme:
    """The programme with its EPCI, communes and today's team, or 404 outside the user's scope."""
    queryset = Programme.objects.select_related("epci").prefetch_related(
        _communes(),
        Prefetch(
            "memberships",
            queryset=Membership.objects.active_on(policy.today())
            .select_related("user")
            .order_by("role", "user__full_name", "pk"),
            to_attr="active_memberships",
        ),
    )
    return policy.get_for_user(queryset, user, pk=pk)


def programmes_of_commune(commune: Organisation) -> QuerySet[Programme]:
    """The PVD programmes a commune belongs to (the commune itself is already in the user's scope)."""
    return commune.programmes.select_related("epci").order_by("name", "pk")


def programme_menu(user: User) -> list[tuple[int, str]]:
    """(pk, short label) of the programmes in the main menu; staff, who see all, get none there."""
    scope = policy.scope_for(user)
    if scope.is_staff or not scope.programmes:  # staff see all (no menu entry); mayors and operators none
        return []
    return list(Programme.objects.visible_to(user).order_by("name", "pk").values_list("pk", "name")[:5])
