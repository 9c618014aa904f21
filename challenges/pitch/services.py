"""The pitch day's writes: meeting slots, meeting requests and answers, the plans e-mailed to
each person, and what became of each match.

The meeting plan is written under the call's row lock (``select_for_update``; SQLite, which
has no row locks, runs one writer at a time anyway): the service looks for a free slot and
books it in one short transaction, and the unique constraints on ``Meeting`` (one meeting per
slot, no person twice at one time, one meeting per pair) back the rule should anything slip
past the lock. A refusal raises ``ValidationError`` with a message for the person and changes
nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from companies.models import CompanyMember
from regiolab import mail

from ..models import Call, Challenge, Match, MatchNote, Meeting, MeetingSlot, Proposal
from . import calendar
from .rules import company_id_of

MAX_ROUNDS = 40
MAX_TABLES = 60
ACTIVE = (Meeting.Status.REQUESTED, Meeting.Status.ACCEPTED)


def _lock_call(call_id: int) -> Call:
    return (
        Call.objects.select_for_update(of=("self",)).select_related("pitch_event").get(pk=call_id)
    )


# --- slots ---------------------------------------------------------------------------------


def generate_slots(
    *, call: Call, start: datetime, slot_minutes: int, rounds: int, tables: int
) -> list[MeetingSlot]:
    """Lay out ``rounds`` × ``tables`` meeting slots from ``start``, one round after the other.
    Refused when the call has no pitch event, the numbers are out of range, or a new slot would
    overlap one that exists (nothing is created then)."""
    if not 5 <= slot_minutes <= 180:
        raise ValidationError(_("A slot lasts 5 to 180 minutes."), code="length")
    if not 1 <= rounds <= MAX_ROUNDS:
        raise ValidationError(_("Choose 1 to %(n)d rounds.") % {"n": MAX_ROUNDS}, code="rounds")
    if not 1 <= tables <= MAX_TABLES:
        raise ValidationError(_("Choose 1 to %(n)d tables.") % {"n": MAX_TABLES}, code="tables")
    length = timedelta(minutes=slot_minutes)
    end = start + length * rounds
    with transaction.atomic():
        call = _lock_call(call.pk)
        if call.pitch_event is None:
            raise ValidationError(
                _("This call has no pitch event yet; choose it in the call's settings first."),
                code="no_event",
            )
        if MeetingSlot.objects.filter(call=call, starts_at__lt=end, ends_at__gt=start).exists():
            raise ValidationError(
                _("These times overlap slots that already exist; choose another start."),
                code="overlap",
            )
        slots = [
            MeetingSlot(
                call=call,
                starts_at=start + length * n,
                ends_at=start + length * (n + 1),
                table=_("Table %(n)d") % {"n": t + 1},
            )
            for n in range(rounds)
            for t in range(tables)
        ]
        return MeetingSlot.objects.bulk_create(slots)


# --- meeting requests ----------------------------------------------------------------------


def contact_person(company_id: int, preferred=None):
    """Who meets for a company: ``preferred`` if an active member, else its first owner, else
    its first member; None when the company has nobody."""
    members = list(
        CompanyMember.objects.filter(company_id=company_id, status=CompanyMember.Status.ACTIVE)
        .select_related("user")
        .order_by("-role", "pk")  # "owner" before "member"
    )
    for member in members:
        if preferred is not None and member.user_id == preferred.pk:
            return member.user
    return members[0].user if members else None


def _busy_times(call: Call, people: list) -> Q:
    return Q(
        starts_at__in=Meeting.objects.filter(call=call, status__in=ACTIVE, starts_at__isnull=False)
        .filter(Q(owner_person__in=people) | Q(provider_person__in=people))
        .values("starts_at")
    )


def request_meeting(
    *, proposal: Proposal, requested_by, slot: MeetingSlot | None = None
) -> Meeting:
    """A challenge owner asks a shortlisted provider of their challenge for a meeting, or the
    provider asks the owner; ``slot=None`` takes the first free slot at which both are free.
    The slot is held for the pair until the other side declines."""
    company_id = company_id_of(requested_by)
    with transaction.atomic():
        proposal = Proposal.objects.select_related("challenge").get(pk=proposal.pk)
        challenge = proposal.challenge
        call = _lock_call(challenge.call_id)
        if (
            proposal.status != Proposal.Status.SHORTLISTED
            or challenge.status != Challenge.Status.PUBLISHED
        ):
            raise ValidationError(
                _("Only shortlisted providers and challenge owners meet at the pitch day."),
                code="not_shortlisted",
            )
        if company_id == challenge.company_id:
            owner = requested_by
            provider = contact_person(proposal.company_id, proposal.created_by)
        elif company_id == proposal.company_id:
            provider = requested_by
            owner = contact_person(challenge.company_id, challenge.created_by)
        else:
            raise ValidationError(
                _("You can only ask for meetings about your own challenges or proposals."),
                code="not_yours",
            )
        if owner is None or provider is None:
            raise ValidationError(
                _("The other company has nobody registered in the portal to meet you."),
                code="nobody",
            )
        existing = (
            Meeting.objects.select_for_update()
            .filter(challenge=challenge, proposal=proposal)
            .first()
        )
        if existing is not None and existing.status in ACTIVE:
            raise ValidationError(
                _("A meeting about this challenge with this company has already been asked for."),
                code="pair",
            )
        busy = _busy_times(call, [owner, provider])
        if slot is not None:
            slot = MeetingSlot.objects.filter(pk=slot.pk, call=call).first()
            if slot is None:
                raise ValidationError(
                    _("This slot does not belong to this pitch day."), code="slot"
                )
            if Meeting.objects.filter(slot=slot).exists():
                raise ValidationError(
                    _(
                        "This slot has just been taken. Nothing was booked; "
                        "please choose another slot or any free slot."
                    ),
                    code="slot_taken",
                )
            if MeetingSlot.objects.filter(pk=slot.pk).filter(busy).exists():
                raise ValidationError(
                    _("You or the other side already have a meeting at this time."),
                    code="person_busy",
                )
        else:
            slot = (
                MeetingSlot.objects.filter(call=call, meetings__isnull=True)
                .exclude(busy)
                .order_by("starts_at", "table", "pk")
                .first()
            )
            if slot is None:
                raise ValidationError(
                    _("No free slot is left at which both of you are free. Nothing was booked."),
                    code="full",
                )
        meeting = existing or Meeting(call=call, challenge=challenge, proposal=proposal)
        meeting.owner_person = owner
        meeting.provider_person = provider
        meeting.requested_by = requested_by
        meeting.slot = slot
        meeting.starts_at = slot.starts_at
        meeting.status = Meeting.Status.REQUESTED
        meeting.answered_at = None
        meeting.plan_sent_at = None
        try:
            with transaction.atomic():
                meeting.save()
        except IntegrityError:  # the constraints back the lock
            raise ValidationError(
                _("This slot has just been taken. Nothing was booked; please choose another."),
                code="slot_taken",
            ) from None
    return meeting


def requester_side(meeting: Meeting) -> str:
    """ "owner" or "provider": the side that asked for the meeting."""
    requested = meeting.requested_by_id
    if requested == meeting.owner_person_id:
        return "owner"
    return "provider"


def answer_meeting(*, meeting: Meeting, user, accept: bool) -> Meeting:
    """The side that was asked accepts (the meeting goes into the plan) or declines (the slot
    is free again). Only a representative of that side's company may answer, once."""
    company_id = company_id_of(user)
    with transaction.atomic():
        _lock_call(meeting.call_id)
        meeting = (
            Meeting.objects.select_for_update()
            .select_related("challenge", "proposal")
            .get(pk=meeting.pk)
        )
        if meeting.status != Meeting.Status.REQUESTED:
            raise ValidationError(_("This meeting request has already been answered."), code="done")
        answering = "provider" if requester_side(meeting) == "owner" else "owner"
        company_of_side = (
            meeting.challenge.company_id if answering == "owner" else meeting.proposal.company_id
        )
        if company_id != company_of_side:
            raise ValidationError(
                _("The other side answers this request, not you."), code="not_yours"
            )
        meeting.answered_at = timezone.now()
        if accept:
            meeting.status = Meeting.Status.ACCEPTED
            # The colleague who answers is the one who meets.
            if answering == "owner":
                meeting.owner_person = user
            else:
                meeting.provider_person = user
        else:
            meeting.status = Meeting.Status.DECLINED
            meeting.slot = None
            meeting.starts_at = None
        try:
            with transaction.atomic():
                meeting.save()
        except IntegrityError:
            raise ValidationError(
                _("You already have another meeting at this time."), code="person_busy"
            ) from None
    return meeting


# --- plans ---------------------------------------------------------------------------------


def send_plans(*, call: Call, by=None) -> int:
    """E-mail each person with accepted meetings their own plan, with an .ics per meeting,
    through the outbox; returns the number of e-mails. Each person gets the plan once: a
    second click sends only to people with meetings added since (their whole plan again).
    The pairs that met become matches (status "in talks") for the follow-up."""
    with transaction.atomic():
        call = _lock_call(call.pk)
        meetings = list(
            Meeting.objects.select_for_update(of=("self",))
            .filter(call=call, status=Meeting.Status.ACCEPTED)
            .select_related(
                "slot",
                "challenge__company",
                "proposal__company",
                "owner_person",
                "provider_person",
            )
            .order_by("starts_at", "slot__table", "pk")
        )
        if not meetings:
            raise ValidationError(_("No meeting has been accepted yet."), code="empty")
        plans: dict[int, tuple] = {}
        for meeting in meetings:
            for person, other in (
                (meeting.owner_person, meeting.proposal.company),
                (meeting.provider_person, meeting.challenge.company),
            ):
                plans.setdefault(person.pk, (person, []))[1].append((meeting, other))
        now = timezone.now()
        sent = 0
        for person, items in plans.values():
            if all(meeting.plan_sent_at is not None for meeting, _other in items):
                continue
            language = settings.LANGUAGE_CODE
            mail.queue_email(
                to=person.email,
                template="challenges/pitch_plan",
                context={"call": call, "event": call.pitch_event, "person": person, "items": items},
                language=language,
                attachments=[
                    calendar.meeting_attachment(meeting, other=other, language=language)
                    for meeting, other in items
                ],
            )
            sent += 1
        for meeting in meetings:
            if meeting.plan_sent_at is None:
                meeting.plan_sent_at = now
                meeting.save(update_fields=["plan_sent_at"])  # one audit entry per meeting
            Match.objects.get_or_create(
                challenge=meeting.challenge,
                company=meeting.proposal.company,
                defaults={"proposal": meeting.proposal},
            )
        if sent == 0:
            raise ValidationError(
                _("Everyone has already had their plan; no meeting was added since."),
                code="sent",
            )
    return sent


# --- matches -------------------------------------------------------------------------------


def record_match_status(
    *, match: Match, status: str, date, text: str = "", author=None
) -> MatchNote:
    """A dated note on a match that also sets its status (kept in the audit log)."""
    if status not in Match.Status.values:
        raise ValidationError(_("Choose a status from the list."), code="status")
    if date > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."), code="date")
    with transaction.atomic():
        match = Match.objects.select_for_update().get(pk=match.pk)
        note = MatchNote(match=match, date=date, status=status, text=text.strip(), author=author)
        note.full_clean()
        note.save()
        latest = match.notes.order_by("-date", "-pk").first()
        if latest is not None and match.status != latest.status:
            match.status = latest.status
            match.save(update_fields=["status", "updated_at"])
    return note
