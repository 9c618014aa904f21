"""Check-in at the door on a phone (390 px wide): a button per person, typing a name, undo of
the last check-in and the scan field, with big touch targets and no sideways scrolling."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from regiolab.permissions import COORDINATORS_GROUP
from tests.factories import RegistrationFactory, UserFactory, WorkshopFactory
from tests.support.mfa import code_for, enable_totp
from workshops.lifecycle import checkin_codes
from workshops.models import Registration

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser_context_args(
        locale="en-GB", viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True
    ),
]

PASSWORD = "correct-horse-battery"


def named(action, person):
    """A button's name made of its text and a visually hidden ": person" (Chromium joins
    the two with a space)."""
    return re.compile(rf"^{re.escape(action)} ?: {re.escape(person)}$")


PEOPLE = [
    ("Anna", "Achtung", "Metallbau Kröger GmbH"),
    ("Jürgen", "Müller", "Bäckerei Sonnenschein"),
    ("Clara", "Chen", "Kunststofftechnik Hannover-Süd GmbH & Co. KG"),
    ("Dilara", "Demir", ""),
]


@pytest.fixture(autouse=True)
def _short_timeouts(page):
    page.set_default_timeout(10_000)


def _sign_in(page, user):
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    page.get_by_label(re.compile(r"^E-?mail", re.IGNORECASE)).fill(user.email)
    password = page.get_by_label(re.compile(r"^Password", re.IGNORECASE))
    password.fill(PASSWORD)
    password.press("Enter")
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    code = page.get_by_label(re.compile(r"^Code", re.IGNORECASE))
    code.fill(code_for(user))
    code.press("Enter")


def _no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide"


def _touch_size(locator):
    box = locator.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44, box


def test_coordinator_checks_in_on_a_phone(page, live_url):
    coordinator = UserFactory(email="tuer@regiolab.example")
    coordinator.groups.add(Group.objects.get_or_create(name=COORDINATORS_GROUP)[0])
    enable_totp(coordinator)
    start = timezone.now() - timedelta(minutes=20)
    workshop = WorkshopFactory(
        title="Praxistag kollaborative Robotik in der Montage",
        starts_at=start,
        ends_at=start + timedelta(hours=4),
        capacity=20,
    )
    people = {
        first: RegistrationFactory(
            workshop=workshop, first_name=first, last_name=last, company_name=company
        )
        for first, last, company in PEOPLE
    }

    page.goto(f"{live_url}/workshops/{workshop.slug}/checkin/")
    _sign_in(page, coordinator)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Check-in")
    expect(page.get_by_text("0 of 4 people checked in")).to_be_visible()
    _no_sideways_scroll(page)

    # 1. The button in Anna's row.
    anna = page.get_by_role("button", name=named("Check in", "Anna Achtung"))
    _touch_size(anna)
    anna.tap()
    expect(page.get_by_text("Anna Achtung is checked in.")).to_be_visible()
    expect(page.get_by_text("1 of 4 people checked in")).to_be_visible()
    _no_sideways_scroll(page)

    # 2. Typing a name (without the umlaut) leaves only Jürgen Müller's row.
    find = page.get_by_label(re.compile(r"^Find a person"))
    _touch_size(find)
    find.fill("mull")
    expect(page.get_by_role("button", name=named("Check in", "Clara Chen"))).to_be_hidden()
    expect(page.get_by_role("status").filter(has_text="1 person shown.")).to_have_count(1)
    juergen = page.get_by_role("button", name=named("Check in", "Jürgen Müller"))
    expect(juergen).to_be_visible()
    juergen.tap()
    expect(page.get_by_text("Jürgen Müller is checked in.")).to_be_visible()

    # 3. Undo of the last check-in (Jürgen).
    undo = page.get_by_role("button", name=named("Undo the last check-in", "Jürgen Müller"))
    _touch_size(undo)
    undo.tap()
    expect(page.get_by_text("Check-in of Jürgen Müller undone; the place is kept.")).to_be_visible()

    # 4. A hand scanner types the QR code's URL into the scan field and presses Enter.
    scan = page.get_by_label(re.compile(r"^Scan or type a check-in code"))
    scan.fill(checkin_codes.checkin_url(people["Clara"]))
    scan.press("Enter")
    expect(page.get_by_text("Clara Chen is checked in.")).to_be_visible()
    # A forged code says so and checks in nobody.
    scan = page.get_by_label(re.compile(r"^Scan or type a check-in code"))
    scan.fill(f"{workshop.pk}.AAAAAAAAAAAAAAAAAAAA")
    scan.press("Enter")
    expect(page.get_by_text("This check-in code is not valid.")).to_be_visible()
    _no_sideways_scroll(page)

    # 5. The phone camera opens the QR code's URL: one big button checks Dilara in.
    page.goto(checkin_codes.checkin_url(people["Dilara"]))  # SITE_URL is the live server
    button = page.get_by_role("button", name="Check in Dilara Demir")
    _touch_size(button)
    _no_sideways_scroll(page)
    button.tap()
    expect(page.get_by_text("Dilara Demir is checked in.")).to_be_visible()

    statuses = dict(
        Registration.objects.filter(workshop=workshop).values_list("first_name", "status")
    )
    assert statuses == {
        "Anna": "attended",
        "Jürgen": "confirmed",
        "Clara": "attended",
        "Dilara": "attended",
    }
