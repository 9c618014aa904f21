from django.urls import path

from . import views

app_name = "registrations"

urlpatterns = [
    path("mine/", views.company_registrations, name="company"),
    path("<str:token>/cancel/", views.cancel_by_token, name="cancel"),
    path("<str:token>/certificate.pdf", views.certificate, name="certificate"),
]
