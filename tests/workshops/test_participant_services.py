"""The coordinator's actions on a workshop's participants (issue 16): walk-ins, over capacity,
cancelling by the coordinator, moving, resending, bulk cancel and the capacity contract.
E-mails are read as a mail program reads them (Python's ``email`` parser)."""

from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

import workshops.services as contract
from regiolab.mail import deliver_new
from tests.factories import WorkshopFactory
from workshops.lifecycle import services as lifecycle
from workshops.models import Registration, Workshop
from workshops.registration import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Run a service, let its transaction's e-mails go out; returns the parsed messages."""

    def run(call):
        # What the set-up queued goes out first, so that only this call's e-mails are counted.
        deliver_new()
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            result = call()
        messages = [
            message_from_bytes(m.message().as_bytes(), policy=policy.default) for m in mail.outbox
        ]
        return result, messages

    return run


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def calendar_methods(message) -> list[str]:
    return sorted(
        part.get_param("method")
        for part in message.walk()
        if part.get_content_type() == "text/calendar"
    )


def register(workshop, n, prefix="person", **extra):
    return services.register_participant(
        workshop=workshop,
        first_name="Person",
        last_name=str(n),
        email=f"{prefix}{n}@example.org",
        language="en",
        **extra,
    )


def full_workshop(capacity=2, waiting=2, prefix="person"):
    workshop = WorkshopFactory(capacity=capacity)
    seated = [register(workshop, n, prefix) for n in range(capacity)]
    waitlisted = [register(workshop, 100 + n, prefix) for n in range(waiting)]
    workshop.refresh_from_db()
    return workshop, seated, waitlisted


def walk_in(workshop, by, email="walkin@example.org", **options):
    return services.add_walk_in(
        workshop=workshop,
        first_name="Walter",
        last_name="Walk-in",
        email=email,
        by=by,
        language="en",
        **options,
    )


# --- Walk-ins --------------------------------------------------------------------------------


def test_walk_in_takes_a_free_seat_and_gets_the_confirmation(coordinator, sent):
    workshop = WorkshopFactory(capacity=3)
    registration, messages = sent(lambda: walk_in(workshop, coordinator))

    assert registration.status == "confirmed"
    assert registration.walk_in is True
    assert registration.registered_by == coordinator
    assert registration.over_capacity_at is None
    workshop.refresh_from_db()
    assert (workshop.seats_taken, workshop.over_capacity_seats) == (1, 0)
    [message] = messages
    assert message["To"] == "walkin@example.org"
    assert "is confirmed" in text_of(message)
    assert calendar_methods(message) == ["PUBLISH"]


def test_walk_in_at_a_full_workshop_is_refused_without_the_explicit_choice(coordinator, sent):
    workshop, _, _ = full_workshop(waiting=0)

    with pytest.raises(services.WorkshopFull) as refused:
        sent(lambda: walk_in(workshop, coordinator))

    assert list(refused.value.message_dict) == ["over_capacity"]  # shown at the form's choice
    assert not Registration.objects.filter(email="walkin@example.org").exists()
    workshop.refresh_from_db()
    assert (workshop.seats_taken, workshop.over_capacity_seats) == (2, 0)
    assert mail.outbox == []


def test_walk_in_over_capacity_is_confirmed_and_recorded_with_who_and_when(coordinator, sent):
    workshop, _, waitlisted = full_workshop()
    before = timezone.now()

    registration, messages = sent(lambda: walk_in(workshop, coordinator, over_capacity=True))

    registration.refresh_from_db()
    assert registration.status == "confirmed"
    assert registration.over_capacity_by == coordinator
    assert before <= registration.over_capacity_at <= timezone.now()
    workshop.refresh_from_db()
    assert (workshop.capacity, workshop.seats_taken, workshop.over_capacity_seats) == (2, 3, 1)
    # The waitlist keeps its places: nobody was promoted or overtaken.
    assert {r.status for r in Registration.objects.filter(pk__in=[w.pk for w in waitlisted])} == {
        "waitlisted"
    }
    assert [m["To"] for m in messages] == ["walkin@example.org"]


def test_over_capacity_allows_no_ordinary_registration_beyond_the_capacity(coordinator):
    workshop, _, _ = full_workshop(waiting=0)
    walk_in(workshop, coordinator, over_capacity=True)

    late = register(workshop, 7)

    assert late.status == "waitlisted"
    # And the database itself refuses one seat more than capacity plus the seats given over it.
    with pytest.raises(IntegrityError), transaction.atomic():
        Workshop.objects.filter(pk=workshop.pk).update(seats_taken=4)


def test_a_freed_seat_first_shrinks_the_overflow_before_anybody_moves_up(coordinator, sent):
    workshop, seated, waitlisted = full_workshop()
    walk_in(workshop, coordinator, over_capacity=True)

    promoted, messages = sent(
        lambda: services.cancel_registration(registration=seated[0], by=coordinator)
    )

    assert promoted is None
    workshop.refresh_from_db()
    assert (workshop.seats_taken, workshop.over_capacity_seats) == (2, 0)
    assert [m["To"] for m in messages] == [seated[0].email]

    promoted, messages = sent(
        lambda: services.cancel_registration(registration=seated[1], by=coordinator)
    )
    assert promoted.pk == waitlisted[0].pk
    assert sorted(m["To"] for m in messages) == sorted([seated[1].email, waitlisted[0].email])


def test_walk_in_duplicate_address_and_bad_input_change_nothing(coordinator):
    workshop = WorkshopFactory(capacity=3)
    register(workshop, 1)

    with pytest.raises(services.DuplicateRegistration):
        walk_in(workshop, coordinator, email="PERSON1@example.org")
    with pytest.raises(ValidationError):
        walk_in(workshop, coordinator, email="not-an-address")
    assert Registration.objects.filter(workshop=workshop).count() == 1


@pytest.mark.parametrize("status", ["draft", "cancelled"])
def test_walk_ins_only_for_published_or_finished_workshops(coordinator, status):
    workshop = WorkshopFactory(status=status)
    with pytest.raises(services.RegistrationClosed):
        walk_in(workshop, coordinator)


def test_walk_in_after_the_start_is_possible(coordinator):
    now = timezone.now()
    workshop = WorkshopFactory(
        starts_at=now - timedelta(minutes=30), ends_at=now + timedelta(hours=3)
    )
    assert walk_in(workshop, coordinator).status == "confirmed"


# --- Cancelling by the coordinator -----------------------------------------------------------


def test_cancel_by_the_coordinator_tells_the_person_who_did_it_and_promotes_the_first(
    coordinator, sent
):
    workshop, seated, waitlisted = full_workshop()

    promoted, messages = sent(
        lambda: services.cancel_registration(registration=seated[0], by=coordinator)
    )

    seated[0].refresh_from_db()
    assert seated[0].status == "cancelled"
    assert seated[0].cancelled_by == coordinator
    assert promoted.pk == waitlisted[0].pk
    by_address = {m["To"]: m for m in messages}
    assert set(by_address) == {seated[0].email, waitlisted[0].email}
    assert "cancelled by the coordinator" in text_of(by_address[seated[0].email])
    assert calendar_methods(by_address[seated[0].email]) == ["CANCEL"]
    assert "moved up from the waitlist" in text_of(by_address[waitlisted[0].email])


def test_cancel_by_the_person_does_not_name_the_coordinator(sent):
    workshop, seated, _ = full_workshop(waiting=0)
    _, [message] = sent(lambda: services.cancel_registration(registration=seated[0]))
    assert "coordinator" not in text_of(message)
    seated[0].refresh_from_db()
    assert seated[0].cancelled_by is None


def test_bulk_cancel_cancels_each_once_promotes_in_order_and_skips_recorded_attendance(
    coordinator, sent
):
    workshop, seated, waitlisted = full_workshop(capacity=3, waiting=3)
    Registration.objects.filter(pk=seated[2].pk).update(status="attended")
    other = register(WorkshopFactory(), 9)

    result, messages = sent(
        lambda: services.cancel_registrations(
            workshop=workshop,
            registration_ids=[seated[0].pk, seated[1].pk, seated[2].pk, other.pk],
            by=coordinator,
        )
    )

    assert [r.pk for r in result.cancelled] == [seated[0].pk, seated[1].pk]
    assert [r.pk for r in result.skipped] == [seated[2].pk]
    assert [r.pk for r in result.promoted] == [waitlisted[0].pk, waitlisted[1].pk]
    other.refresh_from_db()
    assert other.status == "confirmed"  # another workshop's id is ignored
    assert len(messages) == 4
    workshop.refresh_from_db()
    assert workshop.seats_taken == 3


def test_bulk_cancel_without_selection_is_refused(coordinator):
    workshop = WorkshopFactory()
    with pytest.raises(ValidationError):
        services.cancel_registrations(workshop=workshop, registration_ids=[], by=coordinator)


# --- Moving ----------------------------------------------------------------------------------


def test_move_to_a_workshop_with_a_free_seat(coordinator, sent):
    workshop, seated, waitlisted = full_workshop()
    target = WorkshopFactory(capacity=5, title="Zielworkshop", title_en="Target workshop")

    moved, messages = sent(
        lambda: services.move_registration(
            registration=seated[0], to_workshop=target, by=coordinator
        )
    )

    assert moved.workshop == target
    assert moved.status == "confirmed"
    assert moved.email == seated[0].email
    seated[0].refresh_from_db()
    assert seated[0].status == "cancelled"
    assert seated[0].moved_to == moved
    assert seated[0].cancelled_by == coordinator
    target.refresh_from_db()
    workshop.refresh_from_db()
    assert (target.seats_taken, workshop.seats_taken) == (1, 2)
    assert Registration.objects.get(pk=waitlisted[0].pk).status == "confirmed"
    by_address = {m["To"]: m for m in messages}
    assert set(by_address) == {seated[0].email, waitlisted[0].email}
    move_mail = by_address[seated[0].email]
    assert "Target workshop" in move_mail["Subject"]
    assert "has moved your registration" in text_of(move_mail)
    assert calendar_methods(move_mail) == ["CANCEL", "REQUEST"]


def test_move_to_a_full_workshop_joins_the_end_of_its_waitlist(coordinator, sent):
    workshop, seated, _ = full_workshop(waiting=0)
    target, _, target_waiting = full_workshop(capacity=1, waiting=1, prefix="other")

    moved, messages = sent(
        lambda: services.move_registration(
            registration=seated[0], to_workshop=target, by=coordinator
        )
    )

    assert moved.status == "waitlisted"
    assert services.waitlist_position(moved) == 2
    assert moved.pk > target_waiting[0].pk
    [message] = messages
    assert "number 2 on its waitlist" in text_of(message)
    assert calendar_methods(message) == ["CANCEL"]


def test_move_refusals_change_nothing(coordinator):
    workshop, seated, _ = full_workshop(waiting=0)
    past = WorkshopFactory(
        starts_at=timezone.now() - timedelta(days=2),
        ends_at=timezone.now() - timedelta(days=2) + timedelta(hours=2),
    )
    draft = WorkshopFactory(status="draft")
    already = WorkshopFactory()
    register(already, 0)  # the same address as seated[0]

    for target in (past, draft, already, workshop):
        with pytest.raises(ValidationError):
            services.move_registration(registration=seated[0], to_workshop=target, by=coordinator)
    seated[0].refresh_from_db()
    assert seated[0].status == "confirmed"
    assert Registration.objects.filter(email=seated[0].email).count() == 2


# --- Resending -------------------------------------------------------------------------------


def test_resend_sends_the_current_confirmation_again(sent):
    workshop, seated, waitlisted = full_workshop()

    _, [seat] = sent(lambda: services.resend_confirmation(registration=seated[0]))
    _, [waiting] = sent(lambda: services.resend_confirmation(registration=waitlisted[1]))

    assert "is confirmed" in text_of(seat)
    assert calendar_methods(seat) == ["PUBLISH"]
    assert "number 2 on the waitlist" in text_of(waiting)


def test_resend_refused_for_a_cancelled_registration(sent):
    workshop, seated, _ = full_workshop(waiting=0)
    services.cancel_registration(registration=seated[0])
    with pytest.raises(ValidationError):
        sent(lambda: services.resend_confirmation(registration=seated[0]))
    assert mail.outbox == []


# --- change_capacity (DESIGN.md's contract) --------------------------------------------------


def test_contract_names_change_capacity():
    assert contract.change_capacity is services.change_capacity


def test_raising_capacity_promotes_the_first_waitlisted_and_tells_them(coordinator, sent):
    workshop, _, waitlisted = full_workshop(capacity=2, waiting=3)

    promoted, messages = sent(
        lambda: contract.change_capacity(workshop=workshop, capacity=4, changed_by=coordinator)
    )

    assert [r.pk for r in promoted] == [waitlisted[0].pk, waitlisted[1].pk]
    assert sorted(m["To"] for m in messages) == sorted(r.email for r in promoted)
    assert all("moved up from the waitlist" in text_of(m) for m in messages)
    workshop.refresh_from_db()
    assert (workshop.capacity, workshop.seats_taken) == (4, 4)
    assert Registration.objects.get(pk=waitlisted[2].pk).status == "waitlisted"


def test_cutting_capacity_below_the_confirmed_count_is_refused(coordinator):
    workshop, _, _ = full_workshop(capacity=3, waiting=0)
    with pytest.raises(ValidationError):
        contract.change_capacity(workshop=workshop, capacity=2, changed_by=coordinator)
    for bad in (0, -1, "5", True):
        with pytest.raises(ValidationError):
            contract.change_capacity(workshop=workshop, capacity=bad)
    workshop.refresh_from_db()
    assert workshop.capacity == 3
    # A cut to exactly the seats taken is fine.
    assert contract.change_capacity(workshop=workshop, capacity=3) == []


def test_raising_capacity_absorbs_seats_given_over_capacity(coordinator):
    workshop, _, waitlisted = full_workshop(capacity=2, waiting=1)
    walk_in(workshop, coordinator, over_capacity=True)

    promoted = contract.change_capacity(workshop=workshop, capacity=4)

    assert [r.pk for r in promoted] == [waitlisted[0].pk]
    workshop.refresh_from_db()
    assert (workshop.capacity, workshop.seats_taken, workshop.over_capacity_seats) == (4, 4, 0)


def test_the_edit_form_s_capacity_goes_through_change_capacity(coordinator, sent):
    workshop, _, waitlisted = full_workshop(capacity=2, waiting=2)

    updated, messages = sent(
        lambda: lifecycle.update_workshop(workshop=workshop, capacity=3, by=coordinator)
    )

    assert [r.pk for r in updated.promoted_from_waitlist] == [waitlisted[0].pk]
    assert [m["To"] for m in messages] == [waitlisted[0].email]
    assert updated.capacity == 3
    with pytest.raises(ValidationError) as refused:
        lifecycle.update_workshop(workshop=workshop, capacity=1)
    assert "capacity" in refused.value.message_dict


def test_no_promotion_on_a_raise_for_a_finished_workshop(coordinator):
    now = timezone.now()
    workshop = WorkshopFactory(capacity=1)
    register(workshop, 1)
    register(workshop, 2)
    Workshop.objects.filter(pk=workshop.pk).update(
        starts_at=now - timedelta(days=1), ends_at=now - timedelta(hours=20), status="done"
    )
    workshop.refresh_from_db()
    assert contract.change_capacity(workshop=workshop, capacity=5) == []


def test_walk_in_entered_after_the_workshop_is_recorded_without_an_e_mail(coordinator, sent):
    now = timezone.now()
    workshop = WorkshopFactory(
        status="done", starts_at=now - timedelta(days=1), ends_at=now - timedelta(hours=20)
    )

    registration, messages = sent(lambda: walk_in(workshop, coordinator))

    assert registration.status == "confirmed"
    assert registration.confirmation_sent is False
    assert messages == []


def test_a_cancelled_workshop_s_registrations_are_not_cancelled_again_but_can_move(
    coordinator, sent
):
    workshop, seated, _ = full_workshop(waiting=0)
    lifecycle.cancel_workshop(workshop=workshop, by=coordinator)
    target = WorkshopFactory()

    with pytest.raises(ValidationError):
        services.cancel_registration(registration=seated[0], by=coordinator)
    with pytest.raises(ValidationError):
        services.cancel_registrations(
            workshop=workshop, registration_ids=[seated[1].pk], by=coordinator
        )
    assert set(Registration.objects.filter(workshop=workshop).values_list("status", flat=True)) == {
        "confirmed"
    }

    moved, messages = sent(
        lambda: services.move_registration(
            registration=seated[0], to_workshop=target, by=coordinator
        )
    )
    assert moved.status == "confirmed"
    assert [m["To"] for m in messages] == [seated[0].email]


# --- Undo of a coordinator's cancellation ----------------------------------------------------


def test_undo_gives_the_seat_back_while_it_is_free_and_tells_the_person(coordinator, sent):
    workshop, seated, _ = full_workshop(waiting=0)
    services.cancel_registration(registration=seated[0], by=coordinator)
    seated[0].refresh_from_db()
    assert services.undo_possible(seated[0])

    restored, messages = sent(
        lambda: services.undo_cancellation(registration=seated[0], by=coordinator)
    )

    assert restored.status == "confirmed"
    restored.refresh_from_db()
    assert (restored.status, restored.cancelled_at, restored.cancelled_by) == (
        "confirmed",
        None,
        None,
    )
    workshop.refresh_from_db()
    assert workshop.seats_taken == 2
    [message] = messages
    assert message["To"] == seated[0].email and "is confirmed" in text_of(message)


def test_undo_puts_a_waitlisted_person_back_at_their_place(coordinator):
    workshop, _, waitlisted = full_workshop(waiting=3)
    services.cancel_registration(registration=waitlisted[0], by=coordinator)
    services.undo_cancellation(registration=waitlisted[0], by=coordinator)
    waitlisted[0].refresh_from_db()
    assert services.waitlist_position(waitlisted[0]) == 1


def test_undo_is_refused_when_the_seat_has_gone_too_late_or_not_the_coordinator_s(
    coordinator,
):
    workshop, seated, waitlisted = full_workshop(waiting=1)
    services.cancel_registration(registration=seated[0], by=coordinator)  # Dora moves up
    with pytest.raises(ValidationError):
        services.undo_cancellation(registration=seated[0], by=coordinator)
    assert Registration.objects.get(pk=waitlisted[0].pk).status == "confirmed"

    Registration.objects.filter(pk=seated[1].pk).update(
        status="cancelled",
        cancelled_by=coordinator,
        cancelled_at=timezone.now() - timedelta(minutes=services.UNDO_MINUTES + 1),
    )
    services.cancel_registration(registration=seated[0])  # already cancelled: nothing
    for registration in (seated[1],):
        with pytest.raises(ValidationError):
            services.undo_cancellation(registration=registration, by=coordinator)

    own = register(WorkshopFactory(), 7)
    services.cancel_registration(registration=own)  # by the person: no undo here
    with pytest.raises(ValidationError):
        services.undo_cancellation(registration=own, by=coordinator)
    assert Registration.objects.get(pk=own.pk).status == "cancelled"


def test_undo_refused_when_the_address_registered_again(coordinator):
    workshop = WorkshopFactory(capacity=3)
    first = register(workshop, 1)
    services.cancel_registration(registration=first, by=coordinator)
    register(workshop, 1)  # the same address again
    with pytest.raises(ValidationError):
        services.undo_cancellation(registration=first, by=coordinator)
    assert Registration.objects.get(pk=first.pk).status == "cancelled"
