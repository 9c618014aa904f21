"""The newsletter: double opt-in subscription, one-click unsubscription, and issues sent
through the outbox in batches, never twice to one subscriber (a NewsletterDelivery row per
issue and subscriber, backed by a unique constraint, written with the e-mail in one
transaction)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from policy.models import Newsletter, NewsletterDelivery, PartnerEvent, Subscriber
from regiolab import mail
from regiolab.links import absolute_url
from regiolab.privacy import consents
from regiolab.privacy.models import Consent

CONSENT_TEXT_VERSION = "newsletter-1"
CONSENT_TEXT = gettext_lazy(
    "I would like to receive the regioLab newsletter with upcoming workshops and partner "
    "events by e-mail. I can unsubscribe at any time with the link in every newsletter."
)
consents.register_text(CONSENT_TEXT_VERSION, CONSENT_TEXT)

# A second confirmation e-mail to the same address no sooner than this.
RESEND_AFTER = timedelta(minutes=10)
BATCH_SIZE = 200
PREFILL_WEEKS = 6
UNSUBSCRIBE_PLACEHOLDER = "__REGIOLAB_UNSUBSCRIBE_URL__"


def confirm_url(subscriber: Subscriber) -> str:
    return absolute_url(reverse("policy:newsletter_confirm", args=[subscriber.token]))


def unsubscribe_url(subscriber: Subscriber) -> str:
    return absolute_url(reverse("policy:newsletter_unsubscribe", args=[subscriber.token]))


def _subject(subscriber: Subscriber) -> str:
    return f"subscriber:{subscriber.pk}"


# --- subscribing ---------------------------------------------------------------------------


def subscribe(*, email: str, language: str) -> Subscriber | None:
    """Ask the address to confirm (double opt-in). The answer is the same whether the address
    is new, waiting or subscribed, so the form tells nobody who reads the newsletter; an active
    subscriber gets no second e-mail, and a confirmation is resent at most every 10 minutes."""
    email = (email or "").strip().lower()
    validate_email(email)
    language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    now = timezone.now()
    with transaction.atomic():
        Subscriber.objects.get_or_create(email=email, defaults={"language": language})
        subscriber = Subscriber.objects.select_for_update().get(email=email)
        if subscriber.active:
            return subscriber
        if subscriber.unsubscribed_at is not None:  # subscribing again: confirm again
            subscriber.unsubscribed_at = None
            subscriber.confirmed_at = None
        if subscriber.confirmation_sent_at and now - subscriber.confirmation_sent_at < RESEND_AFTER:
            subscriber.save(update_fields=["unsubscribed_at", "confirmed_at"])
            return subscriber
        subscriber.language = language
        subscriber.consent_text_version = CONSENT_TEXT_VERSION
        subscriber.confirmation_sent_at = now
        subscriber.save()
        mail.queue_email(
            to=subscriber.email,
            template="policy/newsletter_confirm",
            context={"confirm_url": confirm_url(subscriber)},
            language=subscriber.language,
        )
    return subscriber


def subscriber_of_token(token: str) -> Subscriber | None:
    if not token or len(token) > 64:
        return None
    return Subscriber.objects.filter(token=token).first()


def confirm(*, token: str) -> Subscriber:
    """The address owner confirms: from now on they get the newsletter; the consent given on
    the form is recorded now, with the text they saw. A second confirmation changes nothing."""
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(token=token).first()
        if subscriber is None:
            raise ValidationError(_("This link is not valid (any more)."), code="token")
        if subscriber.unsubscribed_at is not None:
            raise ValidationError(
                _("You have unsubscribed; please subscribe again on the newsletter page."),
                code="unsubscribed",
            )
        if subscriber.confirmed_at is None:
            subscriber.confirmed_at = timezone.now()
            subscriber.save(update_fields=["confirmed_at"])
            consents.record_consent(
                purpose=Consent.Purpose.NEWSLETTER,
                text_version=subscriber.consent_text_version or CONSENT_TEXT_VERSION,
                source=Consent.Source.NEWSLETTER_FORM,
                email=subscriber.email,
                subject=_subject(subscriber),
                given_at=subscriber.confirmed_at,
            )
    return subscriber


def unsubscribe(*, token: str) -> Subscriber:
    """No more newsletters to this address, at once; the consent is marked withdrawn.
    Idempotent: a second click (or the mail program's one-click POST) changes nothing."""
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(token=token).first()
        if subscriber is None:
            raise ValidationError(_("This link is not valid (any more)."), code="token")
        if subscriber.unsubscribed_at is None:
            subscriber.unsubscribed_at = timezone.now()
            subscriber.save(update_fields=["unsubscribed_at"])
            consents.withdraw_subject_consents(
                purpose=Consent.Purpose.NEWSLETTER, subject=_subject(subscriber)
            )
    return subscriber


# --- composing -----------------------------------------------------------------------------


def recipients() -> QuerySet[Subscriber]:
    return Subscriber.objects.filter(confirmed_at__isnull=False, unsubscribed_at__isnull=True)


def save_newsletter(*, newsletter: Newsletter, workshops, partner_events, user=None) -> Newsletter:
    """Create or change a draft (a newsletter being or already sent stays as it went out)."""
    with transaction.atomic():
        if newsletter.pk is not None:
            status = (
                Newsletter.objects.select_for_update()
                .values_list("status", flat=True)
                .get(pk=newsletter.pk)
            )
            if status != Newsletter.Status.DRAFT:
                raise ValidationError(
                    _("This newsletter has been sent and can no longer be changed."),
                    code="sent",
                )
        else:
            newsletter.created_by = user
        newsletter.full_clean()
        newsletter.save()
        newsletter.workshops.set(workshops)
        newsletter.partner_events.set(partner_events)
    return newsletter


def start_sending(*, newsletter_id: int) -> int:
    """Mark the draft as being sent and queue its first batch; the number of recipients."""
    with transaction.atomic():
        newsletter = Newsletter.objects.select_for_update().get(pk=newsletter_id)
        if newsletter.status != Newsletter.Status.DRAFT:
            raise ValidationError(
                _("This newsletter is already being sent or has been sent."), code="sent"
            )
        if not newsletter.workshops.exists() and not newsletter.partner_events.exists():
            raise ValidationError(
                _("Choose at least one workshop or partner event first."), code="empty"
            )
        count = recipients().count()
        if count == 0:
            raise ValidationError(_("Nobody has subscribed yet."), code="no_recipients")
        newsletter.status = Newsletter.Status.SENDING
        newsletter.save(update_fields=["status"])
        transaction.on_commit(lambda: _enqueue_batch(newsletter_id))
    return count


def _enqueue_batch(newsletter_id: int) -> None:
    from .tasks import send_newsletter_batch

    send_newsletter_batch.delay(newsletter_id)


def issue_context(newsletter: Newsletter) -> dict:
    """What the e-mail shows: intro, workshops and partner events (two queries)."""
    workshops = [
        {
            "title": w.title,
            "starts_at": w.starts_at,
            "venue": w.venue,
            "url": absolute_url(w.get_absolute_url()),
        }
        for w in newsletter.workshops.order_by("starts_at", "pk")
    ]
    events = list(newsletter.partner_events.select_related("feed").order_by("starts_at", "pk"))
    return {"newsletter": newsletter, "workshops": workshops, "partner_events": events}


def render_issue(newsletter: Newsletter, *, language: str, unsubscribe: str) -> tuple:
    return mail.render_email(
        "policy/newsletter",
        {**issue_context(newsletter), "unsubscribe_url": unsubscribe},
        language,
    )


def send_batch(*, newsletter_id: int, size: int = BATCH_SIZE) -> tuple[int, bool]:
    """Queue the issue for up to ``size`` subscribers who have not had it yet: (the number
    queued now, whether more may be left). When none are left the newsletter is marked sent."""
    newsletter = Newsletter.objects.filter(pk=newsletter_id).first()
    if newsletter is None or newsletter.status != Newsletter.Status.SENDING:
        return 0, False
    batch = list(
        recipients().exclude(deliveries__newsletter_id=newsletter_id).order_by("pk")[:size]
    )
    rendered: dict[str, tuple[str, str, str]] = {}
    queued = 0
    for subscriber in batch:
        if subscriber.language not in rendered:
            rendered[subscriber.language] = render_issue(
                newsletter, language=subscriber.language, unsubscribe=UNSUBSCRIBE_PLACEHOLDER
            )
        subject, text, html = rendered[subscriber.language]
        link = unsubscribe_url(subscriber)
        try:
            with transaction.atomic():
                NewsletterDelivery.objects.create(newsletter=newsletter, subscriber=subscriber)
                mail.queue_rendered_email(
                    to=subscriber.email,
                    subject=subject,
                    text=text.replace(UNSUBSCRIBE_PLACEHOLDER, link),
                    html=html.replace(UNSUBSCRIBE_PLACEHOLDER, link),
                    headers={
                        "List-Unsubscribe": f"<{link}>",
                        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                        "Precedence": "bulk",
                    },
                )
        except IntegrityError:  # another batch got there first: it has been queued once
            continue
        queued += 1
    if len(batch) < size:
        Newsletter.objects.filter(pk=newsletter_id, status=Newsletter.Status.SENDING).update(
            status=Newsletter.Status.SENT, sent_at=timezone.now()
        )
        return queued, False
    return queued, True


def prefill(*, now) -> tuple[list, list[PartnerEvent]]:
    """The published workshops and partner events of the next six weeks (the form's default)."""
    from policy.feeds.selectors import upcoming_partner_events

    from .selectors import upcoming_workshops

    until = now + timedelta(weeks=PREFILL_WEEKS)
    return upcoming_workshops(now=now, until=until), upcoming_partner_events(now=now, until=until)
