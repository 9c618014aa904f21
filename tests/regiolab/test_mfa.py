"""Two-factor login: required for coordinators, funders and staff (regiolab.mfa), offered to
everybody; the code is asked for after the password, recovery codes work once, the admin's login
goes through it too."""

import re

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings as django_settings
from django.contrib.auth.models import AnonymousUser, Group

from companies.models import Company
from regiolab.permissions import COORDINATORS_GROUP, requires_mfa
from tests.factories import CompanyMemberFactory, FunderFactory, UserFactory
from tests.support.mfa import current_code, enable_recovery_codes, enable_totp

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # UserFactory's
ACTIVATE = "/accounts/2fa/totp/activate/"
AUTHENTICATE = "/accounts/2fa/authenticate/"
SECRET_FIELD = re.compile(r'id="authenticator_secret"[^>]*value="([A-Z2-7=]+)"')


def new_coordinator(**kwargs):
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get_or_create(name=COORDINATORS_GROUP)[0])
    return user


def new_funder_user(**kwargs):
    user = UserFactory(**kwargs)
    FunderFactory().users.add(user)
    return user


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def sign_in(client, user, next_url=None):
    data = {"login": user.email, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post("/accounts/login/", data)


def reauthenticate(client, next_url):
    """allauth asks for the password again before 2FA settings change (even right after login)."""
    response = client.post("/accounts/reauthenticate/", {"password": PASSWORD, "next": next_url})
    assert response.status_code == 302 and response["Location"] == next_url


def wrong_code(secret: str) -> str:
    """A well-formed code the app shows at no time near now."""
    near = {current_code(secret, steps=s) for s in range(-3, 4)}
    return next(c for s in range(10, 40) if (c := current_code(secret, steps=s)) not in near)


def assert_plain_page(html: str):
    """Our layout, no inline script or style (the Content-Security-Policy forbids them)."""
    assert '<main id="main"' in html and 'class="site-footer"' in html
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []
    assert "<style" not in html and "style=" not in html
    assert " onclick=" not in html and " onload=" not in html


# --- Who must use a second factor --------------------------------------------------------------


def test_requires_mfa_for_coordinators_funders_and_staff_only():
    assert requires_mfa(new_coordinator())
    assert requires_mfa(new_funder_user())
    assert requires_mfa(UserFactory(is_staff=True))
    assert requires_mfa(UserFactory(is_superuser=True))
    assert not requires_mfa(CompanyMemberFactory().user)
    assert not requires_mfa(UserFactory())
    assert not requires_mfa(AnonymousUser())


# --- Enforcement -------------------------------------------------------------------------------


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(
    ("make_user", "page"),
    [
        (new_coordinator, "/companies/"),
        (new_coordinator, "/"),
        (new_funder_user, "/funding/grants/"),
        (lambda: UserFactory(is_staff=True, is_superuser=True), "/admin/"),
    ],
    ids=["coordinator", "coordinator-home", "funder", "staff-admin"],
)
def test_user_without_authenticator_is_sent_to_the_activation(client, make_user, page):
    user = make_user()
    client.force_login(user)

    response = client.get(page)
    assert response.status_code == 302
    assert response["Location"] == ACTIVATE

    # force_login is no recent login: allauth asks for the password first; the reason is shown.
    page_reached = client.get(page, follow=True)
    assert page_reached.redirect_chain[-1][0].startswith("/accounts/reauthenticate/")
    html = page_reached.content.decode()
    assert "must sign in with a second factor" in html
    assert_plain_page(html)


def test_htmx_request_gets_hx_redirect(client):
    client.force_login(new_coordinator())
    response = client.get("/companies/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"] == ACTIVATE
    assert response.content == b""


def test_refused_post_writes_nothing(client):
    client.force_login(new_coordinator())
    response = client.post("/companies/new/", {"name": "Neue Firma GmbH", "city": "Hannover"})
    assert response.status_code == 302 and response["Location"] == ACTIVATE
    assert not Company.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        "/privacy/",
        "/imprint/",
        "/accessibility/",
        "/health/",
        "/accounts/2fa/",
        "/accounts/logout/",
        "/accounts/email/",
        "/accounts/reauthenticate/",
        "/static/css/site.css",
    ],
)
def test_setup_logout_and_legal_pages_stay_open(client, path):
    client.force_login(new_coordinator())
    response = client.get(path)
    assert response.status_code == 200, response.get("Location")


@pytest.mark.parametrize("path", ["/privacy/edit/", "/imprint/edit/", "/health/x/"])
def test_only_the_legal_pages_themselves_are_open_not_what_lies_beneath(client, path):
    client.force_login(new_coordinator())
    assert client.get(path)["Location"] == ACTIVATE


def test_language_switch_stays_open(client):
    client.force_login(new_funder_user())
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/privacy/"})
    assert response.status_code == 302 and response["Location"] == "/privacy/"


def test_activation_through_the_pages_opens_the_portal(client):
    user = new_coordinator(email="kora@regiolab.example")
    sign_in(client, user)
    assert signed_in(client)
    assert client.get("/companies/")["Location"] == ACTIVATE

    # allauth asks for the password once more; then the page shows QR code and secret.
    assert client.get(ACTIVATE)["Location"].startswith("/accounts/reauthenticate/")
    reauthenticate(client, ACTIVATE)
    page = client.get(ACTIVATE)
    assert page.status_code == 200
    html = page.content.decode()
    assert_plain_page(html)
    assert 'class="qr-code"' in html
    secret = SECRET_FIELD.search(html).group(1)

    refused = client.post(ACTIVATE, {"code": wrong_code(secret)})
    assert refused.status_code == 200 and 'id="id_code_error"' in refused.content.decode()
    assert not Authenticator.objects.filter(user=user).exists()

    response = client.post(ACTIVATE, {"code": current_code(secret)})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/recovery-codes/"
    assert Authenticator.objects.get(user=user, type="totp")
    codes_page = client.get("/accounts/2fa/recovery-codes/").content.decode()
    assert_plain_page(codes_page)
    assert len(re.findall(r"\b\d{8}\b", codes_page)) == 10

    assert client.get("/companies/").status_code == 200


def test_company_representative_is_not_forced_but_may_activate(client):
    rep = CompanyMemberFactory(user__email="inhaberin@metall.example").user
    sign_in(client, rep)
    assert client.get("/companies/mine/", follow=True).status_code == 200
    assert client.get("/").status_code == 200

    index = client.get("/accounts/2fa/").content.decode()
    assert f'href="{ACTIVATE}"' in index
    reauthenticate(client, ACTIVATE)
    secret = SECRET_FIELD.search(client.get(ACTIVATE).content.decode()).group(1)
    assert client.post(ACTIVATE, {"code": current_code(secret)}).status_code == 302
    assert Authenticator.objects.filter(user=rep, type="totp").exists()

    # From now on the representative's login asks for the code as well.
    client.post("/accounts/logout/")
    response = sign_in(client, rep)
    assert response["Location"] == AUTHENTICATE
    assert not signed_in(client)


# --- Login with a second factor ----------------------------------------------------------------


def test_login_asks_for_the_code_after_the_password(client):
    user = new_coordinator()
    secret = enable_totp(user)

    response = sign_in(client, user, next_url="/companies/")
    assert response.status_code == 302 and response["Location"] == AUTHENTICATE
    assert not signed_in(client)
    page = client.get(AUTHENTICATE)
    assert page.status_code == 200
    html = page.content.decode()
    assert_plain_page(html)
    assert 'name="code"' in html and 'autocomplete="one-time-code"' in html
    # Business pages stay closed while only the password is known.
    assert client.get("/companies/")["Location"].startswith("/accounts/login/")

    response = client.post(AUTHENTICATE, {"code": current_code(secret)})
    assert response.status_code == 302 and response["Location"] == "/companies/"
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get("/companies/").status_code == 200


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(
    "bad", ["WRONG", "", "12345", "1234567", "abcdef", "1" * 5000, "<script>", "' OR 1=1 --"]
)
def test_wrong_or_malformed_code_is_refused_with_a_clear_error(client, bad):
    user = new_funder_user()
    secret = enable_totp(user)
    sign_in(client, user)

    response = client.post(AUTHENTICATE, {"code": wrong_code(secret) if bad == "WRONG" else bad})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_code_error"' in html
    assert ("Incorrect code." in html) or ("This field is required." in html)
    assert re.search(r'<input[^>]*name="code"[^>]*aria-describedby="[^"]*id_code_error', html)
    assert_plain_page(html)
    assert not signed_in(client)
    assert client.get("/funding/grants/")["Location"].startswith("/accounts/login/")


@pytest.mark.usefixtures("english")
def test_guessing_codes_is_rate_limited(client):
    user = new_coordinator()
    secret = enable_totp(user)
    sign_in(client, user)
    for _ in range(5):
        client.post(AUTHENTICATE, {"code": wrong_code(secret)})
    # Even the right code is refused once the attempts are spent.
    response = client.post(AUTHENTICATE, {"code": current_code(secret)})
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert not signed_in(client)


def test_a_code_counts_once(client):
    user = new_coordinator()
    secret = enable_totp(user)
    code = current_code(secret)
    sign_in(client, user)
    client.post(AUTHENTICATE, {"code": code})
    assert signed_in(client)

    client.post("/accounts/logout/")
    sign_in(client, user)
    response = client.post(AUTHENTICATE, {"code": code})
    assert response.status_code == 200 and not signed_in(client)


def test_recovery_code_works_once(client):
    user = new_coordinator()
    enable_totp(user)
    first, second = enable_recovery_codes(user)[:2]

    sign_in(client, user)
    response = client.post(AUTHENTICATE, {"code": first})
    assert response.status_code == 302 and signed_in(client)
    assert client.get("/companies/").status_code == 200

    client.post("/accounts/logout/")
    sign_in(client, user)
    response = client.post(AUTHENTICATE, {"code": first})
    assert response.status_code == 200 and not signed_in(client)
    assert 'id="id_code_error"' in response.content.decode()

    response = client.post(AUTHENTICATE, {"code": second})
    assert response.status_code == 302 and signed_in(client)
    codes = Authenticator.objects.get(user=user, type="recovery_codes").wrap()
    assert len(codes.get_unused_codes()) == 8


def test_two_factor_pages_render_in_our_layout(client):
    user = new_coordinator()
    secret = enable_totp(user)
    enable_recovery_codes(user)
    sign_in(client, user)
    client.post(AUTHENTICATE, {"code": current_code(secret)})
    reauthenticate(client, "/accounts/2fa/")

    for path in [
        "/accounts/2fa/",
        "/accounts/2fa/recovery-codes/",
        "/accounts/2fa/totp/deactivate/",
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert_plain_page(html)
        assert 'class="account-nav"' in html


# --- The admin signs in through allauth ------------------------------------------------------


def test_admin_login_goes_through_allauth_and_the_second_factor(client):
    staff = UserFactory(email="admin@regiolab.example", is_staff=True, is_superuser=True)
    secret = enable_totp(staff)

    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"

    # The admin's own form cannot be used to skip the code.
    response = client.post(
        "/admin/login/?next=/admin/", {"username": staff.username, "password": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not signed_in(client)

    response = sign_in(client, staff, next_url="/admin/")
    assert response["Location"] == AUTHENTICATE and not signed_in(client)
    response = client.post(AUTHENTICATE, {"code": current_code(secret)})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_signed_in_non_staff_cannot_open_the_admin_login(client):
    client.force_login(CompanyMemberFactory().user)
    assert client.get("/admin/login/").status_code == 403


# --- Cost ----------------------------------------------------------------------------------


def _queries(client, path, django_assert_max_num_queries) -> int:
    with django_assert_max_num_queries(100) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx)


@pytest.mark.parametrize("role", ["coordinator", "representative"])
def test_enforcement_costs_at_most_one_query(client, settings, django_assert_max_num_queries, role):
    if role == "coordinator":
        user = new_coordinator()
        enable_totp(user)
        path = "/companies/"
    else:
        member = CompanyMemberFactory()
        user, path = member.user, f"/companies/{member.company_id}/"
    client.force_login(user)
    _queries(client, path, django_assert_max_num_queries)  # warm caches
    with_check = _queries(client, path, django_assert_max_num_queries)
    settings.MIDDLEWARE = [
        m for m in django_settings.MIDDLEWARE if m != "regiolab.mfa.RequireMFAMiddleware"
    ]
    without = _queries(client, path, django_assert_max_num_queries)
    allowed = 1 if role == "coordinator" else 0
    assert with_check - without <= allowed, (with_check, without)
