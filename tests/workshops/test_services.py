import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from regiolab import mail as outbox
from regiolab.celery import app as celery_app
from regiolab.mail import deliver_new
from regiolab.mail.models import OutboundEmail
from tests.factories import CompanyFactory, UserFactory, WorkshopFactory
from workshops.models import Registration, Workshop
from workshops.registration import services

pytestmark = pytest.mark.django_db


def register(workshop, n, **kwargs):
    return services.register_participant(
        workshop=workshop,
        first_name="Anna",
        last_name=f"Beispiel{n}",
        email=f"anna{n}@example.org",
        **kwargs,
    )


def test_registration_confirmed_then_waitlisted(django_capture_on_commit_callbacks):
    workshop = WorkshopFactory(capacity=2)
    with django_capture_on_commit_callbacks(execute=True):
        first = register(workshop, 1, language="en", consent_text_version="2026-11")
        second = register(workshop, 2)
        third = register(workshop, 3)
    assert [first.status, second.status, third.status] == ["confirmed", "confirmed", "waitlisted"]
    workshop.refresh_from_db()
    assert workshop.seats_taken == 2
    assert first.consent_given_at is not None and first.consent_text_version == "2026-11"
    assert services.waitlist_position(third) == 1
    assert [m.to for m in mail.outbox] == [
        ["anna1@example.org"],
        ["anna2@example.org"],
        ["anna3@example.org"],
    ]
    confirmation = mail.outbox[0]
    assert "Registration confirmed" in confirmation.subject  # English, as chosen
    assert f"/registrations/{first.cancel_token}/cancel/" in confirmation.body
    assert confirmation.attachments[0][0].endswith(".ics")
    assert "Warteliste" in mail.outbox[2].subject or "waitlist" in mail.outbox[2].subject.lower()


def test_company_fills_company_name():
    company = CompanyFactory(name="Hannover Fräs GmbH")
    registration = register(WorkshopFactory(), 1, company=company, registered_by=UserFactory())
    assert registration.company == company
    assert registration.company_name == "Hannover Fräs GmbH"


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"registration_deadline_days": -1}, id="deadline-passed"),
        pytest.param({"starts_days": -3}, id="past"),
        pytest.param({"status": "draft"}, id="draft"),
        pytest.param({"status": "cancelled"}, id="cancelled"),
        pytest.param({"status": "done"}, id="done"),
        pytest.param({"starts_days": 0}, id="no-deadline-start-passed"),
    ],
)
def test_closed_workshop_rejected_and_nothing_written(changes):
    now = timezone.now()
    kwargs = {}
    if "status" in changes:
        kwargs["status"] = changes["status"]
    if "starts_days" in changes:
        kwargs["starts_at"] = now + timedelta(days=changes["starts_days"], minutes=-1)
    if "registration_deadline_days" in changes:
        kwargs["registration_deadline"] = now + timedelta(
            days=changes["registration_deadline_days"]
        )
    workshop = WorkshopFactory(**kwargs)
    with pytest.raises(ValidationError) as excinfo:
        register(workshop, 1)
    assert excinfo.value.messages[0]
    assert not Registration.objects.exists()
    assert not OutboundEmail.objects.exists()
    workshop.refresh_from_db()
    assert workshop.seats_taken == 0


def test_duplicate_email_in_other_case_rejected():
    workshop = WorkshopFactory()
    services.register_participant(
        workshop=workshop, first_name="Jan", last_name="Ohm", email="Jan.Ohm@Example.org"
    )
    with pytest.raises(services.DuplicateRegistration) as excinfo:
        services.register_participant(
            workshop=workshop, first_name="Jan", last_name="Ohm", email="jan.ohm@example.ORG"
        )
    assert "email" in excinfo.value.message_dict
    assert Registration.objects.count() == 1
    assert OutboundEmail.objects.count() == 1
    workshop.refresh_from_db()
    assert workshop.seats_taken == 1


def test_duplicate_allowed_after_cancellation():
    workshop = WorkshopFactory()
    first = register(workshop, 1)
    services.cancel_registration(registration=first)
    again = register(workshop, 1)
    assert again.status == "confirmed"


def test_invalid_fields_rejected():
    with pytest.raises(ValidationError) as excinfo:
        services.register_participant(
            workshop=WorkshopFactory(), first_name="", last_name="x" * 101, email="not-an-email"
        )
    assert {"first_name", "last_name", "email"} <= set(excinfo.value.message_dict)
    assert not Registration.objects.exists()


def test_cancel_promotes_first_waitlisted_and_emails_once(django_capture_on_commit_callbacks):
    workshop = WorkshopFactory(capacity=1)
    holder = register(workshop, 1)
    first_waiting = register(workshop, 2)
    register(workshop, 3)
    deliver_new()  # the worker has sent what the setup queued
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        promoted = services.cancel_registration(registration=holder)
    assert promoted.pk == first_waiting.pk
    assert Registration.objects.get(pk=first_waiting.pk).status == "confirmed"
    assert holder.status == "cancelled"
    workshop.refresh_from_db()
    assert workshop.seats_taken == 1
    # The one who cancelled gets their confirmation, the one who moved up their place.
    assert [m.to for m in mail.outbox] == [["anna1@example.org"], ["anna2@example.org"]]
    assert mail.outbox[1].attachments[0][0].endswith(".ics")
    # Idempotent: cancelling again changes nothing and promotes nobody.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.cancel_registration(registration=holder) is None
    assert len(mail.outbox) == 2
    workshop.refresh_from_db()
    assert workshop.seats_taken == 1


def test_cancel_waitlisted_promotes_nobody(django_capture_on_commit_callbacks):
    workshop = WorkshopFactory(capacity=1)
    register(workshop, 1)
    waiting = register(workshop, 2)
    last = register(workshop, 3)
    deliver_new()  # the worker has sent what the setup queued
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.cancel_registration(registration=waiting) is None
    # Only the confirmation of the cancellation, without a calendar file (no seat, no entry).
    [message] = mail.outbox
    assert message.to == [waiting.email] and message.attachments == []
    assert Registration.objects.get(pk=last.pk).status == "waitlisted"
    assert services.waitlist_position(Registration.objects.get(pk=last.pk)) == 1
    workshop.refresh_from_db()
    assert workshop.seats_taken == 1


def test_cancel_confirmed_without_waitlist_frees_seat():
    workshop = WorkshopFactory(capacity=2)
    registration = register(workshop, 1)
    assert services.cancel_registration(registration=registration) is None
    workshop.refresh_from_db()
    assert workshop.seats_taken == 0


def test_promote_waitlisted_manually():
    workshop = WorkshopFactory(capacity=1)
    register(workshop, 1)
    waiting = register(workshop, 2)
    with pytest.raises(ValidationError):
        services.promote_waitlisted(registration=waiting)  # no free seat
    Workshop.objects.filter(pk=workshop.pk).update(capacity=2)
    services.promote_waitlisted(registration=waiting)
    assert Registration.objects.get(pk=waiting.pk).status == "confirmed"
    workshop.refresh_from_db()
    assert workshop.seats_taken == 2
    with pytest.raises(ValidationError):
        services.promote_waitlisted(registration=waiting)  # no longer waitlisted


def test_capacity_raise_lets_waitlist_go_first():
    workshop = WorkshopFactory(capacity=1)
    register(workshop, 1)
    waiting = register(workshop, 2)
    Workshop.objects.filter(pk=workshop.pk).update(capacity=2)
    newcomer = register(workshop, 3)
    assert Registration.objects.get(pk=waiting.pk).status == "confirmed"
    assert newcomer.status == "waitlisted"


def test_register_participants_all_or_nothing():
    workshop = WorkshopFactory(capacity=5)
    register(workshop, 9)
    people = [
        services.Participant("Eva", "Eins", "eva@example.org"),
        services.Participant("Udo", "Zwei", "ANNA9@example.org"),  # already registered
        services.Participant("Ida", "Drei", "bad-address"),
    ]
    with pytest.raises(services.BulkRegistrationError) as excinfo:
        services.register_participants(workshop=workshop, participants=people)
    assert set(excinfo.value.row_errors) == {1, 2}
    assert Registration.objects.count() == 1
    workshop.refresh_from_db()
    assert workshop.seats_taken == 1

    created = services.register_participants(
        workshop=workshop,
        participants=[people[0], services.Participant("Ida", "Drei", "ida@example.org")],
    )
    assert [r.status for r in created] == ["confirmed", "confirmed"]
    workshop.refresh_from_db()
    assert workshop.seats_taken == 3


@pytest.mark.django_db(transaction=True)
def test_broker_down_keeps_registration_and_sends_later(monkeypatch):
    workshop = WorkshopFactory()
    started = time.monotonic()
    with monkeypatch.context() as patched:
        patched.setitem(celery_app.conf, "task_always_eager", False)
        patched.setitem(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
        registration = register(workshop, 1)
    print(f"registration with the broker down took {time.monotonic() - started:.2f}s")
    assert Registration.objects.filter(pk=registration.pk, status="confirmed").exists()
    email = OutboundEmail.objects.get(to="anna1@example.org")
    assert email.status == OutboundEmail.Status.PENDING
    assert mail.outbox == []

    assert outbox.deliver_pending(older_than=timedelta(0)) == 1
    assert outbox.deliver_pending(older_than=timedelta(0)) == 0
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT


def test_the_design_contract_names_reach_the_registration_services():
    """DESIGN.md's contracts: outside checks call workshops.services.register_participant and
    cancel_registration; the portal itself imports them from workshops.registration.services."""
    import importlib

    contract = importlib.import_module("workshops.services")
    assert contract.register_participant is services.register_participant
    assert contract.cancel_registration is services.cancel_registration
