"""SME size classes after Commission Recommendation 2003/361/EC.

An enterprise belongs to a class when its staff headcount (annual work units) is below the
class's ceiling *and* either its annual turnover or its balance-sheet total does not exceed the
class's financial ceiling. Partner enterprises' figures count pro rata to the share held, linked
enterprises' figures count whole (Annex, Articles 3 and 6).
"""

from dataclasses import dataclass
from decimal import Decimal

MILLION = Decimal("1000000")


@dataclass(frozen=True)
class Ceiling:
    size_class: str
    staff_below: Decimal
    turnover_max: Decimal
    balance_sheet_max: Decimal


CEILINGS = (
    Ceiling("micro", Decimal(10), 2 * MILLION, 2 * MILLION),
    Ceiling("small", Decimal(50), 10 * MILLION, 10 * MILLION),
    Ceiling("medium", Decimal(250), 50 * MILLION, 43 * MILLION),
)
LARGE = "large"


@dataclass(frozen=True)
class Figures:
    headcount: Decimal = Decimal(0)
    turnover: Decimal = Decimal(0)
    balance_sheet: Decimal = Decimal(0)

    def __add__(self, other: "Figures") -> "Figures":
        return Figures(
            self.headcount + other.headcount,
            self.turnover + other.turnover,
            self.balance_sheet + other.balance_sheet,
        )

    def scaled(self, share_percent: Decimal) -> "Figures":
        factor = Decimal(share_percent) / Decimal(100)
        return Figures(self.headcount * factor, self.turnover * factor, self.balance_sheet * factor)


def figures(headcount, turnover, balance_sheet) -> Figures:
    """Missing figures count as zero, so the known ones decide."""
    return Figures(Decimal(headcount or 0), Decimal(turnover or 0), Decimal(balance_sheet or 0))


def classify(total: Figures) -> str:
    for ceiling in CEILINGS:
        if total.headcount < ceiling.staff_below and (
            total.turnover <= ceiling.turnover_max
            or total.balance_sheet <= ceiling.balance_sheet_max
        ):
            return ceiling.size_class
    return LARGE
