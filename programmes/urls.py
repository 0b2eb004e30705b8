from django.urls import path

from programmes import views

app_name = "programmes"

urlpatterns = [
    path("<int:pk>/modifier/", views.programme_edit, name="edit"),
]
