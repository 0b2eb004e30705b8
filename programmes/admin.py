from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from programmes.models import Programme


@admin.register(Programme)
class ProgrammeAdmin(SimpleHistoryAdmin):
    list_display = ("name", "epci", "adhesion_signed_on", "framework_signed_on", "ends_on")
    list_select_related = ("epci",)
    search_fields = ("name",)
    autocomplete_fields = ("epci", "communes")
    readonly_fields = ("version",)
