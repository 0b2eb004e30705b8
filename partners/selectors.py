"""Page-shaped reads of the partners app; other apps' pages read organisations through here."""

import datetime
from dataclasses import dataclass

from django.db import models
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from partners.models import TERRITORIAL_KINDS, Mandate, Offer, Organisation, OrganisationKind, Person, Theme
from pvd.accounts import policy
from pvd.accounts.models import Membership, User


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


# --- The partner directory, the partner page, contacts and the offers catalogue --------------------------


def directory(user: User) -> QuerySet[Organisation]:
    """Partner organisations in the user's scope (no communes), with their counts of offers and,
    for those who may see contacts, of contacts."""
    offers = Offer.objects.filter(organisation=OuterRef("pk")).order_by().values("organisation")
    queryset = (
        Organisation.objects.visible_to(user)
        .partners()
        .annotate(offer_count=Coalesce(Subquery(offers.annotate(n=Count("pk")).values("n")), 0))
        .order_by("name", "pk")
    )
    if policy.can_view_contacts(user):
        people = Person.objects.filter(organisation=OuterRef("pk")).order_by().values("organisation")
        queryset = queryset.annotate(
            contact_count=Coalesce(Subquery(people.annotate(n=Count("pk")).values("n")), 0)
        )
    return queryset


def _current_mandates(day: datetime.date) -> Prefetch:
    return Prefetch(
        "mandates",
        queryset=Mandate.objects.current_on(day).select_related("organisation").order_by("valid_from", "pk"),
        to_attr="current_mandates",
    )


def _offers_with_themes() -> Prefetch:
    return Prefetch("themes", queryset=Theme.objects.order_by("order", "pk"))


@dataclass
class Involvement:
    """What an organisation takes part in across the programmes the user sees (reverse relations only:
    partners imports no higher app)."""

    programmes_as_epci: list[models.Model]
    programmes_as_commune: list[models.Model]
    owned_housing_programmes: list[models.Model]
    operated_housing_programmes: list[models.Model]
    accounts: list[Membership]  # today's roles of users on this commune (mayors)
    authored_documents: list[models.Model]  # strategic documents and studies it wrote
    mobilised_offers: list[models.Model]  # engineering needs that mobilise one of its offers

    def __bool__(self) -> bool:
        return any(
            (
                self.authored_documents,
                self.mobilised_offers,
                self.programmes_as_epci,
                self.programmes_as_commune,
                self.owned_housing_programmes,
                self.operated_housing_programmes,
                self.accounts,
            )
        )


@dataclass
class PartnerPage:
    organisation: Organisation
    contacts: list[Person] | None  # None: the user may not see contacts
    office_holders: list[Mandate] | None  # today's mandates held in this body (its mayor, president…)
    offers: list[Offer]
    involvement: Involvement


def _involvement(user: User, organisation: Organisation, with_accounts: bool) -> Involvement:
    def scoped(related: models.Manager) -> list[models.Model]:
        # The programmes and housing programmes are those of the user's scope (the policy knows the
        # models by label): a partner page never reveals another territory's programme.
        return list(policy.visible_to(related.all(), user).order_by("name", "pk"))

    kind = organisation.kind
    accounts: list[Membership] = []
    if with_accounts and kind == OrganisationKind.COMMUNE:
        accounts = list(
            organisation.memberships.active_on(policy.today()).select_related("user").order_by("role", "pk")
        )
    # Owned and operated housing programmes in one query (the model is reached through the relation).
    housing_model = organisation.owned_housing_programmes.model
    housing = list(
        policy.visible_to(
            housing_model.objects.filter(Q(owner=organisation) | Q(operator=organisation)), user
        ).order_by("name", "pk")
    )
    # The strategy's models are reached through reverse relations: partners imports no higher app.
    document_model = Organisation._meta.get_field("authored_documents").related_model
    need_model = Offer._meta.get_field("engineering_needs").related_model
    authored = list(
        policy.visible_to(document_model.objects.filter(author=organisation), user)
        .select_related("programme")
        .order_by("-year", "title", "pk")
    )
    mobilised = list(
        policy.visible_to(need_model.objects.filter(offer__organisation=organisation), user)
        .select_related("programme", "offer", "commune")
        .order_by("title", "pk")
    )
    return Involvement(
        authored_documents=authored,
        mobilised_offers=mobilised,
        programmes_as_epci=scoped(organisation.programmes_as_epci) if kind == OrganisationKind.EPCI else [],
        programmes_as_commune=scoped(organisation.programmes) if kind == OrganisationKind.COMMUNE else [],
        owned_housing_programmes=[hp for hp in housing if hp.owner_id == organisation.pk],
        operated_housing_programmes=[hp for hp in housing if hp.operator_id == organisation.pk],
        accounts=accounts,
    )


def partner_for_page(user: User, pk: int) -> PartnerPage:
    """The partner page: the organisation, its contacts with their current mandates (for those who may
    see contacts), the offers it carries and what it takes part in. 404 outside the user's scope."""
    organisation = policy.get_for_user(Organisation.objects.select_related("epci"), user, pk=pk)
    day = policy.today()
    sees_contacts = policy.can_view_contacts(user)
    contacts = office_holders = None
    if sees_contacts:
        contacts = list(
            Person.objects.visible_to(user)
            .filter(organisation=organisation)
            .prefetch_related(_current_mandates(day))
        )
        office_holders = list(
            Mandate.objects.visible_to(user)
            .current_on(day)
            .filter(organisation=organisation)
            .select_related("person", "person__organisation")
            .order_by("role", "valid_from", "pk")
        )
    offers = list(
        Offer.objects.visible_to(user)
        .filter(organisation=organisation)
        .prefetch_related(_offers_with_themes())
        .order_by("name", "pk")
    )
    return PartnerPage(
        organisation=organisation,
        contacts=contacts,
        office_holders=office_holders,
        offers=offers,
        involvement=_involvement(user, organisation, with_accounts=sees_contacts),
    )


def person_for_page(user: User, pk: int) -> Person:
    """A contact with its organisation and every mandate (current and past), or 404 — also for users who
    may not see contacts at all (mayors, operators)."""
    queryset = Person.objects.select_related("organisation").prefetch_related(
        Prefetch(
            "mandates",
            queryset=Mandate.objects.select_related("organisation").order_by("-valid_from", "pk"),
            to_attr="all_mandates",
        )
    )
    return policy.get_for_user(queryset, user, pk=pk)


def mandate_for_page(user: User, pk: int) -> Mandate:
    return policy.get_for_user(Mandate.objects.select_related("person", "organisation"), user, pk=pk)


def contacts_for_export(user: User) -> QuerySet[Person]:
    """Every contact in the user's scope, with organisation and today's mandates, for mail merges."""
    return (
        Person.objects.visible_to(user)
        .select_related("organisation")
        .prefetch_related(_current_mandates(policy.today()))
        .order_by("organisation__name", "last_name", "first_name", "pk")
    )


def offers_catalogue(user: User) -> QuerySet[Offer]:
    return (
        Offer.objects.visible_to(user)
        .select_related("organisation")
        .prefetch_related(_offers_with_themes())
        .order_by("organisation__name", "name", "pk")
    )


def offer_for_page(user: User, pk: int) -> Offer:
    return policy.get_for_user(
        Offer.objects.select_related("organisation").prefetch_related(_offers_with_themes()), user, pk=pk
    )


def organisation_choices(user: User, include: Organisation | None = None) -> QuerySet[Organisation]:
    """Organisations a form may point to (a contact's organisation, a mandate's body, an offer's carrier):
    those in the user's scope, without the thousands of communes and EPCIs of the national geography
    that no programme involves (an administrator sees them all); `include` keeps the current value."""
    involved = (
        Organisation.objects.filter(
            Q(programmes__isnull=False)
            | Q(housing_programmes__isnull=False)
            | Q(programmes_as_epci__isnull=False)
            | Q(owned_housing_programmes__isnull=False)
        )
        .order_by()
        .values("pk")
    )
    wanted = ~Q(kind__in=TERRITORIAL_KINDS) | Q(pk__in=involved)
    if include is not None:
        wanted |= Q(pk=include.pk)
    return Organisation.objects.visible_to(user).filter(wanted).order_by("name", "pk")
