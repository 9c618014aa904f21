"""Live portal figures that good practices (evidence of success) and action indicators link to.

Each figure has a code, a translated label, the scope parts it takes (topic, network, grant,
call, since, until) and a computation that counts it in one aggregate query. ``values_for``
computes many (figure, scope) pairs in one query per figure by conditional aggregation, so a
page showing many linked figures costs the same number of queries as a page showing one.

Rules shared with funding's indicators: a workshop counts as held when it was published or done
and has ended; participants are recorded attendance; a company is reached by a seat-holding
registration (confirmed, attended, no-show) for such a workshop. A challenge counts as matched
when the owner and the provider agreed on something (NDA, pilot or contract).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from challenges.models import Match
from funding.models import Expenditure
from funding.selectors import BERLIN, HELD_STATUSES
from workshops.models import Registration, Workshop

# The statuses in which a challenge owner and a provider agreed to work together.
AGREED_MATCH_STATUSES = (Match.Status.NDA, Match.Status.PILOT, Match.Status.CONTRACT)


@dataclass(frozen=True)
class Scope:
    """What a figure is narrowed to; every part left empty means "the whole portal"."""

    topic_id: int | None = None
    network_id: int | None = None
    grant_id: int | None = None
    call_id: int | None = None
    since: date | None = None
    until: date | None = None


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=BERLIN)


def _end(day: date) -> datetime:
    """The first instant after ``day`` (periods include their last day)."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=BERLIN)


# --- Conditions per figure ------------------------------------------------------------------
# Each returns the Q that selects the figure's rows for one scope, relative to the figure's
# base model, so one aggregate can hold many scopes side by side.


def _held_workshop_q(scope: Scope, prefix: str, now: datetime) -> Q:
    q = Q(**{f"{prefix}status__in": HELD_STATUSES, f"{prefix}ends_at__lte": now})
    if scope.topic_id:
        q &= Q(**{f"{prefix}topics": scope.topic_id})
    if scope.network_id:
        q &= Q(**{f"{prefix}network_id": scope.network_id})
    if scope.since:
        q &= Q(**{f"{prefix}ends_at__gte": _start(scope.since)})
    if scope.until:
        q &= Q(**{f"{prefix}ends_at__lt": _end(scope.until)})
    return q


def _workshops_held_q(scope: Scope, now: datetime) -> Q:
    return _held_workshop_q(scope, "", now)


def _participants_q(scope: Scope, now: datetime) -> Q:
    return Q(status=Registration.Status.ATTENDED) & _held_workshop_q(scope, "workshop__", now)


def _companies_reached_q(scope: Scope, now: datetime) -> Q:
    return Q(status__in=Registration.SEAT_HOLDING, company__isnull=False) & _held_workshop_q(
        scope, "workshop__", now
    )


def _grant_spent_q(scope: Scope, now: datetime) -> Q:
    if not scope.grant_id:
        # Money spent "from a grant" needs the grant; without one the figure is 0.
        return Q(pk__in=[])
    q = Q(grant_id=scope.grant_id)
    if scope.since:
        q &= Q(date__gte=scope.since)
    if scope.until:
        q &= Q(date__lte=scope.until)
    return q


def _challenges_matched_q(scope: Scope, now: datetime) -> Q:
    q = Q(status__in=AGREED_MATCH_STATUSES)
    if scope.call_id:
        q &= Q(challenge__call_id=scope.call_id)
    if scope.topic_id:
        q &= Q(challenge__topics=scope.topic_id)
    if scope.since:
        q &= Q(updated_at__gte=_start(scope.since))
    if scope.until:
        q &= Q(updated_at__lt=_end(scope.until))
    return q


@dataclass(frozen=True)
class Figure:
    code: str
    label: str
    # The scope parts this figure takes (names of Scope's fields).
    scope: tuple[str, ...]
    model: type
    condition: Callable[[Scope, datetime], Q]
    # "count" (distinct rows), "distinct_company" or "sum_amount".
    aggregate: str
    is_money: bool = False

    def _expression(self, q: Q):
        if self.aggregate == "sum_amount":
            return Sum("amount", filter=q)
        if self.aggregate == "distinct_company":
            return Count("company", filter=q, distinct=True)
        return Count("pk", filter=q, distinct=True)

    def compute(self, scope: Scope | None = None, *, now: datetime | None = None) -> Decimal:
        """The figure's value for one scope, in one aggregate query."""
        scope = self.narrow(scope or Scope())
        return values_for([(self.code, scope)], now=now)[(self.code, scope)]

    def narrow(self, scope: Scope) -> Scope:
        """The scope with the parts this figure does not take dropped."""
        return Scope(**{name: getattr(scope, name) for name in self.scope})


_PERIOD = ("since", "until")

FIGURES: dict[str, Figure] = {
    figure.code: figure
    for figure in (
        Figure(
            "workshops_held",
            _("workshops held"),
            ("topic_id", "network_id", *_PERIOD),
            Workshop,
            _workshops_held_q,
            "count",
        ),
        Figure(
            "participants",
            _("participants"),
            ("topic_id", "network_id", *_PERIOD),
            Registration,
            _participants_q,
            "count",
        ),
        Figure(
            "companies_reached",
            _("companies reached"),
            ("topic_id", "network_id", *_PERIOD),
            Registration,
            _companies_reached_q,
            "distinct_company",
        ),
        Figure(
            "grant_spent",
            _("money spent from a grant"),
            ("grant_id", *_PERIOD),
            Expenditure,
            _grant_spent_q,
            "sum_amount",
            is_money=True,
        ),
        Figure(
            "challenges_matched",
            _("challenges matched"),
            ("call_id", "topic_id", *_PERIOD),
            Match,
            _challenges_matched_q,
            "count",
        ),
    )
}


def figure(code: str) -> Figure:
    """The registered figure; KeyError for an unknown code."""
    return FIGURES[code]


def choices() -> list[tuple[str, str]]:
    return [(f.code, f.label) for f in FIGURES.values()]


def values_for(
    pairs: Iterable[tuple[str, Scope]], *, now: datetime | None = None
) -> dict[tuple[str, Scope], Decimal]:
    """{(code, scope): value} for every pair, in one aggregate query per figure used."""
    now = now or timezone.now()
    by_code: dict[str, list[Scope]] = {}
    for code, scope in pairs:
        scopes = by_code.setdefault(code, [])
        if scope not in scopes:
            scopes.append(scope)
    values: dict[tuple[str, Scope], Decimal] = {}
    for code, scopes in by_code.items():
        fig = FIGURES[code]
        expressions = {
            f"v{i}": fig._expression(fig.condition(scope, now)) for i, scope in enumerate(scopes)
        }
        row = fig.model._default_manager.order_by().aggregate(**expressions)
        for i, scope in enumerate(scopes):
            values[(code, scope)] = Decimal(row[f"v{i}"] or 0)
    return values
