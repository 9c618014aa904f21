"""One .ics file per pitch-day meeting (RFC 5545, METHOD:PUBLISH), attached to the plan
e-mail like the workshops' confirmation attaches the workshop's file."""

from datetime import UTC

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Event

from regiolab.links import absolute_url
from regiolab.mail import Attachment
from workshops.calendar.services import PUBLISH, event_uid, new_calendar, one_line

from ..models import Meeting


def meeting_uid(meeting: Meeting) -> str:
    return event_uid(f"pitch-meeting-{meeting.pk}")


def meeting_ics(meeting: Meeting, *, other) -> bytes:
    """The meeting with ``other`` (the company met) at its slot's time and table."""
    slot = meeting.slot
    event = meeting.call.pitch_event
    summary = one_line(
        _("Meeting with %(company)s: %(challenge)s")
        % {"company": other.name, "challenge": meeting.challenge.title}
    )
    calendar = new_calendar(summary, PUBLISH)
    vevent = Event()
    vevent.add("uid", meeting_uid(meeting))
    vevent.add("dtstamp", timezone.now().astimezone(UTC))
    vevent.add("dtstart", slot.starts_at.astimezone(UTC))
    vevent.add("dtend", slot.ends_at.astimezone(UTC))
    vevent.add("summary", summary)
    place = [slot.table]
    if event is not None and event.venue:
        place.append(event.venue)
    vevent.add("location", one_line(", ".join(place)))
    if event is not None:
        url = absolute_url(event.get_absolute_url())
        vevent.add("url", url)
        vevent.add("description", f"{one_line(event.title)}\n{url}")
    vevent.add("status", "CONFIRMED")
    calendar.add_component(vevent)
    return calendar.to_ical()


def meeting_attachment(meeting: Meeting, *, other, language: str) -> Attachment:
    with translation.override(language):
        content = meeting_ics(meeting, other=other)
    return Attachment(
        filename=f"meeting-{meeting.pk}.ics",
        content=content,
        mimetype="text/calendar; method=PUBLISH",
    )
