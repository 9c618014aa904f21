"""A visitor's way through a workshop: find it, register, get the e-mail, cancel by its link.

The browser runs in English so the labels are the source strings, independent of the German
translations done later. The live server commits for real: the outbox delivers after commit
and Celery is eager, so e-mails are in ``mail.outbox`` once the page has answered.
"""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.factories import TopicFactory, WorkshopFactory
from workshops.models import Registration
from workshops.registration import services

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser_context_args(locale="en-GB"),
]

CANCEL_LINK = re.compile(r"https?://\S+/registrations/[\w-]+/cancel/")


@pytest.fixture
def robotics():
    return TopicFactory(slug="robotics", name_de="Robotik", name_en="Robotics")


@pytest.fixture
def other_workshop():
    """An online workshop on another topic that the filter must hide."""
    learning = TopicFactory(
        slug="digital-learning", name_de="Digitales Lernen", name_en="Digital learning"
    )
    workshop = WorkshopFactory(
        title="Lernvideos selbst drehen",
        title_en="Making learning videos",
        slug="lernvideos",
        format="online",
        venue="",
        online_url="https://meet.example.org/lernvideos",
    )
    workshop.topics.add(learning)
    return workshop


@pytest.fixture(autouse=True)
def _short_timeouts(page):
    page.set_default_timeout(10_000)


def label(text):
    """A field's exact label; Django appends a colon."""
    return re.compile(rf"^{re.escape(text)}:?$")


def _mails_to(address):
    return [message for message in mail.outbox if address in message.to]


def _cancel_link(message) -> str:
    match = CANCEL_LINK.search(message.body)
    assert match, message.body
    return match.group(0)


def _find_and_open(page, live_url, workshop):
    """The visitor narrows the list to robotics workshops on site and opens one."""
    page.goto(live_url + "/workshops/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Workshops")
    results = page.locator("#workshop-results")
    expect(results.get_by_role("link", name="Making learning videos")).to_be_visible()

    filters = page.get_by_role("search", name="Filter")
    filters.get_by_label(label("Topic")).select_option(label="Robotics")
    # htmx swaps the results and pushes the filter into the address.
    expect(page).to_have_url(re.compile(r"topic="))
    expect(results.get_by_role("link", name="Making learning videos")).to_have_count(0)
    filters.get_by_label(label("Format")).select_option(label="on site")
    expect(page).to_have_url(re.compile(r"format=on_site"))
    link = results.get_by_role("link", name=workshop.title_en)
    expect(link).to_be_visible()
    expect(results.get_by_role("link", name="Making learning videos")).to_have_count(0)

    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(workshop.title_en)


def _fill_registration(page, *, first_name, last_name, email):
    page.get_by_label(label("First name")).fill(first_name)
    page.get_by_label(label("Last name")).fill(last_name)
    page.get_by_label(label("E-mail")).fill(email)
    consent = page.get_by_label("I agree that regioLab processes my details")
    consent.focus()
    page.keyboard.press("Space")
    expect(consent).to_be_checked()


def test_visitor_finds_registers_and_cancels_by_the_email_link(
    page, live_url, robotics, other_workshop
):
    workshop = WorkshopFactory(
        title="Cobots im Mittelstand",
        title_en="Cobots for SMEs",
        slug="cobots",
        capacity=10,
    )
    workshop.topics.add(robotics)

    _find_and_open(page, live_url, workshop)
    expect(page.get_by_text("10 places left")).to_be_visible()
    page.get_by_role("link", name="Register", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Register: Cobots for SMEs")

    _fill_registration(page, first_name="Erika", last_name="Beispiel", email="erika@example.org")
    # One statistics question declined, the others left alone.
    page.get_by_label(label("Gender")).select_option(label="prefer not to say")
    page.get_by_role("button", name="Register").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for registering")
    result = page.locator(".registration-results")
    expect(result).to_contain_text("Erika Beispiel (erika@example.org)")
    expect(result).to_contain_text("place confirmed")

    registration = Registration.objects.get(workshop=workshop, email="erika@example.org")
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.gender == Registration.Gender.DECLINED
    assert registration.age_band == ""
    assert registration.consent_given_at is not None

    [confirmation] = _mails_to("erika@example.org")
    assert confirmation.to == ["erika@example.org"]
    assert "Cobots" in confirmation.subject
    ics = [a for a in confirmation.attachments if a[0].endswith(".ics")]
    assert len(ics) == 1
    assert "BEGIN:VCALENDAR" in (ics[0][1] if isinstance(ics[0][1], str) else ics[0][1].decode())
    link = _cancel_link(confirmation)
    assert link.startswith(live_url)
    assert registration.cancel_token in link

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Cancel registration")
    expect(page.locator("main")).to_contain_text("Erika Beispiel")
    page.get_by_role("button", name="Yes, cancel my registration").click()

    expect(page.get_by_text("Your registration has been cancelled.")).to_be_visible()
    expect(page.get_by_text("This registration has been cancelled.")).to_be_visible()
    expect(page.get_by_role("button", name="Yes, cancel my registration")).to_have_count(0)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
    assert registration.cancelled_at is not None
    workshop.refresh_from_db()
    assert workshop.seats_taken == 0


def test_waitlisted_visitor_moves_up_when_the_seat_holder_cancels_by_email_link(
    page, live_url, robotics, other_workshop
):
    workshop = WorkshopFactory(
        title="Roboter programmieren",
        title_en="Programming robots",
        slug="roboter-programmieren",
        capacity=1,
    )
    workshop.topics.add(robotics)
    # Somebody else has taken the only seat.
    services.register_participant(
        workshop=workshop, first_name="Hans", last_name="Platz", email="hans@example.org"
    )
    [holder_mail] = _mails_to("hans@example.org")

    _find_and_open(page, live_url, workshop)
    expect(page.get_by_text("Fully booked – waitlist")).to_be_visible()
    page.get_by_role("link", name="Join the waitlist").click()
    expect(page.get_by_text("The workshop is fully booked.")).to_be_visible()
    _fill_registration(page, first_name="Jonas", last_name="Neu", email="jonas@example.org")
    page.get_by_role("button", name="Register").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for registering")
    expect(page.locator(".registration-results")).to_contain_text("on the waitlist, position 1")
    [waitlisted_mail] = _mails_to("jonas@example.org")
    assert not [a for a in waitlisted_mail.attachments if a[0].endswith(".ics")]

    # The seat holder cancels by the link in their confirmation e-mail.
    page.goto(_cancel_link(holder_mail))
    expect(page.locator("main")).to_contain_text("Hans Platz")
    page.get_by_role("button", name="Yes, cancel my registration").click()
    expect(page.get_by_text("Your registration has been cancelled.")).to_be_visible()

    statuses = dict(Registration.objects.filter(workshop=workshop).values_list("email", "status"))
    assert statuses == {"hans@example.org": "cancelled", "jonas@example.org": "confirmed"}
    workshop.refresh_from_db()
    assert workshop.seats_taken == 1
    promoted_mails = _mails_to("jonas@example.org")
    assert len(promoted_mails) == 2
    promoted = promoted_mails[-1]
    assert "A place has become free for you" in promoted.subject
    assert "moved up from the waitlist" in promoted.body
    assert [a for a in promoted.attachments if a[0].endswith(".ics")]
    jonas = Registration.objects.get(workshop=workshop, email="jonas@example.org")
    assert _cancel_link(promoted).endswith(f"/registrations/{jonas.cancel_token}/cancel/")

    # Jonas's own cancel link now shows his confirmed place.
    page.goto(_cancel_link(promoted))
    expect(page.locator("main")).to_contain_text("Jonas Neu")
    expect(page.locator("main")).to_contain_text("confirmed")
    expect(page.get_by_role("button", name="Yes, cancel my registration")).to_be_visible()
