"""Writes of the homework: tasks, the organisations' submissions with their attachments, the
reminders before a task is due, and the organisations' own cycle reports.

Every function owns its transaction and raises ``ValidationError`` with a message for the
person, leaving nothing written (files included). The rules hold here, whatever the view:
nothing is written for a closed programme, for a cycle or task of another programme than the
organisation's, or by someone who is not one of the organisation's people.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from regiolab.links import absolute_url
from regiolab.mail import queue_email

from ..models import (
    Cycle,
    CycleReport,
    FindingTag,
    LearningProgramme,
    ProgrammeOrganisation,
    ProgrammePerson,
    ReportItem,
    SubmissionAttachment,
    Task,
    TaskReminder,
    TaskSubmission,
)

MAX_ATTACHMENTS = 10
MAX_TAGS_PER_ITEM = 10
MAX_ITEMS_PER_SECTION = 30
# Sections whose items are findings: they may continue an earlier cycle's item and be resolved.
FINDING_SECTIONS = (ReportItem.Section.OBSTACLE, ReportItem.Section.OPPORTUNITY)
# Reminder kind → the days before the due date from which it is due (until the next kind's).
REMINDER_WINDOWS = (
    (TaskReminder.Kind.DAY_BEFORE, 0, 1),
    (TaskReminder.Kind.WEEK_BEFORE, 2, 7),
)


# --- shared checks ---------------------------------------------------------------------------


def _refuse_closed(programme: LearningProgramme) -> None:
    if programme.is_closed:
        raise ValidationError(
            _("The programme %(title)s is closed: nothing can be submitted or changed any more.")
            % {"title": programme.title}
        )


def _person_for(*, user, organisation: ProgrammeOrganisation, programme_id: int):
    """The user's entry among the organisation's people, after checking the organisation
    takes part in the programme the cycle or task belongs to."""
    if organisation.programme_id != programme_id:
        raise ValidationError(
            _("This cycle belongs to another programme than your organisation's.")
        )
    person = None
    if user is not None and user.is_authenticated:
        person = (
            ProgrammePerson.objects.filter(organisation=organisation, user=user)
            .order_by("pk")
            .first()
        )
    if person is None:
        raise ValidationError(_("Only the people of an organisation in the programme can do this."))
    return person


def _lock_organisation(organisation: ProgrammeOrganisation) -> ProgrammeOrganisation:
    # One writer at a time per organisation: its submissions and reports are created by
    # get-or-create, which the lock keeps from racing (SQLite: IMMEDIATE transactions).
    return ProgrammeOrganisation.objects.select_for_update().get(pk=organisation.pk)


# --- tasks (coordinators) --------------------------------------------------------------------


def default_due_date(cycle: Cycle) -> date:
    """The day before the next cycle's learning workshop; for the last cycle the day before
    its own workshop."""
    following = (
        Cycle.objects.filter(programme_id=cycle.programme_id, number__gt=cycle.number)
        .select_related("workshop")
        .order_by("number")
        .first()
    )
    workshop = (following or cycle).workshop
    return timezone.localtime(workshop.starts_at).date() - timedelta(days=1)


TASK_FIELDS = ("title", "instructions", "due_date", "assignee")


def create_task(*, cycle: Cycle, created_by, **fields) -> Task:
    unknown = set(fields) - set(TASK_FIELDS)
    if unknown:
        raise TypeError(f"Unknown task fields: {', '.join(sorted(unknown))}")
    _refuse_closed(cycle.programme)
    fields.setdefault("due_date", None)
    if fields["due_date"] is None:
        fields["due_date"] = default_due_date(cycle)
    task = Task(cycle=cycle, created_by=created_by, **fields)
    task.title = (task.title or "").strip()
    task.full_clean()
    with transaction.atomic():
        task.save()
    return task


def update_task(*, task: Task, **fields) -> Task:
    unknown = set(fields) - set(TASK_FIELDS)
    if unknown:
        raise TypeError(f"Unknown task fields: {', '.join(sorted(unknown))}")
    _refuse_closed(task.cycle.programme)
    with transaction.atomic():
        locked = Task.objects.select_for_update().get(pk=task.pk)
        changes_assignee = "assignee" in fields and fields["assignee"] != locked.assignee
        if changes_assignee and locked.submissions.exists():
            raise ValidationError(
                {
                    "assignee": _(
                        "Submissions exist already: who does the task can no longer change."
                    )
                }
            )
        for name, value in fields.items():
            setattr(locked, name, value)
        if fields.get("due_date") is None and "due_date" in fields:
            locked.due_date = default_due_date(locked.cycle)
        locked.title = (locked.title or "").strip()
        locked.full_clean()
        locked.save()
    return locked


def delete_task(*, task: Task) -> None:
    """Delete a task with its submissions, their attachments (files after commit) and
    reminders."""
    with transaction.atomic():
        locked = Task.objects.select_for_update().get(pk=task.pk)
        files = list(
            SubmissionAttachment.objects.filter(submission__task=locked).values_list(
                "file", flat=True
            )
        )
        locked.delete()
        _delete_files_after_commit(files)


def _delete_files_after_commit(names) -> None:
    storage = SubmissionAttachment._meta.get_field("file").storage
    for name in names:
        if name:
            transaction.on_commit(lambda name=name: storage.delete(name))


def return_submission(*, submission: TaskSubmission, feedback: str, returned_by) -> TaskSubmission:
    """Send a submitted answer back for revision with the coordinator's feedback; its people
    are told by e-mail (once, in the same transaction)."""
    feedback = (feedback or "").strip()
    if not feedback:
        raise ValidationError({"feedback": _("Please write what should be revised.")})
    with transaction.atomic():
        locked = (
            TaskSubmission.objects.select_for_update(of=("self",))
            .select_related("task__cycle__programme", "organisation__company", "person")
            .get(pk=submission.pk)
        )
        _refuse_closed(locked.task.cycle.programme)
        if locked.status != TaskSubmission.Status.SUBMITTED:
            raise ValidationError(_("Only a submitted answer can be returned for revision."))
        locked.status = TaskSubmission.Status.RETURNED
        locked.feedback = feedback
        locked.updated_by = returned_by
        locked.save(update_fields=["status", "feedback", "updated_by", "updated_at"])
        task = locked.task
        url = absolute_url(task_url(task))
        for email in _submission_addresses(locked):
            queue_email(
                to=email,
                template="learning_task_returned",
                context={"task": task, "submission": locked, "task_url": url},
                language=settings.LANGUAGE_CODE,
            )
    return locked


def _submission_addresses(submission: TaskSubmission) -> list[str]:
    if submission.person_id:
        return [submission.person.email]
    return sorted(set(submission.organisation.people.values_list("email", flat=True)))


def task_url(task: Task) -> str:
    from django.urls import reverse

    cycle = task.cycle
    return reverse("learning:task", args=[cycle.programme.slug, cycle.number, task.pk])


# --- submissions (participants) --------------------------------------------------------------


@dataclass(frozen=True)
class AttachmentUpload:
    """A file already checked by content (regiolab.uploads.validate_attachment_upload)."""

    name: str  # the uploader's name made harmless (receipt_display_name): a label only
    content: bytes
    extension: str
    content_type: str


def submission_is_open(submission: TaskSubmission | None, task: Task, *, today=None) -> bool:
    """Whether the answer may still be written: until the due date, and after it while it is
    returned for revision; never in a closed programme."""
    if task.cycle.programme.is_closed:
        return False
    if submission is not None and submission.status == TaskSubmission.Status.RETURNED:
        return True
    return (today or timezone.localdate()) <= task.due_date


@contextmanager
def _files_written() -> Iterator:
    """Yields ``write(attachment, upload)``; files written in a block that fails are deleted."""
    written = []

    def write(attachment: SubmissionAttachment, upload: AttachmentUpload) -> None:
        attachment.file.save(
            f"attachment.{upload.extension}", ContentFile(upload.content), save=False
        )
        written.append((attachment.file.storage, attachment.file.name))

    try:
        yield write
    except BaseException:
        for storage, name in written:
            storage.delete(name)
        raise


def save_submission(
    *,
    task: Task,
    organisation: ProgrammeOrganisation,
    user,
    text: str,
    submit: bool,
    attachment: AttachmentUpload | None = None,
) -> TaskSubmission:
    """Write the organisation's (or, for a person task, the user's own) answer to ``task``:
    a draft, or submitted when ``submit``. A submitted answer stays submitted when changed."""
    programme = task.cycle.programme
    _refuse_closed(programme)
    person = _person_for(user=user, organisation=organisation, programme_id=programme.pk)
    per_person = task.assignee == Task.Assignee.PERSON
    with _files_written() as write, transaction.atomic():
        _lock_organisation(organisation)
        lookup = {"task": task, "organisation": organisation}
        lookup.update({"person": person} if per_person else {"person__isnull": True})
        submission = TaskSubmission.objects.filter(**lookup).first()
        if not submission_is_open(submission, task):
            raise ValidationError(
                _("The task was due on %(date)s: the answer can no longer be changed.")
                % {"date": task.due_date.strftime("%d.%m.%Y")}
            )
        if submission is None:
            submission = TaskSubmission(
                task=task, organisation=organisation, person=person if per_person else None
            )
        submission.text = (text or "").strip()
        submission.updated_by = user
        if attachment is not None:
            count = submission.attachments.count() if submission.pk else 0
            if count >= MAX_ATTACHMENTS:
                raise ValidationError(
                    {
                        "attachment": _("An answer may have at most %(max)s attachments.")
                        % {"max": MAX_ATTACHMENTS}
                    }
                )
        if submit or submission.status == TaskSubmission.Status.SUBMITTED:
            has_files = attachment is not None or (
                submission.pk and submission.attachments.exists()
            )
            if not submission.text and not has_files:
                raise ValidationError(
                    {"text": _("Please write an answer or attach a file before submitting.")}
                )
            if submission.status != TaskSubmission.Status.SUBMITTED:
                submission.submitted_at = timezone.now()
            submission.status = TaskSubmission.Status.SUBMITTED
        submission.full_clean(exclude=["task", "organisation", "person"])
        submission.save()
        if attachment is not None:
            row = SubmissionAttachment(
                submission=submission,
                name=attachment.name,
                content_type=attachment.content_type,
                size=len(attachment.content),
                uploaded_by=user,
            )
            write(row, attachment)
            row.save()
    return submission


def remove_attachment(*, attachment: SubmissionAttachment, user) -> None:
    """Remove an attachment of one's own answer while the answer may be changed; the file goes
    after commit."""
    submission = attachment.submission
    task = submission.task
    _refuse_closed(task.cycle.programme)
    person = _person_for(
        user=user, organisation=submission.organisation, programme_id=task.cycle.programme_id
    )
    if submission.person_id and submission.person_id != person.pk:
        raise ValidationError(_("Only the person who wrote this answer can change it."))
    with transaction.atomic():
        _lock_organisation(submission.organisation)
        locked = TaskSubmission.objects.get(pk=submission.pk)
        if not submission_is_open(locked, task):
            raise ValidationError(
                _("The task was due on %(date)s: the answer can no longer be changed.")
                % {"date": task.due_date.strftime("%d.%m.%Y")}
            )
        row = SubmissionAttachment.objects.filter(pk=attachment.pk, submission=locked).first()
        if row is None:
            return
        last_of_text_less = not locked.text and not locked.attachments.exclude(pk=row.pk).exists()
        if locked.status == TaskSubmission.Status.SUBMITTED and last_of_text_less:
            raise ValidationError(
                _("A submitted answer needs a text or a file: write a text first.")
            )
        name = row.file.name
        row.delete()
        _delete_files_after_commit([name])


# --- reminders (beat, daily) -----------------------------------------------------------------


def _reminder_kind(days_left: int):
    for kind, first, last in REMINDER_WINDOWS:
        if first <= days_left <= last:
            return kind
    return None


def _open_addresses(task: Task) -> list[str]:
    """The addresses of those who have not submitted the task: for an organisation task the
    people of every organisation without a submitted answer, for a person task every person
    without one."""
    people = ProgrammePerson.objects.filter(organisation__programme_id=task.cycle.programme_id)
    submitted = task.submissions.filter(status=TaskSubmission.Status.SUBMITTED)
    if task.assignee == Task.Assignee.PERSON:
        people = people.exclude(pk__in=submitted.values("person_id"))
    else:
        people = people.exclude(
            organisation_id__in=submitted.filter(person__isnull=True).values("organisation_id")
        )
    return sorted({email.lower() for email in people.values_list("email", flat=True) if email})


def send_task_reminders(*, today: date | None = None) -> int:
    """Remind those who have not submitted a task 7 days and 1 day before it is due, each
    reminder once per task and address (TaskReminder's unique row, written with the e-mail in
    one transaction, the task row locked). Never after the due date, never for a closed
    programme. A day beat missed is caught up inside its window (2-7 days before for the first
    reminder, the day before and the due day for the second); when the second is due the first
    is no longer sent. Returns the number of e-mails queued."""
    today = today or timezone.localdate()
    due = (
        Task.objects.filter(due_date__gte=today, due_date__lte=today + timedelta(days=7))
        .exclude(cycle__programme__status=LearningProgramme.Status.CLOSED)
        .order_by("due_date", "pk")
    )
    sent = 0
    for task_id in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            task = (
                Task.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("cycle__programme", "cycle__workshop")
                .filter(pk=task_id)
                .exclude(cycle__programme__status=LearningProgramme.Status.CLOSED)
                .first()
            )
            if task is None:  # another run holds it, or it was closed meanwhile
                continue
            kind = _reminder_kind((task.due_date - today).days)
            if kind is None:
                continue
            done = set(task.reminders.filter(kind=kind).values_list("email", flat=True))
            addresses = [email for email in _open_addresses(task) if email not in done]
            url = absolute_url(task_url(task))
            for email in addresses:
                TaskReminder.objects.create(task=task, email=email, kind=kind)
                queue_email(
                    to=email,
                    template="learning_task_reminder",
                    context={
                        "task": task,
                        "programme": task.cycle.programme,
                        "task_url": url,
                        "days_left": (task.due_date - today).days,
                    },
                    language=settings.LANGUAGE_CODE,
                )
            sent += len(addresses)
    return sent


# --- cycle reports (participants) ------------------------------------------------------------


@dataclass
class ItemInput:
    """One row of the report form: an existing item (``id``) or a new one."""

    section: str
    text: str
    id: int | None = None
    tags: list[str] = field(default_factory=list)
    follows_id: int | None = None
    resolved: bool = False
    delete: bool = False


def report_is_open(cycle: Cycle, *, now=None) -> bool:
    """Reports are written from the cycle's report window (if set) until its workshop starts;
    never in a closed programme."""
    now = now or timezone.now()
    if cycle.programme.is_closed or now >= cycle.workshop.starts_at:
        return False
    return cycle.report_opens_on is None or timezone.localtime(now).date() >= (
        cycle.report_opens_on
    )


def _report_window_refusal(cycle: Cycle) -> ValidationError:
    now = timezone.now()
    if now >= cycle.workshop.starts_at:
        return ValidationError(
            _(
                "The learning workshop of cycle %(number)s has started: its reports can no "
                "longer be changed."
            )
            % {"number": cycle.number}
        )
    return ValidationError(
        _("Reports of cycle %(number)s can be written from %(date)s.")
        % {"number": cycle.number, "date": cycle.report_opens_on.strftime("%d.%m.%Y")}
    )


def earlier_findings(*, organisation: ProgrammeOrganisation, cycle: Cycle):
    """The obstacles and opportunities of the organisation's reports of earlier cycles: what an
    item of this cycle may continue. Only the organisation's own: it continues its own finding
    (coordinators see every organisation's side by side on the board)."""
    return (
        ReportItem.objects.filter(
            report__organisation=organisation,
            report__cycle__programme_id=cycle.programme_id,
            report__cycle__number__lt=cycle.number,
            section__in=FINDING_SECTIONS,
        )
        .select_related("report__cycle")
        .order_by("report__cycle__number", "section", "position", "pk")
    )


def _clean_tag_names(names) -> list[str]:
    seen, result = set(), []
    for name in names:
        name = " ".join((name or "").split())
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            result.append(name)
    return result


def _tags_by_name(programme: LearningProgramme, names: set[str]) -> dict[str, FindingTag]:
    """The programme's tags for these names (matched ignoring case), created where missing."""
    existing = {}
    for tag in FindingTag.objects.filter(programme=programme):
        existing.setdefault(tag.name.casefold(), tag)
    result = {}
    for name in sorted(names):
        tag = existing.get(name.casefold())
        if tag is None:
            tag = FindingTag(programme=programme, name=name[:60])
            tag.full_clean()
            tag.save()
            existing[name.casefold()] = tag
        result[name.casefold()] = tag
    return result


def save_report(
    *,
    cycle: Cycle,
    organisation: ProgrammeOrganisation,
    user,
    items: list[ItemInput],
    submit: bool = False,
) -> CycleReport:
    """Write the organisation's report of ``cycle``: its items in the four sections, a draft,
    or submitted when ``submit`` (a submitted report stays submitted when changed). Items
    with ``delete`` go; ``follows_id`` must be an obstacle or opportunity of the organisation's
    report of an earlier cycle, and only such a continued finding can be ``resolved``."""
    programme = cycle.programme
    _refuse_closed(programme)
    _person_for(user=user, organisation=organisation, programme_id=programme.pk)
    if not report_is_open(cycle):
        raise _report_window_refusal(cycle)
    sections = set(ReportItem.Section.values)
    with transaction.atomic():
        _lock_organisation(organisation)
        report, _created = CycleReport.objects.get_or_create(
            cycle=cycle, organisation=organisation, defaults={"updated_by": user}
        )
        current = {item.pk: item for item in report.items.all()}
        allowed_follows = {
            item.pk: item for item in earlier_findings(organisation=organisation, cycle=cycle)
        }
        errors: list[str] = []
        kept: list[ItemInput] = []
        followed: set[int] = set()
        for entry in items:
            if entry.id is not None and entry.id not in current:
                raise ValidationError(_("An item of another report cannot be changed here."))
            if entry.delete:
                continue
            entry.text = (entry.text or "").strip()
            if not entry.text:
                if entry.id is not None:
                    errors.append(_("An item needs a text; to remove it, tick “Remove”."))
                continue
            if entry.section not in sections:
                errors.append(_("Please choose a section for every item."))
                continue
            entry.tags = _clean_tag_names(entry.tags)
            if len(entry.tags) > MAX_TAGS_PER_ITEM:
                errors.append(
                    _("An item may have at most %(max)s tags.") % {"max": MAX_TAGS_PER_ITEM}
                )
            if any(len(name) > 60 for name in entry.tags):
                errors.append(_("A tag may be at most 60 characters long."))
            if entry.follows_id is not None:
                if entry.section not in FINDING_SECTIONS:
                    errors.append(
                        _("Only obstacles and opportunities can continue an earlier finding.")
                    )
                elif entry.follows_id not in allowed_follows:
                    errors.append(
                        _(
                            "An item can only continue an obstacle or opportunity of your "
                            "organisation's report of an earlier cycle."
                        )
                    )
                elif entry.follows_id in followed:
                    errors.append(
                        _("Two items continue the same earlier finding; please merge them.")
                    )
                followed.add(entry.follows_id)
            if entry.resolved and entry.follows_id is None:
                errors.append(
                    _("Only an item that continues an earlier finding can be marked resolved.")
                )
            kept.append(entry)
        per_section: dict[str, int] = {}
        for entry in kept:
            per_section[entry.section] = per_section.get(entry.section, 0) + 1
        if any(count > MAX_ITEMS_PER_SECTION for count in per_section.values()):
            errors.append(
                _("A section may hold at most %(max)s items.") % {"max": MAX_ITEMS_PER_SECTION}
            )
        if (submit or report.status == CycleReport.Status.SUBMITTED) and not kept:
            errors.append(_("Please write at least one item before submitting the report."))
        if errors:
            raise ValidationError(list(dict.fromkeys(errors)))

        tags = _tags_by_name(programme, {name for entry in kept for name in entry.tags})
        keep_ids = {entry.id for entry in kept if entry.id is not None}
        ReportItem.objects.filter(report=report).exclude(pk__in=keep_ids).delete()
        positions: dict[str, int] = {}
        for entry in kept:
            position = positions[entry.section] = positions.get(entry.section, 0) + 1
            item = current.get(entry.id) or ReportItem(report=report)
            item.section = entry.section
            item.text = entry.text
            item.position = position
            item.follows = allowed_follows.get(entry.follows_id)
            item.resolved = entry.resolved
            item.full_clean(exclude=["report", "follows"])
            item.save()
            item.tags.set([tags[name.casefold()] for name in entry.tags])
        report.updated_by = user
        if submit and report.status != CycleReport.Status.SUBMITTED:
            report.status = CycleReport.Status.SUBMITTED
            report.submitted_at = timezone.now()
        report.save()
    return report
