from django.urls import path, register_converter

from . import views


class CallSlugConverter:
    """A call's slug, but never one of the app's own words (/challenges/proposals/ …)."""

    regex = r"(?!(?:new|proposals|attachments|mine)/)[-a-zA-Z0-9_]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(CallSlugConverter, "callslug")

urlpatterns = [
    path("", views.call_list, name="calls"),
    path("new/", views.call_create, name="call_create"),
    path("<callslug:slug>/", views.call_detail, name="call"),
    path("<callslug:slug>/edit/", views.call_edit, name="call_edit"),
    path("<callslug:slug>/calendar.ics", views.call_ics, name="call_ics"),
    path("<callslug:slug>/terms/", views.accept_terms, name="accept_terms"),
    path("<callslug:slug>/new/", views.challenge_create, name="challenge_create"),
    path("<callslug:slug>/<int:pk>/", views.challenge_detail, name="challenge"),
    path("<callslug:slug>/<int:pk>/edit/", views.challenge_edit, name="challenge_edit"),
    path("<callslug:slug>/<int:pk>/submit/", views.challenge_submit, name="challenge_submit"),
    path("<callslug:slug>/<int:pk>/decide/", views.challenge_decide, name="challenge_decide"),
    path("<callslug:slug>/<int:pk>/withdraw/", views.challenge_withdraw, name="challenge_withdraw"),
    path("<callslug:slug>/<int:pk>/providers/", views.providers, name="providers"),
]
