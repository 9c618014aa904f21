import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from regiolab.models import Topic

from . import sizing

# The 21 towns and municipalities of the Region Hannover.
MUNICIPALITIES = [
    "Barsinghausen", "Burgdorf", "Burgwedel", "Garbsen", "Gehrden", "Hannover", "Hemmingen",
    "Isernhagen", "Laatzen", "Langenhagen", "Lehrte", "Neustadt am Rübenberge", "Pattensen",
    "Ronnenberg", "Seelze", "Sehnde", "Springe", "Uetze", "Wedemark", "Wennigsen", "Wunstorf",
]  # fmt: skip


class SizeClass(models.TextChoices):
    MICRO = "micro", _("micro enterprise")
    SMALL = "small", _("small enterprise")
    MEDIUM = "medium", _("medium-sized enterprise")
    LARGE = "large", _("large enterprise")


class Sector(models.TextChoices):
    """NACE Rev. 2 / WZ 2008 sections."""

    A = "A", _("A – Agriculture, forestry and fishing")
    B = "B", _("B – Mining and quarrying")
    C = "C", _("C – Manufacturing")
    D = "D", _("D – Electricity, gas, steam and air conditioning supply")
    E = "E", _("E – Water supply, sewerage, waste management")
    F = "F", _("F – Construction")
    G = "G", _("G – Wholesale and retail trade, repair of motor vehicles")
    H = "H", _("H – Transportation and storage")
    I = "I", _("I – Accommodation and food service activities")  # noqa: E741
    J = "J", _("J – Information and communication")
    K = "K", _("K – Financial and insurance activities")
    L = "L", _("L – Real estate activities")
    M = "M", _("M – Professional, scientific and technical activities")
    N = "N", _("N – Administrative and support service activities")
    O = "O", _("O – Public administration and defence")  # noqa: E741
    P = "P", _("P – Education")
    Q = "Q", _("Q – Human health and social work activities")
    R = "R", _("R – Arts, entertainment and recreation")
    S = "S", _("S – Other service activities")


class Company(models.Model):
    class Kind(models.TextChoices):
        SME = "sme", _("SME")
        LARGE = "large", _("large enterprise")
        CHAMBER = "chamber", _("chamber")
        EDUCATION_PROVIDER = "education_provider", _("education provider")
        PUBLIC_BODY = "public_body", _("public body")
        RESEARCH = "research", _("research institution")

    class EnterpriseType(models.TextChoices):
        AUTONOMOUS = "autonomous", _("autonomous")
        PARTNER = "partner", _("partner enterprise")
        LINKED = "linked", _("linked enterprise")

    name = models.CharField(_("name"), max_length=200)
    legal_form = models.CharField(_("legal form"), max_length=60, blank=True)
    register_number = models.CharField(_("commercial register number"), max_length=60, blank=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100)
    municipality = models.CharField(_("municipality"), max_length=100, blank=True)
    sector = models.CharField(_("sector (NACE section)"), max_length=1, choices=Sector.choices)
    sector_code = models.CharField(_("WZ 2008 code"), max_length=10, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.SME)
    headcount = models.DecimalField(
        _("staff headcount (annual work units)"),
        max_digits=9,
        decimal_places=1,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(10_000_000))],
    )
    annual_turnover = models.DecimalField(
        _("annual turnover (EUR)"),
        max_digits=15,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    balance_sheet_total = models.DecimalField(
        _("balance-sheet total (EUR)"),
        max_digits=15,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    figures_year = models.PositiveSmallIntegerField(
        _("reference year of the figures"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1990), MaxValueValidator(2100)],
    )
    enterprise_type = models.CharField(
        _("enterprise type"),
        max_length=12,
        choices=EnterpriseType.choices,
        default=EnterpriseType.AUTONOMOUS,
    )
    # Sums of the partner (pro rata) and linked (whole) enterprises' figures, kept by
    # companies.services so that size_class needs no query.
    associated_headcount = models.DecimalField(max_digits=11, decimal_places=2, default=0)
    associated_turnover = models.DecimalField(max_digits=17, decimal_places=2, default=0)
    associated_balance_sheet = models.DecimalField(max_digits=17, decimal_places=2, default=0)
    # Stored copy of size_class for filtering and indexes; written by services on every save.
    size_class_stored = models.CharField(
        _("size class"), max_length=6, choices=SizeClass.choices, db_index=True, editable=False
    )
    website = models.URLField(
        _("website"), blank=True, validators=[URLValidator(schemes=["http", "https"])]
    )
    training_needs = models.ManyToManyField(
        Topic, verbose_name=_("training needs"), blank=True, related_name="companies"
    )
    contact_consent = models.BooleanField(_("agrees to be contacted"), default=False)
    show_in_networks = models.BooleanField(
        _("may be shown publicly as a network member"), default=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        indexes = [
            models.Index(Lower("name"), name="company_name_lower_idx"),
            # The coordinators' list orders by name, pk and shows one page of it.
            models.Index(fields=["name", "id"], name="company_name_id_idx"),
            models.Index(fields=["municipality"]),
            models.Index(fields=["sector"]),
            models.Index(fields=["kind"]),
            models.Index(fields=["city"]),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # A derived column, not a business flow: keeps the filterable copy in step.
        derived = self.size_class
        if kwargs.get("update_fields") is not None and derived != self.size_class_stored:
            kwargs["update_fields"] = {*kwargs["update_fields"], "size_class_stored"}
        self.size_class_stored = derived
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("companies:detail", args=[self.pk])

    @property
    def own_figures(self) -> sizing.Figures:
        return sizing.figures(self.headcount, self.annual_turnover, self.balance_sheet_total)

    @property
    def total_figures(self) -> sizing.Figures:
        return self.own_figures + sizing.figures(
            self.associated_headcount, self.associated_turnover, self.associated_balance_sheet
        )

    @property
    def size_class(self) -> str:
        """``micro`` | ``small`` | ``medium`` | ``large`` by Recommendation 2003/361/EC."""
        return sizing.classify(self.total_figures)

    def get_size_class_display(self) -> str:
        return SizeClass(self.size_class).label


# A company's profile as it is typed in: the company export and a person's data export both show
# these fields as they are stored, each adding its own derived ones (topics, consent, size class).
PROFILE_FIELDS = (
    "name",
    "legal_form",
    "register_number",
    "street",
    "postcode",
    "city",
    "municipality",
    "sector",
    "sector_code",
    "kind",
    "headcount",
    "annual_turnover",
    "balance_sheet_total",
    "figures_year",
    "website",
)


def profile_values(company: Company) -> dict:
    return {field: getattr(company, field) for field in PROFILE_FIELDS}


class AssociatedEnterprise(models.Model):
    """A partner or linked enterprise whose figures count towards the company's size class."""

    class Relation(models.TextChoices):
        PARTNER = "partner", _("partner enterprise (25–50 %)")
        LINKED = "linked", _("linked enterprise (over 50 %)")

    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="associated_enterprises"
    )
    name = models.CharField(_("name"), max_length=200)
    relation = models.CharField(_("relation"), max_length=10, choices=Relation.choices)
    share_percent = models.DecimalField(
        _("share held (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    headcount = models.DecimalField(
        _("staff headcount"), max_digits=9, decimal_places=1, validators=[MinValueValidator(0)]
    )
    annual_turnover = models.DecimalField(
        _("annual turnover (EUR)"), max_digits=15, decimal_places=2, default=0
    )
    balance_sheet_total = models.DecimalField(
        _("balance-sheet total (EUR)"), max_digits=15, decimal_places=2, default=0
    )

    class Meta:
        verbose_name = _("associated enterprise")
        verbose_name_plural = _("associated enterprises")

    def __str__(self) -> str:
        return self.name

    @property
    def counted_figures(self) -> sizing.Figures:
        own = sizing.figures(self.headcount, self.annual_turnover, self.balance_sheet_total)
        if self.relation == self.Relation.LINKED:
            return own
        return own.scaled(self.share_percent)


class CompanyMember(models.Model):
    """A person acting for a company. One company per person."""

    class Role(models.TextChoices):
        OWNER = "owner", _("owner")
        MEMBER = "member", _("member")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("asked to join")
        ACTIVE = "active", _("active")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="company_memberships"
    )
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="members")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("company member")
        verbose_name_plural = _("company members")
        constraints = [
            models.UniqueConstraint(fields=["user"], name="one_company_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.company}"


class CompanyInvitation(models.Model):
    """An owner's invitation of a colleague by e-mail."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail"))
    token = models.CharField(max_length=64, unique=True, default=secrets.token_urlsafe)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("colleague invitation")
        verbose_name_plural = _("colleague invitations")
        constraints = [
            models.UniqueConstraint(
                "company",
                Lower("email"),
                condition=models.Q(accepted_at__isnull=True),
                name="one_open_invitation_per_company_email",
            )
        ]

    def __str__(self) -> str:
        return self.email


class Consultation(models.Model):
    """A coordinator's advice contact with a company; counts as "company advised"."""

    class Channel(models.TextChoices):
        ON_SITE = "on_site", _("on site")
        PHONE = "phone", _("phone")
        VIDEO = "video", _("video call")
        EMAIL = "email", _("e-mail")
        EVENT = "event", _("at an event")

    class Subject(models.TextChoices):
        FUNDING = "funding", _("funding")
        TRAINING_NEEDS = "training_needs", _("training needs")
        NETWORK = "network", _("network")
        DIGITAL_LEARNING = "digital_learning", _("digital learning")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="consultations")
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="consultations",
        verbose_name=_("coordinator"),
    )
    date = models.DateField(_("date"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    subjects = models.JSONField(_("topics"), default=list)
    minutes = models.TextField(_("minutes"), blank=True, max_length=20000)
    follow_up_on = models.DateField(_("follow-up date"), null=True, blank=True)
    follow_up_done = models.BooleanField(_("follow-up done"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        indexes = [
            models.Index(
                fields=["follow_up_on"],
                name="consultation_open_followup_idx",
                condition=models.Q(follow_up_done=False),
            ),
            models.Index(fields=["date"]),
        ]

    def __str__(self) -> str:
        return f"{self.company} {self.date}"

    def clean(self):
        super().clean()
        errors = {}
        if self.follow_up_on and self.date and self.follow_up_on < self.date:
            errors["follow_up_on"] = _("The follow-up cannot be before the consultation.")
        unknown = [s for s in self.subjects or [] if s not in self.Subject.values]
        if not isinstance(self.subjects, list) or unknown:
            errors["subjects"] = _("Please choose topics from the list.")
        if errors:
            raise ValidationError(errors)

    def get_subjects_display(self) -> list[str]:
        return [str(self.Subject(s).label) for s in self.subjects if s in self.Subject.values]
