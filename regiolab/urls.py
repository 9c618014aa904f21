from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from . import i18n, views
from .home import views as home_views
from .mail import views as mail_views
from .privacy import anonymisation_views

# The admin signs in through allauth's login, so staff pass the second factor there too.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    # Visitors get the start page, each signed-in role its home (regiolab/home/).
    path("", home_views.home, name="home"),
    # Before allauth's routes: its URLconf must not catch the privacy pages.
    path("accounts/privacy/", include("regiolab.privacy.urls")),
    path("accounts/", include("allauth.urls")),
    path("companies/", include("companies.urls")),
    path("networks/", include("networks.urls")),
    path("workshops/", include("workshops.urls")),
    path("registrations/", include("workshops.registration.urls")),
    path("learning/", include("learning.urls")),
    path("surveys/", include("surveys.urls")),
    # Answering a survey by the link in its e-mail (no login).
    path("s/", include(("surveys.answering.urls", "survey_links"))),
    path("challenges/", include("challenges.urls")),
    path("funding/", include("funding.urls")),
    # /practices/, /policy/groups/…, /policy/plans/…, /newsletter/…
    path("", include("policy.urls")),
    path("health/", views.health, name="health"),
    # Coordinators: e-mails that failed for good, and sending them again.
    path("mail/", include("regiolab.mail.urls")),
    # Coordinators: the change history of every audited object.
    path("history/", include("regiolab.audit.urls")),
    # Coordinators: one search over companies, people, workshops and grants.
    path("search/", include("regiolab.search.urls")),
    # Not under /privacy/: that prefix stays open to users still without a second factor.
    path("data-protection/anonymise/", anonymisation_views.anonymise, name="anonymise_person"),
    # The link in invitations' List-Unsubscribe header and text (no login; one-click POST).
    path("unsubscribe/<str:token>/", mail_views.unsubscribe, name="unsubscribe"),
    # Impressum, privacy notice, accessibility statement and their edit pages.
    path("", include("regiolab.pages.urls")),
    # Our own set_language: the choice goes into the session, not into a cookie.
    path("i18n/setlang/", i18n.set_language, name="set_language"),
    path("admin/", admin.site.urls),
]
