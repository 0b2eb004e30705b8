"""URLs of conventions (issue 9), in the `operations` namespace (included by operations/urls.py)."""

from django.urls import path

from operations.conventions.views import articles, conventions, versions

urlpatterns = [
    # --- conventions: lists, creation, page, edit, status, signatories (H1) ---
    path("programme/<int:pk>/conventions/", conventions.convention_list, name="conventions"),
    path(
        "habitat/dispositif/<int:pk>/conventions/",
        conventions.housing_convention_list,
        name="housing_conventions",
    ),
    path("programme/<int:pk>/conventions/nouvelle/", conventions.convention_create, name="convention_create"),
    path(
        "habitat/dispositif/<int:pk>/conventions/nouvelle/",
        conventions.housing_convention_create,
        name="housing_convention_create",
    ),
    path("conventions/<int:pk>/", conventions.convention_detail, name="convention"),
    path("conventions/<int:pk>/modifier/", conventions.convention_edit, name="convention_edit"),
    path("conventions/<int:pk>/statut/", conventions.convention_status, name="convention_status"),
    path("conventions/<int:pk>/signataires/ajouter/", conventions.signatory_create, name="signatory_create"),
    path("conventions/signataires/<int:pk>/modifier/", conventions.signatory_edit, name="signatory_edit"),
    path("conventions/signataires/<int:pk>/retirer/", conventions.signatory_delete, name="signatory_delete"),
    # --- articles: add, edit, move, delete (H2) ---
    path("conventions/<int:pk>/articles/ajouter/", articles.article_create, name="article_create"),
    path("conventions/articles/<int:pk>/modifier/", articles.article_edit, name="article_edit"),
    path("conventions/articles/<int:pk>/deplacer/", articles.article_move, name="article_move"),
    path("conventions/articles/<int:pk>/supprimer/", articles.article_delete, name="article_delete"),
    # --- versions, draft PDF, signed scan, avenants and their comparison (H3) ---
    path("conventions/<int:pk>/emettre/", versions.version_issue, name="version_issue"),
    path("conventions/<int:pk>/apercu-pdf/", versions.convention_draft_pdf, name="convention_draft_pdf"),
    path("conventions/versions/<int:pk>/", versions.version_detail, name="convention_version"),
    path("conventions/versions/<int:pk>/relancer/", versions.version_retry, name="version_retry"),
    path("conventions/versions/<int:pk>/exemplaire-signe/", versions.version_scan, name="version_scan"),
    path(
        "conventions/versions/<int:pk>/exemplaire-signe.pdf",
        versions.version_scan_download,
        name="version_scan_download",
    ),
    path("conventions/<int:pk>/avenant/", versions.amendment_create, name="convention_amendment_create"),
    path("conventions/<int:pk>/comparaison/", versions.amendment_compare, name="amendment_compare"),
]
