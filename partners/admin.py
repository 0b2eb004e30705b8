from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from partners.models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "insee_code", "siren", "population", "epci")
    list_filter = ("kind", "department_code")
    list_select_related = ("epci",)
    search_fields = ("name", "insee_code", "siren")
    autocomplete_fields = ("epci",)
