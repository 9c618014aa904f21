"""Answering by link, at /s/<token>/ (namespace ``survey_links``, no login); the company's
answer page is in ``company_urlpatterns``, under /surveys/ (namespace ``surveys``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("<str:token>/", views.answer_by_link, name="answer"),
    path("<str:token>/thanks/", views.thanks, name="thanks"),
]

company_urlpatterns = [
    path("<int:pk>/answer/", views.answer_for_company, name="answer"),
]
