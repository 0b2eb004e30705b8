from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from operations.models import HousingProgramme


@admin.register(HousingProgramme)
class HousingProgrammeAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "owner", "operator", "starts_on", "ends_on")
    list_filter = ("kind",)
    list_select_related = ("owner", "operator")
    search_fields = ("name",)
    autocomplete_fields = ("owner", "operator", "communes", "programme")
