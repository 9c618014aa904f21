from django.urls import path

from . import mail_views

app_name = "mail"

urlpatterns = [
    path("failed/", mail_views.failed_list, name="failed"),
    path("failed/resend/", mail_views.resend, name="resend"),
]
