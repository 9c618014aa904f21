"""Size classes by Recommendation 2003/361/EC, at every boundary."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from companies import services
from companies.models import AssociatedEnterprise, Company
from companies.sizing import Figures, classify, figures
from tests.factories import CompanyFactory

M = Decimal("1000000")


def size(headcount, turnover=0, balance_sheet=0) -> str:
    return classify(figures(headcount, turnover, balance_sheet))


@pytest.mark.parametrize(
    ("headcount", "expected"),
    [
        (0, "micro"),
        (9, "micro"),
        (Decimal("9.9"), "micro"),
        (10, "small"),
        (49, "small"),
        (Decimal("49.5"), "small"),
        (50, "medium"),
        (249, "medium"),
        (250, "large"),
        (10_000, "large"),
    ],
)
def test_staff_boundaries(headcount, expected):
    assert size(headcount) == expected


@pytest.mark.parametrize(
    ("headcount", "turnover", "expected"),
    [
        (5, 2 * M, "micro"),  # exactly 2 M€ is still micro
        (5, 2 * M + 1, "small"),
        (20, 10 * M, "small"),  # exactly 10 M€ is still small
        (20, 10 * M + 1, "medium"),
        (100, 50 * M, "medium"),  # exactly 50 M€ is still medium
        (100, 50 * M + 1, "large"),
    ],
)
def test_turnover_boundaries_when_balance_sheet_also_over(headcount, turnover, expected):
    # A balance sheet over every ceiling, so the turnover alone decides.
    assert size(headcount, turnover, 100 * M) == expected


@pytest.mark.parametrize(
    ("headcount", "balance_sheet", "expected"),
    [
        (5, 2 * M, "micro"),
        (5, 2 * M + 1, "small"),
        (20, 10 * M, "small"),
        (20, 10 * M + 1, "medium"),
        (100, 43 * M, "medium"),  # exactly 43 M€ is still medium
        (100, 43 * M + 1, "large"),
    ],
)
def test_balance_sheet_boundaries_when_turnover_over(headcount, balance_sheet, expected):
    assert size(headcount, 100 * M, balance_sheet) == expected


def test_balance_sheet_alternative_turnover_over_balance_sheet_under():
    # Turnover 60 M€ is over the medium ceiling, balance sheet 40 M€ under: still medium.
    assert size(200, 60 * M, 40 * M) == "medium"
    # 12 M€ turnover but a 9 M€ balance sheet: small.
    assert size(30, 12 * M, 9 * M) == "small"
    # Both financial figures over: the next class up although staff fits.
    assert size(30, 12 * M, 11 * M) == "medium"


def test_staff_ceiling_wins_over_financial_figures():
    assert size(10, 0, 0) == "small"
    assert size(250, 1, 1) == "large"


def test_missing_figures_count_as_zero():
    assert classify(figures(None, None, None)) == "micro"
    assert classify(Figures()) == "micro"


@pytest.mark.django_db
def test_company_size_class_and_stored_copy():
    company = CompanyFactory(headcount=49, annual_turnover=10 * M, balance_sheet_total=None)
    assert company.size_class == "small"
    company.refresh_from_db()
    assert company.size_class_stored == "small"
    company.headcount = Decimal(50)
    company.save(update_fields=["headcount"])
    company.refresh_from_db()
    assert company.size_class_stored == "medium"
    assert Company.objects.filter(size_class_stored="medium").count() == 1


@pytest.mark.django_db
def test_partner_counts_pro_rata_and_linked_whole():
    company = CompanyFactory(headcount=30, annual_turnover=4 * M, balance_sheet_total=3 * M)
    assert company.size_class == "small"
    # A partner held at 40 %: 40 % of 30 staff = 12 → 42 staff, still small.
    partner = services.add_associated_enterprise(
        company=company,
        name="Partner AG",
        relation=AssociatedEnterprise.Relation.PARTNER,
        share_percent=Decimal(40),
        headcount=Decimal(30),
        annual_turnover=5 * M,
        balance_sheet_total=5 * M,
    )
    company.refresh_from_db()
    assert company.associated_headcount == Decimal("12.00")
    assert company.associated_turnover == 2 * M
    assert company.associated_balance_sheet == 2 * M
    assert company.size_class == "small"
    assert company.size_class_stored == "small"

    # A linked enterprise counts whole (share held does not matter): 42 + 8 = 50 → medium.
    linked = services.add_associated_enterprise(
        company=company,
        name="Tochter GmbH",
        relation=AssociatedEnterprise.Relation.LINKED,
        share_percent=Decimal(60),
        headcount=Decimal(8),
    )
    company.refresh_from_db()
    assert company.associated_headcount == Decimal("20.00")
    assert company.size_class == "medium"
    assert company.size_class_stored == "medium"

    # Changing and deleting rows keeps the aggregates in step.
    services.update_associated_enterprise(enterprise=linked, headcount=Decimal(7))
    company.refresh_from_db()
    assert company.associated_headcount == Decimal("19.00")
    assert company.size_class_stored == "small"

    services.delete_associated_enterprise(enterprise=partner)
    company.refresh_from_db()
    assert company.associated_headcount == Decimal("7.00")
    assert company.associated_turnover == 0
    assert company.size_class_stored == "small"
    services.delete_associated_enterprise(enterprise=linked)
    company.refresh_from_db()
    assert (
        company.associated_headcount,
        company.associated_turnover,
        company.associated_balance_sheet,
    ) == (0, 0, 0)


@pytest.mark.django_db
def test_associated_financial_figures_push_over_ceiling():
    company = CompanyFactory(headcount=5, annual_turnover=M, balance_sheet_total=M)
    assert company.size_class == "micro"
    services.add_associated_enterprise(
        company=company,
        name="Mutter GmbH",
        relation=AssociatedEnterprise.Relation.LINKED,
        share_percent=Decimal(100),
        headcount=Decimal(1),
        annual_turnover=M + 1,
        balance_sheet_total=M + 1,
    )
    company.refresh_from_db()
    assert company.size_class_stored == "small"


@pytest.mark.django_db
def test_invalid_associated_row_changes_nothing():
    company = CompanyFactory(headcount=5, annual_turnover=M, balance_sheet_total=M)
    with pytest.raises(ValidationError) as excinfo:
        services.add_associated_enterprise(
            company=company,
            name="Kaputt",
            relation="partner",
            share_percent=Decimal(120),
            headcount=Decimal(500),
        )
    assert "share_percent" in excinfo.value.message_dict
    company.refresh_from_db()
    assert company.associated_headcount == 0
    assert not AssociatedEnterprise.objects.exists()
