from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from funding.models import BudgetLine, Expenditure, Grant, Indicator
from funding.services import ShareInput, set_cofinancing_shares
from tests.factories import (
    CompanyFactory,
    ConsultationFactory,
    FunderFactory,
    NetworkMembershipFactory,
    RegistrationFactory,
    TrainingNetworkFactory,
    UserFactory,
    WorkshopFactory,
)
from tests.support.mfa import enable_totp


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
    enable_totp(user)
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


BERLIN = ZoneInfo("Europe/Berlin")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


@pytest.fixture
def world(db):
    """Known companies, memberships, consultations, workshops and attendance (see test_indicators)."""
    n1, n2, other = (TrainingNetworkFactory() for _ in range(3))
    grant = Grant.objects.create(
        reference="IND-1", title="Indikatoren", start_date=date(2026, 1, 1),
        end_date=date(2027, 12, 31), total_eligible_costs=Decimal(1000),
    )  # fmt: skip
    grant.networks.set([n1, n2])
    c1 = CompanyFactory(name="C1 small", sector="C")
    c2 = CompanyFactory(name="C2 medium", sector="J", headcount=100, annual_turnover=20_000_000)
    c3 = CompanyFactory(
        name="C3 large", sector="C", headcount=300, annual_turnover=100_000_000,
        balance_sheet_total=80_000_000,
    )  # fmt: skip
    c4 = CompanyFactory(
        name="C4 micro", sector="G", headcount=5, annual_turnover=1_000_000,
        balance_sheet_total=1_000_000,
    )  # fmt: skip
    c5 = CompanyFactory(name="C5 elsewhere")
    c6 = CompanyFactory(name="C6 cancelled")
    c7 = CompanyFactory(name="C7 requested")
    assert [c.size_class for c in (c1, c2, c3, c4)] == ["small", "medium", "large", "micro"]

    NetworkMembershipFactory(network=n1, company=c1, joined_on=date(2025, 6, 1))
    NetworkMembershipFactory(network=n2, company=c2, joined_on=date(2026, 8, 1))
    NetworkMembershipFactory(
        network=n1, company=c4, status="left", joined_on=date(2025, 1, 1), left_on=date(2026, 2, 15)
    )
    NetworkMembershipFactory(network=n1, company=c7, status="requested")
    NetworkMembershipFactory(network=other, company=c5, joined_on=date(2025, 1, 1))

    for company, day in [
        (c1, date(2026, 2, 1)), (c1, date(2026, 9, 1)), (c1, date(2026, 10, 1)),
        (c3, date(2026, 4, 1)), (c2, date(2026, 3, 1)), (c2, date(2026, 11, 1)),
        (c5, date(2026, 3, 3)),
    ]:  # fmt: skip
        ConsultationFactory(company=company, date=day)

    w1 = WorkshopFactory(
        network=n1, status="done", starts_at=at(2026, 3, 10, 9), ends_at=at(2026, 3, 10, 13)
    )
    RegistrationFactory(
        workshop=w1, company=c3, status="attended", gender="female", age_band="25_54"
    )
    RegistrationFactory(
        workshop=w1, company=c1, status="attended", gender="male", age_band="under_25"
    )
    RegistrationFactory(workshop=w1, company=c1, status="no_show")
    RegistrationFactory(workshop=w1, company=c6, status="cancelled")
    RegistrationFactory(workshop=w1, company=c6, status="waitlisted")
    RegistrationFactory(workshop=w1, company=None, status="attended")
    # Ends 23:30 Berlin on 30 June (21:30 UTC): still the first half.
    w6 = WorkshopFactory(
        network=n1, status="done", starts_at=at(2026, 6, 30, 20), ends_at=at(2026, 6, 30, 23, 30)
    )
    RegistrationFactory(workshop=w6, company=c1, status="attended")
    w2 = WorkshopFactory(
        network=n2,
        status="published",
        starts_at=at(2026, 9, 15, 10),
        ends_at=at(2026, 9, 15, 16, 30),
    )
    RegistrationFactory(
        workshop=w2, company=c2, status="attended", gender="female", age_band="55_plus"
    )
    RegistrationFactory(workshop=w2, company=c2, status="attended", gender="diverse")
    RegistrationFactory(workshop=w2, company=c1, status="confirmed")
    w4 = WorkshopFactory(
        network=other, status="done", starts_at=at(2026, 5, 5, 9), ends_at=at(2026, 5, 5, 17)
    )
    RegistrationFactory(workshop=w4, company=c5, status="attended")
    WorkshopFactory(
        network=n1, status="draft", starts_at=at(2026, 5, 6, 9), ends_at=at(2026, 5, 6, 17)
    )
    WorkshopFactory(
        network=n1, status="cancelled", starts_at=at(2026, 5, 7, 9), ends_at=at(2026, 5, 7, 17)
    )
    return grant
