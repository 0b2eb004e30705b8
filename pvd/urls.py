from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from operations.conventions.views import versions as convention_versions  # issue 9
from operations.participation.views import sheets as sheet_views  # issue 11, public good-practice sheets
from pvd import (  # views_documents: issue 11, documents rendered in Celery
    views,
    views_documents,
    views_reports,
)
from pvd.dashboards import views_annual, views_commune, views_programme  # issue 10

admin.site.site_header = "PVD Pilot — administration"
admin.site.site_title = "PVD Pilot"
admin.site.index_title = "Comptes et données de référence"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("programmes/<int:pk>/", views.programme_detail, name="programme"),
    path("communes/<str:insee_code>/", views.commune_detail, name="commune"),
    path("programmes/", include("programmes.urls")),
    path("operations/", include("operations.urls")),
    path("budget/", include("budget.urls")),
    path("partenaires/", include("partners.urls")),
    path("comptes/", include("pvd.accounts.urls")),
    # --- documents rendered in Celery; public good-practice sheets (issue 11, sheets) ---
    path("documents/<int:pk>/", views_documents.document, name="document"),
    path("documents/<int:pk>/telecharger/", views_documents.document_download, name="document_download"),
    path("retours-experience/", sheet_views.public_library, name="public_library"),
    path("retours-experience/<slug:slug>/", sheet_views.public_sheet, name="public_sheet"),
    path("retours-experience/<slug:slug>/fiche.pdf", sheet_views.public_sheet_pdf, name="public_sheet_pdf"),
    # --- public verification of an issued convention version (issue 9, H3); reports in PDF (issue 9, H4) ---
    path(
        "verification/<str:token>/",
        convention_versions.convention_verification,
        name="convention_verification",
    ),
    path("rapports/operation/<int:pk>/", views_reports.report_operation, name="report_operation"),
    path("rapports/programme/<int:pk>/projet/", views_reports.report_project, name="report_project"),
    path("rapports/programme/<int:pk>/comite/", views_reports.report_committee, name="report_committee"),
    # --- dashboards and evaluation (issue 10: H3 programme dashboard, H4 commune PDF, H5 annual reports) ---
    path(
        "programmes/<int:pk>/tableau-de-bord/",
        views_programme.programme_dashboard,
        name="programme_dashboard",
    ),
    path(
        "communes/<str:insee_code>/synthese.pdf",
        views_commune.commune_summary_pdf,
        name="commune_summary_pdf",
    ),
    path("programmes/<int:pk>/rapports-annuels/", views_annual.annual_reports, name="annual_reports"),
    path("rapports-annuels/<int:pk>/", views_annual.annual_report, name="annual_report"),
    path("rapports-annuels/<int:pk>/pdf/", views_annual.annual_report_pdf, name="annual_report_pdf"),
    path(
        "rapports-annuels/<int:pk>/chiffres.xlsx", views_annual.annual_report_xlsx, name="annual_report_xlsx"
    ),
    # --- governance: bodies, meetings, decisions, arbitrations, alerts and notifications (issue 8) ---
    path("gouvernance/", include("pvd.governance.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG and "debug_toolbar" in settings.INSTALLED_APPS:  # pragma: no cover - local profiling only
    urlpatterns += [path("__debug__/", include("debug_toolbar.urls"))]
