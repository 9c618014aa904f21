"""URLs of the learning cycles' homework: tasks, answers and their attachments, and the
organisations' own cycle reports."""

from django.urls import path

from . import views

CYCLE = "<slug:slug>/cycles/<int:number>/"

urlpatterns: list = [
    path(f"{CYCLE}tasks/", views.task_list, name="tasks"),
    path(f"{CYCLE}tasks/<int:pk>/", views.task_detail, name="task"),
    path(f"{CYCLE}tasks/<int:pk>/edit/", views.task_edit, name="task_edit"),
    path(f"{CYCLE}tasks/<int:pk>/delete/", views.task_delete, name="task_delete"),
    path(
        f"{CYCLE}tasks/<int:pk>/answers/<int:submission_pk>/",
        views.submission_detail,
        name="submission",
    ),
    path(f"{CYCLE}report/", views.own_report, name="own_report"),
    path(f"{CYCLE}reports/", views.cycle_reports, name="cycle_reports"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("attachments/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
]
