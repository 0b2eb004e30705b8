from django.urls import path

from partners import views

app_name = "partners"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("nouveau/", views.organisation_create, name="organisation_create"),
    path("<int:pk>/", views.partner_detail, name="detail"),
    path("<int:pk>/modifier/", views.organisation_edit, name="organisation_edit"),
    path("<int:pk>/contacts/nouveau/", views.person_create, name="person_create"),
    path("contacts/export.csv", views.contacts_export, {"fmt": "csv"}, name="contacts_csv"),
    path("contacts/export.xlsx", views.contacts_export, {"fmt": "xlsx"}, name="contacts_xlsx"),
    path("contacts/<int:pk>/", views.person_detail, name="person_detail"),
    path("contacts/<int:pk>/modifier/", views.person_edit, name="person_edit"),
    path("contacts/<int:pk>/mandats/nouveau/", views.mandate_create, name="mandate_create"),
    path("mandats/<int:pk>/modifier/", views.mandate_edit, name="mandate_edit"),
    path("offres/", views.offer_list, name="offers"),
    path("offres/nouvelle/", views.offer_create, name="offer_create"),
    path("offres/<int:pk>/", views.offer_detail, name="offer_detail"),
    path("offres/<int:pk>/modifier/", views.offer_edit, name="offer_edit"),
]
