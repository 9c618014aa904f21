from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from companies.models import Company, Sector
from regiolab.models import Topic
from regiolab.validators import no_markup

# Slugs that would shadow a page under /networks/ (e.g. /networks/new/).
RESERVED_SLUGS = frozenset({"new", "edit", "dashboard", "mine", "search", "members", "requests"})


def not_reserved_slug(value: str) -> None:
    if value and value.lower() in RESERVED_SLUGS:
        raise ValidationError(
            _("“%(value)s” is reserved for a page of the portal; please choose another."),
            code="reserved",
            params={"value": value},
        )


class TrainingNetwork(models.Model):
    """A Weiterbildungsverbund: companies that train together on shared topics."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        ACTIVE = "active", _("active")
        CLOSED = "closed", _("closed")

    name = models.CharField(_("name"), max_length=200, validators=[no_markup])
    slug = models.SlugField(
        _("short name in the address"),
        max_length=80,
        unique=True,
        validators=[not_reserved_slug],
    )
    topics = models.ManyToManyField(
        Topic, verbose_name=_("focus topics"), blank=True, related_name="networks"
    )
    sector_focus = models.CharField(
        _("sector focus"), max_length=1, choices=Sector.choices, blank=True
    )
    description = models.TextField(
        _("description"), blank=True, max_length=10000, validators=[no_markup]
    )
    description_en = models.TextField(
        _("description (English)"), blank=True, max_length=10000, validators=[no_markup]
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coordinators"),
        blank=True,
        related_name="coordinated_networks",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("training network")
        verbose_name_plural = _("training networks")
        indexes = [models.Index(fields=["status", "name"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="network_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("networks:detail", args=[self.slug])

    @property
    def display_description(self) -> str:
        """The description in the active language; German when there is no English one."""
        if (get_language() or "de").startswith("en") and self.description_en:
            return self.description_en
        return self.description

    def clean(self):
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end cannot be before the start.")})


class NetworkMembership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", _("member")
        ANCHOR = "anchor", _("anchor company")
        EDUCATION_PROVIDER = "education_provider", _("education provider")
        CHAMBER = "chamber", _("chamber")
        PUBLIC_PARTNER = "public_partner", _("public partner")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("requested")
        ACTIVE = "active", _("active")
        DECLINED = "declined", _("declined")
        LEFT = "left", _("left")

    network = models.ForeignKey(
        TrainingNetwork, on_delete=models.CASCADE, related_name="memberships"
    )
    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="network_memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    joined_on = models.DateField(_("joined"), null=True, blank=True)
    left_on = models.DateField(_("left"), null=True, blank=True)

    class Meta:
        ordering = ["network", "company__name"]
        verbose_name = _("network membership")
        verbose_name_plural = _("network memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["network", "company"],
                condition=models.Q(status__in=["requested", "active"]),
                name="one_open_membership_per_network",
            )
        ]
        indexes = [models.Index(fields=["network", "status"])]

    def __str__(self) -> str:
        return f"{self.company} in {self.network}"
