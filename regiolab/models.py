"""Core models shared by every business app: the topic vocabulary, the e-mail outbox, consents
and anonymisation records."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Topic(models.Model):
    """A training or focus topic (digitalisation, robotics, 3D printing, …).

    A small model rather than an ArrayField so the embedded SQLite default works too.
    """

    slug = models.SlugField(_("key"), max_length=60, unique=True)
    name_de = models.CharField(_("name (German)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)

    class Meta:
        ordering = ["name_de"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if (get_language() or "de").startswith("en") and self.name_en:
            return self.name_en
        return self.name_de


class OutboundEmail(models.Model):
    """One e-mail in the outbox.

    Written in the same transaction as the change it reports, delivered by a Celery task after
    commit. The row is the truth: when the broker is down, the periodic task sends what is
    pending, and ``sent_at`` checked under a row lock keeps a retry from sending twice.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    to = models.EmailField(_("recipient"), max_length=254)
    subject = models.CharField(_("subject"), max_length=255)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    # [{"filename": ..., "mimetype": ..., "content_b64": ...}]
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    # Set when the row is written: a message resent after a worker died mid-send (its fate
    # unknown) carries the same Message-ID, so mail programs show it once.
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    # Back-off after a temporary failure (regiolab.mail.record_failure).
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        indexes = [
            models.Index(
                fields=["created_at"],
                name="outbox_pending_idx",
                condition=models.Q(status="pending"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"


class MailOptOut(models.Model):
    """An address that asked for no more invitations and other bulk e-mail (List-Unsubscribe).

    Transactional e-mails (a confirmation, a cancellation) still reach it. The address is stored
    lower-cased, so one opt-out covers every spelling of it.
    """

    email = models.EmailField(_("e-mail"), max_length=254, unique=True)
    created_at = models.DateTimeField(_("unsubscribed"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("unsubscribed address")
        verbose_name_plural = _("unsubscribed addresses")

    def __str__(self) -> str:
        return self.email


class Consent(models.Model):
    """One consent a person gave, with the version of the exact text shown; withdrawn, never
    deleted (Art. 7(1) GDPR: the office must be able to show who agreed to what and when).

    ``email`` finds the consents of people without an account (colleagues registered by their
    HR contact); ``user`` is set when the person acted signed in. ``subject`` names what the
    consent is about ("company:12", "registration:345") without a foreign key, so the core needs
    no business app. The texts are looked up by version in ``regiolab.consents``.
    """

    class Purpose(models.TextChoices):
        CONTACT = "contact", _("Company may be contacted (advice, workshop invitations)")
        WORKSHOP = "workshop", _("Workshop registration and statistics for the funders")

    class Source(models.TextChoices):
        COMPANY_FORM = "company_form", _("company profile")
        WORKSHOP_REGISTRATION = "workshop_registration", _("workshop registration")
        COLLEAGUE_REGISTRATION = "colleague_registration", _("registration by a colleague")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consents",
    )
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    text_version = models.CharField(_("text version"), max_length=40)
    language = models.CharField(_("language"), max_length=8, blank=True)
    source = models.CharField(_("given on"), max_length=30, choices=Source.choices)
    subject = models.CharField(_("concerns"), max_length=60, blank=True)
    # Who ticked the box when it was not the person (an HR contact, a coordinator).
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("given by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    given_at = models.DateTimeField(_("given"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        ordering = ["-given_at", "-pk"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes = [
            models.Index(Lower("email"), name="consent_email_lower_idx"),
            models.Index(
                fields=["subject"],
                name="consent_active_subject_idx",
                condition=models.Q(withdrawn_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.text_version} ({self.email or self.user_id})"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class AnonymisationRecord(models.Model):
    """That a person's data was anonymised: when, why, by whom, how many rows; never who.

    ``pseudonym`` is the placeholder address now standing in the person's rows, so the rows
    that were anonymised together can still be told apart (and counted as one person).
    """

    class Reason(models.TextChoices):
        REQUEST = "request", _("on request")
        RETENTION = "retention", _("retention period passed")

    pseudonym = models.CharField(_("placeholder address"), max_length=254, db_index=True)
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    # Grant reference for the retention run; empty on request.
    note = models.CharField(_("note"), max_length=300, blank=True)
    counts = models.JSONField(_("rows changed"), default=dict)
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("performed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    performed_at = models.DateTimeField(_("performed"), default=timezone.now)

    class Meta:
        ordering = ["-performed_at", "-pk"]
        verbose_name = _("anonymisation")
        verbose_name_plural = _("anonymisations")

    def __str__(self) -> str:
        return f"{self.performed_at:%Y-%m-%d} {self.get_reason_display()} {self.pseudonym}"
