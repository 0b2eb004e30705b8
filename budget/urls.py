app_name = "budget"

urlpatterns: list = [
    # --- budget: financing plan of an operation, its checks, net cost and FCTVA (issue 5, financing) ---
    # --- budget: subsidy requests, allocations, payments, adjustments, deadlines, pipeline (issue 5, subsidies) ---
    # --- budget: programme budget, PPI, AP/CP, budget lines, expenses, restes à réaliser (issue 5, budget) ---
]
