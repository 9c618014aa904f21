"""The portal sets no cookie that needs consent: only the session and the CSRF cookie.

A visitor, a company representative, a coordinator and a funder walk the portal as a browser
would: every page the permission matrix lets them open, the language switch, signing in (with
the second factor where required), forms that answer with a message, signing out. Every cookie
any response sets is collected by name.
"""

import csv
import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from companies.importing import COLUMN_KEYS
from regiolab.i18n import LANGUAGE_SESSION_KEY
from tests.matrix_world import PAYLOADS, build_world
from tests.support.mfa import code_for
from tests.test_permission_matrix import ROLES, ROWS

pytestmark = pytest.mark.django_db

ALLOWED = {settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME}
PASSWORD = "correct-horse-battery"  # UserFactory's


class CookieWatch:
    """A test client that notes every cookie every response (redirects included) sets."""

    def __init__(self):
        self.client = Client()
        self.seen: dict[str, str] = {}  # cookie name → first request that set it

    def _note(self, response, label):
        # The client's jar keeps every cookie any hop set (a deleted one stays, expired).
        for name in self.client.cookies:
            self.seen.setdefault(name, label)
        assert response.status_code < 500, (label, response.status_code)
        return response

    def get(self, path, **kwargs):
        return self._note(self.client.get(path, **kwargs), f"GET {path}")

    def post(self, path, data=None, **kwargs):
        return self._note(self.client.post(path, data or {}, **kwargs), f"POST {path}")


def sign_in(watch: CookieWatch, user):
    response = watch.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    if response["Location"].startswith("/accounts/2fa/authenticate/"):
        response = watch.post("/accounts/2fa/authenticate/", {"code": code_for(user)})
        assert response.status_code == 302
    assert "_auth_user_id" in watch.client.session


def walk_pages(watch: CookieWatch, world, role: str):
    """The pages of the permission matrix ``role`` may open; signed in, only those the visitor
    may not (the public ones were walked already, and the same middleware answers them)."""
    index = ROLES.index(role)
    for r in ROWS:
        if (
            r.method == "GET"
            and r.expect[index] == 200
            and (role == "anonymous" or r.expect[0] != 200)
            and not r.path.endswith(".pdf")
        ):
            response = watch.get(r.path.format(**world.ids))
            assert response.status_code == 200, (role, r.path)


def _import_csv() -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMN_KEYS)
    row = {"name": "Keks GmbH", "city": "Hannover", "sector": "C", "headcount": "3"}
    writer.writerow([row.get(key, "") for key in COLUMN_KEYS])
    return SimpleUploadedFile("firmen.csv", buffer.getvalue().encode())


def test_a_walk_through_the_portal_sets_only_session_and_csrf_cookies():
    world = build_world()
    ids = world.ids
    seen: dict[str, str] = {}

    # --- visitor: browse, switch language, register for a workshop, sign up, fail to log in --
    visitor = CookieWatch()
    visitor.get("/")
    visitor.post("/i18n/setlang/", {"language": "en", "next": "/workshops/"})
    assert visitor.client.session[LANGUAGE_SESSION_KEY] == "en"
    assert '<html lang="en">' in visitor.get("/workshops/").content.decode()
    walk_pages(visitor, world, "anonymous")
    visitor.get("/workshops/?q=Robotik")
    response = visitor.post(f"/workshops/{ids['W']}/register/", PAYLOADS["register"](world))
    assert response.status_code == 302
    visitor.get(response["Location"])  # the success message, read from the session
    visitor.post(f"/registrations/{ids['token_a']}/cancel/", follow=True)  # with a message
    visitor.post("/accounts/login/", {"login": "nobody@example.org", "password": "wrong"})
    visitor.post(
        "/accounts/signup/",
        {
            "email": "neu@example.org",
            "password1": "ein-langes-Passwort-42",
            "password2": "ein-langes-Passwort-42",
            "first_name": "Nora",
            "last_name": "Neu",
        },
    )
    seen |= {f"visitor: {k}": v for k, v in visitor.seen.items()}

    # --- company representative: sign in, own company, network, colleagues, sign out --------
    rep = CookieWatch()
    rep.post("/i18n/setlang/", {"language": "en", "next": "/"})
    sign_in(rep, world.users["rep_a"])
    assert rep.client.session[LANGUAGE_SESSION_KEY] == "en"  # kept across the login
    walk_pages(rep, world, "rep_a")
    rep.post(f"/companies/{ids['A']}/edit/", PAYLOADS["company_edit"](world), follow=True)
    rep.post(f"/companies/{ids['A']}/members/", PAYLOADS["invite_colleague"](world), follow=True)
    rep.post(f"/networks/{ids['N']}/join/", follow=True)
    rep.post("/accounts/logout/", follow=True)
    assert rep.client.session.get(LANGUAGE_SESSION_KEY) == "en"  # and across the logout
    seen |= {f"rep: {k}": v for k, v in rep.seen.items()}

    # --- coordinator: second factor, management pages, imports and forms with messages -------
    coordinator = CookieWatch()
    sign_in(coordinator, world.users["coordinator"])
    walk_pages(coordinator, world, "coordinator")
    coordinator.post(
        f"/companies/{ids['A']}/consultations/new/", PAYLOADS["consultation"](world), follow=True
    )
    coordinator.post("/companies/import/", {"file": _import_csv()}, follow=True)
    coordinator.post(
        f"/funding/grants/{ids['G']}/expenditures/import/",
        PAYLOADS["expenditure_import"](world),
        follow=True,
    )
    coordinator.post(
        f"/funding/grants/{ids['G']}/expenditures/", PAYLOADS["expenditure"](world), follow=True
    )
    coordinator.post("/i18n/setlang/", {"language": "de", "next": "/"}, follow=True)
    coordinator.post("/accounts/logout/", follow=True)
    seen |= {f"coordinator: {k}": v for k, v in coordinator.seen.items()}

    # --- funder: second factor, grants and reports -------------------------------------------
    funder = CookieWatch()
    sign_in(funder, world.users["funder"])
    walk_pages(funder, world, "funder")
    funder.get(f"/funding/reports/{ids['report']}/download/")
    funder.post("/accounts/logout/", follow=True)
    seen |= {f"funder: {k}": v for k, v in funder.seen.items()}

    names = {key.split(": ", 1)[1] for key in seen}
    assert names == ALLOWED, {k: v for k, v in seen.items() if k.split(": ", 1)[1] not in ALLOWED}


def test_language_switch_stores_the_choice_in_the_session_not_a_cookie(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/networks/"})
    assert response.status_code == 302 and response["Location"] == "/networks/"
    assert set(response.cookies) == {settings.SESSION_COOKIE_NAME}
    assert settings.LANGUAGE_COOKIE_NAME not in client.cookies
    assert client.session[LANGUAGE_SESSION_KEY] == "en"
    assert '<html lang="en">' in client.get("/networks/").content.decode()


@pytest.mark.parametrize(
    ("data", "location"),
    [
        ({"language": "xx", "next": "/"}, "/"),  # unknown language: nothing stored
        ({"language": "en", "next": "https://evil.example/"}, "/"),  # no open redirect
        ({"language": "en", "next": "//evil.example/"}, "/"),
    ],
)
def test_language_switch_refuses_unknown_languages_and_foreign_targets(client, data, location):
    response = client.post("/i18n/setlang/", data)
    assert response.status_code == 302 and response["Location"] == location
    if data["language"] == "xx":
        assert LANGUAGE_SESSION_KEY not in client.session
        assert '<html lang="de">' in client.get("/").content.decode()


def test_language_switch_by_get_changes_nothing(client):
    response = client.get("/i18n/setlang/", {"language": "en", "next": "/workshops/"})
    assert response.status_code == 302 and response["Location"] == "/workshops/"
    assert LANGUAGE_SESSION_KEY not in client.session
    assert not response.cookies


def test_a_message_waits_in_the_session_not_in_a_cookie(client):
    world = build_world()
    # Cancelling by the e-mailed link answers with a message, to anybody.
    response = client.post(f"/registrations/{world.ids['token_a']}/cancel/", follow=True)
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    assert set(client.cookies) == ALLOWED


def test_no_code_of_ours_sets_a_cookie():
    """A new cookie would need consent: none of the portal's own code sets one."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = [
        str(path.relative_to(root))
        for app in ("regiolab", "companies", "networks", "workshops", "funding")
        for path in (root / app).rglob("*.py")
        if "set_cookie(" in path.read_text() or "set_signed_cookie(" in path.read_text()
    ]
    assert offenders == []
