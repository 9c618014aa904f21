from django.urls import path

from . import views

urlpatterns = [
    path("policy/groups/", views.group_list, name="groups"),
    path("policy/groups/new/", views.group_create, name="group_create"),
    path("policy/groups/<int:pk>/", views.group_detail, name="group"),
    path("policy/groups/<int:pk>/edit/", views.group_edit, name="group_edit"),
    path("policy/groups/<int:pk>/members/new/", views.member_add, name="group_member_add"),
    path(
        "policy/groups/<int:pk>/members/<int:mpk>/people/",
        views.people_add,
        name="group_people_add",
    ),
    path(
        "policy/groups/<int:pk>/members/<int:mpk>/remove/",
        views.member_remove,
        name="group_member_remove",
    ),
    path("policy/groups/<int:pk>/meetings/new/", views.meeting_create, name="group_meeting_add"),
    path(
        "policy/groups/<int:pk>/meetings/<int:mpk>/invite/",
        views.meeting_invite,
        name="group_meeting_invite",
    ),
    path(
        "policy/groups/<int:pk>/meetings/<int:mpk>/minutes/",
        views.meeting_minutes,
        name="group_minutes",
    ),
]
