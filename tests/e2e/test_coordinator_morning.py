"""A coordinator's morning in Chromium (issue 16): sign in with the second factor, the home
shows today's workshop, the header search finds a company typed without its umlaut, a walk-in
is added on the participants page, three people are checked in on a 390 px phone, the
no-shows get an e-mail (compose, preview, send) and the grant page shows its totals.

What the user sees is asserted at each step (headings, messages, counts); the e-mails are read
back from the outbox as MIME messages; axe scans the pages of each step.
"""

import email
import re
import time
from datetime import date, timedelta
from decimal import Decimal
from email import policy

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from funding.models import BudgetLine, Expenditure, Grant
from funding.services import ShareInput, set_cofinancing_shares
from regiolab.mail.models import OutboundEmail
from regiolab.permissions import COORDINATORS_GROUP
from tests.e2e.test_accessibility import AXE_SCRIPT, _axe
from tests.e2e.test_workshop_coordinator import _sign_in, label, named
from tests.factories import CompanyFactory, FunderFactory, UserFactory, WorkshopFactory
from tests.support.mfa import enable_totp
from workshops.models import Registration
from workshops.registration import services

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser_context_args(locale="en-GB"),
]

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 800}
SUBJECT = "We missed you this morning"
TEXT = "You were registered but did not come. The slides are on our website."


def _settled(page) -> None:
    """htmx has swapped and settled (bounded by the page's default timeout)."""
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-settling')")


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide"


def _wait_for(predicate, what: str, timeout: float = 10.0):
    """Poll until the live server's thread has done it (bounded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _register(workshop, first, last):
    return services.register_participant(
        workshop=workshop,
        first_name=first,
        last_name=last,
        email=f"{first.lower()}.{last.lower()}@example.org",
        language="en",
    )


def _grant() -> Grant:
    grant = Grant.objects.create(
        reference="FKZ 01-MORNING",
        title="Qualifizierungsoffensive Mittelstand",
        start_date=date(2026, 1, 1),
        end_date=date(2027, 12, 31),
        total_eligible_costs=Decimal("700000.00"),
    )
    set_cofinancing_shares(
        grant=grant,
        shares=[
            ShareInput(FunderFactory(name="Bundesministerium"), Decimal(70)),
            ShareInput(FunderFactory(name="Region Hannover"), Decimal(30)),
        ],
    )
    for year in (2026, 2027):
        for category, amount in [("personnel", "300000"), ("travel", "12345.67")]:
            BudgetLine.objects.create(
                grant=grant, category=category, year=year, amount=Decimal(amount)
            )
    for day, category, amount in [
        (date(2026, 3, 31), "personnel", "123456.78"),
        (date(2026, 4, 2), "travel", "999.99"),
    ]:
        Expenditure.objects.create(
            grant=grant, date=day, category=category, payee="Dienstleister",
            purpose="Leistung", amount=Decimal(amount), receipt_reference=f"B-{day}",
        )  # fmt: skip
    return grant


@pytest.fixture
def coordinator_user():
    user = UserFactory(email="koordination@regiolab.example", first_name="Kim", last_name="Koch")
    user.groups.add(Group.objects.get_or_create(name=COORDINATORS_GROUP)[0])
    enable_totp(user)
    return user


def test_a_coordinators_morning(page, live_url, coordinator_user):
    page.set_default_timeout(10_000)
    page.set_viewport_size(DESK)
    page.context.add_init_script(script=AXE_SCRIPT)
    problems: list[str] = []

    start = timezone.now() - timedelta(minutes=30)
    workshop = WorkshopFactory(
        title="Praxistag Cobots",
        title_en="Cobot practice day",
        slug="praxistag-cobots",
        starts_at=start + timedelta(days=7),
        ends_at=start + timedelta(days=7, hours=4),
        capacity=10,
    )
    WorkshopFactory(title="Später", starts_at=timezone.now() + timedelta(days=40))  # not shown
    people = [
        _register(workshop, first, last)
        for first, last in [
            ("Anna", "Albers"),
            ("Bernd", "Brandt"),
            ("Carla", "Conrad"),
            ("Dora", "Dietz"),
        ]
    ]
    # They registered last week; the workshop began half an hour ago.
    type(workshop).objects.filter(pk=workshop.pk).update(
        starts_at=start, ends_at=start + timedelta(hours=4)
    )
    company = CompanyFactory(name="Müller Präzisionsteile GmbH")
    CompanyFactory(name="Bäckerei Sonnenschein")
    grant = _grant()

    # 1. Sign in with password and authenticator code; the home shows today's workshop.
    page.goto(f"{live_url}/accounts/login/?next=/")
    _sign_in(page, coordinator_user)
    expect(page).to_have_url(f"{live_url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("What needs you today and this week")
    upcoming = page.locator(
        "section", has=page.get_by_role("heading", name="Workshops of the next 14 days")
    )
    expect(upcoming.get_by_role("link", name="Cobot practice day")).to_be_visible()
    expect(upcoming).to_contain_text("4 of 10 seats taken")
    expect(upcoming).not_to_contain_text("Später")
    problems += _axe(page, "coordinator", "home")

    # 2. The header search as one types (htmx): "muller" finds "Müller …" and nothing else.
    search = page.get_by_role("searchbox", name="Search companies, people, workshops and grants")
    search.focus()
    with page.expect_response(re.compile(r"/search/\?q=muller")):
        page.keyboard.type("muller", delay=30)
    _settled(page)
    hits = page.locator("#site-search-panel .search-hits li")
    expect(hits).to_have_count(1)
    expect(hits.first).to_contain_text("Company")
    expect(page.locator("#site-search-status")).to_contain_text("muller")
    problems += _axe(page, "coordinator", "header search panel")
    with page.expect_navigation():
        hits.first.get_by_role("link", name="Müller Präzisionsteile GmbH").click()
    expect(page).to_have_url(f"{live_url}/companies/{company.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Müller Präzisionsteile GmbH")

    # 3. Back home by the logo, to the workshop's participants page; a walk-in is added.
    page.locator("a.brand").click()  # the logo leads home
    expect(page).to_have_url(f"{live_url}/")
    page.get_by_role("link", name="Cobot practice day").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Participants: Cobot practice day")
    expect(page.get_by_role("heading", name="Confirmed (4)")).to_be_visible()
    page.get_by_role("link", name="Add a person (walk-in)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Add a person on the spot: Cobot practice day"
    )
    expect(page.locator("main")).to_contain_text("4 of 10 places are taken.")
    page.get_by_label(label("First name")).fill("Walter")
    page.get_by_label(label("Last name")).fill("Tür")
    page.get_by_label(label("E-mail")).fill("walter@example.org")
    page.get_by_label(label("Company")).fill("Müller Präzisionsteile GmbH")
    page.get_by_role("button", name="Add the person").click()
    expect(page).to_have_url(re.compile(r"/participants/$"))
    expect(page.locator(".messages")).to_contain_text(
        "Walter Tür has been added and has been sent the confirmation."
    )
    expect(page.get_by_role("heading", name="Confirmed (5)")).to_be_visible()
    expect(page.locator("main dl.facts")).to_contain_text("5 of 10 taken")
    walk_in = Registration.objects.get(workshop=workshop, email="walter@example.org")
    assert walk_in.walk_in and walk_in.status == "confirmed"
    problems += _axe(page, "coordinator", "participants page after a walk-in")

    # 4. On a phone at the door: three check-ins, one button each; the rest are no-shows.
    page.set_viewport_size(PHONE)
    page.get_by_role("link", name="Check-in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check-in: Cobot practice day")
    expect(page.get_by_text("0 of 5 people checked in")).to_be_visible()
    rows = page.locator("#checkin-list > li")
    expect(rows).to_have_count(5)
    for index in range(5):  # one action per person: a single button in each row
        expect(rows.nth(index).get_by_role("button")).to_have_count(1)
    _no_sideways_scroll(page)
    for done, name in enumerate(["Walter Tür", "Anna Albers", "Carla Conrad"], start=1):
        button = page.get_by_role("button", name=named("Check in", name))
        box = button.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, (name, box)
        button.click()
        expect(page.get_by_text(f"{name} is checked in.")).to_be_visible()
        expect(page.get_by_text(f"{done} of 5 people checked in")).to_be_visible()
        expect(page.get_by_role("button", name=named("Undo", name))).to_be_visible()
    _no_sideways_scroll(page)
    problems += _axe(page, "coordinator", "check-in on a phone")
    page.get_by_role("button", name="Mark 2 people as no-show").click()
    expect(page.locator(".messages")).to_contain_text("Attendance saved (2 changes).")
    expect(page.get_by_role("button", name="Mark 2 people as no-show")).to_have_count(0)
    statuses = dict(
        Registration.objects.filter(workshop=workshop).values_list("last_name", "status")
    )
    assert statuses == {
        "Tür": "attended",
        "Albers": "attended",
        "Conrad": "attended",
        "Brandt": "no_show",
        "Dietz": "no_show",
    }

    # 5. The no-shows, selected on the participants page, get one e-mail each.
    page.set_viewport_size(DESK)
    page.get_by_role("link", name="Back to the participants").click()
    expect(page.get_by_role("heading", name="Attended (3)")).to_be_visible()
    no_shows = page.locator("section", has=page.get_by_role("heading", name="No-show (2)"))
    select_all = page.get_by_label("Select all: no-show", exact=True)
    select_all.check()
    for person in (people[1], people[3]):
        expect(page.get_by_label(f"Select {person.full_name}", exact=True)).to_be_checked()
    expect(no_shows.locator("input[name=registrations]:checked")).to_have_count(2)
    page.get_by_role("button", name="Write an e-mail").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "E-mail to participants: Cobot practice day"
    )
    selected = page.get_by_role("group", name="Write to the 2 selected registrations")
    expect(selected).to_contain_text("Bernd Brandt <bernd.brandt@example.org>")
    expect(selected).to_contain_text("Dora Dietz <dora.dietz@example.org>")
    expect(selected).not_to_contain_text("Anna")
    page.get_by_label(label("Subject")).fill(SUBJECT)
    page.get_by_label(label("Text of the message")).fill(TEXT)
    page.get_by_role("button", name="Preview the e-mail").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check the e-mail to participants: Cobot practice day"
    )
    expect(page.locator("[data-count=recipients]")).to_have_text("2")
    expect(page.locator("[data-preview=subject]").first).to_contain_text(SUBJECT)
    expect(page.locator("[data-preview=text]").first).to_contain_text(TEXT)
    problems += _axe(page, "coordinator", "preview of the e-mail to the no-shows")
    mail.outbox.clear()
    before = OutboundEmail.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    page.get_by_role("button", name="Send to 2 people").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Participants: Cobot practice day")
    expect(page.locator(".messages")).to_contain_text("Your message will be sent to 2 people.")

    queued = OutboundEmail.objects.filter(pk__gt=before)
    assert sorted(queued.values_list("to", flat=True)) == [
        "bernd.brandt@example.org",
        "dora.dietz@example.org",
    ]
    _wait_for(lambda: len(mail.outbox) >= 2, "the outbox to deliver")
    assert len(mail.outbox) == 2, [m.to for m in mail.outbox]
    parsed = {
        message.to[0]: email.message_from_bytes(message.message().as_bytes(), policy=policy.default)
        for message in mail.outbox
    }
    assert set(parsed) == {"bernd.brandt@example.org", "dora.dietz@example.org"}
    for address, name in [
        ("bernd.brandt@example.org", "Bernd Brandt"),
        ("dora.dietz@example.org", "Dora Dietz"),
    ]:
        message = parsed[address]
        assert message["To"].addresses[0].addr_spec == address
        assert SUBJECT in message["Subject"]
        text = message.get_body(preferencelist=("plain",)).get_content()
        assert TEXT in text and name in text, text

    # 6. The grant page: the budget totals, formatted for the language shown.
    page.goto(f"{live_url}/funding/grants/")
    page.get_by_role("link", name=grant.reference).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(grant.title)
    expect(page.get_by_role("heading", name="Budget against spending")).to_be_visible()
    expect(page.locator(".money-summary")).to_have_text(
        "Budget 624,691.34 EUR, spent 124,456.77 EUR, remaining 500,234.57 EUR."
    )
    total = page.locator("table.budget-table tfoot tr.total")
    expect(total).to_contain_text("624,691.34")
    problems += _axe(page, "coordinator", "grant page (English)")
    page.select_option("#language-select", "de")
    with page.expect_navigation(wait_until="load"):
        page.locator(".language-switch button").click()
    expect(page.locator("table.budget-table tfoot tr.total")).to_contain_text("624.691,34")
    expect(page.locator(".money-summary")).to_contain_text("124.456,77")
    problems += _axe(page, "coordinator", "grant page (German)")

    assert not problems, "\n".join(problems)
