"""The pitch day's slots and meeting requests: who may ask whom, a chosen slot or any free
slot, the other side's answer, and the refusals that change nothing."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from challenges.models import Meeting, MeetingSlot
from challenges.pitch import services
from tests.support.html_tree import parse

from .factories_pitch import make_call, make_challenge, make_proposal, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def day():
    call = make_call()
    challenge, owner = make_challenge(call)
    proposal, provider = make_proposal(challenge)
    other_proposal, other_provider = make_proposal(challenge)
    start = call.pitch_event.starts_at + timedelta(hours=1)
    slots = services.generate_slots(call=call, start=start, slot_minutes=15, rounds=2, tables=2)
    return {
        "call": call,
        "challenge": challenge,
        "owner": owner,
        "proposal": proposal,
        "provider": provider,
        "other_proposal": other_proposal,
        "other_provider": other_provider,
        "slots": slots,
    }


def test_generate_slots_lays_out_rounds_times_tables(day):
    slots = MeetingSlot.objects.filter(call=day["call"]).order_by("starts_at", "table")
    assert slots.count() == 4
    times = sorted({s.starts_at for s in slots})
    assert times[1] - times[0] == timedelta(minutes=15)
    assert {s.table for s in slots} == {"Tisch 1", "Tisch 2"}


def test_overlapping_slots_are_refused_and_nothing_is_created(day):
    with pytest.raises(ValidationError, match="überschneiden"):
        services.generate_slots(
            call=day["call"], start=day["slots"][0].starts_at, slot_minutes=10, rounds=3, tables=1
        )
    assert MeetingSlot.objects.filter(call=day["call"]).count() == 4


def test_slots_need_a_pitch_event():
    call = make_call("ohne-event", event=False)
    with pytest.raises(ValidationError):
        services.generate_slots(
            call=call, start=timezone.now(), slot_minutes=15, rounds=2, tables=2
        )
    assert not MeetingSlot.objects.exists()


def test_provider_asks_owner_for_any_free_slot_and_owner_accepts(day):
    meeting = services.request_meeting(proposal=day["proposal"], requested_by=day["provider"])
    assert meeting.status == "requested"
    assert meeting.slot == day["slots"][0]
    assert (meeting.owner_person, meeting.provider_person) == (day["owner"], day["provider"])
    with pytest.raises(ValidationError, match="andere Seite"):
        services.answer_meeting(meeting=meeting, user=day["provider"], accept=True)
    meeting = services.answer_meeting(meeting=meeting, user=day["owner"], accept=True)
    assert meeting.status == "accepted"
    with pytest.raises(ValidationError, match="bereits beantwortet"):
        services.answer_meeting(meeting=meeting, user=day["owner"], accept=False)


def test_a_taken_slot_gets_a_clear_message_and_changes_nothing(day):
    slot = day["slots"][1]
    services.request_meeting(proposal=day["proposal"], requested_by=day["provider"], slot=slot)
    before = list(Meeting.objects.values_list("pk", "slot_id", "status"))
    with pytest.raises(ValidationError, match="gerade vergeben"):
        services.request_meeting(
            proposal=day["other_proposal"], requested_by=day["other_provider"], slot=slot
        )
    assert list(Meeting.objects.values_list("pk", "slot_id", "status")) == before


def test_no_person_twice_at_one_time(day):
    # The owner meets the first provider in round 1 (table 1); table 2 of round 1 is free,
    # but "any free slot" for the second provider skips the owner's busy time.
    first = services.request_meeting(proposal=day["proposal"], requested_by=day["owner"])
    second = services.request_meeting(proposal=day["other_proposal"], requested_by=day["owner"])
    assert first.starts_at != second.starts_at
    third_proposal, _provider = make_proposal(day["challenge"])
    with pytest.raises(ValidationError, match="kein freier Termin"):
        services.request_meeting(proposal=third_proposal, requested_by=day["owner"])
    # A chosen slot at a busy time is refused too.
    busy_free_slot = MeetingSlot.objects.filter(
        call=day["call"], starts_at=first.starts_at, meetings__isnull=True
    ).first()
    with pytest.raises(ValidationError, match="bereits einen Termin"):
        services.request_meeting(
            proposal=third_proposal, requested_by=day["owner"], slot=busy_free_slot
        )
    assert Meeting.objects.count() == 2


def test_one_request_per_pair_and_decline_frees_the_slot(day):
    meeting = services.request_meeting(proposal=day["proposal"], requested_by=day["owner"])
    with pytest.raises(ValidationError, match="bereits angefragt"):
        services.request_meeting(proposal=day["proposal"], requested_by=day["provider"])
    services.answer_meeting(meeting=meeting, user=day["provider"], accept=False)
    meeting.refresh_from_db()
    assert (meeting.status, meeting.slot, meeting.starts_at) == ("declined", None, None)
    again = services.request_meeting(proposal=day["proposal"], requested_by=day["provider"])
    assert again.pk == meeting.pk and again.status == "requested"


def test_outsiders_cannot_ask_and_not_shortlisted_cannot_meet(day):
    stranger, _company = member()
    with pytest.raises(ValidationError, match="eigene"):
        services.request_meeting(proposal=day["proposal"], requested_by=stranger)
    submitted, provider = make_proposal(day["challenge"], status="submitted")
    with pytest.raises(ValidationError, match="Auswahlliste"):
        services.request_meeting(proposal=submitted, requested_by=provider)
    assert not Meeting.objects.exists()


def test_page_request_and_answer_through_the_views(day, client):
    client.force_login(day["provider"])
    url = f"/challenges/{day['call'].slug}/pitch-day/"
    page = parse(client.get(url).content)
    assert page.select_one("h1").get_text(strip=True).startswith("Pitch-Tag")
    assert "Digitale Qualitätsprüfung" in page.select_one("table.pitch-agenda").get_text()
    response = client.post(url + "meetings/", {"proposal": day["proposal"].pk, "slot": ""})
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    # The same slot again, for the other provider: the form shows the clear message.
    client.force_login(day["other_provider"])
    response = client.post(
        url + "meetings/", {"proposal": day["other_proposal"].pk, "slot": meeting.slot_id}
    )
    assert response.status_code == 200
    assert "gerade vergeben" in response.content.decode()
    assert Meeting.objects.count() == 1
    # The other provider cannot answer somebody else's meeting: 404.
    response = client.post(url + f"meetings/{meeting.pk}/answer/", {"answer": "accept"})
    assert response.status_code == 404
    client.force_login(day["owner"])
    response = client.post(url + f"meetings/{meeting.pk}/answer/", {"answer": "accept"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == "accepted"


def test_coordinator_sees_the_plan_and_lays_out_slots(day, coordinator_client):
    url = f"/challenges/{day['call'].slug}/pitch-day/"
    services.request_meeting(proposal=day["proposal"], requested_by=day["provider"])
    page = parse(coordinator_client.get(url).content)
    plan = page.select_one("table.meeting-plan")
    assert len(plan.select("tbody tr")) == 2
    assert day["proposal"].company.name in plan.get_text()
    start = (day["slots"][-1].ends_at + timedelta(hours=1)).astimezone(
        timezone.get_current_timezone()
    )
    response = coordinator_client.post(
        url + "slots/",
        {"start": start.strftime("%Y-%m-%dT%H:%M"), "slot_minutes": 20, "rounds": 3, "tables": 4},
    )
    assert response.status_code == 302
    assert MeetingSlot.objects.filter(call=day["call"]).count() == 4 + 12
    # Bad input: a message and nothing new.
    response = coordinator_client.post(
        url + "slots/",
        {"start": start.strftime("%Y-%m-%dT%H:%M"), "slot_minutes": 20, "rounds": 3, "tables": 4},
    )
    assert response.status_code == 200
    assert MeetingSlot.objects.filter(call=day["call"]).count() == 16


def test_plan_queries_do_not_grow_with_meetings(day, coordinator_client, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = f"/challenges/{day['call'].slug}/pitch-day/"
    with CaptureQueriesContext(connection) as few:
        coordinator_client.get(url)
    for n in range(3):
        challenge, owner = make_challenge(day["call"], title=f"Weitere {n}")
        proposal, _p = make_proposal(challenge)
        services.request_meeting(proposal=proposal, requested_by=owner)
    with django_assert_num_queries(len(few.captured_queries)):
        coordinator_client.get(url)


def test_participant_page_queries_do_not_grow_and_show_only_own_meetings(
    day, client, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = f"/challenges/{day['call'].slug}/pitch-day/"
    services.request_meeting(proposal=day["proposal"], requested_by=day["owner"])
    client.force_login(day["owner"])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    stranger_challenge, stranger = make_challenge(day["call"], title="Fremde Challenge")
    stranger_proposal, _provider = make_proposal(stranger_challenge)
    services.request_meeting(proposal=stranger_proposal, requested_by=stranger)
    services.request_meeting(proposal=day["other_proposal"], requested_by=day["owner"])
    with django_assert_num_queries(len(few.captured_queries)):
        page = parse(client.get(url).content)
    rows = page.select("table.my-meetings tbody tr")
    assert len(rows) == 2
    assert stranger_proposal.company.name not in page.select_one("main").get_text()
    # The request form offers the owner's shortlisted providers, not the other challenge's.
    options = [o.get_text() for o in page.select("select[name=proposal] option")]
    assert any(day["proposal"].company.name in o for o in options)
    assert not any(stranger_proposal.company.name in o for o in options)


def test_funder_and_outsider_get_403_and_anonymous_the_login(day, client):
    from tests.factories import UserFactory

    url = f"/challenges/{day['call'].slug}/pitch-day/"
    assert client.get(url).status_code == 302
    stranger, _company = member()
    client.force_login(stranger)
    assert client.get(url).status_code == 403
    client.force_login(UserFactory())
    assert client.post(url + "meetings/", {"proposal": day["proposal"].pk}).status_code == 403
    assert not Meeting.objects.exists()


def test_only_the_asked_side_sees_the_answer_buttons(day, client):
    url = f"/challenges/{day['call'].slug}/pitch-day/"
    services.request_meeting(proposal=day["proposal"], requested_by=day["provider"])
    colleague, _company = member(day["proposal"].company)
    for user, buttons in ((day["provider"], 0), (colleague, 0), (day["owner"], 2)):
        client.force_login(user)
        page = parse(client.get(url).content)
        assert len(page.select("table.my-meetings button[name=answer]")) == buttons


def test_agenda_one_pitch_per_published_challenge_then_the_meetings(day):
    from challenges.pitch import selectors

    make_challenge(day["call"], title="Anlagen vernetzen")
    draft, _owner = make_challenge(day["call"], title="Entwurf")
    draft.status = "draft"
    draft.save()
    challenges = selectors.published_challenges(day["call"])
    agenda = selectors.agenda(day["call"], challenges)
    start = day["call"].pitch_event.starts_at
    assert [item.challenge.title for item in agenda] == [
        "Anlagen vernetzen",
        "Digitale Qualitätsprüfung",
    ]
    assert [item.starts_at - start for item in agenda] == [timedelta(0), timedelta(minutes=10)]
    assert selectors.meetings_start(day["call"], challenges) == start + timedelta(minutes=20)


def test_an_answer_without_accept_or_decline_changes_nothing(day, client):
    meeting = services.request_meeting(proposal=day["proposal"], requested_by=day["provider"])
    client.force_login(day["owner"])
    url = f"/challenges/{day['call'].slug}/pitch-day/meetings/{meeting.pk}/answer/"
    response = client.post(url, {"answer": "vielleicht"}, follow=True)
    assert "nehmen Sie die Anfrage an oder lehnen" in response.content.decode()
    meeting.refresh_from_db()
    assert (meeting.status, meeting.slot_id) == ("requested", day["slots"][0].pk)
