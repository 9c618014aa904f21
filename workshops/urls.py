from django.urls import path

from . import views
from .calendar import views as calendar_views
from .invitations import views as invitation_views
from .lifecycle import views as manage_views
from .participant_mail import views as participant_mail_views
from .participants import views as participant_views
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
    # The participants page's actions (participants/views.py)
    path("<slug:slug>/participants/add/", participant_views.walk_in, name="participant_add"),
    path("<slug:slug>/participants/bulk/", participant_views.bulk, name="participants_bulk"),
    path(
        "<slug:slug>/participants/<int:pk>/cancel/",
        participant_views.cancel,
        name="participant_cancel",
    ),
    path(
        "<slug:slug>/participants/<int:pk>/move/", participant_views.move, name="participant_move"
    ),
    path(
        "<slug:slug>/participants/<int:pk>/undo-cancel/",
        participant_views.undo_cancel,
        name="participant_undo_cancel",
    ),
    path(
        "<slug:slug>/participants/<int:pk>/resend/",
        participant_views.resend,
        name="participant_resend",
    ),
    path("<slug:slug>/checkin/", manage_views.checkin, name="checkin"),
    path("<slug:slug>/checkin/code/", manage_views.checkin_code, name="checkin_code"),
    path("<slug:slug>/checkin/<int:pk>/", manage_views.checkin_person, name="checkin_person"),
    path("<slug:slug>/signature-sheet.pdf", manage_views.signature_sheet, name="signature_sheet"),
    path(
        "<slug:slug>/certificates/send/", manage_views.send_certificates, name="send_certificates"
    ),
    # Invitations (invitations/views.py)
    path("<slug:slug>/invitations/", invitation_views.invitation_list, name="invitations"),
    path("<slug:slug>/invitations/new/", invitation_views.invitation_create, name="invite"),
    # E-mail to participants (participant_mail/views.py)
    path(
        "<slug:slug>/participants/email/",
        participant_mail_views.participants_email,
        name="participants_email",
    ),
]
