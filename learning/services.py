"""Writes of the learning cycles: programmes, their cycles, organisations and people. Each
function owns its transaction; a ValidationError leaves nothing written.

Invitations: a programme's learning workshops are drafts while it is planned, and the workshops'
invitation machinery invites only to published workshops. Starting the programme publishes the
cycles' future workshops and invites every organisation's people to each of them; an
organisation added to a running programme is invited at once. ``ProgrammeOrganisation.
invited_at``, set under the organisation's row lock, makes that happen once per organisation; a
person added later is invited on their own, and the invitations' unique row per workshop and
address keeps every address invited once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext, override
from django.utils.translation import gettext_lazy as _

from regiolab.text import german_slug
from regiolab.validators import no_markup, single_line
from workshops.invitations.services import Recipient, invite
from workshops.lifecycle.services import create_workshop, publish_workshop, update_workshop
from workshops.models import Workshop

from .models import (
    Cycle,
    CycleReport,
    LearningProgramme,
    ProgrammeOrganisation,
    ProgrammePerson,
    TaskSubmission,
)

MAX_CYCLES = 12
# Paths under /learning/ that are not programmes.
RESERVED_SLUGS = frozenset({"new", "attachments", "reports"})
WORKSHOP_STARTS = time(9, 0)
WORKSHOP_ENDS = time(16, 0)
DEFAULT_CAPACITY = 40

PROGRAMME_FIELDS = (
    "goal",
    "description",
    "network",
    "currency",
    "shared_reports",
    "public_summary",
)


def cycle_date(start: date, number: int, interval_weeks: int) -> date:
    """The day of cycle ``number``'s learning workshop (the first on the start date)."""
    return start + timedelta(weeks=interval_weeks * (number - 1))


def _local(day: date, moment: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, moment))


def _unique_programme_slug(title: str) -> str:
    base = german_slug(title)[:100].strip("-") or "programme"
    candidate, number = base, 1
    while candidate in RESERVED_SLUGS or LearningProgramme.objects.filter(slug=candidate).exists():
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def create_programme(
    *,
    title: str,
    start: date,
    cycles: int = 3,
    interval_weeks: int = 8,
    created_by,
    themes: list[str] | None = None,
    venue: str = "",
    capacity: int = DEFAULT_CAPACITY,
    **fields,
) -> LearningProgramme:
    """Create a programme and lay out its cycles from ``start`` and ``interval_weeks``, each with
    a theme and a draft learning workshop on its day (09:00-16:00, Europe/Berlin).

    Raises ValidationError (field errors) and writes nothing then.
    """
    unknown = set(fields) - set(PROGRAMME_FIELDS)
    if unknown:
        raise TypeError(f"Unknown programme fields: {', '.join(sorted(unknown))}")
    errors: dict[str, list] = {}
    if not (1 <= cycles <= MAX_CYCLES):
        errors["cycles"] = [
            _("A programme has between 1 and %(max)s cycles.") % {"max": MAX_CYCLES}
        ]
    if not (1 <= interval_weeks <= 52):
        errors["interval_weeks"] = [_("The interval is between 1 and 52 weeks.")]
    if start is not None and start <= timezone.localdate():
        errors["start"] = [_("The first learning workshop must lie in the future.")]
    if errors:
        raise ValidationError(errors)
    themes = list(themes or [])
    programme = LearningProgramme(
        title=(title or "").strip(),
        start=start,
        interval_weeks=interval_weeks,
        created_by=created_by,
        **fields,
    )
    with transaction.atomic():
        programme.slug = _unique_programme_slug(programme.title)
        programme.full_clean()
        programme.save()
        for number in range(1, cycles + 1):
            day = cycle_date(start, number, interval_weeks)
            # The workshop's title is German first, like every workshop's; English beside it.
            with override("de"):
                title_de = gettext("%(title)s – learning workshop %(number)s")
            with override("en"):
                title_en = gettext("%(title)s – learning workshop %(number)s")
            workshop = create_workshop(
                created_by=created_by,
                title=title_de % {"title": programme.title, "number": number},
                title_en=title_en % {"title": programme.title, "number": number},
                description=programme.goal,
                network=programme.network,
                venue=venue or gettext("to be announced"),
                starts_at=_local(day, WORKSHOP_STARTS),
                ends_at=_local(day, WORKSHOP_ENDS),
                capacity=capacity,
                listed=False,
            )
            Cycle.objects.create(
                programme=programme,
                number=number,
                theme=themes[number - 1] if number <= len(themes) else "",
                workshop=workshop,
            )
    return programme


# --- The programme's details and status --------------------------------------------------------

EDITABLE_FIELDS = ("title", *PROGRAMME_FIELDS, "summary_published")


def update_programme(*, programme: LearningProgramme, by=None, **fields) -> LearningProgramme:
    """Change the programme's details (not its slug, dates or status). Raises ValidationError
    with field errors and writes nothing then."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown programme fields: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        locked = LearningProgramme.objects.select_for_update().get(pk=programme.pk)
        for name, value in fields.items():
            setattr(locked, name, value.strip() if isinstance(value, str) else value)
        if locked.summary_published and not locked.public_summary.strip():
            raise ValidationError(
                {"summary_published": _("Please write the public summary before publishing it.")}
            )
        locked.full_clean()
        locked.save()
    return locked


@dataclass(frozen=True)
class StartResult:
    published: int  # learning workshops published now
    invited: int  # invitations written


def start_programme(*, programme: LearningProgramme, by=None) -> StartResult:
    """Planned → running: publish the cycles' learning workshops that are drafts and still lie
    ahead, then invite every organisation's people to them (once per organisation). Starting a
    running programme again changes nothing."""
    now = timezone.now()
    with transaction.atomic():
        locked = LearningProgramme.objects.select_for_update().get(pk=programme.pk)
        if locked.status == LearningProgramme.Status.RUNNING:
            return StartResult(0, 0)
        if locked.status == LearningProgramme.Status.CLOSED:
            raise ValidationError(_("A closed programme can't be started again."), code="closed")
        locked.status = LearningProgramme.Status.RUNNING
        locked.save(update_fields=["status", "updated_at"])
        published = 0
        drafts = Workshop.objects.filter(
            learning_cycle__programme=locked, status=Workshop.Status.DRAFT, starts_at__gt=now
        ).order_by("starts_at")
        for workshop in drafts:
            publish_workshop(workshop=workshop, by=by)
            published += 1
        invited = 0
        for organisation in locked.organisations.order_by("pk"):
            invited += invite_organisation(organisation=organisation, by=by)
    programme.status = locked.status
    return StartResult(published, invited)


def close_programme(*, programme: LearningProgramme, by=None) -> LearningProgramme:
    """Close the programme: no more reports, submissions or registrations through it. Closing
    twice changes nothing."""
    with transaction.atomic():
        locked = LearningProgramme.objects.select_for_update().get(pk=programme.pk)
        if locked.status != LearningProgramme.Status.CLOSED:
            locked.status = LearningProgramme.Status.CLOSED
            locked.closed_at = timezone.now()
            locked.save(update_fields=["status", "closed_at", "updated_at"])
    programme.status, programme.closed_at = locked.status, locked.closed_at
    return locked


def _check_not_closed(programme: LearningProgramme) -> None:
    if programme.status == LearningProgramme.Status.CLOSED:
        raise ValidationError(_("This programme is closed."), code="closed")


def update_cycle_theme(*, cycle: Cycle, theme: str, theme_en: str = "", by=None) -> Cycle:
    """Name the cycle's theme (German, and English for English pages)."""
    with transaction.atomic():
        locked = Cycle.objects.select_for_update().select_related("programme").get(pk=cycle.pk)
        _check_not_closed(locked.programme)
        locked.theme, locked.theme_en = (theme or "").strip(), (theme_en or "").strip()
        for name in ("theme", "theme_en"):
            try:
                no_markup(getattr(locked, name))
            except ValidationError as exc:
                raise ValidationError({name: exc.messages}) from exc
        locked.full_clean(exclude=["workshop", "programme"])
        locked.save(update_fields=["theme", "theme_en"])
    return locked


# --- Moving a cycle's learning workshop --------------------------------------------------------


@dataclass(frozen=True)
class Move:
    cycle: Cycle
    starts_at: datetime  # now
    ends_at: datetime
    new_starts_at: datetime
    new_ends_at: datetime


def plan_move(
    *, cycle: Cycle, starts_at: datetime, ends_at: datetime, shift_later: bool
) -> list[Move]:
    """The cycle's workshop on its new time and, with ``shift_later``, every later cycle's
    workshop moved by the same amount: the preview the coordinator confirms. Raises
    ValidationError when the order of the cycles would break."""
    cycles = list(
        Cycle.objects.filter(programme_id=cycle.programme_id)
        .select_related("workshop")
        .order_by("number")
    )
    current = next(c for c in cycles if c.pk == cycle.pk)
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The end must come after the start.")})
    delta = starts_at - current.workshop.starts_at
    moves = [
        Move(current, current.workshop.starts_at, current.workshop.ends_at, starts_at, ends_at)
    ]
    if shift_later and delta:
        moves += [
            Move(
                c,
                c.workshop.starts_at,
                c.workshop.ends_at,
                c.workshop.starts_at + delta,
                c.workshop.ends_at + delta,
            )
            for c in cycles
            if c.number > current.number
        ]
    # The cycles keep their order: each learning workshop ends before the next one starts.
    new_times = {move.cycle.pk: (move.new_starts_at, move.new_ends_at) for move in moves}
    timeline = [new_times.get(c.pk, (c.workshop.starts_at, c.workshop.ends_at)) for c in cycles]
    for (_start, end), (next_start, _end) in zip(timeline, timeline[1:], strict=False):
        if end > next_start:
            raise ValidationError(
                {
                    "starts_at": _(
                        "The learning workshops must stay in the order of their cycles; move "
                        "the later ones too or choose another date."
                    )
                },
                code="order",
            )
    return moves


def move_cycle_workshop(
    *, cycle: Cycle, starts_at: datetime, ends_at: datetime, shift_later: bool, by=None
) -> list[Move]:
    """Move the cycle's learning workshop (and with ``shift_later`` the later ones by the same
    amount) through ``update_workshop``, so the calendar sequence rises and registered people
    get the changed entry. All or nothing."""
    with transaction.atomic():
        # One move of a programme at a time: the order check sees the others' result.
        programme = LearningProgramme.objects.select_for_update().get(pk=cycle.programme_id)
        _check_not_closed(programme)
        moves = plan_move(
            cycle=cycle, starts_at=starts_at, ends_at=ends_at, shift_later=shift_later
        )
        # Later first when moving back, earlier first when moving forward; each save alone is
        # valid either way, as update_workshop checks one workshop at a time.
        for move in moves:
            if move.new_starts_at == move.starts_at and move.new_ends_at == move.ends_at:
                continue
            update_workshop(
                workshop=move.cycle.workshop,
                by=by,
                starts_at=move.new_starts_at,
                ends_at=move.new_ends_at,
            )
    return moves


# --- Organisations and their people ------------------------------------------------------------


@dataclass(frozen=True)
class PersonInput:
    email: str
    first_name: str = ""
    last_name: str = ""


def _clean_person(person: PersonInput) -> PersonInput:
    email = (person.email or "").strip().lower()
    try:
        if len(email) > 254:
            raise ValidationError("too long")
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError(
            {"people": _("“%(value)s” is not a valid e-mail address.") % {"value": person.email}}
        ) from exc
    first, last = (person.first_name or "").strip(), (person.last_name or "").strip()
    for value in (first, last):
        try:
            single_line(value)
            no_markup(value)
        except ValidationError as exc:
            raise ValidationError({"people": exc.messages}) from exc
        if len(value) > 100:
            raise ValidationError({"people": _("A name has at most 100 characters.")})
    return PersonInput(email, first, last)


def _accounts_by_email(emails: Iterable[str]) -> dict[str, int]:
    """User ids of accounts holding each address as a verified one (lower-cased keys)."""
    from allauth.account.models import EmailAddress

    rows = (
        EmailAddress.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=list(emails), verified=True)
        .order_by("pk")
        .values_list("email_lower", "user_id")
    )
    found: dict[str, int] = {}
    for email, user_id in rows:
        found.setdefault(email, user_id)
    return found


def add_organisation(
    *,
    programme: LearningProgramme,
    company,
    actor_type: str,
    people: Iterable[PersonInput] = (),
    added_by=None,
) -> ProgrammeOrganisation:
    """Add a company of any kind with its people (linked to their accounts where one holds the
    verified address). In a running programme its people are invited at once."""
    if actor_type not in ProgrammeOrganisation.ActorType.values:
        raise ValidationError({"actor_type": _("Please choose an actor type.")})
    cleaned: dict[str, PersonInput] = {}
    for person in people:
        person = _clean_person(person)
        cleaned.setdefault(person.email, person)
    with transaction.atomic():
        locked = LearningProgramme.objects.select_for_update().get(pk=programme.pk)
        _check_not_closed(locked)
        if ProgrammeOrganisation.objects.filter(programme=locked, company=company).exists():
            raise ValidationError(
                {"company": _("This organisation already takes part in the programme.")},
                code="duplicate",
            )
        organisation = ProgrammeOrganisation.objects.create(
            programme=locked, company=company, actor_type=actor_type, added_by=added_by
        )
        accounts = _accounts_by_email(cleaned)
        ProgrammePerson.objects.bulk_create(
            ProgrammePerson(
                organisation=organisation,
                email=p.email,
                first_name=p.first_name,
                last_name=p.last_name,
                user_id=accounts.get(p.email),
            )
            for p in cleaned.values()
        )
        if locked.status == LearningProgramme.Status.RUNNING:
            invite_organisation(organisation=organisation, by=added_by)
    return organisation


def add_person(
    *, organisation: ProgrammeOrganisation, person: PersonInput, by=None
) -> ProgrammePerson:
    """Add one person to an organisation; once the organisation has been invited, the person
    is invited to the open learning workshops on their own (once)."""
    person = _clean_person(person)
    with transaction.atomic():
        locked = ProgrammeOrganisation.objects.select_for_update().get(pk=organisation.pk)
        _check_not_closed(locked.programme)
        if ProgrammePerson.objects.filter(organisation=locked, email__iexact=person.email).exists():
            raise ValidationError(
                {"email": _("This person already belongs to the organisation.")},
                code="duplicate",
            )
        created = ProgrammePerson.objects.create(
            organisation=locked,
            email=person.email,
            first_name=person.first_name,
            last_name=person.last_name,
            user_id=_accounts_by_email([person.email]).get(person.email),
        )
        if locked.invited_at is not None:
            _invite(locked, [created], by=by)
    return created


def remove_person(*, person: ProgrammePerson, by=None) -> None:
    with transaction.atomic():
        locked = ProgrammePerson.objects.select_for_update().get(pk=person.pk)
        if TaskSubmission.objects.filter(person=locked).exclude(status="draft").exists():
            raise ValidationError(
                _("This person has submitted tasks; their submissions are kept as records."),
                code="has_records",
            )
        locked.delete()


def removal_blockers(organisation: ProgrammeOrganisation) -> dict[str, int]:
    """What keeps an organisation in the programme: its submitted reports and tasks."""
    return {
        "reports": CycleReport.objects.filter(
            organisation=organisation, status=CycleReport.Status.SUBMITTED
        ).count(),
        "submissions": TaskSubmission.objects.filter(organisation=organisation)
        .exclude(status=TaskSubmission.Status.DRAFT)
        .count(),
    }


def remove_organisation(*, organisation: ProgrammeOrganisation, by=None) -> None:
    """Remove an organisation with its people and drafts. One with submitted reports or tasks
    stays: those are the programme's records (and the funders' figures)."""
    with transaction.atomic():
        locked = ProgrammeOrganisation.objects.select_for_update().get(pk=organisation.pk)
        if any(removal_blockers(locked).values()):
            raise ValidationError(
                _(
                    "This organisation has submitted reports or tasks; they are the programme's "
                    "records, so it can't be removed."
                ),
                code="has_records",
            )
        locked.delete()


def open_cycle_workshops(programme_id: int) -> list[Workshop]:
    """The programme's learning workshops that take invitations: published and ahead."""
    return list(
        Workshop.objects.filter(
            learning_cycle__programme_id=programme_id,
            status=Workshop.Status.PUBLISHED,
            starts_at__gt=timezone.now(),
        ).order_by("starts_at")
    )


def _invite(organisation: ProgrammeOrganisation, people, *, by) -> int:
    recipients = [Recipient(p.email.lower(), organisation.company_id) for p in people]
    if not recipients:
        return 0
    created = 0
    for workshop in open_cycle_workshops(organisation.programme_id):
        created += invite(workshop=workshop, recipients=recipients, invited_by=by).created
    return created


def invite_organisation(*, organisation: ProgrammeOrganisation, by=None) -> int:
    """Invite the organisation's people to every open learning workshop of its programme, once
    (``invited_at`` decided under the organisation's row lock). Does nothing while the
    programme's workshops are drafts. Returns the invitations written."""
    with transaction.atomic():
        locked = (
            ProgrammeOrganisation.objects.select_for_update()
            .select_related("programme")
            .get(pk=organisation.pk)
        )
        if locked.invited_at is not None:
            return 0
        if locked.programme.status != LearningProgramme.Status.RUNNING:
            return 0
        created = _invite(locked, list(locked.people.all()), by=by)
        locked.invited_at = timezone.now()
        locked.save(update_fields=["invited_at"])
    organisation.invited_at = locked.invited_at
    return created


def link_accounts(*, user) -> int:
    """Link the people whose address is one of the user's verified ones to the account (an
    account made after the person was added). Returns the people linked."""
    if user is None or not user.is_authenticated:
        return 0
    from allauth.account.models import EmailAddress

    verified = (
        EmailAddress.objects.filter(user=user, verified=True)
        .annotate(email_lower=Lower("email"))
        .values("email_lower")
    )
    # Read first: the common case (nothing to link) writes nothing, so a page view moves no
    # table version of the cache. One query.
    unlinked = list(
        ProgrammePerson.objects.annotate(email_lower=Lower("email"))
        .filter(user__isnull=True, email_lower__in=verified)
        .values_list("pk", flat=True)
    )
    if not unlinked:
        return 0
    return ProgrammePerson.objects.filter(pk__in=unlinked, user__isnull=True).update(user=user)


# --- The participant's one-click registration --------------------------------------------------


def register_for_cycle(*, cycle: Cycle, user):
    """Register the signed-in participant for the cycle's learning workshop with their name
    and their organisation's company."""
    from workshops.registration.services import register_participant

    programme = cycle.programme
    _check_not_closed(programme)
    person = (
        ProgrammePerson.objects.filter(user=user, organisation__programme=programme)
        .select_related("organisation__company")
        .order_by("pk")
        .first()
    )
    if person is None:
        raise ValidationError(_("You don't take part in this programme."), code="outsider")
    return register_participant(
        workshop=cycle.workshop,
        first_name=person.first_name or user.first_name or person.email.split("@")[0],
        last_name=person.last_name or user.last_name,
        email=user.email or person.email,
        company=person.organisation.company,
        registered_by=user,
    )
