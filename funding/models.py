import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
    URLValidator,
)
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Funder(models.Model):
    """A funding body (ministry, region, EU programme); its users get read-only access."""

    class Level(models.TextChoices):
        EU = "eu", _("EU")
        FEDERAL = "federal", _("federal")
        STATE = "state", _("state")
        REGION = "region", _("region")

    name = models.CharField(_("name"), max_length=200, unique=True)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("users"), blank=True, related_name="funders"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("funder")
        verbose_name_plural = _("funders")

    def __str__(self) -> str:
        return self.name


class CostCategory(models.TextChoices):
    PERSONNEL = "personnel", _("personnel")
    MATERIAL = "material", _("material")
    TRAVEL = "travel", _("travel")
    THIRD_PARTY = "third_party", _("third-party services")
    OVERHEAD = "overhead", _("overhead flat rate")


class ReportLanguage(models.TextChoices):
    GERMAN = "de", _("German")
    ENGLISH = "en", _("English")


def _money(verbose_name, **kwargs) -> models.DecimalField:
    # Stored exactly; rounding to cents happens only when shown or reported.
    return models.DecimalField(verbose_name, max_digits=16, decimal_places=4, **kwargs)


class FundingProgramme(models.Model):
    """A funding offer shown in the public funding finder."""

    name = models.CharField(_("name"), max_length=200)
    funding_body = models.CharField(_("funding body"), max_length=200)
    level = models.CharField(_("level"), max_length=10, choices=Funder.Level.choices)
    # Lists of companies.models.SizeClass / Sector values; empty means "any".
    size_classes = models.JSONField(_("target size classes"), default=list, blank=True)
    sectors = models.JSONField(_("target sectors"), default=list, blank=True)
    topics = models.ManyToManyField(
        "regiolab.Topic", verbose_name=_("topics"), blank=True, related_name="funding_programmes"
    )
    funding_rate = models.DecimalField(
        _("funding rate (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    max_amount = models.DecimalField(
        _("maximum amount (EUR)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    url = models.URLField(
        _("link"), blank=True, validators=[URLValidator(schemes=["http", "https"])]
    )
    description_de = models.TextField(_("description (German)"), blank=True, max_length=10000)
    description_en = models.TextField(_("description (English)"), blank=True, max_length=10000)
    is_example = models.BooleanField(
        _("example entry"), default=False, help_text=_("Shown with an 'example' label.")
    )
    is_published = models.BooleanField(_("published"), default=True)
    retention_years = models.PositiveSmallIntegerField(
        _("retention period (years)"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_(
            "Participants' personal data of a grant under this programme is anonymised this "
            "many years after the grant's final report (Verwendungsnachweis)."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["deadline", "name"]
        verbose_name = _("funding programme")
        verbose_name_plural = _("funding programmes")
        constraints = [
            models.UniqueConstraint(fields=["name", "funding_body"], name="programme_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def description(self) -> str:
        if (get_language() or "de").startswith("en") and self.description_en:
            return self.description_en
        return self.description_de

    def clean(self):
        super().clean()
        from companies.models import Sector, SizeClass

        errors = {}
        if not isinstance(self.size_classes, list) or any(
            v not in SizeClass.values for v in self.size_classes
        ):
            errors["size_classes"] = _("Please choose size classes from the list.")
        if not isinstance(self.sectors, list) or any(v not in Sector.values for v in self.sectors):
            errors["sectors"] = _("Please choose sectors from the list.")
        if errors:
            raise ValidationError(errors)

    def get_size_classes_display(self) -> list[str]:
        from companies.models import SizeClass

        return [str(SizeClass(v).label) for v in self.size_classes if v in SizeClass.values]

    def get_sectors_display(self) -> list[str]:
        from companies.models import Sector

        return [str(Sector(v).label) for v in self.sectors if v in Sector.values]


class Grant(models.Model):
    """One funded project of the office."""

    programme = models.ForeignKey(
        FundingProgramme,
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grants",
    )
    reference = models.CharField(_("reference number"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=300)
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))
    currency = models.CharField(
        _("currency"),
        max_length=3,
        default="EUR",
        validators=[
            RegexValidator(r"^[A-Z]{3}$", _("Enter a three-letter ISO 4217 code, e.g. EUR."))
        ],
    )
    total_eligible_costs = models.DecimalField(
        _("total eligible costs"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
    )
    networks = models.ManyToManyField(
        "networks.TrainingNetwork", verbose_name=_("networks funded"), blank=True,
        related_name="grants",
    )  # fmt: skip
    report_language = models.CharField(
        _("language of reports"),
        max_length=2,
        choices=ReportLanguage.choices,
        default=ReportLanguage.GERMAN,
    )
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coordinators"),
        blank=True,
        related_name="coordinated_grants",
    )
    funders = models.ManyToManyField(
        Funder, through="CofinancingShare", related_name="grants", verbose_name=_("funders")
    )
    is_example = models.BooleanField(_("example entry"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "reference"]
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="grant_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(total_eligible_costs__gte=0),
                name="grant_costs_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} – {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("funding:grant_detail", args=[self.pk])

    def clean(self):
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end cannot be before the start.")})

    def covers(self, day) -> bool:
        return self.start_date <= day <= self.end_date


class CofinancingShare(models.Model):
    """A funder's share of a grant in percent; a grant's shares add up to exactly 100."""

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="shares")
    funder = models.ForeignKey(
        Funder, verbose_name=_("funder"), on_delete=models.PROTECT, related_name="shares"
    )
    percent = models.DecimalField(
        _("share (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal(100))],
    )

    class Meta:
        ordering = ["-percent", "funder__name"]
        verbose_name = _("co-financing share")
        verbose_name_plural = _("co-financing shares")
        constraints = [
            models.UniqueConstraint(fields=["grant", "funder"], name="one_share_per_funder"),
            models.CheckConstraint(
                condition=models.Q(percent__gt=0) & models.Q(percent__lte=100),
                name="share_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.funder}: {self.percent} %"


class BudgetLine(models.Model):
    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="budget_lines")
    category = models.CharField(_("cost category"), max_length=12, choices=CostCategory.choices)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    amount = _money(_("amount"), validators=[MinValueValidator(Decimal(0))])

    class Meta:
        ordering = ["year", "category"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.UniqueConstraint(
                fields=["grant", "category", "year"], name="one_budget_line_per_category_year"
            ),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="budget_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.year}"


def receipt_upload_to(instance, filename: str) -> str:
    # Random names whatever the uploader called the file; the extension is the checked type's.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"receipts/{secrets.token_hex(16)}.{suffix}"


class Expenditure(models.Model):
    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="expenditures")
    date = models.DateField(_("date"))
    category = models.CharField(_("cost category"), max_length=12, choices=CostCategory.choices)
    payee = models.CharField(_("payee"), max_length=200)
    purpose = models.CharField(_("purpose"), max_length=500)
    amount = _money(_("amount"), validators=[MinValueValidator(Decimal("0.01"))])
    receipt_reference = models.CharField(_("receipt reference"), max_length=60)
    workshop = models.ForeignKey(
        "workshops.Workshop",
        verbose_name=_("workshop"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="expenditures",
    )
    network = models.ForeignKey(
        "networks.TrainingNetwork",
        verbose_name=_("network"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="expenditures",
    )
    # The receipt's scan (PDF, PNG or JPEG, checked by content): stored under a random name in
    # the private storage and served only by funding.views.receipt_download.
    receipt_file = models.FileField(
        _("receipt file"), upload_to=receipt_upload_to, blank=True, max_length=200
    )
    receipt_name = models.CharField(_("receipt file name"), max_length=120, blank=True)
    receipt_content_type = models.CharField(max_length=40, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("expenditure")
        verbose_name_plural = _("expenditures")
        indexes = [models.Index(fields=["grant", "date"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="expenditure_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_reference} {self.payee}"

    def get_receipt_url(self) -> str:
        return reverse("funding:receipt_download", args=[self.pk]) if self.receipt_file else ""


class IndicatorCode(models.TextChoices):
    """Indicators that take a target; breakdowns are reported without one."""

    COMPANIES_REACHED = "companies_reached", _("companies reached")
    COMPANIES_ADVISED = "companies_advised", _("companies advised")
    SMES_IN_NETWORKS = "smes_in_networks", _("SMEs in networks")
    WORKSHOPS_HELD = "workshops_held", _("workshops held")
    PARTICIPANTS = "participants", _("participants")
    PARTICIPANT_HOURS = "participant_hours", _("participant hours")
    # From the learning cycles (learning.selectors.grant_learning_figures).
    LEARNING_ORGANISATIONS = "learning_organisations", _("organisations in learning programmes")
    LEARNING_EVERY_CYCLE = "learning_every_cycle", _("organisations that attended every cycle")
    LEARNING_TASKS_SUBMITTED = "learning_tasks_submitted", _("learning tasks submitted")
    LEARNING_WORKSHOPS_HELD = "learning_workshops_held", _("learning workshops held")
    # From surveys (surveys.selectors.grant_survey_figures).
    FEEDBACK_RESPONSES = "feedback_responses", _("feedback responses")
    FEEDBACK_SATISFACTION = "feedback_satisfaction", _("satisfaction (mean, 1–5)")
    FEEDBACK_RECOMMEND = "feedback_recommend", _("would recommend (%)")
    COMPANIES_TRAINING_NEEDS = "companies_training_needs", _("companies with training needs")
    # From the Open Innovation Challenge (challenges.figures.grant_challenge_figures).
    CHALLENGES_PUBLISHED = "challenges_published", _("challenges published")
    CHALLENGE_PROPOSALS = "challenge_proposals", _("proposals received")
    CHALLENGE_COMPANIES = "challenge_companies", _("companies that took part in challenges")
    CHALLENGE_MATCHES = "challenge_matches", _("matches from pitch days")
    CHALLENGE_COOPERATIONS = "challenge_cooperations", _("cooperations agreed")


class Indicator(models.Model):
    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("indicator"), max_length=30, choices=IndicatorCode.choices)
    target = models.DecimalField(
        _("target"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )

    class Meta:
        ordering = ["grant", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(fields=["grant", "code"], name="one_indicator_per_code"),
            models.CheckConstraint(condition=models.Q(target__gte=0), name="target_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_code_display()}: {self.target}"


def report_upload_to(instance, filename: str) -> str:
    # Random names: a guessed path reveals nothing, and the files are never served as media.
    suffix = filename.rsplit(".", 1)[-1]
    return f"reports/{secrets.token_hex(16)}.{suffix}"


class ProgressReport(models.Model):
    class Kind(models.TextChoices):
        INTERIM = "interim", _("interim report (Zwischennachweis)")
        FINAL = "final", _("final report (Verwendungsnachweis)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        BUILDING = "building", _("building")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    FINISHED = (Status.READY, Status.FAILED)

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    pdf_file = models.FileField(_("PDF"), upload_to=report_upload_to, blank=True)
    xlsx_file = models.FileField(_("XLSX"), upload_to=report_upload_to, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    build_seconds = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="report_period_ordered",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="ready") | ~models.Q(pdf_file=""),
                name="ready_report_has_file",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grant.reference} {self.period_start}–{self.period_end}"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def is_stale(self) -> bool:
        """Still "building" long after the task's hard time limit: its worker died."""
        limit = getattr(settings, "CELERY_TASK_TIME_LIMIT", 360) + 30
        return (
            self.status == self.Status.BUILDING
            and self.started_at is not None
            and (timezone.now() - self.started_at).total_seconds() > limit
        )
