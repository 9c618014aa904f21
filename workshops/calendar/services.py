"""iCalendar export of workshops (RFC 5545) and the scheduling messages of RFC 5546 (iTIP).

One event per workshop with a stable UID. ``SEQUENCE`` is the workshop's ``sequence``, which
the lifecycle services raise with every change of time, place or status; ``DTSTAMP`` is when the
file was made and ``LAST-MODIFIED`` the workshop's last change. The files e-mailed to a person
carry a METHOD: ``PUBLISH`` with the confirmation, ``REQUEST`` when time or place change and
``CANCEL`` when the workshop or the person's registration is cancelled; REQUEST and CANCEL name
the office as ORGANIZER and the person as ATTENDEE, as RFC 5546 requires.
"""

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext
from icalendar import Calendar, Conference, Event, Timezone, vCalAddress

from regiolab.links import absolute_url
from regiolab.mail import Attachment, office_address, queue_email

from ..models import Registration, Workshop

PRODID = "-//regioLab//Workshops//DE"
PUBLISH, REQUEST, CANCEL = "PUBLISH", "REQUEST", "CANCEL"
# RFC 5545 TEXT allows no control characters but the tab (a line break is written as "\n");
# icalendar escapes ";", "," and "\n" but passes the others through. The form validators keep
# them out of new rows; older rows are cleaned here.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]+")
_LINE_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def event_uid(key: str) -> str:
    """``key`` at the site's host. Stable per event, so calendar apps update the event instead
    of adding a second one."""
    host = urlsplit(settings.SITE_URL).hostname or "regiolab.example"
    return f"{key}@{host}"


def _uid(workshop: Workshop) -> str:
    return event_uid(f"workshop-{workshop.pk}")


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def one_line(value: str) -> str:
    """One-line text (SUMMARY, LOCATION): control characters and line breaks become spaces."""
    return " ".join(_LINE_BREAKS.sub(" ", value).split())


def _text(value: str) -> str:
    """Multi-line text (DESCRIPTION): line breaks kept as "\n", other control characters go."""
    return _CONTROL.sub(" ", value.replace("\r\n", "\n").replace("\r", "\n")).strip()


def _organizer() -> vCalAddress:
    organizer = vCalAddress(f"mailto:{office_address()}")
    organizer.params["cn"] = "regioLab"
    return organizer


def _attendee(registration: Registration, method: str) -> vCalAddress:
    attendee = vCalAddress(f"mailto:{registration.email}")
    if registration.full_name:
        attendee.params["cn"] = one_line(registration.full_name.replace('"', " "))
    attendee.params["role"] = "REQ-PARTICIPANT"
    attendee.params["cutype"] = "INDIVIDUAL"
    if method == REQUEST:
        # Registered means accepted; there is nothing to answer (a reply would go to the office).
        attendee.params["partstat"] = "ACCEPTED"
        attendee.params["rsvp"] = "FALSE"
    return attendee


def _description(workshop: Workshop, url: str | None) -> str:
    parts = [_text(workshop.display_description), one_line(workshop.trainers)]
    if workshop.online_url and workshop.format != Workshop.Format.ON_SITE:
        # Calendar programs that know no CONFERENCE show the link here.
        parts.insert(0, f"{gettext('Online link')}: {workshop.online_url}")
    if url:
        parts.append(url)
    return "\n\n".join(part for part in parts if part)


def _event(
    workshop: Workshop,
    *,
    now: datetime,
    method: str | None = None,
    attendee: Registration | None = None,
) -> Event:
    cancelled = method == CANCEL or workshop.status == Workshop.Status.CANCELLED
    # Also when cancelled: the page says so (workshops.selectors.workshop_visible_to).
    url = absolute_url(workshop.get_absolute_url())
    event = Event()
    event.add("uid", _uid(workshop))
    event.add("sequence", workshop.sequence)
    event.add("dtstamp", _utc(now))
    if workshop.created_at:
        event.add("created", _utc(workshop.created_at))
    if workshop.updated_at:
        event.add("last-modified", _utc(workshop.updated_at))
    event.add("dtstart", _utc(workshop.starts_at))
    event.add("dtend", _utc(workshop.ends_at))
    event.add("summary", one_line(workshop.display_title))
    description = _description(workshop, url)
    if description:
        event.add("description", description)
    if url:
        event.add("url", url)
    if workshop.format == Workshop.Format.ONLINE and workshop.online_url:
        event.add("location", workshop.online_url)
    elif workshop.venue:
        event.add("location", one_line(workshop.venue))
    if workshop.online_url and workshop.format != Workshop.Format.ON_SITE:
        event.conferences = [
            Conference(workshop.online_url, feature="VIDEO", label=gettext("Online link"))
        ]
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if method:
        event.add("organizer", _organizer())
    if attendee is not None:
        event.add("attendee", _attendee(attendee, method))
    return event


def new_calendar(name: str, method: str | None = None) -> Calendar:
    """An empty VCALENDAR with the portal's headers; the events are added by the caller."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    calendar.add("x-wr-calname", one_line(name))
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    return calendar


def workshop_ics(
    workshop: Workshop,
    *,
    method: str = PUBLISH,
    attendee: Registration | None = None,
    now: datetime | None = None,
) -> bytes:
    """One workshop as an .ics file: the download and the confirmation's attachment
    (``PUBLISH``), or a scheduling message to one ``attendee`` (``REQUEST``, ``CANCEL``)."""
    if method != PUBLISH and attendee is None:
        raise ValueError(f"METHOD:{method} needs the attendee it is sent to (RFC 5546).")
    calendar = new_calendar(workshop.display_title, method)
    calendar.add_component(
        _event(workshop, now=now or timezone.now(), method=method, attendee=attendee)
    )
    return calendar.to_ical()


def ics_attachment(
    workshop: Workshop, *, method: str = PUBLISH, attendee: Registration | None = None
) -> Attachment:
    """The .ics as an e-mail attachment; its MIME type names the method (RFC 6047), and the
    outbox adds ``charset=utf-8``."""
    return Attachment(
        filename=ics_filename(workshop),
        content=workshop_ics(workshop, method=method, attendee=attendee),
        mimetype=f"text/calendar; method={method}",
    )


def workshops_feed_ics(workshops: Iterable[Workshop], *, name: str = "regioLab") -> bytes:
    now = timezone.now()
    calendar = new_calendar(name)
    # RFC 5545 wants at least one component, also in a feed with no workshop yet; the zone
    # X-WR-TIMEZONE names is the one that is always true.
    calendar.add_component(Timezone.from_tzid(settings.TIME_ZONE))
    for workshop in workshops:
        calendar.add_component(_event(workshop, now=now))
    return calendar.to_ical()


def ics_filename(workshop: Workshop) -> str:
    return f"{workshop.slug}.ics"


def queue_calendar_email(
    *,
    registration: Registration,
    workshop: Workshop,
    template: str,
    context: dict,
    method: str | None,
) -> None:
    """Queue ``template`` to the person in their language, with the .ics for ``method``
    (REQUEST or CANCEL, made out to them) attached; ``method=None`` attaches nothing."""
    language = registration.language or settings.LANGUAGE_CODE
    attachments = []
    if method:
        # Title, description and labels of the file in the e-mail's language.
        with translation.override(language):
            attachments.append(ics_attachment(workshop, method=method, attendee=registration))
    queue_email(
        to=registration.email,
        template=template,
        context={
            "registration": registration,
            "workshop": workshop,
            "workshop_url": absolute_url(workshop.get_absolute_url()),
            "calendar_attached": bool(attachments),
            **context,
        },
        language=language,
        attachments=attachments,
    )
