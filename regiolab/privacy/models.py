"""What the privacy features keep: the consents people gave and the record of each
anonymisation."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Consent(models.Model):
    """One consent a person gave, with the version of the exact text shown; withdrawn, never
    deleted (Art. 7(1) GDPR: the office must be able to show who agreed to what and when).

    ``email`` finds the consents of people without an account (colleagues registered by their
    HR contact); ``user`` is set when the person acted signed in. ``subject`` names what the
    consent is about ("company:12", "registration:345") without a foreign key, so the core needs
    no business app. The texts are looked up by version in ``regiolab.privacy.consents``.
    """

    class Purpose(models.TextChoices):
        CONTACT = "contact", _("Company may be contacted (advice, workshop invitations)")
        WORKSHOP = "workshop", _("Workshop registration and statistics for the funders")
        NEWSLETTER = "newsletter", _("Newsletter by e-mail")

    class Source(models.TextChoices):
        COMPANY_FORM = "company_form", _("company profile")
        WORKSHOP_REGISTRATION = "workshop_registration", _("workshop registration")
        COLLEAGUE_REGISTRATION = "colleague_registration", _("registration by a colleague")
        NEWSLETTER_FORM = "newsletter_form", _("newsletter subscription")

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
        # The table keeps the name it had in the core app (moved without copying rows).
        db_table = "regiolab_consent"
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
        db_table = "regiolab_anonymisationrecord"
        ordering = ["-performed_at", "-pk"]
        verbose_name = _("anonymisation")
        verbose_name_plural = _("anonymisations")

    def __str__(self) -> str:
        return f"{self.performed_at:%Y-%m-%d} {self.get_reason_display()} {self.pseudonym}"
