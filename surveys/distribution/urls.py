"""URLs of the surveys' distribution."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("feedback/", views.feedback_list, name="feedback_list"),
    path("feedback/<slug:slug>/", views.feedback_switch, name="feedback"),
    path("<int:pk>/invite/", views.needs_invite, name="invite"),
    path("<int:pk>/panel/", views.panel, name="panel"),
    path("optout/<str:token>/", views.optout, name="optout"),
]
