"""Accounts through django-allauth: sign-up with confirmation, login, password reset, limits,
language and the pages in our layout."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import translation

from regiolab.mail.models import OutboundEmail
from tests.factories import UserFactory

User = get_user_model()
PASSWORD = "Weiter-bilden-2025!"
CONFIRM_LINK = re.compile(r"http://testserver(/accounts/confirm-email/[^/\s]+/)")
RESET_LINK = re.compile(r"http://testserver(/accounts/password/reset/key/[^/\s]+/)")


@pytest.fixture(autouse=True)
def _german_after_test():
    yield
    translation.activate("de")


def signup_data(**overrides):
    data = {
        "first_name": "Erika",
        "last_name": "Mustermann",
        "email": "erika.mustermann@example.org",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    data.update(overrides)
    return data


def sign_up(client, capture, **overrides):
    with capture(execute=True):
        response = client.post("/accounts/signup/", signup_data(**overrides))
    return response


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def the_only_mail_to(address):
    sent = [m for m in mail.outbox if address in m.to]
    assert len(sent) == 1, [m.subject for m in mail.outbox]
    return sent[0]


# --- Sign-up and confirmation ------------------------------------------------------------


@pytest.mark.django_db
def test_signup_sends_one_confirmation_mail_through_the_outbox(
    client, django_capture_on_commit_callbacks
):
    response = sign_up(client, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = User.objects.get(email="erika.mustermann@example.org")
    assert (user.first_name, user.last_name) == ("Erika", "Mustermann")
    assert EmailAddress.objects.get(user=user).verified is False
    assert not logged_in(client)

    message = the_only_mail_to("erika.mustermann@example.org")
    assert message.subject.startswith("[regioLab] ")
    assert CONFIRM_LINK.search(message.body)
    assert "Guten Tag Erika Mustermann," in message.body  # German is the default
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert 'href="http://testserver/accounts/confirm-email/' in html
    row = OutboundEmail.objects.get(to="erika.mustermann@example.org")
    assert row.status == OutboundEmail.Status.SENT and row.attempts == 1


@pytest.mark.django_db
def test_nothing_is_sent_before_the_signup_transaction_commits(client):
    # Without running the on-commit callbacks the row waits in the outbox, unsent.
    client.post("/accounts/signup/", signup_data())
    assert mail.outbox == []
    assert OutboundEmail.objects.get().status == OutboundEmail.Status.PENDING


@pytest.mark.django_db
def test_login_is_refused_before_the_address_is_confirmed(
    client, django_capture_on_commit_callbacks
):
    sign_up(client, django_capture_on_commit_callbacks)
    client.logout()

    response = client.post(
        "/accounts/login/", {"login": "erika.mustermann@example.org", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert not logged_in(client)


@pytest.mark.django_db
def test_confirmation_link_shows_a_form_and_post_confirms_and_logs_in(
    client, django_capture_on_commit_callbacks
):
    sign_up(client, django_capture_on_commit_callbacks)
    path = CONFIRM_LINK.search(mail.outbox[0].body).group(1)

    page = client.get(path)
    html = page.content.decode()
    assert page.status_code == 200
    # The form's key is signed anew when the page renders, so its timestamp may be a second
    # later than the mailed one; the signed address (the key's first part) is the same.
    form = re.search(
        r'<form method="post" action="(/accounts/confirm-email/([^:/"]+):[^"]+/)"', html
    )
    assert form, html
    assert form.group(2) == path.split("/")[3].split(":")[0]
    assert EmailAddress.objects.get().verified is False  # GET alone confirms nothing

    response = client.post(path)

    assert response.status_code == 302
    assert EmailAddress.objects.get().verified is True
    assert logged_in(client)
    assert int(client.session["_auth_user_id"]) == User.objects.get().pk


@pytest.mark.django_db
def test_confirmed_user_can_log_in_with_email_and_password(client):
    user = UserFactory(email="petra@example.org")
    response = client.post(
        "/accounts/login/", {"login": "petra@example.org", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    assert int(client.session["_auth_user_id"]) == user.pk


@pytest.mark.django_db
def test_signup_with_a_taken_address_creates_no_second_user_and_mails_the_owner(
    client, django_capture_on_commit_callbacks
):
    UserFactory(email="erika.mustermann@example.org")
    response = sign_up(client, django_capture_on_commit_callbacks)

    # allauth prevents enumeration: the same answer as a fresh sign-up, but a hint by mail.
    assert response.status_code == 302
    assert User.objects.filter(email__iexact="erika.mustermann@example.org").count() == 1
    message = the_only_mail_to("erika.mustermann@example.org")
    assert "/accounts/password/reset/" in message.body


# --- Bad input on sign-up -------------------------------------------------------------


BAD_SIGNUPS = {
    "missing e-mail": ({"email": ""}, "email"),
    "malformed e-mail": ({"email": "erika@@example"}, "email"),
    "script in e-mail": ({"email": "<script>alert(1)</script>@example.org"}, "email"),
    "overlong e-mail": ({"email": "a" * 250 + "@x.de"}, "email"),
    "passwords differ": ({"password2": "Anderes-Passwort-99"}, "password2"),
    "common password": ({"password1": "password123", "password2": "password123"}, "password1"),
    "short password": ({"password1": "kurz", "password2": "kurz"}, "password1"),
    "missing first name": ({"first_name": ""}, "first_name"),
    "missing last name": ({"last_name": "   "}, "last_name"),
    "overlong first name": ({"first_name": "E" * 151}, "first_name"),
    "overlong last name": ({"last_name": "M" * 151}, "last_name"),
    "script in first name": ({"first_name": "<script>alert(1)</script>"}, "first_name"),
    "tag in last name": ({"last_name": 'Muster<img src=x onerror="alert(1)">'}, "last_name"),
    "formula in last name": ({"last_name": "=HYPERLINK(1)"}, "last_name"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("overrides,field", BAD_SIGNUPS.values(), ids=BAD_SIGNUPS.keys())
def test_bad_signup_input_shows_the_error_at_its_field_and_creates_no_user(
    client, django_capture_on_commit_callbacks, overrides, field
):
    response = sign_up(client, django_capture_on_commit_callbacks, **overrides)

    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    html = response.content.decode()
    # The error is rendered and tied to its input.
    assert f'id="id_{field}_error"' in html
    assert re.search(rf'<input[^>]*aria-describedby="[^"]*id_{field}_error[^"]*"', html)
    assert "<script>alert(1)</script>" not in html
    assert not User.objects.exists()
    assert mail.outbox == [] and not OutboundEmail.objects.exists()


# --- Password reset --------------------------------------------------------------------


@pytest.mark.django_db
def test_password_reset_mail_and_flow(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="petra@example.org", first_name="Petra", last_name="Schulze")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": "petra@example.org"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"
    assert client.get(response["Location"]).status_code == 200

    message = the_only_mail_to("petra@example.org")
    assert "Petra Schulze" in message.body
    assert [mimetype for _, mimetype in message.alternatives] == ["text/html"]
    key_path = RESET_LINK.search(message.body).group(1)

    # allauth moves the key into the session and redirects to a key-less address.
    form_page = client.get(key_path, follow=True)
    assert form_page.status_code == 200
    assert 'name="password1"' in form_page.content.decode()
    set_path = form_page.redirect_chain[-1][0]

    response = client.post(
        set_path, {"password1": "Neues-Passwort-2025", "password2": "Neues-Passwort-2025"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/key/done/"
    assert client.get(response["Location"]).status_code == 200
    user.refresh_from_db()
    assert user.check_password("Neues-Passwort-2025")

    # The used link is spent.
    spent = client.get(key_path, follow=True).content.decode()
    assert 'name="password1"' not in spent

    client.logout()
    client.post(
        "/accounts/login/", {"login": "petra@example.org", "password": "Neues-Passwort-2025"}
    )
    assert logged_in(client)


@pytest.mark.django_db
def test_password_reset_for_an_unknown_address_says_so_by_mail_only(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": "niemand@example.org"})
    # Same answer as for a known address (no enumeration) ...
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"
    # ... and the mail tells the owner of the address how to sign up.
    message = the_only_mail_to("niemand@example.org")
    assert "/accounts/signup/" in message.body
    assert not RESET_LINK.search(message.body)


@pytest.mark.django_db
@pytest.mark.parametrize("email", ["", "kein-at-zeichen", "<script>@x.de", "a" * 250 + "@x.de"])
def test_password_reset_bad_input(client, django_capture_on_commit_callbacks, email):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": email})
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert 'id="id_email_error"' in response.content.decode()
    assert mail.outbox == []


# --- Rate limits (Redis cache when REDIS_URL is set) -----------------------------------


@pytest.mark.django_db
def test_failed_logins_are_limited_per_address_then_per_ip_with_429(client, settings):
    UserFactory(email="petra@example.org")
    wrong = {"login": "petra@example.org", "password": "falsch-falsch"}

    for _ in range(5):
        response = client.post("/accounts/login/", wrong)
        assert response.status_code == 200
        assert not logged_in(client)

    # "5/5m/key": the sixth try for the address is refused even with the right password.
    response = client.post(
        "/accounts/login/", {"login": "petra@example.org", "password": "correct-horse-battery"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not logged_in(client)

    # "login" limit per IP: a burst of tries gets allauth's 429 in our layout.
    statuses = [
        client.post("/accounts/login/", {"login": f"x{i}@example.org", "password": "x"}).status_code
        for i in range(40)
    ]
    assert 429 in statuses
    first_429 = statuses.index(429)
    assert set(statuses[first_429:]) == {429}
    response = client.post("/accounts/login/", wrong)
    assert response.status_code == 429
    html = response.content.decode()
    assert html.count("<h1") == 1 and '<main id="main"' in html


# --- Language --------------------------------------------------------------------------


@pytest.mark.django_db
def test_account_pages_are_german_by_default_and_english_after_switching(client):
    html = client.get("/accounts/login/").content.decode()
    assert '<html lang="de">' in html
    assert "Anmelden" in html  # allauth's own German strings

    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    html = client.get("/accounts/login/").content.decode()
    assert '<html lang="en">' in html
    assert "Sign In" in html and "Anmelden" not in html

    html = client.get("/accounts/signup/").content.decode()
    assert "First name" in html and "Last name" in html


@pytest.mark.django_db
def test_confirmation_mail_is_written_in_the_language_of_the_page(
    client, django_capture_on_commit_callbacks
):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    sign_up(client, django_capture_on_commit_callbacks)
    body = the_only_mail_to("erika.mustermann@example.org").body
    assert "Hello Erika Mustermann," in body
    assert "thank you for signing up with regioLab" in body


# --- Pages in our layout ---------------------------------------------------------------


def assert_in_our_layout(html):
    assert html.count("<h1") == 1, re.findall(r"<h1.*?</h1>", html, re.S)
    for landmark in ("<header", "<nav", '<main id="main"', "<footer"):
        assert landmark in html
    assert 'href="#main"' in html
    assert "style=" not in html
    assert " onclick=" not in html and " onload=" not in html
    # Only our static scripts (htmx), no inline script blocks.
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []
    # Every visible input has a label.
    for input_id in re.findall(r'<input(?![^>]*type="hidden")[^>]*\bid="([^"]+)"', html):
        assert f'for="{input_id}"' in html, input_id


ANONYMOUS_PAGES = [
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/confirm-email/",
    "/accounts/password/reset/",
    "/accounts/password/reset/done/",
    "/accounts/password/reset/key/done/",
    "/accounts/password/reset/key/1-invalid/",
    "/accounts/confirm-email/invalid-key/",
]
MANAGE_PAGES = [
    "/accounts/email/",
    "/accounts/password/change/",
    "/accounts/logout/",
    "/accounts/2fa/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ANONYMOUS_PAGES)
def test_entrance_pages_use_our_layout(client, path):
    response = client.get(path, follow=True)
    assert response.status_code == 200
    assert_in_our_layout(response.content.decode())


@pytest.mark.django_db
@pytest.mark.parametrize("path", MANAGE_PAGES)
def test_account_management_pages_use_our_layout_with_account_navigation(client, path):
    client.force_login(UserFactory())
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert_in_our_layout(html)
    if path != "/accounts/logout/":
        assert 'class="account-nav"' in html
        assert 'aria-current="page"' in html


@pytest.mark.django_db
def test_login_errors_are_tied_to_the_form(client):
    UserFactory(email="petra@example.org")
    response = client.post("/accounts/login/", {"login": "petra@example.org", "password": "x"})
    html = response.content.decode()
    assert 'role="alert"' in html
    assert_in_our_layout(html)
    assert '<button type="submit"' in html


@pytest.mark.django_db
def test_email_page_lists_addresses_with_labelled_radios(client):
    user = UserFactory(email="petra@example.org")
    client.force_login(user)
    html = client.get("/accounts/email/").content.decode()
    assert "petra@example.org" in html
    assert re.search(r'<label for="email_radio_0">\s*<input type="radio" id="email_radio_0"', html)
    assert re.search(r'<button type="submit" class="danger" name="action_remove">', html)
    assert re.search(r'<button type="submit" class="secondary" name="action_send">', html)


@pytest.mark.django_db
def test_password_change_with_mismatch_shows_field_errors(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": "correct-horse-battery", "password1": PASSWORD, "password2": "anders-X-1"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_password2_error"' in html
    user.refresh_from_db()
    assert user.check_password("correct-horse-battery")


@pytest.mark.django_db
def test_logout_by_post(client):
    client.force_login(UserFactory())
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert not logged_in(client)


@pytest.mark.django_db
def test_confirm_and_reset_forms_reached_by_mail_use_our_layout(
    client, django_capture_on_commit_callbacks
):
    sign_up(client, django_capture_on_commit_callbacks)
    confirm_path = CONFIRM_LINK.search(mail.outbox[0].body).group(1)
    assert_in_our_layout(client.get(confirm_path).content.decode())

    UserFactory(email="petra@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": "petra@example.org"})
    reset_path = RESET_LINK.search(the_only_mail_to("petra@example.org").body).group(1)
    html = client.get(reset_path, follow=True).content.decode()
    assert 'name="password1"' in html
    assert_in_our_layout(html)


@pytest.mark.django_db
def test_two_factor_activation_after_reauthentication_uses_our_layout(client):
    user = UserFactory()
    client.force_login(user)
    response = client.get("/accounts/2fa/totp/activate/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/reauthenticate/")
    assert_in_our_layout(response.content.decode())

    client.post(
        "/accounts/reauthenticate/",
        {"password": "correct-horse-battery", "next": "/accounts/2fa/totp/activate/"},
    )
    html = client.get("/accounts/2fa/totp/activate/").content.decode()
    assert_in_our_layout(html)
    assert re.search(r'<img src="data:image/svg\+xml[^"]*" alt="[A-Z2-7]+" class="qr-code">', html)
    assert 'id="authenticator_secret"' in html and 'name="code"' in html

    response = client.post("/accounts/2fa/totp/activate/", {"code": "000000"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_code_error"' in html
    assert re.search(r'<input[^>]*name="code"[^>]*aria-describedby="[^"]*id_code_error', html)
    assert not user.authenticator_set.exists()
