"""Calls: the coordinators' call form (criteria formset, the pitch event as a draft workshop),
the list, the call's public page (published summaries only, phases, deadlines) with a query
count that does not grow with the challenges, and the call's deadlines as .ics."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from challenges.calls import services
from challenges.models import Call, Challenge, Phase
from tests.challenges.support import make_call, make_challenge, owner_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _call_payload(**extra):
    today = timezone.localdate()
    data = {
        "title": "Open Innovation Nordhessen 2027",
        "slug": "",
        "description": "Herausforderungen aus dem Mittelstand.",
        "organiser": "Regionalmanagement",
        "collecting_from": today.isoformat(),
        "published_from": (today + timedelta(days=10)).isoformat(),
        "proposals_from": (today + timedelta(days=12)).isoformat(),
        "proposals_until": f"{(today + timedelta(days=40)).isoformat()}T18:00",
        "review_until": (today + timedelta(days=60)).isoformat(),
        "follow_up_from": (today + timedelta(days=90)).isoformat(),
        "confidentiality_terms": "Alle Angaben vertraulich behandeln.",
        "terms_version": "1",
        "anonymous_review": "on",
        "pitch_day": (today + timedelta(days=70)).isoformat(),
        "criteria-TOTAL_FORMS": "2",
        "criteria-INITIAL_FORMS": "0",
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "20",
        "criteria-0-name": "Innovationsgrad",
        "criteria-0-weight": "3",
        "criteria-1-name": "Umsetzbarkeit",
        "criteria-1-weight": "1",
    }
    data.update(extra)
    return data


def test_coordinator_creates_call_with_criteria_and_draft_pitch_event(coordinator_client):
    response = coordinator_client.post(reverse("challenges:call_create"), _call_payload())
    call = Call.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/challenges/{call.slug}/"
    assert call.slug == "open-innovation-nordhessen-2027"
    assert [(c.name, c.weight) for c in call.criteria.all()] == [
        ("Innovationsgrad", 3),
        ("Umsetzbarkeit", 1),
    ]
    pitch = call.pitch_event
    assert pitch.status == "draft"
    assert timezone.localtime(pitch.starts_at).date() == timezone.localdate() + timedelta(days=70)
    assert call.phase() == Phase.COLLECTING


def test_call_with_phases_out_of_order_is_refused_and_nothing_saved(coordinator_client):
    today = timezone.localdate()
    payload = _call_payload(published_from=(today - timedelta(days=3)).isoformat())
    response = coordinator_client.post(reverse("challenges:call_create"), payload)
    assert response.status_code == 200
    assert Call.objects.count() == 0
    assert response.context["form"].errors or response.context["form"].non_field_errors()


def test_coordinator_edits_call_criteria(coordinator_client):
    call = make_call()
    criterion = call.criteria.get()
    payload = _call_payload(
        title=call.title,
        slug=call.slug,
        **{
            "criteria-TOTAL_FORMS": "1",
            "criteria-INITIAL_FORMS": "1",
            "criteria-0-id": str(criterion.pk),
            "criteria-0-call": str(call.pk),
            "criteria-0-name": "Machbarkeit",
            "criteria-0-weight": "5",
        },
    )
    response = coordinator_client.post(reverse("challenges:call_edit", args=[call.slug]), payload)
    assert response.status_code == 302, response.context["form"].errors
    criterion.refresh_from_db()
    assert criterion.weight == 5


def test_phase_is_derived_from_dates():
    call = make_call(phase="proposals")
    today = timezone.localdate()
    assert call.phase(today) == Phase.PROPOSALS
    assert call.phase(call.published_from) == Phase.PUBLISHED
    assert call.phase(call.collecting_from) == Phase.COLLECTING
    assert call.phase(call.review_until) == Phase.REVIEW
    assert call.phase(call.review_until + timedelta(days=1)) == Phase.PITCH_DAY
    assert call.phase(call.follow_up_from) == Phase.FOLLOW_UP


def test_public_page_lists_published_summaries_only(client):
    call = make_call()
    make_challenge(call, title="Öffentliche Aufgabe", public_summary="Kurzfassung A")
    make_challenge(call, title="Entwurf", status=Challenge.Status.DRAFT)
    response = client.get(reverse("challenges:call", args=[call.slug]))
    html = response.content.decode()
    assert "Öffentliche Aufgabe" in html and "Kurzfassung A" in html
    assert "Entwurf" not in html
    assert "GEHEIM" not in html  # the confidential text never on the public page
    assert 'aria-current="step"' in html


def test_public_page_says_how_to_take_part_with_the_deadline(client):
    call = make_call()
    html = client.get(call.get_absolute_url()).content.decode()
    take_part = html[html.index('id="take-part-heading"') :].split("</section>")[0]
    assert "So nehmen Sie teil" in take_part
    assert take_part.count("<li>") == 3  # describe, propose, review and pitch
    assert f'/accounts/login/?next=/challenges/{call.slug}/"' in take_part
    deadline = services.phases(call)[2]["until"]
    assert deadline and deadline in html
    assert reverse("challenges:call_ics", args=[call.slug]) in html


def test_list_shows_new_call_button_to_coordinators_only(coordinator_client):
    make_call(title="Aufruf Kassel")
    public = Client().get(reverse("challenges:calls")).content.decode()
    assert "Aufruf Kassel" in public
    assert reverse("challenges:call_create") not in public
    assert (
        reverse("challenges:call_create")
        in coordinator_client.get(reverse("challenges:calls")).content.decode()
    )


def test_rep_sees_own_drafts_on_call_page_others_do_not(client):
    call = make_call(phase="collecting")
    user, company = owner_of()
    make_challenge(call, company, title="Unser Entwurf", status=Challenge.Status.DRAFT)
    other, _company = owner_of()
    client.force_login(other)
    assert "Unser Entwurf" not in client.get(call.get_absolute_url()).content.decode()
    client.force_login(user)
    html = client.get(call.get_absolute_url()).content.decode()
    assert "Unser Entwurf" in html
    assert reverse("challenges:challenge_create", args=[call.slug]) in html


def _queries(client, url, *, cold: bool) -> tuple[int, str]:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if cold:
        cache.clear()  # the published challenges are read, not taken from the cache
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_public_page_queries_do_not_grow_with_challenges(client):
    call = make_call()
    make_challenge(call)
    url = reverse("challenges:call", args=[call.slug])
    client.get(url)
    cold_few, _html = _queries(client, url, cold=True)
    warm_few, _html = _queries(client, url, cold=False)
    for _ in range(8):
        make_challenge(call)
    cold_many, cold_html = _queries(client, url, cold=True)
    warm_many, warm_html = _queries(client, url, cold=False)
    assert (cold_many, warm_many) == (cold_few, warm_few)
    assert warm_many <= cold_many - 2  # the challenges and their topics
    assert cold_html.count('class="card"') == warm_html.count('class="card"') == 9


def test_public_page_shows_a_new_challenge_and_a_renamed_owner_at_once(client):
    call = make_call()
    first = make_challenge(call, title="Kühlkette")
    url = reverse("challenges:call", args=[call.slug])
    assert "Kühlkette" in client.get(url).content.decode()

    make_challenge(call, title="Abwärme nutzen")
    first.company.name = "Umbenannt AG"
    first.company.save(update_fields=["name"])

    html = client.get(url).content.decode()
    assert "Abwärme nutzen" in html
    assert "Umbenannt AG" in html


def test_call_calendar_parses_with_deadlines(client):
    call = make_call()
    response = client.get(reverse("challenges:call_ics", args=[call.slug]))
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = {str(e["uid"]).split("@")[0]: e for e in calendar.walk("VEVENT")}
    assert events[f"call-{call.pk}-published"].decoded("dtstart") == call.published_from
    deadline = events[f"call-{call.pk}-deadline"].decoded("dtstart")
    assert deadline == call.proposals_until
    assert "Frist" in str(events[f"call-{call.pk}-deadline"]["summary"]) or "deadline" in str(
        events[f"call-{call.pk}-deadline"]["summary"]
    )
    assert isinstance(events[f"call-{call.pk}-follow-up"].decoded("dtstart"), date)


def test_unknown_call_is_404(client):
    assert client.get("/challenges/gibt-es-nicht/").status_code == 404
    user = UserFactory()
    client.force_login(user)
    assert client.get("/challenges/gibt-es-nicht/calendar.ics").status_code == 404
