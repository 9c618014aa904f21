"""The newsletter as subscribers and coordinators see it: double opt-in with a confirmation
e-mail, one-click unsubscription (RFC 8058) without login, composing with the next six weeks
prefilled, the preview with its number of recipients, and sending through the outbox in
batches with List-Unsubscribe headers. E-mails are parsed with Python's email package."""

import email
import re
from datetime import timedelta
from email import policy as email_policy
from urllib.parse import urlsplit

import pytest
from django.core import mail as django_mail
from django.urls import reverse
from django.utils import timezone

from policy.models import Newsletter, NewsletterDelivery, PartnerEvent, PartnerFeed, Subscriber
from policy.newsletter import services
from regiolab.mail.models import OutboundEmail
from regiolab.privacy.models import Consent
from tests.factories import UserFactory, WorkshopFactory

pytestmark = pytest.mark.django_db


def parsed(message) -> email.message.EmailMessage:
    return email.message_from_bytes(message.message().as_bytes(), policy=email_policy.default)


def body_of(msg, subtype="plain") -> str:
    return msg.get_body(preferencelist=(subtype,)).get_content()


def path_of(url: str) -> str:
    return urlsplit(url).path


def _subscribe(client, address, capture):
    with capture(execute=True):
        return client.post(
            reverse("policy:newsletter_subscribe"), {"email": address, "consent": "on"}
        )


def _active(address="leser@example.org") -> Subscriber:
    return Subscriber.objects.create(
        email=address, confirmed_at=timezone.now(), consent_text_version="newsletter-1"
    )


# --- subscribing -------------------------------------------------------------------------------


def test_double_opt_in_confirmation_mail_and_link(client, django_capture_on_commit_callbacks):
    response = _subscribe(client, "Leserin@Example.org", django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert "leserin@example.org" in response.content.decode().lower()
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "leserin@example.org" and not subscriber.active
    assert len(django_mail.outbox) == 1
    msg = parsed(django_mail.outbox[0])
    assert msg["To"] == "leserin@example.org"
    assert "newsletter" in msg["Subject"].lower()
    links = re.findall(r"https?://\S+/newsletter/confirm/\S+/", body_of(msg))
    assert links and links[0] in body_of(msg, "html")
    # Not yet confirmed: no consent, no newsletter.
    assert not Consent.objects.exists()
    assert not services.recipients().exists()

    page = client.get(path_of(links[0]))
    assert page.status_code == 200 and b"<form" in page.content
    subscriber.refresh_from_db()
    assert subscriber.confirmed_at is None  # GET (a mail scanner) changes nothing

    done = client.post(path_of(links[0]))
    assert done.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.active
    consent = Consent.objects.get()
    assert (consent.purpose, consent.source, consent.email) == (
        "newsletter",
        "newsletter_form",
        "leserin@example.org",
    )
    assert consent.subject == f"subscriber:{subscriber.pk}" and consent.withdrawn_at is None


def test_subscribing_again_sends_nothing_and_reveals_nothing(
    client, django_capture_on_commit_callbacks
):
    _active("leser@example.org")
    new = _subscribe(client, "neu@example.org", django_capture_on_commit_callbacks)
    known = _subscribe(client, "leser@example.org", django_capture_on_commit_callbacks)

    assert [m.to for m in django_mail.outbox] == [["neu@example.org"]]

    def strip(response):
        page = re.sub(r'value="[^"]{40,}"', "", response.content.decode())
        return page.replace("neu@example.org", "X").replace("leser@example.org", "X")

    assert strip(new) == strip(known)
    # A second request within 10 minutes does not mail the waiting address again.
    _subscribe(client, "neu@example.org", django_capture_on_commit_callbacks)
    assert len(django_mail.outbox) == 1


@pytest.mark.parametrize(
    "data, message",
    [
        ({"email": "kein-at-zeichen", "consent": "on"}, "gültige E-Mail-Adresse"),
        ({"email": "", "consent": "on"}, "Dieses Feld ist zwingend erforderlich"),
        ({"email": "a@example.org"}, "Dieses Feld ist zwingend erforderlich"),
        ({"email": "x" * 250 + "@example.org", "consent": "on"}, "Zeichen"),
        ({"email": "<script>@example.org", "consent": "on"}, "gültige E-Mail-Adresse"),
    ],
)
def test_bad_subscription_is_refused_and_saves_nothing(client, data, message):
    response = client.post(reverse("policy:newsletter_subscribe"), data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Subscriber.objects.exists() and not OutboundEmail.objects.exists()


def test_confirm_with_unknown_token_changes_nothing(client):
    subscriber = Subscriber.objects.create(email="w@example.org")
    response = client.post(reverse("policy:newsletter_confirm", args=["falsch"]))
    assert response.status_code == 404
    subscriber.refresh_from_db()
    assert subscriber.confirmed_at is None


def test_confirm_after_unsubscribing_is_refused_back_on_the_subscribe_page(client):
    subscriber = Subscriber.objects.create(email="w@example.org", unsubscribed_at=timezone.now())

    response = client.post(
        reverse("policy:newsletter_confirm", args=[subscriber.token]), follow=True
    )

    assert response.redirect_chain == [(reverse("policy:newsletter_subscribe"), 302)]
    assert "Sie haben den Newsletter abbestellt" in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.confirmed_at is None
    assert not Consent.objects.exists()


# --- unsubscribing -----------------------------------------------------------------------------


def test_unsubscribe_page_asks_and_post_unsubscribes(client):
    subscriber = _active()
    services.confirm(token=subscriber.token)  # the consent to withdraw
    url = reverse("policy:newsletter_unsubscribe", args=[subscriber.token])

    page = client.get(url)
    assert page.status_code == 200 and b'method="post"' in page.content
    subscriber.refresh_from_db()
    assert subscriber.active

    done = client.post(url)
    assert done.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at is not None and not subscriber.active
    again = client.post(url)  # idempotent
    assert again.status_code == 200


def test_one_click_unsubscribe_post_without_csrf_token(client):
    subscriber = _active()
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        reverse("policy:newsletter_unsubscribe", args=[subscriber.token]),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at is not None


@pytest.mark.parametrize("token", ["nichtda", "x" * 200])
def test_unsubscribe_with_bad_token_changes_nothing(client, token):
    subscriber = _active()
    response = client.post(reverse("policy:newsletter_unsubscribe", args=[token]))
    assert response.status_code == 404
    assert "nicht" in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.active


# --- composing and sending ---------------------------------------------------------------------


@pytest.fixture
def content():
    now = timezone.now()
    soon = WorkshopFactory(title="KI in der Fertigung", starts_at=now + timedelta(days=10))
    WorkshopFactory(
        title="Später",
        starts_at=now + timedelta(weeks=8),
        ends_at=now + timedelta(weeks=8, hours=2),
    )
    feed = PartnerFeed.objects.create(
        partner_name="IHK Hannover",
        partner_url="https://ihk.example",
        url="https://ihk.example/a.ics",
    )
    event = PartnerEvent.objects.create(
        feed=feed,
        uid="e1",
        title="Exporttag",
        starts_at=now + timedelta(days=20),
        url="https://ihk.example/export",
    )
    PartnerEvent.objects.create(
        feed=feed, uid="e2", title="Zu spät", starts_at=now + timedelta(weeks=9)
    )
    return soon, event


def test_compose_is_prefilled_with_the_next_six_weeks(coordinator_client, content):
    soon, event = content
    response = coordinator_client.get(reverse("policy:newsletter_create"))

    form = response.context["form"]
    assert form.initial["workshops"] == [soon.pk]
    assert form.initial["partner_events"] == [event.pk]
    page = response.content.decode()
    assert "Später" in page and "Zu spät" in page  # choosable, not ticked


def test_compose_preview_send_and_parse(
    coordinator_client, content, django_capture_on_commit_callbacks, settings
):
    soon, event = content
    readers = [_active(f"leser{i}@example.org") for i in range(3)]
    Subscriber.objects.create(email="wartet@example.org")  # not confirmed
    Subscriber.objects.create(
        email="weg@example.org", confirmed_at=timezone.now(), unsubscribed_at=timezone.now()
    )

    response = coordinator_client.post(
        reverse("policy:newsletter_create"),
        {
            "subject": "regioLab im Mai",
            "intro": "Liebe Leserinnen und Leser,",
            "workshops": [soon.pk],
            "partner_events": [event.pk],
        },
    )
    newsletter = Newsletter.objects.get()
    assert response.status_code == 302
    preview = coordinator_client.get(reverse("policy:newsletter", args=[newsletter.pk]))
    page = preview.content.decode()
    assert "KI in der Fertigung" in page and "Exporttag" in page and "IHK Hannover" in page
    assert "3 bestätigte" in page or "3 confirmed" in page
    assert preview.context["recipients"] == 3

    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(reverse("policy:newsletter_send", args=[newsletter.pk]))

    newsletter.refresh_from_db()
    assert newsletter.status == "sent" and newsletter.sent_at is not None
    assert sorted(m.to[0] for m in django_mail.outbox) == sorted(r.email for r in readers)
    for message in django_mail.outbox:
        msg = parsed(message)
        subscriber = Subscriber.objects.get(email=msg["To"])
        link = settings.SITE_URL.rstrip("/") + reverse(
            "policy:newsletter_unsubscribe", args=[subscriber.token]
        )
        assert msg["Subject"] == "regioLab im Mai"
        assert msg["List-Unsubscribe"].strip() == f"<{link}>"
        assert msg["List-Unsubscribe-Post"].strip() == "List-Unsubscribe=One-Click"
        text = body_of(msg)
        assert "Liebe Leserinnen und Leser" in text
        assert "KI in der Fertigung" in text and soon.get_absolute_url() in text
        assert "Exporttag" in text and "https://ihk.example/export" in text
        assert link in text and link in body_of(msg, "html")
        assert "__REGIOLAB" not in text
    # The header's link works with the mail program's one-click POST.
    first = parsed(django_mail.outbox[0])
    url = first["List-Unsubscribe"].strip().strip("<>")
    from django.test import Client

    assert (
        Client(enforce_csrf_checks=True)
        .post(
            path_of(url),
            "List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
        )
        .status_code
        == 200
    )
    assert not Subscriber.objects.get(email=first["To"]).active


def test_sending_twice_sends_nothing_twice(content, django_capture_on_commit_callbacks, settings):
    soon, _event = content
    for i in range(5):
        _active(f"l{i}@example.org")
    newsletter = Newsletter.objects.create(subject="Ausgabe")
    newsletter.workshops.set([soon])
    with django_capture_on_commit_callbacks(execute=True):
        services.start_sending(newsletter_id=newsletter.pk)
    assert OutboundEmail.objects.filter(subject="Ausgabe").count() == 5

    # A repeated batch (a retried task) and a second "send" queue nothing more.
    Newsletter.objects.filter(pk=newsletter.pk).update(status="sending")
    assert services.send_batch(newsletter_id=newsletter.pk) == (0, False)
    with pytest.raises(Exception, match="bereits versandt|already being sent"):
        services.start_sending(newsletter_id=newsletter.pk)
    assert OutboundEmail.objects.filter(subject="Ausgabe").count() == 5
    assert NewsletterDelivery.objects.filter(newsletter=newsletter).count() == 5


def test_sent_in_batches(content, django_capture_on_commit_callbacks, monkeypatch):
    soon, _event = content
    for i in range(7):
        _active(f"b{i}@example.org")
    monkeypatch.setattr(services, "BATCH_SIZE", 3)
    monkeypatch.setattr(services.send_batch, "__kwdefaults__", {"size": 3})
    calls = []
    original = services.send_batch

    def counting(**kwargs):
        calls.append(kwargs)
        return original(**kwargs)

    monkeypatch.setattr(services, "send_batch", counting)
    newsletter = Newsletter.objects.create(subject="Batches")
    newsletter.workshops.set([soon])
    with django_capture_on_commit_callbacks(execute=True):
        services.start_sending(newsletter_id=newsletter.pk)
    assert len(calls) == 3  # 3 + 3 + 1
    assert OutboundEmail.objects.filter(subject="Batches").count() == 7
    newsletter.refresh_from_db()
    assert newsletter.status == "sent"


def test_empty_or_recipientless_newsletter_is_not_sent(coordinator_client, content):
    soon, _event = content
    empty = Newsletter.objects.create(subject="Leer")
    response = coordinator_client.post(
        reverse("policy:newsletter_send", args=[empty.pk]), follow=True
    )
    assert "mindestens" in response.content.decode() or "at least" in response.content.decode()
    full = Newsletter.objects.create(subject="Niemand")
    full.workshops.set([soon])
    coordinator_client.post(reverse("policy:newsletter_send", args=[full.pk]))
    assert set(Newsletter.objects.values_list("status", flat=True)) == {"draft"}


def test_sent_newsletter_cannot_be_edited(coordinator_client, content):
    newsletter = Newsletter.objects.create(subject="Alt", status="sent")
    response = coordinator_client.post(
        reverse("policy:newsletter_edit", args=[newsletter.pk]), {"subject": "Neu"}
    )
    assert response.status_code == 302
    newsletter.refresh_from_db()
    assert newsletter.subject == "Alt"


def test_bad_newsletter_form_saves_nothing(coordinator_client, content):
    response = coordinator_client.post(
        reverse("policy:newsletter_create"),
        {"subject": "Zeile 1\nZeile 2", "workshops": ["999999"]},
    )
    assert response.status_code == 200
    assert response.context["form"].errors.keys() >= {"subject", "workshops"}
    assert not Newsletter.objects.exists()


def test_newsletter_pages_are_for_coordinators_only(client, content):
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("policy:newsletters")).status_code == 403
    assert client.get(reverse("policy:newsletter_create")).status_code == 403


def test_newsletter_list_queries_do_not_grow(coordinator_client, django_assert_max_num_queries):
    def page():
        return coordinator_client.get(reverse("policy:newsletters"))

    Newsletter.objects.create(subject="Eins")
    page()
    with django_assert_max_num_queries(12) as few:
        page()
    for i in range(15):
        Newsletter.objects.create(subject=f"N{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = page()
    assert "N14" in response.content.decode()


# --- personal data -----------------------------------------------------------------------------


def test_subscription_is_in_the_data_export_and_goes_with_anonymisation():
    from regiolab.privacy import anonymisation, personal_data

    subscriber = _active("Person@Example.org".lower())
    services.confirm(token=subscriber.token)
    other = _active("andere@example.org")

    data = personal_data.collect(emails=["person@example.org"])
    assert [s["email"] for s in data["newsletter"]["newsletter_subscriptions"]] == [
        "person@example.org"
    ]
    assert anonymisation.find_person(email="person@example.org")

    anonymisation.anonymise_person(email="person@example.org")

    assert list(Subscriber.objects.values_list("pk", flat=True)) == [other.pk]
