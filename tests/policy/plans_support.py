"""An action plan with actions whose indicators are entered by hand, linked to a portal figure
and linked to a grant's indicator."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from funding.models import Grant, Indicator
from policy.models import Action, ActionIndicator, ActionPlan, IndicatorValue
from tests.factories import CompanyFactory


@pytest.fixture(autouse=True)
def _private_files_in_tmp(settings, tmp_path):
    """Report files go to a temporary private storage, never into the checkout."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }


def make_grant(reference="FKZ 03P2001") -> Grant:
    grant = Grant.objects.create(
        reference=reference, title="Innovationsregion Nordhessen",
        start_date=date(2025, 1, 1), end_date=date(2028, 12, 31),
        total_eligible_costs=Decimal(500000),
    )  # fmt: skip
    Indicator.objects.create(grant=grant, code="workshops_held", target=12)
    return grant


def make_plan(*, actions=3, grant=None, title="Aktionsplan Nordhessen", long=False) -> ActionPlan:
    today = date.today()
    plan = ActionPlan.objects.create(
        title=title, region="Nordhessen",
        period_start=today - timedelta(days=365), period_end=today + timedelta(days=365),
    )  # fmt: skip
    company = CompanyFactory(name="Regionalmanagement Nordhessen GmbH")
    statuses = list(Action.Status.values)
    for n in range(actions):
        text = " Donaudampfschifffahrtsgesellschaftskapitänsmützenabzeichen" * 2 if long else ""
        action = Action.objects.create(
            plan=plan, position=n, title=f"Maßnahme {n + 1}: Open Innovation Challenge{text}",
            description="Beschreibung", responsible=company if n % 2 else None,
            responsible_text="" if n % 2 else "Stadt Kassel", status=statuses[n % 5],
            estimated_cost=Decimal("12500.50"), grant=grant if n % 2 else None,
            funding_text="" if n % 2 else "EFRE",
        )  # fmt: skip
        manual = ActionIndicator.objects.create(
            action=action, name=f"Unternehmen beraten{text}", unit="Unternehmen", target=20
        )
        IndicatorValue.objects.create(
            indicator=manual, value=5, measured_on=today - timedelta(days=100)
        )
        IndicatorValue.objects.create(
            indicator=manual, value=8, measured_on=today - timedelta(days=10)
        )
        ActionIndicator.objects.create(
            action=action, name="Workshops durchgeführt", target=4,
            source=ActionIndicator.Source.WORKSHOPS_HELD, position=1,
        )  # fmt: skip
        if grant is not None:
            ActionIndicator.objects.create(
                action=action, name="Workshops laut Förderung", target=12,
                source=ActionIndicator.Source.GRANT_INDICATOR,
                grant_indicator=grant.indicators.get(code="workshops_held"), position=2,
            )  # fmt: skip
    return plan


def cache_declaration_pages(world) -> list[str]:
    """The page of a plan whose indicators read every source (tests/test_cache_declarations)."""
    grant = world["grant"]
    Indicator.objects.get_or_create(grant=grant, code="workshops_held", defaults={"target": 5})
    from tests.policy.groups_support import make_group
    from tests.policy.practices_support import make_practice

    plan = make_plan(actions=2, grant=grant, title="Cache-Aktionsplan")
    # The facts in the cached part: the group and a practice the plan builds on.
    plan.group = make_group(members=0)
    plan.save(update_fields=["group"])
    plan.practices.add(make_practice(2))
    action = plan.actions.first()
    ActionIndicator.objects.create(
        action=action, name="Vermittelt", target=2, topic=world["topic"],
        source=ActionIndicator.Source.CHALLENGES_MATCHED,
    )  # fmt: skip
    ActionIndicator.objects.create(
        action=action, name="Erreicht", target=2, network=world["network"],
        source=ActionIndicator.Source.COMPANIES_REACHED,
    )  # fmt: skip
    return [plan.get_absolute_url()]
