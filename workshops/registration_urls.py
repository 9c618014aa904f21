from django.urls import path

from . import document_views, views

app_name = "registrations"

urlpatterns = [
    path("mine/", views.company_registrations, name="company"),
    path("<str:token>/cancel/", views.cancel_by_token, name="cancel"),
    path("<str:token>/certificate.pdf", document_views.certificate, name="certificate"),
]
