"""Read paths for funding: scoped grant queries, indicators, budget against spending."""

from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cached_property
from zoneinfo import ZoneInfo

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import ExtractYear
from django.utils import timezone

from challenges.figures import FIGURE_SOURCES as CHALLENGE_SOURCES
from challenges.figures import grant_challenge_figures
from companies.models import Company, Consultation, SizeClass
from learning.selectors import FIGURE_SOURCES as LEARNING_SOURCES
from learning.selectors import grant_learning_figures
from networks.models import NetworkMembership, TrainingNetwork
from regiolab import caching
from regiolab.permissions import is_coordinator
from surveys.models import Answer as SurveyAnswer
from surveys.models import Question as SurveyQuestion
from surveys.models import Response as SurveyResponse
from surveys.models import Survey
from surveys.selectors import grant_survey_figures
from workshops.models import Registration, StatisticsTally, Workshop

from .models import (
    BudgetLine,
    CofinancingShare,
    CostCategory,
    Expenditure,
    Funder,
    FundingProgramme,
    Grant,
    Indicator,
    IndicatorCode,
    ProgressReport,
)
from .money import allocate, format_amount

BERLIN = ZoneInfo("Europe/Berlin")
# Registrations that mean the company took part (not cancelled, not only on the waitlist).
REACHING_STATUSES = (
    Registration.Status.CONFIRMED,
    Registration.Status.ATTENDED,
    Registration.Status.NO_SHOW,
)
# A workshop can have been held only if it was published (done: marked so after its end);
# drafts and cancelled workshops never count, whatever their registrations say.
HELD_STATUSES = (Workshop.Status.PUBLISHED, Workshop.Status.DONE)
SMES = (SizeClass.MICRO, SizeClass.SMALL, SizeClass.MEDIUM)


# --- Grants, scoped -------------------------------------------------------------------------


def grants_visible_to(user) -> QuerySet[Grant]:
    """Coordinators see every grant, a funder's users the grants their body co-finances."""
    if not user.is_authenticated:
        return Grant.objects.none()
    if is_coordinator(user):
        return Grant.objects.all()
    return Grant.objects.filter(shares__funder__users=user).distinct()


def grants_for_list(user) -> QuerySet[Grant]:
    return (
        grants_visible_to(user)
        .select_related("programme")
        .prefetch_related(
            Prefetch("shares", queryset=CofinancingShare.objects.select_related("funder"))
        )
        .order_by("-start_date", "reference")
    )


def grant_detail(*, user, pk: int) -> Grant:
    """One visible grant; Grant.DoesNotExist (views answer 404) when the user may not see it."""
    return (
        grants_visible_to(user)
        .select_related("programme")
        .prefetch_related(
            Prefetch("shares", queryset=CofinancingShare.objects.select_related("funder")),
            "networks",
            "coordinators",
            "indicators",
        )
        .get(pk=pk)
    )


def grant_for_page(*, user, pk: int) -> Grant:
    """One visible grant with its programme, nothing more: the grant page reads the rest through
    GrantPage, only for the fragments it has to build. Grant.DoesNotExist when not visible."""
    return grants_visible_to(user).select_related("programme").get(pk=pk)


def reports_of(*, grant: Grant) -> QuerySet[ProgressReport]:
    return grant.reports.select_related("requested_by").order_by("-requested_at", "-pk")


def report_visible_to(*, user, pk: int) -> ProgressReport:
    return ProgressReport.objects.select_related("grant").get(
        pk=pk, grant__in=grants_visible_to(user)
    )


def expenditure_of(*, grant: Grant, pk: int) -> Expenditure:
    """One expenditure of this grant (Expenditure.DoesNotExist for another grant's)."""
    return grant.expenditures.select_related("grant").get(pk=pk)


def receipt_visible_to(*, user, pk: int) -> Expenditure:
    """An expenditure with a receipt file of a grant the user may see, else DoesNotExist."""
    return (
        Expenditure.objects.select_related("grant")
        .exclude(receipt_file="")
        .get(pk=pk, grant__in=grants_visible_to(user))
    )


def expenditure_sum(queryset: QuerySet) -> dict:
    """{"count": n, "total": Decimal} of a (filtered) expenditure queryset, in one query."""
    totals = queryset.order_by().aggregate(count=Count("pk"), total=Sum("amount"))
    return {"count": totals["count"], "total": totals["total"] or Decimal(0)}


def expenditures_of(*, grant: Grant, period_start=None, period_end=None) -> QuerySet:
    qs = grant.expenditures.select_related("workshop", "network").order_by("date", "pk")
    if period_start:
        qs = qs.filter(date__gte=period_start)
    if period_end:
        qs = qs.filter(date__lte=period_end)
    return qs


# --- Programmes -----------------------------------------------------------------------------


def programmes_for_finder() -> QuerySet[FundingProgramme]:
    return (
        FundingProgramme.objects.filter(is_published=True)
        .prefetch_related("topics")
        .order_by("deadline", "name", "pk")
    )


@dataclass
class ProgrammeMatch:
    programme: FundingProgramme
    reasons: list[str] = field(default_factory=list)


def match_programmes(*, programmes, company: Company) -> list[ProgrammeMatch]:
    """Programmes that fit the company's size class, sector and training needs, with reasons.

    A programme fits when its size classes and sectors (empty: any) include the company's, and
    when it names topics, at least one is among the company's training needs.
    """
    from django.utils.translation import gettext as _

    needs = {t.pk: t for t in company.training_needs.all()}
    size = company.size_class_stored
    matches = []
    for programme in programmes:
        reasons = []
        if programme.size_classes:
            if size not in programme.size_classes:
                continue
            reasons.append(_("size class: %s") % SizeClass(size).label)
        if programme.sectors:
            if company.sector not in programme.sectors:
                continue
            reasons.append(_("sector: %s") % company.get_sector_display())
        topics = [t for t in programme.topics.all() if t.pk in needs]
        if programme.topics.all() and not topics:
            continue
        if topics:
            reasons.append(_("training needs: %s") % ", ".join(t.name for t in topics))
        if not reasons:
            reasons.append(_("open to all companies"))
        matches.append(ProgrammeMatch(programme, reasons))
    return matches


# --- Indicators -----------------------------------------------------------------------------


def _bounds(period_start: date, period_end: date) -> tuple[datetime, datetime]:
    """The period as [start, end) in Berlin time: both days belong to the period."""
    return (
        datetime.combine(period_start, time.min, tzinfo=BERLIN),
        datetime.combine(period_end + timedelta(days=1), time.min, tzinfo=BERLIN),
    )


def _ending_in_period(network_ids, period_start: date, period_end: date) -> QuerySet[Workshop]:
    """Published or done workshops of the networks whose end lies in the period."""
    start, end = _bounds(period_start, period_end)
    return Workshop.objects.filter(
        network_id__in=network_ids, status__in=HELD_STATUSES, ends_at__gte=start, ends_at__lt=end
    )


def held_workshops(
    *, network_ids, period_start: date, period_end: date, now: datetime | None = None
) -> QuerySet[Workshop]:
    """The workshops every figure counts as held: of the networks, published or done (never
    cancelled, never a draft) and over, i.e. ended by ``now`` and within the period.

    The one rule behind "workshops held", participants, participant hours and their breakdowns
    on the grant page, in the report's PDF and XLSX and in its list of workshops held.
    """
    return _ending_in_period(network_ids, period_start, period_end).filter(
        ends_at__lte=now or timezone.now()
    )


ATTENDED = Registration.Status.ATTENDED


def recorded_attendance(workshops: QuerySet[Workshop]) -> QuerySet[Registration]:
    """Registrations of ``workshops`` whose attendance was recorded as present. Confirmed rows
    nobody marked, no-shows, the waitlist and cancellations are not participants."""
    return Registration.objects.filter(workshop__in=workshops, status=ATTENDED)


HELD_ENDS = caching.declare(
    "held_workshop_ends",
    reads=[Workshop, Grant.networks.through, TrainingNetwork],
    varies_by=["grant", "period_start", "period_end"],
)


def held_ends(*, grant: Grant, period_start: date, period_end: date) -> tuple[tuple, list]:
    """(the grant's network ids, the sorted ends of their workshops ending in the period).

    Held figures change with time alone, with no write to any table, whenever one of these
    workshops ends; a cached page carries the number ended so far in its key, so the first
    request after an end builds it anew.
    """

    def compute() -> tuple[tuple, list]:
        network_ids = tuple(sorted(n.pk for n in grant.networks.all()))
        ends = _ending_in_period(network_ids, period_start, period_end).values_list(
            "ends_at", flat=True
        )
        return network_ids, sorted(ends)

    return HELD_ENDS.get(compute, grant=grant.pk, period_start=period_start, period_end=period_end)


# The tables grant_indicators() counts from, in two groups cached apart on the grant page: a
# registration changes the activity figures only.
ACTIVITY_SOURCES = (
    # Counted by size class and sector: a new name or address changes no figure.
    caching.columns(Company, "size_class_stored", "sector"),
    NetworkMembership,
    Registration,
    Consultation,
    Workshop,
    StatisticsTally,
    # the learning programmes of the grant's networks
    *LEARNING_SOURCES,
)
SURVEY_CHALLENGE_SOURCES = (
    # grant_survey_figures: feedback on the networks' workshops ending in the period (a new
    # registration moves a workshop's seats, not these columns) and training-needs responses
    SurveyResponse,
    SurveyAnswer,
    SurveyQuestion,
    Survey,
    caching.columns(Workshop, "network", "ends_at"),
    NetworkMembership,
    # grant_challenge_figures: the calls of the grant's networks
    *CHALLENGE_SOURCES,
)
INDICATOR_SOURCES = (*ACTIVITY_SOURCES, *SURVEY_CHALLENGE_SOURCES)


def grant_indicators(
    *, grant: Grant, period_start: date, period_end: date, now: datetime | None = None
) -> dict:
    """Every indicator's actual value for the period as of ``now`` (default: the present),
    keyed by indicator code.

    - companies_reached: distinct companies with a registration (confirmed, attended or
      no-show) for a published or done workshop of the grant's networks starting in the
      period, or a network membership in those networks that was active during the period.
    - companies_advised: those reached companies with a consultation dated in the period.
    - smes_in_networks: companies (micro, small, medium) with a membership active in the period.
    - workshops_held: held_workshops(): published or done workshops of the networks that have
      ended, by ``now`` and within the period.
    - participants / participant_hours: recorded attendance (recorded_attendance()) of those
      workshops, and its sum of workshop hours.
    - participants_by_gender / _by_age_band: attended registrations where the answer was given
      (answers of anonymised registrations from workshops' StatisticsTally).
    - companies_by_size_class / _by_sector: the reached companies.
    - learning_organisations, learning_every_cycle, learning_tasks_submitted,
      learning_workshops_held: the learning programmes of the networks
      (learning.selectors.grant_learning_figures).
    - challenges_published, challenge_proposals, challenge_companies, challenge_matches,
      challenge_cooperations: the Open Innovation Challenge calls of the networks
      (challenges.figures.grant_challenge_figures).
    """
    # .all() uses the networks when the caller prefetched them (detail page, report builder).
    network_ids = sorted(n.pk for n in grant.networks.all())
    return {
        **activity_figures(network_ids, period_start, period_end, now or timezone.now()),
        **survey_challenge_figures(network_ids, period_start, period_end),
    }


def survey_challenge_figures(network_ids: list[int], period_start: date, period_end: date) -> dict:
    """Feedback and training needs read from surveys, and the challenges published, proposals,
    companies, matches and cooperations of the networks' calls (SURVEY_CHALLENGE_SOURCES)."""
    return {
        **grant_survey_figures(
            network_ids=network_ids, period_start=period_start, period_end=period_end
        ),
        **grant_challenge_figures(network_ids, period_start, period_end),
    }


def activity_figures(
    network_ids: list[int], period_start: date, period_end: date, now: datetime
) -> dict:
    """Companies reached and advised, SMEs in networks, workshops held, participants and their
    breakdowns, and the learning programmes' figures (ACTIVITY_SOURCES)."""
    start, end = _bounds(period_start, period_end)

    active_in_period = (
        NetworkMembership.objects.filter(
            network_id__in=network_ids,
            status__in=[NetworkMembership.Status.ACTIVE, NetworkMembership.Status.LEFT],
        )
        .filter(Q(joined_on__lte=period_end) | Q(joined_on__isnull=True, requested_at__lt=end))
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=period_start))
        .exclude(status=NetworkMembership.Status.LEFT, left_on__isnull=True)
    )
    registered = Registration.objects.filter(
        workshop__network_id__in=network_ids,
        # A company registered only for a workshop that was then cancelled was not reached.
        workshop__status__in=HELD_STATUSES,
        workshop__starts_at__gte=start,
        workshop__starts_at__lt=end,
        status__in=REACHING_STATUSES,
        company__isnull=False,
    )
    advised_in_period = Consultation.objects.filter(
        company_id=OuterRef("pk"), date__gte=period_start, date__lte=period_end
    )
    # Counted in the database (thousands of companies in a region), in one query: a row per
    # size class, sector, membership and advice, never one per company.
    groups = (
        Company.objects.filter(
            Q(pk__in=active_in_period.values("company_id"))
            | Q(pk__in=registered.values("company_id"))
        )
        .annotate(
            is_member=Exists(active_in_period.filter(company_id=OuterRef("pk"))),
            is_advised=Exists(advised_in_period),
        )
        .values_list("size_class_stored", "sector", "is_member", "is_advised")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_size_class, by_sector = Counter(), Counter()
    reached = advised = smes = 0
    for size_class, sector, is_member, is_advised, n in groups:
        reached += n
        by_size_class[size_class] += n
        by_sector[sector] += n
        if is_advised:
            advised += n
        if is_member and size_class in SMES:
            smes += n

    held = held_workshops(
        network_ids=network_ids, period_start=period_start, period_end=period_end, now=now
    )
    # A row per workshop held with its recorded attendance (recorded_attendance()).
    held_rows = held.annotate(
        attended=Count("registrations", filter=Q(registrations__status=ATTENDED))
    ).values_list("starts_at", "ends_at", "attended")
    participants, hours = 0, Decimal(0)
    for starts_at, ends_at, attended in held_rows:
        participants += attended
        # Workshop.duration_hours, without a model instance per workshop.
        hours += Decimal(str(round((ends_at - starts_at).total_seconds() / 3600, 2))) * attended
    by_gender, by_age_band = _attendance_answers(held.values("pk"))
    return {
        IndicatorCode.COMPANIES_REACHED.value: reached,
        IndicatorCode.COMPANIES_ADVISED.value: advised,
        IndicatorCode.SMES_IN_NETWORKS.value: smes,
        IndicatorCode.WORKSHOPS_HELD.value: len(held_rows),
        IndicatorCode.PARTICIPANTS.value: participants,
        IndicatorCode.PARTICIPANT_HOURS.value: hours,
        "participants_by_gender": dict(by_gender),
        "participants_by_age_band": dict(by_age_band),
        "companies_by_size_class": dict(by_size_class),
        "companies_by_sector": dict(by_sector),
        **grant_learning_figures(network_ids, period_start, period_end, now=now),
    }


def _attendance_answers(workshop_ids: QuerySet) -> tuple[Counter, Counter]:
    """The gender and age answers of the attended registrations of the workshops.

    Answers of anonymised registrations were moved into workshops' StatisticsTally (the
    registration row stays, blanked); both are read in one UNION query so the breakdowns stay
    the same after anonymisation. Registrations are grouped in the database: a row per answer
    pair, not per participant.
    """
    rows = (
        recorded_attendance(workshop_ids)
        .values_list("gender", "age_band")
        .annotate(n=Count("pk"))
        .order_by()
        .union(
            StatisticsTally.objects.filter(
                workshop_id__in=workshop_ids,
                status=ATTENDED,
                question__in=[StatisticsTally.Question.GENDER, StatisticsTally.Question.AGE_BAND],
            )
            .annotate(
                g=Case(When(question=StatisticsTally.Question.GENDER, then=F("answer")),
                       default=Value("")),
                a=Case(When(question=StatisticsTally.Question.AGE_BAND, then=F("answer")),
                       default=Value("")),
                n=F("count"),
            )
            .values_list("g", "a", "n"),
            all=True,
        )
    )  # fmt: skip
    by_gender, by_age_band = Counter(), Counter()
    for gender, age_band, n in rows:
        if gender:
            by_gender[gender] += n
        if age_band:
            by_age_band[age_band] += n
    return by_gender, by_age_band


@dataclass
class IndicatorRow:
    code: str
    label: str
    target: Decimal
    actual: Decimal | int

    @property
    def percent(self) -> int:
        if not self.target:
            return 100 if self.actual else 0
        return int(Decimal(self.actual) * 100 / self.target)


def indicator_rows(*, grant: Grant, values: dict) -> list[IndicatorRow]:
    """The grant's indicators with targets beside their actual values (code order), for the
    indicators ``values`` has."""
    indicators = {i.code: i for i in grant.indicators.all()}
    rows = []
    for code in IndicatorCode:
        if code.value in indicators and code.value in values:
            rows.append(
                IndicatorRow(
                    code.value, str(code.label), indicators[code.value].target, values[code.value]
                )
            )
    return rows


# --- Budget against spending ----------------------------------------------------------------


@dataclass
class BudgetRow:
    year: int
    category: str
    label: str
    budget: Decimal
    spent: Decimal
    share_parts: list[Decimal]

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.spent

    @property
    def overspent(self) -> bool:
        return self.spent > self.budget


@dataclass
class Subtotal:
    """Budget against spending summed over a year's or a category's rows."""

    key: int | str  # the year, or the category's value
    label: str
    budget: Decimal
    spent: Decimal
    share_parts: list[Decimal]

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.spent

    @property
    def overspent(self) -> bool:
        return self.spent > self.budget

    @property
    def percent(self) -> int | None:
        """Spent as a whole percentage of the budget (None without a budget)."""
        return int(self.spent * 100 / self.budget) if self.budget else None

    @property
    def bar(self) -> int:
        """The spent bar's length on a 0-100 scale, capped at the budget's end."""
        if not self.budget:
            return 100 if self.spent else 0
        return min(100, int(self.spent * 100 / self.budget))


@dataclass
class ShareBalance:
    """One co-financing share: its part of the total eligible costs, of the spending so far,
    and what remains of it (each split to the cent by money.allocate)."""

    share: CofinancingShare
    amount: Decimal
    spent: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.spent


@dataclass
class FinancialStatement:
    shares: list[CofinancingShare]
    rows: list[BudgetRow]
    budget_total: Decimal
    spent_total: Decimal
    spent_share_parts: list[Decimal]
    total_share_parts: list[Decimal]
    warnings: list[str]
    years: list[Subtotal] = field(default_factory=list)
    categories: list[Subtotal] = field(default_factory=list)
    share_balances: list[ShareBalance] = field(default_factory=list)
    budget_share_parts: list[Decimal] = field(default_factory=list)

    @property
    def remaining_total(self) -> Decimal:
        return self.budget_total - self.spent_total

    @property
    def year_groups(self) -> list[tuple[Subtotal, list[BudgetRow]]]:
        """Each year's subtotal with its rows (for a table with a subtotal row per year)."""
        return [(year, [r for r in self.rows if r.year == year.key]) for year in self.years]


def _subtotals(rows: list[BudgetRow], key, label, order, percents) -> list[Subtotal]:
    budget: dict = {}
    spent: dict = {}
    for row in rows:
        k = key(row)
        budget[k] = budget.get(k, Decimal(0)) + row.budget
        spent[k] = spent.get(k, Decimal(0)) + row.spent
    return [
        Subtotal(k, label(k), budget[k], spent[k], allocate(spent[k], percents))
        for k in sorted(budget, key=order)
    ]


def financial_statement(
    *, grant: Grant, period_start: date | None = None, period_end: date | None = None
) -> FinancialStatement:
    """Budget against spending per category and year, subtotals per year and per category,
    each share's part of the spending and what remains of it, and the warnings to show.

    Spending counts up to ``period_end`` (cumulative, as a Verwendungsnachweis shows it).
    All sums are Decimal; allocate() splits each figure by the shares to the cent.
    """
    from django.utils.translation import gettext as _

    if "shares" in getattr(grant, "_prefetched_objects_cache", {}):
        shares = list(grant.shares.all())  # prefetched with their funders (same ordering)
    else:
        shares = list(grant.shares.select_related("funder").order_by("-percent", "funder__name"))
    percents = [s.percent for s in shares]
    budget = {
        (b.year, b.category): b.amount
        for b in BudgetLine.objects.filter(grant=grant).only("year", "category", "amount")
    }
    spending_qs = Expenditure.objects.filter(grant=grant)
    if period_end:
        spending_qs = spending_qs.filter(date__lte=period_end)
    spent = {
        (r["year"], r["category"]): r["total"]
        for r in spending_qs.annotate(year=ExtractYear("date"))
        .values("year", "category")
        .annotate(total=Sum("amount"))
    }
    labels = dict(CostCategory.choices)
    order = list(CostCategory.values)
    rows = []
    for year, category in sorted(set(budget) | set(spent), key=lambda k: (k[0], order.index(k[1]))):
        amount_spent = spent.get((year, category), Decimal(0))
        rows.append(
            BudgetRow(
                year,
                category,
                str(labels[category]),
                budget.get((year, category), Decimal(0)),
                amount_spent,
                allocate(amount_spent, percents),
            )
        )
    years = _subtotals(rows, lambda r: r.year, str, lambda y: y, percents)
    categories = _subtotals(
        rows, lambda r: r.category, lambda c: str(labels[c]), order.index, percents
    )
    spent_total = sum((r.spent for r in rows), Decimal(0))
    budget_total = sum((r.budget for r in rows), Decimal(0))
    currency = grant.currency
    warnings = []
    for row in rows:
        if row.overspent and row.budget:
            warnings.append(
                _("%(category)s %(year)s is overspent by %(amount)s %(currency)s.")
                % {
                    "category": row.label,
                    "year": row.year,
                    "amount": format_amount(-row.remaining),
                    "currency": currency,
                }
            )
        elif row.overspent:
            warnings.append(
                _("%(category)s %(year)s has spending of %(amount)s %(currency)s but no budget.")
                % {
                    "category": row.label,
                    "year": row.year,
                    "amount": format_amount(row.spent),
                    "currency": currency,
                }
            )
    for category in categories:
        if category.overspent and len([r for r in rows if r.category == category.key]) > 1:
            warnings.append(
                _("%(category)s is overspent over all years by %(amount)s %(currency)s.")
                % {
                    "category": category.label,
                    "amount": format_amount(-category.remaining),
                    "currency": currency,
                }
            )
    if spent_total > grant.total_eligible_costs:
        warnings.append(
            _("The spending exceeds the total eligible costs by %(amount)s %(currency)s.")
            % {
                "amount": format_amount(spent_total - grant.total_eligible_costs),
                "currency": currency,
            }
        )
    if budget_total > grant.total_eligible_costs:
        warnings.append(
            _(
                "The budget lines add up to %(budget)s %(currency)s, more than the total "
                "eligible costs of %(total)s %(currency)s."
            )
            % {
                "budget": format_amount(budget_total),
                "total": format_amount(grant.total_eligible_costs),
                "currency": currency,
            }
        )
    outside = spending_qs.filter(Q(date__lt=grant.start_date) | Q(date__gt=grant.end_date))
    for e in outside.only("receipt_reference", "date"):
        warnings.append(
            _("Receipt %(ref)s (%(date)s) lies outside the grant period.")
            % {"ref": e.receipt_reference, "date": e.date.isoformat()}
        )
    spent_share_parts = allocate(spent_total, percents)
    total_share_parts = allocate(grant.total_eligible_costs, percents)
    return FinancialStatement(
        shares=shares,
        rows=rows,
        budget_total=budget_total,
        spent_total=spent_total,
        spent_share_parts=spent_share_parts,
        total_share_parts=total_share_parts,
        warnings=warnings,
        years=years,
        categories=categories,
        share_balances=[
            ShareBalance(share, amount, part)
            for share, amount, part in zip(
                shares, total_share_parts, spent_share_parts, strict=True
            )
        ],
        budget_share_parts=allocate(budget_total, percents),
    )


def share_amounts(*, grant: Grant) -> list[tuple[CofinancingShare, Decimal]]:
    """Each share with its amount of the total eligible costs (parts add up to the cent)."""
    shares = list(grant.shares.all())
    amounts = allocate(grant.total_eligible_costs, [s.percent for s in shares])
    return list(zip(shares, amounts, strict=True))


# --- The grant page -------------------------------------------------------------------------

# The grant page (templates/funding/grant_detail.html) is one cached fragment per grant, period
# and the links the viewer's rights offer; a registration moves only its network's versions of
# the tables read per network, so other grants stay cached.
GRANT_PAGE = caching.declare(
    "grant_page",
    reads=[
        # facts and co-financing
        Grant,
        FundingProgramme,
        Grant.networks.through,
        TrainingNetwork,
        CofinancingShare,
        Funder,
        # budget against spending
        BudgetLine,
        Expenditure,
    ],
    varies_by=["grant", "can_manage", "can_view_history"],
)

# Apart from the rest of the page: a registration rebuilds the activity indicators of its
# networks' grants, not their money nor their survey and challenge figures, and an expenditure
# the money, not the indicators.
GRANT_INDICATORS = caching.declare(
    "grant_indicators",
    reads=[Grant, Grant.networks.through, Indicator, *ACTIVITY_SOURCES],
    varies_by=["grant", "networks", "period", "held"],
    scoped={"networks": [Registration, Workshop, NetworkMembership, StatisticsTally]},
)
GRANT_SURVEY_CHALLENGE_INDICATORS = caching.declare(
    "grant_survey_challenge_indicators",
    reads=[Grant, Indicator, *SURVEY_CHALLENGE_SOURCES],
    varies_by=["grant", "networks", "period"],
    scoped={"networks": [NetworkMembership]},
)


def _shares_with_funders() -> Prefetch:
    # A new Prefetch each time: prefetching adds hints to its queryset.
    return Prefetch("shares", queryset=CofinancingShare.objects.select_related("funder"))


class GrantPage:
    """What the grant page shows beside the grant's own fields, each read on first use.

    The template keeps the page in two fragments: GRANT_PAGE (facts, co-financing, money) and
    GRANT_INDICATORS, keyed among others by the grant's networks and the number of its workshops
    ended so far (``held_so_far``); on a warm cache none of the queries below run.
    """

    def __init__(self, *, grant: Grant, period_start: date, period_end: date):
        self.grant = grant
        self.period_start = period_start
        self.period_end = period_end
        self.now = timezone.now()  # one moment for the key and the figures

    @cached_property
    def _held(self) -> tuple[tuple, list]:
        return held_ends(
            grant=self.grant, period_start=self.period_start, period_end=self.period_end
        )

    @property
    def network_ids(self) -> tuple:
        return self._held[0]

    @property
    def held_so_far(self) -> int:
        """How many of the grant's workshops ending in the period have ended by now."""
        return bisect_right(self._held[1], self.now)

    def _prefetch(self, *lookups) -> None:
        # Once per relation however many sections use it (prefetch skips what it has).
        prefetch_related_objects([self.grant], *lookups)

    @cached_property
    def networks(self) -> list:
        self._prefetch("networks")
        return list(self.grant.networks.all())

    @cached_property
    def shares(self) -> list[tuple[CofinancingShare, Decimal]]:
        self._prefetch(_shares_with_funders())
        return share_amounts(grant=self.grant)

    @cached_property
    def indicator_rows(self) -> list[IndicatorRow]:
        """The activity indicators' rows (GRANT_INDICATORS)."""
        self._prefetch("indicators")
        values = activity_figures(
            list(self.network_ids), self.period_start, self.period_end, self.now
        )
        return indicator_rows(grant=self.grant, values=values)

    @cached_property
    def survey_challenge_rows(self) -> list[IndicatorRow]:
        """The survey and challenge indicators' rows (GRANT_SURVEY_CHALLENGE_INDICATORS)."""
        self._prefetch("indicators")
        values = survey_challenge_figures(
            list(self.network_ids), self.period_start, self.period_end
        )
        return indicator_rows(grant=self.grant, values=values)

    @property
    def has_indicators(self) -> bool:
        self._prefetch("indicators")
        return bool(self.grant.indicators.all())

    @cached_property
    def statement(self) -> FinancialStatement:
        self._prefetch(_shares_with_funders())
        return financial_statement(grant=self.grant)
