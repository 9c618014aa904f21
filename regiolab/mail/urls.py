from django.urls import path

from . import views

app_name = "mail"

urlpatterns = [
    path("failed/", views.failed_list, name="failed"),
    path("failed/resend/", views.resend, name="resend"),
]
