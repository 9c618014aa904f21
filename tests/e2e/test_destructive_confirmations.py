"""The confirmation steps of cancelling a workshop and of removing a person from a company in
Chromium: scanned by axe, laid out at 320 px, and confirmed by keyboard alone. (The company
step is reached by a POST, so the matrix's scan in test_accessibility.py does not see it.)"""

import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail

from companies.models import CompanyMember
from regiolab.permissions import COORDINATORS_GROUP
from tests.e2e.test_accessibility import _axe, _context, _reflow
from tests.factories import CompanyMemberFactory, UserFactory, WorkshopFactory
from tests.support.mfa import enable_totp
from workshops.models import Workshop
from workshops.registration import services

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _press_on(page, locator) -> None:
    """Tab to the element (keyboard only) and press Enter; waits for the page it loads."""
    locator.focus()
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")


def test_cancelling_a_workshop_by_keyboard(browser, live_server):
    coordinator = UserFactory(email="koordination@regiolab.example")
    coordinator.groups.add(Group.objects.get_or_create(name=COORDINATORS_GROUP)[0])
    enable_totp(coordinator)
    workshop = WorkshopFactory(title="Löten", slug="loeten", capacity=1)
    for first in ("Anna", "Bernd"):
        services.register_participant(
            workshop=workshop,
            first_name=first,
            last_name="Beispiel",
            email=f"{first.lower()}@example.org",
            language="de",
        )
    context = _context(browser, live_server, coordinator)
    page = context.new_page()
    try:
        page.goto(f"/workshops/{workshop.slug}/participants/")
        _press_on(page, page.get_by_role("link", name="Workshop absagen"))
        assert page.inner_text("h1") == "Workshop „Löten“ absagen?"
        told = page.locator(".confirm-notified li")
        assert told.count() == 2
        assert "Anna Beispiel (bestätigt)" in told.nth(0).inner_text()
        assert "Bernd Beispiel (Nummer 1 auf der Warteliste)" in told.nth(1).inner_text()
        problems = _axe(page, "coordinator", "workshop cancel confirmation")
        problems += _reflow(page, "workshop cancel confirmation")
        assert not problems, "\n".join(problems)
        mail.outbox.clear()
        _press_on(page, page.get_by_role("button", name="Den Workshop absagen"))
        assert "Sie haben den Workshop abgesagt; 2 Personen wurden per E-Mail benachrichtigt." in (
            page.inner_text(".messages")
        )
        workshop.refresh_from_db()
        assert workshop.status == Workshop.Status.CANCELLED
        assert sorted(m.to[0] for m in mail.outbox) == ["anna@example.org", "bernd@example.org"]
    finally:
        context.close()


def test_removing_a_person_from_a_company_by_keyboard(browser, live_server):
    owner = CompanyMemberFactory(company__name="Alpha Antriebe GmbH", user__email="o@example.org")
    member = CompanyMemberFactory(
        company=owner.company,
        role="member",
        user__email="mia@example.org",
        user__first_name="Mia",
        user__last_name="Meier",
    )
    context = _context(browser, live_server, owner.user)
    page = context.new_page()
    try:
        page.goto(f"/companies/{owner.company.pk}/members/")
        _press_on(page, page.get_by_role("button", name=re.compile(r"^Entfernen ?: mia@")))
        assert page.inner_text("h1") == "Mia Meier aus Alpha Antriebe GmbH entfernen?"
        assert "Niemand wird per E-Mail benachrichtigt." in page.inner_text(".confirm-step")
        assert CompanyMember.objects.filter(pk=member.pk).exists()
        problems = _axe(page, "rep_a", "company member removal confirmation")
        problems += _reflow(page, "company member removal confirmation")
        assert not problems, "\n".join(problems)
        # The way back changes nothing.
        _press_on(page, page.get_by_role("link", name="Zurück ohne Änderungen"))
        assert CompanyMember.objects.filter(pk=member.pk).exists()
        _press_on(page, page.get_by_role("button", name=re.compile(r"^Entfernen ?: mia@")))
        _press_on(page, page.get_by_role("button", name="Person entfernen"))
        assert "Sie haben Mia Meier aus Alpha Antriebe GmbH entfernt." in (
            page.inner_text(".messages")
        )
        assert not CompanyMember.objects.filter(pk=member.pk).exists()
    finally:
        context.close()
