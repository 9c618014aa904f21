"""The training-needs demand board: topic × municipality × size class, counting companies whose
latest training-needs answer or whose profile asks for the topic, with the months they prefer;
and "plan a workshop from this demand": a draft workshop prefilled from the cell, whose
companies are invited through the workshops' invitations when the coordinator publishes it from
the plan's page.

The board is counted from a handful of queries (never one per company): the latest response per
company, its topic, month and format answers, the profiles' topics, the companies' places.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _

from companies.models import Company, SizeClass
from regiolab.models import Topic
from workshops.invitations.planning import plan_invitations
from workshops.invitations.services import invite
from workshops.lifecycle.services import create_workshop, publish_workshop
from workshops.models import Workshop

from ..models import Answer, DemandPlan, Response, Survey
from ..selectors import NEEDS_FORMATS, NEEDS_MONTHS, NEEDS_TOPICS

MONTH_NAMES = {
    **{name: n for n, name in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )},
    "mär": 3, "mai": 5, "okt": 10, "dez": 12,
}  # fmt: skip
# Answer values of the formats question → the workshop's format (in-house is held on site).
FORMATS = {"on_site": "on_site", "online": "online", "hybrid": "hybrid", "in_house": "on_site"}
PLAN_HOURS = (9, 13)  # a prefilled half day


def month_number(value: str) -> int | None:
    value = (value or "").strip().lower()
    if value.isdigit() and 1 <= int(value) <= 12:
        return int(value)
    return MONTH_NAMES.get(value[:3])


@dataclass
class Cell:
    topic: Topic
    municipality: str
    size_class: str
    companies: set[int] = field(default_factory=set)
    months: Counter = field(default_factory=Counter)
    formats: Counter = field(default_factory=Counter)

    @property
    def count(self) -> int:
        return len(self.companies)

    @property
    def size_class_label(self) -> str:
        return SizeClass(self.size_class).label if self.size_class in SizeClass.values else ""

    @property
    def top_months(self) -> list[tuple[str, int]]:
        return [(MONTHS[m], n) for m, n in self.months.most_common(3)]

    @property
    def most_wanted_month(self) -> int | None:
        return _most_common(self.months)

    @property
    def most_wanted_format(self) -> str:
        return _most_common(self.formats) or Workshop.Format.ON_SITE


def _most_common(counter: Counter):
    # Ties go to the smaller value, so the same demand always plans the same workshop.
    if not counter:
        return None
    return min(counter.items(), key=lambda item: (-item[1], item[0]))[0]


def latest_needs_responses():
    """Each company's latest training-needs response (latest date, then the newest round)."""
    needs = Response.objects.filter(
        survey__purpose=Survey.Purpose.TRAINING_NEEDS, company__isnull=False
    )
    latest = needs.filter(company_id=OuterRef("company_id")).order_by(
        "-answered_on", "-survey__created_at", "-survey_id"
    )
    return needs.filter(pk=Subquery(latest.values("pk")[:1]))


def demand_cells(
    *, topic: Topic | None = None, municipality: str = "", size_class: str = ""
) -> list[Cell]:
    """The board's cells with at least one company, most companies first."""
    latest = latest_needs_responses()
    topics = {str(t.pk): t for t in Topic.objects.all()}
    topics.update({t.slug: t for t in topics.values()})
    answers = Answer.objects.filter(
        response__in=latest, question__code__in=[NEEDS_TOPICS, NEEDS_MONTHS, NEEDS_FORMATS]
    ).values_list("response__company_id", "question__code", "option")
    wanted: dict[int, set[int]] = {}
    months: dict[int, Counter] = {}
    formats: dict[int, Counter] = {}
    for company_id, code, option in answers:
        if code == NEEDS_TOPICS and option in topics:
            wanted.setdefault(company_id, set()).add(topics[option].pk)
        elif code == NEEDS_MONTHS and (month := month_number(option)):
            months.setdefault(company_id, Counter())[month] += 1
        elif code == NEEDS_FORMATS and option in FORMATS:
            formats.setdefault(company_id, Counter())[FORMATS[option]] += 1
    for company_id, topic_id in Company.training_needs.through.objects.values_list(
        "company_id", "topic_id"
    ):
        wanted.setdefault(company_id, set()).add(topic_id)
    places = Company.objects.filter(pk__in=list(wanted))
    if municipality:
        places = places.filter(municipality=municipality)
    if size_class:
        places = places.filter(size_class_stored=size_class)
    by_topic = {t.pk: t for t in topics.values()}
    cells: dict[tuple, Cell] = {}
    for company_id, place, size in places.values_list("pk", "municipality", "size_class_stored"):
        for topic_id in wanted[company_id]:
            if topic is not None and topic_id != topic.pk:
                continue
            key = (topic_id, place, size)
            cell = cells.get(key)
            if cell is None:
                cell = cells[key] = Cell(by_topic[topic_id], place, size)
            cell.companies.add(company_id)
            cell.months.update(months.get(company_id, {}))
            cell.formats.update(formats.get(company_id, {}))
    return sorted(
        cells.values(),
        key=lambda c: (-c.count, c.topic.name_de, c.municipality, c.size_class),
    )


def demand_cell(*, topic: Topic, municipality: str, size_class: str) -> Cell | None:
    cells = demand_cells(topic=topic, municipality=municipality, size_class=size_class)
    return next(
        (c for c in cells if c.municipality == municipality and c.size_class == size_class), None
    )


def _next_start(month: int | None, now: datetime) -> datetime:
    """The 15th of the wanted month, at least four weeks ahead (else next year's)."""
    tz = timezone.get_default_timezone()
    earliest = now + timedelta(days=28)
    if month is None:
        day = earliest.date()
        return datetime.combine(day, time(PLAN_HOURS[0]), tzinfo=tz)
    year = earliest.year
    start = datetime(year, month, 15, PLAN_HOURS[0], tzinfo=tz)
    if start < earliest:
        start = datetime(year + 1, month, 15, PLAN_HOURS[0], tzinfo=tz)
    return start


def plan_workshop_from_demand(
    *, topic: Topic, municipality: str, size_class: str, by=None
) -> DemandPlan:
    """A draft workshop for the cell: its topic, the most wanted month and format, and the list
    of exactly the companies behind the cell. Refused (nothing written) for an empty cell."""
    cell = demand_cell(topic=topic, municipality=municipality, size_class=size_class)
    if cell is None or not cell.companies:
        raise ValidationError(_("No company asks for this topic here any more."), code="empty")
    now = timezone.now()
    starts_at = _next_start(cell.most_wanted_month, now)
    format_ = cell.most_wanted_format
    place = municipality or _("the region")
    fields = {
        "title": _("%(topic)s in %(place)s") % {"topic": topic.name_de, "place": place},
        "title_en": f"{topic.name_en or topic.name_de} ({place})",
        "description": _(
            "Planned from the training needs of %(count)s companies. Please check the venue,"
            " link and details before publishing."
        )
        % {"count": cell.count},
        "format": format_,
        "venue": municipality if format_ != Workshop.Format.ONLINE else "",
        # A placeholder the coordinator replaces: online formats need a link to be saved.
        "online_url": settings.SITE_URL if format_ != Workshop.Format.ON_SITE else "",
        "starts_at": starts_at,
        "ends_at": starts_at.replace(hour=PLAN_HOURS[1]),
        "capacity": max(cell.count * 2, 12),
    }
    with transaction.atomic():
        workshop = create_workshop(created_by=by, topics=[topic], **fields)
        plan = DemandPlan.objects.create(
            workshop=workshop,
            topic=topic,
            municipality=municipality,
            size_class=size_class,
            created_by=by,
        )
        plan.companies.set(sorted(cell.companies))
    return plan


@dataclass(frozen=True)
class PublishResult:
    invited: int
    skipped: int
    already: bool = False


def publish_and_invite(*, plan: DemandPlan, by=None) -> PublishResult:
    """Publish the plan's draft workshop and invite its companies' contacts (those who agreed
    to be contacted) through the workshops' invitations, once: ``invited_at`` is set under the
    plan row's lock, so a second click or request invites nobody again."""
    with transaction.atomic():
        locked = DemandPlan.objects.select_for_update().select_related("workshop").get(pk=plan.pk)
        if locked.invited_at is not None:
            return PublishResult(invited=0, skipped=0, already=True)
        # Marked first: publishing's own hook (invite_on_publish) leaves this plan to this call.
        locked.invited_at = timezone.now()
        locked.save(update_fields=["invited_at"])
        workshop = publish_workshop(workshop=locked.workshop, by=by)
        invited, skipped = _invite_companies(locked, workshop, by)
    return PublishResult(invited=invited, skipped=skipped)


def invite_on_publish(*, workshop, by=None) -> None:
    """A plan's workshop published from the workshops' pages: its companies are invited as
    from the plan's page, once."""
    plan = (
        DemandPlan.objects.select_for_update()
        .filter(workshop=workshop, invited_at__isnull=True)
        .first()
    )
    if plan is None:
        return
    plan.invited_at = timezone.now()
    plan.save(update_fields=["invited_at"])
    _invite_companies(plan, workshop, by)


def _invite_companies(plan: DemandPlan, workshop, by) -> tuple[int, int]:
    companies = Company.objects.filter(pk__in=plan.companies.values("pk"))
    invitation_plan = plan_invitations(workshop=workshop, companies=companies)
    invited = 0
    if invitation_plan.recipients:
        result = invite(workshop=workshop, recipients=invitation_plan.recipients, invited_by=by)
        invited = result.created
    return invited, len(invitation_plan.skipped)


def cell_companies(*, cell: Cell):
    return (
        Company.objects.filter(pk__in=cell.companies)
        .order_by("name", "pk")
        .only("pk", "name", "municipality", "size_class_stored", "contact_consent")
    )


def topic_filter(value: str) -> Q:
    return Q(slug=value) | (Q(pk=int(value)) if value.isdigit() else Q(pk__in=[]))
