"""Workshop invitations with eager Celery and the in-memory mail backend."""

import logging
import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from kombu.exceptions import OperationalError

from companies.models import CompanyMember
from networks.models import NetworkMembership
from regiolab.mail import services as mail_services
from tests.factories import (
    CompanyFactory,
    CompanyMemberFactory,
    NetworkMembershipFactory,
    RegistrationFactory,
    TrainingNetworkFactory,
    UserFactory,
    WorkshopFactory,
)
from workshops.invitations import services as invitations
from workshops.invitations.services import UNSUBSCRIBED
from workshops.invitations.tasks import send_invitations, send_pending_invitations
from workshops.models import Invitation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_pages(settings):
    """Pages in English, so the assertions read the source strings."""
    settings.LANGUAGE_CODE = "en"


def invite_url(workshop):
    return reverse("workshops:invite", args=[workshop.slug])


def list_url(workshop):
    return reverse("workshops:invitations", args=[workshop.slug])


def member(company, email, **kwargs):
    return CompanyMemberFactory(company=company, user=UserFactory(email=email), **kwargs)


def post_invite(client, workshop, data, capture):
    """The coordinator's two steps: the choice (answered with the preview), then confirming it."""
    with capture(execute=True):
        response = client.post(invite_url(workshop), data)
        plan = response.context.get("plan") if response.context else None
        if plan is None:  # the form came back with errors
            return response
        return client.post(
            invite_url(workshop), {**data, "action": "send", "fingerprint": plan.fingerprint}
        )


def recipients_of_outbox():
    return sorted(address for message in mail.outbox for address in message.to)


# --- Choosing recipients ---------------------------------------------------------------------


def test_network_members_are_invited_once_each(
    coordinator_client, coordinator, django_capture_on_commit_callbacks
):
    workshop = WorkshopFactory(title="Cobots in der Fertigung")
    network, other_network = TrainingNetworkFactory(), TrainingNetworkFactory()
    metall = CompanyFactory(name="Metall AG", contact_consent=True)
    holz = CompanyFactory(name="Holz KG", contact_consent=True)
    NetworkMembershipFactory(network=network, company=metall)
    NetworkMembershipFactory(network=network, company=holz)
    NetworkMembershipFactory(network=other_network, company=holz)  # same people, once
    member(metall, "Anna@Metall.example")
    member(metall, "ben@metall.example", role=CompanyMember.Role.MEMBER)
    member(metall, "asked@metall.example", status=CompanyMember.Status.REQUESTED)
    member(holz, "carla@holz.example")
    waiting = CompanyFactory(name="Wartend GmbH")
    NetworkMembershipFactory(
        network=network, company=waiting, status=NetworkMembership.Status.REQUESTED
    )
    member(waiting, "dora@wartend.example")
    outside = CompanyFactory(name="Fremd GmbH")
    NetworkMembershipFactory(network=TrainingNetworkFactory(), company=outside)
    member(outside, "emil@fremd.example")

    response = post_invite(
        coordinator_client,
        workshop,
        {"networks": [network.pk, other_network.pk], "consenting_only": "on"},
        django_capture_on_commit_callbacks,
    )

    assert response.status_code == 302
    assert response["Location"] == list_url(workshop)
    rows = {i.email: i for i in Invitation.objects.filter(workshop=workshop)}
    assert sorted(rows) == ["anna@metall.example", "ben@metall.example", "carla@holz.example"]
    assert rows["anna@metall.example"].company == metall
    assert rows["carla@holz.example"].company == holz
    assert {i.network_id for i in rows.values()} <= {network.pk, other_network.pk}
    assert all(i.invited_by == coordinator for i in rows.values())
    assert all(i.status == Invitation.Status.SENT and i.sent_at for i in rows.values())
    assert recipients_of_outbox() == sorted(rows)
    message = mail.outbox[0]
    assert "Cobots in der Fertigung" in message.subject
    assert f"http://127.0.0.1:8000/workshops/{workshop.slug}/register/" in message.body


def test_company_filter_invites_members_of_matching_consenting_companies(
    coordinator_client, django_capture_on_commit_callbacks
):
    workshop = WorkshopFactory()
    small_hannover = CompanyFactory(contact_consent=True)  # 25 staff: small, C, Hannover
    member(small_hannover, "match@small.example")
    member(CompanyFactory(contact_consent=False), "noconsent@small.example")
    member(CompanyFactory(contact_consent=True, municipality="Lehrte"), "lehrte@small.example")
    member(CompanyFactory(contact_consent=True, sector="J"), "it@small.example")
    member(CompanyFactory(contact_consent=True, headcount=300), "large@big.example")

    post_invite(
        coordinator_client,
        workshop,
        {
            "company-size_class": "small",
            "company-sector": "C",
            "company-municipality": "Hannover",
            "consenting_only": "on",
        },
        django_capture_on_commit_callbacks,
    )

    invited = list(Invitation.objects.filter(workshop=workshop).values_list("email", "company"))
    assert invited == [("match@small.example", small_hannover.pk)]
    assert recipients_of_outbox() == ["match@small.example"]


def test_company_filter_without_consent_limit_includes_all_matches(
    coordinator_client, django_capture_on_commit_callbacks
):
    workshop = WorkshopFactory()
    member(CompanyFactory(contact_consent=True, municipality="Lehrte"), "a@lehrte.example")
    member(CompanyFactory(contact_consent=False, municipality="Lehrte"), "b@lehrte.example")
    member(CompanyFactory(municipality="Garbsen"), "c@garbsen.example")

    post_invite(
        coordinator_client,
        workshop,
        {"company-municipality": "Lehrte"},  # checkbox unticked
        django_capture_on_commit_callbacks,
    )

    assert recipients_of_outbox() == ["a@lehrte.example", "b@lehrte.example"]


def test_pasted_list_keeps_good_addresses_and_lists_bad_ones(
    coordinator_client, django_capture_on_commit_callbacks
):
    workshop = WorkshopFactory()
    company = CompanyFactory(name="Bekannt GmbH")
    member(company, "known@bekannt.example")
    pasted = (
        "Anna@Example.org, ben@example.org;\n"
        "not-an-address\n"
        "<script>alert(1)</script>\n"
        "KNOWN@bekannt.example ; anna@example.org\n"
        "carla@@example.org"
    )

    response = post_invite(
        coordinator_client, workshop, {"emails": pasted}, django_capture_on_commit_callbacks
    )

    assert response.status_code == 200
    rows = dict(Invitation.objects.filter(workshop=workshop).values_list("email", "company"))
    assert rows == {
        "anna@example.org": None,
        "ben@example.org": None,
        "known@bekannt.example": company.pk,
    }
    assert recipients_of_outbox() == sorted(rows)
    page = response.content.decode()
    assert "not-an-address" in page
    assert "carla@@example.org" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert" not in page
    assert "3 invitations will be sent." in page
    # Only the bad ones come back in the text box for correction.
    textarea = page.split('name="emails"')[1].split("</textarea>")[0]
    assert "not-an-address" in textarea and "ben@example.org" not in textarea


def test_reinviting_creates_no_duplicate_and_sends_nothing_again(
    coordinator_client, django_capture_on_commit_callbacks
):
    workshop = WorkshopFactory()
    post_invite(
        coordinator_client,
        workshop,
        {"emails": "a@example.org\nb@example.org"},
        django_capture_on_commit_callbacks,
    )
    assert len(mail.outbox) == 2

    response = post_invite(
        coordinator_client,
        workshop,
        {"emails": "A@EXAMPLE.org\nb@example.org\nc@example.org"},
        django_capture_on_commit_callbacks,
    )
    send_invitations.delay(workshop.pk)  # a second run of the task sends nothing again

    assert response.status_code == 302
    assert sorted(Invitation.objects.values_list("email", flat=True)) == [
        "a@example.org",
        "b@example.org",
        "c@example.org",
    ]
    assert recipients_of_outbox() == ["a@example.org", "b@example.org", "c@example.org"]
    page = coordinator_client.get(list_url(workshop)).content.decode()
    assert "2 addresses had already been invited and were skipped." in page


def test_reinviting_an_address_whose_invitation_failed_sends_it_again(
    coordinator_client, django_capture_on_commit_callbacks
):
    workshop = WorkshopFactory()
    Invitation.objects.create(
        workshop=workshop, email="gone@example.org", status="failed", last_error="550 unknown"
    )
    Invitation.objects.create(
        workshop=workshop, email="out@example.org", status="failed", last_error=UNSUBSCRIBED
    )
    Invitation.objects.create(workshop=workshop, email="done@example.org", status="sent")

    response = post_invite(
        coordinator_client,
        workshop,
        {"emails": "gone@example.org\nout@example.org\ndone@example.org"},
        django_capture_on_commit_callbacks,
    )

    assert response.status_code == 302
    assert recipients_of_outbox() == ["gone@example.org"]
    assert Invitation.objects.get(email="gone@example.org").status == "sent"
    assert Invitation.objects.get(email="out@example.org").status == "failed"
    page = coordinator_client.get(list_url(workshop)).content.decode()
    assert "1 invitation had failed before and will be sent again." in page
    assert "1 address had already been invited and was skipped." in page
    assert "1 address has unsubscribed from invitations and was left out." in page


def test_invite_service_ignores_a_row_written_meanwhile():
    workshop = WorkshopFactory()
    Invitation.objects.create(workshop=workshop, email="x@example.org")
    result = invitations.invite(
        workshop=workshop,
        recipients=[invitations.Recipient("X@example.org"), invitations.Recipient("y@example.org")],
    )
    assert (result.created, result.already_invited) == (1, 1)
    assert Invitation.objects.filter(workshop=workshop).count() == 2


def test_invitation_email_in_the_workshop_language_with_facts(
    coordinator_client, django_capture_on_commit_callbacks
):
    workshop = WorkshopFactory(
        title="Robotik",
        title_en="Robotics for SMEs",
        language="en",
        venue="Technologiezentrum Hannover",
        capacity=12,
    )
    RegistrationFactory(workshop=workshop)
    workshop.seats_taken = 1
    workshop.save(update_fields=["seats_taken"])

    post_invite(
        coordinator_client,
        workshop,
        {"emails": "x@example.org"},
        django_capture_on_commit_callbacks,
    )

    (message,) = mail.outbox
    html = message.alternatives[0].content
    assert message.subject == "Invitation: Robotics for SMEs"
    for body in (message.body, html):
        assert "Robotics for SMEs" in body
        assert "Technologiezentrum Hannover" in body
        assert "11 places left" in body
        assert f"http://127.0.0.1:8000/workshops/{workshop.slug}/register/" in body
    assert '<html lang="en">' in html


def test_german_workshop_invitation_is_german(django_capture_on_commit_callbacks):
    workshop = WorkshopFactory(title="Digitales Lernen", language="de")
    with django_capture_on_commit_callbacks(execute=True):
        invitations.invite(workshop=workshop, recipients=[invitations.Recipient("x@example.org")])
    (message,) = mail.outbox
    assert "Digitales Lernen" in message.subject
    assert '<html lang="de">' in message.alternatives[0].content


# --- Sending: SMTP errors, retries, broker down ----------------------------------------------


class FlakySmtp:
    """A mail connection answering chosen recipients with an SMTP error code."""

    def __init__(self, codes: dict[str, int], sent: list):
        self.codes = codes
        self.sent = sent
        self.opened = 0

    def open(self):
        self.opened += 1

    def close(self):
        pass

    def send_messages(self, messages):
        (address,) = messages[0].to
        code = self.codes.get(address)
        if code:
            raise smtplib.SMTPRecipientsRefused({address: (code, b"answer from the server")})
        self.sent.append(address)
        return 1


def test_4xx_stays_pending_and_is_retried_5xx_fails(monkeypatch, settings):
    settings.MAIL_RETRY_BACKOFF = [0]  # the retry is due at once
    workshop = WorkshopFactory()
    for address in ("ok@example.org", "busy@example.org", "gone@example.org"):
        Invitation.objects.create(workshop=workshop, email=address)
    sent: list[str] = []
    codes = {"busy@example.org": 451, "gone@example.org": 550}
    monkeypatch.setattr(mail_services, "get_connection", lambda **kw: FlakySmtp(codes, sent))

    result = invitations.send_workshop_invitations(workshop_id=workshop.pk)

    assert (result.sent, result.deferred, result.failed) == (1, 1, 1)
    rows = {i.email: i for i in Invitation.objects.all()}
    assert rows["ok@example.org"].status == Invitation.Status.SENT
    assert rows["busy@example.org"].status == Invitation.Status.PENDING
    assert rows["busy@example.org"].attempts == 1
    assert rows["busy@example.org"].last_error == "451 answer from the server"
    assert rows["gone@example.org"].status == Invitation.Status.FAILED
    assert rows["gone@example.org"].last_error.startswith("550")

    codes.pop("busy@example.org")  # the server accepts it now
    again = invitations.send_workshop_invitations(workshop_id=workshop.pk)

    assert (again.sent, again.deferred, again.failed) == (1, 0, 0)
    assert sent == ["ok@example.org", "busy@example.org"]
    busy = Invitation.objects.get(email="busy@example.org")
    assert (busy.status, busy.attempts, busy.last_error) == ("sent", 2, "")


def test_4xx_fails_only_after_the_retry_window(monkeypatch, settings):
    settings.MAIL_RETRY_BACKOFF = [0]
    workshop = WorkshopFactory()
    Invitation.objects.create(workshop=workshop, email="busy@example.org")
    sent: list[str] = []
    monkeypatch.setattr(
        mail_services,
        "get_connection",
        lambda **kw: FlakySmtp({"busy@example.org": 421}, sent),
    )
    for _ in range(10):  # more tries than the old give-up (5)
        invitations.send_workshop_invitations(workshop_id=workshop.pk)
    row = Invitation.objects.get()
    assert (row.status, row.attempts) == (Invitation.Status.PENDING, 10)
    Invitation.objects.update(
        failing_since=timezone.now() - timedelta(hours=settings.MAIL_RETRY_HOURS)
    )
    invitations.send_workshop_invitations(workshop_id=workshop.pk)
    row = Invitation.objects.get()
    assert (row.status, row.attempts) == (Invitation.Status.FAILED, 11)
    assert sent == []


def test_one_connection_per_batch(monkeypatch):
    workshop = WorkshopFactory()
    Invitation.objects.bulk_create(
        Invitation(workshop=workshop, email=f"p{n}@example.org") for n in range(7)
    )
    sent: list[str] = []
    connections: list[FlakySmtp] = []

    def connect(**kwargs):
        connections.append(FlakySmtp({}, sent))
        return connections[-1]

    monkeypatch.setattr(mail_services, "get_connection", connect)
    result = invitations.send_workshop_invitations(workshop_id=workshop.pk, batch_size=3)

    assert result.sent == 7 and len(sent) == 7
    assert [c.opened for c in connections] == [1, 1, 1]


def test_a_claimed_batch_is_left_to_its_sender_until_the_claim_runs_out(monkeypatch, settings):
    """A run's claim keeps other runs off its rows; a claim left by a dead worker runs out, and
    the row goes out then with the Message-ID it was written with."""
    settings.MAIL_CLAIM_SECONDS = 600
    workshop = WorkshopFactory()
    Invitation.objects.create(workshop=workshop, email="a@example.org", message_id="<a.1@x>")
    assert mail_services.claim(Invitation, list(Invitation.objects.values_list("pk", flat=True)))
    sent: list[str] = []
    monkeypatch.setattr(mail_services, "get_connection", lambda **kw: FlakySmtp({}, sent))

    assert invitations.send_workshop_invitations(workshop_id=workshop.pk).sent == 0
    assert send_pending_invitations.delay().get() == 0
    Invitation.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert invitations.send_workshop_invitations(workshop_id=workshop.pk).sent == 1
    assert sent == ["a@example.org"]
    row = Invitation.objects.get()
    assert (row.status, row.next_attempt_at, row.message_id) == ("sent", None, "<a.1@x>")


def test_a_lost_connection_leaves_the_rest_of_the_batch_due(monkeypatch):
    workshop = WorkshopFactory()
    for address in ("a@example.org", "b@example.org", "c@example.org"):
        Invitation.objects.create(workshop=workshop, email=address)
    sent: list[str] = []

    class Drops(FlakySmtp):
        def send_messages(self, messages):
            if messages[0].to == ["b@example.org"]:
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
            return super().send_messages(messages)

    monkeypatch.setattr(mail_services, "get_connection", lambda **kw: Drops({}, sent))
    result = invitations.send_workshop_invitations(workshop_id=workshop.pk)

    assert (result.sent, result.deferred) == (1, 1)
    rows = {i.email: i for i in Invitation.objects.all()}
    assert rows["b@example.org"].status == "pending" and rows["b@example.org"].next_attempt_at
    assert rows["c@example.org"].attempts == 0 and rows["c@example.org"].next_attempt_at is None


def test_smtp_server_down_leaves_rows_pending(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    workshop = WorkshopFactory()
    for n in range(3):
        Invitation.objects.create(workshop=workshop, email=f"p{n}@example.org")

    result = invitations.send_workshop_invitations(workshop_id=workshop.pk)

    assert result.sent == 0 and result.retry_later
    assert set(Invitation.objects.values_list("status", flat=True)) == {"pending"}
    first = Invitation.objects.order_by("pk").first()
    assert first.attempts == 1 and "Connection" in first.last_error


def test_broker_down_request_succeeds_and_periodic_task_sends_later(
    coordinator_client, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    workshop = WorkshopFactory()

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:1. Connection refused.")

    monkeypatch.setattr(send_invitations, "delay", broker_down)
    with caplog.at_level(logging.WARNING, logger="workshops.invitations"):
        response = post_invite(
            coordinator_client,
            workshop,
            {"emails": "a@example.org\nb@example.org"},
            django_capture_on_commit_callbacks,
        )

    assert response.status_code == 302
    assert set(Invitation.objects.values_list("status", flat=True)) == {"pending"}
    assert mail.outbox == []
    assert "periodic task will send them" in caplog.text

    send_pending_invitations.delay()  # fresh rows are left to the task the request enqueued
    assert mail.outbox == []

    Invitation.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    send_pending_invitations.delay()
    send_pending_invitations.delay()

    assert recipients_of_outbox() == ["a@example.org", "b@example.org"]
    assert set(Invitation.objects.values_list("status", flat=True)) == {"sent"}


def test_invitations_of_a_cancelled_workshop_are_not_sent():
    workshop = WorkshopFactory()
    Invitation.objects.create(workshop=workshop, email="a@example.org")
    workshop.status = "cancelled"
    workshop.save(update_fields=["status"])

    invitations.send_workshop_invitations(workshop_id=workshop.pk)

    row = Invitation.objects.get()
    assert row.status == Invitation.Status.FAILED and "no longer open" in row.last_error
    assert mail.outbox == []


# --- Invitation page -------------------------------------------------------------------------


def test_list_shows_status_registered_counts_and_errors(coordinator_client):
    workshop = WorkshopFactory()
    company = CompanyFactory(name="Sichtbar GmbH")
    now = timezone.now()
    Invitation.objects.create(
        workshop=workshop, email="sent@example.org", company=company, status="sent", sent_at=now
    )
    Invitation.objects.create(
        workshop=workshop, email="came@example.org", status="sent", sent_at=now
    )
    Invitation.objects.create(
        workshop=workshop, email="left@example.org", status="sent", sent_at=now
    )
    Invitation.objects.create(
        workshop=workshop, email="gone@example.org", status="failed", last_error="550 No such user"
    )
    Invitation.objects.create(
        workshop=workshop,
        email="wait@example.org",
        attempts=2,
        last_error="451 Try again later",
    )
    RegistrationFactory(workshop=workshop, email="Came@Example.org")
    RegistrationFactory(workshop=workshop, email="left@example.org", status="cancelled")
    RegistrationFactory(email="sent@example.org")  # another workshop

    response = coordinator_client.get(list_url(workshop))

    assert response.status_code == 200
    assert response.context["counts"] == {
        "total": 5,
        "registered": 1,
        "pending": 1,
        "sent": 2,
        "failed": 1,
        "unsubscribed": 0,
    }
    rows = {i.email: i for i in response.context["invitations"]}
    assert rows["came@example.org"].registered is True
    assert rows["left@example.org"].registered is False
    assert rows["sent@example.org"].registered is False
    page = response.content.decode()
    assert "Sichtbar GmbH" in page
    assert "550 No such user" in page
    assert "451 Try again later" in page
    assert page.count('class="badge status-registered"') == 1
    assert page.count("<h1") == 1
    assert reverse("workshops:invite", args=[workshop.slug]) in page


def test_list_does_not_show_other_workshops_invitations(coordinator_client):
    workshop = WorkshopFactory()
    Invitation.objects.create(workshop=WorkshopFactory(), email="other@example.org")
    page = coordinator_client.get(list_url(workshop)).content.decode()
    assert "other@example.org" not in page
    assert "Nobody has been invited yet." in page


def test_list_query_count_does_not_grow_with_rows(
    coordinator_client, django_assert_num_queries, django_assert_max_num_queries
):
    few, many = WorkshopFactory(), WorkshopFactory()

    def fill(workshop, count):
        for n in range(count):
            company = CompanyFactory()
            Invitation.objects.create(workshop=workshop, email=f"p{n}@example.org", company=company)
            if n % 3 == 0:
                RegistrationFactory(workshop=workshop, email=f"p{n}@example.org")

    fill(few, 3)
    fill(many, 30)
    coordinator_client.get(list_url(few))  # warm up session and caches

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as baseline:
        response = coordinator_client.get(list_url(few))
    assert len(response.context["invitations"]) == 3
    with django_assert_num_queries(len(baseline.captured_queries)):
        response = coordinator_client.get(list_url(many))
    assert len(response.context["invitations"]) == 30


def test_list_is_paginated(coordinator_client):
    workshop = WorkshopFactory()
    Invitation.objects.bulk_create(
        Invitation(workshop=workshop, email=f"p{n:03}@example.org") for n in range(60)
    )
    first = coordinator_client.get(list_url(workshop))
    second = coordinator_client.get(list_url(workshop), {"page": 2})
    assert len(first.context["invitations"]) == 50
    assert len(second.context["invitations"]) == 10
    assert "p059@example.org" in second.content.decode()
    assert "p059@example.org" not in first.content.decode()


def test_unknown_workshop_is_404(coordinator_client):
    assert coordinator_client.get("/workshops/gibt-es-nicht/invitations/").status_code == 404
    assert coordinator_client.get("/workshops/gibt-es-nicht/invitations/new/").status_code == 404


@pytest.mark.parametrize("name", ["workshops:invitations", "workshops:invite"])
def test_anonymous_is_sent_to_login(client, name):
    workshop = WorkshopFactory()
    response = client.get(reverse(name, args=[workshop.slug]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", ["workshops:invitations", "workshops:invite"])
def test_company_rep_is_forbidden(client, name):
    workshop = WorkshopFactory()
    rep = CompanyMemberFactory().user
    client.force_login(rep)
    assert client.get(reverse(name, args=[workshop.slug])).status_code == 403


def test_company_rep_cannot_invite(client, django_capture_on_commit_callbacks):
    workshop = WorkshopFactory()
    client.force_login(CompanyMemberFactory().user)
    response = post_invite(
        client, workshop, {"emails": "a@example.org"}, django_capture_on_commit_callbacks
    )
    assert response.status_code == 403
    assert not Invitation.objects.exists()
    assert mail.outbox == []


# --- Bad input on the form ---------------------------------------------------------------------


def test_form_page_renders_with_choices(coordinator_client):
    workshop = WorkshopFactory()
    network = TrainingNetworkFactory(name="Verbund Robotik")
    response = coordinator_client.get(invite_url(workshop))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Verbund Robotik" in page and f'value="{network.pk}"' in page
    assert 'name="emails"' in page and page.count("<h1") == 1
    for name in ("company-size_class", "company-sector", "company-municipality", "company-q"):
        assert f'name="{name}"' in page  # the company list's own filter
    assert 'name="company-ordering"' not in page and 'name="company-network"' not in page


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        ({}, None, "nothing_chosen"),
        ({"emails": "  \n ,; "}, None, "nothing_chosen"),
        ({"networks": ["abc"]}, "networks", "invalid_pk_value"),
        ({"networks": ["999999"]}, "networks", "invalid_choice"),
        ({"company-size_class": "huge"}, "company-size_class", "invalid_choice"),
        ({"company-sector": "<script>"}, "company-sector", "invalid_choice"),
        ({"company-municipality": "Berlin"}, "company-municipality", "invalid_choice"),
        ({"company-kind": "<script>"}, "company-kind", "invalid_choice"),
        ({"company-q": "x" * 101}, "company-q", "max_length"),
        ({"emails": "a@example.org\n" * 10_000}, "emails", "max_length"),
        ({"emails": "garbage, more garbage"}, "emails", "invalid"),
        ({"emails": "<script>alert('x')</script>"}, "emails", "invalid"),
        ({"emails": "\n".join(f"p{n}@x.de" for n in range(1001))}, "emails", "too_many"),
    ],
)
def test_bad_input_shows_errors_and_saves_nothing(
    coordinator_client, django_capture_on_commit_callbacks, data, field, code
):
    workshop = WorkshopFactory()
    response = post_invite(coordinator_client, workshop, data, django_capture_on_commit_callbacks)

    assert response.status_code == 200
    form = response.context["form"]
    if field and field.startswith("company-"):
        form, field = form.company_filter.form, field.removeprefix("company-")
    errors = form.errors.as_data().get(field or "__all__")
    assert errors and any(e.code == code for e in errors), form.errors
    page = response.content.decode()
    for message in form.errors.get(field or "__all__"):
        assert str(escape(message)) in page  # shown next to the field
    assert "<script>alert" not in page and 'value="<script>' not in page
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_network_without_members_is_reported(
    coordinator_client, django_capture_on_commit_callbacks
):
    workshop = WorkshopFactory()
    network = TrainingNetworkFactory()
    response = post_invite(
        coordinator_client, workshop, {"networks": [network.pk]}, django_capture_on_commit_callbacks
    )
    assert response.status_code == 200
    assert "No recipients were found for your choice." in response.content.decode()
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("status", ["draft", "cancelled"])
def test_closed_workshop_cannot_invite(
    coordinator_client, django_capture_on_commit_callbacks, status
):
    workshop = WorkshopFactory(status=status)
    response = post_invite(
        coordinator_client,
        workshop,
        {"emails": "a@example.org"},
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 200
    assert "only be sent for published workshops" in response.content.decode()
    assert not Invitation.objects.exists()


def test_parse_addresses_splits_and_validates():
    parsed = invitations.parse_addresses(
        "A@b.de;c@d.de, e@f.de\r\n\tg@h\n<i@j.de>\na@B.DE\n" + "x" * 250 + "@y.de"
    )
    assert parsed.valid == ["a@b.de", "c@d.de", "e@f.de", "i@j.de"]
    assert parsed.invalid == ["g@h", "x" * 250 + "@y.de"]


# --- Sending through Django's SMTP backend to a real server ----------------------------------


def use_sink(settings, sink):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = sink.host, sink.port, 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""


def test_each_address_gets_its_whole_message_over_smtp(settings):
    """Sent through the backend's public send_messages to an SMTP server: every message parses
    whole, with its own To, stored Message-ID and unsubscribe link; a second run sends nothing."""
    from regiolab.mail import unsubscribe_url
    from tests.support.smtp_sink import SmtpSink

    workshop = WorkshopFactory()
    addresses = [f"p{n}@example.org" for n in range(5)]
    for address in addresses:
        Invitation.objects.create(workshop=workshop, email=address, message_id=f"<{address}>")
    with SmtpSink() as sink:
        use_sink(settings, sink)
        assert invitations.send_workshop_invitations(workshop_id=workshop.pk).sent == 5
        assert invitations.send_workshop_invitations(workshop_id=workshop.pk).sent == 0
        assert sink.wait_for(5, timeout=5)
        received = {address: sink.messages_to(address) for address in addresses}

    for address, messages in received.items():
        assert len(messages) == 1
        (message,) = messages
        link = unsubscribe_url(address).rsplit(":", 2)[0]  # the signed address, not its time
        assert (message["To"], message["Message-ID"]) == (address, f"<{address}>")
        assert link in message["List-Unsubscribe"]
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert workshop.title in text and link in text and link in html
        assert invitations.UNSUBSCRIBE_MARK not in text + html
    assert set(Invitation.objects.values_list("status", flat=True)) == {"sent"}


def _invitation_and_plain_seconds(settings, count: int) -> tuple[float, float]:
    import time
    from email.message import EmailMessage

    from tests.support.smtp_sink import SmtpSink

    workshop = WorkshopFactory()
    addresses = [f"p{n:03d}@example.org" for n in range(count)]
    Invitation.objects.bulk_create(Invitation(workshop=workshop, email=a) for a in addresses)
    subject, text, html = invitations.render_invitation(workshop)
    with SmtpSink() as sink:
        use_sink(settings, sink)
        started = time.perf_counter()
        with smtplib.SMTP(sink.host, sink.port) as smtp:
            for address in addresses:
                plain = EmailMessage()
                plain["Subject"], plain["From"], plain["To"] = subject, "x@example.org", address
                plain.set_content(text)
                plain.add_alternative(html, subtype="html")
                smtp.send_message(plain)
        assert sink.wait_for(count, timeout=60)
        plain_seconds = time.perf_counter() - started
        sink.clear()

        started = time.perf_counter()
        assert invitations.send_workshop_invitations(workshop_id=workshop.pk).sent == count
        assert sink.wait_for(count, timeout=60)
        return time.perf_counter() - started, plain_seconds


def test_sending_keeps_at_least_half_the_rate_of_a_plain_smtplib_loop(settings):
    """The bench's invitation goal (tests/perf/bench.py: >= 0.5 x a plain smtplib loop sending
    the same message over one connection), measured in process against the same sink. The best
    of three tries: on a machine busy with other work one try can lose half its speed."""
    count = 200
    ratios = []
    for _ in range(3):
        seconds, plain_seconds = _invitation_and_plain_seconds(settings, count)
        ratios.append(plain_seconds / seconds)
        print(f"plain {count / plain_seconds:.0f}/s, invitations {count / seconds:.0f}/s")
        if ratios[-1] >= 0.5:
            break
    assert max(ratios) >= 0.5
