"""Read paths of action plans: the plan page with each action's status and indicators against
their targets. Live indicators (a grant's indicator, a portal figure) are computed in one query
per figure and one grant_indicators() per grant used, so the queries do not grow with the
number of actions or indicators."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from challenges.models import Challenge, Match
from companies.models import Company
from funding.models import Grant
from funding.models import Indicator as GrantIndicator
from funding.selectors import HELD_STATUSES, INDICATOR_SOURCES, grant_indicators
from networks.models import TrainingNetwork
from policy import figures
from policy.models import (
    Action,
    ActionIndicator,
    ActionPlan,
    GoodPractice,
    IndicatorValue,
    MonitoringNarrative,
    MonitoringReport,
    StakeholderGroup,
)
from regiolab import caching
from workshops.models import Workshop

Source = ActionIndicator.Source
FIGURE_SOURCES = {
    Source.WORKSHOPS_HELD: "workshops_held",
    Source.COMPANIES_REACHED: "companies_reached",
    Source.CHALLENGES_MATCHED: "challenges_matched",
}


def plan_list() -> QuerySet[ActionPlan]:
    return (
        ActionPlan.objects.select_related("group")
        .annotate(action_count=Count("actions", distinct=True))
        .order_by("-period_start", "title", "pk")
    )


@dataclass
class IndicatorStatus:
    indicator: ActionIndicator
    value: Decimal | None
    measured_on: date | None
    live: bool
    history: list[IndicatorValue]

    @property
    def target(self) -> Decimal:
        return self.indicator.target

    @property
    def percent(self) -> int | None:
        if self.value is None or not self.target:
            return None
        return int(self.value * 100 / self.target)

    @property
    def bar(self) -> int:
        return max(0, min(self.percent or 0, 100))

    @property
    def reached(self) -> bool:
        return self.value is not None and self.value >= self.target


@dataclass
class ActionRow:
    action: Action
    indicators: list[IndicatorStatus]


def _scope(indicator: ActionIndicator, since: date, until: date) -> figures.Scope:
    return figures.figure(FIGURE_SOURCES[indicator.source]).narrow(
        figures.Scope(
            topic_id=indicator.topic_id, network_id=indicator.network_id, since=since, until=until
        )
    )


def indicator_statuses(
    indicators: list[ActionIndicator], *, since: date, until: date, now=None
) -> dict[int, IndicatorStatus]:
    """Each indicator's value as of ``until`` (values entered by hand: the last one measured on
    or before it; live ones: computed for the period). ``indicators`` come with their values
    prefetched (newest first) and grant_indicator__grant selected."""
    now = now or timezone.now()
    until = min(until, timezone.localdate(now))
    pairs = [
        (FIGURE_SOURCES[i.source], _scope(i, since, until))
        for i in indicators
        if i.source in FIGURE_SOURCES
    ]
    figure_values = figures.values_for(pairs, now=now) if pairs else {}
    grants: dict[int, Grant] = {
        i.grant_indicator.grant_id: i.grant_indicator.grant
        for i in indicators
        if i.source == Source.GRANT_INDICATOR and i.grant_indicator_id
    }
    grant_values = {
        pk: grant_indicators(
            grant=grant,
            period_start=max(since, grant.start_date),
            period_end=max(min(until, grant.end_date), max(since, grant.start_date)),
            now=now,
        )
        for pk, grant in grants.items()
    }
    statuses = {}
    for i in indicators:
        history = list(i.values.all())
        value, measured_on, live = None, None, i.source != Source.MANUAL
        if i.source == Source.MANUAL:
            current = next((v for v in history if v.measured_on <= until), None)
            if current is not None:
                value, measured_on = current.value, current.measured_on
        elif i.source == Source.GRANT_INDICATOR:
            if i.grant_indicator_id:
                raw = grant_values[i.grant_indicator.grant_id].get(i.grant_indicator.code)
                if isinstance(raw, int | float | Decimal):
                    value = Decimal(str(raw))
                measured_on = until
        else:
            value = figure_values[(FIGURE_SOURCES[i.source], _scope(i, since, until))]
            measured_on = until
        statuses[i.pk] = IndicatorStatus(i, value, measured_on, live, history)
    return statuses


def _indicators_prefetch() -> Prefetch:
    return Prefetch(
        "indicators",
        queryset=ActionIndicator.objects.select_related("grant_indicator__grant")
        .prefetch_related(
            Prefetch("values", queryset=IndicatorValue.objects.order_by("-measured_on", "-pk"))
        )
        .order_by("position", "pk"),
    )


def plan_actions(plan: ActionPlan) -> list[Action]:
    return list(
        Action.objects.filter(plan=plan)
        .select_related("responsible", "grant")
        .prefetch_related(_indicators_prefetch())
        .order_by("position", "pk")
    )


def plan_rows(plan: ActionPlan, *, until: date | None = None, since: date | None = None):
    """[ActionRow] of the plan, with indicators against targets as of ``until`` (default: the
    end of the plan's period, or today while it runs)."""
    actions = plan_actions(plan)
    indicators = [i for a in actions for i in a.indicators.all()]
    statuses = indicator_statuses(
        indicators, since=since or plan.period_start, until=until or plan.period_end
    )
    return [ActionRow(a, [statuses[i.pk] for i in a.indicators.all()]) for a in actions]


# A plan page below its heading: its facts (group, practices), actions, indicators, their
# values and every source a live indicator counts from (portal figures, grant indicators).
# Live figures also change with time alone when a workshop ends: the key holds the number of
# held workshops ended so far in the plan's period (ended_so_far) and the day (values as of
# today while the plan runs).
PLAN_ACTIONS = caching.declare(
    "action_plan_actions",
    reads=[
        ActionPlan,
        ActionPlan.practices.through,
        GoodPractice,
        StakeholderGroup,
        Action,
        ActionIndicator,
        IndicatorValue,
        Company,
        Grant,
        Grant.networks.through,
        TrainingNetwork,
        GrantIndicator,
        *[source for source in INDICATOR_SOURCES if not isinstance(source, caching.columns)],
        Workshop.topics.through,
        Match,
        Challenge,
        Challenge.topics.through,
    ],
    varies_by=["plan", "today", "ended"],
)


# The ends of the held (published or done) workshops in a period, as sorted POSIX timestamps
# (small to read): a request bisects them instead of counting the workshops in the database,
# a sequential scan that was the largest query of a warm plan page.
PLAN_WORKSHOP_ENDS = caching.declare(
    "plan_workshop_ends", reads=[Workshop], varies_by=["period_start", "period_end"]
)


def ended_so_far(plan: ActionPlan, *, now=None) -> int:
    """Held workshops ended by now within the plan's period."""

    def ends() -> list[float]:
        held = Workshop.objects.filter(
            status__in=HELD_STATUSES,
            ends_at__gte=figures._start(plan.period_start),
            ends_at__lt=figures._end(plan.period_end),
        )
        return sorted(end.timestamp() for end in held.values_list("ends_at", flat=True))

    found = PLAN_WORKSHOP_ENDS.get(ends, period_start=plan.period_start, period_end=plan.period_end)
    return bisect_right(found, (now or timezone.now()).timestamp())


@dataclass
class ActionsSection:
    rows: list[ActionRow]
    status_counts: list[tuple[str, str, int]]


def actions_section(plan: ActionPlan) -> ActionsSection:
    rows = plan_rows(plan)
    return ActionsSection(rows, status_counts(rows))


def plan_for_page(pk: int) -> ActionPlan:
    """The plan alone: its group and practices are read only when the cached part of the page
    (PLAN_ACTIONS) is built."""
    return ActionPlan.objects.get(pk=pk)


def status_counts(rows: list[ActionRow]) -> list[tuple[str, str, int]]:
    counts = dict.fromkeys(Action.Status.values, 0)
    for row in rows:
        counts[row.action.status] += 1
    return [(code, label, counts[code]) for code, label in Action.Status.choices]


def reports_of(plan: ActionPlan) -> QuerySet[MonitoringReport]:
    return plan.reports.select_related("requested_by").order_by("-requested_at", "-pk")


def latest_narratives(plan: ActionPlan) -> dict[int, str]:
    """action id → the narrative of the plan's latest monitoring report, for prefilling."""
    latest = plan.reports.order_by("-requested_at", "-pk").first()
    if latest is None:
        return {}
    return dict(MonitoringNarrative.objects.filter(report=latest).values_list("action_id", "text"))


def report_of(pk: int) -> MonitoringReport:
    return MonitoringReport.objects.select_related("plan").get(pk=pk)
