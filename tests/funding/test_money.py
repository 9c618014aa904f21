from decimal import Decimal

import pytest

from funding.money import allocate, to_cents


@pytest.mark.parametrize(
    "amount",
    ["986000.01", "0.01", "0.02", "0.03", "1.00", "99.99", "100.01", "12345.67", "0.005"],
)
def test_70_30_split_adds_up_to_the_cent(amount):
    parts = allocate(Decimal(amount), [Decimal(70), Decimal(30)])
    assert sum(parts) == to_cents(Decimal(amount))
    assert all(p == p.quantize(Decimal("0.01")) for p in parts)


def test_986000_01_split_70_30():
    assert allocate(Decimal("986000.01"), [Decimal(70), Decimal(30)]) == [
        Decimal("690200.01"),
        Decimal("295800.00"),
    ]


def test_every_odd_cent_amount_up_to_ten_euros_adds_up():
    for cents in range(1, 1001, 7):
        amount = Decimal(cents) / 100
        parts = allocate(amount, [Decimal("70"), Decimal("30")])
        assert sum(parts) == amount
        # no part is more than a cent away from its exact value
        assert abs(parts[0] - amount * Decimal("0.7")) < Decimal("0.01")


def test_three_way_split_gives_the_missing_cent_to_the_largest_remainder():
    assert allocate(Decimal("100"), [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]) == [
        Decimal("33.33"),
        Decimal("33.33"),
        Decimal("33.34"),
    ]
    parts = allocate(Decimal("0.10"), [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")])
    assert sum(parts) == Decimal("0.10")


def test_rounding_is_half_up_to_cents():
    assert to_cents(Decimal("0.005")) == Decimal("0.01")
    assert to_cents(Decimal("2.675")) == Decimal("2.68")
    assert allocate(Decimal("-10.01"), [Decimal(70), Decimal(30)]) == [
        Decimal("-7.01"),
        Decimal("-3.00"),
    ]
