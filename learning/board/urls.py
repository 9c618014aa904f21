"""URLs of the learning cycles' board and findings."""

from django.urls import path

from . import views

urlpatterns = [
    path("<slug:slug>/cycles/<int:number>/", views.cycle_board, name="cycle"),
    path(
        "<slug:slug>/cycles/<int:number>/reminders/<int:organisation>/",
        views.remind,
        name="board_remind",
    ),
    path("<slug:slug>/findings/", views.findings, name="findings"),
    path("<slug:slug>/findings/<int:pk>/", views.finding_edit, name="finding_edit"),
]
