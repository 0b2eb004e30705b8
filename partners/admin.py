from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from partners.models import Offer, Organisation, Theme


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "insee_code", "siren", "population", "epci")
    list_filter = ("kind", "department_code")
    list_select_related = ("epci",)
    search_fields = ("name", "insee_code", "siren")
    autocomplete_fields = ("epci",)


@admin.register(Theme)
class ThemeAdmin(SimpleHistoryAdmin):
    list_display = ("name", "code", "order")
    search_fields = ("name",)


@admin.register(Offer)
class OfferAdmin(SimpleHistoryAdmin):
    list_display = ("name", "organisation", "kind", "max_rate", "cap_amount", "valid_from", "valid_until")
    list_filter = ("kind", "themes")
    list_select_related = ("organisation",)
    search_fields = ("name", "organisation__name", "code")
    autocomplete_fields = ("organisation",)
    filter_horizontal = ("themes",)
