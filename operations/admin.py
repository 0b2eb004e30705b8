from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from operations.models import HousingProgramme, Operation, PhaseTemplate


@admin.register(HousingProgramme)
class HousingProgrammeAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "owner", "operator", "starts_on", "ends_on")
    list_filter = ("kind",)
    list_select_related = ("owner", "operator")
    search_fields = ("name",)
    autocomplete_fields = ("owner", "operator", "communes", "programme")


@admin.register(Operation)
class OperationAdmin(SimpleHistoryAdmin):
    list_display = ("code", "title", "programme", "owner", "status")
    list_filter = ("status", "in_ort")
    list_select_related = ("programme", "owner")
    search_fields = ("code", "title")
    autocomplete_fields = ("owner", "communes", "partners")


@admin.register(PhaseTemplate)
class PhaseTemplateAdmin(SimpleHistoryAdmin):
    list_display = ("order", "name", "weight", "typical_months")
