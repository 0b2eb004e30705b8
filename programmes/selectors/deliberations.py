"""Page-shaped reads of deliberations and ORT perimeters (issue 9).

Rows come through the access policy: deliberations are public acts (anyone with a role who sees the authority);
the conventions each one authorises are those the user may read (a mayor never sees a draft). `programmes` sits
below `operations` (ARCHITECTURE.md §1): the signatories are reached through the reverse relation, never imported.
Each list is a fixed number of queries whatever the number of rows (tests/programmes/test_deliberations.py).
"""

from django.db.models import Prefetch, QuerySet

from programmes.models import Deliberation, OrtSector, Programme
from pvd.accounts import policy
from pvd.accounts.models import User


def _visible_signatories(user: User) -> Prefetch:
    """The signatories a deliberation authorises, with their convention, when the user may read the convention."""
    signatory_model = Deliberation._meta.get_field("signatories").related_model
    queryset = policy.visible_to(signatory_model.objects.all(), user).select_related("convention")
    return Prefetch(
        "signatories",
        queryset=queryset.order_by("convention__title", "convention_id", "pk"),
        to_attr="visible_signatories",
    )


def deliberations_for_page(user: User, programme: Programme) -> QuerySet[Deliberation]:
    return (
        policy.visible_to(Deliberation.objects.all(), user)
        .filter(programme=programme)
        .select_related("organisation")
        .prefetch_related(_visible_signatories(user))
    )


def deliberation_for_page(user: User, pk: int) -> Deliberation:
    """One deliberation with its programme and the conventions it authorises; 404 out of scope."""
    queryset = Deliberation.objects.select_related("organisation", "programme").prefetch_related(
        _visible_signatories(user)
    )
    return policy.get_for_user(queryset, user, pk=pk)


def ort_sectors_for_page(user: User, programme: Programme) -> QuerySet[OrtSector]:
    return (
        policy.visible_to(OrtSector.objects.all(), user).filter(programme=programme).select_related("commune")
    )


def ort_sector_for_page(user: User, pk: int) -> OrtSector:
    return policy.get_for_user(OrtSector.objects.select_related("programme", "commune"), user, pk=pk)
