from django.urls import path

from programmes.indicators import views as indicator_views  # issue 10, H1
from programmes.indicators import views_compute as compute_views  # issue 10, H2
from programmes.views import deliberations as deliberation_views  # issue 9
from programmes.views import documents as document_views
from programmes.views import needs as need_views
from programmes.views import overview as overview_views
from programmes.views import programme as programme_views
from programmes.views import project as project_views
from programmes.views import stakes as stake_views

app_name = "programmes"

urlpatterns = [
    path("<int:pk>/modifier/", programme_views.programme_edit, name="edit"),
    # --- strategy: documents, stakes, engineering needs (issue 3) ---
    path("<int:pk>/documents/", document_views.document_list, name="documents"),
    path("<int:pk>/documents/nouveau/", document_views.document_create, name="document_create"),
    path("<int:pk>/documents/export.xlsx", document_views.document_export, name="documents_export"),
    path("documents/<int:pk>/", document_views.document_detail, name="document_detail"),
    path("documents/<int:pk>/modifier/", document_views.document_edit, name="document_edit"),
    path("documents/<int:pk>/fichier/", document_views.document_file, name="document_file"),
    path("<int:pk>/enjeux/", stake_views.stake_list, name="stakes"),
    path("<int:pk>/enjeux/nouveau/", stake_views.stake_create, name="stake_create"),
    path("<int:pk>/enjeux/export.xlsx", stake_views.stake_export, name="stakes_export"),
    path("enjeux/<int:pk>/", stake_views.stake_detail, name="stake_detail"),
    path("enjeux/<int:pk>/modifier/", stake_views.stake_edit, name="stake_edit"),
    path("<int:pk>/besoins/", need_views.need_list, name="needs"),
    path("<int:pk>/besoins/nouveau/", need_views.need_create, name="need_create"),
    path("<int:pk>/besoins/export.xlsx", need_views.need_export, name="needs_export"),
    path("besoins/<int:pk>/", need_views.need_detail, name="need_detail"),
    path("besoins/<int:pk>/modifier/", need_views.need_edit, name="need_edit"),
    path("besoins/<int:pk>/statut/", need_views.need_transition, name="need_transition"),
    # --- strategy: revitalisation project and overview (issue 3) ---
    path("<int:pk>/strategie/", overview_views.strategy_overview, name="strategy"),
    path("<int:pk>/projet/", project_views.project_detail, name="project"),
    path("<int:pk>/projet/nouvelle-version/", project_views.project_start, name="project_start"),
    path("<int:pk>/projet/vision/", project_views.project_vision, name="project_vision"),
    path("<int:pk>/projet/soumettre/", project_views.project_submit, name="project_submit"),
    path("<int:pk>/projet/validation/", project_views.project_validation, name="project_validation"),
    path("<int:pk>/projet/versions/<int:number>/", project_views.project_version, name="project_version"),
    path("<int:pk>/projet/comparer/", project_views.project_compare, name="project_compare"),
    path("<int:pk>/projet/imprimer/", project_views.project_print, name="project_print"),
    path("<int:pk>/projet/axes/ajouter/", project_views.axis_create, name="axis_create"),
    path("<int:pk>/projet/axes/<int:axis_pk>/modifier/", project_views.axis_edit, name="axis_edit"),
    path("<int:pk>/projet/axes/<int:axis_pk>/supprimer/", project_views.axis_delete, name="axis_delete"),
    path("<int:pk>/projet/axes/<int:axis_pk>/deplacer/", project_views.axis_move, name="axis_move"),
    path(
        "<int:pk>/projet/axes/<int:axis_pk>/objectifs/ajouter/",
        project_views.objective_create,
        name="objective_create",
    ),
    path(
        "<int:pk>/projet/objectifs/<int:objective_pk>/modifier/",
        project_views.objective_edit,
        name="objective_edit",
    ),
    path(
        "<int:pk>/projet/objectifs/<int:objective_pk>/supprimer/",
        project_views.objective_delete,
        name="objective_delete",
    ),
    path(
        "<int:pk>/projet/objectifs/<int:objective_pk>/deplacer/",
        project_views.objective_move,
        name="objective_move",
    ),
    # --- deliberations and ORT perimeters (issue 9, H4) ---
    path("<int:pk>/deliberations/", deliberation_views.deliberation_list, name="deliberations"),
    path(
        "<int:pk>/deliberations/nouvelle/", deliberation_views.deliberation_create, name="deliberation_create"
    ),
    path("deliberations/<int:pk>/", deliberation_views.deliberation_detail, name="deliberation"),
    path("deliberations/<int:pk>/modifier/", deliberation_views.deliberation_edit, name="deliberation_edit"),
    path("<int:pk>/perimetres-ort/", deliberation_views.ort_sector_list, name="ort_sectors"),
    path("<int:pk>/perimetres-ort/ajouter/", deliberation_views.ort_sector_create, name="ort_sector_create"),
    path("perimetres-ort/<int:pk>/modifier/", deliberation_views.ort_sector_edit, name="ort_sector_edit"),
    # --- indicators (issue 10, H1: pages, import; H2: computed measurements) ---
    path("<int:pk>/indicateurs/", indicator_views.indicator_list, name="indicators"),
    path("<int:pk>/indicateurs/nouveau/", indicator_views.indicator_create, name="indicator_create"),
    path("<int:pk>/indicateurs/export.xlsx", indicator_views.indicators_export, name="indicators_export"),
    path("<int:pk>/indicateurs/import/", indicator_views.measurement_import, name="measurement_import"),
    path(
        "<int:pk>/indicateurs/modele.csv",
        indicator_views.measurement_template_csv,
        name="measurement_template",
    ),
    path("<int:pk>/indicateurs/calculer/", compute_views.indicators_compute, name="indicators_compute"),
    path(
        "imports-mesures/<int:pk>/",
        indicator_views.measurement_import_detail,
        name="measurement_import_detail",
    ),
    path("indicateurs/<int:pk>/", indicator_views.indicator_detail, name="indicator"),
    path("indicateurs/<int:pk>/modifier/", indicator_views.indicator_edit, name="indicator_edit"),
    path("indicateurs/<int:pk>/cibles/", indicator_views.indicator_targets, name="indicator_targets"),
    path(
        "indicateurs/<int:pk>/mesures/nouvelle/",
        indicator_views.measurement_create,
        name="measurement_create",
    ),
    path("indicateurs/<int:pk>/calculer/", compute_views.indicator_compute, name="indicator_compute"),
    path("mesures/<int:pk>/modifier/", indicator_views.measurement_edit, name="measurement_edit"),
    path("mesures/<int:pk>/supprimer/", indicator_views.measurement_delete, name="measurement_delete"),
]
