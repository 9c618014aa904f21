"""The demo call's pitch day for ``seed_demo``: meeting slots after the pitches, meeting
requests between the challenge owners and their shortlisted providers (most accepted, one
declined, one still open), and the matches of the accepted pairs, one with a pilot agreed.

Works on whatever the call holds (its challenges, proposals and people come from the other
parts of the demo). Runs once per call: a call that already has meeting slots is left as it
is, so a second ``seed_demo`` changes nothing."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import timezone

from workshops.models import Workshop

from ..models import Call, Challenge, Match, Meeting, MeetingSlot, Proposal
from . import selectors, services

BERLIN = ZoneInfo("Europe/Berlin")
SLOT_MINUTES = 15
ROUNDS = 6
TABLES = 4
SHORTLIST_PER_CHALLENGE = 2


def _pitch_event(call: Call) -> Workshop:
    if call.pitch_event is not None:
        return call.pitch_event
    day = max(call.review_until + timedelta(days=7), timezone.localdate() + timedelta(days=14))
    starts_at = datetime.combine(day, time(9), tzinfo=BERLIN)
    workshop, _created = Workshop.objects.get_or_create(
        slug=f"pitch-{call.slug}"[:50],
        defaults={
            "title": f"Pitch-Tag: {call.title}"[:200],
            "description": "Die Challenge-Geber stellen ihre Challenges vor; danach 1:1-Gespräche.",
            "format": Workshop.Format.ON_SITE,
            "venue": "Science Park Kassel, Universitätsplatz 12, 34127 Kassel",
            "starts_at": starts_at,
            "ends_at": starts_at + timedelta(hours=6),
            "capacity": 80,
            "status": Workshop.Status.PUBLISHED,
        },
    )
    call.pitch_event = workshop
    call.save(update_fields=["pitch_event"])
    return workshop


def _shortlisted(call: Call) -> list[Proposal]:
    proposals = list(
        Proposal.objects.filter(
            challenge__call=call,
            challenge__status=Challenge.Status.PUBLISHED,
            status=Proposal.Status.SHORTLISTED,
        ).select_related("challenge")
    )
    if proposals:
        return proposals
    # The review part shortlisted nobody (yet): take the first submitted ones per challenge.
    by_challenge: dict[int, list[Proposal]] = {}
    for proposal in Proposal.objects.filter(
        challenge__call=call,
        challenge__status=Challenge.Status.PUBLISHED,
        status=Proposal.Status.SUBMITTED,
    ).order_by("challenge_id", "pk"):
        picked = by_challenge.setdefault(proposal.challenge_id, [])
        if len(picked) < SHORTLIST_PER_CHALLENGE:
            picked.append(proposal)
    chosen = [p for picked in by_challenge.values() for p in picked]
    Proposal.objects.filter(pk__in=[p.pk for p in chosen]).update(
        status=Proposal.Status.SHORTLISTED
    )
    return list(Proposal.objects.filter(pk__in=[p.pk for p in chosen]).select_related("challenge"))


def seed(call: Call) -> dict[str, int]:
    """Lay out the pitch day of ``call`` with a meeting plan; the numbers made."""
    if MeetingSlot.objects.filter(call=call).exists():
        return {"slots": 0, "meetings": 0, "matches": 0}
    event = _pitch_event(call)
    call.pitch_event = event
    challenges = selectors.published_challenges(call)
    start = selectors.meetings_start(call, challenges) + timedelta(minutes=15)  # a short break
    slots = services.generate_slots(
        call=call, start=start, slot_minutes=SLOT_MINUTES, rounds=ROUNDS, tables=TABLES
    )
    made = {"slots": len(slots), "meetings": 0, "matches": 0}
    for n, proposal in enumerate(_shortlisted(call)):
        owner = services.contact_person(
            proposal.challenge.company_id, proposal.challenge.created_by
        )
        provider = services.contact_person(proposal.company_id, proposal.created_by)
        if owner is None or provider is None:
            continue
        asks, answers = (provider, owner) if n % 2 else (owner, provider)
        try:
            meeting = services.request_meeting(proposal=proposal, requested_by=asks)
            if n % 7 == 5:
                continue  # left open: the other side has not answered yet
            services.answer_meeting(meeting=meeting, user=answers, accept=n % 9 != 4)
        except ValidationError:
            continue  # no free slot left for this pair
        made["meetings"] += 1
    accepted = Meeting.objects.filter(call=call, status=Meeting.Status.ACCEPTED).select_related(
        "proposal"
    )
    for n, meeting in enumerate(accepted.order_by("pk")):
        match, created = Match.objects.get_or_create(
            challenge_id=meeting.challenge_id,
            company_id=meeting.proposal.company_id,
            defaults={"proposal": meeting.proposal},
        )
        made["matches"] += created
        if created and n in (0, 3):
            services.record_match_status(
                match=match,
                status=Match.Status.NDA if n else Match.Status.PILOT,
                date=timezone.localdate(),
                text="Vertraulichkeitsvereinbarung unterschrieben."
                if n
                else "Pilot in der Montagehalle ab nächstem Quartal.",
            )
    return made


def seed_demo_calls(stdout) -> None:
    """``seed(call)`` for every call whose pitch day has no slots yet (the demo call)."""
    for call in Call.objects.select_related("pitch_event").order_by("pk"):
        if not Challenge.objects.filter(call=call, status=Challenge.Status.PUBLISHED).exists():
            continue
        made = seed(call)
        if made["slots"]:
            stdout.write(
                f"Pitch day of {call.slug}: {made['slots']} slots, {made['meetings']} meetings, "
                f"{made['matches']} matches"
            )
