"""A coordinator's day with workshops: invite a network's members, take attendance by keyboard.

The coordinator signs in through the real allauth login form. The browser runs in English so
the labels are the source strings. Celery is eager: invitations are sent in the request that
creates them (after commit), so the list already shows them as sent.
"""

import re
from collections import Counter
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from companies.models import CompanyMember
from networks.models import NetworkMembership
from regiolab.permissions import COORDINATORS_GROUP
from tests.factories import (
    CompanyFactory,
    CompanyMemberFactory,
    NetworkMembershipFactory,
    TrainingNetworkFactory,
    UserFactory,
    WorkshopFactory,
)
from tests.support.mfa import code_for, enable_totp
from workshops.models import Invitation, Registration, Workshop
from workshops.registration import services

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser_context_args(locale="en-GB"),
]

PASSWORD = "correct-horse-battery"


def named(action, person):
    """A button's name made of its text and a visually hidden ": person" (Chromium joins
    the two with a space)."""
    return re.compile(rf"^{re.escape(action)} ?: {re.escape(person)}$")


@pytest.fixture(autouse=True)
def _short_timeouts(page):
    page.set_default_timeout(10_000)


@pytest.fixture
def coordinator_user():
    user = UserFactory(email="koordination@regiolab.example", first_name="Kim", last_name="Koch")
    user.groups.add(Group.objects.get_or_create(name=COORDINATORS_GROUP)[0])
    enable_totp(user)
    return user


def label(text):
    """A field's exact label; Django appends a colon."""
    return re.compile(rf"^{re.escape(text)}:?$")


def _sign_in(page, user):
    """On the login page the protected page redirected to: e-mail, password, Enter; then the
    authenticator app's code (coordinators must sign in with a second factor)."""
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    page.get_by_label(re.compile(r"^E-?mail", re.IGNORECASE)).fill(user.email)
    password = page.get_by_label(re.compile(r"^Password", re.IGNORECASE))
    password.fill(PASSWORD)
    password.press("Enter")
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    code = page.get_by_label(re.compile(r"^Code", re.IGNORECASE))
    code.fill(code_for(user))
    code.press("Enter")


def _member(company, email, **kwargs):
    return CompanyMemberFactory(company=company, user=UserFactory(email=email), **kwargs)


def _is_focused(locator) -> bool:
    return locator.evaluate("element => element === document.activeElement")


def _tab_to(page, target, *, limit=80):
    """Press Tab until the target has the focus, as a keyboard user would."""
    for _press in range(limit):
        page.keyboard.press("Tab")
        if _is_focused(target):
            return
    raise AssertionError(f"{target} not reached with {limit} Tab presses")


def test_coordinator_invites_network_members_once_each(page, live_url, coordinator_user):
    robotics = TrainingNetworkFactory(name="Verbund Robotik Hannover", slug="robotik-hannover")
    learning = TrainingNetworkFactory(name="Verbund Digitales Lernen", slug="digitales-lernen")
    unchosen = TrainingNetworkFactory(name="Verbund 3D-Druck", slug="3d-druck")

    metallbau = CompanyFactory(name="Metallbau Kröger GmbH", contact_consent=True)
    _member(metallbau, "inhaberin@metallbau.example")
    _member(metallbau, "ausbildung@metallbau.example", role=CompanyMember.Role.MEMBER)
    _member(
        metallbau,
        "bewerber@metallbau.example",
        role=CompanyMember.Role.MEMBER,
        status=CompanyMember.Status.REQUESTED,
    )
    tischlerei = CompanyFactory(name="Tischlerei Sommer", contact_consent=True)
    _member(tischlerei, "chef@tischlerei.example")
    # A member company that has not agreed to be contacted: shown as skipped, not invited.
    silent = CompanyFactory(name="Stille Werkstatt KG", contact_consent=False)
    _member(silent, "info@stille.example")
    left = CompanyFactory(name="Ausgetreten AG")
    _member(left, "info@ausgetreten.example")
    elsewhere = CompanyFactory(name="Druckwerk Nord")
    _member(elsewhere, "druck@druckwerk.example")

    # Metallbau is in both chosen networks: its people must still get one e-mail each.
    NetworkMembershipFactory(network=robotics, company=metallbau)
    NetworkMembershipFactory(network=learning, company=metallbau)
    NetworkMembershipFactory(network=learning, company=tischlerei)
    NetworkMembershipFactory(network=learning, company=silent)
    NetworkMembershipFactory(network=robotics, company=left, status=NetworkMembership.Status.LEFT)
    NetworkMembershipFactory(network=unchosen, company=elsewhere)

    workshop = WorkshopFactory(
        title="Cobots im Mittelstand", title_en="Cobots for SMEs", slug="cobots-einladung"
    )
    invited = {
        "inhaberin@metallbau.example",
        "ausbildung@metallbau.example",
        "chef@tischlerei.example",
    }

    page.goto(f"{live_url}/workshops/{workshop.slug}/invitations/")
    _sign_in(page, coordinator_user)
    expect(page.get_by_role("heading", level=1)).to_have_text("Invitations: Cobots for SMEs")
    expect(page.get_by_text("Nobody has been invited yet.")).to_be_visible()

    page.get_by_role("link", name="Invite more").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Invite participants: Cobots for SMEs"
    )
    page.get_by_role("checkbox", name="Verbund Robotik Hannover").check()
    page.get_by_role("checkbox", name="Verbund Digitales Lernen").check()
    page.get_by_role("button", name="Preview invitations").click()

    # The preview: who gets one, who not and why, the e-mail; nothing is sent yet.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check the invitations: Cobots for SMEs"
    )
    expect(page.locator('dd[data-count="recipients"]')).to_have_text("3")
    expect(page.locator('dd[data-count="no_consent"]')).to_have_text("1")
    skipped = page.locator("table.skipped-table").get_by_role("row").filter(has_text="Stille")
    expect(skipped).to_contain_text("no contact consent")
    expect(page.locator('[data-preview="subject"]')).to_contain_text("Cobots im Mittelstand")
    assert mail.outbox == [] and not Invitation.objects.exists()
    page.get_by_role("button", name="Send 3 invitations").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Invitations: Cobots for SMEs")
    expect(page.get_by_text("3 invitations will be sent.")).to_be_visible()
    table = page.locator("table.invitation-table")
    expect(table.locator("tbody tr")).to_have_count(3)
    for address in invited:
        row = table.get_by_role("row").filter(has_text=address)
        expect(row.locator(".badge")).to_have_text("sent")
    expect(table.get_by_role("row").filter(has_text="Metallbau Kröger GmbH")).to_have_count(2)
    expect(page.locator('dd[data-status="sent"]')).to_have_text("3")
    expect(page.locator('dd[data-status="pending"]')).to_have_text("0")
    expect(page.locator("main")).not_to_contain_text("ausgetreten.example")
    expect(page.locator("main")).not_to_contain_text("druckwerk.example")
    expect(page.locator("main")).not_to_contain_text("bewerber@metallbau.example")

    rows = Invitation.objects.filter(workshop=workshop)
    assert {row.email: row.status for row in rows} == dict.fromkeys(invited, "sent")
    assert all(row.sent_at and row.invited_by == coordinator_user for row in rows)

    # Nothing else sends e-mail here: the outbox holds exactly one invitation per address.
    assert Counter(address for m in mail.outbox for address in m.to) == Counter(invited)
    assert all("Cobots im Mittelstand" in m.subject for m in mail.outbox)
    [sample] = [m for m in mail.outbox if m.to == ["chef@tischlerei.example"]]
    assert f"{live_url}/workshops/{workshop.slug}/register/" in sample.body

    # Inviting the same networks again sends nobody a second e-mail.
    page.get_by_role("link", name="Invite more").click()
    page.get_by_role("checkbox", name="Verbund Robotik Hannover").check()
    page.get_by_role("checkbox", name="Verbund Digitales Lernen").check()
    page.get_by_role("button", name="Preview invitations").click()
    expect(page.locator('dd[data-count="recipients"]')).to_have_text("0")
    expect(page.locator('dd[data-count="already_invited"]')).to_have_text("3")
    expect(page.get_by_text("Nobody would receive an invitation with this choice.")).to_be_visible()
    expect(page.get_by_role("button", name="Send 3 invitations")).to_have_count(0)
    assert len(mail.outbox) == len(invited)


def test_coordinator_takes_attendance_by_keyboard(page, live_url, coordinator_user):
    workshop = WorkshopFactory(title="Robotik-Praxistag", title_en="Robotics practice day")
    people = {}
    for first, last in (("Anna", "Achtung"), ("Bernd", "Bleibweg"), ("Clara", "Chen")):
        people[first] = services.register_participant(
            workshop=workshop,
            first_name=first,
            last_name=last,
            email=f"{first.lower()}@example.org",
            company_name="Metallbau Kröger GmbH",
        )
    # The registrations were made ahead; the workshop day has come and it runs now.
    now = timezone.now().replace(microsecond=0)
    Workshop.objects.filter(pk=workshop.pk).update(
        starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=3)
    )

    page.goto(f"{live_url}/workshops/{workshop.slug}/checkin/")
    _sign_in(page, coordinator_user)
    expect(page.get_by_role("heading", level=1)).to_have_text("Check-in: Robotics practice day")
    expect(page.get_by_text("Attendance can be recorded from the day")).to_have_count(0)

    # One button per person: Tab to Anna's, Enter checks her in.
    anna = page.get_by_role("button", name=named("Check in", "Anna Achtung"))
    _tab_to(page, anna)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Anna Achtung is checked in.")).to_be_visible()
    expect(page.get_by_text("1 of 3 people checked in")).to_be_visible()
    # Typing in the find field keeps only the matching rows; Tab reaches Bernd's button.
    find = page.get_by_label(label("Find a person"))
    expect(find).to_be_focused()  # back on the list after a check-in: ready for the next name
    find.type("bleib")
    expect(page.get_by_role("button", name=named("Check in", "Clara Chen"))).to_be_hidden()
    bernd = page.get_by_role("button", name=named("Check in", "Bernd Bleibweg"))
    _tab_to(page, bernd)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Bernd Bleibweg is checked in.")).to_be_visible()
    # Bernd came by mistake: the last check-in is undone by keyboard too.
    undo = page.get_by_role("button", name=named("Undo the last check-in", "Bernd Bleibweg"))
    _tab_to(page, undo)
    page.keyboard.press("Enter")
    expect(
        page.get_by_text("Check-in of Bernd Bleibweg undone; the place is kept.")
    ).to_be_visible()
    # After the workshop, the rest are marked as no-show in one step.
    no_shows = page.get_by_role("button", name="Mark 2 people as no-show")
    _tab_to(page, no_shows)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Attendance saved (2 changes).")).to_be_visible()

    statuses = dict(
        Registration.objects.filter(workshop=workshop).values_list("first_name", "status")
    )
    assert statuses == {"Anna": "attended", "Bernd": "no_show", "Clara": "no_show"}
    assert Registration.objects.get(pk=people["Anna"].pk).attendance_marked_at is not None
    workshop.refresh_from_db()
    assert workshop.seats_taken == 3

    page.get_by_role("link", name="Back to the participants").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Participants: Robotics practice day")
    for heading, name in (
        ("Attended (1)", "Achtung, Anna"),
        ("No-show (2)", "Bleibweg, Bernd"),
    ):
        section = page.get_by_role("region", name=heading)
        expect(section.get_by_role("heading", level=2)).to_have_text(heading)
        people_in_section = int(re.search(r"\((\d+)\)", heading).group(1))
        expect(section.get_by_role("row")).to_have_count(people_in_section + 1)
        expect(section).to_contain_text(name)
