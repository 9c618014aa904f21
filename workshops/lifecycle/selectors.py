"""Read paths of the coordinators' workshop pages, with the joins and counts they show."""

import unicodedata
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..models import Registration, Workshop
from .services import NOTIFIED_ON_CANCEL

STATUS_ORDER = (
    Registration.Status.CONFIRMED,
    Registration.Status.WAITLISTED,
    Registration.Status.ATTENDED,
    Registration.Status.NO_SHOW,
    Registration.Status.CANCELLED,
)


def managed_workshops() -> QuerySet[Workshop]:
    """Every workshop (any status) with its registration counts, in one query."""
    return (
        Workshop.objects.select_related("network")
        .annotate(
            confirmed_count=Count(
                "registrations",
                filter=Q(registrations__status=Registration.Status.CONFIRMED),
            ),
            waitlisted_count=Count(
                "registrations",
                filter=Q(registrations__status=Registration.Status.WAITLISTED),
            ),
            attended_count=Count(
                "registrations",
                filter=Q(registrations__status=Registration.Status.ATTENDED),
            ),
        )
        .order_by("-starts_at", "-pk")
    )


def managed_workshop(slug: str) -> Workshop:
    try:
        return Workshop.objects.select_related("network").get(slug=slug)
    except Workshop.DoesNotExist:
        raise Http404 from None


def workshop_registrations(workshop: Workshop) -> list[Registration]:
    """All registrations with their company (and, for people moved away, the workshop they
    moved to); waitlisted ones carry ``position`` (1-based)."""
    registrations = list(
        Registration.objects.filter(workshop=workshop)
        .select_related("company", "moved_to__workshop")
        .order_by("last_name", "first_name", "pk")
    )
    waitlisted = sorted(
        (r for r in registrations if r.status == Registration.Status.WAITLISTED),
        key=lambda r: r.pk,
    )
    for registration in registrations:
        registration.position = None
    for position, registration in enumerate(waitlisted, start=1):
        registration.position = position
    return registrations


def grouped_by_status(registrations: list[Registration]) -> list[tuple[str, str, list]]:
    """(status, label, rows) in the order the participants page shows them."""
    groups = []
    for status in STATUS_ORDER:
        rows = [r for r in registrations if r.status == status]
        if status == Registration.Status.WAITLISTED:
            rows.sort(key=lambda r: r.position)
        groups.append((status.value, status.label, rows))
    return groups


def checkin_registrations(workshop: Workshop) -> list[Registration]:
    """Confirmed people and those already marked, alphabetically, for the check-in list."""
    return list(
        Registration.objects.filter(
            workshop=workshop,
            status__in=(
                Registration.Status.CONFIRMED,
                Registration.Status.ATTENDED,
                Registration.Status.NO_SHOW,
            ),
        )
        .select_related("company")
        .order_by("last_name", "first_name", "pk")
    )


def signature_sheet_registrations(workshop: Workshop) -> list[Registration]:
    """Everybody holding a seat (confirmed, or already marked at the door)."""
    return checkin_registrations(workshop)


def registration_for_certificate(token: str) -> Registration:
    try:
        return Registration.objects.select_related("workshop", "company").get(cancel_token=token)
    except Registration.DoesNotExist:
        raise Http404 from None


def workshop_by_id(workshop_id: int) -> Workshop | None:
    return Workshop.objects.select_related("network").filter(pk=workshop_id).first()


def _folded(text: str) -> str:
    """Lower case without accents, so that ``mull`` finds ``Müller`` (also in checkin.js)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def search_text(registration: Registration) -> str:
    """What the find field of the check-in list matches: names and company, folded."""
    company = registration.company.name if registration.company_id else registration.company_name
    return _folded(f"{registration.first_name} {registration.last_name} {company or ''}")


def matching_names(registrations: list[Registration], query: str) -> int:
    """Mark each check-in row ``matches`` when its names or company contain every word of
    ``query``; each row gets ``search_text`` for the page's own filter. Returns the matches."""
    words = _folded(query).split()
    shown = 0
    for registration in registrations:
        registration.search_text = search_text(registration)
        registration.matches = all(word in registration.search_text for word in words)
        shown += registration.matches
    return shown


@dataclass
class WorkshopCancelPreview:
    """What cancelling a workshop does now (the service decides again under the lock): the
    people told, each by name and address, confirmed first, then the waitlist in its order."""

    workshop: Workshop
    confirmed: list[Registration] = field(default_factory=list)
    waitlisted: list[Registration] = field(default_factory=list)

    @property
    def effects(self) -> list[str]:
        values = {"title": self.workshop.display_title}
        lines = [
            _(
                "“%(title)s” is marked as cancelled: it leaves the public list of workshops, "
                "its page and its calendar entry say that it does not take place, and nobody "
                "can register any more."
            )
            % values
        ]
        if self.confirmed:
            lines.append(
                ngettext(
                    "%(count)s confirmed registration ends with it.",
                    "%(count)s confirmed registrations end with it.",
                    len(self.confirmed),
                )
                % {"count": len(self.confirmed)}
            )
        if self.waitlisted:
            lines.append(
                ngettext(
                    "%(count)s place on the waitlist ends with it.",
                    "%(count)s places on the waitlist end with it.",
                    len(self.waitlisted),
                )
                % {"count": len(self.waitlisted)}
            )
        if self.confirmed or self.waitlisted:
            lines.append(
                _(
                    "The registrations stay on the participants list with their status, for "
                    "the records; from there you can still move people to another workshop."
                )
            )
        else:
            lines.append(_("Nobody is registered: no registration ends with it."))
        return lines

    @property
    def notified(self) -> list[str]:
        lines = [
            _(
                "%(name)s (confirmed) gets an e-mail at %(email)s that the workshop does not "
                "take place, with a calendar file that removes it from their calendar."
            )
            % {"name": r.full_name, "email": r.email}
            for r in self.confirmed
        ]
        lines += [
            _(
                "%(name)s (number %(position)s on the waitlist) gets an e-mail at %(email)s "
                "that the workshop does not take place."
            )
            % {"name": r.full_name, "email": r.email, "position": position}
            for position, r in enumerate(self.waitlisted, start=1)
        ]
        return lines


def workshop_cancel_preview(workshop: Workshop) -> WorkshopCancelPreview:
    """Everybody a cancellation of the workshop tells (one query)."""
    preview = WorkshopCancelPreview(workshop)
    registrations = Registration.objects.filter(
        workshop=workshop, status__in=NOTIFIED_ON_CANCEL
    ).order_by("pk")
    for registration in registrations:
        if registration.status == Registration.Status.CONFIRMED:
            preview.confirmed.append(registration)
        else:
            preview.waitlisted.append(registration)
    return preview
