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


def sees_contacts(scope: Scope) -> bool:
    """Contacts are personal data: staff and an active manager, referent or partner role only
    (on a programme or a housing programme); never mayors-only or operators-only users.
    docs/decisions/0005-partners-directory.md."""
    return scope.is_staff or bool(scope.roles & PROGRAMME_ROLES)


def _people(scope: Scope) -> Q:
    """Contacts of the organisations the user sees, for those who may see contacts at all."""
    if not sees_contacts(scope):
        return Q(pk__in=[])
    organisation_model = apps.get_model("partners", "Organisation")
    return Q(
        organisation_id__in=organisation_model.objects.filter(_organisations(scope)).order_by().values("pk")
    )


def _mandates(scope: Scope) -> Q:
    """A mandate is seen with its holder."""
    if not sees_contacts(scope):
        return Q(pk__in=[])
    person_model = apps.get_model("partners", "Person")
    return Q(person_id__in=person_model.objects.filter(_people(scope)).order_by().values("pk"))


def _catalogue(scope: Scope) -> Q:
    """Offers and themes: a public-sector catalogue, read by anyone with an active role."""
    return Q() if scope.has_any_role else Q(pk__in=[])


def _mayor_programmes(scope: Scope) -> QuerySet:
    """Subquery: the programmes that contain one of the user's communes as mayor."""
    through = apps.get_model("programmes", "Programme").communes.through
    return through.objects.filter(
        organisation_id__in=memberships_of(scope, {Role.MAYOR}, "commune_id")
    ).values("programme_id")


def _strategy_by_commune(scope: Scope) -> Q:
    """Stakes and engineering needs: the whole programme for its readers; for a mayor, those of their
    commune and those common to the programme (no commune)."""
    mayor_communes = memberships_of(scope, {Role.MAYOR}, "commune_id")
    return (
        Q(programme_id__in=_readable_programmes(scope))
        | Q(commune_id__in=mayor_communes)
        | Q(commune__isnull=True, programme_id__in=_mayor_programmes(scope))
    )


def _strategy_of_programme(scope: Scope) -> Q:
    """Documents and the revitalisation project: the programme's readers and the mayors of its communes."""
    return Q(programme_id__in=_readable_programmes(scope)) | Q(programme_id__in=_mayor_programmes(scope))


def _axes(scope: Scope) -> Q:
    project_model = apps.get_model("programmes", "RevitalisationProject")
    return Q(project_id__in=project_model.objects.filter(_strategy_of_programme(scope)).values("pk"))


def _objectives(scope: Scope) -> Q:
    axis_model = apps.get_model("programmes", "Axis")
    return Q(axis_id__in=axis_model.objects.filter(_axes(scope)).values("pk"))


def _any_of(model_label: str, *conditions: Q, extra: Iterable[QuerySet] = ()) -> Q:
    """`pk IN (rows of condition 1 UNION rows of condition 2 …)`: each branch uses its own index. An OR of
    IN-subqueries made PostgreSQL scan the whole table at national scale (bench/README.md, findings)."""
    model = apps.get_model(model_label)
    parts = [model._default_manager.filter(condition).order_by().values("pk") for condition in conditions]
    parts += [part.order_by() for part in extra]
    first, *rest = parts
    return Q(pk__in=first.union(*rest) if rest else first)


def _operations(scope: Scope) -> Q:
    """Operations: the programme's readers; a mayor, those of their commune (an operation of two communes
    is seen by both mayors)."""
    return _any_of(
        "operations.Operation",
        Q(programme_id__in=_readable_programmes(scope)),
        extra=[_mayor_operations(scope)],
    )


def _of_visible_operation(scope: Scope) -> Q:
    """Phases, progress reports, risks: seen with their operation."""
    operation_model = apps.get_model("operations", "Operation")
    return Q(operation_id__in=operation_model.objects.filter(_operations(scope)).values("pk"))


def _mayor_operations(scope: Scope) -> QuerySet:
    """Subquery: the operations of the user's communes as mayor."""
    through = apps.get_model("operations", "Operation").communes.through
    return through.objects.filter(
        organisation_id__in=memberships_of(scope, {Role.MAYOR}, "commune_id")
    ).values("operation_id")


def _financing_lines(scope: Scope) -> Q:
    plan_model = apps.get_model("budget", "FinancingPlan")
    return Q(plan_id__in=plan_model.objects.filter(_of_visible_operation(scope)).values("pk"))


def _subsidy_requests(scope: Scope) -> Q:
    """Subsidy requests: the programme's readers; a mayor, those whose beneficiary is their commune or
    that finance one of their commune's operations."""
    allocation_model = apps.get_model("budget", "SubsidyAllocation")
    return _any_of(
        "budget.SubsidyRequest",
        Q(programme_id__in=_readable_programmes(scope)),
        Q(beneficiary_id__in=memberships_of(scope, {Role.MAYOR}, "commune_id")),
        extra=[
            allocation_model.objects.filter(operation_id__in=_mayor_operations(scope)).values("request_id")
        ],
    )


def _of_visible_request(scope: Scope) -> Q:
    """Allocations, payments, reductions and repayments: seen with their request."""
    request_model = apps.get_model("budget", "SubsidyRequest")
    return Q(request_id__in=request_model.objects.filter(_subsidy_requests(scope)).values("pk"))


def _budget_lines(scope: Scope) -> Q:
    """The programme budget: its readers; a mayor, their commune's budget and lines of its operations."""
    return _any_of(
        "budget.BudgetLine",
        Q(programme_id__in=_readable_programmes(scope)),
        Q(organisation_id__in=memberships_of(scope, {Role.MAYOR}, "commune_id")),
        Q(operation_id__in=_mayor_operations(scope)),
    )


def _authorisations(scope: Scope) -> Q:
    through = apps.get_model("budget", "ProgrammeAuthorisation").operations.through
    return (
        Q(programme_id__in=_readable_programmes(scope))
        | Q(organisation_id__in=memberships_of(scope, {Role.MAYOR}, "commune_id"))
        | Q(
            pk__in=through.objects.filter(operation_id__in=_mayor_operations(scope)).values(
                "programmeauthorisation_id"
            )
        )
    )


def _of_visible_authorisation(scope: Scope) -> Q:
    model = apps.get_model("budget", "ProgrammeAuthorisation")
    return Q(authorisation_id__in=model.objects.filter(_authorisations(scope)).values("pk"))


def _expenses(scope: Scope) -> Q:
    model = apps.get_model("budget", "BudgetLine")
    return Q(budget_line_id__in=model.objects.filter(_budget_lines(scope)).values("pk"))


def _consultations(scope: Scope) -> Q:
    """Procurement: the programme's readers; a mayor, the consultations of their commune's operations or
    bought by their commune."""
    through = apps.get_model("operations", "Consultation").operations.through
    return (
        Q(programme_id__in=_readable_programmes(scope))
        | Q(buyer_id__in=memberships_of(scope, {Role.MAYOR}, "commune_id"))
        | Q(
            pk__in=through.objects.filter(operation_id__in=_mayor_operations(scope)).values("consultation_id")
        )
    )


def _of_visible_consultation(scope: Scope) -> Q:
    model = apps.get_model("operations", "Consultation")
    return Q(consultation_id__in=model.objects.filter(_consultations(scope)).values("pk"))


def _of_visible_lot(scope: Scope) -> Q:
    model = apps.get_model("operations", "Lot")
    return Q(lot_id__in=model.objects.filter(_of_visible_consultation(scope)).values("pk"))


def _bid_scores(scope: Scope) -> Q:
    model = apps.get_model("operations", "Bid")
    return Q(bid_id__in=model.objects.filter(_of_visible_lot(scope)).values("pk"))


def _of_visible_contract(scope: Scope) -> Q:
    model = apps.get_model("operations", "Contract")
    return Q(contract_id__in=model.objects.filter(_of_visible_lot(scope)).values("pk"))


def _file_programmes(scope: Scope) -> QuerySet:
    """Subquery: the housing programmes whose named household files the user reads — as the programme's
    operator or manager, or as a manager of the PVD programme it belongs to (GDPR: nobody else)."""
    housing_model = apps.get_model("operations", "HousingProgramme")
    direct = memberships_of(scope, {Role.MANAGER, Role.OPERATOR}, "housing_programme_id")
    through_programme = housing_model.objects.filter(
        programme_id__in=memberships_of(scope, {Role.MANAGER}, "programme_id")
    ).values("pk")
    return direct.union(through_programme.order_by())


def _housing_files(scope: Scope) -> Q:
    """Household files are personal data: the programme's operator and managers only (ARCHITECTURE.md §2)."""
    return Q(housing_programme_id__in=_file_programmes(scope))


def _of_visible_housing_programme(scope: Scope) -> Q:
    """Targets, envelopes, avenants, sectors and top-up rules: seen with their housing programme."""
    model = apps.get_model("operations", "HousingProgramme")
    return Q(housing_programme_id__in=model.objects.filter(_housing_programmes(scope)).values("pk"))


def _of_visible_file(scope: Scope) -> Q:
    model = apps.get_model("operations", "HousingFile")
    return Q(file_id__in=model.objects.filter(_housing_files(scope)).values("pk"))


def _housing_payments(scope: Scope) -> Q:
    model = apps.get_model("operations", "HousingGrant")
    return Q(grant_id__in=model.objects.filter(_of_visible_file(scope)).values("pk"))


# --- Participation: concertation, communication, letters, network, good-practice sheets (issue 11) -------


def _participation_by_commune(model_label: str) -> Callable[[Scope], Q]:
    """Concertation plan and events, communication actions: the programme's readers; a mayor, those that
    concern their commune (they hold no personal data)."""

    def rule(scope: Scope) -> Q:
        model = apps.get_model(model_label)
        through = model.communes.through
        column = f"{model._meta.model_name}_id"
        mayor_rows = through.objects.filter(
            organisation_id__in=memberships_of(scope, {Role.MAYOR}, "commune_id")
        ).values(column)
        return _any_of(model_label, Q(programme_id__in=_readable_programmes(scope)), extra=[mayor_rows])

    return rule


def _of_visible_event(scope: Scope) -> Q:
    """Attendance profiles and contributions: seen with their event."""
    event_model = apps.get_model("operations", "ConcertationEvent")
    rule = _participation_by_commune("operations.ConcertationEvent")
    return Q(event_id__in=event_model.objects.filter(rule(scope)).values("pk"))


def _of_readable_programme(scope: Scope) -> Q:
    """Letters and network events: the programme's readers (manager, referent, partner)."""
    return Q(programme_id__in=_readable_programmes(scope))


def _of_managed_programme(scope: Scope) -> Q:
    """Mailing lists: contacts with their consent, managed by the programme's managers only."""
    return Q(programme_id__in=memberships_of(scope, {Role.MANAGER}, "programme_id"))


def _of_visible_indicator(scope: Scope) -> Q:
    """Targets and measurements: seen with their indicator (issue 10)."""
    indicator_model = apps.get_model("programmes", "Indicator")
    return Q(indicator_id__in=indicator_model.objects.filter(_strategy_by_commune(scope)).values("pk"))


def _subscriptions(scope: Scope) -> Q:
    list_model = apps.get_model("operations", "MailingList")
    return Q(mailing_list_id__in=list_model.objects.filter(_of_managed_programme(scope)).values("pk"))


def _deliveries(scope: Scope) -> Q:
    letter_model = apps.get_model("operations", "InformationLetter")
    return Q(letter_id__in=letter_model.objects.filter(_of_managed_programme(scope)).values("pk"))


def _practice_sheets(scope: Scope) -> Q:
    """Good-practice sheets: drafts for the programme's readers and the mayors of its communes; published
    sheets for anyone with a role (the library other towns read; the public page needs no login at all)."""
    if not scope.has_any_role:
        return Q(pk__in=[])
    return _any_of(
        "operations.PracticeSheet",
        Q(programme_id__in=_readable_programmes(scope)),
        Q(programme_id__in=_mayor_programmes(scope)),
        Q(status="published"),
    )


# --- Conventions and avenants, deliberations, ORT perimeters (issue 9) ----------------------------------------


def _deliberations(scope: Scope) -> Q:
    """Deliberations are public acts: seen by anyone with a role who sees the authority that adopted them."""
    if not scope.has_any_role:
        return Q(pk__in=[])
    organisation_model = apps.get_model("partners", "Organisation")
    return Q(
        organisation_id__in=organisation_model.objects.filter(_organisations(scope)).order_by().values("pk")
    )


def _conventions(scope: Scope) -> Q:
    """Conventions: drafts (status « projet ») for the managers and referents of the programme (or the managers of
    the housing programme) only; once sent to the parties, the programme's readers, the housing programme's
    members, and the mayors of the communes that sign it."""
    signatory_model = apps.get_model("operations", "Signatory")
    shared = ~Q(status="draft")
    return _any_of(
        "operations.Convention",
        Q(programme_id__in=memberships_of(scope, {Role.MANAGER, Role.REFERENT}, "programme_id")),
        Q(housing_programme_id__in=memberships_of(scope, {Role.MANAGER}, "housing_programme_id")),
        shared & Q(programme_id__in=_readable_programmes(scope)),
        shared & Q(housing_programme_id__in=memberships_of(scope, Role.values, "housing_programme_id")),
        shared
        & Q(
            pk__in=signatory_model.objects.filter(
                organisation_id__in=memberships_of(scope, {Role.MAYOR}, "commune_id")
            ).values("convention_id")
        ),
    )


def _of_visible_convention(scope: Scope) -> Q:
    """Articles, signatories and issued versions: seen with their convention."""
    model = apps.get_model("operations", "Convention")
    return Q(convention_id__in=model.objects.filter(_conventions(scope)).values("pk"))


# --- Governance: bodies, meetings, decisions, arbitrations, alerts (issue 8) ------------------------------------


def _of_governed_programme(scope: Scope) -> Q:
    """Bodies, meetings and the decision register: the programme's readers and the mayors of its communes (they sit
    on the comité de projet)."""
    return _strategy_of_programme(scope)


def _of_visible_committee(scope: Scope) -> Q:
    model = apps.get_model("governance", "Committee")
    return Q(committee_id__in=model.objects.filter(_of_governed_programme(scope)).values("pk"))


def _of_visible_meeting(scope: Scope) -> Q:
    model = apps.get_model("governance", "Meeting")
    return Q(meeting_id__in=model.objects.filter(_of_visible_committee(scope)).values("pk"))


def _arbitrations(scope: Scope) -> Q:
    """Arbitration notes are internal preparatory documents (DOMAIN_RULES.md §5): the programme's managers, from the
    draft; its referents once submitted. Partners and mayors read the decisions in the register, not the notes."""
    return Q(programme_id__in=memberships_of(scope, {Role.MANAGER}, "programme_id")) | (
        ~Q(status="draft") & Q(programme_id__in=memberships_of(scope, {Role.REFERENT}, "programme_id"))
    )


def _of_visible_arbitration(scope: Scope) -> Q:
    model = apps.get_model("governance", "Arbitration")
    return Q(arbitration_id__in=model.objects.filter(_arbitrations(scope)).values("pk"))


def _of_visible_option(scope: Scope) -> Q:
    model = apps.get_model("governance", "ArbitrationOption")
    return Q(option_id__in=model.objects.filter(_of_visible_arbitration(scope)).values("pk"))


def _alerts(scope: Scope) -> Q:
    """Alerts: the programme's managers and referents (they may name a household file's reference, never a name)."""
    return Q(programme_id__in=memberships_of(scope, {Role.MANAGER, Role.REFERENT}, "programme_id"))


def _own(scope: Scope) -> Q:
    """Notifications and preferences: their user only."""
    return Q(user_id=scope.user_id)


RULES: dict[str, Callable[[Scope], Q]] = {
    "operations.operation": _operations,
    "operations.phase": _of_visible_operation,
    "operations.progressreport": _of_visible_operation,
    "operations.risk": _of_visible_operation,
    "operations.phasetemplate": _catalogue,
    "operations.operationimport": _strategy_of_programme,
    "programmes.strategicdocument": _strategy_of_programme,
    "programmes.stake": _strategy_by_commune,
    "programmes.engineeringneed": _strategy_by_commune,
    "programmes.revitalisationproject": _strategy_of_programme,
    "programmes.axis": _axes,
    "programmes.objective": _objectives,
    "programmes.programme": _programmes,
    "partners.organisation": _organisations,
    "operations.housingprogramme": _housing_programmes,
    "partners.person": _people,
    "partners.mandate": _mandates,
    "partners.offer": _catalogue,
    "partners.theme": _catalogue,
    # budget (issue 5): money follows the operation it finances; reference data is a catalogue.
    "budget.financingparameter": _catalogue,
    "budget.schemerule": _catalogue,
    "budget.fctvatiming": _catalogue,
    "budget.budgetaccount": _catalogue,
    "budget.financingplan": _of_visible_operation,
    "budget.financingline": _financing_lines,
    "budget.plannedinvestment": _of_visible_operation,
    "budget.subsidyrequest": _subsidy_requests,
    "budget.subsidyallocation": _of_visible_request,
    "budget.subsidypayment": _of_visible_request,
    "budget.subsidyadjustment": _of_visible_request,
    "budget.budgetline": _budget_lines,
    "budget.programmeauthorisation": _authorisations,
    "budget.authorisationrevision": _of_visible_authorisation,
    "budget.paymentcredit": _of_visible_authorisation,
    "budget.expense": _expenses,
    # procurement (issue 6): seen with the consultation; thresholds and rates are a catalogue.
    "operations.procurementthreshold": _catalogue,
    "operations.latepaymentrate": _catalogue,
    "operations.consultation": _consultations,
    "operations.lot": _of_visible_consultation,
    "operations.criterion": _of_visible_consultation,
    "operations.bid": _of_visible_lot,
    "operations.bidscore": _bid_scores,
    "operations.contract": _of_visible_lot,
    "operations.subcontractor": _of_visible_contract,
    "operations.serviceorder": _of_visible_contract,
    "operations.purchaseorder": _of_visible_contract,
    "operations.contractamendment": _of_visible_contract,
    "operations.invoice": _of_visible_contract,
    # housing (issue 7): named files for the programme's operator and managers only; the rest is aggregates.
    "operations.incomeceiling": _catalogue,
    "operations.aidscheme": _catalogue,
    "operations.housingamendment": _of_visible_housing_programme,
    "operations.housingsector": _of_visible_housing_programme,
    "operations.housingtarget": _of_visible_housing_programme,
    "operations.housingenvelope": _of_visible_housing_programme,
    "operations.topuprule": _of_visible_housing_programme,
    "operations.housingfile": _housing_files,
    "operations.housinggrant": _of_visible_file,
    "operations.housinggrantpayment": _housing_payments,
    "operations.housingfileaccess": _of_visible_file,
    # issue 11, participation
    "partners.publicityrequirement": _catalogue,
    "operations.concertationplanitem": _participation_by_commune("operations.ConcertationPlanItem"),
    "operations.concertationevent": _participation_by_commune("operations.ConcertationEvent"),
    "operations.attendanceprofile": _of_visible_event,
    "operations.contribution": _of_visible_event,
    "operations.communicationaction": _participation_by_commune("operations.CommunicationAction"),
    "operations.informationletter": _of_readable_programme,
    "operations.mailinglist": _of_managed_programme,
    "operations.subscription": _subscriptions,
    "operations.letterdelivery": _deliveries,
    "operations.networkevent": _of_readable_programme,
    "operations.practicesheet": _practice_sheets,
    # issue 9, conventions: drafts for managers and referents; deliberations are public acts
    "programmes.deliberation": _deliberations,
    "programmes.ortsector": _strategy_of_programme,
    "operations.articletemplate": _catalogue,
    "operations.convention": _conventions,
    "operations.conventionarticle": _of_visible_convention,
    "operations.signatory": _of_visible_convention,
    "operations.conventionversion": _of_visible_convention,
    # issue 10, indicators and evaluation: indicators like stakes (a mayor: their commune's and the programme's
    # common ones); imports for the managers; the annual report for the programme's readers.
    "programmes.indicatortemplate": _catalogue,
    "programmes.indicator": _strategy_by_commune,
    "programmes.indicatortarget": _of_visible_indicator,
    "programmes.measurement": _of_visible_indicator,
    "programmes.measurementimport": _of_managed_programme,
    "programmes.annualreport": _of_readable_programme,
    # issue 8, governance: bodies and decisions for the programme's readers and mayors; arbitration notes for its
    # managers (drafts) and referents (submitted); alerts for managers and referents; notifications for their user.
    "governance.committee": _of_governed_programme,
    "governance.committeemember": _of_visible_committee,
    "governance.meeting": _of_visible_committee,
    "governance.agendaitem": _of_visible_meeting,
    "governance.attendance": _of_visible_meeting,
    "governance.meetingdocument": _of_visible_meeting,
    "governance.decision": _of_governed_programme,
    "governance.arbitration": _arbitrations,
    "governance.arbitrationoption": _of_visible_arbitration,
    "governance.optionfinancingchange": _of_visible_option,
    "governance.arbitrationeffect": _of_visible_arbitration,
    "governance.alert": _alerts,
    "governance.notification": _own,
    "governance.notificationpreference": _own,
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


def strategy_programmes[M: models.Model](queryset: QuerySet[M], user: object) -> QuerySet[M]:
    """Programmes whose strategy (documents, stakes, needs, project) the user reads: the programme's
    readers, and the mayors of its communes — who do not open the programme page itself."""
    scope = scope_for(user)
    if not scope.authenticated:
        return queryset.none()
    if scope.is_staff:
        return queryset
    return queryset.filter(Q(pk__in=_readable_programmes(scope)) | Q(pk__in=_mayor_programmes(scope)))


def get_for_user[M: models.Model](queryset: QuerySet[M], user: object, **lookup: object) -> M:
    """One object in the user's scope, or 404: out of scope looks exactly like non-existent."""
    try:
        return visible_to(queryset, user).get(**lookup)
    except queryset.model.DoesNotExist as error:
        raise Http404("Aucun objet ne correspond à votre demande.") from error


# --- Predicates ----------------------------------------------------------------------------------------


def can_read_programme(user: object, programme: models.Model) -> bool:
    """Opens the programme overview: staff and the programme's manager, referent and partners."""
    scope = scope_for(user)
    return scope.is_staff or programme.pk in scope.programmes


def can_edit_programme(user: object, programme: models.Model) -> bool:
    scope = scope_for(user)
    return scope.is_staff or programme.pk in scope.managed_programmes


def can_view_contacts(user: object) -> bool:
    """May the user see contacts (people and mandates) at all? Outside that, contact pages answer 404."""
    return sees_contacts(scope_for(user))


def can_view_directory(user: object) -> bool:
    """The partner directory and the offers catalogue: anyone with an active role (or staff)."""
    return scope_for(user).has_any_role


def can_manage_directory(user: object) -> bool:
    """Create and edit partner organisations, contacts, mandates and offers: managers and staff."""
    scope = scope_for(user)
    return scope.is_staff or bool(scope.managed_programmes or scope.managed_housing_programmes)


def can_edit_strategy(user: object, programme: models.Model) -> bool:
    """Documents, stakes, the project's drafts and engineering needs: the programme's managers."""
    return can_edit_programme(user, programme)


def can_validate_project(user: object, programme: models.Model) -> bool:
    """Validating (or sending back) the revitalisation project is the élu référent's decision."""
    scope = scope_for(user)
    return programme.pk in scope.referent_programmes


def can_edit_operations(user: object, programme: models.Model) -> bool:
    """Operations, their phases, journal and risks: the programme's managers (and staff)."""
    return can_edit_programme(user, programme)


def can_edit_budget(user: object, programme: models.Model) -> bool:
    """Financing plans, subsidy requests and payments, the programme budget: the programme's managers."""
    return can_edit_programme(user, programme)


def can_manage_procurement(user: object, programme: models.Model) -> bool:
    """Consultations, bids and scores, contracts and their execution: the programme's managers."""
    return can_edit_programme(user, programme)


def can_read_household_files(user: object, housing_programme: models.Model) -> bool:
    """Named household files of a housing programme: its operator and managers, the managers of the PVD
    programme it belongs to, and staff. Everybody else reads aggregates only."""
    scope = scope_for(user)
    return (
        scope.is_staff
        or housing_programme.pk in scope.managed_housing_programmes
        or housing_programme.pk in scope.operated_housing_programmes
        or (
            housing_programme.programme_id is not None
            and housing_programme.programme_id in scope.managed_programmes
        )
    )


def can_edit_household_files(user: object, housing_programme: models.Model) -> bool:
    """Create and edit files, move them through the pipeline, record grants and payments: the same people."""
    return can_read_household_files(user, housing_programme)


def can_manage_housing_programme(user: object, housing_programme: models.Model) -> bool:
    """The convention's targets, envelopes, avenants, sectors and top-up rules: the programme's managers (of the
    housing programme or of its PVD programme) and staff; the operator reports, it does not set targets."""
    scope = scope_for(user)
    return (
        scope.is_staff
        or housing_programme.pk in scope.managed_housing_programmes
        or (
            housing_programme.programme_id is not None
            and housing_programme.programme_id in scope.managed_programmes
        )
    )


def can_view_file_accesses(user: object, housing_programme: models.Model) -> bool:
    """Who opened which file (GDPR accountability): the programme's managers and staff."""
    return can_manage_housing_programme(user, housing_programme)


def can_read_participation(user: object, programme: models.Model) -> bool:
    """The concertation and communication pages of a programme: its readers and the mayors of its communes
    (who see there only what concerns their commune)."""
    scope = scope_for(user)
    if scope.is_staff or programme.pk in scope.programmes:
        return True
    return bool(scope.mayor_communes) and programme.communes.filter(pk__in=scope.mayor_communes).exists()


def can_manage_participation(user: object, programme: models.Model) -> bool:
    """Concertation, communication, letters and mailing lists, network notes, good-practice sheets: the
    programme's managers (and staff)."""
    return can_edit_programme(user, programme)


def can_manage_convention(user: object, convention: models.Model) -> bool:
    """Write a convention (articles, signatories, versions, the signed scan) and create avenants: the managers of
    its programme or of its housing programme, and staff."""
    scope = scope_for(user)
    return (
        scope.is_staff
        or (convention.programme_id is not None and convention.programme_id in scope.managed_programmes)
        or (
            convention.housing_programme_id is not None
            and convention.housing_programme_id in scope.managed_housing_programmes
        )
    )


def can_change_convention_status(user: object, convention: models.Model) -> bool:
    """Move a convention through its statuses: its managers, and the programme's élu référent, who validates the
    conventions (ARCHITECTURE.md §2) — the rules of each transition are the service's."""
    scope = scope_for(user)
    return can_manage_convention(user, convention) or (
        convention.programme_id is not None and convention.programme_id in scope.referent_programmes
    )


def can_manage_conventions(user: object, programme: models.Model) -> bool:
    """Create conventions, record deliberations and ORT perimeters of a programme: its managers (and staff)."""
    return can_edit_programme(user, programme)


def can_read_dashboard(user: object, programme: models.Model) -> bool:
    """The programme dashboard and its annual reports (issue 10): the programme's readers — manager, referent,
    partners — and staff. Mayors read their commune's page instead."""
    return can_read_programme(user, programme)


def can_read_commune_summary(user: object, commune: models.Model) -> bool:
    """The commune's one-page summary (issue 10): its mayor, the readers of a programme the commune belongs to,
    staff."""
    scope = scope_for(user)
    if scope.is_staff or commune.pk in scope.mayor_communes:
        return True
    return bool(scope.programmes) and commune.programmes.filter(pk__in=scope.programmes).exists()


def can_manage_indicators(user: object, programme: models.Model) -> bool:
    """Create and edit indicators, targets and measurements, import measurements, write the annual report:
    the programme's managers (and staff)."""
    return can_edit_programme(user, programme)


def can_read_governance(user: object, programme: models.Model) -> bool:
    """Bodies, meetings, minutes and the decision register (issue 8): the programme's readers, the mayors of its
    communes, staff."""
    scope = scope_for(user)
    if scope.is_staff or programme.pk in scope.programmes:
        return True
    return bool(scope.mayor_communes) and programme.communes.filter(pk__in=scope.mayor_communes).exists()


def can_manage_governance(user: object, programme: models.Model) -> bool:
    """Create bodies and meetings, build agendas, invite, record attendance, minutes and decisions, prepare and
    implement arbitrations: the programme's managers (and staff)."""
    return can_edit_programme(user, programme)


def can_read_arbitrations(user: object, programme: models.Model) -> bool:
    """The arbitration notes of a programme (which ones: `visible_to`): its managers and referents, staff."""
    scope = scope_for(user)
    return scope.is_staff or programme.pk in scope.managed_programmes | scope.referent_programmes


def can_decide_arbitration(user: object, arbitration: models.Model) -> bool:
    """Only the élu référent of the programme decides an arbitration online — not the chargé de mission, not staff;
    and only once it is submitted."""
    scope = scope_for(user)
    return arbitration.status == "submitted" and arbitration.programme_id in scope.referent_programmes


def can_record_body_decision(user: object, arbitration: models.Model) -> bool:
    """An arbitration put to a body (COTECH, comité de projet, bureau, council) is decided by that body in a
    meeting: the programme's manager records the body's decision, citing the meeting. Never for one put to the
    élu référent."""
    scope = scope_for(user)
    return (
        arbitration.status == "submitted"
        and arbitration.decision_level != "referent"
        and (scope.is_staff or arbitration.programme_id in scope.managed_programmes)
    )


def can_read_alerts(user: object, programme: models.Model) -> bool:
    """A programme's alerts: its managers and referents, staff."""
    return can_read_arbitrations(user, programme)


def can_view_history(user: object, obj: models.Model) -> bool:
    """Whoever can see an object can see who changed it: the history holds nothing the page hides."""
    return scope_for(user).authenticated


def require(allowed: bool, message: str = "Votre rôle ne permet pas cette action.") -> None:
    """403 inside the scope without the right."""
    if not allowed:
        raise PermissionDenied(message)
