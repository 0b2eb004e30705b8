"""The access policy: the one place that decides what a user may see and do.

Views never filter by hand. They ask:
- `visible_to(queryset, user)` for the rows in the user's scope (models call it from their
  QuerySet's `visible_to`), and `get_for_user(...)`, which answers 404 outside the scope;
- a `can_<verb>(user, obj)` predicate, and `require(...)`, which answers 403 inside the scope
  without the right.

Scope comes from the user's memberships active today (ARCHITECTURE.md §2). The rules refer to
other apps' models by label and field paths only, so this module imports none of them.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from pvd.accounts.models import Membership, Role

# Roles that read a whole programme (or housing programme) they are a member of.
PROGRAMME_ROLES = frozenset({Role.MANAGER, Role.REFERENT, Role.PARTNER})


@dataclass(frozen=True)
class Scope:
    """What one user reaches today, as sets of ids (one query to compute, cached on the user)."""

    authenticated: bool = False
    is_staff: bool = False
    user_id: int | None = None
    day: datetime.date | None = None
    programmes: frozenset[int] = frozenset()  # read: manager, referent, partner
    managed_programmes: frozenset[int] = frozenset()
    referent_programmes: frozenset[int] = frozenset()
    mayor_communes: frozenset[int] = frozenset()
    housing_programmes: frozenset[int] = frozenset()  # direct memberships, any role
    managed_housing_programmes: frozenset[int] = frozenset()
    operated_housing_programmes: frozenset[int] = frozenset()
    roles: frozenset[str] = frozenset()

    @property
    def has_any_role(self) -> bool:
        return self.is_staff or bool(self.roles)


def today() -> datetime.date:
    """The day access is judged on: today in Paris."""
    return timezone.localdate()


def scope_for(user: object, on: datetime.date | None = None) -> Scope:
    """The user's scope on `on` (today by default). Cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return Scope()
    day = on or today()
    cache_key = f"_pvd_scope_{day.isoformat()}"
    cached = getattr(user, cache_key, None)
    if cached is not None:
        return cached
    rows = list(
        Membership.objects.filter(user=user)
        .active_on(day)
        .order_by()
        .values_list("role", "programme_id", "commune_id", "housing_programme_id")
    )

    def ids(roles: set[str], column: int) -> frozenset[int]:
        return frozenset(row[column] for row in rows if row[0] in roles and row[column] is not None)

    scope = Scope(
        authenticated=True,
        is_staff=bool(getattr(user, "is_staff", False)),
        user_id=user.pk,
        day=day,
        programmes=ids(set(PROGRAMME_ROLES), 1),
        managed_programmes=ids({Role.MANAGER}, 1),
        referent_programmes=ids({Role.REFERENT}, 1),
        mayor_communes=ids({Role.MAYOR}, 2),
        housing_programmes=ids(set(Role.values), 3),
        managed_housing_programmes=ids({Role.MANAGER}, 3),
        operated_housing_programmes=ids({Role.OPERATOR}, 3),
        roles=frozenset(row[0] for row in rows),
    )
    setattr(user, cache_key, scope)
    return scope


def forget_scope(user: object) -> None:
    """Drop the cached scope (after changing the user's memberships within a request)."""
    for name in [n for n in vars(user) if n.startswith("_pvd_scope_")]:
        delattr(user, name)


# --- Scoping rules, one per model ----------------------------------------------------------------------
# Each rule is a few `pk IN (subquery on memberships)` conditions: the SQL keeps the same size whether
# the user reaches one programme or all of them, and needs no DISTINCT (bench/README.md).


def memberships_of(scope: Scope, roles: Iterable[str], column: str) -> QuerySet:
    """Subquery: the `column` ids of the user's memberships with these roles, active on the scope's day."""
    return (
        Membership.objects.filter(user_id=scope.user_id, role__in=list(roles), **{f"{column}__isnull": False})
        .active_on(scope.day or today())
        .order_by()
        .values(column)
    )


def _readable_programmes(scope: Scope) -> QuerySet:
    return memberships_of(scope, PROGRAMME_ROLES, "programme_id")


def _programmes(scope: Scope) -> Q:
    return Q(pk__in=_readable_programmes(scope))


def _organisations(scope: Scope) -> Q:
    """Communes of the user's programmes and their own commune; the EPCIs of those; every other
    organisation (State services, agencies, companies…) is a professional directory open to members."""
    programme_model = apps.get_model("programmes", "Programme")
    housing_model = apps.get_model("operations", "HousingProgramme")
    organisation_model = apps.get_model("partners", "Organisation")
    mayor_communes = memberships_of(scope, {Role.MAYOR}, "commune_id")
    readable = _readable_programmes(scope)
    communes = Q(kind="commune") & (
        Q(pk__in=mayor_communes)
        | Q(
            pk__in=programme_model.communes.through.objects.filter(programme_id__in=readable).values(
                "organisation_id"
            )
        )
        | Q(
            pk__in=housing_model.communes.through.objects.filter(
                housingprogramme_id__in=memberships_of(scope, PROGRAMME_ROLES, "housing_programme_id")
            ).values("organisation_id")
        )
    )
    epcis = Q(kind="epci") & (
        Q(pk__in=programme_model.objects.filter(pk__in=readable).values("epci_id"))
        | Q(pk__in=organisation_model.objects.filter(pk__in=mayor_communes).values("epci_id"))
    )
    others = ~Q(kind__in=["commune", "epci"]) if scope.has_any_role else Q(pk__in=[])
    return communes | epcis | others


def _housing_programmes(scope: Scope) -> Q:
    return Q(pk__in=memberships_of(scope, Role.values, "housing_programme_id")) | Q(
        programme_id__in=_readable_programmes(scope)
    )


RULES: dict[str, Callable[[Scope], Q]] = {
    "programmes.programme": _programmes,
    "partners.organisation": _organisations,
    "operations.housingprogramme": _housing_programmes,
}

# Rules whose Q crosses a multi-valued relation need DISTINCT (prefer `pk IN (subquery)` rules: none do).
DISTINCT: set[str] = set()


def visible_to[M: models.Model](queryset: QuerySet[M], user: object) -> QuerySet[M]:
    """The rows of `queryset` in the user's scope. A model without a rule is visible to staff only."""
    scope = scope_for(user)
    if not scope.authenticated:
        return queryset.none()
    if scope.is_staff:
        return queryset
    label = queryset.model._meta.label_lower
    rule = RULES.get(label)
    if rule is None:
        return queryset.none()
    scoped = queryset.filter(rule(scope))
    if label in DISTINCT:
        # A subquery on pk keeps the caller's ordering, annotations and slicing safe from DISTINCT.
        scoped = queryset.filter(pk__in=scoped.values("pk"))
    return scoped


def get_for_user[M: models.Model](queryset: QuerySet[M], user: object, **lookup: object) -> M:
    """One object in the user's scope, or 404: out of scope looks exactly like non-existent."""
    try:
        return visible_to(queryset, user).get(**lookup)
    except queryset.model.DoesNotExist as error:
        raise Http404("Aucun objet ne correspond à votre demande.") from error


# --- Predicates ----------------------------------------------------------------------------------------


def can_edit_programme(user: object, programme: models.Model) -> bool:
    scope = scope_for(user)
    return scope.is_staff or programme.pk in scope.managed_programmes


def can_view_history(user: object, obj: models.Model) -> bool:
    """Whoever can see an object can see who changed it: the history holds nothing the page hides."""
    return scope_for(user).authenticated


def require(allowed: bool, message: str = "Votre rôle ne permet pas cette action.") -> None:
    """403 inside the scope without the right."""
    if not allowed:
        raise PermissionDenied(message)
