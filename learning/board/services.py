"""Writes of the cycle board: the one-click report reminder and the coordinators' work on
findings (tags, links to an earlier cycle). Each function owns its transaction; a
ValidationError leaves nothing written and sends nothing."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext_lazy as _

from regiolab.links import absolute_url
from regiolab.mail import queue_email
from regiolab.validators import single_line

from ..models import (
    Cycle,
    CycleReport,
    FindingTag,
    LearningProgramme,
    ProgrammeOrganisation,
    ReportItem,
    ReportReminder,
)
from .selectors import FINDING_SECTIONS

MAX_NEW_TAGS = 10
TAG_MAX_LENGTH = FindingTag._meta.get_field("name").max_length


class AlreadyReminded(ValidationError):
    """The organisation was reminded of the cycle's report today already."""


def send_report_reminder(
    *, cycle: Cycle, organisation: ProgrammeOrganisation, sent_by
) -> ReportReminder:
    """E-mail the organisation's people (through the outbox) that its report of the cycle is
    missing: at most once a day per organisation and cycle (``ReportReminder``'s unique row,
    taken under the organisation's row lock). A second request the same day raises
    :class:`AlreadyReminded`, saying when the first was sent, and sends nothing."""
    programme = cycle.programme
    if organisation.programme_id != cycle.programme_id:
        raise ValidationError(_("This organisation does not take part in this programme."))
    if programme.is_closed:
        raise ValidationError(_("The programme is closed: no more reminders are sent."))
    if cycle.workshop.starts_at <= timezone.now():
        raise ValidationError(
            _("The learning workshop of this cycle has begun: reports are no longer due.")
        )
    today = timezone.localdate()
    with transaction.atomic():
        organisation = (
            ProgrammeOrganisation.objects.select_for_update()
            .select_related("company")
            .get(pk=organisation.pk)
        )
        if CycleReport.objects.filter(
            cycle=cycle, organisation=organisation, status=CycleReport.Status.SUBMITTED
        ).exists():
            raise ValidationError(
                _("%(organisation)s has already submitted its report.")
                % {"organisation": organisation.company.name}
            )
        earlier = ReportReminder.objects.filter(
            cycle=cycle, organisation=organisation, sent_on=today
        ).first()
        if earlier is not None:
            raise _already_reminded(organisation, earlier)
        addresses = _addresses(organisation)
        if not addresses:
            raise ValidationError(
                _("%(organisation)s has no people with an e-mail address to remind.")
                % {"organisation": organisation.company.name}
            )
        try:
            with transaction.atomic():
                reminder = ReportReminder.objects.create(
                    cycle=cycle, organisation=organisation, sent_on=today, sent_by=sent_by
                )
        except IntegrityError:  # a concurrent click won (the lock makes this rare)
            earlier = ReportReminder.objects.get(
                cycle=cycle, organisation=organisation, sent_on=today
            )
            raise _already_reminded(organisation, earlier) from None
        report_url = absolute_url(f"/learning/{programme.slug}/cycles/{cycle.number}/report/")
        for person in addresses:
            queue_email(
                to=person.email,
                template="learning_report_reminder",
                context={
                    "person": person,
                    "organisation": organisation,
                    "programme": programme,
                    "cycle": cycle,
                    "workshop": cycle.workshop,
                    "report_url": report_url,
                    "programme_url": absolute_url(f"/learning/{programme.slug}/"),
                },
                language=cycle.workshop.language or settings.LANGUAGE_CODE,
            )
    return reminder


def _addresses(organisation: ProgrammeOrganisation) -> list:
    """The organisation's people, one per e-mail address (case does not make a second one)."""
    seen, people = set(), []
    for person in organisation.people.exclude(email="").order_by("pk"):
        key = person.email.strip().lower()
        if key not in seen:
            seen.add(key)
            people.append(person)
    return people


def _already_reminded(organisation, earlier: ReportReminder) -> AlreadyReminded:
    return AlreadyReminded(
        _(
            "%(organisation)s was already reminded today at %(time)s; nothing was sent. "
            "The next reminder is possible tomorrow."
        )
        % {
            "organisation": organisation.company.name,
            "time": time_format(timezone.localtime(earlier.sent_at), "TIME_FORMAT"),
        },
        code="already_reminded",
    )


# --- Findings ----------------------------------------------------------------------------------


def clean_tag_names(text: str) -> list[str]:
    """The names typed into "new tags" (comma-separated), stripped and without repeats
    (ignoring case). Raises ValidationError for a name too long, with
    control characters, or more than MAX_NEW_TAGS names."""
    names, seen = [], set()
    for raw in (text or "").split(","):
        name = " ".join(raw.split())
        if not name or name.casefold() in seen:
            continue
        seen.add(name.casefold())
        names.append(name)
    errors = []
    if len(names) > MAX_NEW_TAGS:
        errors.append(_("At most %(max)s new tags at once.") % {"max": MAX_NEW_TAGS})
    for name in names:
        if len(name) > TAG_MAX_LENGTH:
            errors.append(
                _("A tag has at most %(max)s characters: %(name)s")
                % {"max": TAG_MAX_LENGTH, "name": name[:TAG_MAX_LENGTH] + "…"}
            )
    for name in names:
        try:
            single_line(name)
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    return names


def update_finding(
    *,
    item: ReportItem,
    tags,
    new_tags: list[str] = (),
    follows: ReportItem | None = None,
) -> ReportItem:
    """Set a finding's tags (existing tags of its programme, plus new ones created by name,
    an existing name of any case reused) and the earlier-cycle finding it continues.

    Refused (ValidationError, nothing written): an item that is no obstacle or opportunity or
    not in a submitted report, a tag of another programme, and a ``follows`` that is not an
    obstacle or opportunity of a submitted report of an earlier cycle of the same programme.
    """
    cycle = item.report.cycle
    programme_id = cycle.programme_id
    if item.section not in FINDING_SECTIONS:
        raise ValidationError(_("Only obstacles and opportunities are tagged and linked."))
    if item.report.status != CycleReport.Status.SUBMITTED:
        raise ValidationError(_("Only findings of submitted reports are tagged and linked."))
    tags = list(tags)
    if any(tag.programme_id != programme_id for tag in tags):
        raise ValidationError({"tags": [_("A tag of another programme cannot be used here.")]})
    if follows is not None and not (
        follows.pk != item.pk
        and follows.section in FINDING_SECTIONS
        and follows.report.status == CycleReport.Status.SUBMITTED
        and follows.report.cycle.programme_id == programme_id
        and follows.report.cycle.number < cycle.number
    ):
        raise ValidationError(
            {
                "follows": [
                    _(
                        "A finding can only continue an obstacle or opportunity of an earlier "
                        "cycle of the same programme."
                    )
                ]
            }
        )
    with transaction.atomic():
        item = ReportItem.objects.select_for_update().get(pk=item.pk)
        if new_tags:
            # One writer of the programme's tags at a time: "Fachkräfte" and "fachkräfte"
            # typed at once become one tag.
            LearningProgramme.objects.select_for_update().filter(pk=programme_id).first()
        existing = {
            tag.name.casefold(): tag for tag in FindingTag.objects.filter(programme_id=programme_id)
        }
        for name in new_tags:
            tag = existing.get(name.casefold())
            if tag is None:
                tag = FindingTag(programme_id=programme_id, name=name)
                tag.full_clean()
                tag.save()
                existing[name.casefold()] = tag
            tags.append(tag)
        item.tags.set({tag.pk: tag for tag in tags}.values())
        if item.follows_id != (follows.pk if follows else None):
            item.follows = follows
            item.save(update_fields=["follows"])
    return item
