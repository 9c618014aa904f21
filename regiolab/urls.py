from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from . import anonymisation_views, i18n, pages_views, unsubscribe_views, views
from .audit_views import object_history

# The admin signs in through allauth's login, so staff pass the second factor there too.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    # Before allauth's routes: its URLconf must not catch the privacy pages.
    path("accounts/privacy/", include("regiolab.privacy_urls")),
    path("accounts/", include("allauth.urls")),
    path("companies/", include("companies.urls")),
    path("networks/", include("networks.urls")),
    path("workshops/", include("workshops.urls")),
    path("registrations/", include("workshops.registration_urls")),
    path("funding/", include("funding.urls")),
    path("health/", views.health, name="health"),
    # Coordinators: e-mails that failed for good, and sending them again.
    path("mail/", include("regiolab.mail_urls")),
    path(
        "history/<slug:app_label>/<slug:model_name>/<int:pk>/",
        object_history,
        name="object_history",
    ),
    path("privacy/", pages_views.site_page, {"key": "privacy"}, name="privacy"),
    # Not under /privacy/: that prefix stays open to users still without a second factor.
    path("data-protection/anonymise/", anonymisation_views.anonymise, name="anonymise_person"),
    path("imprint/", pages_views.site_page, {"key": "imprint"}, name="imprint"),
    # The link in invitations' List-Unsubscribe header and text (no login; one-click POST).
    path("unsubscribe/<str:token>/", unsubscribe_views.unsubscribe, name="unsubscribe"),
    path("accessibility/", pages_views.accessibility, name="accessibility"),
    path("privacy/edit/", pages_views.site_page_edit, {"key": "privacy"}, name="privacy_edit"),
    path("imprint/edit/", pages_views.site_page_edit, {"key": "imprint"}, name="imprint_edit"),
    path(
        "accessibility/edit/",
        pages_views.site_page_edit,
        {"key": "accessibility"},
        name="accessibility_edit",
    ),
    # Our own set_language: the choice goes into the session, not into a cookie.
    path("i18n/setlang/", i18n.set_language, name="set_language"),
    path("admin/", admin.site.urls),
]
