"""URLs of the surveys' builder (coordinators): /surveys/, a survey's builder and its steps."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("", views.survey_list, name="list"),
    path("new/", views.survey_create, name="create"),
    path("<int:pk>/", views.survey_detail, name="detail"),
    path("<int:pk>/edit/", views.survey_edit, name="edit"),
    path("<int:pk>/open/", views.survey_open, name="open"),
    path("<int:pk>/close/", views.survey_close, name="close"),
    path("<int:pk>/preview/", views.survey_preview, name="preview"),
    path("<int:pk>/sections/new/", views.section_add, name="section_add"),
    path("<int:pk>/sections/<int:section_pk>/edit/", views.section_edit, name="section_edit"),
    path("<int:pk>/sections/<int:section_pk>/delete/", views.section_delete, name="section_delete"),
    path("<int:pk>/sections/<int:section_pk>/move/", views.section_move, name="section_move"),
    path("<int:pk>/questions/new/", views.question_add, name="question_add"),
    path("<int:pk>/questions/<int:question_pk>/edit/", views.question_edit, name="question_edit"),
    path(
        "<int:pk>/questions/<int:question_pk>/delete/",
        views.question_delete,
        name="question_delete",
    ),
    path("<int:pk>/questions/<int:question_pk>/move/", views.question_move, name="question_move"),
]
