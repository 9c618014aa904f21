"""Moving a cycle's learning workshop, with the offer to shift the later ones by the same
amount: preview first, then the move through workshops.lifecycle.services.update_workshop."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from learning.services import close_programme, move_cycle_workshop, start_programme
from tests.learning.support import make_programme
from workshops.models import Registration
from workshops.registration.services import register_participant

pytestmark = pytest.mark.django_db
FORMAT = "%Y-%m-%dT%H:%M"


def _times(programme):
    return [
        (c.workshop.starts_at, c.workshop.ends_at, c.workshop.sequence)
        for c in programme.cycles.select_related("workshop").order_by("number")
    ]


def _post(moved_start, moved_end, shift, confirmed):
    data = {
        "starts_at": timezone.localtime(moved_start).strftime(FORMAT),
        "ends_at": timezone.localtime(moved_end).strftime(FORMAT),
    }
    if shift:
        data["shift_later"] = "on"
    if confirmed:
        data["confirmed"] = "1"
    return data


def test_preview_then_move_with_the_later_cycles(coordinator_client, coordinator):
    programme = make_programme(coordinator)
    before = _times(programme)
    delta = timedelta(days=7, hours=1)
    url = f"/learning/{programme.slug}/cycles/2/workshop/"
    assert coordinator_client.get(url).status_code == 200
    data = _post(before[1][0] + delta, before[1][1] + delta, True, False)
    preview = coordinator_client.post(url, data)
    assert preview.status_code == 200
    moves = preview.context["moves"]
    assert [m.cycle.number for m in moves] == [2, 3]
    assert [m.new_starts_at for m in moves] == [before[1][0] + delta, before[2][0] + delta]
    assert _times(programme) == before  # the preview changes nothing
    response = coordinator_client.post(url, {**data, "confirmed": "1"})
    assert response.status_code == 302
    after = _times(programme)
    assert after[0] == before[0]
    for index in (1, 2):
        assert after[index][0] == before[index][0] + delta
        assert after[index][1] == before[index][1] + delta
        assert after[index][2] == before[index][2] + 1  # the calendar sequence moved


def test_move_one_without_shifting(coordinator_client, coordinator):
    programme = make_programme(coordinator)
    before = _times(programme)
    url = f"/learning/{programme.slug}/cycles/1/workshop/"
    new_start = before[0][0] + timedelta(days=2)
    coordinator_client.post(url, _post(new_start, before[0][1] + timedelta(days=2), False, True))
    after = _times(programme)
    assert after[0][0] == new_start and after[1:] == before[1:]


def test_a_move_that_breaks_the_order_is_refused_and_changes_nothing(
    coordinator_client, coordinator
):
    programme = make_programme(coordinator)
    before = _times(programme)
    url = f"/learning/{programme.slug}/cycles/1/workshop/"
    late = before[1][0] + timedelta(days=1)  # after cycle 2's workshop
    response = coordinator_client.post(url, _post(late, late + timedelta(hours=7), False, True))
    assert response.status_code == 200
    assert "starts_at" in response.context["form"].errors
    assert _times(programme) == before


@pytest.mark.parametrize(
    "data",
    [
        {"starts_at": "gestern", "ends_at": "2030-01-01T10:00"},
        {"starts_at": "2030-01-01T10:00", "ends_at": "2030-01-01T09:00"},
        {"starts_at": "", "ends_at": ""},
    ],
)
def test_malformed_dates_are_refused(coordinator_client, coordinator, data):
    programme = make_programme(coordinator)
    before = _times(programme)
    response = coordinator_client.post(
        f"/learning/{programme.slug}/cycles/1/workshop/", {**data, "confirmed": "1"}
    )
    assert response.status_code == 200 and response.context["form"].errors
    assert _times(programme) == before


def test_a_move_into_the_past_is_refused(coordinator):
    programme = make_programme(coordinator)
    cycle = programme.cycles.select_related("workshop").get(number=1)
    before = _times(programme)
    past = timezone.now() - timedelta(days=1)
    with pytest.raises(ValidationError):
        move_cycle_workshop(
            cycle=cycle, starts_at=past, ends_at=past + timedelta(hours=2), shift_later=True
        )
    assert _times(programme) == before


def test_closed_programme_moves_nothing(coordinator):
    programme = make_programme(coordinator)
    close_programme(programme=programme)
    cycle = programme.cycles.select_related("workshop").get(number=1)
    before = _times(programme)
    with pytest.raises(ValidationError):
        move_cycle_workshop(
            cycle=cycle,
            starts_at=cycle.workshop.starts_at + timedelta(days=1),
            ends_at=cycle.workshop.ends_at + timedelta(days=1),
            shift_later=False,
        )
    assert _times(programme) == before


def test_registered_people_get_the_changed_calendar_entry(
    coordinator, django_capture_on_commit_callbacks
):
    from regiolab.mail.models import OutboundEmail

    programme = make_programme(coordinator)
    start_programme(programme=programme, by=coordinator)
    cycle = programme.cycles.select_related("workshop").get(number=1)
    register_participant(
        workshop=cycle.workshop, first_name="Ida", last_name="Iser", email="ida@firma.example"
    )
    assert Registration.objects.get().status == "confirmed"
    before = OutboundEmail.objects.filter(to="ida@firma.example").count()
    move_cycle_workshop(
        cycle=cycle,
        starts_at=cycle.workshop.starts_at + timedelta(days=1),
        ends_at=cycle.workshop.ends_at + timedelta(days=1),
        shift_later=False,
        by=coordinator,
    )
    assert OutboundEmail.objects.filter(to="ida@firma.example").count() == before + 1


def test_theme_is_named_and_bad_input_changes_nothing(coordinator_client, coordinator):
    programme = make_programme(coordinator, themes=["Alt"])
    url = f"/learning/{programme.slug}/cycles/1/theme/"
    response = coordinator_client.post(url, {"theme": "Neu", "theme_en": "New"}, follow=True)
    assert response.redirect_chain[-1][0] == f"/learning/{programme.slug}/"
    cycle = programme.cycles.get(number=1)
    assert (cycle.theme, cycle.theme_en) == ("Neu", "New")
    for bad in ({"theme": "x" * 201}, {"theme": "Zwei\nZeilen"}, {"theme": "<b>fett</b>"}):
        response = coordinator_client.post(url, bad, follow=True)
        assert response.status_code == 200
        assert [m.level_tag for m in response.context["messages"]] == ["error"]
        cycle.refresh_from_db()
        assert cycle.theme == "Neu"
    close_programme(programme=programme)
    coordinator_client.post(url, {"theme": "Zu spät"})
    cycle.refresh_from_db()
    assert cycle.theme == "Neu"
