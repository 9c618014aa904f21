"""The information pages. Included without a namespace: their names (``privacy``, ``imprint``,
``accessibility`` and the ``_edit`` pages) are linked from every page's footer and e-mails."""

from django.urls import path

from . import views

urlpatterns = [
    path("privacy/", views.site_page, {"key": "privacy"}, name="privacy"),
    path("imprint/", views.site_page, {"key": "imprint"}, name="imprint"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("privacy/edit/", views.site_page_edit, {"key": "privacy"}, name="privacy_edit"),
    path("imprint/edit/", views.site_page_edit, {"key": "imprint"}, name="imprint_edit"),
    path(
        "accessibility/edit/",
        views.site_page_edit,
        {"key": "accessibility"},
        name="accessibility_edit",
    ),
]
