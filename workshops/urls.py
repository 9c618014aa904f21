from django.urls import path

from . import views
from .calendar import views as calendar_views
from .invitations import views as invitation_views
from .lifecycle import views as manage_views
from .registration import views as registration_views

app_name = "workshops"

urlpatterns = [
    # Public (views.py)
    path("", views.workshop_list, name="list"),
    path("calendar.ics", calendar_views.calendar_feed, name="calendar_feed"),
    # Coordinators (lifecycle/views.py); fixed words before <slug> are reserved slugs
    path("manage/", manage_views.manage_list, name="manage_list"),
    path("new/", manage_views.workshop_create, name="create"),
    path("<slug:slug>/", views.workshop_detail, name="detail"),
    path("<slug:slug>/register/", registration_views.register, name="register"),
    path("<slug:slug>/calendar.ics", calendar_views.workshop_ics, name="ics"),
    path("<slug:slug>/edit/", manage_views.workshop_edit, name="edit"),
    path("<slug:slug>/publish/", manage_views.workshop_publish, name="publish"),
    path("<slug:slug>/cancel/", manage_views.workshop_cancel, name="cancel"),
    path("<slug:slug>/participants/", manage_views.participants, name="participants"),
    path(
        "<slug:slug>/participants/export.<str:fmt>",
        manage_views.participants_export,
        name="participants_export",
    ),
    path(
        "<slug:slug>/participants/<int:pk>/promote/",
        manage_views.promote,
        name="promote",
    ),
    path("<slug:slug>/checkin/", manage_views.checkin, name="checkin"),
    path("<slug:slug>/signature-sheet.pdf", manage_views.signature_sheet, name="signature_sheet"),
    path(
        "<slug:slug>/certificates/send/", manage_views.send_certificates, name="send_certificates"
    ),
    # Invitations (invitations/views.py)
    path("<slug:slug>/invitations/", invitation_views.invitation_list, name="invitations"),
    path("<slug:slug>/invitations/new/", invitation_views.invitation_create, name="invite"),
]
