"""The governance models in the Django admin (issue 8, H7): staff read and correct bodies, meetings, decisions,
arbitrations and alerts. Workflow fields (statuses, decisions, snapshots) are read-only here: they change through
the services, which record each transition."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from pvd.governance.models import (
    AgendaItem,
    Alert,
    Arbitration,
    ArbitrationEffect,
    ArbitrationOption,
    Attendance,
    Committee,
    CommitteeMember,
    Decision,
    Meeting,
    MeetingDocument,
    Notification,
    NotificationPreference,
    OptionFinancingChange,
)


class CommitteeMemberInline(admin.TabularInline):
    model = CommitteeMember
    extra = 0
    fields = ("organisation", "person", "role", "voting", "valid_from", "valid_until")
    autocomplete_fields = ("organisation", "person")


@admin.register(Committee)
class CommitteeAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "frequency", "programme", "housing_programme", "active")
    list_filter = ("kind", "frequency", "active")
    list_select_related = ("programme", "housing_programme")
    search_fields = ("name", "role")
    readonly_fields = ("version",)
    inlines = (CommitteeMemberInline,)


@admin.register(CommitteeMember)
class CommitteeMemberAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "committee", "role", "voting", "valid_from", "valid_until")
    list_filter = ("voting", "committee__kind")
    list_select_related = ("committee", "organisation", "person")
    search_fields = (
        "role",
        "person__last_name",
        "person__first_name",
        "organisation__name",
        "committee__name",
    )
    autocomplete_fields = ("organisation", "person")
    readonly_fields = ("version",)


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    fields = ("order", "title", "source", "operation", "arbitration")
    raw_id_fields = ("operation", "arbitration")


@admin.register(Meeting)
class MeetingAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "starts_at", "place", "status", "invitations_sent_at")
    list_filter = ("status", "committee__kind")
    list_select_related = ("committee",)
    search_fields = ("committee__name", "place", "purpose")
    date_hierarchy = "starts_at"
    readonly_fields = ("version", "minutes_written_at", "minutes_written_by", "invitations_sent_at")
    inlines = (AgendaItemInline,)


@admin.register(AgendaItem)
class AgendaItemAdmin(SimpleHistoryAdmin):
    list_display = ("title", "meeting", "order", "source", "operation")
    list_filter = ("source",)
    list_select_related = ("meeting__committee", "operation")
    search_fields = ("title", "description")
    raw_id_fields = ("meeting", "operation", "need", "arbitration", "subsidy_request")
    readonly_fields = ("version",)


@admin.register(Attendance)
class AttendanceAdmin(SimpleHistoryAdmin):
    list_display = ("name", "meeting", "organisation", "status", "invited_at")
    list_filter = ("status",)
    list_select_related = ("meeting__committee", "organisation")
    search_fields = ("name", "email")
    raw_id_fields = ("meeting", "person", "organisation")
    readonly_fields = ("version",)


@admin.register(MeetingDocument)
class MeetingDocumentAdmin(SimpleHistoryAdmin):
    list_display = ("title", "meeting", "uploaded_by", "uploaded_at")
    list_select_related = ("meeting__committee", "uploaded_by")
    search_fields = ("title",)
    raw_id_fields = ("meeting",)
    readonly_fields = ("uploaded_by", "uploaded_at")


@admin.register(Decision)
class DecisionAdmin(SimpleHistoryAdmin):
    list_display = ("decided_on", "decided_by", "short_text", "vote", "programme", "operation")
    list_filter = ("vote", "decided_on")
    list_select_related = ("programme", "operation")
    search_fields = ("text", "decided_by")
    date_hierarchy = "decided_on"
    raw_id_fields = ("meeting", "agenda_item", "operation", "need", "arbitration", "deliberation")
    readonly_fields = ("version", "recorded_by")

    @admin.display(description="décision")
    def short_text(self, obj: Decision) -> str:
        return obj.text if len(obj.text) <= 80 else f"{obj.text[:79]}…"


class ArbitrationOptionInline(admin.StackedInline):
    model = ArbitrationOption
    extra = 0
    fields = ("letter", "title", "operation", "new_cost_ht", "new_vat_rate", "new_cost_ttc", "shift_days")
    raw_id_fields = ("operation",)


@admin.register(Arbitration)
class ArbitrationAdmin(SimpleHistoryAdmin):
    list_display = ("reference", "title", "status", "outcome", "decision_level", "requested_on", "programme")
    list_filter = ("status", "outcome", "decision_level", "source")
    list_select_related = ("programme",)
    search_fields = ("reference", "title", "context", "question")
    date_hierarchy = "requested_on"
    raw_id_fields = (
        "risk",
        "alert",
        "committee",
        "operations",
        "subsidy_requests",
        "contracts",
        "decided_in",
    )
    # The workflow belongs to the services (transitions recorded in StatusChange, frozen snapshot).
    readonly_fields = (
        "reference",
        "version",
        "status",
        "outcome",
        "chosen_option",
        "recommended_option",
        "submitted_at",
        "decided_by",
        "decided_at",
        "snapshot",
        "implemented_at",
        "implemented_by",
        "requested_by",
    )
    inlines = (ArbitrationOptionInline,)


@admin.register(ArbitrationOption)
class ArbitrationOptionAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "arbitration", "operation", "new_cost_ht", "new_cost_ttc", "shift_days")
    list_select_related = ("arbitration", "operation")
    search_fields = ("title", "arbitration__reference", "arbitration__title")
    raw_id_fields = ("arbitration", "operation")
    readonly_fields = ("version",)


@admin.register(OptionFinancingChange)
class OptionFinancingChangeAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "option", "action", "category", "funder", "amount_ht", "amount_ttc")
    list_filter = ("action",)
    list_select_related = ("option__arbitration", "line", "funder")
    search_fields = ("label", "option__arbitration__reference")
    raw_id_fields = ("option", "line", "funder", "scheme")


@admin.register(ArbitrationEffect)
class ArbitrationEffectAdmin(admin.ModelAdmin):
    """What implementing an arbitration changed: a trace, never edited."""

    list_display = ("arbitration", "object_label", "field", "before", "after", "applied_at")
    list_select_related = ("arbitration",)
    search_fields = ("object_label", "field", "arbitration__reference")
    readonly_fields = ("arbitration", "content_type", "object_id", "object_label", "field", "before", "after")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "kind",
        "level",
        "status",
        "due_on",
        "decision_level",
        "escalated_to",
        "programme",
    )
    list_filter = ("status", "level", "decision_level", "kind")
    list_select_related = ("programme",)
    search_fields = ("title", "detail", "key")
    date_hierarchy = "raised_at"
    raw_id_fields = ("commune", "owner", "acknowledged_by")
    readonly_fields = ("key", "raised_at", "last_seen_at", "acknowledged_at", "escalated_at", "resolved_at")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "user", "kind", "created_at", "read_at", "emailed_at")
    list_filter = ("kind",)
    list_select_related = ("user",)
    search_fields = ("title", "user__email")
    raw_id_fields = ("user", "alert", "arbitration")
    readonly_fields = ("created_at", "emailed_at")


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "email_alerts", "email_decisions", "weekly_digest", "last_digest_at")
    list_filter = ("email_alerts", "weekly_digest")
    list_select_related = ("user",)
    search_fields = ("user__email",)
    raw_id_fields = ("user",)
    readonly_fields = ("calendar_token", "last_digest_at")
