"""iCalendar export of workshops (one event per workshop, a feed of the upcoming ones)."""

from collections.abc import Iterable
from datetime import UTC
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from .models import Workshop

PRODID = "-//regioLab//Workshops//DE"


def _uid(workshop: Workshop) -> str:
    # Stable per workshop, so calendar apps update the event instead of adding a second one.
    host = urlsplit(settings.SITE_URL).hostname or "regiolab.example"
    return f"workshop-{workshop.pk}@{host}"


def _event(workshop: Workshop) -> Event:
    url = settings.SITE_URL.rstrip("/") + workshop.get_absolute_url()
    event = Event()
    event.add("uid", _uid(workshop))
    event.add("dtstamp", (workshop.updated_at or timezone.now()).astimezone(UTC))
    event.add("dtstart", workshop.starts_at.astimezone(UTC))
    event.add("dtend", workshop.ends_at.astimezone(UTC))
    event.add("summary", workshop.display_title)
    description = workshop.display_description
    if workshop.trainers:
        description = f"{description}\n\n{workshop.trainers}".strip()
    event.add("description", f"{description}\n\n{url}".strip())
    event.add("url", url)
    if workshop.venue:
        event.add("location", workshop.venue)
    elif workshop.online_url:
        event.add("location", workshop.online_url)
    event.add(
        "status", "CANCELLED" if workshop.status == Workshop.Status.CANCELLED else "CONFIRMED"
    )
    return event


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    return calendar


def workshop_ics(workshop: Workshop) -> bytes:
    """One workshop as an .ics file (also attached to the confirmation e-mail)."""
    calendar = _calendar(workshop.display_title)
    calendar.add("method", "PUBLISH")
    calendar.add_component(_event(workshop))
    return calendar.to_ical()


def workshops_feed_ics(workshops: Iterable[Workshop], *, name: str = "regioLab") -> bytes:
    calendar = _calendar(name)
    for workshop in workshops:
        calendar.add_component(_event(workshop))
    return calendar.to_ical()


def ics_filename(workshop: Workshop) -> str:
    return f"{workshop.slug}.ics"


def feed_url() -> str:
    return settings.SITE_URL.rstrip("/") + reverse("workshops:calendar_feed")
