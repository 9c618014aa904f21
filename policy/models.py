"""Policy learning: a good-practice library with two-step validation and transfers, regional
stakeholder groups that meet as workshops, action plans whose indicators follow the portal's
own figures, partners' event feeds and a double opt-in newsletter."""

import secrets

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from regiolab.validators import single_line


def new_token() -> str:
    return secrets.token_urlsafe(32)


class GoodPractice(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        VALIDATED = "validated", _("validated")
        ARCHIVED = "archived", _("archived")

    title = models.CharField(_("title"), max_length=200, validators=[single_line])
    title_en = models.CharField(
        _("title (English)"), max_length=200, blank=True, validators=[single_line]
    )
    slug = models.SlugField(_("short name in the address"), max_length=120, unique=True)
    summary = models.TextField(_("summary"))
    summary_en = models.TextField(_("summary (English)"), blank=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    region = models.CharField(_("region"), max_length=120, validators=[single_line])
    # ISO 3166-1 alpha-2, e.g. DE, IT, GR, PL, GB.
    country = models.CharField(_("country"), max_length=2)
    organisation = models.CharField(_("organisation"), max_length=200, validators=[single_line])
    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("organisation in the portal"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="good_practices",
    )
    topics = models.ManyToManyField(
        "regiolab.Topic", verbose_name=_("topics"), blank=True, related_name="good_practices"
    )
    theme = models.CharField(_("theme"), max_length=120, blank=True, validators=[single_line])
    period_start = models.DateField(_("since"), null=True, blank=True)
    period_end = models.DateField(_("until"), null=True, blank=True)
    resources = models.TextField(_("resources needed"), blank=True)
    resources_en = models.TextField(_("resources needed (English)"), blank=True)
    evidence = models.TextField(_("evidence of success"), blank=True)
    evidence_en = models.TextField(_("evidence of success (English)"), blank=True)
    contact_name = models.CharField(
        _("contact person"), max_length=200, blank=True, validators=[single_line]
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("validated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    validated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("good practice")
        verbose_name_plural = _("good practices")
        constraints = [
            # The second step of the validation is another coordinator's.
            models.CheckConstraint(
                condition=~models.Q(validated_by=models.F("author")),
                name="practice_not_validated_by_author",
            ),
        ]
        indexes = [models.Index(fields=["status", "country"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("policy:practice", args=[self.slug])


class PracticeFigure(models.Model):
    """A portal figure linked as evidence of a practice, computed live when shown."""

    class Kind(models.TextChoices):
        WORKSHOPS_HELD = "workshops_held", _("workshops held")
        PARTICIPANTS = "participants", _("participants")
        COMPANIES_REACHED = "companies_reached", _("companies reached")
        GRANT_SPENT = "grant_spent", _("money spent from a grant")
        CHALLENGES_MATCHED = "challenges_matched", _("challenges matched")

    practice = models.ForeignKey(GoodPractice, on_delete=models.CASCADE, related_name="figures")
    kind = models.CharField(_("figure"), max_length=20, choices=Kind.choices)
    # The figure's scope: any of these narrows it; none means the whole portal.
    network = models.ForeignKey(
        "networks.TrainingNetwork",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    topic = models.ForeignKey(
        "regiolab.Topic", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    grant = models.ForeignKey(
        "funding.Grant", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    call = models.ForeignKey(
        "challenges.Call", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    since = models.DateField(_("from"), null=True, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["practice", "position", "pk"]
        verbose_name = _("linked figure")
        verbose_name_plural = _("linked figures")

    def __str__(self) -> str:
        return self.get_kind_display()


class Transfer(models.Model):
    """A practice adopted (or being adopted) in another region."""

    class Status(models.TextChoices):
        INTERESTED = "interested", _("interested")
        ADAPTING = "adapting", _("adapting")
        ADOPTED = "adopted", _("adopted")
        DROPPED = "dropped", _("dropped")

    practice = models.ForeignKey(GoodPractice, on_delete=models.CASCADE, related_name="transfers")
    from_region = models.CharField(_("from region"), max_length=120, validators=[single_line])
    to_region = models.CharField(_("to region"), max_length=120, validators=[single_line])
    partner = models.CharField(_("partner"), max_length=200, validators=[single_line])
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.INTERESTED
    )
    started_on = models.DateField(_("since"), default=timezone.localdate)
    status_changed_on = models.DateField(_("status since"), default=timezone.localdate)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["practice", "-started_on", "pk"]
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")

    def __str__(self) -> str:
        return f"{self.practice}: {self.from_region} → {self.to_region}"


class HelixCategory(models.TextChoices):
    GOVERNMENT = "government", _("government")
    BUSINESS = "business", _("business")
    SCIENCE = "science", _("science")
    CIVIL_SOCIETY = "civil_society", _("civil society")


class StakeholderGroup(models.Model):
    name = models.CharField(_("name"), max_length=200, validators=[single_line])
    purpose = models.TextField(_("purpose"), blank=True)
    region = models.CharField(_("region"), max_length=120, validators=[single_line])
    meetings_per_year = models.PositiveSmallIntegerField(_("meetings per year"), default=2)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("stakeholder group")
        verbose_name_plural = _("stakeholder groups")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("policy:group", args=[self.pk])


class GroupMember(models.Model):
    """A member organisation of a stakeholder group, in its quadruple-helix category."""

    group = models.ForeignKey(StakeholderGroup, on_delete=models.CASCADE, related_name="members")
    company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="stakeholder_memberships",
    )
    category = models.CharField(_("category"), max_length=15, choices=HelixCategory.choices)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["group", "category", "company__name"]
        verbose_name = _("member organisation")
        verbose_name_plural = _("member organisations")
        constraints = [
            models.UniqueConstraint(fields=["group", "company"], name="one_membership_per_group"),
        ]

    def __str__(self) -> str:
        return str(self.company)


class GroupPerson(models.Model):
    member = models.ForeignKey(GroupMember, on_delete=models.CASCADE, related_name="people")
    email = models.EmailField(_("e-mail"), max_length=254)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stakeholder_people",
    )

    class Meta:
        ordering = ["member", "last_name", "first_name", "email"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "email"], name="one_group_person_per_address"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.email


class GroupMeeting(models.Model):
    """A meeting of the group: an ordinary workshop, plus its minutes and decisions."""

    group = models.ForeignKey(StakeholderGroup, on_delete=models.CASCADE, related_name="meetings")
    workshop = models.OneToOneField(
        "workshops.Workshop", on_delete=models.PROTECT, related_name="stakeholder_meeting"
    )
    minutes = models.TextField(_("minutes"), blank=True)
    decisions = models.TextField(_("decisions"), blank=True)
    # Set when the members were told of the minutes, so that happens once.
    minutes_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["group", "workshop__starts_at"]
        verbose_name = _("group meeting")
        verbose_name_plural = _("group meetings")

    def __str__(self) -> str:
        return str(self.workshop)


class ActionPlan(models.Model):
    title = models.CharField(_("title"), max_length=200, validators=[single_line])
    region = models.CharField(_("region"), max_length=120, validators=[single_line])
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("until"))
    group = models.ForeignKey(
        StakeholderGroup,
        verbose_name=_("stakeholder group"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_plans",
    )
    practices = models.ManyToManyField(
        GoodPractice,
        verbose_name=_("good practices it builds on"),
        blank=True,
        related_name="plans",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-period_start", "title"]
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="plan_period_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("policy:plan", args=[self.pk])


class Action(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        RUNNING = "running", _("running")
        DELAYED = "delayed", _("delayed")
        DONE = "done", _("done")
        DROPPED = "dropped", _("dropped")

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(_("title"), max_length=200, validators=[single_line])
    description = models.TextField(_("description"), blank=True)
    responsible = models.ForeignKey(
        "companies.Company",
        verbose_name=_("responsible organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    responsible_text = models.CharField(
        _("responsible organisation (not in the portal)"),
        max_length=200,
        blank=True,
        validators=[single_line],
    )
    players = models.TextField(_("players involved"), blank=True)
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)
    estimated_cost = models.DecimalField(
        _("estimated cost (EUR)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    grant = models.ForeignKey(
        "funding.Grant",
        verbose_name=_("funded by grant"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="policy_actions",
    )
    funding_text = models.CharField(
        _("funding source (other)"), max_length=200, blank=True, validators=[single_line]
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["plan", "position", "pk"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")

    def __str__(self) -> str:
        return self.title


class ActionIndicator(models.Model):
    """An indicator of an action: linked to a grant indicator or a portal count (it updates
    itself), or entered by hand with a date (``IndicatorValue``, history kept)."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("entered by hand")
        GRANT_INDICATOR = "grant_indicator", _("a grant's indicator")
        WORKSHOPS_HELD = "workshops_held", _("workshops held (topic)")
        COMPANIES_REACHED = "companies_reached", _("companies reached")
        CHALLENGES_MATCHED = "challenges_matched", _("challenges matched")

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(_("indicator"), max_length=200, validators=[single_line])
    unit = models.CharField(_("unit"), max_length=40, blank=True, validators=[single_line])
    target = models.DecimalField(
        _("target"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.MANUAL
    )
    grant_indicator = models.ForeignKey(
        "funding.Indicator", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    topic = models.ForeignKey(
        "regiolab.Topic", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    network = models.ForeignKey(
        "networks.TrainingNetwork",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["action", "position", "pk"]
        verbose_name = _("action indicator")
        verbose_name_plural = _("action indicators")

    def __str__(self) -> str:
        return self.name


class IndicatorValue(models.Model):
    indicator = models.ForeignKey(ActionIndicator, on_delete=models.CASCADE, related_name="values")
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    measured_on = models.DateField(_("date"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["indicator", "-measured_on", "-pk"]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")

    def __str__(self) -> str:
        return f"{self.measured_on}: {self.value}"


def monitoring_upload_to(instance, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1]
    return f"monitoring/{secrets.token_hex(16)}.{suffix}"


class MonitoringReport(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        BUILDING = "building", _("being built")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="reports")
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("until"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0)
    pdf = models.FileField(upload_to=monitoring_upload_to, blank=True, max_length=200)
    xlsx = models.FileField(upload_to=monitoring_upload_to, blank=True, max_length=200)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    built_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["plan", "-period_end", "-pk"]
        verbose_name = _("monitoring report")
        verbose_name_plural = _("monitoring reports")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="monitoring_period_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.period_start}–{self.period_end}"


class MonitoringNarrative(models.Model):
    report = models.ForeignKey(
        MonitoringReport, on_delete=models.CASCADE, related_name="narratives"
    )
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="narratives")
    text = models.TextField(_("narrative"))

    class Meta:
        verbose_name = _("narrative")
        verbose_name_plural = _("narratives")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "action"], name="one_narrative_per_action_and_report"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report} – {self.action}"


class PartnerFeed(models.Model):
    partner_name = models.CharField(_("partner"), max_length=200, validators=[single_line])
    partner_url = models.URLField(_("partner's website"), blank=True)
    url = models.URLField(_("calendar address (iCalendar)"), max_length=500)
    active = models.BooleanField(_("imported"), default=True)
    last_import_at = models.DateTimeField(_("last import"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last successful import"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["partner_name"]
        verbose_name = _("partner feed")
        verbose_name_plural = _("partner feeds")

    def __str__(self) -> str:
        return self.partner_name


class PartnerEvent(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmed")
        TENTATIVE = "tentative", _("tentative")
        CANCELLED = "cancelled", _("cancelled")

    feed = models.ForeignKey(PartnerFeed, on_delete=models.CASCADE, related_name="events")
    uid = models.CharField(max_length=255)
    sequence = models.PositiveIntegerField(default=0)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("start"))
    ends_at = models.DateTimeField(_("end"), null=True, blank=True)
    location = models.CharField(_("location"), max_length=300, blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.CONFIRMED
    )
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("partner event")
        verbose_name_plural = _("partner events")
        constraints = [
            models.UniqueConstraint(fields=["feed", "uid"], name="one_event_per_feed_and_uid"),
        ]
        indexes = [models.Index(fields=["starts_at"])]

    def __str__(self) -> str:
        return self.title


class Subscriber(models.Model):
    email = models.EmailField(_("e-mail"), max_length=254, unique=True)
    language = models.CharField(_("language"), max_length=2, default="de")
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    consent_text_version = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)

    class Meta:
        ordering = ["email"]
        verbose_name = _("newsletter subscriber")
        verbose_name_plural = _("newsletter subscribers")

    def __str__(self) -> str:
        return self.email

    @property
    def active(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None


class Newsletter(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SENDING = "sending", _("being sent")
        SENT = "sent", _("sent")

    subject = models.CharField(_("subject"), max_length=200, validators=[single_line])
    intro = models.TextField(_("introduction"), blank=True)
    workshops = models.ManyToManyField(
        "workshops.Workshop", verbose_name=_("workshops"), blank=True, related_name="+"
    )
    partner_events = models.ManyToManyField(
        PartnerEvent, verbose_name=_("partner events"), blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("newsletter")
        verbose_name_plural = _("newsletters")

    def __str__(self) -> str:
        return self.subject


class NewsletterDelivery(models.Model):
    """One issue to one subscriber; the constraint makes a second sending impossible."""

    newsletter = models.ForeignKey(Newsletter, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    queued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("newsletter delivery")
        verbose_name_plural = _("newsletter deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["newsletter", "subscriber"], name="one_delivery_per_issue_and_subscriber"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.newsletter} → {self.subscriber}"
