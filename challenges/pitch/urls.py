from django.urls import path

from . import views

urlpatterns = [
    path("<slug:slug>/pitch-day/", views.pitch_day, name="pitch_day"),
    path("<slug:slug>/pitch-day/slots/", views.generate_slots, name="pitch_slots"),
    path("<slug:slug>/pitch-day/meetings/", views.request_meeting, name="pitch_request"),
    path(
        "<slug:slug>/pitch-day/meetings/<int:pk>/answer/",
        views.answer_meeting,
        name="pitch_answer",
    ),
    path("<slug:slug>/pitch-day/send-plans/", views.send_plans, name="pitch_send_plans"),
    path("<slug:slug>/pitch-day/matches/", views.match_list, name="pitch_matches"),
    path("<slug:slug>/pitch-day/matches/<int:pk>/", views.match_note, name="pitch_match"),
]
