import secrets

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from companies.models import Company
from networks.models import TrainingNetwork
from regiolab.models import Topic
from regiolab.validators import no_control_characters, single_line


def new_token() -> str:
    return secrets.token_urlsafe(32)


class Workshop(models.Model):
    class Format(models.TextChoices):
        ON_SITE = "on_site", _("on site")
        ONLINE = "online", _("online")
        HYBRID = "hybrid", _("hybrid")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        CANCELLED = "cancelled", _("cancelled")
        DONE = "done", _("done")

    class Language(models.TextChoices):
        GERMAN = "de", _("German")
        ENGLISH = "en", _("English")

    title = models.CharField(_("title"), max_length=200, validators=[single_line])
    title_en = models.CharField(
        _("title (English)"), max_length=200, blank=True, validators=[single_line]
    )
    slug = models.SlugField(_("short name in the address"), max_length=120, unique=True)
    description = models.TextField(
        _("description"), blank=True, max_length=20000, validators=[no_control_characters]
    )
    description_en = models.TextField(
        _("description (English)"),
        blank=True,
        max_length=20000,
        validators=[no_control_characters],
    )
    network = models.ForeignKey(
        TrainingNetwork,
        verbose_name=_("network"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="workshops",
    )
    topics = models.ManyToManyField(
        Topic, verbose_name=_("topics"), blank=True, related_name="workshops"
    )
    format = models.CharField(
        _("format"), max_length=10, choices=Format.choices, default=Format.ON_SITE
    )
    venue = models.CharField(_("venue"), max_length=300, blank=True, validators=[single_line])
    online_url = models.URLField(_("online link"), blank=True)
    starts_at = models.DateTimeField(_("start"))
    ends_at = models.DateTimeField(_("end"))
    capacity = models.PositiveIntegerField(_("places"))
    # Seats held by confirmed, attended and no-show registrations; written only by
    # workshops.registration.services under the workshop's row lock, and bounded by a constraint.
    seats_taken = models.PositiveIntegerField(default=0, editable=False)
    # Seats a coordinator gave beyond the capacity (walk-ins confirmed with the explicit "over
    # capacity" choice). Only that service raises it; the constraint below lets seats_taken
    # exceed the capacity by exactly this much, so ordinary registrations, which check
    # seats_taken < capacity under the lock, can never overbook. It falls again as those
    # seats are freed and is absorbed by a capacity raise.
    over_capacity_seats = models.PositiveIntegerField(default=0, editable=False)
    registration_deadline = models.DateTimeField(_("registration deadline"), null=True, blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.GERMAN
    )
    trainers = models.CharField(_("trainers"), max_length=300, blank=True, validators=[single_line])
    funding_note = models.CharField(
        _("funding note"),
        max_length=500,
        blank=True,
        validators=[single_line],
        help_text=_("Printed on the signature sheet and certificates."),
    )
    funding_note_en = models.CharField(
        _("funding note (English)"),
        max_length=500,
        blank=True,
        validators=[single_line],
        help_text=_("Printed on English certificates; the German note when left empty."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    # Learning workshops (and later pitch days and stakeholder meetings) belong to a closed
    # group: reached through the group's own pages and invitations, never listed publicly.
    listed = models.BooleanField(
        _("listed publicly"),
        default=True,
        help_text=_(
            "Unlisted workshops are left out of the public list, the calendar feed and the "
            "recommendations; their people reach them through their programme or invitation."
        ),
    )
    # iCalendar SEQUENCE (RFC 5545 3.8.7.4): the lifecycle services raise it with every change
    # of time, place or status, so calendar programs take the newer copy of the event.
    sequence = models.PositiveIntegerField(_("calendar sequence"), default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")
        indexes = [
            models.Index(fields=["status", "starts_at"]),
            # The coordinators' list shows every status, newest first (read backwards).
            models.Index(fields=["starts_at", "id"], name="workshop_starts_id_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1), name="workshop_capacity_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    seats_taken__lte=models.F("capacity") + models.F("over_capacity_seats")
                ),
                name="workshop_never_overbooked",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="workshop_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.display_title

    def get_absolute_url(self) -> str:
        return reverse("workshops:detail", args=[self.slug])

    @property
    def display_title(self) -> str:
        if (get_language() or "de").startswith("en") and self.title_en:
            return self.title_en
        return self.title

    @property
    def display_description(self) -> str:
        if (get_language() or "de").startswith("en") and self.description_en:
            return self.description_en
        return self.description

    @property
    def display_funding_note(self) -> str:
        if (get_language() or "de").startswith("en") and self.funding_note_en:
            return self.funding_note_en
        return self.funding_note

    @property
    def funding_note_language(self) -> str:
        """The language the note shown by display_funding_note is written in."""
        if (get_language() or "de").startswith("en") and self.funding_note_en:
            return "en"
        return self.language

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)

    @property
    def duration_hours(self) -> float:
        return round((self.ends_at - self.starts_at).total_seconds() / 3600, 2)


class Registration(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmed")
        WAITLISTED = "waitlisted", _("waitlist")
        CANCELLED = "cancelled", pgettext_lazy("registration status", "cancelled")
        ATTENDED = "attended", _("attended")
        NO_SHOW = "no_show", _("no-show")

    SEAT_HOLDING = (Status.CONFIRMED, Status.ATTENDED, Status.NO_SHOW)

    # Optional statistics asked with consent (as ESF Plus asks); "declined" is an answer too.
    class Gender(models.TextChoices):
        FEMALE = "female", _("female")
        MALE = "male", _("male")
        DIVERSE = "diverse", _("diverse")
        DECLINED = "declined", _("prefer not to say")

    class AgeBand(models.TextChoices):
        UNDER_25 = "under_25", _("under 25")
        FROM_25_TO_54 = "25_54", _("25 to 54")
        FROM_55 = "55_plus", _("55 and older")
        DECLINED = "declined", _("prefer not to say")

    class EmploymentStatus(models.TextChoices):
        EMPLOYED = "employed", _("employed")
        SELF_EMPLOYED = "self_employed", _("self-employed")
        APPRENTICE = "apprentice", _("apprentice")
        UNEMPLOYED = "unemployed", _("unemployed")
        DECLINED = "declined", _("prefer not to say")

    class EducationLevel(models.TextChoices):
        ISCED_0_2 = "isced_0_2", _("lower secondary or less (ISCED 0–2)")
        ISCED_3_4 = "isced_3_4", _("upper secondary or vocational (ISCED 3–4)")
        ISCED_5_8 = "isced_5_8", _("tertiary (ISCED 5–8)")
        DECLINED = "declined", _("prefer not to say")

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="registrations")
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("e-mail"), max_length=254)
    company = models.ForeignKey(
        Company,
        verbose_name=_("company"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="registrations",
    )
    company_name = models.CharField(_("company"), max_length=200, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    language = models.CharField(_("language"), max_length=2, default="de")
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    age_band = models.CharField(_("age"), max_length=10, choices=AgeBand.choices, blank=True)
    employment_status = models.CharField(
        _("employment status"), max_length=15, choices=EmploymentStatus.choices, blank=True
    )
    education_level = models.CharField(
        _("education level"), max_length=10, choices=EducationLevel.choices, blank=True
    )
    consent_given_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    consent_text_version = models.CharField(_("consent text version"), max_length=20, blank=True)
    cancel_token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    promoted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    attendance_marked_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    certificate_sent_at = models.DateTimeField(null=True, blank=True)
    # Added on the spot by a coordinator (participants page), not through the public form.
    walk_in = models.BooleanField(_("walk-in"), default=False)
    # Confirmed beyond the capacity by a coordinator's explicit choice: who and when.
    over_capacity_at = models.DateTimeField(_("confirmed over capacity"), null=True, blank=True)
    over_capacity_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Set when a coordinator cancelled (not the person by link or their company).
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A coordinator moved the person to another workshop: the new registration there.
    moved_to = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="moved_from",
        verbose_name=_("moved to"),
    )

    class Meta:
        ordering = ["workshop", "pk"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(
                "workshop",
                Lower("email"),
                condition=~models.Q(status="cancelled"),
                name="one_active_registration_per_email",
            )
        ]
        indexes = [
            models.Index(fields=["workshop", "status", "id"]),
            models.Index(Lower("email"), name="registration_email_lower_idx"),
            models.Index(fields=["company", "status"]),
            # The grant's "companies reached": the reaching registrations' companies per
            # workshop, read from the index alone (84 -> 17 ms on the bench data).
            models.Index(
                fields=["workshop", "company"],
                condition=models.Q(
                    company__isnull=False, status__in=["confirmed", "attended", "no_show"]
                ),
                name="registration_reaching_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} – {self.workshop}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def holds_seat(self) -> bool:
        return self.status in self.SEAT_HOLDING


class Invitation(models.Model):
    """One recipient of a workshop invitation, sent by the outbox's delivery engine
    (regiolab.mail.deliver_due), whose claim and status prevent resends."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail"), max_length=254)
    company = models.ForeignKey(
        Company,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations_received",
    )
    network = models.ForeignKey(
        TrainingNetwork, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # As on regiolab.OutboundEmail: a resend after a killed worker keeps the Message-ID, and a
    # temporary failure is retried with back-off (regiolab.mail.record_failure).
    message_id = models.CharField(max_length=255, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    failing_since = models.DateTimeField(null=True, blank=True)
    # The language the invitation is written in: the person's own where the portal knows it
    # (their latest registration), else the workshop's (workshops.invitations.services).
    language = models.CharField(_("language"), max_length=2, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["workshop", "email"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            # Addresses are stored lower-cased by the service, so a plain unique suits
            # bulk_create(ignore_conflicts=True).
            models.UniqueConstraint(fields=["workshop", "email"], name="one_invitation_per_address")
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                name="invitation_pending_idx",
                condition=models.Q(status="pending"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} – {self.workshop}"


class ParticipantMessage(models.Model):
    """A coordinator's e-mail to participants of a workshop, queued in the outbox once.

    ``key`` comes from the preview the coordinator confirmed: sending the same preview twice
    (a double click, a reload) finds the row and queues nothing again.
    """

    workshop = models.ForeignKey(
        Workshop, on_delete=models.CASCADE, related_name="participant_messages"
    )
    key = models.CharField(max_length=64)
    subject = models.CharField(_("subject"), max_length=200)
    text = models.TextField(_("text"))
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("message to participants")
        verbose_name_plural = _("messages to participants")
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "key"], name="one_participant_message_per_preview"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} – {self.workshop}"


class StatisticsTally(models.Model):
    """Statistics answers of anonymised registrations, counted per workshop and answer.

    Anonymising a registration blanks its answers (they are personal data) but the funders'
    breakdowns must not change, so each answer moves here first. One row per single answer
    (question, answer) rather than per combination: the four answers together would still
    describe one person, the marginal counts are what the reports show.
    """

    class Question(models.TextChoices):
        GENDER = "gender", _("gender")
        AGE_BAND = "age_band", _("age")
        EMPLOYMENT_STATUS = "employment_status", _("employment status")
        EDUCATION_LEVEL = "education_level", _("education level")

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="tallies")
    # The registration's status when it was anonymised (reports count attended ones).
    status = models.CharField(_("status"), max_length=10, choices=Registration.Status.choices)
    question = models.CharField(_("question"), max_length=20, choices=Question.choices)
    answer = models.CharField(_("answer"), max_length=15)
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("statistics tally")
        verbose_name_plural = _("statistics tallies")
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "status", "question", "answer"], name="one_tally_per_answer"
            )
        ]

    def __str__(self) -> str:
        return f"{self.workshop_id} {self.status} {self.question}={self.answer}: {self.count}"
