from django.urls import path

from operations.conventions import urls as convention_urls  # issue 9
from operations.housing.views import files as file_views  # issue 7, household files
from operations.housing.views import grants as grant_views  # issue 7, grants
from operations.housing.views import privacy as privacy_views  # issue 7, GDPR
from operations.housing.views import programmes as housing_views  # issue 7, housing programmes
from operations.participation.views import communication as communication_views  # issue 11, communication
from operations.participation.views import concertation as concertation_views  # issue 11, concertation
from operations.participation.views import letters as letter_views  # issue 11, letters
from operations.participation.views import sheets as sheet_views  # issue 11, sheets
from operations.procurement.views import bids as bid_views
from operations.procurement.views import consultations as consultation_views  # issue 6, consultations
from operations.procurement.views import contracts as contract_views  # issue 6, contracts
from operations.procurement.views import decp as decp_views
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
    # --- procurement: consultations, lots, criteria, procedure, calendar (issue 6, consultations) ---
    path("programme/<int:pk>/marches/", consultation_views.procurement, name="procurement"),
    path("programme/<int:pk>/marches.xlsx", consultation_views.procurement_export, name="procurement_xlsx"),
    path(
        "programme/<int:pk>/marches/nouvelle/",
        consultation_views.consultation_create,
        name="consultation_create",
    ),
    path("marches/<int:pk>/", consultation_views.consultation_detail, name="consultation_detail"),
    path("marches/<int:pk>/modifier/", consultation_views.consultation_edit, name="consultation_edit"),
    path("marches/<int:pk>/statut/", consultation_views.consultation_status, name="consultation_status"),
    path("marches/<int:pk>/lots/ajouter/", consultation_views.lot_create, name="lot_create"),
    path("lots/<int:pk>/modifier/", consultation_views.lot_edit, name="lot_edit"),
    path("marches/<int:pk>/criteres/", consultation_views.criteria_edit, name="criteria_edit"),
    # --- procurement: bids, scores, ranking, analysis report, award (issue 6, bids) ---
    path("marches/<int:pk>/rapport-analyse/", bid_views.analysis_report, name="analysis_report"),
    path(
        "marches/<int:pk>/rapport-analyse.xlsx", bid_views.analysis_report_xlsx, name="analysis_report_xlsx"
    ),
    path("lots/<int:pk>/offres/ajouter/", bid_views.bid_create, name="bid_create"),
    path("offres/<int:pk>/modifier/", bid_views.bid_edit, name="bid_edit"),
    path("offres/<int:pk>/notes/", bid_views.bid_scores, name="bid_scores"),
    path("lots/<int:pk>/attribuer/", bid_views.lot_award, name="lot_award"),
    path("lots/<int:pk>/signer/", bid_views.lot_sign, name="lot_sign"),
    # --- procurement: contracts, execution, amendments, invoices, acceptance (issue 6, contracts) ---
    path("contrats/<int:pk>/", contract_views.contract_detail, name="contract_detail"),
    path("contrats/<int:pk>/modifier/", contract_views.contract_edit, name="contract_edit"),
    path("contrats/<int:pk>/statut/", contract_views.contract_status, name="contract_status"),
    path("contrats/<int:pk>/avenants/ajouter/", contract_views.amendment_create, name="amendment_create"),
    path("contrats/<int:pk>/factures/ajouter/", contract_views.invoice_create, name="invoice_create"),
    path("factures/<int:pk>/modifier/", contract_views.invoice_edit, name="invoice_edit"),
    path(
        "contrats/<int:pk>/sous-traitants/ajouter/",
        contract_views.subcontractor_create,
        name="subcontractor_create",
    ),
    path(
        "sous-traitants/<int:pk>/decision/", contract_views.subcontractor_decide, name="subcontractor_decide"
    ),
    path(
        "contrats/<int:pk>/ordres-de-service/ajouter/",
        contract_views.service_order_create,
        name="service_order_create",
    ),
    path(
        "contrats/<int:pk>/bons-de-commande/ajouter/",
        contract_views.purchase_order_create,
        name="purchase_order_create",
    ),
    path("programme/<int:pk>/factures-a-risque/", contract_views.invoices_at_risk, name="invoices_at_risk"),
    path(
        "programme/<int:pk>/factures-a-risque.xlsx",
        contract_views.invoices_at_risk_xlsx,
        name="invoices_at_risk_xlsx",
    ),
    # --- procurement: DECP export and procurement exports (issue 6, decp) ---
    path("programme/<int:pk>/decp/", decp_views.decp_page, name="decp"),
    path("programme/<int:pk>/decp.json", decp_views.decp_json, name="decp_json"),
    # --- housing: programme page, convention targets/envelopes/avenants/sectors/top-ups, results (issue 7, programmes) ---
    path("habitat/dispositif/<int:pk>/", housing_views.housing_programme, name="housing_programme"),
    path(
        "programme/<int:pk>/habitat/nouveau/",
        housing_views.housing_programme_create,
        name="housing_programme_create",
    ),
    path(
        "habitat/dispositif/<int:pk>/modifier/",
        housing_views.housing_programme_edit,
        name="housing_programme_edit",
    ),
    path(
        "habitat/dispositif/<int:pk>/avenants/ajouter/",
        housing_views.housing_amendment_create,
        name="housing_amendment_create",
    ),
    path(
        "habitat/dispositif/<int:pk>/objectifs/",
        housing_views.housing_targets_edit,
        name="housing_targets_edit",
    ),
    path(
        "habitat/dispositif/<int:pk>/enveloppes/",
        housing_views.housing_envelopes_edit,
        name="housing_envelopes_edit",
    ),
    path(
        "habitat/dispositif/<int:pk>/secteurs/ajouter/",
        housing_views.housing_sector_create,
        name="housing_sector_create",
    ),
    path("habitat/secteur/<int:pk>/modifier/", housing_views.housing_sector_edit, name="housing_sector_edit"),
    path(
        "habitat/dispositif/<int:pk>/aides-locales/ajouter/",
        housing_views.housing_top_up_create,
        name="housing_top_up_create",
    ),
    path(
        "habitat/aide-locale/<int:pk>/modifier/",
        housing_views.housing_top_up_edit,
        name="housing_top_up_edit",
    ),
    path("habitat/dispositif/<int:pk>/resultats/", housing_views.housing_results, name="housing_results"),
    path(
        "habitat/dispositif/<int:pk>/resultats.xlsx",
        housing_views.housing_results_xlsx,
        name="housing_results_xlsx",
    ),
    path("habitat/dispositif/<int:pk>/bilan/", housing_views.housing_report, name="housing_report"),
    # --- housing: household files, pipeline, kanban, grants and payments, exports (issue 7, files) ---
    path("habitat/dispositif/<int:pk>/dossiers/", file_views.housing_files, name="housing_files"),
    path("habitat/dispositif/<int:pk>/dossiers/suivi/", file_views.housing_kanban, name="housing_kanban"),
    path(
        "habitat/dispositif/<int:pk>/dossiers/nouveau/",
        file_views.housing_file_create,
        name="housing_file_create",
    ),
    path(
        "habitat/dispositif/<int:pk>/dossiers.xlsx", file_views.housing_files_xlsx, name="housing_files_xlsx"
    ),
    path("habitat/dossier/<int:pk>/", file_views.housing_file_detail, name="housing_file_detail"),
    path("habitat/dossier/<int:pk>/modifier/", file_views.housing_file_edit, name="housing_file_edit"),
    path("habitat/dossier/<int:pk>/statut/", file_views.housing_file_status, name="housing_file_status"),
    # --- housing: grants, local top-ups and payments of a file (issue 7, grants) ---
    path("habitat/dossier/<int:pk>/aides/ajouter/", grant_views.grant_create, name="housing_grant_create"),
    path(
        "habitat/dossier/<int:pk>/aides/calculer/",
        grant_views.grant_proposals,
        name="housing_grant_proposals",
    ),
    path("habitat/aide/<int:pk>/modifier/", grant_views.grant_edit, name="housing_grant_edit"),
    path("habitat/aide/<int:pk>/statut/", grant_views.grant_status, name="housing_grant_status"),
    path(
        "habitat/aide/<int:pk>/versements/ajouter/", grant_views.payment_create, name="housing_payment_create"
    ),
    # --- housing: access log, retention and anonymisation (issue 7, privacy) ---
    path("habitat/dossier/<int:pk>/acces/", privacy_views.file_accesses, name="housing_file_accesses"),
    path("habitat/dispositif/<int:pk>/conservation/", privacy_views.retention, name="housing_retention"),
    path(
        "habitat/dispositif/<int:pk>/conservation/anonymiser/",
        privacy_views.retention_run,
        name="housing_retention_run",
    ),
    # --- participation: hub, concertation plan, events, attendance, contributions (issue 11, concertation) ---
    path("programme/<int:pk>/participation/", concertation_views.participation, name="participation"),
    path(
        "programme/<int:pk>/participation/plan-de-concertation/",
        concertation_views.concertation_plan,
        name="concertation_plan",
    ),
    path(
        "programme/<int:pk>/participation/plan-de-concertation/ajouter/",
        concertation_views.concertation_plan_create,
        name="concertation_plan_create",
    ),
    path(
        "participation/plan-de-concertation/<int:pk>/modifier/",
        concertation_views.concertation_plan_edit,
        name="concertation_plan_edit",
    ),
    path(
        "programme/<int:pk>/participation/concertation/",
        concertation_views.concertation_events,
        name="concertation_events",
    ),
    path(
        "programme/<int:pk>/participation/concertation/ajouter/",
        concertation_views.concertation_event_create,
        name="concertation_event_create",
    ),
    path(
        "programme/<int:pk>/participation/concertation.xlsx",
        concertation_views.concertation_export,
        name="concertation_export",
    ),
    path(
        "participation/concertation/<int:pk>/",
        concertation_views.concertation_event,
        name="concertation_event",
    ),
    path(
        "participation/concertation/<int:pk>/modifier/",
        concertation_views.concertation_event_edit,
        name="concertation_event_edit",
    ),
    path(
        "participation/concertation/<int:pk>/statut/",
        concertation_views.concertation_event_status,
        name="concertation_event_status",
    ),
    path(
        "participation/concertation/<int:pk>/participants/",
        concertation_views.concertation_attendance,
        name="concertation_attendance",
    ),
    path(
        "participation/concertation/<int:pk>/contributions/ajouter/",
        concertation_views.contribution_create,
        name="contribution_create",
    ),
    path(
        "participation/contribution/<int:pk>/modifier/",
        concertation_views.contribution_edit,
        name="contribution_edit",
    ),
    # --- participation: communication actions (issue 11, communication) ---
    path(
        "programme/<int:pk>/participation/communication/",
        communication_views.communication,
        name="communication",
    ),
    path(
        "programme/<int:pk>/participation/communication/nouvelle/",
        communication_views.communication_create,
        name="communication_create",
    ),
    path(
        "programme/<int:pk>/participation/communication/<int:action_pk>/",
        communication_views.communication_action,
        name="communication_action",
    ),
    path(
        "programme/<int:pk>/participation/communication/<int:action_pk>/modifier/",
        communication_views.communication_edit,
        name="communication_edit",
    ),
    path(
        "programme/<int:pk>/participation/communication/<int:action_pk>/statut/",
        communication_views.communication_status,
        name="communication_status",
    ),
    path(
        "programme/<int:pk>/participation/communication/<int:action_pk>/justificatif/",
        communication_views.communication_proof,
        name="communication_proof",
    ),
    # --- participation: mailing lists, subscriptions, information letters, unsubscribe (issue 11, letters) ---
    path("programme/<int:pk>/participation/listes/", letter_views.mailing_lists, name="mailing_lists"),
    path(
        "programme/<int:pk>/participation/listes/nouvelle/",
        letter_views.mailing_list_create,
        name="mailing_list_create",
    ),
    path("participation/listes/<int:pk>/", letter_views.mailing_list, name="mailing_list"),
    path("participation/listes/<int:pk>/modifier/", letter_views.mailing_list_edit, name="mailing_list_edit"),
    path(
        "participation/listes/<int:pk>/inscrire/",
        letter_views.subscription_create,
        name="subscription_create",
    ),
    path(
        "participation/abonnements/<int:pk>/desinscrire/",
        letter_views.subscription_withdraw,
        name="subscription_withdraw",
    ),
    path("programme/<int:pk>/participation/lettres/", letter_views.letters, name="letters"),
    path(
        "programme/<int:pk>/participation/lettres/nouvelle/", letter_views.letter_create, name="letter_create"
    ),
    path("participation/lettres/<int:pk>/", letter_views.letter, name="letter"),
    path("participation/lettres/<int:pk>/modifier/", letter_views.letter_edit, name="letter_edit"),
    path("participation/lettres/<int:pk>/envoyer/", letter_views.letter_send, name="letter_send"),
    path("participation/desinscription/<str:token>/", letter_views.unsubscribe, name="unsubscribe"),
    # --- participation: network events, good-practice sheets, library, public pages (issue 11, sheets) ---
    path("programme/<int:pk>/participation/reseau/", sheet_views.network, name="network"),
    path(
        "programme/<int:pk>/participation/reseau/nouvelle/", sheet_views.network_create, name="network_create"
    ),
    path("participation/reseau/<int:pk>/", sheet_views.network_event, name="network_event"),
    path("participation/reseau/<int:pk>/modifier/", sheet_views.network_edit, name="network_edit"),
    path("programme/<int:pk>/participation/fiches/", sheet_views.sheets, name="sheets"),
    path("programme/<int:pk>/participation/fiches/nouvelle/", sheet_views.sheet_create, name="sheet_create"),
    path("participation/fiches/<int:pk>/", sheet_views.sheet, name="sheet"),
    path("participation/fiches/<int:pk>/modifier/", sheet_views.sheet_edit, name="sheet_edit"),
    path("participation/fiches/<int:pk>/publier/", sheet_views.sheet_publish, name="sheet_publish"),
    path("participation/fiches/<int:pk>/retirer/", sheet_views.sheet_unpublish, name="sheet_unpublish"),
    path("participation/fiches/<int:pk>/pdf/", sheet_views.sheet_pdf, name="sheet_pdf"),
    path("participation/bibliotheque/", sheet_views.practice_library, name="practice_library"),
    # --- conventions and avenants, versions, PDFs (issue 9): operations/conventions/urls.py ---
    *convention_urls.urlpatterns,
]
