from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from operations.models import (
    ArticleTemplate,
    Consultation,
    Contract,
    HousingProgramme,
    LatePaymentRate,
    Operation,
    PhaseTemplate,
    ProcurementThreshold,
)


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


@admin.register(ProcurementThreshold)
class ProcurementThresholdAdmin(SimpleHistoryAdmin):
    list_display = ("kind", "nature", "value_ht", "valid_from", "valid_until", "legal_reference")
    list_filter = ("kind", "nature")


@admin.register(LatePaymentRate)
class LatePaymentRateAdmin(SimpleHistoryAdmin):
    list_display = ("valid_from", "valid_until", "ecb_rate", "margin", "flat_fee", "payment_days")


@admin.register(Consultation)
class ConsultationAdmin(SimpleHistoryAdmin):
    list_display = ("reference", "title", "programme", "nature", "procedure", "status", "launch_date")
    list_filter = ("nature", "procedure", "status")
    raw_id_fields = ("programme", "buyer", "operations")


@admin.register(Contract)
class ContractAdmin(SimpleHistoryAdmin):
    list_display = ("number", "holder", "amount_ht", "status", "signed_on", "notified_on")
    list_filter = ("status",)
    raw_id_fields = ("lot", "holder")


# --- housing reference data (issue 7) ---
# The Anah income ceilings (one row per year, zone and category; a year's table is loaded from a pasted CSV), the
# versions of the Anah aids, and the deadlines of household files. HousingFile is deliberately NOT registered: its
# personal data is read through the app, where every read is logged.

import datetime

from django import forms as housing_forms
from django.contrib import messages as housing_messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect as housing_redirect
from django.template.response import TemplateResponse
from django.urls import path as housing_path
from django.urls import reverse as housing_reverse
from django.utils import timezone as housing_timezone

from operations.housing.income import CSV_COLUMNS, CeilingTableError, load_ceiling_table
from operations.models import AidScheme, AnahDeadlineRule, IncomeCeiling


class CeilingTableForm(housing_forms.Form):
    year = housing_forms.IntegerField(label="Année d'application", min_value=2000, max_value=2100)
    source = housing_forms.CharField(
        label="Source",
        max_length=300,
        help_text="Texte officiel ou page consultée (lien), pour vérification.",
    )
    table = housing_forms.CharField(
        label="Tableau des plafonds",
        widget=housing_forms.Textarea(attrs={"rows": 8, "cols": 90}),
        help_text=(
            f"Une ligne par zone et catégorie, séparée par des points-virgules : {CSV_COLUMNS}. Par exemple : "
            "« hors Île-de-France;très modestes;17 173;25 115;30 206;34 948;40 388;5 094 »."
        ),
    )


@admin.register(IncomeCeiling)
class IncomeCeilingAdmin(SimpleHistoryAdmin):
    list_display = (
        "year",
        "zone",
        "category",
        "one_person",
        "two_people",
        "three_people",
        "four_people",
        "five_people",
        "per_extra_person",
    )
    list_filter = ("year", "zone", "category")
    ordering = ("-year", "zone", "category")
    change_list_template = "operations/housing/grants/admin_ceilings_changelist.html"

    def get_urls(self) -> list:
        extra = [
            housing_path(
                "charger/",
                self.admin_site.admin_view(self.load_table_view),
                name="operations_incomeceiling_load",
            )
        ]
        return extra + super().get_urls()

    def load_table_view(self, request: HttpRequest) -> HttpResponse:
        """« Charger le barème d'une année » : a pasted CSV, validated, created in one transaction."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = CeilingTableForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                rows = load_ceiling_table(
                    text=data["table"], year=data["year"], source=data["source"], by=request.user
                )
            except CeilingTableError as error:
                for message in error.errors:
                    form.add_error("table", message)
            else:
                housing_messages.success(
                    request, f"Barème {data['year']} chargé : {len(rows)} ligne(s) de plafonds créée(s)."
                )
                return housing_redirect(housing_reverse("admin:operations_incomeceiling_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": "Charger le barème d'une année",
            "opts": self.model._meta,
            "form": form,
            "columns": CSV_COLUMNS,
        }
        return TemplateResponse(request, "operations/housing/grants/admin_load_ceilings.html", context)


class ValidTodayFilter(admin.SimpleListFilter):
    title = "en vigueur aujourd'hui"
    parameter_name = "en_vigueur"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("oui", "En vigueur aujourd'hui"), ("non", "Pas en vigueur aujourd'hui")]

    def queryset(self, request: HttpRequest, queryset):
        today: datetime.date = housing_timezone.localdate()
        if self.value() == "oui":
            return queryset.valid_on(today)
        if self.value() == "non":
            return queryset.exclude(pk__in=queryset.valid_on(today).values("pk"))
        return queryset


@admin.register(AidScheme)
class AidSchemeAdmin(SimpleHistoryAdmin):
    list_display = ("name", "code", "theme", "valid_from", "valid_until", "rate_very_modest", "rate_modest")
    list_filter = (ValidTodayFilter, "code", "theme")
    list_select_related = ("funder",)
    search_fields = ("code", "name")
    ordering = ("code", "-valid_from")
    fieldsets = (
        ("Aide", {"fields": ("code", "name", "funder", "theme", "owner_types", "legal_reference")}),
        ("Période de validité", {"fields": ("valid_from", "valid_until")}),
        (
            "Taux par catégorie de ressources",
            {
                "fields": ("rate_very_modest", "rate_modest", "rate_intermediate", "rate_above"),
                "description": "En fraction (0,8 pour 80 %). Vide : taux non renseigné (jamais lu comme 0 %).",
            },
        ),
        (
            "Plafonds de travaux",
            {
                "fields": (
                    "works_cap_ht",
                    "large_gain_class_jump",
                    "large_gain_works_cap_ht",
                    "advance_max_rate",
                )
            },
        ),
        (
            "Conditions d'éligibilité",
            {
                "fields": (
                    "min_class_jump",
                    "eligible_start_labels",
                    "min_label_after",
                    "min_dwelling_age_years",
                    "requires_france_renov_appointment",
                )
            },
        ),
        ("Remarques", {"fields": ("notes",)}),
    )


@admin.register(AnahDeadlineRule)
class AnahDeadlineRuleAdmin(SimpleHistoryAdmin):
    list_display = (
        "valid_from",
        "valid_until",
        "decision_silence_months",
        "works_deadline_months",
        "max_extension_months",
        "warning_days",
    )


# --- Conventions (issue 9): the models of articles new conventions start from are reference data ---


@admin.register(ArticleTemplate)
class ArticleTemplateAdmin(admin.ModelAdmin):
    list_display = ("convention_kind", "order", "number", "title")
    list_filter = ("convention_kind", "kind")
    ordering = ("convention_kind", "order")
    search_fields = ("title", "body")
