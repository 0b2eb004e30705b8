"""Governance pages (issue 8). Each helper's section is delimited; the views live in one module per area."""

from django.urls import path

from pvd.governance.views import alerts as alert_views  # H5
from pvd.governance.views import arbitrations as arbitration_views  # H3
from pvd.governance.views import calendar as calendar_views  # H6
from pvd.governance.views import committees as committee_views  # H1
from pvd.governance.views import decisions as decision_views  # H2
from pvd.governance.views import meetings as meeting_views  # H1
from pvd.governance.views import minutes as minutes_views  # H2
from pvd.governance.views import notifications as notification_views  # H5
from pvd.governance.views import options as option_views  # H4
from pvd.governance.views import week as week_views  # H6

app_name = "governance"

urlpatterns = [
    # --- H1: bodies, members, meetings, agenda (with suggestions), attendance, invitations, documents ---
    path("programme/<int:pk>/instances/", committee_views.committee_list, name="committees"),
    path("programme/<int:pk>/instances/nouvelle/", committee_views.committee_create, name="committee_create"),
    path("instances/<int:pk>/", committee_views.committee_detail, name="committee"),
    path("instances/<int:pk>/modifier/", committee_views.committee_edit, name="committee_edit"),
    path("instances/<int:pk>/membres/ajouter/", committee_views.member_create, name="member_create"),
    path("membres/<int:pk>/modifier/", committee_views.member_edit, name="member_edit"),
    path("programme/<int:pk>/reunions/", meeting_views.meeting_list, name="meetings"),
    path("instances/<int:pk>/reunions/nouvelle/", meeting_views.meeting_create, name="meeting_create"),
    path("reunions/<int:pk>/", meeting_views.meeting_detail, name="meeting"),
    path("reunions/<int:pk>/modifier/", meeting_views.meeting_edit, name="meeting_edit"),
    path(
        "reunions/<int:pk>/ordre-du-jour/ajouter/",
        meeting_views.agenda_item_create,
        name="agenda_item_create",
    ),
    path(
        "reunions/<int:pk>/ordre-du-jour/suggestions/",
        meeting_views.agenda_suggestions,
        name="agenda_suggestions",
    ),
    path("points/<int:pk>/modifier/", meeting_views.agenda_item_edit, name="agenda_item_edit"),
    path("points/<int:pk>/supprimer/", meeting_views.agenda_item_delete, name="agenda_item_delete"),
    path("points/<int:pk>/deplacer/", meeting_views.agenda_item_move, name="agenda_item_move"),
    path("reunions/<int:pk>/participants/", meeting_views.attendance, name="attendance"),
    path("reunions/<int:pk>/invitations/", meeting_views.meeting_invite, name="meeting_invite"),
    path("reunions/<int:pk>/invitation.ics", meeting_views.meeting_ics, name="meeting_ics"),
    path(
        "reunions/<int:pk>/documents/ajouter/", meeting_views.document_create, name="meeting_document_create"
    ),
    path("documents-reunion/<int:pk>/", meeting_views.document_file, name="meeting_document"),
    # --- end H1 ---
    # --- H2: minutes, printable agenda and minutes, decisions per item, the decision register ---
    path("reunions/<int:pk>/compte-rendu/", minutes_views.minutes_edit, name="minutes_edit"),
    path("reunions/<int:pk>/imprimer/<str:kind>/", minutes_views.meeting_print, name="meeting_print"),
    path("points/<int:pk>/decision/", decision_views.decision_create, name="decision_create"),
    path("programme/<int:pk>/decisions/", decision_views.decision_register, name="decisions"),
    path("programme/<int:pk>/decisions/export.xlsx", decision_views.decision_export, name="decisions_export"),
    path("decisions/<int:pk>/", decision_views.decision_detail, name="decision"),
    path("decisions/<int:pk>/modifier/", decision_views.decision_edit, name="decision_edit"),
    # --- end H2 ---
    # --- H3: arbitration notes and their workflow, the referent's inbox ---
    path("programme/<int:pk>/arbitrages/", arbitration_views.arbitration_list, name="arbitrations"),
    path(
        "programme/<int:pk>/arbitrages/nouveau/",
        arbitration_views.arbitration_create,
        name="arbitration_create",
    ),
    path(
        "alertes/<int:pk>/arbitrage/", arbitration_views.arbitration_from_alert, name="arbitration_from_alert"
    ),
    path("arbitrages/<int:pk>/", arbitration_views.arbitration_detail, name="arbitration"),
    path("arbitrages/<int:pk>/modifier/", arbitration_views.arbitration_edit, name="arbitration_edit"),
    path("arbitrages/<int:pk>/soumettre/", arbitration_views.arbitration_submit, name="arbitration_submit"),
    path("arbitrages/<int:pk>/decider/", arbitration_views.arbitration_decide, name="arbitration_decide"),
    path(
        "arbitrages/<int:pk>/decision-de-l-instance/",
        arbitration_views.arbitration_record_decision,
        name="arbitration_record_decision",
    ),
    path(
        "arbitrages/<int:pk>/version-decidee/",
        arbitration_views.arbitration_snapshot,
        name="arbitration_snapshot",
    ),
    path("arbitrages/<int:pk>/imprimer/", arbitration_views.arbitration_print, name="arbitration_print"),
    path("arbitrages/<int:pk>/reprendre/", arbitration_views.arbitration_reopen, name="arbitration_reopen"),
    path("a-decider/", arbitration_views.decision_inbox, name="inbox"),
    # --- end H3 ---
    # --- H4: options, their computed impact, and implementing the chosen option ---
    path("arbitrages/<int:pk>/options/ajouter/", option_views.option_create, name="option_create"),
    path("options/<int:pk>/modifier/", option_views.option_edit, name="option_edit"),
    path("options/<int:pk>/supprimer/", option_views.option_delete, name="option_delete"),
    path("options/<int:pk>/financement/", option_views.option_financing, name="option_financing"),
    path(
        "arbitrages/<int:pk>/mettre-en-oeuvre/",
        option_views.arbitration_implement,
        name="arbitration_implement",
    ),
    # --- end H4 ---
    # --- H5: alerts and notifications ---
    path("alertes/", alert_views.alert_list, name="alerts"),
    path("alertes/<int:pk>/", alert_views.alert_detail, name="alert"),
    path("alertes/<int:pk>/prise-en-compte/", alert_views.alert_acknowledge, name="alert_acknowledge"),
    path("notifications/", notification_views.notification_list, name="notifications"),
    path("notifications/<int:pk>/ouvrir/", notification_views.notification_open, name="notification_open"),
    path(
        "notifications/tout-marquer-lu/",
        notification_views.notification_read_all,
        name="notification_read_all",
    ),
    # --- end H5 ---
    # --- H6: my week, preferences, the calendar feed ---
    path("ma-semaine/", week_views.my_week, name="my_week"),
    path("preferences/", calendar_views.preferences, name="preferences"),
    path("preferences/nouveau-lien-calendrier/", calendar_views.calendar_reset, name="calendar_reset"),
    path("calendrier/<str:token>.ics", calendar_views.calendar_feed, name="calendar_feed"),
    # --- end H6 ---
]
