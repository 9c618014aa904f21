"""grant_indicators on a fixture with known numbers, for two periods."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from funding.models import Grant
from funding.selectors import grant_indicators
from tests.factories import (
    CompanyFactory,
    ConsultationFactory,
    NetworkMembershipFactory,
    RegistrationFactory,
    TrainingNetworkFactory,
    WorkshopFactory,
)

BERLIN = ZoneInfo("Europe/Berlin")
FIRST_HALF = (date(2026, 1, 1), date(2026, 6, 30))
SECOND_HALF = (date(2026, 7, 1), date(2026, 12, 31))


def at(*args) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


@pytest.fixture
def world(db):
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


def test_first_half_of_2026(world):
    values = grant_indicators(grant=world, period_start=FIRST_HALF[0], period_end=FIRST_HALF[1])
    assert values == {
        "companies_reached": 3,  # C1 (member, attended), C3 (attended), C4 (member until Feb)
        "companies_advised": 2,  # C1, C3; C2 was not reached yet, C5 is in another network
        "smes_in_networks": 2,  # C1 small, C4 micro
        "workshops_held": 2,  # W1 and W6 (ends 23:30 on 30 June)
        "participants": 4,  # three attended in W1 (one without company), one in W6
        "participant_hours": Decimal("15.5"),  # 3 × 4 h + 1 × 3.5 h
        "participants_by_gender": {"female": 1, "male": 1},
        "participants_by_age_band": {"25_54": 1, "under_25": 1},
        "companies_by_size_class": {"small": 1, "large": 1, "micro": 1},
        "companies_by_sector": {"C": 2, "G": 1},
    }


def test_second_half_of_2026(world):
    values = grant_indicators(grant=world, period_start=SECOND_HALF[0], period_end=SECOND_HALF[1])
    assert values == {
        "companies_reached": 2,  # C1 (member, confirmed for W2), C2 (joined in August)
        "companies_advised": 2,
        "smes_in_networks": 2,
        "workshops_held": 1,
        "participants": 2,
        "participant_hours": Decimal("13.0"),
        "participants_by_gender": {"female": 1, "diverse": 1},
        "participants_by_age_band": {"55_plus": 1},
        "companies_by_size_class": {"small": 1, "medium": 1},
        "companies_by_sector": {"C": 1, "J": 1},
    }


def test_period_before_anything_happened(world):
    values = grant_indicators(
        grant=world, period_start=date(2024, 1, 1), period_end=date(2024, 12, 31)
    )
    assert values["companies_reached"] == 0
    assert values["participants"] == 0
    assert values["participant_hours"] == 0
