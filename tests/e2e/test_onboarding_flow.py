"""A new company representative's first visit: sign up, confirm the e-mail, register the
company, ask to join a training network.

The browser runs in English so labels are the source strings. The live server commits for
real: the outbox delivers after commit and Celery is eager, so an e-mail is in ``mail.outbox``
once the page has answered. Fields are found by their labels and buttons by their roles, so
the walk also checks that every input it uses is labelled.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from playwright.sync_api import expect

from companies.models import Company, CompanyMember
from networks.models import NetworkMembership
from tests.factories import TrainingNetworkFactory, UserFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser_context_args(locale="en-GB"),
]

CONFIRM_LINK = re.compile(r"https?://\S+/accounts/confirm-email/\S+/")
EMAIL = "jana.becker@drehteile-example.de"
PASSWORD = "Kugellager-Feinguss-2031"


@pytest.fixture(autouse=True)
def _short_timeouts(page):
    page.set_default_timeout(10_000)


def label(text, *, flags=0):
    """A field's exact label; Django appends a colon."""
    return re.compile(rf"^{re.escape(text)}:?$", flags)


def _mails_to(address):
    return [message for message in mail.outbox if address in message.to]


def _size_class(page):
    return page.locator("dl.facts dt", has_text=re.compile(r"^Size class$")).locator("+ dd")


def _sign_up_and_confirm(page, live_url):
    page.goto(live_url + "/")
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Sign up"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Sign up", re.I))

    page.get_by_label(label("First name")).fill("Jana")
    # The keyboard moves on, as a person filling the form would.
    page.keyboard.press("Tab")
    expect(page.get_by_label(label("Last name"))).to_be_focused()
    page.keyboard.type("Becker")
    page.get_by_label(re.compile(r"^E-?mail", re.I)).fill(EMAIL)
    page.get_by_label(re.compile(r"^Password:?$", re.I)).fill(PASSWORD)
    password_again = page.get_by_label(re.compile(r"^Password \(again\):?$", re.I))
    password_again.fill(PASSWORD)
    password_again.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile("Verify your e-?mail address", re.I)
    )
    expect(page.locator("main")).to_contain_text(EMAIL)
    user = get_user_model().objects.get(email=EMAIL)
    assert (user.first_name, user.last_name) == ("Jana", "Becker")
    assert not user.emailaddress_set.get(email=EMAIL).verified

    [confirmation] = mail.outbox
    assert confirmation.to == [EMAIL]
    match = CONFIRM_LINK.search(confirmation.body)
    assert match, confirmation.body
    link = match.group(0)
    assert link.startswith(live_url)

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile("Confirm e-?mail address", re.I)
    )
    page.get_by_role("button", name="Confirm").click()

    # Logged in at once (ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION).
    nav = page.get_by_role("navigation", name="Main navigation")
    expect(nav.get_by_role("button", name="Log out")).to_be_visible()
    expect(nav.get_by_role("link", name="Sign up")).to_have_count(0)
    assert user.emailaddress_set.get(email=EMAIL).verified
    return user


def _register_company(page):
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="My company"
    ).click()
    expect(page).to_have_url(re.compile(r"/companies/mine/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My company")
    page.get_by_role("link", name="Register a company").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Register a company")

    page.get_by_label(label("Name")).fill("Becker Drehteile GmbH")
    page.get_by_label(label("Legal form")).fill("GmbH")
    page.get_by_label(label("Street and number")).fill("Am Kanal 7")
    page.get_by_label(label("Postcode")).fill("30851")
    page.get_by_label(label("City")).fill("Langenhagen")
    # The form declares this label itself, in lower case ("municipality"), unlike the others.
    page.get_by_label(label("Municipality", flags=re.I)).select_option("Langenhagen")
    page.get_by_label(label("Sector (NACE section)")).select_option(label="C – Manufacturing")
    page.get_by_label(label("WZ 2008 code")).fill("25.62")
    # Twelve staff: over the micro limit even though turnover and balance sheet are small.
    page.get_by_label(label("Staff headcount (annual work units)")).fill("12")
    page.get_by_label(label("Annual turnover (EUR)")).fill("1500000")
    page.get_by_label(label("Balance-sheet total (EUR)")).fill("900000")
    page.get_by_label(label("Reference year of the figures")).fill("2024")
    consent = page.get_by_label(label("Agrees to be contacted"))
    consent.focus()
    page.keyboard.press("Space")
    expect(consent).to_be_checked()
    page.get_by_role("button", name="Register company").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Becker Drehteile GmbH")
    expect(page.get_by_role("status")).to_contain_text("Company Becker Drehteile GmbH registered.")
    expect(_size_class(page)).to_have_text("small enterprise")
    return Company.objects.get(name="Becker Drehteile GmbH")


def _shrink_to_micro(page):
    """Fewer staff with the same money figures make it a micro enterprise."""
    page.get_by_role("link", name="Edit profile").click()
    headcount = page.get_by_label(label("Staff headcount (annual work units)"))
    expect(headcount).to_have_value(re.compile(r"^12(\.0)?$"))
    headcount.fill("8")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_role("status")).to_contain_text("Company profile saved.")
    expect(_size_class(page)).to_have_text("micro enterprise")


def test_new_user_signs_up_registers_company_and_asks_to_join_a_network(page, live_url):
    network_coordinator = UserFactory(email="netzwerk@regiolab.example")
    network = TrainingNetworkFactory(name="Verbund Zerspanung 4.0", slug="zerspanung")
    network.coordinators.add(network_coordinator)
    TrainingNetworkFactory(name="Verbund Holz (geplant)", slug="holz", status="planned")

    user = _sign_up_and_confirm(page, live_url)
    company = _register_company(page)
    assert company.size_class == "small"
    assert company.municipality == "Langenhagen"
    assert company.contact_consent is True
    assert CompanyMember.objects.filter(
        user=user, company=company, role=CompanyMember.Role.OWNER
    ).exists()
    _shrink_to_micro(page)
    company.refresh_from_db()
    assert company.size_class == "micro"
    assert company.size_class_stored == "micro"

    mail.outbox.clear()
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Networks"
    ).click()
    expect(page).to_have_url(re.compile(r"/networks/$"))
    page.get_by_role("link", name="Verbund Zerspanung 4.0").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Verbund Zerspanung 4.0")
    ask = page.get_by_role("button", name="Ask to join for my company")
    ask.focus()
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_contain_text("your request has been sent")
    expect(page.get_by_role("button", name="Ask to join for my company")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("Your company asked to join on")

    [membership] = NetworkMembership.objects.filter(company=company)
    assert membership.network == network
    assert membership.status == NetworkMembership.Status.REQUESTED
    assert membership.requested_by == user
    [notice] = mail.outbox
    assert notice.to == ["netzwerk@regiolab.example"]
    assert "Becker Drehteile GmbH" in notice.subject
    assert "Verbund Zerspanung 4.0" in notice.subject
    assert not _mails_to(EMAIL)
