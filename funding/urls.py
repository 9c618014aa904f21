from django.urls import path

from . import views

app_name = "funding"

urlpatterns = [
    path("programmes/", views.programme_list, name="programmes"),
    path("grants/", views.grant_list, name="grants"),
    path("grants/new/", views.grant_create, name="grant_create"),
    path("grants/<int:pk>/", views.grant_detail, name="grant_detail"),
    path("grants/<int:pk>/edit/", views.grant_edit, name="grant_edit"),
    path("grants/<int:pk>/shares/", views.grant_shares, name="grant_shares"),
    path("grants/<int:pk>/budget/", views.grant_budget, name="grant_budget"),
    path("grants/<int:pk>/indicators/", views.grant_indicators_edit, name="grant_indicators"),
    path("grants/<int:pk>/expenditures/", views.expenditure_list, name="expenditures"),
    path(
        "grants/<int:pk>/expenditures/import/", views.expenditure_import, name="expenditure_import"
    ),
    path(
        "grants/<int:pk>/expenditures/<int:expenditure_pk>/edit/",
        views.expenditure_edit,
        name="expenditure_edit",
    ),
    path(
        "grants/<int:pk>/expenditures/<int:expenditure_pk>/delete/",
        views.expenditure_delete,
        name="expenditure_delete",
    ),
    path("expenditures/<int:pk>/receipt/", views.receipt_download, name="receipt_download"),
    path("grants/<int:pk>/reports/", views.grant_reports, name="grant_reports"),
    path("reports/<int:pk>/status/", views.report_status, name="report_status"),
    path("reports/<int:pk>/retry/", views.report_retry, name="report_retry"),
    path("reports/<int:pk>/download/", views.report_download, name="report_download"),
]
