from django.urls import path

from operations.views import gantt as gantt_views
from operations.views import imports as import_views
from operations.views import operations as operation_views
from operations.views import tracking

app_name = "operations"

urlpatterns = [
    # --- operations: action plan list, operation page, create/edit, status, bulk, exports (issue 4) ---
    path("programme/<int:pk>/", operation_views.operation_list, name="list"),
    path("programme/<int:pk>/nouvelle/", operation_views.operation_create, name="create"),
    path("programme/<int:pk>/statut-groupe/", operation_views.operation_bulk_status, name="bulk_status"),
    path("programme/<int:pk>/export.xlsx", operation_views.operation_export_xlsx, name="export_xlsx"),
    path("programme/<int:pk>/export.csv", operation_views.operation_export_csv, name="export_csv"),
    path("<int:pk>/", operation_views.operation_detail, name="detail"),
    path("<int:pk>/modifier/", operation_views.operation_edit, name="edit"),
    path("<int:pk>/statut/", operation_views.operation_status, name="status"),
    # --- operations: phases, journal, risks (issue 4) ---
    path("<int:pk>/phases/ajouter/", tracking.phase_create, name="phase_create"),
    path("<int:pk>/phases/sequence-type/", tracking.phases_from_template, name="phases_from_template"),
    path("phases/<int:pk>/modifier/", tracking.phase_edit, name="phase_edit"),
    path("phases/<int:pk>/supprimer/", tracking.phase_delete, name="phase_delete"),
    path("<int:pk>/avancement/", tracking.manual_progress, name="manual_progress"),
    path("<int:pk>/journal/ajouter/", tracking.report_create, name="report_create"),
    path("journal/<int:pk>/piece-jointe/", tracking.report_attachment, name="report_attachment"),
    path("<int:pk>/risques/ajouter/", tracking.risk_create, name="risk_create"),
    path("risques/<int:pk>/modifier/", tracking.risk_edit, name="risk_edit"),
    path("risques/<int:pk>/clore/", tracking.risk_close, name="risk_close"),
    path("risques/<int:pk>/remonter/", tracking.risk_escalate, name="risk_escalate"),
    # --- operations: Gantt and import (issue 4) ---
    path("programme/<int:pk>/gantt/", gantt_views.programme_gantt, name="gantt"),
    path("programme/<int:pk>/import/", import_views.import_upload, name="import"),
    path("programme/<int:pk>/import/modele.xlsx", import_views.import_template, name="import_template"),
    path("imports/<int:pk>/", import_views.import_status, name="import_status"),
]
