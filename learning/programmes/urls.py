"""URLs of the learning cycles' programmes."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("", views.programme_list, name="list"),
    path("new/", views.programme_create, name="create"),
    path("<slug:slug>/", views.programme_space, name="programme"),
    path("<slug:slug>/edit/", views.programme_edit, name="edit"),
    path("<slug:slug>/start/", views.programme_start, name="start"),
    path("<slug:slug>/close/", views.programme_close, name="close"),
    path("<slug:slug>/cycles/<int:number>/workshop/", views.cycle_workshop, name="cycle_workshop"),
    path("<slug:slug>/cycles/<int:number>/theme/", views.cycle_theme, name="cycle_theme"),
    path("<slug:slug>/cycles/<int:number>/register/", views.cycle_register, name="cycle_register"),
    path("<slug:slug>/organisations/add/", views.organisation_add, name="organisation_add"),
    path(
        "<slug:slug>/organisations/<int:pk>/remove/",
        views.organisation_remove,
        name="organisation_remove",
    ),
    path("<slug:slug>/organisations/<int:pk>/people/add/", views.person_add, name="person_add"),
    path(
        "<slug:slug>/organisations/<int:pk>/people/<int:person_pk>/remove/",
        views.person_remove,
        name="person_remove",
    ),
]
