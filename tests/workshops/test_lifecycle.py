"""Creating, editing, publishing and cancelling workshops (service and form)."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from regiolab.mail import deliver_new
from tests.factories import TopicFactory, TrainingNetworkFactory, UserFactory, WorkshopFactory
from workshops.lifecycle import services as lifecycle
from workshops.models import Registration, Workshop
from workshops.registration import services

pytestmark = pytest.mark.django_db

CREATE_URL = reverse("workshops:create")


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def local(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def form_data(**overrides):
    start = timezone.localtime(timezone.now() + timedelta(days=10)).replace(
        hour=9, minute=0, second=0
    )
    data = {
        "title": "Cobots im Mittelstand",
        "title_en": "Cobots for SMEs",
        "slug": "",
        "description": "Einstieg in kollaborative Robotik.",
        "description_en": "",
        "network": "",
        "format": "on_site",
        "venue": "Technologiezentrum Hannover",
        "online_url": "",
        "starts_at": local(start),
        "ends_at": local(start + timedelta(hours=4)),
        "capacity": "12",
        "registration_deadline": "",
        "language": "de",
        "trainers": "Dr. Anna Schmidt",
        "funding_note": "Gefördert vom BMBF und der Region Hannover.",
    }
    data.update(overrides)
    return data


def service_fields(**overrides):
    start = timezone.now() + timedelta(days=10)
    fields = {
        "title": "Digitales Lernen",
        "format": "online",
        "online_url": "https://meet.example.org/lernen",
        "starts_at": start,
        "ends_at": start + timedelta(hours=3),
        "capacity": 20,
    }
    fields.update(overrides)
    return fields


# --- Create through the page --------------------------------------------------------------


def test_create_saves_draft_with_generated_slug_and_topics(coordinator_client, coordinator):
    topic = TopicFactory(slug="robotik")
    network = TrainingNetworkFactory()
    response = coordinator_client.post(
        CREATE_URL, form_data(topics=[topic.pk], network=str(network.pk))
    )
    workshop = Workshop.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("workshops:participants", args=[workshop.slug])
    assert workshop.slug == "cobots-im-mittelstand"
    assert workshop.status == Workshop.Status.DRAFT
    assert workshop.created_by == coordinator
    assert workshop.network == network
    assert list(workshop.topics.all()) == [topic]
    assert timezone.localtime(workshop.starts_at).hour == 9  # entered as Berlin time
    assert workshop.capacity == 12


def test_generated_slug_is_unique_and_never_reserved(coordinator):
    WorkshopFactory(slug="cobots")
    first = lifecycle.create_workshop(created_by=coordinator, **service_fields(title="Cobots"))
    second = lifecycle.create_workshop(created_by=coordinator, **service_fields(title="Cobots"))
    manage = lifecycle.create_workshop(created_by=coordinator, **service_fields(title="Manage"))
    assert (first.slug, second.slug) == ("cobots-2", "cobots-3")
    assert manage.slug == "manage-2"


def test_create_form_page_renders_datetime_local_inputs(coordinator_client):
    content = coordinator_client.get(CREATE_URL).content.decode()
    assert content.count('type="datetime-local"') == 3
    assert content.count("<h1>") == 1


BAD_INPUTS = [
    ("missing title", {"title": ""}, "title"),
    ("overlong title", {"title": "x" * 201}, "title"),
    ("script in title", {"title": "<script>alert(1)</script>"}, "title"),
    ("script in description", {"description": "Hallo <img src=x onerror=alert(1)>"}, "description"),
    ("markup in trainers", {"trainers": "<b>Anna</b>"}, "trainers"),
    ("markup in funding note", {"funding_note": "<a href='x'>BMBF</a>"}, "funding_note"),
    ("javascript venue", {"venue": "javascript:alert(1)"}, "venue"),
    ("overlong funding note", {"funding_note": "x" * 501}, "funding_note"),
    ("missing start", {"starts_at": ""}, "starts_at"),
    ("malformed start", {"starts_at": "morgen früh"}, "starts_at"),
    ("past start", {"starts_at": "2020-01-01T09:00", "ends_at": "2020-01-01T12:00"}, "starts_at"),
    ("missing capacity", {"capacity": ""}, "capacity"),
    ("capacity zero", {"capacity": "0"}, "capacity"),
    ("capacity negative", {"capacity": "-3"}, "capacity"),
    ("capacity text", {"capacity": "zehn"}, "capacity"),
    ("on site without venue", {"format": "on_site", "venue": ""}, "venue"),
    ("online without link", {"format": "online", "venue": "", "online_url": ""}, "online_url"),
    ("hybrid without link", {"format": "hybrid", "online_url": ""}, "online_url"),
    ("malformed link", {"format": "online", "online_url": "not a url"}, "online_url"),
    ("unknown format", {"format": "telepathy"}, "format"),
    ("reserved slug manage", {"slug": "manage"}, "slug"),
    ("reserved slug new", {"slug": "new"}, "slug"),
    ("malformed slug", {"slug": "calendar.ics"}, "slug"),
    ("overlong slug", {"slug": "a" * 121}, "slug"),
    ("unknown network", {"network": "999999"}, "network"),
]


@pytest.mark.parametrize(("case", "overrides", "field"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_create_bad_input_shows_field_error_and_saves_nothing(
    coordinator_client, case, overrides, field
):
    response = coordinator_client.post(CREATE_URL, form_data(**overrides))
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Workshop.objects.exists()


def test_end_before_or_equal_start_is_rejected(coordinator_client):
    data = form_data()
    for end in (data["starts_at"], local(timezone.now() + timedelta(days=9))):
        response = coordinator_client.post(CREATE_URL, {**data, "ends_at": end})
        assert "ends_at" in response.context["form"].errors
    assert not Workshop.objects.exists()


def test_deadline_after_start_is_rejected(coordinator_client):
    data = form_data()
    start = timezone.now() + timedelta(days=10)
    response = coordinator_client.post(
        CREATE_URL, {**data, "registration_deadline": local(start + timedelta(days=1))}
    )
    assert "registration_deadline" in response.context["form"].errors
    assert not Workshop.objects.exists()


def test_taken_slug_is_a_field_error(coordinator_client):
    WorkshopFactory(slug="cobots")
    response = coordinator_client.post(CREATE_URL, form_data(slug="cobots"))
    assert "slug" in response.context["form"].errors
    assert Workshop.objects.count() == 1


def test_service_rejects_markup_even_without_the_form(coordinator):
    with pytest.raises(lifecycle.ValidationError) as excinfo:
        lifecycle.create_workshop(created_by=coordinator, **service_fields(title="<script>x"))
    assert "title" in excinfo.value.message_dict
    assert not Workshop.objects.exists()


# --- Edit ----------------------------------------------------------------------------------


def edit_url(workshop):
    return reverse("workshops:edit", args=[workshop.slug])


def edit_data(workshop, **overrides):
    data = form_data(
        title=workshop.title,
        slug=workshop.slug,
        starts_at=local(workshop.starts_at),
        ends_at=local(workshop.ends_at),
        capacity=str(workshop.capacity),
        venue=workshop.venue,
    )
    data.update(overrides)
    return data


def test_edit_page_shows_current_values(coordinator_client):
    workshop = WorkshopFactory(title="Additive Fertigung")
    content = coordinator_client.get(edit_url(workshop)).content.decode()
    assert 'value="Additive Fertigung"' in content
    assert f'value="{local(workshop.starts_at)}"' in content


def test_edit_saves_changes(coordinator_client):
    workshop = WorkshopFactory()
    old, new = TopicFactory(slug="alt"), TopicFactory(slug="neu")
    workshop.topics.set([old])
    content = coordinator_client.get(edit_url(workshop)).content.decode()
    assert re.search(rf'name="topics" value="{old.pk}"[^>]*checked', content)
    assert not re.search(rf'name="topics" value="{new.pk}"[^>]*checked', content)
    response = coordinator_client.post(
        edit_url(workshop),
        edit_data(workshop, title="Neuer Titel", capacity="30", topics=[new.pk]),
    )
    assert response.status_code == 302
    workshop.refresh_from_db()
    assert (workshop.title, workshop.capacity) == ("Neuer Titel", 30)
    assert list(workshop.topics.all()) == [new]


def test_capacity_below_seats_taken_is_rejected(coordinator_client):
    workshop = WorkshopFactory(capacity=5)
    for number in range(3):
        services.register_participant(
            workshop=workshop, first_name="A", last_name=str(number), email=f"p{number}@example.org"
        )
    response = coordinator_client.post(edit_url(workshop), edit_data(workshop, capacity="2"))
    assert "capacity" in response.context["form"].errors
    assert "3 places are already taken" in response.content.decode()
    workshop.refresh_from_db()
    assert workshop.capacity == 5


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "<script>alert(1)</script>"}, "title"),
        ({"capacity": "0"}, "capacity"),
        ({"format": "online", "online_url": ""}, "online_url"),
        ({"slug": "new"}, "slug"),
    ],
)
def test_edit_bad_input_changes_nothing(coordinator_client, overrides, field):
    workshop = WorkshopFactory(title="Unverändert", capacity=10)
    response = coordinator_client.post(edit_url(workshop), edit_data(workshop, **overrides))
    assert field in response.context["form"].errors
    workshop.refresh_from_db()
    assert (workshop.title, workshop.capacity, workshop.format) == ("Unverändert", 10, "on_site")


def test_edit_end_before_start_is_rejected(coordinator_client):
    workshop = WorkshopFactory()
    response = coordinator_client.post(
        edit_url(workshop),
        edit_data(workshop, ends_at=local(workshop.starts_at - timedelta(hours=1))),
    )
    assert "ends_at" in response.context["form"].errors


def test_edit_slug_taken_by_another_workshop(coordinator_client):
    WorkshopFactory(slug="belegt")
    workshop = WorkshopFactory(slug="frei")
    response = coordinator_client.post(edit_url(workshop), edit_data(workshop, slug="belegt"))
    assert "slug" in response.context["form"].errors
    workshop.refresh_from_db()
    assert workshop.slug == "frei"


def test_started_workshop_can_be_edited_without_moving_its_start(coordinator):
    start = timezone.now() - timedelta(hours=1)
    workshop = WorkshopFactory(starts_at=start, ends_at=start + timedelta(hours=3))
    updated = lifecycle.update_workshop(workshop=workshop, trainers="Team B")
    assert updated.trainers == "Team B"


# --- Publish and cancel --------------------------------------------------------------------


def test_publish_opens_draft(coordinator_client):
    workshop = WorkshopFactory(status="draft")
    response = coordinator_client.post(reverse("workshops:publish", args=[workshop.slug]))
    assert response.status_code == 302
    workshop.refresh_from_db()
    assert workshop.status == Workshop.Status.PUBLISHED
    assert workshop.published_at is not None


def test_publish_needs_post(coordinator_client):
    workshop = WorkshopFactory(status="draft")
    response = coordinator_client.get(reverse("workshops:publish", args=[workshop.slug]))
    assert response.status_code == 405
    workshop.refresh_from_db()
    assert workshop.status == Workshop.Status.DRAFT


def test_cancelled_workshop_cannot_be_published():
    workshop = WorkshopFactory(status="cancelled")
    with pytest.raises(lifecycle.ValidationError):
        lifecycle.publish_workshop(workshop=workshop)


def _register(workshop, count, prefix):
    return [
        services.register_participant(
            workshop=workshop,
            first_name="Person",
            last_name=f"{prefix}{n}",
            email=f"{prefix}{n}@example.org",
        )
        for n in range(count)
    ]


def test_cancel_tells_each_registered_person_once_even_when_called_twice(
    django_capture_on_commit_callbacks,
):
    workshop = WorkshopFactory(capacity=2, title="Robotik kompakt")
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = _register(workshop, 2, "conf")
        waitlisted = _register(workshop, 1, "wait")
        gone = _register(workshop, 1, "gone")  # waitlisted, then cancelled
        services.cancel_registration(registration=gone[0])
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        first = lifecycle.cancel_workshop(workshop=workshop)
    with django_capture_on_commit_callbacks(execute=True):
        second = lifecycle.cancel_workshop(workshop=workshop)

    assert (first, second) == (3, 0)
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == sorted(r.email for r in confirmed + waitlisted)
    assert all("Robotik kompakt" in message.subject for message in mail.outbox)
    workshop.refresh_from_db()
    assert workshop.status == Workshop.Status.CANCELLED
    assert workshop.cancelled_at is not None
    # Registrations keep their status for the records.
    statuses = sorted(
        Registration.objects.filter(workshop=workshop).values_list("status", flat=True)
    )
    assert statuses == ["cancelled", "confirmed", "confirmed", "waitlisted"]


def test_cancel_page_confirms_before_cancelling(
    coordinator_client, django_capture_on_commit_callbacks
):
    workshop = WorkshopFactory()
    _register(workshop, 2, "p")
    url = reverse("workshops:cancel", args=[workshop.slug])
    content = coordinator_client.get(url).content.decode()
    assert "2 confirmed registrations end with it." in content
    workshop.refresh_from_db()
    assert workshop.status == Workshop.Status.PUBLISHED
    deliver_new()  # the worker has sent what the setup queued
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(url)
    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(url)
    workshop.refresh_from_db()
    assert workshop.status == Workshop.Status.CANCELLED
    assert len(mail.outbox) == 2


def test_past_workshop_cannot_be_cancelled():
    start = timezone.now() - timedelta(days=2)
    workshop = WorkshopFactory(starts_at=start, ends_at=start + timedelta(hours=2))
    with pytest.raises(lifecycle.ValidationError):
        lifecycle.cancel_workshop(workshop=workshop)
    workshop.refresh_from_db()
    assert workshop.status == Workshop.Status.PUBLISHED


def test_cancelled_workshop_cannot_be_edited():
    workshop = WorkshopFactory(status="cancelled", title="Alt")
    with pytest.raises(lifecycle.ValidationError):
        lifecycle.update_workshop(workshop=workshop, title="Neu")
    workshop.refresh_from_db()
    assert workshop.title == "Alt"


# --- Permissions ---------------------------------------------------------------------------


def test_lifecycle_pages_are_for_coordinators_only(client):
    workshop = WorkshopFactory(status="draft")
    urls = [
        CREATE_URL,
        edit_url(workshop),
        reverse("workshops:cancel", args=[workshop.slug]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(UserFactory())
    for url in urls:
        assert client.get(url).status_code == 403
    assert client.post(CREATE_URL, form_data()).status_code == 403
    assert client.post(reverse("workshops:publish", args=[workshop.slug])).status_code == 403
    assert Workshop.objects.count() == 1
    workshop.refresh_from_db()
    assert workshop.status == Workshop.Status.DRAFT


@pytest.mark.django_db(transaction=True)
def test_cancel_clicked_in_parallel_tells_each_person_once():
    from regiolab.mail.models import OutboundEmail
    from tests.workshops.test_concurrency import run_at_once

    workshop = WorkshopFactory(capacity=3)
    people = _register(workshop, 4, "p")
    before = OutboundEmail.objects.count()
    results = []
    errors, _seconds = run_at_once(
        [lambda: results.append(lifecycle.cancel_workshop(workshop=workshop))] * 8
    )
    assert errors == []
    assert sorted(results) == [0] * 7 + [4]
    cancelled_mails = OutboundEmail.objects.order_by("pk")[before:]
    assert sorted(m.to for m in cancelled_mails) == sorted(p.email for p in people)


@pytest.mark.django_db
def test_finished_workshops_are_marked_done_once():
    from datetime import timedelta

    from django.utils import timezone

    from tests.factories import WorkshopFactory
    from workshops.lifecycle.services import mark_finished_workshops
    from workshops.models import Workshop

    now = timezone.now()
    past = WorkshopFactory(starts_at=now - timedelta(hours=5), ends_at=now - timedelta(hours=1))
    running = WorkshopFactory(starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=2))
    cancelled = WorkshopFactory(
        starts_at=now - timedelta(days=2), ends_at=now - timedelta(days=1), status="cancelled"
    )
    assert mark_finished_workshops(now=now) == 1
    assert mark_finished_workshops(now=now) == 0
    statuses = dict(Workshop.objects.values_list("pk", "status"))
    assert statuses == {past.pk: "done", running.pk: "published", cancelled.pk: "cancelled"}
