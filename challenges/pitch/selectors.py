"""Read paths of the pitch day: the agenda, the meeting plan, a person's meetings, the
proposals one may ask to meet, the matches and the call's funnel. Each runs a fixed number of
queries whatever the number of challenges, proposals and meetings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from ..models import Call, Challenge, Match, MatchNote, Meeting, MeetingSlot, Proposal
from .rules import company_id_of

# Each challenge owner pitches for this long before the 1:1 meetings.
PITCH_MINUTES = 10
AGREEMENTS = (Match.Status.PILOT, Match.Status.CONTRACT)


@dataclass
class PitchSlot:
    starts_at: datetime | None
    ends_at: datetime | None
    challenge: Challenge


def published_challenges(call: Call) -> list[Challenge]:
    return list(
        Challenge.objects.filter(call=call, status=Challenge.Status.PUBLISHED)
        .select_related("company")
        .order_by("title", "pk")
    )


def agenda(call: Call, challenges: list[Challenge]) -> list[PitchSlot]:
    """One pitch slot per published challenge from the event's start, in title order."""
    event = call.pitch_event
    start = event.starts_at if event is not None else None
    length = timedelta(minutes=PITCH_MINUTES)
    return [
        PitchSlot(
            start + length * n if start else None,
            start + length * (n + 1) if start else None,
            challenge,
        )
        for n, challenge in enumerate(challenges)
    ]


def meetings_start(call: Call, challenges: list[Challenge]) -> datetime | None:
    """When the 1:1 meetings may start: after the last pitch."""
    event = call.pitch_event
    if event is None:
        return None
    return event.starts_at + timedelta(minutes=PITCH_MINUTES) * len(challenges)


def _meetings() -> QuerySet[Meeting]:
    return Meeting.objects.select_related(
        "slot", "challenge__company", "proposal__company", "owner_person", "provider_person"
    )


@dataclass
class PlanRow:
    starts_at: datetime
    ends_at: datetime
    cells: list = field(default_factory=list)  # (slot, meeting or None) per table


def meeting_plan(call: Call) -> tuple[list[str], list[PlanRow]]:
    """The plan as times × tables: (table names, one row per time with a cell per table)."""
    slots = list(
        MeetingSlot.objects.filter(call=call)
        .prefetch_related(
            Prefetch(
                "meetings",
                queryset=_meetings().filter(status__in=["requested", "accepted"]),
                to_attr="booked",
            )
        )
        .order_by("starts_at", "pk")
    )
    tables: list[str] = []
    for slot in slots:
        if slot.table not in tables:
            tables.append(slot.table)
    rows: dict[datetime, PlanRow] = {}
    for slot in slots:
        row = rows.setdefault(slot.starts_at, PlanRow(slot.starts_at, slot.ends_at))
        row.cells.append((slot, slot.booked[0] if slot.booked else None))
    by_table = {name: n for n, name in enumerate(tables)}
    plan = []
    for row in rows.values():
        cells = [None] * len(tables)
        for slot, meeting in row.cells:
            cells[by_table[slot.table]] = (slot, meeting)
        row.cells = cells
        plan.append(row)
    return tables, plan


def meetings_of(user, call: Call) -> list[Meeting]:
    """The meetings of the user's company in this call (either side), declined ones too."""
    company_id = company_id_of(user)
    if company_id is None:
        return []
    meetings = list(
        _meetings()
        .filter(call=call)
        .filter(Q(challenge__company_id=company_id) | Q(proposal__company_id=company_id))
        .order_by("starts_at", "pk")
    )
    for meeting in meetings:
        # The side that did not ask answers (challenges.pitch.services.answer_meeting).
        asked_by_owner = meeting.requested_by_id == meeting.owner_person_id
        answering = meeting.proposal.company_id if asked_by_owner else meeting.challenge.company_id
        meeting.can_answer = meeting.status == Meeting.Status.REQUESTED and answering == company_id
    return meetings


def meeting_of(user, call: Call, pk: int) -> Meeting | None:
    """One of the user's company's meetings in this call; None for anybody else's."""
    company_id = company_id_of(user)
    if company_id is None:
        return None
    return (
        Meeting.objects.filter(call=call, pk=pk)
        .filter(Q(challenge__company_id=company_id) | Q(proposal__company_id=company_id))
        .first()
    )


def proposals_to_meet(user, call: Call) -> QuerySet[Proposal]:
    """The shortlisted proposals the user's company may ask to meet about: proposals for its
    own published challenges, and its own shortlisted proposals."""
    company_id = company_id_of(user)
    if company_id is None:
        return Proposal.objects.none()
    return (
        Proposal.objects.filter(
            challenge__call=call,
            challenge__status=Challenge.Status.PUBLISHED,
            status=Proposal.Status.SHORTLISTED,
        )
        .filter(Q(challenge__company_id=company_id) | Q(company_id=company_id))
        .select_related("challenge__company", "company")
        .order_by("challenge__title", "company__name", "pk")
    )


def slots_for_choice(call: Call) -> QuerySet[MeetingSlot]:
    """The call's slots, each marked ``taken`` when a meeting holds it."""
    return (
        MeetingSlot.objects.filter(call=call)
        .annotate(taken=Exists(Meeting.objects.filter(slot=OuterRef("pk"))))
        .order_by("starts_at", "table", "pk")
    )


def matches(call: Call) -> list[Match]:
    return list(
        Match.objects.filter(challenge__call=call)
        .select_related("challenge__company", "company")
        .prefetch_related(
            Prefetch(
                "notes",
                queryset=MatchNote.objects.select_related("author").order_by("-date", "-pk"),
            )
        )
        .order_by("challenge__title", "company__name", "pk")
    )


@dataclass
class Funnel:
    challenges: int = 0
    proposals: int = 0
    shortlisted: int = 0
    met: int = 0
    agreements: int = 0
    rows: list = field(default_factory=list)


def _count(queryset: QuerySet, **filters) -> Subquery:
    counted = (
        queryset.filter(challenge=OuterRef("pk"), **filters)
        .order_by()
        .values("challenge")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def funnel(call: Call) -> Funnel:
    """Challenges → proposals → shortlisted → met → agreements, per published challenge and in
    total; one query whatever the numbers."""
    received = ["submitted", "shortlisted", "not_selected", "withdrawn"]
    rows = list(
        Challenge.objects.filter(call=call, status=Challenge.Status.PUBLISHED)
        .select_related("company")
        .annotate(
            n_proposals=_count(Proposal.objects, status__in=received),
            n_shortlisted=_count(Proposal.objects, status=Proposal.Status.SHORTLISTED),
            n_met=_count(Meeting.objects, status=Meeting.Status.ACCEPTED),
            n_agreements=_count(Match.objects, status__in=AGREEMENTS),
        )
        .order_by("title", "pk")
    )
    return Funnel(
        challenges=len(rows),
        proposals=sum(r.n_proposals for r in rows),
        shortlisted=sum(r.n_shortlisted for r in rows),
        met=sum(r.n_met for r in rows),
        agreements=sum(r.n_agreements for r in rows),
        rows=rows,
    )
