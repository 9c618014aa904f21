"""Writes of stakeholder groups: the group, its member organisations and people, meetings as
draft workshops of the group, and the minutes (members told by e-mail once)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from policy.models import GroupMeeting, GroupMember, GroupPerson, HelixCategory, StakeholderGroup
from regiolab.links import absolute_url
from regiolab.mail import queue_email
from workshops.invitations.services import Recipient, invite
from workshops.lifecycle.services import create_workshop
from workshops.models import Workshop

from . import selectors

GROUP_FIELDS = ("name", "purpose", "region", "meetings_per_year")


def save_group(*, group: StakeholderGroup, by=None) -> StakeholderGroup:
    if group.pk is None:
        group.created_by = by
    group.full_clean()
    group.save()
    return group


def _accounts_by_email(emails: Iterable[str]) -> dict[str, int]:
    from allauth.account.models import EmailAddress

    found: dict[str, int] = {}
    for email, user_id in (
        EmailAddress.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=list(emails), verified=True)
        .order_by("pk")
        .values_list("email_lower", "user_id")
    ):
        found.setdefault(email, user_id)
    return found


def clean_emails(emails: Iterable[str]) -> list[str]:
    """Lower-cased, de-duplicated addresses; ValidationError naming the first bad one."""
    cleaned: list[str] = []
    for raw in emails:
        email = raw.strip().lower()
        if not email:
            continue
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError(
                {"people": _("“%(email)s” is not a valid e-mail address.") % {"email": raw}}
            ) from None
        if email not in cleaned:
            cleaned.append(email)
    return cleaned


def add_member(
    *, group: StakeholderGroup, company, category: str, emails: Iterable[str] = ()
) -> GroupMember:
    """Add an organisation in its helix category with its people; an organisation already in
    the group is refused (nothing written)."""
    if category not in HelixCategory.values:
        raise ValidationError({"category": _("Choose a category.")})
    addresses = clean_emails(emails)
    if GroupMember.objects.filter(group=group, company=company).exists():
        raise ValidationError(
            {"company": _("This organisation is already a member of the group.")},
            code="duplicate",
        )
    accounts = _accounts_by_email(addresses)
    try:
        with transaction.atomic():
            member = GroupMember.objects.create(group=group, company=company, category=category)
            GroupPerson.objects.bulk_create(
                [GroupPerson(member=member, email=e, user_id=accounts.get(e)) for e in addresses]
            )
    except IntegrityError:
        raise ValidationError(
            {"company": _("This organisation is already a member of the group.")},
            code="duplicate",
        ) from None
    return member


def add_people(*, member: GroupMember, emails: Iterable[str]) -> int:
    """Add people to a member organisation; addresses already there are skipped."""
    addresses = clean_emails(emails)
    if not addresses:
        raise ValidationError({"people": _("Enter at least one e-mail address.")})
    accounts = _accounts_by_email(addresses)
    with transaction.atomic():
        existing = set(member.people.values_list("email", flat=True))
        new = [
            GroupPerson(member=member, email=e, user_id=accounts.get(e))
            for e in addresses
            if e not in existing
        ]
        GroupPerson.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def remove_member(*, member: GroupMember) -> None:
    member.delete()


def next_meeting_start(group: StakeholderGroup, *, now=None):
    """A suggestion: a year divided by the meetings per year after the last meeting (or four
    weeks from now), at 14:00."""
    now = now or timezone.now()
    last = (
        group.meetings.order_by("-workshop__starts_at")
        .values_list("workshop__starts_at", flat=True)
        .first()
    )
    gap = timedelta(days=365 // max(group.meetings_per_year, 1))
    start = max(last + gap, now + timedelta(days=28)) if last else now + timedelta(days=28)
    return timezone.localtime(start).replace(hour=14, minute=0, second=0, microsecond=0)


def schedule_meeting(
    *, group: StakeholderGroup, title: str, starts_at, ends_at, venue: str, capacity: int, by=None
) -> GroupMeeting:
    """A draft, unlisted workshop of the group (published, invitations, registration, .ics and
    attendance then as for any workshop) and its meeting row."""
    with transaction.atomic():
        workshop = create_workshop(
            created_by=by,
            title=title,
            description=group.purpose,
            venue=venue,
            starts_at=starts_at,
            ends_at=ends_at,
            capacity=capacity,
            listed=False,
        )
        return GroupMeeting.objects.create(group=group, workshop=workshop)


def invite_members(*, meeting: GroupMeeting, by=None) -> int:
    """Invite every person of the group's member organisations (addresses already invited are
    not invited again). Returns the number of new invitations."""
    people = selectors.recipients_of(meeting.group)
    if not people:
        raise ValidationError(_("The group has no members with an e-mail address yet."))
    recipients = [Recipient(email=p.email, company_id=p.member.company_id) for p in people]
    workshop = Workshop.objects.get(pk=meeting.workshop_id)  # as it is now, e.g. published
    return invite(workshop=workshop, recipients=recipients, invited_by=by).created


def invite_on_publish(*, workshop: Workshop, by=None) -> None:
    """Publishing a meeting's workshop (from the workshops' pages too) invites the members."""
    meeting = GroupMeeting.objects.select_related("group").filter(workshop=workshop).first()
    if meeting is None:
        return
    if selectors.recipients_of(meeting.group):
        invite_members(meeting=meeting, by=by)


def record_minutes(*, meeting: GroupMeeting, minutes: str, decisions: str, by=None) -> bool:
    """Save the minutes and decisions of a meeting that has taken place; the first time they
    are saved with text the members are told by e-mail (once; later edits send nothing).
    Returns True when the e-mails were queued now."""
    if not (minutes or "").strip() and not (decisions or "").strip():
        raise ValidationError({"minutes": _("Write the minutes or the decisions.")})
    with transaction.atomic():
        locked = (
            GroupMeeting.objects.select_for_update()
            .select_related("workshop", "group")
            .get(pk=meeting.pk)
        )
        if locked.workshop.starts_at > timezone.now():
            raise ValidationError(
                _("Minutes can be recorded once the meeting has taken place."), code="future"
            )
        if locked.workshop.status == Workshop.Status.CANCELLED:
            raise ValidationError(_("This meeting was cancelled."), code="cancelled")
        locked.minutes, locked.decisions = minutes.strip(), decisions.strip()
        send = locked.minutes_sent_at is None
        if send:
            locked.minutes_sent_at = timezone.now()
        locked.save(update_fields=["minutes", "decisions", "minutes_sent_at"])
        if send:
            url = absolute_url(locked.group.get_absolute_url())
            for person in selectors.recipients_of(locked.group):
                queue_email(
                    to=person.email,
                    template="policy/group_minutes",
                    context={"meeting": locked, "group": locked.group, "group_url": url},
                )
    meeting.minutes, meeting.decisions = locked.minutes, locked.decisions
    meeting.minutes_sent_at = locked.minutes_sent_at
    return send
