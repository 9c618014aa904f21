"""Automated WCAG 2.1 AA check (axe-core) of every page, as every role, in headless Chromium.

Each role (visitor, company representative, coordinator, funder) signs in once (one browser
context per role) and opens every GET page the permission matrix (tests/test_permission_matrix.py)
lets it open, in the matrix's world (tests/matrix_world.py). On each page every POST form with a
required field is also sent back empty (the browser's own validation switched off), so the page
is scanned again with the errors shown; a few forms are sent with invalid values as well (wrong
password, a bad import file, shares not adding up to 100 %, a wrong authenticator code…). The
filtered lists, an htmx filter swap, the error pages and the allauth pages the matrix skips are
scanned too, and every HTML e-mail template is rendered through the real mail code and scanned.
Every page is also laid out at 320 CSS px (WCAG 1.4.10 Reflow, which axe does not check): only
a data table may make it scroll sideways.

axe-core comes from the axe-playwright-python package (no download) and runs the rules tagged
wcag2a, wcag2aa, wcag21a and wcag21aa, and axe's best practices (one h1, heading order,
landmarks). Any violation fails. A summary line is printed past
pytest's capture: "axe: scanned N pages, M violations".

test_every_html_page_is_scanned walks the URLconf: a GET page without a scan fails it, so a new
page is scanned as soon as it has its row in the permission matrix.
"""

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import axe_playwright_python
import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.models import Authenticator
from django.conf import settings as django_settings
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import Resolver404, get_resolver, resolve
from django.utils import timezone, translation
from playwright.sync_api import Error as PlaywrightError

from funding.models import FundingProgramme
from regiolab.mail import render_email
from regiolab.mail.models import OutboundEmail
from regiolab.pages.content import create_initial_pages
from regiolab.pages.models import SitePage, SitePageSection
from regiolab.pages.services import submit_accessibility_feedback
from tests import matrix_parts
from tests.factories import TopicFactory, UserFactory
from tests.matrix_world import ROLES as MATRIX_ROLES
from tests.matrix_world import build_world
from tests.support.mfa import code_for, enable_recovery_codes, enable_totp
from tests.test_permission_matrix import ROWS, SKIPPED_ROUTES, _all_routes
from workshops.models import Registration, Workshop

pytestmark = pytest.mark.e2e

AXE_SCRIPT = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
# WCAG 2.1 A/AA, plus axe's best practices: one h1, heading order, landmarks, unique landmark
# names, allowed ARIA roles (STYLE.md asks for them on every page).
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
# An e-mail client shows the subject as the message's heading; the body needs no h1 of its own.
EMAIL_AXE_OPTIONS = {**AXE_OPTIONS, "rules": {"page-has-heading-one": {"enabled": False}}}
PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's password
TEMPLATES = Path(django_settings.BASE_DIR) / "templates"

# The four roles of the portal, as the matrix world names them.
SCANNED_ROLES = ("anonymous", "rep_a", "coordinator", "funder")

# GET routes that answer no HTML page of their own, with the reason; besides these, routes
# ending in a file name (calendar.ics, export.csv, certificate.pdf…, see FILE_ROUTE). The PDFs'
# own accessibility (tagging, language, title) is tests/regiolab/test_pdf_tagging.py's.
NOT_HTML = {
    "health/": "JSON for the monitoring",
    "i18n/setlang/": "only redirects (the language switch is in every page's header)",
    "funding/reports/<int:pk>/download/": "PDF/XLSX (tests/regiolab/test_pdf_tagging.py)",
    "funding/expenditures/<int:pk>/receipt/": "the receipt's PDF or image as uploaded",
    "funding/reports/<int:pk>/status/": "htmx fragment, scanned within the reports page",
    "learning/reports/<int:pk>/download/": "PDF/XLSX (tests/learning/test_final_report.py)",
    "learning/reports/<int:pk>/status/": "htmx fragment, scanned within the results page",
    "accounts/2fa/recovery-codes/download/": "plain-text file",
    "accounts/login/code/confirm/": "login by code is not enabled",
    "learning/attachments/<int:pk>/": "a homework answer's file as uploaded",
}
ADMIN_PREFIX = "admin/"  # Django's own admin templates, not the portal's pages


@dataclass(frozen=True)
class Scan:
    """One page to open and scan. ``path`` may hold the world's {placeholders}."""

    path: str
    status: int = 200
    # Invalid values to send in the form holding the first of these fields (name → value;
    # a bytes value is uploaded as a file); the page must then show an error.
    invalid: dict = field(default_factory=dict, hash=False)
    label: str = ""
    # The page may redirect to another address of the same route (allauth moves the reset key
    # from the address into the session).
    redirects_within_route: bool = False
    # Send each POST form with a required field back empty and scan the errors.
    empty_forms: bool = True
    # Valid values to send in the form holding the first of these fields; the page it answers
    # with (a preview before sending) is scanned instead. No error may show.
    submit: dict = field(default_factory=dict, hash=False)
    # Afterwards sign in again on this page ("password" or "code"): allauth asks for a recent
    # login before the pages that manage the second factor.
    then_reauthenticate: str | None = None


def _bad_companies_csv() -> bytes:
    return (
        b"name;legal_form;postcode;city;sector;headcount\r\n"
        b";GmbH;3015;Hannover;ZZ;viele\r\n"  # no name, short postcode, unknown sector, text
    )


def _bad_expenditures_csv() -> bytes:
    return b"date;category;payee;purpose;amount;receipt_reference\n31.02.;nonsense;;;abc;\n"


# Pages the matrix does not open (or opens without the state worth scanning), per role.
EXTRA_SCANS = {
    "anonymous": [
        Scan("/workshops/?format=on_site&places_left=true&topic={topic}", label="filtered"),
        Scan("/workshops/?format=online&month=1900-01", label="filtered, no results"),
        Scan("/funding/programmes/?level=federal&open_only=true", label="filtered"),
        Scan("/workshops/no-such-workshop/", status=404),
        Scan(
            "/accounts/signup/",
            invalid={
                "email": "not-an-address",
                "password1": "kurz",
                "password2": "anders",
            },
            label="invalid values",
            empty_forms=False,
        ),
        Scan(
            "/accounts/login/",
            invalid={"login": "owner-a@alpha.example", "password": "wrong-password"},
            label="wrong password",
            empty_forms=False,
        ),
        Scan("/accounts/confirm-email/"),
        Scan("/accounts/confirm-email/{confirm_key}/"),
        Scan("/accounts/inactive/"),
        Scan("/accounts/password/reset/done/"),
        Scan("/accounts/password/reset/key/{reset_key}/", redirects_within_route=True),
        Scan(
            "/accounts/password/reset/key/{reset_key}/",
            invalid={"password1": "kurz", "password2": "anders"},
            label="invalid values",
            redirects_within_route=True,
            empty_forms=False,
        ),
        Scan("/accounts/password/reset/key/done/"),
        Scan(
            "/workshops/{W}/register/",
            invalid={"email": "kein-at-zeichen", "first_name": "x" * 300},
            label="invalid values",
            empty_forms=False,
        ),
    ],
    "rep_a": [
        Scan("/funding/programmes/", label="with the company's profile"),
        Scan("/funding/programmes/?size_class=small&sector=C", label="profile and filter"),
        Scan("/companies/", status=403),
        Scan("/accounts/reauthenticate/", then_reauthenticate="password"),
        Scan("/accounts/2fa/totp/activate/", invalid={"code": "000000"}, label="wrong code"),
    ],
    "coordinator": [
        # Learning programmes: a new programme with invalid values, the organisation search,
        # the preview of a moved learning workshop and its refusal.
        Scan(
            "/learning/new/",
            invalid={"title": "Lernen", "cycles": "13", "currency": "EURO", "start": ""},
            label="invalid values",
            empty_forms=False,
        ),
        Scan("/learning/{LP}/organisations/add/?q=Gamma", label="searched"),
        Scan(
            "/learning/{LP}/cycles/{LP_cycle}/workshop/",
            submit={"shift_later": "on"},
            label="preview",
            empty_forms=False,
        ),
        # A result section with an English text but no English title, and a title on two lines.
        Scan(
            "/learning/{LP}/results/new/",
            invalid={"title": "Zwei\nZeilen", "body": "Text", "body_en": "Text", "title_en": ""},
            label="invalid values",
            empty_forms=False,
        ),
        Scan("/companies/?q=Alpha&size_class=small&sector=C&ordering=-name", label="filtered"),
        Scan("/companies/?q=niemand", label="filtered, no results"),
        # Search: no hits, a query too short (its error), a list sorted by a column head.
        Scan("/search/?q=niemand", label="no hits"),
        Scan("/search/?q=x", label="too short"),
        Scan("/workshops/manage/?q=robotik&ordering=-title", label="searched and sorted"),
        Scan("/funding/grants/?ordering=-costs", label="sorted"),
        Scan("/workshops/?network={N_pk}&format=on_site", label="filtered"),
        # The previews before sending: invitations (recipients, skipped, the e-mail per
        # language) and a message to the participants.
        Scan(
            "/workshops/{W}/invitations/new/",
            submit={"emails": "gast@example.org\nowner-a@alpha.example\nkein-at-zeichen"},
            label="preview",
            empty_forms=False,
        ),
        Scan(
            "/workshops/{W}/participants/email/",
            submit={"subject": "Raumänderung", "text": "Wir treffen uns in Raum 2.\nBis bald!"},
            label="preview",
            empty_forms=False,
        ),
        Scan(
            "/companies/import/",
            invalid={"file": _bad_companies_csv()},
            label="bad file",
            empty_forms=False,
        ),
        Scan(
            "/funding/grants/{G}/expenditures/import/",
            invalid={"file": _bad_expenditures_csv()},
            label="bad file",
            empty_forms=False,
        ),
        Scan(
            "/funding/grants/{G}/expenditures/?category=material&payee=papier",
            label="filtered, with the sum",
        ),
        Scan("/funding/grants/{G}/expenditures/?year=1999", label="invalid filter"),
        Scan(
            "/funding/grants/{G}/expenditures/{receipt}/edit/",
            invalid={"receipt_file": b"<html>no receipt</html>"},
            label="receipt of the wrong kind",
            empty_forms=False,
        ),
        Scan(
            "/funding/grants/{G}/shares/",
            invalid={"shares-0-percent": "60", "shares-1-percent": "30"},
            label="shares not 100 %",
            empty_forms=False,
        ),
        Scan(
            "/funding/grants/new/",
            invalid={
                "reference": "ZUW-1",
                "title": "Ende vor Beginn",
                "start_date": "2027-01-01",
                "end_date": "2026-01-01",
                "total_eligible_costs": "-5",
            },
            label="end before start",
            empty_forms=False,
        ),
        Scan(
            "/workshops/new/",
            invalid={
                "title": "Falsch herum",
                "starts_at": "2030-01-02T10:00",
                "ends_at": "2030-01-01T10:00",
                "capacity": "-1",
            },
            label="end before start",
            empty_forms=False,
        ),  # fmt: skip
        # The learning cycle board: who has not reported (cycle 2), an invalid filter; the
        # findings filtered; a finding's form with a tag too long.
        Scan("/learning/{LP}/cycles/2/", label="who has not reported"),
        Scan("/learning/{LP}/cycles/{LP_cycle}/?tag=999999", label="invalid filter"),
        Scan("/learning/{LP}/findings/?cycle=1&section=obstacle", label="filtered"),
        Scan(
            "/learning/{LP}/findings/{LP_item}/",
            invalid={"new_tags": "x" * 61},
            label="tag too long",
            empty_forms=False,
        ),
    ],
    "funder": [
        Scan("/accounts/2fa/reauthenticate/", then_reauthenticate="code"),
        Scan("/accounts/2fa/recovery-codes/"),
        Scan("/accounts/2fa/recovery-codes/generate/"),
        Scan("/accounts/2fa/totp/deactivate/"),
    ],
}
# The newer apps' parts of the matrix (tests/matrix_parts/) add their own.
for _part in matrix_parts.PARTS:
    NOT_HTML.update(getattr(_part, "NOT_HTML", {}))
    for _role, _scans in getattr(_part, "EXTRA_SCANS", {}).items():
        EXTRA_SCANS.setdefault(_role, []).extend(Scan(**_scan) for _scan in _scans)


# --- the world ----------------------------------------------------------------------------------


def _second_factor_ready(user) -> None:
    """The world's coordinator and funder have an authenticator app (regiolab.mfa requires it);
    recovery codes too, so their pages have something to show."""
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        enable_totp(user)
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).exists():
        enable_recovery_codes(user)


def _build(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
    if not SitePage.objects.exists():
        # Their texts come from a data migration, which a transactional test before this flushed.
        create_initial_pages(SitePage, SitePageSection)
    world = build_world()
    for role in ("coordinator", "funder"):
        _second_factor_ready(world.users[role])
    topics = [TopicFactory(name_de="Robotik", name_en="Robotics"), TopicFactory()]
    workshop = Workshop.objects.get(slug=world.ids["W"])
    workshop.topics.add(*topics)
    fits = FundingProgramme.objects.create(
        name="Digital Jetzt",
        funding_body="Bundesministerium für Wirtschaft",
        level="federal",
        size_classes=["micro", "small"],
        sectors=["C"],
        funding_rate=Decimal(50),
        max_amount=Decimal(50000),
        deadline=timezone.localdate() + timedelta(days=90),
        url="https://digital-jetzt.example",
        description_de="Zuschüsse für Digitalisierung und Qualifizierung.",
    )
    fits.topics.add(topics[0])
    FundingProgramme.objects.create(
        name="Weiterbildung Region",
        funding_body="Region Hannover",
        level="region",
        size_classes=["large"],
        is_example=True,
    )
    unconfirmed = UserFactory(email="neu@example.org")
    address = unconfirmed.emailaddress_set.get()
    address.verified = False
    address.save(update_fields=["verified"])
    rep_b = world.users["rep_b"]
    world.ids.update(
        topic=topics[0].pk,
        N_pk=workshop.network_id,
        confirm_key=EmailConfirmationHMAC(address).key,
        reset_key=f"{user_pk_to_url_str(rep_b)}-{default_token_generator.make_token(rep_b)}",
    )
    return world


# --- what each role scans -----------------------------------------------------------------------


# A route that names a file (export.csv, template.<str:fmt>, export.json…) answers that file.
FILE_ROUTE = re.compile(r"\.[\w<>:]+$")


def _not_html(route: str) -> bool:
    return route in NOT_HTML or bool(FILE_ROUTE.search(route))


def _route(path: str) -> str | None:
    try:
        return resolve(urlsplit(path).path).route
    except Resolver404:
        return None


def _matrix_pages(role: str, world) -> list[tuple[str, str]]:
    """(path template, route key) of every HTML GET page the matrix lets ``role`` open."""
    index = MATRIX_ROLES.index(role)
    pages = {}
    for r in ROWS:
        if r.method != "GET" or r.expect[index] != 200:
            continue
        path = r.path.format(**world.ids)
        route = _route(path)
        if not (_not_html(route) or route.startswith(ADMIN_PREFIX)):
            pages.setdefault((route, urlsplit(path).query), r.path)
    return [(path, key) for key, path in pages.items()]


def _plan(role: str, world) -> list[Scan]:
    """Every GET page the matrix lets ``role`` open (one per route and query), then the extras.

    A page several roles open is scanned for each (navigation and actions differ), but its forms
    are sent back empty only by the first of them, in SCANNED_ROLES order: the error state is
    the same for all and scanning it again would only cost time."""
    earlier = set()
    for other in SCANNED_ROLES[: SCANNED_ROLES.index(role)]:
        earlier |= {key for _path, key in _matrix_pages(other, world)}
    scans = [Scan(path, empty_forms=key not in earlier) for path, key in _matrix_pages(role, world)]
    return scans + EXTRA_SCANS[role]


def _planned_routes(world) -> set[str]:
    routes = set()
    for role in SCANNED_ROLES:
        for scan in _plan(role, world):
            if scan.status == 200:
                routes.add(_route(scan.path.format(**world.ids)))
    routes.add(_route("/accounts/2fa/authenticate/"))  # test_scan_funder: the login's 2nd step
    routes.add(_route("/accounts/password/set/"))  # test_scan_rep_a: a user without password
    return routes


# --- scanning -----------------------------------------------------------------------------------

TALLY: dict = {
    "pages": Counter(),
    "violations": Counter(),
    "error_states": Counter(),  # pages scanned with a form's errors shown
    "reflowed": 0,  # pages checked at 320 px
    "found": defaultdict(list),
}


def _axe(page, role: str, label: str, options: dict = AXE_OPTIONS) -> list[str]:
    """Run axe on the page; returns one line per violation (rule, impact, elements)."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT)  # pages written by set_content have no init script run
    results = page.evaluate("options => axe.run(document, options)", options)
    lines = []
    for violation in results["violations"]:
        targets = "; ".join(
            f"{' '.join(node['target'])} {node['html'][:120]}" for node in violation["nodes"][:5]
        )
        lines.append(
            f"[{role}] {label}: {violation['id']} ({violation['impact']}): {violation['help']}"
            f" — {len(violation['nodes'])}× {targets}"
        )
    TALLY["pages"][role] += 1
    TALLY["violations"][role] += len(lines)
    TALLY["found"][role].extend(lines)
    return lines


# Session-scoped: pytest-django runs this module's transactional tests after the others, so a
# module fixture would be set up (and print) twice.
@pytest.fixture(scope="session", autouse=True)
def _summary(pytestconfig):
    yield
    pages, violations = TALLY["pages"], TALLY["violations"]
    if not pages:
        return
    per_role = ", ".join(f"{role} {pages[role]}" for role in (*SCANNED_ROLES, "e-mail"))
    line = (
        f"axe: scanned {sum(pages.values())} pages, {sum(violations.values())} violations "
        f"({per_role}; {sum(TALLY['error_states'].values())} with form errors shown); "
        f"reflow checked at 320 px on {TALLY['reflowed']} pages"
    )
    if hasattr(pytestconfig, "workeroutput"):  # an xdist worker: the controller prints it
        pytestconfig.workeroutput["summary_lines"] = [line]
        return
    capture = pytestconfig.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print(f"\n{line}")


def _context(browser, live_server, user=None):
    context = browser.new_context(
        base_url=live_server.url, locale="de-DE", timezone_id="Europe/Berlin", viewport=WIDE
    )
    context.set_default_timeout(15_000)
    # axe-core in every page as it loads (Playwright injects it, the page's CSP does not apply).
    context.add_init_script(script=AXE_SCRIPT)
    if user is not None:
        client = Client()
        client.force_login(user)
        session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [
                {
                    "name": django_settings.SESSION_COOKIE_NAME,
                    "value": session,
                    "url": live_server.url,
                }
            ]
        )
    return context


_SUBMIT_FORM = """([index, values]) => {
  const form = document.querySelectorAll('main form')[index];
  for (const element of form.elements) {
    if (!(element.name in values)) continue;
    const value = values[element.name];
    if (element.type === 'checkbox' || element.type === 'radio') element.checked = Boolean(value);
    else if (element.type !== 'file') element.value = value;
  }
  form.noValidate = true;
  const submitter = form.querySelector('button:not([type]), button[type=submit], input[type=submit]');
  form.requestSubmit(submitter);
}"""

# POST forms in main with a visible required field: index and the names of those fields.
_FORMS_TO_EMPTY = """() => [...document.querySelectorAll('main form')].map((form, index) => {
  if ((form.getAttribute('method') || '').toLowerCase() !== 'post') return null;
  const required = [...form.elements].filter(
    e => e.required && e.type !== 'hidden' && e.type !== 'file' && e.offsetParent !== null);
  return required.length ? [index, required.map(e => e.name)] : null;
}).filter(Boolean)"""

_FORM_INDEX = """(names) => [...document.querySelectorAll('main form')].findIndex(
  form => names.every(name => form.elements[name] !== undefined))"""


def _submit(page, index: int, values: dict) -> None:
    files = {name: value for name, value in values.items() if isinstance(value, bytes)}
    for name, content in files.items():
        page.locator("main form").nth(index).locator(f"[name='{name}']").set_input_files(
            {"name": "upload.csv", "mimeType": "text/csv", "buffer": content}
        )
    texts = {name: value for name, value in values.items() if name not in files}
    with page.expect_navigation(wait_until="load"):
        page.evaluate(_SUBMIT_FORM, [index, texts])


def _shows_errors(page) -> bool:
    return (
        page.locator(
            "main [aria-invalid='true'], main .errorlist, main .form-errors, main [role=alert]"
        ).count()
        > 0
    )


def _open(page, url: str, scan: Scan, label: str, problems: list[str]):
    try:
        response = page.goto(url)
    except PlaywrightError as exc:
        if "Download is starting" not in str(exc):
            raise
        problems.append(f"{label}: a download, not a page (add its route to NOT_HTML)")
        return False
    if response is None or response.status != scan.status:
        problems.append(f"{label}: answered {response and response.status}, not {scan.status}")
        return False
    if "text/html" not in response.headers.get("content-type", ""):
        problems.append(f"{label}: not an HTML page ({response.headers.get('content-type')})")
        return False
    landed = urlsplit(page.url).path
    redirected = landed != urlsplit(url).path
    if (
        scan.status == 200
        and redirected
        and not (scan.redirects_within_route and _route(landed) == _route(url))
    ):
        problems.append(f"{label}: redirected to {landed}")
        return False
    return True


def _scan_pages(page, role: str, world, scans, live_server) -> list[str]:
    problems: list[str] = []
    for scan in scans:
        url = live_server.url + scan.path.format(**world.ids)
        label = f"{scan.path}{f' ({scan.label})' if scan.label else ''}"
        if not _open(page, url, scan, label, problems):
            continue
        if scan.invalid:
            index = page.evaluate(_FORM_INDEX, list(scan.invalid))
            assert index >= 0, f"{label}: no form with the fields {list(scan.invalid)}"
            _submit(page, index, scan.invalid)
            if not _shows_errors(page):
                problems.append(f"{label}: no error shown after sending invalid values")
            TALLY["error_states"][role] += 1
        if scan.submit:
            index = page.evaluate(_FORM_INDEX, list(scan.submit))
            assert index >= 0, f"{label}: no form with the fields {list(scan.submit)}"
            _submit(page, index, scan.submit)
            if _shows_errors(page):
                problems.append(f"{label}: an error shown after sending valid values")
        problems.extend(_axe(page, role, label))
        problems.extend(_reflow(page, f"[{role}] {label}"))
        if scan.empty_forms and scan.status == 200:
            forms = page.evaluate(_FORMS_TO_EMPTY)
            for number, (index, names) in enumerate(forms[:3]):
                if number:
                    page.goto(url)
                _submit(page, index, dict.fromkeys(names, ""))
                form_label = f"{label} (form {index + 1} sent empty)"
                if not _shows_errors(page):
                    problems.append(f"{form_label}: no error shown")
                TALLY["error_states"][role] += 1
                problems.extend(_axe(page, role, form_label))
        if scan.then_reauthenticate:
            _reauthenticate(page, url, world.users[role], scan.then_reauthenticate)
    return problems


def _reauthenticate(page, url: str, user, method: str) -> None:
    page.goto(url)
    values = {"password": PASSWORD} if method == "password" else {"code": code_for(user)}
    _submit(page, page.evaluate(_FORM_INDEX, list(values)), values)
    assert urlsplit(page.url).path != urlsplit(url).path, f"{url}: reauthentication failed"


WIDE = {"width": 1280, "height": 720}
NARROW = {"width": 320, "height": 640}  # WCAG 1.4.10: 1280 px at 400 % zoom

# Wider than the screen? Data tables may scroll (1.4.10's exception for two-dimensional
# content); anything else is named by its innermost overflowing elements.
_OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = box => box.getBoundingClientRect().right > width + 1;
  if (document.documentElement.scrollWidth <= width + 1) return null;
  if ([...document.querySelectorAll('main table')].some(wide)) return null;
  const culprits = [...document.querySelectorAll('body *')]
    .filter(e => wide(e) && ![...e.children].some(wide))
    .slice(0, 3).map(e => e.outerHTML.slice(0, 100));
  return `${document.documentElement.scrollWidth} px wide: ${culprits.join(' | ') || 'text'}`;
}"""


def _reflow(page, label: str) -> list[str]:
    """At 320 CSS px the page must not scroll sideways."""
    page.set_viewport_size(NARROW)
    try:
        overflow = page.evaluate(_OVERFLOW)
    finally:
        page.set_viewport_size(WIDE)
    TALLY["reflowed"] += 1
    return [f"{label}: does not reflow at 320 px (WCAG 1.4.10), {overflow}"] if overflow else []


def _report(problems: list[str]) -> str:
    return f"{len(problems)} problems:\n" + "\n".join(problems)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", ["anonymous", "rep_a", "coordinator", "funder"])
def test_scan(role, browser, live_server, settings, tmp_path):
    world = _build(settings, tmp_path)
    context = _context(browser, live_server, world.users[role])
    page = context.new_page()
    try:
        problems = _scan_pages(page, role, world, _plan(role, world), live_server)
        problems += EXTRA_STEPS[role](browser, live_server, world, page)
    finally:
        context.close()
    assert not problems, _report(problems)


# --- what only a flow reaches -------------------------------------------------------------------


def _error_pages(browser, live_server, world, page) -> list[str]:
    """The 500 page (rendered without a request, as Django's handler does) and allauth's 429."""
    problems = []
    request = RequestFactory().get("/accounts/login/")
    request.user = AnonymousUser()
    for name, html in (
        ("500.html", render_to_string("500.html")),
        ("429.html", render_to_string("429.html", request=request)),
    ):
        page.goto(live_server.url + "/")  # so the page's stylesheet loads from the live server
        page.set_content(html)
        problems += _axe(page, "anonymous", name)
    # The htmx filter swaps the result list in place: scan the page as it then stands.
    assert page.goto(live_server.url + "/workshops/").status == 200
    with page.expect_response(re.compile(r"/workshops/\?.*format=online")):
        page.select_option("main select[name=format]", "online")
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-settling')")
    problems += _axe(page, "anonymous", "/workshops/ (after an htmx filter swap)")
    return problems


def _passwordless(browser, live_server, world, page) -> list[str]:
    """/accounts/password/set/ only opens for an account without a password."""
    user = UserFactory(email="ohne-passwort@example.org")
    user.set_unusable_password()
    user.save()
    context = _context(browser, live_server, user)
    try:
        return _scan_pages(
            context.new_page(), "rep_a", world, [Scan("/accounts/password/set/")], live_server
        )
    finally:
        context.close()


def _second_factor(browser, live_server, world, page) -> list[str]:
    """A funder's login stops at the authenticator code: scan that step, then a wrong code."""
    funder = world.users["funder"]
    context = _context(browser, live_server)
    try:
        login = context.new_page()
        login.goto(live_server.url + "/accounts/login/")
        login.fill("input[name=login]", funder.email)
        login.fill("input[name=password]", PASSWORD)
        with login.expect_navigation():
            login.press("input[name=password]", "Enter")
        assert urlsplit(login.url).path == "/accounts/2fa/authenticate/", login.url
        problems = _axe(login, "funder", "/accounts/2fa/authenticate/")
        _submit(login, login.evaluate(_FORM_INDEX, ["code"]), {"code": "000000"})
        if not _shows_errors(login):
            problems.append("/accounts/2fa/authenticate/: no error for a wrong code")
        TALLY["error_states"]["funder"] += 1
        return problems + _axe(login, "funder", "/accounts/2fa/authenticate/ (wrong code)")
    finally:
        context.close()


def _participant_actions(browser, live_server, world, page) -> list[str]:
    """The participants page's steps a POST reaches: the bulk cancellation's confirmation (rows
    ticked by keyboard, "select all" by the script), the move's confirmation, a full workshop's
    walk-in refused without the over-capacity choice."""
    problems = []
    participants = f"{live_server.url}/workshops/{world.ids['W']}/participants/"
    page.goto(participants)
    select_all = page.locator("input[data-select-all='confirmed']")
    if not select_all.is_visible():
        problems.append("participants: the 'select all' checkbox is not shown")
    select_all.focus()
    page.keyboard.press("Space")
    if not page.locator("input[name=registrations][data-group='confirmed']").first.is_checked():
        problems.append("participants: 'select all' by keyboard ticked nothing")
    problems += _axe(page, "coordinator", "participants (rows selected)")
    with page.expect_navigation(wait_until="load"):
        page.locator("button[name=action][value=cancel]").click()
    problems += _axe(page, "coordinator", "participants bulk cancel (confirmation)")
    problems += _reflow(page, "[coordinator] participants bulk cancel (confirmation)")

    page.goto(f"{participants}{world.ids['reg_a']}/move/")
    page.select_option("select[name=to_workshop]", str(world.ids["move_target"]))
    with page.expect_navigation(wait_until="load"):
        page.locator("main form button[type=submit]").click()
    problems += _axe(page, "coordinator", "participant move (confirmation)")
    problems += _reflow(page, "[coordinator] participant move (confirmation)")

    Workshop.objects.filter(slug=world.ids["W"]).update(capacity=1)
    page.goto(f"{participants}add/")
    values = {"first_name": "Tina", "last_name": "Tür", "email": "tina@example.org"}
    _submit(page, page.evaluate(_FORM_INDEX, list(values)), values)
    if not _shows_errors(page):
        problems.append("participant add: a full workshop took a walk-in without the choice")
    problems += _axe(page, "coordinator", "participant add (full, over capacity not chosen)")
    return problems


EXTRA_STEPS = {
    "anonymous": _error_pages,
    "rep_a": _passwordless,
    "coordinator": _participant_actions,
    "funder": _second_factor,
}


# --- e-mails ------------------------------------------------------------------------------------

APP_EMAILS = sorted(
    path.stem
    for path in (TEMPLATES / "email").glob("*.html")
    # base and includes (an include's name starts with "_")
    if path.stem not in {"base_email", "registration_details"} and not path.stem.startswith("_")
)
ALLAUTH_EMAILS = sorted(
    path.stem.removesuffix("_message")
    for path in (TEMPLATES / "account" / "email").glob("*_message.html")
    if path.stem != "base_message"
)


def _email_context(world) -> dict:
    """What the services give these templates (workshops, companies, networks, funding, the
    accessibility feedback)."""
    from companies.models import Company
    from funding.models import ProgressReport
    from learning.models import LearningProgramme
    from networks.models import NetworkMembership
    from workshops.lifecycle import checkin_codes

    site = django_settings.SITE_URL.rstrip("/")
    registration = Registration.objects.select_related("workshop", "company").get(
        pk=world.ids["reg_a"]
    )
    membership = NetworkMembership.objects.select_related("network", "company").get(
        pk=world.ids["member_a"]
    )
    feedback = submit_accessibility_feedback(
        name="Petra Prüfer",
        email="petra@example.org",
        page_url="/workshops/",
        message="Der Filter ist mit dem Screenreader schwer zu bedienen.",
        language="de",
    )
    return {
        "feedback": feedback,
        "registration": registration,
        "workshop": registration.workshop,
        "cancel_url": f"{site}/registrations/{registration.cancel_token}/cancel/",
        "workshop_url": site + registration.workshop.get_absolute_url(),
        "certificate_url": f"{site}/registrations/{registration.cancel_token}/certificate.pdf",
        "position": 2,
        "checkin_code": checkin_codes.checkin_code(registration),
        "registration_page_url": f"{site}/registrations/{registration.cancel_token}/",
        "checkin_qr_filename": checkin_codes.QR_FILENAME,
        "company": Company.objects.get(pk=world.ids["A"]),
        "person": "Anna Alpha",
        "person_email": "anna@alpha.example",
        "members_url": f"{site}/companies/{world.ids['A']}/members/",
        "company_url": f"{site}/companies/mine/",
        "pitch_day_url": f"{site}/challenges/pitch-call/pitch-day/",
        "inviter": "Olga Owner",
        "accept_url": f"{site}/companies/invitations/{world.ids['company_invitation']}/",
        "valid_days": 14,
        "network": membership.network,
        "membership": membership,
        "recipient": world.users["rep_a"],
        "network_url": f"{site}/networks/{membership.network.slug}/",
        "networks_url": f"{site}/networks/",
        "dashboard_url": f"{site}/networks/{membership.network.slug}/dashboard/",
        "report": ProgressReport.objects.select_related("grant").get(pk=world.ids["report"]),
        "reports_url": f"{site}/funding/grants/{world.ids['G']}/reports/",
        "invitation_url": site + registration.workshop.get_absolute_url(),
        "register_url": site + registration.workshop.get_absolute_url() + "register/",
        "subject": "Raumänderung",
        "message_text": "Wir treffen uns in Raum 2.\nBis bald!",
        # learning: the final report's e-mail (its report is a ready ProgressReport above)
        "programme": LearningProgramme.objects.get(slug=world.ids["LP"]),
        "results_url": f"{site}/learning/{world.ids['LP']}/results/",
        # learning: the cycle board's reminder to an organisation that has not reported
        "report_url": f"{site}/learning/{world.ids['LP']}/cycles/1/report/",
        "programme_url": f"{site}/learning/{world.ids['LP']}/",
        **_learning_homework_email_context(world, site),
    }


def _learning_homework_email_context(world, site: str) -> dict:
    """What learning.homework.services gives its e-mails (task reminder, returned answer)."""
    from learning.models import TaskSubmission

    submission = TaskSubmission.objects.select_related("task__cycle__programme").get(
        pk=world.ids["LP_submission"]
    )
    submission.feedback = "Bitte ergänzen Sie die Zahlen."
    task = submission.task
    return {
        "task": task,
        "submission": submission,
        "programme": task.cycle.programme,
        "task_url": f"{site}/learning/{world.ids['LP']}/cycles/1/tasks/{task.pk}/",
        "days_left": 7,
    }


def _allauth_emails(world) -> dict[str, str]:
    """allauth's e-mails through its real flows (they land in the outbox): template → HTML."""
    client = Client()
    sent = {}

    def capture(template, action):
        before = set(OutboundEmail.objects.values_list("pk", flat=True))
        action()
        new = OutboundEmail.objects.exclude(pk__in=before).order_by("pk")
        assert new, f"{template}: no e-mail sent"
        sent[template] = new.last().body_html

    signup = {"email": "neu-im-portal@example.org", "password1": "Fräse-Drehbank-2031"}
    signup["password2"] = signup["password1"]
    signup.update(first_name="Nina", last_name="Neu")
    capture("email_confirmation_signup", lambda: client.post("/accounts/signup/", signup))
    existing = {**signup, "email": world.users["rep_a"].email}
    capture("account_already_exists", lambda: client.post("/accounts/signup/", existing))
    capture(
        "password_reset_key",
        lambda: client.post("/accounts/password/reset/", {"email": world.users["rep_b"].email}),
    )
    capture(
        "unknown_account",
        lambda: client.post("/accounts/password/reset/", {"email": "niemand@example.org"}),
    )
    client.force_login(world.users["rep_a"])
    capture(
        "email_confirmation",
        lambda: client.post(
            "/accounts/email/", {"action_add": "", "email": "zweite@alpha.example"}
        ),
    )
    return sent


@pytest.mark.django_db
def test_scan_emails(browser, settings, tmp_path):
    """Every HTML e-mail: the portal's through regiolab.mail.render_email in German and English,
    allauth's through its real flows (sign-up, password reset, a second address)."""
    world = _build(settings, tmp_path)
    settings.SITE_URL = "https://regiolab.example"
    context = browser.new_context(locale="de-DE")
    page = context.new_page()
    problems = []
    try:
        email_context = _email_context(world)
        for template in APP_EMAILS:
            for language in ("de", "en"):
                _subject, _text, html = render_email(template, email_context, language)
                page.set_content(html)
                assert page.locator("html").get_attribute("lang") == language, template
                problems += _axe(
                    page, "e-mail", f"email/{template}.html [{language}]", EMAIL_AXE_OPTIONS
                )
        allauth = _allauth_emails(world)
        assert sorted(allauth) == ALLAUTH_EMAILS, "an allauth e-mail template is not scanned"
        for template, html in allauth.items():
            assert html, f"{template}: no HTML part"
            page.set_content(html)
            problems += _axe(
                page, "e-mail", f"account/email/{template}_message.html", EMAIL_AXE_OPTIONS
            )
    finally:
        context.close()
        translation.activate(django_settings.LANGUAGE_CODE)
    assert not problems, _report(problems)


# --- coverage -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_html_page_is_scanned(settings, tmp_path):
    """Every GET route of the URLconf that answers an HTML page is scanned for at least one
    role; a route the matrix does not know yet fails here too, so it cannot slip past."""
    world = _build(settings, tmp_path)
    routes = {r for r in _all_routes(get_resolver().url_patterns) if not r.startswith(ADMIN_PREFIX)}
    in_matrix = {_route(r.path.format(**world.ids)) for r in ROWS}
    unknown = routes - in_matrix - set(SKIPPED_ROUTES) - set(NOT_HTML)
    assert not unknown, f"routes without a permission-matrix row (so not scanned): {unknown}"
    get_pages = {
        _route(r.path.format(**world.ids)) for r in ROWS if r.method == "GET" and 200 in r.expect
    } | set(SKIPPED_ROUTES)
    missing = {r for r in get_pages if not _not_html(r)} - _planned_routes(world)
    assert not missing, f"GET pages no role scans: {sorted(missing)}"
    assert not set(NOT_HTML) - routes, "NOT_HTML names a route that no longer exists"


def test_axe_finds_violations(browser):
    """The scanner itself works: a page with known faults is not passed as clean."""
    context = browser.new_context()
    page = context.new_page()
    try:
        page.set_content(
            "<html><head><title>Kaputt</title></head><body><main>"
            "<img src='data:,'><input id='a'><a href='/'></a>"
            "<p class='pale'>blass</p></main></body></html>"
        )
        page.add_style_tag(content=".pale { color: #eee; background: #fff; }")
        page.evaluate(AXE_SCRIPT)
        results = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    finally:
        context.close()
    found = {violation["id"] for violation in results["violations"]}
    assert {"html-has-lang", "image-alt", "label", "link-name", "color-contrast"} <= found, found


# Surveys, answering (S2): the answer form with its error summary, a closed link's page.
EXTRA_SCANS["anonymous"] += [
    Scan("/s/{S_token}/", invalid={"rolle": ""}, label="errors"),
    Scan("/s/{S_token}/?lang=en", label="English"),
    Scan("/s/{S_closed_token}/", status=410),
]
EXTRA_SCANS["rep_a"] += [
    Scan("/surveys/{S_needs}/answer/", invalid={"format": ""}, label="errors"),
]
