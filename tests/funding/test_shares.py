from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from funding.models import CofinancingShare, Grant
from funding.selectors import share_amounts
from funding.services import ShareInput, set_cofinancing_shares
from tests.factories import FunderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bare_grant(db):
    return Grant.objects.create(
        reference="ZUW-2026-17",
        title="Verbund",
        start_date=date(2026, 1, 1),
        end_date=date(2026, 12, 31),
        total_eligible_costs=Decimal("986000.01"),
    )


def _check_deferred_now():
    # Deferred constraints fire at commit; in a test transaction, make them fire here.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_70_30_accepted_and_amounts_follow_from_the_total(bare_grant, funders):
    set_cofinancing_shares(
        grant=bare_grant,
        shares=[ShareInput(funders[0], Decimal(70)), ShareInput(funders[1], Decimal(30))],
    )
    _check_deferred_now()
    amounts = {s.funder.name: a for s, a in share_amounts(grant=bare_grant)}
    assert amounts == {
        "Bundesministerium für Bildung": Decimal("690200.01"),
        "Region Hannover": Decimal("295800.00"),
    }
    assert sum(amounts.values()) == Decimal("986000.01")


@pytest.mark.parametrize(
    ("percents", "message"),
    [
        (["70", "40"], "add up to 110 %"),
        (["70", "29.99"], "add up to 99.99 %"),
        (["130", "-30"], "at most 100 %"),
        (["100", "0"], "more than 0 %"),
    ],
)
@pytest.mark.usefixtures("english")
def test_bad_shares_refused_with_clear_message(bare_grant, funders, percents, message):
    with pytest.raises(ValidationError) as exc:
        set_cofinancing_shares(
            grant=bare_grant,
            shares=[ShareInput(f, Decimal(p)) for f, p in zip(funders, percents, strict=True)],
        )
    assert message in " ".join(exc.value.messages)
    assert not CofinancingShare.objects.exists()


def test_same_funder_twice_refused(bare_grant, funders):
    with pytest.raises(ValidationError):
        set_cofinancing_shares(
            grant=bare_grant,
            shares=[ShareInput(funders[0], Decimal(50)), ShareInput(funders[0], Decimal(50))],
        )


def test_database_trigger_refuses_a_sum_other_than_100(bare_grant, funders):
    """A writer that bypasses the service (admin, shell) still meets the deferred trigger."""
    with pytest.raises(IntegrityError, match="add up to 99.99"), transaction.atomic():
        CofinancingShare.objects.create(grant=bare_grant, funder=funders[0], percent=70)
        CofinancingShare.objects.create(grant=bare_grant, funder=funders[1], percent="29.99")
        _check_deferred_now()


def test_database_trigger_allows_rewriting_shares_within_one_transaction(bare_grant, funders):
    set_cofinancing_shares(
        grant=bare_grant,
        shares=[ShareInput(funders[0], Decimal(70)), ShareInput(funders[1], Decimal(30))],
    )
    third = FunderFactory(name="EU ESF Plus")
    set_cofinancing_shares(
        grant=bare_grant,
        shares=[
            ShareInput(funders[0], Decimal(50)),
            ShareInput(funders[1], Decimal("25.5")),
            ShareInput(third, Decimal("24.5")),
        ],
    )
    _check_deferred_now()
    assert sorted(bare_grant.shares.values_list("percent", flat=True)) == [
        Decimal("24.50"),
        Decimal("25.50"),
        Decimal("50.00"),
    ]


def test_check_constraint_refuses_negative_percent(bare_grant, funders):
    with pytest.raises(IntegrityError, match="share_percent_range"), transaction.atomic():
        CofinancingShare.objects.create(grant=bare_grant, funder=funders[0], percent=-30)
