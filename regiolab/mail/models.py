"""The outbox's models: each e-mail of the portal, and the addresses that opted out of bulk
e-mail. Their tables keep the names they had as models of the core."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboundEmail(models.Model):
    """One e-mail in the outbox.

    Written in the same transaction as the change it reports, delivered by a Celery task after
    commit. The row is the truth: when the broker is down, the periodic task sends what is
    pending, and the delivery engine's claim and status (services.deliver_due) keep a retry
    from sending twice.
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
    # Headers of this message on top of the portal's own (services.email_headers), e.g. a
    # newsletter's List-Unsubscribe for its subscriber.
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    # Set when the row is written: a message resent after a worker died mid-send (its fate
    # unknown) carries the same Message-ID, so mail programs show it once.
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    # Back-off after a temporary failure (services.record_failure).
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        db_table = "regiolab_outboundemail"  # from before the outbox was an app of its own
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
        db_table = "regiolab_mailoptout"

    def __str__(self) -> str:
        return self.email
