"""Page-shaped reads of the alerts (issue 8): the list the user may see (`Alert.objects.visible_to`: the
programmes' managers and referents; everyone else an empty list), its filter choices, one alert's page with its
timeline and the notifications it sent; the user's notifications, unread first. Query counts do not grow with
the number of rows."""

import datetime
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import BooleanField, ExpressionWrapper, F, Q, QuerySet

from partners.models import Organisation
from programmes.models import Programme
from pvd.accounts import policy
from pvd.accounts.models import User
from pvd.governance.forms.alerts import ACTIVE, ALL
from pvd.governance.models import ACTIVE_STATUSES, Alert, AlertStatus, Notification
from pvd.models import StatusChange

# The rules' French names (the providers' `kind`); an unknown rule shows its code.
KIND_LABELS = {
    "budget.subsidy_start": "Subvention : commencement de l'opération",
    "budget.subsidy_start_extension": "Subvention : demande de prorogation du commencement",
    "budget.subsidy_completion": "Subvention : achèvement de l'opération",
    "budget.subsidy_completion_extension": "Subvention : demande de prorogation de l'achèvement",
    "budget.subsidy_balance": "Subvention : demande de solde",
    "budget.subsidy_non_start": "Subvention : caducité faute de commencement",
    "budget.subsidy_completeness": "Subvention : complétude du dossier",
    "budget.line_overrun": "Budget : crédits dépassés",
    "budget.authorisation_overrun": "Budget : AP dépassée",
    "operations.late": "Opération en retard",
    "housing.implicit_rejection": "Habitat : rejet implicite d'un dossier",
    "housing.works_completion": "Habitat : achèvement des travaux d'un dossier",
    "procurement.standstill": "Marchés : délai de suspension",
    "procurement.prefecture": "Marchés : transmission au préfet",
    "procurement.award_notice": "Marchés : avis d'attribution",
    "procurement.offers_delay": "Marchés : délai de remise des offres",
    "procurement.questions": "Marchés : réponses aux questions",
    "procurement.invoice_payment": "Marchés : délai de paiement d'une facture",
    "procurement.amendments_cao": "Marchés : avenants, avis de la CAO",
    "procurement.amendments_over_cap": "Marchés : avenants au-delà du seuil",
    "conventions.framework_ending": "Convention-cadre à échéance",
    "conventions.framework_not_signed": "Convention-cadre non signée",
    "programmes.deliberation_not_enforceable": "Délibération non exécutoire",
}
LEVEL_BADGES = {1: "text-bg-info", 2: "text-bg-warning", 3: "text-bg-danger"}
STATUS_BADGES = {
    AlertStatus.OPEN: "text-bg-primary",
    AlertStatus.ACKNOWLEDGED: "text-bg-secondary",
    AlertStatus.ESCALATED: "text-bg-danger",
    AlertStatus.RESOLVED: "text-bg-success",
}


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


def _decorate(alert: Alert) -> Alert:
    alert.kind_label = kind_label(alert.kind)  # type: ignore[attr-defined]
    alert.level_badge = LEVEL_BADGES.get(alert.level, "text-bg-light")  # type: ignore[attr-defined]
    alert.status_badge = STATUS_BADGES.get(alert.status, "text-bg-light")  # type: ignore[attr-defined]
    return alert


def decorate(alerts: object) -> list[Alert]:
    return [_decorate(a) for a in alerts]  # type: ignore[attr-defined]


@dataclass
class FilterChoices:
    programmes: list[Programme]
    kinds: list[tuple[str, str]]
    communes: list[Organisation]

    def as_kwargs(self) -> dict[str, object]:
        return {"programmes": self.programmes, "kinds": self.kinds, "communes": self.communes}


def filter_choices(user: User) -> FilterChoices:
    """The programmes whose alerts the user reads, and the rules and communes of those alerts. Three queries."""
    visible = Alert.objects.visible_to(user)
    programmes = list(
        Programme.objects.filter(pk__in=visible.values("programme_id"))
        .only("pk", "name")
        .order_by("name", "pk")
    )
    kinds = sorted(
        ((k, kind_label(k)) for k in visible.order_by().values_list("kind", flat=True).distinct()),
        key=lambda pair: pair[1],
    )
    communes = list(
        Organisation.objects.filter(pk__in=visible.exclude(commune=None).values("commune_id"))
        .only("pk", "name")
        .order_by("name", "pk")
    )
    return FilterChoices(programmes, kinds, communes)


def alerts_for_list(user: User, filters: dict[str, object]) -> QuerySet[Alert]:
    """The alerts the user sees, filtered, the most serious first then by due date (undated last)."""
    alerts = Alert.objects.visible_to(user).select_related("programme", "commune", "owner")
    status = filters.get("statut") or ACTIVE
    if status == ACTIVE:
        alerts = alerts.filter(status__in=ACTIVE_STATUSES)
    elif status != ALL:
        alerts = alerts.filter(status=status)
    if filters.get("programme"):
        alerts = alerts.filter(programme=filters["programme"])
    if filters.get("niveau"):
        alerts = alerts.filter(level=filters["niveau"])
    if filters.get("regle"):
        alerts = alerts.filter(kind=filters["regle"])
    if filters.get("commune"):
        alerts = alerts.filter(commune=filters["commune"])
    if filters.get("echeance_avant"):
        alerts = alerts.filter(due_on__lte=filters["echeance_avant"])
    return alerts.order_by("-level", F("due_on").asc(nulls_last=True), "-raised_at", "pk")


@dataclass
class AlertPage:
    alert: Alert
    timeline: list[tuple[datetime.datetime, str, str]]
    changes: list[StatusChange]
    notifications: list[Notification]


def alert_for_page(user: User, pk: int) -> Alert:
    """The alert, or 404 outside the user's scope."""
    queryset = Alert.objects.select_related(
        "programme", "commune", "owner", "acknowledged_by", "content_type"
    )
    return _decorate(policy.get_for_user(queryset, user, pk=pk))


def alert_page(alert: Alert) -> AlertPage:
    """The alert's timeline (raised, acknowledged, escalated, resolved), its recorded status changes and the
    notifications it sent (to whom, when, read or not). Two queries."""
    timeline = [(alert.raised_at, "Levée", "par le contrôle quotidien")]
    if alert.acknowledged_at:
        who = str(alert.acknowledged_by) if alert.acknowledged_by else "—"
        timeline.append((alert.acknowledged_at, "Prise en compte", f"par {who}"))
    if alert.escalated_at:
        timeline.append((alert.escalated_at, "Remontée", f"au niveau : {alert.get_escalated_to_display()}"))
    if alert.resolved_at:
        timeline.append((alert.resolved_at, "Résolue", "la condition n'est plus constatée"))
    timeline.sort(key=lambda row: row[0])
    changes = list(
        StatusChange.objects.filter(content_type=ContentType.objects.get_for_model(Alert), object_id=alert.pk)
        .select_related("by")
        .order_by("at", "pk")
    )
    notifications = list(alert.notifications.select_related("user").order_by("created_at", "pk"))
    return AlertPage(alert, timeline, changes, notifications)


def notifications_for_list(user: User) -> QuerySet[Notification]:
    """The user's own notifications (staff too: never another's), unread first, then the newest."""
    unread = ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField())
    return (
        policy.visible_to(Notification.objects.filter(user=user), user)
        .annotate(unread=unread)
        .order_by("-unread", "-created_at", "-pk")
    )


def unread_count(user: User) -> int:
    return policy.visible_to(Notification.objects.filter(user=user, read_at__isnull=True), user).count()
