"""Administration of the money reference data (dated rules, accounts) and, read-mostly, the money records."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from budget.models import (
    BudgetAccount,
    BudgetLine,
    Expense,
    FctvaTiming,
    FinancingParameter,
    FinancingPlan,
    ProgrammeAuthorisation,
    SchemeRule,
    SubsidyRequest,
)


@admin.register(FinancingParameter)
class FinancingParameterAdmin(SimpleHistoryAdmin):
    list_display = ("code", "value", "valid_from", "valid_until", "legal_reference")
    list_filter = ("code",)


@admin.register(SchemeRule)
class SchemeRuleAdmin(SimpleHistoryAdmin):
    list_display = (
        "scheme",
        "category",
        "valid_from",
        "valid_until",
        "start_deadline_months",
        "completion_deadline_months",
        "advance_max_rate",
        "instalments_max_rate",
    )
    list_filter = ("category",)
    list_select_related = ("scheme",)


@admin.register(FctvaTiming)
class FctvaTimingAdmin(SimpleHistoryAdmin):
    list_display = ("organisation", "lag_years", "valid_from", "valid_until")
    list_select_related = ("organisation",)
    autocomplete_fields = ("organisation",)


@admin.register(BudgetAccount)
class BudgetAccountAdmin(SimpleHistoryAdmin):
    list_display = ("code", "chapter", "label", "section", "direction", "fctva_eligible", "is_active")
    list_filter = ("section", "direction", "is_active")
    search_fields = ("code", "label")


@admin.register(FinancingPlan)
class FinancingPlanAdmin(SimpleHistoryAdmin):
    list_display = ("operation", "eligible_cost_ht", "eligible_cost_ttc", "own_share_derogation")
    list_select_related = ("operation",)
    raw_id_fields = ("operation",)


@admin.register(SubsidyRequest)
class SubsidyRequestAdmin(SimpleHistoryAdmin):
    list_display = ("title", "programme", "funder", "scheme", "status", "requested_amount", "awarded_amount")
    list_filter = ("status",)
    list_select_related = ("programme", "funder", "scheme")
    raw_id_fields = ("programme", "beneficiary", "funder", "scheme", "revenue_account")


@admin.register(ProgrammeAuthorisation)
class ProgrammeAuthorisationAdmin(SimpleHistoryAdmin):
    list_display = ("number", "label", "organisation", "initial_amount", "status")
    list_select_related = ("organisation",)
    raw_id_fields = ("programme", "organisation", "operations")


@admin.register(BudgetLine)
class BudgetLineAdmin(SimpleHistoryAdmin):
    list_display = ("year", "organisation", "account", "label", "voted_amount", "amendments_amount")
    list_filter = ("year", "section", "direction")
    list_select_related = ("organisation", "account")
    raw_id_fields = ("programme", "organisation", "operation", "authorisation", "account")


@admin.register(Expense)
class ExpenseAdmin(SimpleHistoryAdmin):
    list_display = ("label", "supplier", "amount_ttc", "status", "committed_on", "paid_on")
    list_filter = ("status",)
    raw_id_fields = ("budget_line", "operation")
