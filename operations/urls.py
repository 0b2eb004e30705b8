from django.urls import path  # noqa: F401 - each section below adds its paths

app_name = "operations"

urlpatterns = [
    # --- operations: action plan list, operation page, create/edit, status, bulk, exports (issue 4) ---
    # --- operations: phases, journal, risks (issue 4) ---
    # --- operations: Gantt and import (issue 4) ---
]
