"""The participants page on a phone (390 px): a walk-in confirmed over capacity by explicit
choice, then two people ticked by keyboard and cancelled after the confirmation step, whose
seats go to the waitlist in order."""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from regiolab.mail.models import OutboundEmail
from regiolab.permissions import COORDINATORS_GROUP
from tests.e2e.test_workshop_coordinator import _sign_in, label
from tests.factories import UserFactory, WorkshopFactory
from tests.support.mfa import enable_totp
from workshops.models import Registration
from workshops.registration import services

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser_context_args(locale="en-GB", viewport={"width": 390, "height": 844}),
]


@pytest.fixture
def coordinator_user():
    user = UserFactory(email="koordination@regiolab.example", first_name="Kim", last_name="Koch")
    user.groups.add(Group.objects.get_or_create(name=COORDINATORS_GROUP)[0])
    enable_totp(user)
    return user


def _register(workshop, first, last):
    return services.register_participant(
        workshop=workshop,
        first_name=first,
        last_name=last,
        email=f"{first.lower()}@example.org",
        language="en",
    )


def test_walk_in_over_capacity_and_bulk_cancel_on_a_phone(page, live_url, coordinator_user):
    page.set_default_timeout(10_000)
    workshop = WorkshopFactory(title="Löten", title_en="Soldering", slug="loeten", capacity=3)
    anna, bernd, _carla = (
        _register(workshop, "Anna", "Albers"),
        _register(workshop, "Bernd", "Brandt"),
        _register(workshop, "Carla", "Conrad"),
    )
    dora, emil = _register(workshop, "Dora", "Dietz"), _register(workshop, "Emil", "Ernst")

    page.goto(f"{live_url}/workshops/{workshop.slug}/participants/add/")
    _sign_in(page, coordinator_user)
    expect(page.locator("main strong", has_text="All places are taken")).to_be_visible()
    page.get_by_label(label("First name")).fill("Walter")
    page.get_by_label(label("Last name")).fill("Tür")
    page.get_by_label(label("E-mail")).fill("walter@example.org")
    page.get_by_role("button", name="Add the person").click()
    # Refused without the explicit choice; the choice is a checkbox the keyboard reaches.
    expect(page.locator(".errorlist")).to_contain_text("over capacity")
    choice = page.get_by_label(re.compile("^Over capacity"))
    choice.focus()
    page.keyboard.press("Space")
    expect(choice).to_be_checked()
    page.get_by_role("button", name="Add the person").click()

    expect(page).to_have_url(re.compile(r"/participants/$"))
    expect(page.locator(".messages")).to_contain_text("added over capacity")
    walk_in = Registration.objects.get(email="walter@example.org")
    assert walk_in.over_capacity_by == coordinator_user
    # Nothing on the page is wider than the phone's screen but the tables' own region.
    wide = page.evaluate(
        "() => [...document.querySelectorAll('main > *:not(form), .bulk-actions')]"
        ".filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).length"
    )
    assert wide == 0

    # Tick Anna and Bernd with the keyboard, then cancel them.
    for person in (anna, bernd):
        box = page.get_by_label(f"Select {person.full_name}", exact=True)
        box.focus()
        page.keyboard.press("Space")
        expect(box).to_be_checked()
    page.get_by_role("button", name="Cancel registrations…").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Cancel 2 registrations?")
    told = page.locator(".confirm-notified")
    expect(told).to_contain_text("anna@example.org")
    expect(told).to_contain_text("bernd@example.org")
    # The over-capacity seat goes first: only one waitlisted person moves up.
    expect(page.locator(".confirm-effects")).to_contain_text("Dora Dietz moves up")
    expect(page.locator(".confirm-effects")).not_to_contain_text("Emil Ernst")
    page.get_by_role("button", name="Cancel the registrations").click()

    expect(page.locator(".messages")).to_contain_text("2 registrations have been cancelled")
    statuses = dict(Registration.objects.filter(workshop=workshop).values_list("email", "status"))
    assert statuses[anna.email] == statuses[bernd.email] == "cancelled"
    assert statuses[dora.email] == "confirmed"
    assert statuses[emil.email] == "waitlisted"
    assert "cancelled by the coordinator" in (
        OutboundEmail.objects.filter(to=anna.email).order_by("pk").last().body_text
    )
    workshop.refresh_from_db()
    assert (workshop.seats_taken, workshop.over_capacity_seats) == (3, 0)
