"""Page-shaped reads of the partners app; other apps' pages read organisations through here."""

from django.db.models import QuerySet

from partners.models import Organisation
from pvd.accounts import policy
from pvd.accounts.models import User


def mayor_communes(user: User) -> QuerySet[Organisation]:
    """The communes whose mayor (or adjoint) the user is today."""
    # A mayor's communes are in their scope by definition: no need for the whole organisation rule.
    return (
        Organisation.objects.communes()
        .filter(pk__in=policy.scope_for(user).mayor_communes)
        .order_by("name", "pk")
    )


def commune_for_page(user: User, insee_code: str) -> Organisation:
    """The commune page's subject with its EPCI, or 404 when out of the user's scope."""
    return policy.get_for_user(
        Organisation.objects.communes().select_related("epci"), user, insee_code=insee_code
    )
