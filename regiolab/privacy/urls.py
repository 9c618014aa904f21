"""The account's privacy pages, under /accounts/privacy/."""

from django.urls import path

from . import views as privacy_views

app_name = "privacy"

urlpatterns = [
    path("", privacy_views.overview, name="overview"),
    path("export.json", privacy_views.export_own, name="export"),
    path("consents/<int:pk>/withdraw/", privacy_views.withdraw, name="withdraw"),
    path("requests/", privacy_views.export_for, name="export_for"),
]
