"""The alerts engine's records (decision 0015): alerts raised once from what every app's selectors report,
escalated when ignored, resolved when the condition clears; in-app notifications; each user's preferences and
the token of their calendar feed."""

import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from pvd.fields import ScopedQuerySet
from pvd.governance.models.arbitrations import DecisionLevel


class AlertLevel(models.IntegerChoices):
    INFO = 1, "Information"
    WARNING = 2, "Attention"
    CRITICAL = 3, "Critique"


class AlertStatus(models.TextChoices):
    OPEN = "open", "Ouverte"
    ACKNOWLEDGED = "acknowledged", "Prise en compte"
    ESCALATED = "escalated", "Remontée"
    RESOLVED = "resolved", "Résolue"


# Statuses of an alert whose condition still holds: at most one such alert per key.
ACTIVE_STATUSES = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED, AlertStatus.ESCALATED)


class Alert(models.Model):
    """Something that needs attention, raised **once** per `key` while its condition holds (the daily refresh
    updates it, escalates it one decision level when ignored past the delay, resolves it when the condition
    clears). `kind` names the rule (`budget.subsidy_start`, `operations.late`…), `key` the rule and its object."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="alerts", verbose_name="programme"
    )
    commune = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="commune",
    )
    kind = models.CharField("règle", max_length=60)
    key = models.CharField("clé", max_length=200)
    level = models.PositiveSmallIntegerField("niveau", choices=AlertLevel, default=AlertLevel.WARNING)
    title = models.CharField("alerte", max_length=250)
    detail = models.TextField("détail", blank=True)
    due_on = models.DateField("échéance", null=True, blank=True)
    url = models.CharField("page", max_length=300, blank=True)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, verbose_name="type d'objet"
    )
    object_id = models.PositiveBigIntegerField("identifiant", null=True, blank=True)
    obj = GenericForeignKey("content_type", "object_id")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_alerts",
        verbose_name="responsable",
    )
    decision_level = models.CharField(
        "niveau de décision visé", max_length=30, choices=DecisionLevel, default=DecisionLevel.MANAGER
    )
    escalated_to = models.CharField("remontée au niveau", max_length=30, choices=DecisionLevel, blank=True)
    status = models.CharField("statut", max_length=20, choices=AlertStatus, default=AlertStatus.OPEN)
    raised_at = models.DateTimeField("levée le")
    last_seen_at = models.DateTimeField("constatée le")
    acknowledged_at = models.DateTimeField("prise en compte le", null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="prise en compte par",
    )
    escalated_at = models.DateTimeField("remontée le", null=True, blank=True)
    resolved_at = models.DateTimeField("résolue le", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "alerte"
        verbose_name_plural = "alertes"
        ordering = ("-level", "due_on", "-raised_at", "pk")
        indexes = [
            models.Index(fields=["programme", "status"], name="alert_programme_status"),
            models.Index(fields=["owner", "status"], name="alert_owner_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=AlertStatus.values), name="alert_status_valid"),
            models.CheckConstraint(condition=Q(level__in=AlertLevel.values), name="alert_level_valid"),
            models.UniqueConstraint(
                fields=["programme", "key"],
                condition=Q(status__in=["open", "acknowledged", "escalated"]),
                name="alert_raised_once",
                violation_error_message="Cette alerte est déjà ouverte.",
            ),
            models.CheckConstraint(
                condition=~Q(status="resolved") | Q(resolved_at__isnull=False),
                name="alert_resolved_dated",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class NotificationKind(models.TextChoices):
    ALERT = "alert", "Nouvelle alerte"
    ESCALATION = "escalation", "Alerte remontée"
    DECISION_REQUESTED = "decision_requested", "Décision attendue"
    DECIDED = "decided", "Arbitrage décidé"
    MEETING = "meeting", "Réunion"
    DIGEST = "digest", "Synthèse de la semaine"


class Notification(models.Model):
    """An in-app notification (the bell), optionally sent by e-mail too; `url` opens what it is about."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name="destinataire",
    )
    kind = models.CharField("nature", max_length=30, choices=NotificationKind)
    title = models.CharField("titre", max_length=250)
    body = models.TextField("message", blank=True)
    url = models.CharField("page", max_length=300, blank=True)
    alert = models.ForeignKey(
        Alert,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name="alerte",
    )
    arbitration = models.ForeignKey(
        "governance.Arbitration",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name="arbitrage",
    )
    created_at = models.DateTimeField("le", auto_now_add=True)
    read_at = models.DateTimeField("lue le", null=True, blank=True)
    emailed_at = models.DateTimeField("envoyée par e-mail le", null=True, blank=True)

    class Meta:
        verbose_name = "notification"
        verbose_name_plural = "notifications"
        ordering = ("-created_at", "-pk")
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=NotificationKind.values), name="notification_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class EmailAlerts(models.TextChoices):
    ALL = "all", "Toutes les alertes"
    CRITICAL = "critical", "Seulement les alertes critiques et celles qui me sont remontées"
    NONE = "none", "Aucune (notifications dans l'application seulement)"


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


class NotificationPreference(models.Model):
    """What a user wants by e-mail, whether they get the weekly digest, and their calendar feed's secret token."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name="utilisateur",
    )
    email_alerts = models.CharField(
        "alertes par e-mail", max_length=20, choices=EmailAlerts, default=EmailAlerts.CRITICAL
    )
    email_decisions = models.BooleanField("décisions attendues et rendues par e-mail", default=True)
    weekly_digest = models.BooleanField("synthèse hebdomadaire par e-mail (le lundi)", default=True)
    calendar_token = models.CharField(
        "jeton du calendrier", max_length=64, unique=True, default=new_calendar_token, editable=False
    )
    last_digest_at = models.DateTimeField("dernière synthèse envoyée le", null=True, blank=True)

    class Meta:
        verbose_name = "préférences de notification"
        verbose_name_plural = "préférences de notification"
        constraints = [
            models.CheckConstraint(
                condition=Q(email_alerts__in=EmailAlerts.values), name="notificationpreference_email_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Préférences de {self.user}"
