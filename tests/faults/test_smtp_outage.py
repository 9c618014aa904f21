"""Issue 14: the mail relay answers 451 for longer than the old give-up (5 tries for
invitations, 8 for the outbox), then recovers. Nothing may be lost and nothing doubled.

A real Celery worker on a private Redis sends to an aiosmtpd sink; the test enqueues the
periodic catch-ups as beat does. The retry window and back-off come from the settings
(MAIL_RETRY_HOURS, MAIL_RETRY_BACKOFF), shrunk here so that "72 hours" are 30 seconds.
Run with ``-s`` for the figures.
"""

import contextlib
import time

import pytest
from django.db.models import Count
from django.urls import reverse

from regiolab.mail.models import OutboundEmail
from tests.factories import WorkshopFactory
from tests.faults.mail_support import doubled, on_private_broker, private_caches, wait_until
from tests.support.celery_worker import celery_worker
from tests.support.smtp_sink import SmtpSink
from tests.workshops.support import confirm_invitations
from workshops.models import Invitation
from workshops.registration.services import register_participant

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]

WINDOW_SECONDS = 30  # stands for MAIL_RETRY_HOURS = 72
BACKOFF = "0.2,0.4,0.8,1"  # seconds, stands for the production schedule (minutes to hours)
SHORT_WINDOW = 4  # seconds: the second test waits until it is over
OLD_GIVE_UP = 8  # the old outbox failed an e-mail at its 8th try (invitations at the 5th)


@pytest.fixture
def sink():
    with SmtpSink() as smtp:
        yield smtp


@contextlib.contextmanager
def _mail_worker(settings, private_redis, sink, *, window: float):
    """A worker whose MAIL_RETRY_HOURS are ``window`` seconds (and this process's too)."""
    hours = str(window / 3600)
    settings.MAIL_RETRY_HOURS = window / 3600
    settings.MAIL_RETRY_BACKOFF = [float(s) for s in BACKOFF.split(",")]
    env = {
        **private_caches(settings, private_redis.url),
        "MAIL_RETRY_HOURS": hours,
        "MAIL_RETRY_BACKOFF": BACKOFF,
    }
    with (
        on_private_broker(private_redis.url),
        celery_worker(redis_url=private_redis.url, email_url=sink.url, extra_env=env) as worker,
    ):
        yield worker


@pytest.fixture
def mail_worker(settings, private_redis, sink):
    with _mail_worker(settings, private_redis, sink, window=WINDOW_SECONDS) as worker:
        yield worker


@pytest.fixture
def short_window_worker(settings, private_redis, sink):
    with _mail_worker(settings, private_redis, sink, window=SHORT_WINDOW) as worker:
        yield worker


def _register(workshop, n, email=None):
    return register_participant(
        workshop=workshop,
        first_name="Erika",
        last_name=f"Muster {n}",
        email=email or f"teilnehmer{n:02}@example.org",
    )


def test_a_long_451_outage_loses_nothing_and_doubles_nothing(mail_worker, sink, coordinator_client):
    sink.refuse_all(code=451)
    sink.refuse("gone-invite@example.org", code=550)
    sink.refuse("gone-reg@example.org", code=550)
    workshop = WorkshopFactory(capacity=50)
    started = time.monotonic()

    confirmations = [f"teilnehmer{n:02}@example.org" for n in range(20)]
    for n, _address in enumerate(confirmations):
        _register(workshop, n)
    _register(workshop, 99, email="gone-reg@example.org")
    invited = [f"eingeladen{n:02}@example.org" for n in range(50)]
    response = confirm_invitations(
        coordinator_client, workshop, {"emails": "\n".join([*invited, "gone-invite@example.org"])}
    )
    assert response.status_code == 302

    # A 550 fails at once, whatever the others do.
    assert wait_until(
        lambda: (
            OutboundEmail.objects.filter(to="gone-reg@example.org", status="failed").exists()
            and Invitation.objects.filter(email="gone-invite@example.org", status="failed").exists()
        ),
        timeout=20,
        beat_every=0.5,
    ), (
        list(OutboundEmail.objects.filter(to="gone-reg@example.org").values()),
        list(Invitation.objects.filter(email="gone-invite@example.org").values()),
        mail_worker.log()[-1500:],
    )
    assert OutboundEmail.objects.get(to="gone-reg@example.org").attempts == 1
    assert Invitation.objects.get(email="gone-invite@example.org").attempts == 1

    # The outage outlasts the old give-up: every other e-mail was tried more often than that.
    def tried_past_old_give_up():
        rows = [
            *OutboundEmail.objects.exclude(to="gone-reg@example.org").values_list(
                "attempts", "status"
            ),
            *Invitation.objects.exclude(email="gone-invite@example.org").values_list(
                "attempts", "status"
            ),
        ]
        return all(attempts > OLD_GIVE_UP for attempts, _status in rows)

    outage_ok = wait_until(tried_past_old_give_up, timeout=25, beat_every=0.5)
    outbox_states = dict(
        OutboundEmail.objects.exclude(to="gone-reg@example.org")
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    invitation_states = dict(
        Invitation.objects.exclude(email="gone-invite@example.org")
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    outage_seconds = time.monotonic() - started
    print(
        f"\nafter {outage_seconds:.1f} s of 451 (window {WINDOW_SECONDS} s): outbox {outbox_states},"
        f" invitations {invitation_states}, refused RCPTs {sum(sink.refused.values())}"
    )
    assert outage_ok, (outbox_states, invitation_states)
    assert outbox_states == {"pending": 20}
    assert invitation_states == {"pending": 50}
    assert sink.count() == 0

    # The relay recovers: everything arrives, exactly once.
    sink.refuse_all(None)
    expected = set(confirmations) | set(invited)
    assert wait_until(lambda: set(sink.recipients()) >= expected, timeout=20, beat_every=0.5), (
        mail_worker.log()[-3000:]
    )
    wait_until(lambda: False, timeout=2, beat_every=0.5)  # further catch-ups send nothing more
    received = sink.recipients()
    print(
        f"after recovery: {len(expected & set(received))} of {len(expected)} arrived, "
        f"doubled {doubled(received)}"
    )
    assert set(received) == expected
    assert doubled(received) == {}
    assert set(
        OutboundEmail.objects.exclude(to="gone-reg@example.org").values_list("status", flat=True)
    ) == {"sent"}
    assert set(
        Invitation.objects.exclude(email="gone-invite@example.org").values_list("status", flat=True)
    ) == {"sent"}

    # The address that refused the invitation works again: inviting it again sends it.
    sink.refuse("gone-invite@example.org", code=550, times=0)
    sink.refuse("gone-reg@example.org", code=550, times=0)
    response = confirm_invitations(
        coordinator_client, workshop, {"emails": "gone-invite@example.org"}
    )
    assert response.status_code == 302
    assert wait_until(
        lambda: sink.count("gone-invite@example.org") == 1, timeout=15, beat_every=0.5
    )

    # The failed confirmation is on the coordinators' list and is sent again from there.
    page = coordinator_client.get(reverse("mail:failed"))
    assert page.status_code == 200
    assert "gone-reg@example.org" in page.content.decode()
    assert "gone-invite@example.org" not in page.content.decode()  # sent meanwhile
    response = coordinator_client.post(reverse("mail:resend"))
    assert response.status_code == 302
    assert wait_until(lambda: sink.count("gone-reg@example.org") == 1, timeout=15, beat_every=0.5)
    wait_until(lambda: False, timeout=1.5, beat_every=0.5)
    received = sink.recipients()
    assert received["gone-reg@example.org"] == 1
    assert received["gone-invite@example.org"] == 1
    assert OutboundEmail.objects.get(to="gone-reg@example.org").status == "sent"


def test_past_the_retry_window_they_fail_are_listed_and_resent_once(
    short_window_worker, sink, coordinator_client
):
    sink.refuse_all(code=451)
    workshop = WorkshopFactory(capacity=50)
    started = time.monotonic()
    for n in range(5):
        _register(workshop, n)
    invited = [f"eingeladen{n:02}@example.org" for n in range(5)]
    response = confirm_invitations(coordinator_client, workshop, {"emails": "\n".join(invited)})
    assert response.status_code == 302
    expected = {f"teilnehmer{n:02}@example.org" for n in range(5)} | set(invited)

    first_failed_at = None

    def all_failed():
        nonlocal first_failed_at
        failed = OutboundEmail.objects.filter(status="failed").count() + (
            Invitation.objects.filter(status="failed").count()
        )
        if failed and first_failed_at is None:
            first_failed_at = time.monotonic() - started
        return failed == 10

    assert wait_until(all_failed, timeout=30, beat_every=0.5), short_window_worker.log()[-3000:]
    attempts = [
        *OutboundEmail.objects.values_list("attempts", flat=True),
        *Invitation.objects.values_list("attempts", flat=True),
    ]
    print(
        f"\n451 past the window ({SHORT_WINDOW} s): first failed after {first_failed_at:.1f} s, "
        f"attempts {min(attempts)}-{max(attempts)}"
    )
    assert first_failed_at >= SHORT_WINDOW  # never before the window
    assert min(attempts) > 1
    errors = [
        *OutboundEmail.objects.values_list("last_error", flat=True),
        *Invitation.objects.values_list("last_error", flat=True),
    ]
    assert all("451" in error for error in errors), errors

    dashboard = coordinator_client.get(reverse("companies:dashboard")).content.decode()
    assert "10 e-mails could not be delivered" in dashboard or "10 E-Mails" in dashboard
    assert reverse("mail:failed") in dashboard
    page = coordinator_client.get(reverse("mail:failed")).content.decode()
    assert all(address in page for address in expected)

    sink.refuse_all(None)
    assert coordinator_client.get(reverse("mail:resend")).status_code == 200
    assert coordinator_client.post(reverse("mail:resend")).status_code == 302
    assert wait_until(lambda: set(sink.recipients()) >= expected, timeout=20, beat_every=0.5)
    wait_until(lambda: False, timeout=1.5, beat_every=0.5)
    received = sink.recipients()
    print(f"after the resend: {len(received)} of 10 arrived, doubled {doubled(received)}")
    assert set(received) == expected and doubled(received) == {}
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"sent"}
    assert set(Invitation.objects.values_list("status", flat=True)) == {"sent"}
