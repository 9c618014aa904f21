"""Exact money arithmetic: Decimal throughout, cents only when shown or reported."""

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def to_cents(amount: Decimal) -> Decimal:
    """Round half-up to cents (for display and reports only)."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def allocate(amount: Decimal, percents: list[Decimal]) -> list[Decimal]:
    """Split ``amount`` (rounded to cents) by ``percents`` so the parts add up to the cent.

    Largest-remainder method: every part is first rounded down to cents, then the cents still
    missing go one by one to the parts with the largest remainders (earlier parts win ties).
    ``percents`` must add up to 100.
    """
    if not percents:
        return []
    total = to_cents(amount)
    sign = -1 if total < 0 else 1
    total = abs(total)
    exact = [total * Decimal(p) / HUNDRED for p in percents]
    parts = [e.quantize(CENT, rounding=ROUND_DOWN) for e in exact]
    missing = int((total - sum(parts)) / CENT)
    by_remainder = sorted(range(len(parts)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in by_remainder[:missing]:
        parts[i] += CENT
    return [sign * p for p in parts]


def format_amount(amount: Decimal) -> str:
    """Cents with the active language's separators and grouping: 1.234,56 (de), 1,234.56 (en).

    The same as the templates' ``floatformat:"2g"``, for messages and warnings built in Python.
    """
    from django.utils.formats import number_format

    return number_format(to_cents(amount), 2, use_l10n=True, force_grouping=True)
