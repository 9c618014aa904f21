"""Each role's home at ``/`` with something in every section, scanned with axe-core in German
and English and laid out at 320 px (the matrix's scan in tests/e2e/test_accessibility.py sees
the homes of its world, where most sections show their empty state)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from funding.models import Grant, ProgressReport
from funding.services import ShareInput, set_cofinancing_shares
from regiolab import mail
from regiolab.permissions import COORDINATORS_GROUP
from tests.e2e.test_accessibility import NARROW, WIDE, _axe, _context
from tests.factories import (
    CompanyMemberFactory,
    ConsultationFactory,
    FunderFactory,
    NetworkMembershipFactory,
    RegistrationFactory,
    TopicFactory,
    UserFactory,
    WorkshopFactory,
)
from tests.support.mfa import enable_totp
from workshops.models import Invitation

pytestmark = pytest.mark.e2e

# The home's own content at 320 px: nothing in <main> reaches past the viewport (the header's
# reflow is checked with every page by test_accessibility.py).
_MAIN_OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = e => e.getBoundingClientRect().right > width + 1;
  return [...document.querySelectorAll('main *')]
    .filter(e => wide(e) && ![...e.children].some(wide))
    .slice(0, 3).map(e => e.outerHTML.slice(0, 100));
}"""


def _main_reflows(page, label: str) -> list[str]:
    page.set_viewport_size(NARROW)
    try:
        culprits = page.evaluate(_MAIN_OVERFLOW)
    finally:
        page.set_viewport_size(WIDE)
    return [f"{label}: wider than 320 px: {' | '.join(culprits)}"] if culprits else []


def _world() -> dict:
    now, today = timezone.now(), timezone.localdate()
    coordinator = UserFactory(email="koordination@regiolab.example")
    coordinator.groups.add(Group.objects.get_or_create(name=COORDINATORS_GROUP)[0])
    enable_totp(coordinator)
    owner = CompanyMemberFactory(company__name="Alpha Antriebe")
    topic = TopicFactory(slug="robotik", name_de="Robotik", name_en="Robotics")
    owner.company.training_needs.add(topic)
    for days in (2, 6, 11):
        workshop = WorkshopFactory(capacity=2, starts_at=now + timedelta(days=days))
        workshop.topics.add(topic)
        RegistrationFactory(workshop=workshop, email=owner.user.email, company=owner.company)
        RegistrationFactory(workshop=workshop, status="waitlisted")
        Invitation.objects.create(workshop=workshop, email=f"i{days}@example.org", status="failed")
    recommended = WorkshopFactory(title="Cobots kompakt", starts_at=now + timedelta(days=30))
    recommended.topics.add(topic)
    ConsultationFactory(company=owner.company, follow_up_on=today - timedelta(days=1))
    ConsultationFactory(follow_up_on=today + timedelta(days=3))
    NetworkMembershipFactory(status="requested")
    funder_body = FunderFactory()
    funder = UserFactory(email="referat@ministerium.example")
    funder_body.users.add(funder)
    enable_totp(funder)
    grant = Grant.objects.create(
        reference="FKZ 01-HOME", title="Weiterbildungsverbünde", start_date=today,
        end_date=today + timedelta(days=365), total_eligible_costs=Decimal(1000),
    )  # fmt: skip
    set_cofinancing_shares(grant=grant, shares=[ShareInput(funder_body, Decimal(100))])
    ProgressReport.objects.create(
        grant=grant, kind="interim", status="failed", period_start=today, period_end=today
    )
    failed = mail.queue_rendered_email(to="x@example.org", subject="S", text="T")
    type(failed).objects.filter(pk=failed.pk).update(status="failed")
    return {
        "coordinator": coordinator,
        "representative": owner.user,
        "no company": UserFactory(),
        "funder": funder,
    }


@pytest.mark.django_db(transaction=True)
def test_every_roles_home_passes_axe_and_reflows(browser, live_server):
    problems = []
    for role, user in _world().items():
        context = _context(browser, live_server, user)
        page = context.new_page()
        try:
            page.goto("/")
            for language in ("de", "en"):
                if language == "en":
                    page.select_option("#language-select", "en")
                    with page.expect_navigation(wait_until="load"):
                        page.click(".language-switch button")
                label = f"/ ({role}, {language})"
                assert page.evaluate("document.documentElement.lang") == language, label
                assert page.locator("main h1").count() == 1, label
                assert page.locator("main section h2").count() >= 1, label
                problems += _axe(page, role, label)
                problems += _main_reflows(page, label)
        finally:
            context.close()
    assert not problems, "\n".join(problems)
