"""Distribution of surveys: the feedback of finished workshops, training-needs invitations to
companies, panel invitations from a CSV, reminders and the one-click opt-out.

Exactly once: an invitation's e-mail is queued in the outbox in the same transaction that sets
its ``sent_at`` (a reminder: that raises ``reminders_sent``), on the row locked with
``select_for_update(skip_locked=True)``; two overlapping runs split the rows, a second run finds
nothing left. A workshop's feedback round is started under the lock of its ``WorkshopFeedback``
row (``invited_at``). Rows are written first and sent by a task after commit; the periodic task
sends whatever a lost task left, so a broker outage delays e-mails and loses none.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from regiolab.links import absolute_url
from regiolab.mail import opted_out as mail_opted_out
from regiolab.mail import queue_email
from regiolab.mail.models import MailOptOut
from workshops.models import Registration, Workshop

from ..builder.services import copy_version_content
from ..models import (
    Survey,
    SurveyInvitation,
    SurveyOptOut,
    SurveyVersion,
    WorkshopFeedback,
)

logger = logging.getLogger(__name__)

# Feedback: one reminder, this long after the invitation; the link stays open this long.
FEEDBACK_REMINDER_AFTER = timedelta(days=5)
FEEDBACK_OPEN_FOR = timedelta(days=28)
# Workshops that ended longer ago than this get no feedback round (e.g. on the first deploy).
FEEDBACK_LOOKBACK = timedelta(days=14)
# Panel: up to two reminders, each this long after the previous e-mail.
PANEL_REMINDER_INTERVAL = timedelta(days=7)
MAX_REMINDERS = {Survey.Purpose.FEEDBACK: 1, Survey.Purpose.PANEL: 2}
REMINDER_AFTER = {
    Survey.Purpose.FEEDBACK: FEEDBACK_REMINDER_AFTER,
    Survey.Purpose.PANEL: PANEL_REMINDER_INTERVAL,
}
BATCH = 200

_OPTOUT_SALT = "surveys.optout"


# --- Links ---------------------------------------------------------------------------------


def answer_url(invitation: SurveyInvitation) -> str:
    """The token link /s/<token>/ (the URL map's; reversed once the answer page exists)."""
    try:
        path = reverse("survey_links:answer", args=[invitation.token])
    except NoReverseMatch:
        path = f"/s/{invitation.token}/"
    return absolute_url(path)


def optout_token(email: str) -> str:
    """Signed, so nothing is stored until it is used and old e-mails keep working."""
    return signing.dumps(email.strip().lower(), salt=_OPTOUT_SALT, compress=True)


def address_of_optout_token(token: str) -> str | None:
    try:
        email = signing.loads(token, salt=_OPTOUT_SALT)
    except signing.BadSignature:
        return None
    return email if isinstance(email, str) and email else None


def optout_url(email: str) -> str:
    return absolute_url(reverse("surveys:optout", args=[optout_token(email)]))


def opt_out(*, email: str) -> SurveyOptOut:
    """No more survey e-mails to this address; a second call changes nothing."""
    email = email.strip().lower()
    try:
        with transaction.atomic():
            return SurveyOptOut.objects.get_or_create(email=email)[0]
    except IntegrityError:  # the same link clicked twice at once
        return SurveyOptOut.objects.get(email=email)


def opted_out(emails) -> set[str]:
    """Addresses (lower-cased) that want no survey e-mails, or no bulk e-mail at all."""
    emails = [e.strip().lower() for e in emails]
    survey = set(SurveyOptOut.objects.filter(email__in=emails).values_list("email", flat=True))
    return survey | mail_opted_out(emails)


def not_opted_out() -> Q:
    """For invitation querysets: the address has opted out of neither list."""
    return ~Q(
        Exists(SurveyOptOut.objects.filter(email=OuterRef("email")))
        | Exists(MailOptOut.objects.filter(email=OuterRef("email")))
    )


# --- Sending -------------------------------------------------------------------------------


def email_context(invitation: SurveyInvitation, *, reminder: bool) -> dict:
    survey = invitation.survey
    workshop = invitation.registration.workshop if invitation.registration_id else None
    english = invitation.language == "en"
    return {
        "survey": survey,
        "survey_title": (survey.title_en if english and survey.title_en else survey.title),
        "purpose": survey.purpose,
        "invitation": invitation,
        "name": invitation.name,
        "workshop": workshop,
        "closes_at": survey.closes_at,
        "answer_url": answer_url(invitation),
        "optout_url": optout_url(invitation.email),
        "reminder": reminder,
    }


def _queue(invitation: SurveyInvitation, *, reminder: bool) -> None:
    context = email_context(invitation, reminder=reminder)
    queue_email(
        to=invitation.email,
        template="survey_reminder" if reminder else "survey_invitation",
        context=context,
        language=invitation.language or settings.LANGUAGE_CODE,
        # The mail program's own unsubscribe button posts to the same opt-out (RFC 8058).
        headers={
            "List-Unsubscribe": f"<{context['optout_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def _open_surveys(now: datetime) -> Q:
    return Q(survey__status=Survey.Status.OPEN) & (
        Q(survey__closes_at__isnull=True) | Q(survey__closes_at__gt=now)
    )


def _unsent(now: datetime) -> QuerySet[SurveyInvitation]:
    return SurveyInvitation.objects.filter(
        _open_surveys(now), not_opted_out(), sent_at__isnull=True, answered_at__isnull=True
    ).exclude(survey__workshop_feedback__enabled=False)


def send_pending_invitations(*, survey_id: int | None = None, now=None) -> int:
    """Queue the invitation e-mail of every unsent invitation of open surveys, once each;
    returns how many. Opted-out addresses are left unsent."""
    now = now or timezone.now()
    sent = 0
    while True:
        with transaction.atomic():
            rows = _unsent(now)
            if survey_id is not None:
                rows = rows.filter(survey_id=survey_id)
            batch = list(
                rows.select_related("survey", "registration__workshop")
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("pk")[:BATCH]
            )
            for invitation in batch:
                _queue(invitation, reminder=False)
                invitation.sent_at = now
            SurveyInvitation.objects.bulk_update(batch, ["sent_at"])
        sent += len(batch)
        if len(batch) < BATCH:
            return sent


def _due_reminders(now: datetime) -> QuerySet[SurveyInvitation]:
    due = Q()
    for purpose, count in MAX_REMINDERS.items():
        due |= Q(
            survey__purpose=purpose,
            reminders_sent__lt=count,
            last_mail__lte=now - REMINDER_AFTER[purpose],
        )
    return (
        SurveyInvitation.objects.annotate(last_mail=Coalesce("last_reminded_at", "sent_at"))
        .filter(due, _open_surveys(now), not_opted_out())
        .filter(sent_at__isnull=False, answered_at__isnull=True)
        .exclude(survey__workshop_feedback__enabled=False)
    )


def send_reminders(*, now=None) -> int:
    """Remind non-responders of open surveys: feedback once after 5 days, panels up to twice
    7 days apart; never after the close date or to an opted-out address. Returns how many."""
    now = now or timezone.now()
    sent = 0
    while True:
        with transaction.atomic():
            batch = list(
                _due_reminders(now)
                .select_related("survey", "registration__workshop")
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("pk")[:BATCH]
            )
            for invitation in batch:
                _queue(invitation, reminder=True)
                invitation.reminders_sent += 1
                invitation.last_reminded_at = now
            SurveyInvitation.objects.bulk_update(batch, ["reminders_sent", "last_reminded_at"])
        sent += len(batch)
        if len(batch) < BATCH:
            return sent


def close_due_surveys(*, now=None) -> int:
    """Open surveys whose close date has passed become closed (their links then answer that
    the survey is closed); returns how many."""
    now = now or timezone.now()
    return Survey.objects.filter(
        status=Survey.Status.OPEN, closes_at__isnull=False, closes_at__lte=now
    ).update(status=Survey.Status.CLOSED, updated_at=now)


def enqueue_sending(survey_id: int) -> None:
    """After commit: have the new invitations sent; if the broker is down, the periodic task
    sends them."""
    from .tasks import send_survey_invitations

    def _enqueue():
        try:
            send_survey_invitations.delay(survey_id)
        except Exception:  # noqa: BLE001 — broker unreachable: beat's catch-up sends them
            logger.warning("Could not enqueue survey invitations; the periodic task sends them")

    transaction.on_commit(_enqueue)


# --- Workshop feedback ---------------------------------------------------------------------


class NoFeedbackQuestionnaire(Exception):
    """No ready-made feedback questionnaire to copy."""


def feedback_template() -> Survey | None:
    return (
        Survey.objects.filter(is_template=True, purpose=Survey.Purpose.FEEDBACK)
        .exclude(current_version=None)
        .order_by("pk")
        .first()
    )


def copy_questionnaire(*, source: Survey, into: Survey) -> SurveyVersion:
    """The source's current version (sections, questions, display conditions) as ``into``'s
    version 1, by the builder's own copy."""
    version = SurveyVersion.objects.create(survey=into, number=1)
    copy_version_content(source=source.current_version, target=version)
    into.current_version = version
    into.save(update_fields=["current_version"])
    return version


def _feedback_survey(workshop: Workshop, template: Survey, now: datetime) -> Survey:
    survey = Survey.objects.create(
        title=str(_("Feedback: %(title)s") % {"title": workshop.title})[:200],
        title_en=f"Feedback: {workshop.title_en or workshop.title}"[:200],
        description=template.description,
        description_en=template.description_en,
        purpose=Survey.Purpose.FEEDBACK,
        anonymity=Survey.Anonymity.ANONYMOUS,
        status=Survey.Status.OPEN,
        opens_at=now,
        closes_at=now + FEEDBACK_OPEN_FOR,
        network=workshop.network,
    )
    copy_questionnaire(source=template, into=survey)
    return survey


def workshops_due_for_feedback(*, now=None) -> QuerySet[Workshop]:
    """Done workshops (ended within the look-back), unless switched off (unlisted ones only if
    switched on), with an attendee not yet invited: the first round, or people whose attendance
    was recorded after it."""
    now = now or timezone.now()
    return (
        Workshop.objects.filter(
            status=Workshop.Status.DONE,
            ends_at__lte=now,
            ends_at__gt=now - FEEDBACK_LOOKBACK,
        )
        .filter(
            Exists(
                Registration.objects.filter(
                    workshop=OuterRef("pk"),
                    status=Registration.Status.ATTENDED,
                    survey_invitations__isnull=True,
                )
            )
        )
        .exclude(feedback__enabled=False)
        # Unlisted workshops (a learning cycle's, a pitch day, a stakeholder meeting) have their
        # own follow-up: asked only where the coordinator switched feedback on.
        .filter(Q(listed=True) | Q(feedback__enabled=True))
        .order_by("ends_at", "pk")
    )


def start_feedback(*, workshop_id: int, now=None) -> int:
    """Invite the attendees of one done workshop to its feedback survey, each once (also those
    whose attendance was recorded after the first round); returns the number of invitations
    written (sent after commit)."""
    now = now or timezone.now()
    template = feedback_template()
    if template is None:
        raise NoFeedbackQuestionnaire
    with transaction.atomic():
        WorkshopFeedback.objects.get_or_create(workshop_id=workshop_id)
        feedback = (
            WorkshopFeedback.objects.select_for_update()
            .select_related("workshop")
            .get(workshop_id=workshop_id)
        )
        if not feedback.enabled:
            return 0
        if feedback.survey_id and feedback.survey.status != Survey.Status.OPEN:
            return 0  # closed early by a coordinator: nobody more is asked
        workshop = feedback.workshop
        if feedback.survey_id is None:
            feedback.survey = _feedback_survey(workshop, template, now)
        attendees = list(
            workshop.registrations.filter(status=Registration.Status.ATTENDED).order_by("pk")
        )
        blocked = opted_out(r.email for r in attendees)
        seen = set(feedback.survey.invitations.values_list("email", flat=True))
        rows = []
        for registration in attendees:
            email = registration.email.strip().lower()
            if email in blocked or email in seen:
                continue
            seen.add(email)
            rows.append(
                SurveyInvitation(
                    survey=feedback.survey,
                    email=email,
                    name=f"{registration.first_name} {registration.last_name}".strip(),
                    organisation=registration.company_name,
                    company_id=registration.company_id,
                    registration=registration,
                    language=registration.language or workshop.language or "de",
                )
            )
        SurveyInvitation.objects.bulk_create(rows)
        feedback.invited_at = feedback.invited_at or now
        feedback.save(update_fields=["survey", "invited_at"])
        if rows:
            enqueue_sending(feedback.survey_id)
    return len(rows)


def start_due_feedback(*, now=None) -> int:
    """The periodic part: every workshop due for feedback; returns invitations written."""
    now = now or timezone.now()
    if feedback_template() is None:
        logger.warning("No ready-made feedback questionnaire: no feedback invitations sent")
        return 0
    return sum(
        start_feedback(workshop_id=pk, now=now)
        for pk in workshops_due_for_feedback(now=now).values_list("pk", flat=True)
    )


def set_feedback_enabled(*, workshop: Workshop, enabled: bool) -> WorkshopFeedback:
    """The coordinator's switch; switching off also stops a pending reminder."""
    with transaction.atomic():
        WorkshopFeedback.objects.get_or_create(workshop=workshop)
        feedback = WorkshopFeedback.objects.select_for_update().get(workshop=workshop)
        if feedback.enabled != enabled:
            feedback.enabled = enabled
            feedback.save(update_fields=["enabled"])
    return feedback


# --- Writing invitations (training needs, panel) ---------------------------------------------


@dataclass(frozen=True)
class NewInvitation:
    email: str
    name: str = ""
    organisation: str = ""
    region: str = ""
    company_id: int | None = None
    language: str = "de"


def write_invitations(*, survey: Survey, recipients: list[NewInvitation]) -> int:
    """Write invitation rows (an address already invited to the survey is left as it is) and
    have them sent after commit if the survey is open; returns how many rows were written."""
    with transaction.atomic():
        Survey.objects.select_for_update().get(pk=survey.pk)  # one writer per survey at a time
        existing = set(survey.invitations.values_list("email", flat=True))
        rows = []
        for r in recipients:
            email = r.email.strip().lower()
            if email in existing:
                continue
            existing.add(email)
            rows.append(
                SurveyInvitation(
                    survey=survey,
                    email=email,
                    name=r.name,
                    organisation=r.organisation,
                    region=r.region,
                    company_id=r.company_id,
                    language=r.language,
                )
            )
        SurveyInvitation.objects.bulk_create(rows)
        if rows:
            enqueue_sending(survey.pk)
    return len(rows)


__all__ = [
    "NewInvitation",
    "address_of_optout_token",
    "answer_url",
    "close_due_surveys",
    "copy_questionnaire",
    "opt_out",
    "opted_out",
    "optout_url",
    "send_pending_invitations",
    "send_reminders",
    "set_feedback_enabled",
    "start_due_feedback",
    "start_feedback",
    "write_invitations",
]
