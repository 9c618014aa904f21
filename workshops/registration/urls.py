from django.urls import path

from ..documents import views as document_views
from ..lifecycle import views as manage_views
from . import views

app_name = "registrations"

urlpatterns = [
    path("mine/", views.company_registrations, name="company"),
    path("<str:token>/cancel/", views.cancel_by_token, name="cancel"),
    path("<str:token>/certificate.pdf", document_views.certificate, name="certificate"),
    path("<str:token>/", document_views.registration_page, name="page"),
    path("checkin/<str:token>/", manage_views.checkin_scan, name="checkin_scan"),
]
