"""The coordinators' partner-feed pages and partner events where visitors see them: the start
page and the workshop list (marked as partner events, linking to the partner), with query
counts that do not grow with the events and a cache that notices a new import."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from policy.feeds import selectors
from policy.models import PartnerEvent, PartnerFeed
from tests.factories import UserFactory, WorkshopFactory
from tests.policy.feeds_support import feed_server, ics
from tests.test_cache_declarations import undeclared_tables

pytestmark = pytest.mark.django_db


def _feed(name="Handwerkskammer Hannover", **kwargs) -> PartnerFeed:
    defaults = {"partner_url": "https://hwk.example", "url": "https://hwk.example/cal.ics"}
    return PartnerFeed.objects.create(partner_name=name, **{**defaults, **kwargs})


def _events(feed, count, start=1, **kwargs):
    now = timezone.now()
    return [
        PartnerEvent.objects.create(
            feed=feed,
            uid=f"{feed.pk}-{start + i}",
            title=f"Partnerveranstaltung {start + i}",
            starts_at=now + timedelta(days=start + i),
            url=f"https://hwk.example/e/{start + i}",
            **kwargs,
        )
        for i in range(count)
    ]


@pytest.mark.parametrize(
    "url, message",
    [
        ("http://127.0.0.1/cal.ics", "local or private network"),
        ("http://localhost:8000/cal.ics", "local or private network"),
        ("http://10.0.0.5/cal.ics", "local or private network"),
        ("http://192.168.178.1/cal.ics", "local or private network"),
        ("http://[::1]/cal.ics", "local or private network"),
        ("http://[::ffff:127.0.0.1]/cal.ics", "local or private network"),
        ("http://169.254.169.254/latest/meta-data", "local or private network"),
        ("ftp://93.184.216.34/cal.ics", "Only http:// and https://"),
        ("file:///etc/passwd", "Enter a valid URL"),
        ("gopher://example.org/", "Enter a valid URL"),
        ("http://user:pw@93.184.216.34/cal.ics", "user name or password"),
        ("", "This field is required"),
    ],
)
def test_form_refuses_local_addresses_and_other_schemes(coordinator_client, english, url, message):
    response = coordinator_client.post(
        reverse("policy:feed_create"), {"partner_name": "Partner", "url": url, "active": "on"}
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert "url" in response.context["form"].errors
    assert not PartnerFeed.objects.exists()


def test_coordinator_registers_a_feed_and_it_is_imported(
    coordinator_client, settings, django_capture_on_commit_callbacks
):
    settings.PARTNER_FEEDS_ALLOW_LOOPBACK = True
    with feed_server() as server:
        start = timezone.now() + timedelta(days=4)
        server.serve("/k.ics", ics([{"uid": "k1", "summary": "Zukunftstag", "start": start}]))
        with django_capture_on_commit_callbacks(execute=True):
            response = coordinator_client.post(
                reverse("policy:feed_create"),
                {"partner_name": "IHK", "url": server.url("/k.ics"), "active": "on"},
            )
    assert response.status_code == 302
    feed = PartnerFeed.objects.get()
    assert list(feed.events.values_list("title", flat=True)) == ["Zukunftstag"]
    page = coordinator_client.get(reverse("policy:feeds")).content.decode()
    assert "IHK" in page and "OK" in page


def test_feed_list_shows_the_error_and_keeps_events(coordinator_client):
    feed = _feed(last_error="The server did not answer in time.", last_success_at=timezone.now())
    _events(feed, 2)
    page = coordinator_client.get(reverse("policy:feeds")).content.decode()
    assert "The server did not answer in time." in page
    assert ">2<" in page


def test_import_now_button_records_the_failure(coordinator_client, settings):
    settings.PARTNER_FEEDS_ALLOW_LOOPBACK = False
    feed = _feed(url="http://127.0.0.1:9/x.ics")
    response = coordinator_client.post(reverse("policy:feed_import", args=[feed.pk]), follow=True)
    feed.refresh_from_db()
    assert "local" in feed.last_error or "lokal" in feed.last_error
    assert feed.last_error in response.content.decode()


def test_remove_feed_asks_then_removes_it_and_its_events(coordinator_client):
    feed = _feed()
    _events(feed, 2)
    url = reverse("policy:feed_delete", args=[feed.pk])
    assert coordinator_client.get(url).status_code == 200
    assert PartnerFeed.objects.exists()
    coordinator_client.post(url)
    assert not PartnerFeed.objects.exists() and not PartnerEvent.objects.exists()


def test_feed_pages_are_for_coordinators_only(client):
    client.force_login(UserFactory())
    assert client.get(reverse("policy:feeds")).status_code == 403
    assert (
        client.post(reverse("policy:feed_create"), {"url": "https://x.example"}).status_code == 403
    )


def test_feed_list_queries_do_not_grow(coordinator_client, django_assert_max_num_queries):
    _events(_feed(), 1)
    coordinator_client.get(reverse("policy:feeds"))
    with django_assert_max_num_queries(20) as few:
        coordinator_client.get(reverse("policy:feeds"))
    for i in range(10):
        _events(_feed(name=f"Partner {i}", url=f"https://p{i}.example/c.ics"), 3, start=10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = coordinator_client.get(reverse("policy:feeds")).content.decode()
    assert "Partner 9" in page


# --- where visitors see partner events ------------------------------------------------------


def test_start_page_shows_partner_events_marked_and_linked(client):
    feed = _feed()
    _events(feed, 1)
    _events(feed, 1, start=3, status=PartnerEvent.Status.CANCELLED)
    _events(_feed(name="Pausiert", active=False, url="https://p.example/c.ics"), 1, start=5)

    page = client.get("/").content.decode()

    assert "Partnerveranstaltung 1" in page
    assert "Partnerveranstaltung 3" not in page  # cancelled
    assert "Partnerveranstaltung 5" not in page  # feed paused
    assert 'href="https://hwk.example"' in page and "Handwerkskammer Hannover" in page
    assert 'href="https://hwk.example/e/1"' in page
    assert "Partnerveranstaltung" in page and (
        "Partner event" in page or "Partnerveranstaltung" in page
    )
    assert 'class="badge"' in page


def test_start_page_without_partner_events_shows_no_empty_card(client):
    page = client.get("/").content.decode()
    assert "partner-event" not in page


def test_workshop_list_shows_partner_events_with_constant_queries(
    client, django_assert_max_num_queries
):
    WorkshopFactory()
    feed = _feed()
    _events(feed, 1)
    url = reverse("workshops:list")
    client.get(url)
    from django.core.cache import cache

    cache.clear()
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    for i in range(5):
        _events(_feed(name=f"Partner {i}", url=f"https://p{i}.example/c.ics"), 3, start=10 + i * 3)
    cache.clear()
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert "Partnerveranstaltung 1" in page
    assert 'class="badge"' in page and 'href="https://hwk.example"' in page


def test_partner_events_cache_notices_a_new_import(client):
    feed = _feed()
    _events(feed, 1)
    url = reverse("workshops:list")
    assert "Partnerveranstaltung 1" in client.get(url).content.decode()
    _events(feed, 1, start=2)  # a write to the table moves its version
    assert "Partnerveranstaltung 2" in client.get(url).content.decode()


def test_partner_events_declaration_names_every_table_it_reads():
    _events(_feed(), 2)
    now = timezone.now()
    assert (
        undeclared_tables(
            selectors.PARTNER_EVENTS, lambda: selectors.upcoming_partner_events(now=now, limit=3)
        )
        == set()
    )
