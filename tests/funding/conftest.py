from datetime import date
from decimal import Decimal

import pytest

from funding.models import BudgetLine, Expenditure, Grant, Indicator
from funding.services import ShareInput, set_cofinancing_shares
from tests.factories import FunderFactory, TrainingNetworkFactory, UserFactory


@pytest.fixture
def funders(db):
    return (
        FunderFactory(name="Bundesministerium für Bildung", level="federal"),
        FunderFactory(name="Region Hannover", level="region"),
    )


@pytest.fixture
def grant(db, funders, coordinator):
    """A 2026–2027 grant, 70/30 co-financed, one network, budgets, expenditures, targets."""
    grant = Grant.objects.create(
        reference="FKZ 01PV26001",
        title="Weiterbildungsverbünde Region Hannover",
        start_date=date(2026, 1, 1),
        end_date=date(2027, 12, 31),
        total_eligible_costs=Decimal("986000.01"),
    )
    grant.coordinators.add(coordinator)
    grant.networks.add(TrainingNetworkFactory(name="Verbund Robotik"))
    set_cofinancing_shares(
        grant=grant,
        shares=[ShareInput(funders[0], Decimal(70)), ShareInput(funders[1], Decimal(30))],
    )
    BudgetLine.objects.create(grant=grant, category="personnel", year=2026, amount=Decimal(200000))
    BudgetLine.objects.create(grant=grant, category="travel", year=2026, amount=Decimal(100))
    Expenditure.objects.create(
        grant=grant, date=date(2026, 3, 31), category="personnel", payee="Gehalt Koordination",
        purpose="Personal März", amount=Decimal("5000.01"), receipt_reference="B-2026-001",
    )  # fmt: skip
    Expenditure.objects.create(
        grant=grant, date=date(2026, 4, 2), category="travel", payee="Deutsche Bahn",
        purpose="Fahrt Hannover–Berlin", amount=Decimal("123.45"), receipt_reference="B-2026-002",
    )  # fmt: skip
    Indicator.objects.create(grant=grant, code="companies_reached", target=40)
    Indicator.objects.create(grant=grant, code="workshops_held", target=10)
    return grant


@pytest.fixture
def funder_user(funders):
    user = UserFactory(email="referat@bmbf.example")
    funders[0].users.add(user)
    return user


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
