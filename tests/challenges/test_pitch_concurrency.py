"""The meeting plan under real concurrency (threads, each on its own PostgreSQL connection):
50 meeting requests race for 10 slots; the call's row lock and the constraints on Meeting let
exactly 10 through, and the other 40 get the clear refusal."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from challenges.models import Meeting
from challenges.pitch import services
from tests.workshops.test_concurrency import run_at_once

from .factories_pitch import make_call, make_challenge, make_proposal

pytestmark = pytest.mark.django_db(transaction=True)


def test_fifty_requests_race_for_ten_slots():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    call = make_call("wettlauf")
    # 10 challenges × 5 providers shortlisted on each = 50 pairs, each asked for by the owner.
    providers = []
    pairs = []
    for n in range(10):
        challenge, owner = make_challenge(call, title=f"Challenge {n}")
        for p in range(5):
            if n == 0:
                proposal, _user = make_proposal(challenge)
                providers.append(proposal.company)
            else:
                proposal, _user = make_proposal(challenge, company=providers[p])
            pairs.append((proposal, owner))
    start = call.pitch_event.starts_at + timedelta(hours=2)
    services.generate_slots(call=call, start=start, slot_minutes=15, rounds=10, tables=1)

    refusals = []

    def job(proposal, owner):
        def run():
            try:
                services.request_meeting(proposal=proposal, requested_by=owner)
            except ValidationError as exc:
                refusals.append(exc.code)

        return run

    # All 50 at once, each on its own connection (bounded: one try each, no retry loop).
    errors, _seconds = run_at_once([job(*pair) for pair in pairs])

    assert not errors, errors
    meetings = Meeting.objects.filter(call=call)
    assert meetings.count() == 10
    assert len(refusals) == 40
    assert set(refusals) == {"full"}
    assert len(set(meetings.values_list("slot_id", flat=True))) == 10
    for field in ("owner_person_id", "provider_person_id"):
        per_time = set(meetings.values_list("starts_at", field))
        assert len(per_time) == 10  # nobody twice at one time


def test_fifty_requests_for_one_chosen_slot_book_it_once():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    call = make_call("ein-termin")
    challenge, owner = make_challenge(call)
    pairs = [make_proposal(challenge) for _ in range(10)]
    slots = services.generate_slots(
        call=call, start=call.pitch_event.starts_at, slot_minutes=15, rounds=1, tables=2
    )
    refusals = []

    def job(proposal, provider):
        def run():
            try:
                services.request_meeting(proposal=proposal, requested_by=provider, slot=slots[0])
            except ValidationError as exc:
                refusals.append(exc.code)

        return run

    errors, _seconds = run_at_once([job(*pair) for pair in pairs])
    assert not errors, errors
    assert Meeting.objects.filter(call=call).count() == 1
    assert Meeting.objects.get(call=call).slot == slots[0]
    assert sorted(refusals) == ["slot_taken"] * 9
