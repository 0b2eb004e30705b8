"""The programme a participation page belongs to, fetched through the access policy (one place for every part).

- `programme_for_participation`: concertation, communication, sheets and the publicity check — the programme's
  readers and the mayors of its communes (who then see only what concerns their commune); 404 for the others.
- `programme_for_readers`: letters and network notes — the programme's readers (manager, referent, partner) and
  staff; 404 for everybody else (mayors do not open programme pages, decision 0001).
"""

from django.db.models import QuerySet
from django.http import Http404

from programmes.models import Programme
from pvd.accounts import policy
from pvd.accounts.models import User


def programme_for_participation(
    user: User, pk: int, queryset: QuerySet[Programme] | None = None
) -> Programme:
    """`queryset` lets a page add what it prefetches (the communes of the commune filter)."""
    queryset = Programme.objects.select_related("epci") if queryset is None else queryset
    try:
        programme = policy.strategy_programmes(queryset, user).get(pk=pk)
    except Programme.DoesNotExist as error:
        raise Http404("Aucun objet ne correspond à votre demande.") from error
    policy.require(policy.can_read_participation(user, programme))
    return programme


def programme_for_readers(user: User, pk: int) -> Programme:
    return policy.get_for_user(Programme.objects.select_related("epci"), user, pk=pk)


def page_header(user: User, programme: Programme) -> dict[str, object]:
    """What every participation page shows above its content: the programme and what the user may do there."""
    return {
        "programme": programme,
        "can_read_programme": policy.can_read_programme(user, programme),
        "can_manage": policy.can_manage_participation(user, programme),
    }
