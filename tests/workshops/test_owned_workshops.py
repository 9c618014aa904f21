"""The workshops other apps own are ordinary workshops: a call's pitch event (challenges) and a
stakeholder group's meeting (policy) are published, take registrations, send the reminder a day
ahead once, give an .ics a second implementation reads, check people in at the door and name
them on the signature sheet, as any workshop (tests/learning/test_workshop_tools.py shows the
same for a learning cycle's workshop)."""

from datetime import datetime, time, timedelta
from email import message_from_bytes, policy
from io import BytesIO

import icalendar
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from challenges.calls.services import save_call
from challenges.models import Call
from policy.groups import services as groups
from regiolab.mail import deliver_new
from tests.policy.groups_support import make_group
from workshops.lifecycle import services as lifecycle
from workshops.models import Invitation, Registration, Workshop
from workshops.services import register_participant

pytestmark = pytest.mark.django_db

PERSON = "erika@alpha.example"


def _mails_to(address):
    deliver_new()
    parsed = [
        message_from_bytes(m.message().as_bytes(), policy=policy.default) for m in mail.outbox
    ]
    return [m for m in parsed if m["To"] == address]


def pitch_event(coordinator) -> Workshop:
    """The pitch event save_call lays out for a new call (a draft workshop of the call)."""
    today = timezone.localdate()
    call = save_call(
        call=Call(
            title="Innovationsaufruf Metall",
            slug="metall",
            description="Unternehmen der Region suchen Lösungen.",
            collecting_from=today - timedelta(days=20),
            published_from=today - timedelta(days=10),
            proposals_from=today - timedelta(days=5),
            proposals_until=timezone.make_aware(
                datetime.combine(today + timedelta(days=10), time(23, 59))
            ),
            review_until=today + timedelta(days=20),
            follow_up_from=today + timedelta(days=40),
        ),
        user=coordinator,
    )
    workshop = Workshop.objects.get(pk=call.pitch_event_id)
    assert workshop.status == Workshop.Status.DRAFT
    return workshop


def group_meeting(coordinator) -> Workshop:
    """A stakeholder group's meeting; publishing it invites the members."""
    group = make_group(members=2, people=1)
    start = (timezone.now() + timedelta(days=14)).replace(second=0, microsecond=0)
    meeting = groups.schedule_meeting(
        group=group,
        title="Sitzung der Stakeholdergruppe",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        venue="Rathaus Kassel",
        capacity=20,
        by=coordinator,
    )
    return Workshop.objects.get(pk=meeting.workshop_id)


@pytest.mark.parametrize("owned", [pitch_event, group_meeting], ids=lambda f: f.__name__)
def test_an_owned_workshop_works_as_any_workshop(owned, coordinator, coordinator_client):
    workshop = owned(coordinator)
    workshop = lifecycle.publish_workshop(workshop=workshop, by=coordinator)
    assert workshop.status == Workshop.Status.PUBLISHED
    if owned is group_meeting:
        assert Invitation.objects.filter(workshop=workshop).count() == 2  # one per member

    registration = register_participant(
        workshop=workshop, first_name="Erika", last_name="Muster", email=PERSON
    )
    assert registration.status == Registration.Status.CONFIRMED

    # The reminder a day ahead, once.
    lifecycle.send_due_reminders(now=workshop.starts_at - timedelta(hours=23))
    lifecycle.send_due_reminders(now=workshop.starts_at - timedelta(hours=22))
    assert len(_mails_to(PERSON)) == 2  # the confirmation and one reminder

    # The calendar file, read by a second implementation.
    ics = coordinator_client.get(reverse("workshops:ics", args=[workshop.slug]))
    [event] = icalendar.Calendar.from_ical(ics.content).walk("VEVENT")
    assert str(event["SUMMARY"]) == workshop.title
    assert event.decoded("DTSTART") == workshop.starts_at

    # On the day: check-in at the door and the signature sheet naming the person.
    now = timezone.now()
    Workshop.objects.filter(pk=workshop.pk).update(
        starts_at=now - timedelta(minutes=30), ends_at=now + timedelta(hours=2)
    )
    workshop.refresh_from_db()
    checked = lifecycle.check_in(workshop=workshop, registration_id=registration.pk, by=coordinator)
    assert checked.status == Registration.Status.ATTENDED
    sheet = coordinator_client.get(reverse("workshops:signature_sheet", args=[workshop.slug]))
    assert sheet["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(sheet.content)).pages)
    assert "Muster" in text
