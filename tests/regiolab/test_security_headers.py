"""Security headers on real responses, and pages the Content-Security-Policy can allow as they are.

The policy forbids inline script and style ('unsafe-inline' is absent), so every page a role can
open is checked for inline <script>, <style>, style="" and on…="" handlers: one of them would be
blocked silently in the browser. Production's HSTS and HTTPS redirect are checked in a process
started with the production variables (the test settings are not production).
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from tests.factories import CompanyFactory, UserFactory
from tests.matrix_world import build_world
from tests.test_permission_matrix import ROLES, ROWS

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct-horse-battery"  # UserFactory's

EXPECTED_POLICY = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
    "base-uri": {"'self'"},
    "object-src": {"'none'"},
}


def policy_of(response) -> dict[str, set[str]]:
    header = response.headers["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = set(values)
    return directives


def assert_security_headers(response):
    policy = policy_of(response)
    assert policy == EXPECTED_POLICY, response.headers["Content-Security-Policy"]
    header = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    permissions = response.headers["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in permissions


@pytest.mark.parametrize(
    "path",
    ["/", "/workshops/", "/accounts/login/", "/admin/login/", "/no-such-page/", "/health/"],
)
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    assert response.status_code < 500
    assert_security_headers(response)


def test_static_files_carry_the_policy_too(client):
    # WhiteNoise answers before most middleware; these headers come from the outer ones.
    response = client.get("/static/css/site.css")
    assert response.status_code == 200
    assert policy_of(response) == EXPECTED_POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in response.headers["Permissions-Policy"]


def test_base_page_turns_off_htmx_inline_indicator_style(client):
    html = client.get("/").content.decode()
    match = re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", html)
    assert match, "htmx would inject an inline <style> the policy blocks"
    assert json.loads(match.group(1))["includeIndicatorStyles"] is False
    css = (ROOT / "static/css/site.css").read_text()
    assert ".htmx-request .htmx-indicator" in css


# --- No inline script or style on any page -----------------------------------------------------

INLINE = [
    # <script> without src, unless it is a JSON data block (not run, so allowed)
    (
        "inline script",
        re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I),
    ),
    ("inline <style>", re.compile(r"<style[\s>]", re.I)),
    ("style attribute", re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I)),
    ("event handler", re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)),
    ("javascript: URL", re.compile(r"(href|src|action)\s*=\s*[\"']\s*javascript:", re.I)),
]


def inline_code(html: str) -> list[str]:
    return [f"{what}: {m.group(0)[:120]}" for what, rx in INLINE for m in rx.finditer(html)]


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        '<div style="color:red">',
        '<button type="button" onclick="go()">',
        '<a href="javascript:go()">',
        "<style>p{}</style>",
    ],
)
def test_the_inline_code_check_finds_what_the_policy_blocks(html):
    assert inline_code(html)


def test_the_inline_code_check_passes_what_the_policy_allows():
    allowed = (
        '<script src="/static/js/htmx.min.js" defer></script>'
        '<script type="application/json" id="data">{"a": 1}</script>'
        '<img src="data:image/svg+xml;base64,AAAA" alt="">'
        '<p class="online">Only text about style="" and onclick=</p>'
    )
    assert inline_code(allowed) == []


def html_pages_of(role: str) -> list[str]:
    """Every GET page of the permission matrix that ``role`` may open."""
    index = ROLES.index(role)
    return [
        r.path
        for r in ROWS
        if r.method == "GET"
        and r.expect[index] == 200
        and not r.path.endswith((".pdf", ".ics", ".csv", ".xlsx"))
        and "download" not in r.path
    ]


def test_no_page_of_any_role_has_inline_script_style_or_handlers():
    world = build_world()
    findings = {}
    checked = 0
    for role in ROLES:
        client = Client()
        if world.users[role] is not None:
            client.force_login(world.users[role])
        for template in html_pages_of(role):
            path = template.format(**world.ids)
            response = client.get(path)
            assert response.status_code == 200, (role, path, response.status_code)
            if not response["Content-Type"].startswith("text/html"):
                continue
            checked += 1
            if found := inline_code(response.content.decode()):
                findings[f"{role} {path}"] = found
    assert checked > 60
    assert findings == {}


def test_admin_pages_have_no_inline_code(admin_client):
    company = CompanyFactory()
    findings = {}
    for path in (
        "/admin/",
        "/admin/companies/company/",
        f"/admin/companies/company/{company.pk}/change/",
        "/admin/companies/company/add/",
        "/admin/auth/user/",
        "/admin/auth/group/add/",
    ):
        response = admin_client.get(path)
        assert response.status_code == 200, path
        assert_security_headers(response)
        if found := inline_code(response.content.decode()):
            findings[path] = found
    assert findings == {}


def test_two_factor_activation_page_shows_the_qr_code_as_data_image(client):
    """allauth's TOTP page: the QR code is an <img src="data:…">, which img-src data: allows."""
    user = UserFactory()
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    client.post(
        "/accounts/reauthenticate/",
        {"password": PASSWORD, "next": "/accounts/2fa/totp/activate/"},
    )
    response = client.get("/accounts/2fa/totp/activate/")
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'<img src="data:image/svg\+xml', html)
    assert inline_code(html) == []
    assert "data:" in policy_of(response)["img-src"]


# --- Production: HSTS, HTTPS only, secure cookies ----------------------------------------------

PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
https = Client().get("/i18n/setlang/?next=/privacy/", HTTP_X_FORWARDED_PROTO="https")
http = Client().get("/privacy/", HTTP_X_FORWARDED_PROTO="http")
print(json.dumps({
    "https": [https.status_code, dict(https.headers)],
    "http": [http.status_code, http.headers.get("Location")],
    "cookies": [settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE,
                settings.SESSION_COOKIE_HTTPONLY],
}))
"""


def test_production_sends_hsts_and_redirects_plain_http_to_https():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_PRODUCTION="true",
        DJANGO_SECRET_KEY="x" * 20 + "a-long-random-production-secret-value-1234567890",
        DJANGO_ALLOWED_HOSTS="testserver",
        DATABASE_URL=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/regiolab"),
        REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        DJANGO_SETTINGS_MODULE="regiolab.settings",
        PYTHONPATH=str(ROOT),
    )
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    probe = json.loads(out.stdout.strip().splitlines()[-1])

    status, headers = probe["https"]
    assert status == 302
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert probe["http"] == [301, "https://testserver/privacy/"]
    assert probe["cookies"] == [True, True, True]


def test_development_sends_no_hsts(client):
    # HSTS on a plain-HTTP development server would lock the browser out of it for a year.
    assert not django_settings.SECURE_HSTS_SECONDS
    assert "Strict-Transport-Security" not in client.get("/").headers
