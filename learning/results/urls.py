"""URLs of the learning cycles' results: tools, policy recommendations, the final report."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("<slug:slug>/results/", views.results, name="results"),
    path("<slug:slug>/results/new/", views.section_create, name="result_section_create"),
    path("<slug:slug>/results/<int:pk>/edit/", views.section_edit, name="result_section_edit"),
    path(
        "<slug:slug>/results/<int:pk>/delete/", views.section_delete, name="result_section_delete"
    ),
    path("<slug:slug>/results/report/", views.report_request, name="final_report_request"),
    path("reports/<int:pk>/status/", views.report_status, name="final_report_status"),
    path("reports/<int:pk>/retry/", views.report_retry, name="final_report_retry"),
    path("reports/<int:pk>/download/", views.report_download, name="final_report_download"),
]
