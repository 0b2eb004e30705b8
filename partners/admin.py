from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from partners.models import (
    CommunicationKind,
    Mandate,
    Offer,
    Organisation,
    Person,
    PublicityRequirement,
    Theme,
)


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


class MandateInline(admin.TabularInline):
    model = Mandate
    fk_name = "person"
    extra = 0
    autocomplete_fields = ("organisation",)


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ("last_name", "first_name", "function", "organisation", "email", "phone")
    list_select_related = ("organisation",)
    search_fields = ("last_name", "first_name", "email", "organisation__name")
    autocomplete_fields = ("organisation",)
    inlines = [MandateInline]


@admin.register(Mandate)
class MandateAdmin(SimpleHistoryAdmin):
    list_display = ("person", "role", "title", "organisation", "valid_from", "valid_until")
    list_filter = ("role",)
    list_select_related = ("person", "organisation")
    search_fields = ("person__last_name", "person__first_name", "organisation__name", "title")
    autocomplete_fields = ("person", "organisation")


class PublicityRequirementForm(forms.ModelForm):
    """The channels as checkboxes of the communication channels (none checked: any communication)."""

    channels = forms.MultipleChoiceField(
        label="canaux concernés",
        choices=CommunicationKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Aucun coché : toute communication sur l'opération financée.",
    )

    class Meta:
        model = PublicityRequirement
        fields = (
            "funder",
            "scheme",
            "label",
            "description",
            "channels",
            "valid_from",
            "valid_until",
            "source",
        )


@admin.register(PublicityRequirement)
class PublicityRequirementAdmin(SimpleHistoryAdmin):
    """Financers' publicity obligations (issue 11): dated reference data, read by the publicity page."""

    form = PublicityRequirementForm
    list_display = ("label", "funder", "scheme", "valid_from", "valid_until")
    list_filter = ("funder", "scheme", "valid_from", "valid_until")
    list_select_related = ("funder", "scheme")
    search_fields = ("label", "description", "funder__name", "scheme__name", "source")
    autocomplete_fields = ("funder", "scheme")
