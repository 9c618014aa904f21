from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("accounts/", include("allauth.urls")),
    path("companies/", include("companies.urls")),
    path("networks/", include("networks.urls")),
    path("workshops/", include("workshops.urls")),
    path("registrations/", include("workshops.registration_urls")),
    path("funding/", include("funding.urls")),
    path("health/", views.health, name="health"),
    path("privacy/", views.PageView.as_view(template_name="pages/privacy.html"), name="privacy"),
    path("imprint/", views.PageView.as_view(template_name="pages/imprint.html"), name="imprint"),
    path(
        "accessibility/",
        views.PageView.as_view(template_name="pages/accessibility.html"),
        name="accessibility",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
