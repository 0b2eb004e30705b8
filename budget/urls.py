from django.urls import path

from budget.views import (
    financing,  # issue 5, financing
    programme_budget,  # issue 5, budget
    publicity,  # issue 11, communication
    subsidies,  # issue 5, subsidies
)

app_name = "budget"

urlpatterns: list = [
    # --- budget: financing plan of an operation, its checks, net cost and FCTVA (issue 5, financing) ---
    path("operations/<int:pk>/", financing.operation_money, name="operation_money"),
    path("operations/<int:pk>/plan/", financing.plan_edit, name="plan_edit"),
    path("operations/<int:pk>/plan.xlsx", financing.plan_xlsx, name="plan_xlsx"),
    path("operations/<int:pk>/lignes/ajouter/", financing.line_create, name="line_create"),
    path("lignes/<int:pk>/modifier/", financing.line_edit, name="line_edit"),
    path("lignes/<int:pk>/supprimer/", financing.line_delete, name="line_delete"),
    path("lignes/<int:pk>/statut/", financing.line_status, name="line_status"),
    # --- budget: subsidy requests, allocations, payments, adjustments, deadlines, pipeline (issue 5, subsidies) ---
    path("programme/<int:pk>/subventions/", subsidies.subsidy_list, name="subsidies"),
    path("programme/<int:pk>/subventions.xlsx", subsidies.subsidy_xlsx, name="subsidies_xlsx"),
    path("programme/<int:pk>/subventions/nouvelle/", subsidies.subsidy_create, name="subsidy_create"),
    path("subventions/<int:pk>/", subsidies.subsidy_detail, name="subsidy_detail"),
    path("subventions/<int:pk>/modifier/", subsidies.subsidy_edit, name="subsidy_edit"),
    path("subventions/<int:pk>/statut/", subsidies.subsidy_status, name="subsidy_status"),
    path("subventions/<int:pk>/operations/", subsidies.subsidy_allocations, name="subsidy_allocations"),
    path("subventions/<int:pk>/versements/ajouter/", subsidies.payment_create, name="payment_create"),
    path("versements/<int:pk>/encaissement/", subsidies.payment_receipt, name="payment_receipt"),
    path("subventions/<int:pk>/ajustements/ajouter/", subsidies.adjustment_create, name="adjustment_create"),
    # --- budget: programme budget, PPI, AP/CP, budget lines, expenses, restes à réaliser (issue 5, budget) ---
    path("programme/<int:pk>/budget/", programme_budget.programme_budget, name="programme_budget"),
    path(
        "programme/<int:pk>/budget.xlsx",
        programme_budget.programme_budget_export,
        name="programme_budget_xlsx",
    ),
    path(
        "programme/<int:pk>/restes-a-realiser.xlsx",
        programme_budget.carry_forward_export,
        name="carry_forward_xlsx",
    ),
    path("programme/<int:pk>/ppi/", programme_budget.ppi, name="ppi"),
    path("operations/<int:pk>/ppi/", programme_budget.ppi_edit, name="ppi_edit"),
    path(
        "programme/<int:pk>/ap/nouvelle/", programme_budget.authorisation_create, name="authorisation_create"
    ),
    path("ap/<int:pk>/", programme_budget.authorisation_detail, name="authorisation_detail"),
    path("ap/<int:pk>/modifier/", programme_budget.authorisation_edit, name="authorisation_edit"),
    path("ap/<int:pk>/credits/", programme_budget.authorisation_credits, name="authorisation_credits"),
    path("ap/<int:pk>/reviser/", programme_budget.authorisation_revise, name="authorisation_revise"),
    path("ap/<int:pk>/statut/", programme_budget.authorisation_status, name="authorisation_status"),
    path(
        "programme/<int:pk>/lignes-budgetaires/ajouter/",
        programme_budget.budget_line_create,
        name="budget_line_create",
    ),
    path("lignes-budgetaires/<int:pk>/", programme_budget.budget_line_detail, name="budget_line_detail"),
    path("lignes-budgetaires/<int:pk>/modifier/", programme_budget.budget_line_edit, name="budget_line_edit"),
    path(
        "lignes-budgetaires/<int:pk>/depenses/ajouter/",
        programme_budget.expense_create,
        name="expense_create",
    ),
    path("depenses/<int:pk>/modifier/", programme_budget.expense_edit, name="expense_edit"),
    path("depenses/<int:pk>/etape/", programme_budget.expense_advance, name="expense_advance"),
    # --- participation: the financers' publicity obligations of a programme (issue 11, communication) ---
    path("programme/<int:pk>/publicite/", publicity.publicity, name="publicity"),
    path("programme/<int:pk>/publicite.xlsx", publicity.publicity_export, name="publicity_export"),
]
