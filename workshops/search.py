"""What the coordinators' search (regiolab.search) finds of workshops: workshops by title, and
registrations by the participant's name and e-mail address."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from regiolab.collation import german
from regiolab.search.registry import Hit
from regiolab.search.registry import register as register_kind

from .models import Registration, Workshop

# The coordinators' workshop list's "q" filter matches the same fields (lifecycle.forms).
WORKSHOP_FIELDS = ("title", "title_en")


def _date(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATE_FORMAT")


def _workshop_hit(workshop: Workshop) -> Hit:
    return Hit(
        title=workshop.display_title,
        url=workshop.get_absolute_url(),
        detail=f"{_date(workshop.starts_at)} · {workshop.get_status_display()}",
    )


def _registration_hit(registration: Registration) -> Hit:
    workshop = registration.workshop
    detail = [
        registration.email,
        registration.company_name or (registration.company.name if registration.company else ""),
        f"{workshop.display_title} ({_date(workshop.starts_at)})",
        registration.get_status_display(),
    ]
    return Hit(
        title=f"{registration.first_name} {registration.last_name}".strip() or registration.email,
        url=reverse("workshops:participants", args=[workshop.slug]),
        detail=" · ".join(part for part in detail if part),
    )


def register() -> None:
    register_kind(
        "workshop",
        label=_("Workshops"),
        kind_label=_("Workshop"),
        queryset=lambda: Workshop.objects.only("title", "title_en", "slug", "starts_at", "status"),
        fields=WORKSHOP_FIELDS,
        order_by=("-starts_at",),
        hit=_workshop_hit,
        more_url=lambda query: f"{reverse('workshops:manage_list')}?{urlencode({'q': query})}",
        position=30,
    )
    register_kind(
        "registration",
        label=_("Workshop registrations"),
        kind_label=_("Registration"),
        queryset=lambda: Registration.objects.select_related("workshop", "company").only(
            "first_name",
            "last_name",
            "email",
            "company_name",
            "status",
            "company__name",
            "workshop__title",
            "workshop__title_en",
            "workshop__slug",
            "workshop__starts_at",
        ),
        fields=("first_name", "last_name", "email"),
        order_by=("-workshop__starts_at", german("last_name"), german("first_name")),
        hit=_registration_hit,
        position=40,
    )
