"""The pitch day of the demo call: slots, a meeting plan in which nobody is booked twice,
matches; a second run changes nothing."""

import pytest

from challenges.models import Match, Meeting, MeetingSlot
from challenges.pitch import demo

from .factories_pitch import make_call, make_challenge, make_proposal

pytestmark = pytest.mark.django_db


def test_seed_builds_a_meeting_plan_and_runs_once():
    call = make_call("nordhessen-demo", event=False)
    for n in range(6):
        challenge, _owner = make_challenge(call, title=f"Challenge {n}")
        for _ in range(2 if n < 3 else 3):
            make_proposal(challenge, status="submitted")  # 15 proposals, none shortlisted yet
    made = demo.seed(call)
    call.refresh_from_db()
    assert call.pitch_event is not None
    assert made["slots"] == MeetingSlot.objects.filter(call=call).count() == 24
    meetings = Meeting.objects.filter(call=call)
    assert meetings.filter(status="accepted").count() >= 6
    assert meetings.filter(status="requested").exists()
    assert meetings.filter(status="declined").exists()
    booked = meetings.exclude(slot=None)
    assert len(set(booked.values_list("slot_id", flat=True))) == booked.count()
    assert Match.objects.filter(challenge__call=call, status="pilot").count() == 1
    before = (MeetingSlot.objects.count(), Meeting.objects.count(), Match.objects.count())
    assert demo.seed(call) == {"slots": 0, "meetings": 0, "matches": 0}
    assert (MeetingSlot.objects.count(), Meeting.objects.count(), Match.objects.count()) == before
