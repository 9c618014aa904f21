"""Audit evidence as PDF: the signature sheet of a workshop and the attendees' certificates."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, override

from regiolab.pdf import render_pdf

from ..models import Registration, Workshop


def certificate_url(registration: Registration) -> str:
    path = reverse("registrations:certificate", args=[registration.cancel_token])
    return settings.SITE_URL.rstrip("/") + path


def signature_sheet_filename(workshop: Workshop) -> str:
    return f"unterschriften-{workshop.slug}.pdf"


def certificate_filename(registration: Registration) -> str:
    return f"teilnahmebescheinigung-{registration.workshop.slug}.pdf"


def _hours(workshop: Workshop) -> str:
    # 4.0 → "4", 3.5 → "3.5"; the template localises the number.
    hours = workshop.duration_hours
    return int(hours) if float(hours).is_integer() else hours


def signature_sheet_pdf(
    workshop: Workshop, registrations: Sequence[Registration], *, language: str | None = None
) -> bytes:
    """One row per person with an empty signature box; ``registrations`` come pre-joined."""
    language = language or settings.LANGUAGE_CODE
    with override(language):
        title = gettext("Signature sheet: %(title)s") % {"title": workshop.display_title}
    return render_pdf(
        "pdf/signature_sheet.html",
        {
            "workshop": workshop,
            "registrations": registrations,
            "topics": list(workshop.topics.all()),
            "printed_at": timezone.now(),
        },
        language=language,
        title=title,
    )


def certificate_pdf(registration: Registration) -> bytes:
    """The certificate of attendance in the participant's language."""
    workshop = registration.workshop
    language = registration.language or settings.LANGUAGE_CODE
    with override(language):
        title = gettext("Certificate of attendance: %(title)s") % {"title": workshop.display_title}
    return render_pdf(
        "pdf/certificate.html",
        {
            "workshop": workshop,
            "registration": registration,
            "topics": list(workshop.topics.all()),
            "hours": _hours(workshop),
            "issued_on": timezone.localdate(),
        },
        language=language,
        title=title,
    )
