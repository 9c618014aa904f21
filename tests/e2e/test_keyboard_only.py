"""The main ways through the portal with the keyboard alone (WCAG 2.1.1, 2.4.3, 2.4.7).

Only Tab, Enter, Space and typing (``page.keyboard``): no mouse, no element.click(),
no fill(). Following a link from an e-mail is done by its address, as a mail client would. After
every Tab the element that has the focus must show a focus indicator (a computed outline or box
shadow) and must be on screen.

- A visitor signs up, confirms the address from the e-mail, registers for a workshop and cancels
  by the e-mail's link.
- A funder signs in with password and authenticator code and downloads a progress report (PDF).
"""

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from pypdf import PdfReader

from funding import services as funding_services
from funding.models import Grant, ProgressReport
from funding.services import ShareInput, set_cofinancing_shares
from tests.factories import FunderFactory, UserFactory, WorkshopFactory
from tests.support.mfa import code_for, enable_totp
from workshops.models import Registration

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser_context_args(locale="en-GB"),
]

EMAIL = "jana.becker@drehteile-example.de"
PASSWORD = "Kugellager-Feinguss-2031"
LINK = r"https?://\S+{path}"
MAX_TABS = 80

# What has the focus, and how it shows: read from the computed style after every key press.
_FOCUSED = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) return null;
  const style = getComputedStyle(element);
  const box = element.getBoundingClientRect();
  return {
    tag: element.tagName.toLowerCase(),
    type: element.type || '',
    name: element.name || '',
    text: (element.innerText || element.value || element.getAttribute('aria-label') || '').trim(),
    href: element.getAttribute('href') || '',
    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
    shadow: style.boxShadow !== 'none',
    onScreen: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0
      && box.top < window.innerHeight && box.left < window.innerWidth,
  };
}"""


@pytest.fixture(autouse=True)
def _short_timeouts(page):
    page.set_default_timeout(10_000)


def _focused(page) -> dict | None:
    return page.evaluate(_FOCUSED)


def _press_tab(page) -> dict:
    page.keyboard.press("Tab")
    focused = _focused(page)
    assert focused is not None, "Tab left the focus nowhere (on the body)"
    label = focused["text"][:40] or focused["name"] or focused["href"]
    assert focused["outline"] or focused["shadow"], (
        f"no visible focus on <{focused['tag']}> {label}"
    )
    assert focused["onScreen"], f"the focused <{focused['tag']}> {label} is off screen"
    return focused


def _tab_to(page, matches, what: str) -> dict:
    """Press Tab until the focused element ``matches``."""
    for _press in range(MAX_TABS):
        focused = _press_tab(page)
        if matches(focused):
            return focused
    raise AssertionError(f"{what} not reached with {MAX_TABS} presses of Tab")


def _link(text: str):
    return lambda f: f["tag"] == "a" and re.fullmatch(text, f["text"], re.IGNORECASE)


def _button(text: str):
    return lambda f: f["tag"] == "button" and re.fullmatch(text, f["text"], re.IGNORECASE)


def _field(name: str):
    return lambda f: f["name"] == name and f["tag"] in ("input", "select", "textarea")


def _activate(page, matches, what: str, key: str = "Enter") -> None:
    """Tab to a link or button and press Enter (or Space); waits for the next page."""
    _tab_to(page, matches, what)
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press(key)


def _type_into(page, name: str, text: str) -> None:
    _tab_to(page, _field(name), f"the field {name!r}")
    # Tab selects a field's text, so typing replaces what a signed-in user finds pre-filled.
    page.keyboard.type(text)


def _tick(page, name: str) -> None:
    _tab_to(page, _field(name), f"the checkbox {name!r}")
    page.keyboard.press("Space")
    assert page.evaluate("() => document.activeElement.checked"), f"{name} not ticked"


def _heading(page) -> str:
    return page.locator("h1").inner_text()


def _link_in(message, path: str) -> str:
    match = re.search(LINK.format(path=path), message.body)
    assert match, message.body
    return match.group(0)


def _skip_link_first(page) -> None:
    """The first Tab on a page reaches the skip link, shown while it has the focus."""
    focused = _press_tab(page)
    assert focused["href"] == "#main", focused


def test_visitor_signs_up_registers_and_cancels_with_the_keyboard(page, live_url):
    workshop = WorkshopFactory(
        title="Cobots im Mittelstand", title_en="Cobots for SMEs", slug="cobots", capacity=5
    )

    # Sign up: from the start page through the main navigation.
    page.goto(live_url + "/")
    _skip_link_first(page)
    _activate(page, _link("Sign up"), "the sign-up link")
    assert re.search("sign up", _heading(page), re.I)
    _type_into(page, "first_name", "Jana")
    _type_into(page, "last_name", "Becker")
    _type_into(page, "email", EMAIL)
    _type_into(page, "password1", PASSWORD)
    _type_into(page, "password2", PASSWORD)
    for name in page.evaluate(
        "() => [...document.querySelectorAll('main form input[type=checkbox][required]')]"
        ".map(box => box.name)"
    ):  # consents the form may ask for
        _tick(page, name)
    _activate(page, _button("sign up"), "the sign-up button")
    assert re.search("verify your e-?mail", _heading(page), re.I), _heading(page)

    # Confirm the address by the e-mail's link; the confirmation page's button by keyboard.
    [confirmation] = [m for m in mail.outbox if EMAIL in m.to]
    page.goto(_link_in(confirmation, r"/accounts/confirm-email/\S+/"))
    _activate(page, _button("confirm"), "the confirm button")
    assert page.locator("nav").get_by_role("button", name="Log out").count() == 1

    # Register for the workshop: list, workshop, registration form.
    _activate(page, _link("Workshops"), "the workshops link")
    _activate(page, _link(re.escape(workshop.title_en)), "the workshop")
    assert _heading(page) == workshop.title_en
    _activate(page, _link("Register"), "the register link")
    _type_into(page, "first_name", "Jana")
    _type_into(page, "last_name", "Becker")
    _type_into(page, "email", EMAIL)
    _tick(page, "consent")
    _activate(page, _button(r"register.*"), "the register button")
    registration = Registration.objects.get(workshop=workshop, email=EMAIL)
    assert registration.status == Registration.Status.CONFIRMED
    assert (registration.first_name, registration.last_name) == ("Jana", "Becker")

    # Cancel by the link in the confirmation e-mail, with Space on the page's button.
    [confirmed] = [m for m in mail.outbox if EMAIL in m.to and workshop.title_en in m.subject]
    page.goto(_link_in(confirmed, r"/registrations/[\w-]+/cancel/"))
    _activate(page, _button("yes, cancel my registration"), "the cancel button", key="Space")
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED


@pytest.fixture
def funder_and_report(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
    ministry = FunderFactory(name="Bundesministerium für Bildung", level="federal")
    funder = UserFactory(email="referat@bmbf.example", password=PASSWORD)
    ministry.users.add(funder)
    enable_totp(funder)
    coordinator = UserFactory(email="koordination@regiolab.example")
    grant = Grant.objects.create(
        reference="FKZ 01PV26001",
        title="Weiterbildungsverbünde Region Hannover",
        start_date=date(2026, 1, 1),
        end_date=date(2027, 12, 31),
        total_eligible_costs=Decimal("986000.01"),
        report_language="en",
    )
    set_cofinancing_shares(
        grant=grant,
        shares=[
            ShareInput(ministry, Decimal(70)),
            ShareInput(FunderFactory(name="Region Hannover", level="region"), Decimal(30)),
        ],
    )
    report = funding_services.request_progress_report(
        grant=grant,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 6, 30),
        requested_by=coordinator,
    )
    report.refresh_from_db()  # built on commit (eager Celery)
    assert report.status == ProgressReport.Status.READY, report.error
    return funder, grant


def test_funder_signs_in_with_code_and_downloads_a_report_with_the_keyboard(
    page, live_url, funder_and_report
):
    funder, grant = funder_and_report

    page.goto(live_url + "/")
    _skip_link_first(page)
    _activate(page, _link("Log in"), "the login link")
    _type_into(page, "login", funder.email)
    _type_into(page, "password", PASSWORD)
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")
    # The second factor: the authenticator app's code.
    assert "/accounts/2fa/authenticate/" in page.url, page.url
    _type_into(page, "code", code_for(funder))
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")
    assert "/accounts/" not in page.url, page.url

    _activate(page, _link("My grants"), "the funder's grants link")
    _activate(page, _link(re.escape(grant.reference)), "the grant")
    assert _heading(page) == grant.title
    _activate(page, _link("Progress reports"), "the reports link")
    _tab_to(page, _link("PDF"), "the report's PDF link")
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as f:
        content = f.read()
    assert content.startswith(b"%PDF")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert grant.reference in text
