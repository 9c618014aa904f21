from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from tests.factories import WorkshopFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")


def parse(response):
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events(calendar):
    return [c for c in calendar.walk() if c.name == "VEVENT"]


def test_single_workshop_ics(client):
    start = timezone.make_aware(timezone.datetime(2031, 3, 4, 9, 30), BERLIN)
    workshop = WorkshopFactory(
        title="3D-Druck für Einsteiger",
        description="Vom Modell zum Bauteil.",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        venue="Werkhalle 2, Garbsen",
    )
    response = client.get(reverse("workshops:ics", args=[workshop.slug]))
    [event] = events(parse(response))
    assert str(event["summary"]) == "3D-Druck für Einsteiger"
    assert event.decoded("dtstart") == start
    assert event.decoded("dtstart").astimezone(BERLIN).hour == 9
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(hours=3)
    assert str(event["location"]) == "Werkhalle 2, Garbsen"
    assert "Vom Modell zum Bauteil." in str(event["description"])
    assert str(event["url"]).endswith(workshop.get_absolute_url())
    uid = str(event["uid"])
    # Stable: the same UID on every download.
    [again] = events(parse(client.get(reverse("workshops:ics", args=[workshop.slug]))))
    assert str(again["uid"]) == uid and str(workshop.pk) in uid


def test_online_workshop_ics_has_link(client):
    workshop = WorkshopFactory(format="online", venue="", online_url="https://meet.example.org/x")
    [event] = events(parse(client.get(reverse("workshops:ics", args=[workshop.slug]))))
    assert str(event["location"]) == "https://meet.example.org/x"


def test_draft_ics_404(client):
    workshop = WorkshopFactory(status="draft")
    assert client.get(reverse("workshops:ics", args=[workshop.slug])).status_code == 404


def test_feed_lists_published_upcoming_only(client):
    first = WorkshopFactory(title="Eins")
    second = WorkshopFactory(
        title="Zwei",
        starts_at=timezone.now() + timedelta(days=30),
        ends_at=timezone.now() + timedelta(days=30, hours=2),
    )
    WorkshopFactory(title="Abgesagt", status="cancelled")
    WorkshopFactory(title="Entwurf", status="draft")
    WorkshopFactory(
        title="Vorbei",
        starts_at=timezone.now() - timedelta(days=2),
        ends_at=timezone.now() - timedelta(days=2) + timedelta(hours=1),
    )
    calendar = parse(client.get(reverse("workshops:calendar_feed")))
    summaries = [str(e["summary"]) for e in events(calendar)]
    assert summaries == ["Eins", "Zwei"]
    uids = {str(e["uid"]) for e in events(calendar)}
    assert len(uids) == 2 and all(f"workshop-{w.pk}@" in " ".join(uids) for w in (first, second))
