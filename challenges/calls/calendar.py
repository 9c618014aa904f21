"""The call's deadlines as an iCalendar file (RFC 5545): one all-day event per phase start
and the proposals deadline as a timed event."""

from datetime import UTC, datetime, timedelta

from django.utils.translation import gettext as _
from icalendar import Event

from regiolab.links import absolute_url
from workshops.calendar.services import event_uid, new_calendar, one_line

from ..models import Call


def _uid(call: Call, key: str) -> str:
    return event_uid(f"call-{call.pk}-{key}")


def _day_event(call: Call, key: str, summary: str, day, stamp, url: str) -> Event:
    event = Event()
    event.add("uid", _uid(call, key))
    event.add("dtstamp", stamp)
    event.add("summary", summary)
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("url", url)
    return event


def call_ics(call: Call) -> bytes:
    stamp = datetime.now(UTC)
    url = absolute_url(call.get_absolute_url())
    title = one_line(call.title)
    calendar = new_calendar(title)
    days = [
        ("collecting", _("%(call)s: challenges collected from"), call.collecting_from),
        ("published", _("%(call)s: challenges published"), call.published_from),
        ("proposals", _("%(call)s: proposals open"), call.proposals_from),
        ("review-end", _("%(call)s: end of the review"), call.review_until),
        ("follow-up", _("%(call)s: follow-up begins"), call.follow_up_from),
    ]
    for key, summary, day in days:
        calendar.add_component(_day_event(call, key, summary % {"call": title}, day, stamp, url))
    deadline = Event()
    deadline.add("uid", _uid(call, "deadline"))
    deadline.add("dtstamp", stamp)
    deadline.add("summary", _("%(call)s: proposals deadline") % {"call": title})
    end = call.proposals_until.astimezone(UTC)
    deadline.add("dtstart", end)
    deadline.add("dtend", end)
    deadline.add("url", url)
    calendar.add_component(deadline)
    pitch = call.pitch_event
    if pitch is not None and pitch.status != "cancelled":
        event = Event()
        event.add("uid", _uid(call, "pitch-day"))
        event.add("dtstamp", stamp)
        event.add("summary", _("%(call)s: pitch day") % {"call": title})
        event.add("dtstart", pitch.starts_at.astimezone(UTC))
        event.add("dtend", pitch.ends_at.astimezone(UTC))
        event.add("url", url)
        calendar.add_component(event)
    return calendar.to_ical()


def ics_filename(call: Call) -> str:
    return f"{call.slug}.ics"
