"""Partner feeds: registering a partner's public calendar and importing its upcoming events.

An import is idempotent: an event is known by its UID, and a version with a SEQUENCE lower than
or equal to the stored one changes nothing; a cancellation (STATUS:CANCELLED) is applied like an
update; an event that is no longer in the feed is removed, and an event whose date has passed is
removed too (the portal shows partners' upcoming events only). A failed import (unreachable,
timed out, larger than 5 MB, not iCalendar) is recorded in ``PartnerFeed.last_error`` and leaves
the events of the last good import in place.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from policy.models import PartnerEvent, PartnerFeed

from . import fetching

logger = logging.getLogger(__name__)

MAX_EVENTS = 2000  # per feed and import


# --- registering feeds -----------------------------------------------------------------------


def check_feed_url(url: str) -> None:
    """ValidationError unless the address may be fetched (scheme, public address)."""
    try:
        fetching.check_url(url)
    except fetching.FetchError as exc:
        raise ValidationError(str(exc), code="feed_url") from exc


def save_feed(*, feed: PartnerFeed, user=None) -> PartnerFeed:
    """Create or change a feed after checking its address; nothing saved on a bad one."""
    check_feed_url(feed.url)
    with transaction.atomic():
        if feed.pk is None:
            feed.created_by = user
        feed.full_clean()
        feed.save()
        transaction.on_commit(lambda: _enqueue_import(feed.pk))
    return feed


def _enqueue_import(feed_id: int) -> None:
    from .tasks import import_partner_feed

    try:
        import_partner_feed.delay(feed_id)
    except Exception:  # broker down: the periodic import catches up
        logger.warning("Could not queue the import of partner feed %s", feed_id)


def delete_feed(*, feed: PartnerFeed) -> None:
    with transaction.atomic():
        PartnerFeed.objects.filter(pk=feed.pk).delete()


# --- parsing ---------------------------------------------------------------------------------


@dataclass
class ParsedEvent:
    uid: str
    sequence: int
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime | None
    location: str
    url: str
    status: str


class NotICalendar(ValueError):
    pass


def _as_datetime(value) -> datetime | None:
    if value is None:
        return None
    value = getattr(value, "dt", value)
    if isinstance(value, datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value
    if isinstance(value, date):
        return timezone.make_aware(datetime.combine(value, time.min))
    return None


def _text(component, name: str, limit: int | None = None) -> str:
    value = component.get(name)
    if value is None:
        return ""
    text = " ".join(str(value).split()) if limit else str(value).strip()
    return text[:limit] if limit else text


def parse_calendar(data: bytes) -> list[ParsedEvent]:
    """The VEVENTs of an iCalendar text; NotICalendar if it is none."""
    import icalendar

    if not data.lstrip(b"\xef\xbb\xbf \r\n\t").upper().startswith(b"BEGIN:VCALENDAR"):
        raise NotICalendar(_("The address does not serve an iCalendar (.ics) calendar."))
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except Exception as exc:  # noqa: BLE001 — the library raises various errors on bad input
        raise NotICalendar(
            _("The calendar could not be read: %(error)s") % {"error": str(exc)[:200]}
        ) from exc
    events: dict[str, ParsedEvent] = {}
    for component in calendar.walk("VEVENT"):
        if component.get("RECURRENCE-ID") is not None:
            continue  # a changed occurrence of a series: the series' own entry counts
        uid = _text(component, "UID", 255)
        try:
            starts_at = _as_datetime(component.get("DTSTART"))
            ends_at = _as_datetime(component.get("DTEND"))
            sequence = int(str(component.get("SEQUENCE", 0)) or 0)
        except (ValueError, TypeError, OverflowError):
            continue
        if not uid or starts_at is None:
            continue
        status = _text(component, "STATUS").upper()
        url = _text(component, "URL", 500)
        if not url.lower().startswith(("http://", "https://")):
            url = ""
        events[uid] = ParsedEvent(
            uid=uid,
            sequence=max(sequence, 0),
            title=_text(component, "SUMMARY", 300) or _("(untitled)"),
            description=_text(component, "DESCRIPTION")[:5000],
            starts_at=starts_at,
            ends_at=ends_at if ends_at and ends_at >= starts_at else None,
            location=_text(component, "LOCATION", 300),
            url=url,
            status={
                "CANCELLED": PartnerEvent.Status.CANCELLED,
                "TENTATIVE": PartnerEvent.Status.TENTATIVE,
            }.get(status, PartnerEvent.Status.CONFIRMED),
        )
        if len(events) > MAX_EVENTS:
            raise NotICalendar(_("The calendar holds more than %(n)s events.") % {"n": MAX_EVENTS})
    return list(events.values())


# --- importing -------------------------------------------------------------------------------


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    error: str = ""


def _event_end(event) -> datetime:
    return event.ends_at or event.starts_at


def import_feed(*, feed_id: int, now: datetime | None = None) -> ImportResult:
    """Fetch the feed and apply it; on failure record the error and keep the events."""
    now = now or timezone.now()
    feed = PartnerFeed.objects.get(pk=feed_id)
    try:
        data = fetching.fetch(feed.url)
        parsed = parse_calendar(data)
    except (fetching.FetchError, NotICalendar) as exc:
        PartnerFeed.objects.filter(pk=feed_id).update(last_import_at=now, last_error=str(exc))
        return ImportResult(error=str(exc))
    return apply_events(feed_id=feed_id, parsed=parsed, now=now)


def apply_events(*, feed_id: int, parsed: list[ParsedEvent], now: datetime) -> ImportResult:
    """Write a parsed feed: upcoming events by UID and SEQUENCE, the rest removed."""
    result = ImportResult()
    upcoming = {event.uid: event for event in parsed if _event_end(event) >= now}
    with transaction.atomic():
        # One import of a feed at a time: the second waits and then sees the first's rows.
        PartnerFeed.objects.select_for_update().filter(pk=feed_id).first()
        stored = {event.uid: event for event in PartnerEvent.objects.filter(feed_id=feed_id)}
        gone = [
            event.pk
            for uid, event in stored.items()
            if uid not in upcoming or _event_end(event) < now
        ]
        stored = {uid: event for uid, event in stored.items() if event.pk not in set(gone)}
        if gone:
            result.removed = PartnerEvent.objects.filter(pk__in=gone).delete()[0]
        new, changed = [], []
        fields = [
            "sequence",
            "title",
            "description",
            "starts_at",
            "ends_at",
            "location",
            "url",
            "status",
        ]
        for uid, event in upcoming.items():
            row = stored.get(uid)
            if row is None:
                new.append(PartnerEvent(feed_id=feed_id, **vars(event)))
            elif event.sequence > row.sequence:
                for field in fields:
                    setattr(row, field, getattr(event, field))
                row.imported_at = now
                changed.append(row)
            else:
                result.unchanged += 1
        PartnerEvent.objects.bulk_create(new, batch_size=500)
        if changed:
            PartnerEvent.objects.bulk_update(changed, [*fields, "imported_at"], batch_size=500)
        result.created, result.updated = len(new), len(changed)
        PartnerFeed.objects.filter(pk=feed_id).update(
            last_import_at=now, last_success_at=now, last_error=""
        )
    return result


def import_active_feeds() -> list[int]:
    """The ids of the active feeds (the periodic task imports each on its own)."""
    return list(PartnerFeed.objects.filter(active=True).values_list("pk", flat=True))
