"""Audit evidence as PDF: the signature sheet of a workshop and the attendees' certificates."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, override

from regiolab.links import absolute_url
from regiolab.pdf import render_pdf

from ..models import Registration, Workshop


def certificate_url(registration: Registration) -> str:
    path = reverse("registrations:certificate", args=[registration.cancel_token])
    return absolute_url(path)


def signature_sheet_filename(workshop: Workshop) -> str:
    return f"unterschriften-{workshop.slug}.pdf"


def certificate_filename(registration: Registration) -> str:
    return f"teilnahmebescheinigung-{registration.workshop.slug}.pdf"


def _hours(workshop: Workshop) -> str:
    # 4.0 → "4", 3.5 → "3.5"; the template localises the number.
    hours = workshop.duration_hours
    return int(hours) if float(hours).is_integer() else hours


# Empty rows at the end of the sheet for people who come without a registration (walk-ins):
# at least this many, and as many more as fill the page the last of them is on.
MIN_BLANK_ROWS = 5
# More than one page holds: the measuring pass fills the page of the fifth blank row.
_MEASURE_BLANK_ROWS = 60


def _sheet_context(workshop, registrations, blank_rows: int) -> dict:
    return {
        "workshop": workshop,
        "registrations": registrations,
        "blank_rows": range(1, blank_rows + 1),
        "topics": list(workshop.topics.all()),
        "printed_at": timezone.now(),
    }


def blank_rows_to_fill(workshop, registrations, *, language: str) -> int:
    """How many blank rows end the sheet: at least MIN_BLANK_ROWS, up to the end of the page
    the last of them falls on. Measured by laying the sheet out once with more blank rows than
    a page holds (each has an id, and WeasyPrint's pages list the ids placed on them), since
    long names and companies change the height of rows."""
    from weasyprint import HTML  # imported lazily, as in regiolab.pdf

    context = _sheet_context(workshop, registrations, _MEASURE_BLANK_ROWS)
    with override(language):
        html = render_to_string("pdf/signature_sheet.html", {**context, "pdf_title": "-"})
    document = HTML(string=html, base_url=str(settings.BASE_DIR / "static")).render()
    page_of = {}
    for index, page in enumerate(document.pages):
        for anchor in page.anchors:
            if anchor.startswith("blank-row-"):
                page_of[int(anchor.removeprefix("blank-row-"))] = index
    last_page = page_of[MIN_BLANK_ROWS]
    return sum(1 for page in page_of.values() if page <= last_page)


def signature_sheet_pdf(
    workshop: Workshop, registrations: Sequence[Registration], *, language: str | None = None
) -> bytes:
    """One row per person with an empty signature box, then blank rows for walk-ins up to the
    end of the last page; ``registrations`` come pre-joined."""
    language = language or settings.LANGUAGE_CODE
    with override(language):
        title = gettext("Signature sheet: %(title)s") % {"title": workshop.display_title}
    blank = blank_rows_to_fill(workshop, registrations, language=language)
    return render_pdf(
        "pdf/signature_sheet.html",
        _sheet_context(workshop, registrations, blank),
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
