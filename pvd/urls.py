from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from pvd import views

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
    path("admin/", admin.site.urls),
]

if settings.DEBUG and "debug_toolbar" in settings.INSTALLED_APPS:  # pragma: no cover - local profiling only
    urlpatterns += [path("__debug__/", include("debug_toolbar.urls"))]
