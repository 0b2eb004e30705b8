from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from programmes.indicators.models import IndicatorTemplate  # issue 10, H1
from programmes.models import EngineeringNeed, Programme, RevitalisationProject, Stake, StrategicDocument


@admin.register(Programme)
class ProgrammeAdmin(SimpleHistoryAdmin):
    list_display = ("name", "epci", "adhesion_signed_on", "framework_signed_on", "ends_on")
    list_select_related = ("epci",)
    search_fields = ("name",)
    autocomplete_fields = ("epci", "communes")
    readonly_fields = ("version",)


@admin.register(StrategicDocument)
class StrategicDocumentAdmin(SimpleHistoryAdmin):
    list_display = ("title", "kind", "year", "status", "programme")
    list_filter = ("kind", "status")
    list_select_related = ("programme",)
    search_fields = ("title",)


@admin.register(Stake)
class StakeAdmin(SimpleHistoryAdmin):
    list_display = ("title", "theme", "commune", "priority", "programme")
    list_filter = ("priority", "theme")
    list_select_related = ("theme", "commune", "programme")
    search_fields = ("title",)


@admin.register(RevitalisationProject)
class RevitalisationProjectAdmin(SimpleHistoryAdmin):
    list_display = ("programme", "number", "status", "validated_on")
    list_filter = ("status",)
    list_select_related = ("programme",)
    readonly_fields = ("snapshot",)


@admin.register(EngineeringNeed)
class EngineeringNeedAdmin(SimpleHistoryAdmin):
    list_display = ("title", "theme", "commune", "kind", "status", "estimated_cost_ht", "offer")
    list_filter = ("status", "kind", "theme")
    list_select_related = ("theme", "commune", "offer")
    search_fields = ("title",)


# --- issue 10, H1: the library of indicators (reference data the administrator edits) ---


@admin.register(IndicatorTemplate)
class IndicatorTemplateAdmin(SimpleHistoryAdmin):
    list_display = ("name", "unit", "theme", "frequency", "direction", "computation", "order")
    list_filter = ("theme", "computation")
    list_select_related = ("theme",)
    search_fields = ("name", "key")
