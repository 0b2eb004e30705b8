"""The alert providers (issue 8): one module per owning app, each a function `(programme, day) ->
Iterable[AlertCandidate]` resolved with `import_string`. The apps never import governance; the engine imports
them through this list."""

PROVIDERS: list[str] = [
    "budget.selectors.alerts.subsidy_deadlines",
    "budget.selectors.alerts.budget_overruns",
    "operations.selectors.alerts.late_operations",
    "operations.housing.selectors.alerts.household_file_deadlines",
    "operations.procurement.selectors.alerts.consultation_deadlines",
    "operations.procurement.selectors.alerts.contract_deadlines",
    "operations.conventions.selectors.alerts.convention_validity",
    "programmes.selectors.alerts.deliberations_not_enforceable",
]
