"""The participants page's actions as a coordinator uses them: add a walk-in, cancel (with its
confirmation step), move, resend, select rows for bulk actions, and bad input."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from regiolab.mail import deliver_new
from regiolab.mail.models import OutboundEmail
from tests.factories import WorkshopFactory
from tests.support import libreoffice
from workshops.models import Registration
from workshops.registration import services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def url(name, workshop, *args):
    return reverse(f"workshops:{name}", args=[workshop.slug, *args])


def register(workshop, n, prefix="person"):
    return services.register_participant(
        workshop=workshop,
        first_name="Person",
        last_name=f"N{n}",
        email=f"{prefix}{n}@example.org",
        language="en",
    )


def full_workshop(capacity=2, waiting=1, **fields):
    workshop = WorkshopFactory(capacity=capacity, **fields)
    seated = [register(workshop, n) for n in range(capacity)]
    waitlisted = [register(workshop, 100 + n) for n in range(waiting)]
    workshop.refresh_from_db()
    deliver_new()
    return workshop, seated, waitlisted


def outbox_to(address):
    return list(OutboundEmail.objects.filter(to=address).order_by("pk"))


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- The page ------------------------------------------------------------------------------


def test_page_offers_selection_and_per_row_actions(coordinator_client):
    workshop, seated, waitlisted = full_workshop()

    page = coordinator_client.get(url("participants", workshop)).content.decode()

    assert f'action="{url("participants_bulk", workshop)}"' in page
    for registration in (*seated, *waitlisted):
        assert f'name="registrations" value="{registration.pk}"' in page
        assert f"Select {registration.full_name}" in page
        assert url("participant_cancel", workshop, registration.pk) in page
        assert url("participant_move", workshop, registration.pk) in page
        assert url("participant_resend", workshop, registration.pk) in page
    assert 'data-select-all="confirmed"' in page
    assert url("participant_add", workshop) in page
    # Not yet the workshop's day: no attendance buttons.
    assert 'value="attended"' not in page


# --- Walk-ins ------------------------------------------------------------------------------


def walk_in_data(**overrides):
    return {
        "first_name": "Walter",
        "last_name": "Walk-in",
        "email": "walter@example.org",
        "company_name": "Tür GmbH",
        "language": "en",
        **overrides,
    }


def test_walk_in_form_adds_the_person(coordinator_client, coordinator):
    workshop = WorkshopFactory(capacity=2)

    response = coordinator_client.post(url("participant_add", workshop), walk_in_data())

    assert response.status_code == 302
    registration = Registration.objects.get(email="walter@example.org")
    assert (registration.status, registration.walk_in) == ("confirmed", True)
    assert registration.registered_by == coordinator
    assert len(outbox_to("walter@example.org")) == 1


def test_full_workshop_asks_for_the_over_capacity_choice(coordinator_client, coordinator):
    workshop, _, _ = full_workshop(waiting=0)

    page = coordinator_client.get(url("participant_add", workshop)).content.decode()
    assert "All places are taken" in page

    refused = coordinator_client.post(url("participant_add", workshop), walk_in_data())
    assert refused.status_code == 200
    assert "over capacity" in refused.context["form"].errors["over_capacity"][0]
    assert not Registration.objects.filter(email="walter@example.org").exists()

    accepted = coordinator_client.post(
        url("participant_add", workshop), walk_in_data(over_capacity="on")
    )
    assert accepted.status_code == 302
    registration = Registration.objects.get(email="walter@example.org")
    assert registration.over_capacity_by == coordinator
    workshop.refresh_from_db()
    assert (workshop.seats_taken, workshop.over_capacity_seats) == (3, 1)
    page = coordinator_client.get(url("participants", workshop)).content.decode()
    assert "over capacity" in page and "walk-in" in page


def test_walk_in_bad_input_is_shown_and_changes_nothing(coordinator_client):
    workshop = WorkshopFactory()
    register(workshop, 1)
    for data in (
        walk_in_data(email="kein-at"),
        walk_in_data(first_name=""),
        walk_in_data(last_name="x" * 500),
        walk_in_data(first_name="Zeile\nzwei"),
        walk_in_data(email="person1@example.org"),  # already registered
    ):
        response = coordinator_client.post(url("participant_add", workshop), data)
        assert response.status_code == 200
        assert response.context["form"].errors
    assert Registration.objects.filter(workshop=workshop).count() == 1


# --- Cancel ----------------------------------------------------------------------------------


def test_cancel_shows_what_happens_and_whom_it_tells_before_doing_it(coordinator_client):
    workshop, seated, waitlisted = full_workshop()

    page = coordinator_client.get(url("participant_cancel", workshop, seated[0].pk))

    text = page.content.decode()
    assert "What will happen" in text and "Who is told" in text
    assert f"{seated[0].full_name} gets an e-mail at {seated[0].email}" in text
    assert f"{waitlisted[0].full_name} moves up from the waitlist" in text
    seated[0].refresh_from_db()
    assert seated[0].status == "confirmed"  # the GET changed nothing

    done = coordinator_client.post(url("participant_cancel", workshop, seated[0].pk), follow=True)

    seated[0].refresh_from_db()
    assert seated[0].status == "cancelled"
    assert any("Moved up from the waitlist" in m for m in messages_of(done))
    confirmation, cancelled_mail = outbox_to(seated[0].email)
    assert "cancelled by the coordinator" in cancelled_mail.body_text
    assert "coordinator" not in confirmation.body_text


def test_cancel_of_a_recorded_attendance_is_refused(coordinator_client):
    workshop, seated, _ = full_workshop(waiting=0)
    Registration.objects.filter(pk=seated[0].pk).update(status="attended")

    page = coordinator_client.get(url("participant_cancel", workshop, seated[0].pk))
    assert "can't be cancelled" in page.content.decode()
    response = coordinator_client.post(
        url("participant_cancel", workshop, seated[0].pk), follow=True
    )
    assert any("Attendance has already been recorded" in m for m in messages_of(response))
    assert Registration.objects.get(pk=seated[0].pk).status == "attended"


def test_a_registration_of_another_workshop_is_not_found(coordinator_client):
    workshop = WorkshopFactory()
    other = register(WorkshopFactory(), 1)
    for name in ("participant_cancel", "participant_move"):
        assert coordinator_client.get(url(name, workshop, other.pk)).status_code == 404
    assert coordinator_client.post(url("participant_resend", workshop, other.pk)).status_code == 404


# --- Move ------------------------------------------------------------------------------------


def test_move_chooses_a_workshop_confirms_then_moves(coordinator_client):
    workshop, seated, waitlisted = full_workshop()
    target = WorkshopFactory(title="Ziel", title_en="Target", capacity=4)
    WorkshopFactory(status="draft", title="Entwurf", title_en="A draft")

    form = coordinator_client.get(url("participant_move", workshop, seated[0].pk))
    choices = [w.pk for w in form.context["form"].fields["to_workshop"].queryset]
    assert target.pk in choices and workshop.pk not in choices
    assert "A draft" not in form.content.decode()

    preview = coordinator_client.post(
        url("participant_move", workshop, seated[0].pk), {"to_workshop": target.pk}
    )
    text = preview.content.decode()
    assert "gets a confirmed place at “Target”" in text
    assert f"{waitlisted[0].full_name} moves up" in text
    assert Registration.objects.get(pk=seated[0].pk).status == "confirmed"

    done = coordinator_client.post(
        url("participant_move", workshop, seated[0].pk),
        {"to_workshop": target.pk, "confirmed": "1"},
        follow=True,
    )
    assert any("has been moved to “Target”" in m for m in messages_of(done))
    moved = Registration.objects.get(workshop=target, email=seated[0].email)
    assert moved.status == "confirmed"
    assert Registration.objects.get(pk=seated[0].pk).moved_to == moved


def test_move_to_a_workshop_not_offered_is_refused(coordinator_client):
    workshop, seated, _ = full_workshop(waiting=0)
    draft = WorkshopFactory(status="draft")
    for target in (draft.pk, workshop.pk, 999999, "abc"):
        response = coordinator_client.post(
            url("participant_move", workshop, seated[0].pk),
            {"to_workshop": target, "confirmed": "1"},
        )
        assert response.status_code == 200
        assert response.context["form"].errors
    assert Registration.objects.filter(email=seated[0].email).count() == 1


# --- Resend ----------------------------------------------------------------------------------


def test_resend_sends_the_confirmation_again(coordinator_client):
    workshop, seated, _ = full_workshop(waiting=0)

    response = coordinator_client.post(
        url("participant_resend", workshop, seated[0].pk), follow=True
    )

    assert any("sent to" in m for m in messages_of(response))
    mails = outbox_to(seated[0].email)
    assert len(mails) == 2 and mails[0].subject == mails[1].subject


# --- Bulk ------------------------------------------------------------------------------------


def test_bulk_cancel_confirms_then_cancels_the_selected(coordinator_client):
    workshop, seated, waitlisted = full_workshop(capacity=3, waiting=2)
    chosen = [seated[0].pk, seated[2].pk]

    preview = coordinator_client.post(
        url("participants_bulk", workshop), {"action": "cancel", "registrations": chosen}
    )
    text = preview.content.decode()
    assert "Cancel 2 registrations?" in text
    assert all(f'name="registrations" value="{pk}"' in text for pk in chosen)
    assert Registration.objects.filter(pk__in=chosen, status="cancelled").count() == 0

    coordinator_client.post(
        url("participants_bulk", workshop),
        {"action": "cancel", "registrations": chosen, "confirmed": "1"},
    )
    assert Registration.objects.filter(pk__in=chosen, status="cancelled").count() == 2
    assert {r.status for r in Registration.objects.filter(pk__in=[w.pk for w in waitlisted])} == {
        "confirmed"
    }


def test_bulk_attendance_on_the_workshop_s_day(coordinator_client):
    now = timezone.now()
    workshop = WorkshopFactory(starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=3))
    Registration.objects.bulk_create(
        Registration(
            workshop=workshop,
            first_name="P",
            last_name=str(n),
            email=f"p{n}@example.org",
            status="confirmed",
        )
        for n in range(3)
    )
    ids = list(Registration.objects.filter(workshop=workshop).values_list("pk", flat=True))

    page = coordinator_client.get(url("participants", workshop)).content.decode()
    assert 'value="attended"' in page and 'value="no_show"' in page
    coordinator_client.post(
        url("participants_bulk", workshop), {"action": "attended", "registrations": ids[:2]}
    )
    coordinator_client.post(
        url("participants_bulk", workshop), {"action": "no_show", "registrations": ids[2:]}
    )

    statuses = dict(Registration.objects.filter(workshop=workshop).values_list("pk", "status"))
    assert [statuses[pk] for pk in ids] == ["attended", "attended", "no_show"]


def test_bulk_attendance_before_the_day_is_refused(coordinator_client):
    workshop, seated, _ = full_workshop(waiting=0)
    response = coordinator_client.post(
        url("participants_bulk", workshop),
        {"action": "attended", "registrations": [seated[0].pk]},
        follow=True,
    )
    assert any("from the day of the workshop" in m for m in messages_of(response))
    assert Registration.objects.get(pk=seated[0].pk).status == "confirmed"


def test_bulk_export_holds_only_the_selected_rows(coordinator_client):
    workshop, seated, waitlisted = full_workshop(capacity=3, waiting=1)
    chosen = [seated[1].pk, waitlisted[0].pk]

    response = coordinator_client.post(
        url("participants_bulk", workshop), {"action": "export_csv", "registrations": chosen}
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert sorted(row[2] for row in rows[1:]) == sorted([seated[1].email, waitlisted[0].email])

    response = coordinator_client.post(
        url("participants_bulk", workshop), {"action": "export_xlsx", "registrations": chosen}
    )
    sheets = libreoffice.read_xlsx(response.content)
    [sheet] = sheets.values()
    emails = sorted(r["E-mail"].shown for r in libreoffice.records(sheet))
    assert emails == sorted([seated[1].email, waitlisted[0].email])


def test_bulk_email_hands_the_selection_to_the_compose_page(coordinator_client):
    workshop, seated, _ = full_workshop(waiting=0)
    try:
        compose = url("participants_email", workshop)
    except NoReverseMatch:
        pytest.skip("the participants' e-mail page is not there yet")
    ids = [seated[0].pk, seated[1].pk]

    response = coordinator_client.post(
        url("participants_bulk", workshop), {"action": "email", "registrations": ids}
    )

    assert response.status_code == 302
    assert response["Location"] == (f"{compose}?registrations={ids[0]}&registrations={ids[1]}")
    compose_page = coordinator_client.get(response["Location"]).content.decode()
    assert seated[0].email in compose_page or seated[0].full_name in compose_page


@pytest.mark.parametrize(
    "data",
    [
        {"action": "cancel"},  # nobody selected
        {"action": "explode", "registrations": ["1"]},
        {"action": "cancel", "registrations": ["not-a-number"]},
        {"action": "cancel", "registrations": ["999999"]},
    ],
)
def test_bulk_bad_input_says_why_and_changes_nothing(coordinator_client, data):
    workshop, seated, _ = full_workshop(waiting=0)
    other = register(WorkshopFactory(), 5, prefix="other")
    if data.get("registrations") == ["1"]:
        data = {**data, "registrations": [seated[0].pk]}

    response = coordinator_client.post(url("participants_bulk", workshop), data, follow=True)

    assert response.redirect_chain[-1][0] == url("participants", workshop)
    assert messages_of(response)
    assert Registration.objects.filter(status="cancelled").count() == 0
    # Another workshop's registration cannot be slipped in.
    coordinator_client.post(
        url("participants_bulk", workshop),
        {"action": "cancel", "registrations": [other.pk], "confirmed": "1"},
    )
    assert Registration.objects.get(pk=other.pk).status == "confirmed"


def test_participants_page_counts_seats_given_over_capacity(coordinator_client, coordinator):
    workshop, _, _ = full_workshop(waiting=0)
    services.add_walk_in(
        workshop=workshop,
        first_name="Walter",
        last_name="Walk-in",
        email="walter@example.org",
        by=coordinator,
        over_capacity=True,
    )
    page = coordinator_client.get(url("participants", workshop)).content.decode()
    assert "3 of 2 taken (1 confirmed over capacity)" in page


def test_cancelled_rows_say_who_did_it(coordinator_client, coordinator):
    workshop, seated, _ = full_workshop(capacity=3, waiting=0)
    target = WorkshopFactory(title="Ziel", title_en="Target")
    services.cancel_registration(registration=seated[0], by=coordinator)
    services.cancel_registration(registration=seated[1])  # by the person, by link
    services.move_registration(registration=seated[2], to_workshop=target, by=coordinator)

    page = coordinator_client.get(url("participants", workshop)).content.decode()

    assert page.count("cancelled by the coordinator") == 1
    assert "moved to “Target” by the coordinator" in page


def test_undo_button_takes_a_cancellation_back(coordinator_client):
    workshop, seated, _ = full_workshop(waiting=0)
    coordinator_client.post(url("participant_cancel", workshop, seated[0].pk))

    page = coordinator_client.get(url("participants", workshop)).content.decode()
    undo = url("participant_undo_cancel", workshop, seated[0].pk)
    assert f'formaction="{undo}"' in page

    response = coordinator_client.post(undo, follow=True)

    assert any("has been undone" in m for m in messages_of(response))
    assert Registration.objects.get(pk=seated[0].pk).status == "confirmed"
    page = response.content.decode()
    assert f'formaction="{undo}"' not in page
