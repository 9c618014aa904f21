"""Writes of calls and challenges: a call with its criteria and pitch event, a challenge's
drafts, submission and the coordinator's decisions, publishing, and the acceptance of a call's
confidentiality terms. Each owns its transaction; e-mails go through the outbox."""

from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import override

from companies.models import CompanyMember
from regiolab.links import absolute_url
from regiolab.mail import queue_email
from regiolab.text import german_slug
from workshops.lifecycle.services import create_workshop

from ..models import Call, Challenge, ChallengeComment, Phase, TermsAcceptance
from . import rules

RESERVED_SLUGS = frozenset({"new", "proposals", "attachments", "mine"})
PITCH_STARTS, PITCH_ENDS = time(10, 0), time(17, 0)
PITCH_CAPACITY = 80


def _unique_slug(title: str, exclude_pk=None) -> str:
    base = german_slug(title)[:100] or "call"
    candidate, number = base, 1
    while (
        candidate in RESERVED_SLUGS
        or Call.objects.filter(slug=candidate).exclude(pk=exclude_pk).exists()
    ):
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def _local(day: date, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, at))


def _create_pitch_event(call: Call, day: date, user):
    with override("de"):
        title_de = _("Pitch day: %(title)s") % {"title": call.title}
    with override("en"):
        title_en = _("Pitch day: %(title)s") % {"title": call.title_en or call.title}
    return create_workshop(
        created_by=user,
        title=title_de[:200],
        title_en=title_en[:200],
        description=call.description,
        network=call.network,
        venue=_("to be announced"),
        starts_at=_local(day, PITCH_STARTS),
        ends_at=_local(day, PITCH_ENDS),
        capacity=PITCH_CAPACITY,
        listed=False,
    )


def save_call(*, call: Call, criteria_formset=None, user, pitch_day=None, pitch_event=None) -> Call:
    """Create or change a call with its review criteria. A new call gets its pitch event: the
    chosen workshop, or a draft workshop on ``pitch_day`` (the day after the review by default).
    Raises ValidationError and writes nothing then."""
    creating = call.pk is None
    if call.slug in RESERVED_SLUGS:
        raise ValidationError({"slug": _("This short name is reserved; please choose another.")})
    with transaction.atomic():
        if not call.slug:
            call.slug = _unique_slug(call.title, exclude_pk=call.pk)
        if creating:
            call.created_by = user
        call.full_clean()
        call.save()
        if criteria_formset is not None:
            criteria_formset.instance = call
            criteria = criteria_formset.save(commit=False)
            for criterion in criteria_formset.deleted_objects:
                criterion.delete()
            for position, criterion in enumerate(criteria):
                criterion.call = call
                if criterion.pk is None:
                    criterion.position = call.criteria.count() + position
                criterion.save()
        if pitch_event is not None:
            if call.pitch_event_id != pitch_event.pk:
                call.pitch_event = pitch_event
                call.save(update_fields=["pitch_event", "updated_at"])
        elif call.pitch_event_id is None:
            day = pitch_day or (call.review_until + timedelta(days=1))
            if day <= call.review_until:
                raise ValidationError(
                    {"pitch_day": _("The pitch day lies after the end of the review.")}
                )
            call.pitch_event = _create_pitch_event(call, day, user)
            call.save(update_fields=["pitch_event", "updated_at"])
    return call


# --- challenges ---------------------------------------------------------------------------------


def company_addresses(company, *also) -> list[str]:
    """The e-mail addresses of the company's active owners and of ``also`` (users), once each."""
    addresses = list(
        CompanyMember.objects.filter(
            company=company,
            status=CompanyMember.Status.ACTIVE,
            role=CompanyMember.Role.OWNER,
        )
        .order_by("pk")
        .values_list("user__email", flat=True)
    )
    addresses += [user.email for user in also if user is not None and user.email]
    seen, result = set(), []
    for address in addresses:
        if address and address.lower() not in seen:
            seen.add(address.lower())
            result.append(address)
    return result


def save_challenge(*, call: Call, company, user, fields: dict, challenge=None) -> Challenge:
    """Create a draft challenge for ``company`` or change one in draft or revision."""
    topics = fields.pop("topics", None)
    with transaction.atomic():
        if challenge is None:
            if not rules.call_open_for_challenges(user, call):
                raise ValidationError(_("This call no longer takes new challenges."))
            challenge = Challenge(call=call, company=company, created_by=user)
        else:
            challenge = Challenge.objects.select_for_update().get(pk=challenge.pk)
            if not rules.challenge_is_editable(user, challenge):
                raise ValidationError(
                    _("The challenge can only be changed as a draft or in revision.")
                )
        for name, value in fields.items():
            setattr(challenge, name, value)
        challenge.full_clean()
        challenge.save()
        if topics is not None:
            challenge.topics.set(topics)
    return challenge


def submit_challenge(*, challenge: Challenge, user) -> Challenge:
    """The company hands its draft (or revision) to the coordinators for approval."""
    with transaction.atomic():
        challenge = (
            Challenge.objects.select_for_update(of=("self",))
            .select_related("call")
            .get(pk=challenge.pk)
        )
        if not rules.challenge_is_editable(user, challenge):
            raise ValidationError(_("Only a draft or a challenge in revision can be submitted."))
        challenge.status = Challenge.Status.SUBMITTED
        challenge.submitted_at = timezone.now()
        challenge.save(update_fields=["status", "submitted_at", "updated_at"])
    return challenge


def _tell_company(challenge: Challenge, *, template: str, comment: str = "") -> None:
    url = absolute_url(challenge.get_absolute_url())
    for address in company_addresses(challenge.company, challenge.created_by):
        queue_email(
            to=address,
            template=f"challenges/{template}",
            context={
                "challenge": challenge,
                "call": challenge.call,
                "company": challenge.company,
                "comment": comment,
                "challenge_url": url,
            },
        )


def decide_challenge(*, challenge: Challenge, kind: str, text: str, by) -> Challenge:
    """A coordinator's comment, revision request or approval. An approval publishes the
    challenge at once when its call's "published" phase has begun (else the beat task does).
    The company is e-mailed for each revision request and approval."""
    text = (text or "").strip()
    with transaction.atomic():
        challenge = (
            Challenge.objects.select_for_update(of=("self",))
            .select_related("call", "company", "created_by")
            .get(pk=challenge.pk)
        )
        if kind == ChallengeComment.Kind.COMMENT:
            if not text:
                raise ValidationError({"text": _("Please write the comment.")})
        elif kind == ChallengeComment.Kind.REVISION:
            if challenge.status not in (Challenge.Status.SUBMITTED, Challenge.Status.APPROVED):
                raise ValidationError(
                    _("Only a submitted challenge can be sent back for revision.")
                )
            if not text:
                raise ValidationError({"text": _("Please say what should be revised.")})
            challenge.status = Challenge.Status.REVISION
        elif kind == ChallengeComment.Kind.APPROVAL:
            if challenge.status != Challenge.Status.SUBMITTED:
                raise ValidationError(_("Only a submitted challenge can be approved."))
            challenge.status = Challenge.Status.APPROVED
            challenge.approved_at = timezone.now()
            if challenge.call.published_from <= timezone.localdate():
                challenge.status = Challenge.Status.PUBLISHED
                challenge.published_at = challenge.approved_at
        else:
            raise ValidationError(_("Unknown decision."))
        challenge.save()
        ChallengeComment.objects.create(challenge=challenge, author=by, kind=kind, text=text)
        if kind != ChallengeComment.Kind.COMMENT:
            template = "challenge_revision" if kind == "revision" else "challenge_approved"
            _tell_company(challenge, template=template, comment=text)
    return challenge


def withdraw_challenge(*, challenge: Challenge, by) -> Challenge:
    with transaction.atomic():
        challenge = Challenge.objects.select_for_update().get(pk=challenge.pk)
        if challenge.status == Challenge.Status.WITHDRAWN:
            raise ValidationError(_("The challenge has already been withdrawn."))
        challenge.status = Challenge.Status.WITHDRAWN
        challenge.save(update_fields=["status", "updated_at"])
    return challenge


def publish_due_challenges(*, today: date | None = None) -> int:
    """Publish every approved challenge whose call has reached its "published" phase; returns
    how many. Safe to run twice: only approved rows change, under their row locks."""
    today = today or timezone.localdate()
    now = timezone.now()
    with transaction.atomic():
        due = list(
            Challenge.objects.select_for_update(of=("self",))
            .filter(status=Challenge.Status.APPROVED, call__published_from__lte=today)
            .values_list("pk", flat=True)
        )
        Challenge.objects.filter(pk__in=due).update(
            status=Challenge.Status.PUBLISHED, published_at=now, updated_at=now
        )
    return len(due)


def accept_terms(*, call: Call, user, company=None) -> TermsAcceptance:
    """Record that ``user`` accepted the call's current confidentiality terms (once per
    version; a second call returns the first record)."""
    try:
        with transaction.atomic():
            acceptance, _created = TermsAcceptance.objects.get_or_create(
                call=call,
                user=user,
                terms_version=call.terms_version,
                defaults={"company": company},
            )
    except IntegrityError:  # the same form sent twice at once: the other request won
        acceptance = TermsAcceptance.objects.get(
            call=call, user=user, terms_version=call.terms_version
        )
    user.__dict__.pop("_challenge_terms_cache", None)
    return acceptance


def phases(call: Call) -> list[dict]:
    """The call's phases with their dates, the current one marked (for the public page)."""
    current = call.phase()
    deadline = timezone.localtime(call.proposals_until)
    pitch = call.pitch_event.starts_at if call.pitch_event_id and call.pitch_event else None
    rows = [
        (Phase.COLLECTING, call.collecting_from, None),
        (Phase.PUBLISHED, call.published_from, None),
        (Phase.PROPOSALS, call.proposals_from, deadline),
        (Phase.REVIEW, deadline.date(), call.review_until),
        (Phase.PITCH_DAY, pitch.date() if pitch else call.review_until, None),
        (Phase.FOLLOW_UP, call.follow_up_from, None),
    ]
    return [
        {
            "key": key,
            "label": Phase(key).label,
            "start": start,
            "until": _format(until),
            "current": key == current,
        }
        for key, start, until in rows
    ]


def _format(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    return date_format(value, "SHORT_DATE_FORMAT")
