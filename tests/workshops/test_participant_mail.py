"""A coordinator's e-mail to a workshop's participants: groups, a selection, each person once,
preview equals what the outbox sends, a second confirmation sends nothing, bad input sends
nothing."""

import email
from email import policy

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from regiolab.mail import deliver_new, opt_out
from tests.factories import RegistrationFactory, WorkshopFactory
from workshops.models import ParticipantMessage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_pages(settings):
    settings.LANGUAGE_CODE = "en"


def url(workshop):
    return reverse("workshops:participants_email", args=[workshop.slug])


@pytest.fixture
def workshop():
    workshop = WorkshopFactory(title="Cobots", title_en="Cobots (EN)", capacity=20)
    for status, address, language in [
        ("confirmed", "conf1@example.org", "de"),
        ("confirmed", "conf2@example.org", "en"),
        ("waitlisted", "wait@example.org", "de"),
        ("attended", "came@example.org", "de"),
        ("no_show", "away@example.org", "en"),
        ("cancelled", "cancelled@example.org", "de"),
    ]:
        RegistrationFactory(workshop=workshop, status=status, email=address, language=language)
    return workshop


def preview(client, workshop, **data):
    return client.post(url(workshop), {"subject": "Room change", "text": "Room 2.", **data})


def send(client, workshop, response, capture):
    """Confirm a preview the way its form does (its hidden fields posted back)."""
    context = response.context
    data = {
        "subject": context["subject"],
        "text": context["text"],
        "group": context["group"],
        "key": context["key"],
        "recipients": context["registration_ids"],
        "action": "send",
    }
    if context["selection"]:
        data["registrations"] = [r.pk for r in context["selection"]]
    with capture(execute=True):
        result = client.post(url(workshop), data)
    deliver_new()
    return result


def received():
    return sorted(address for message in mail.outbox for address in message.to)


@pytest.mark.parametrize(
    ("group", "expected"),
    [
        ("all", ["away", "came", "conf1", "conf2", "wait"]),
        ("confirmed", ["conf1", "conf2"]),
        ("waitlisted", ["wait"]),
        ("attended", ["came"]),
        ("no_show", ["away"]),
    ],
)
def test_each_group_gets_the_message(
    coordinator_client, workshop, django_capture_on_commit_callbacks, group, expected
):
    response = preview(coordinator_client, workshop, group=group)
    assert response.status_code == 200
    assert not ParticipantMessage.objects.exists() and mail.outbox == []  # preview only
    sent = send(coordinator_client, workshop, response, django_capture_on_commit_callbacks)
    assert sent.status_code == 302
    assert received() == [f"{name}@example.org" for name in expected]
    assert ParticipantMessage.objects.get().recipients == len(expected)


def test_a_selection_each_person_once_and_preview_is_what_is_sent(
    coordinator_client, workshop, django_capture_on_commit_callbacks
):
    # The same address once more (an earlier, cancelled registration, selected too).
    twice = RegistrationFactory(
        workshop=workshop, status="cancelled", email="CONF1@example.org", first_name="Zweit"
    )
    ids = list(
        workshop.registrations.exclude(email="cancelled@example.org").values_list("pk", flat=True)
    )
    page = coordinator_client.get(url(workshop), {"registrations": ids})
    assert page.status_code == 200 and len(page.context["selection"]) == len(ids)

    response = preview(coordinator_client, workshop, registrations=ids)
    plan = response.context["plan"]
    assert plan.duplicates == 1 and twice not in plan.recipients
    previews = {p.language: p for p in plan.previews}
    assert sorted(previews) == ["de", "en"]
    send(coordinator_client, workshop, response, django_capture_on_commit_callbacks)

    assert received() == sorted(
        [
            "conf1@example.org",
            "conf2@example.org",
            "wait@example.org",
            "came@example.org",
            "away@example.org",
        ]
    )
    messages = {
        m.to[0]: email.message_from_bytes(m.message().as_bytes(), policy=policy.default)
        for m in mail.outbox
    }
    for shown in previews.values():
        message = messages[shown.sample_to]
        assert message["Subject"] == shown.subject == "Room change"
        assert message.get_body(("plain",)).get_content().strip() == shown.text.strip()
        assert "Room 2." in shown.text
    assert "Hello" in previews["en"].text and "Guten Tag" in previews["de"].text
    assert "Sie sich für diesen Workshop angemeldet haben" in previews["de"].text
    assert "Cobots (EN)" in previews["en"].text


def test_an_unsubscribed_participant_is_told_about_and_still_written_to(
    coordinator_client, workshop, django_capture_on_commit_callbacks
):
    opt_out(email="conf2@example.org")  # unsubscribed from invitations
    response = preview(coordinator_client, workshop, group="confirmed")
    assert response.context["plan"].unsubscribed == 1
    assert '<dd data-count="unsubscribed">1 – still receives' in response.content.decode()
    send(coordinator_client, workshop, response, django_capture_on_commit_callbacks)
    assert received() == ["conf1@example.org", "conf2@example.org"]


def test_confirming_twice_sends_once(
    coordinator_client, workshop, django_capture_on_commit_callbacks
):
    response = preview(coordinator_client, workshop, group="confirmed")
    send(coordinator_client, workshop, response, django_capture_on_commit_callbacks)
    again = send(coordinator_client, workshop, response, django_capture_on_commit_callbacks)
    assert again.status_code == 302
    assert received() == ["conf1@example.org", "conf2@example.org"]
    assert ParticipantMessage.objects.count() == 1
    followed = coordinator_client.get(again["Location"])
    assert "already been sent" in followed.content.decode()
    # The compose page lists it once, with who sent it and to how many.
    history = coordinator_client.get(url(workshop)).context["sent_before"]
    assert [(m.subject, m.recipients, m.sent_by.email) for m in history] == [
        ("Room change", 2, "koordination@regiolab.example")
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"subject": "", "text": "x"}, "Please enter a subject."),
        ({"subject": "x", "text": "  "}, "Please enter the text of the message."),
        ({"subject": "a\nb", "text": "x"}, "without line breaks"),
        ({"subject": "x" * 201, "text": "x"}, "at most 200 characters"),
        ({"subject": "x", "text": "x", "group": "everyone"}, "Select a valid choice"),
        ({"subject": "x", "text": "x", "registrations": ["abc"]}, "not registration numbers"),
    ],
)
def test_bad_input_sends_nothing(coordinator_client, workshop, data, message):
    response = coordinator_client.post(url(workshop), {**data, "action": "send"})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ParticipantMessage.objects.exists() and mail.outbox == []


def test_foreign_registration_ids_are_named_and_nothing_is_sent(
    coordinator_client, workshop, django_capture_on_commit_callbacks
):
    other = RegistrationFactory(email="other@example.org")  # another workshop
    own = workshop.registrations.filter(status="confirmed").first()
    response = preview(coordinator_client, workshop, registrations=[own.pk, other.pk])
    assert response.status_code == 200
    page = response.content.decode()
    assert "do not belong to this workshop" in page and str(other.pk) in page
    # Nor when posted straight to the send step.
    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(
            url(workshop),
            {
                "subject": "x",
                "text": "y",
                "recipients": [other.pk],
                "key": "a" * 32,
                "action": "send",
            },
        )
    assert not ParticipantMessage.objects.exists() and mail.outbox == []
    # Arriving from the participants page with a foreign id shows it too.
    arriving = coordinator_client.get(url(workshop), {"registrations": [other.pk]})
    assert "do not belong to this workshop" in arriving.content.decode()


def test_send_without_a_preview_is_refused(coordinator_client, workshop):
    ids = list(workshop.registrations.values_list("pk", flat=True))
    response = coordinator_client.post(
        url(workshop), {"subject": "x", "text": "y", "recipients": ids, "action": "send"}
    )
    assert "Please preview the message before sending it." in response.content.decode()
    assert not ParticipantMessage.objects.exists()


def test_empty_group_is_reported(coordinator_client):
    workshop = WorkshopFactory()
    response = preview(coordinator_client, workshop, group="attended")
    assert "Nobody to write to" in response.content.decode()


def test_participants_page_links_to_it(coordinator_client, workshop):
    page = coordinator_client.get(reverse("workshops:participants", args=[workshop.slug]))
    assert url(workshop) in page.content.decode()


def test_preview_query_count_does_not_grow_with_recipients(coordinator_client):
    counts = []
    for n in (2, 25):
        workshop = WorkshopFactory(capacity=50)
        for i in range(n):
            RegistrationFactory(workshop=workshop, language="en" if i % 2 else "de")
        with CaptureQueriesContext(connection) as queries:
            response = preview(coordinator_client, workshop, group="all")
        assert len(response.context["plan"].recipients) == n
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
