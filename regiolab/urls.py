from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from . import i18n, views
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
    path(
        "history/<slug:app_label>/<slug:model_name>/<int:pk>/",
        object_history,
        name="object_history",
    ),
    path("privacy/", views.PageView.as_view(template_name="pages/privacy.html"), name="privacy"),
    path("imprint/", views.PageView.as_view(template_name="pages/imprint.html"), name="imprint"),
    path(
        "accessibility/",
        views.PageView.as_view(template_name="pages/accessibility.html"),
        name="accessibility",
    ),
    # Our own set_language: the choice goes into the session, not into a cookie.
    path("i18n/setlang/", i18n.set_language, name="set_language"),
    path("admin/", admin.site.urls),
]
