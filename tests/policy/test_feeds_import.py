"""Partner feeds imported from a real local HTTP server: idempotent by UID and SEQUENCE,
updates and cancellations applied, removed events gone; failures recorded, last good import
kept; the network guard (scheme, private addresses, redirects)."""

import socket
from datetime import timedelta

import pytest
from django.utils import timezone

from policy.feeds import fetching, services
from policy.models import PartnerEvent, PartnerFeed
from tests.policy.feeds_support import feed_server, ics

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english(english):
    """The errors are compared with the English source texts."""


@pytest.fixture
def loopback(settings):
    settings.PARTNER_FEEDS_ALLOW_LOOPBACK = True
    settings.PARTNER_FEEDS_TIMEOUT = 2


@pytest.fixture
def server(loopback):
    with feed_server() as server:
        yield server


def _feed(url, name="Handwerkskammer") -> PartnerFeed:
    return PartnerFeed.objects.create(partner_name=name, url=url)


def _rows(feed):
    return {
        e.uid: (e.sequence, e.title, e.starts_at, e.status)
        for e in PartnerEvent.objects.filter(feed=feed)
    }


def test_feed_imported_then_changed_cancelled_and_removed(server):
    now = timezone.now().replace(microsecond=0, second=0)
    day = now + timedelta(days=10)
    events = [
        {"uid": "a@partner", "seq": 0, "summary": "Digitaltag", "start": day},
        {"uid": "b@partner", "seq": 1, "summary": "KI-Frühstück", "start": day + timedelta(1)},
        {"uid": "c@partner", "seq": 0, "summary": "Messe", "start": day + timedelta(2)},
        {"uid": "old@partner", "seq": 0, "summary": "Vorbei", "start": now - timedelta(3)},
    ]
    server.serve("/cal.ics", ics(events))
    feed = _feed(server.url("/cal.ics"))

    first = services.import_feed(feed_id=feed.pk)

    assert (first.created, first.error) == (3, "")
    assert _rows(feed) == {
        "a@partner": (0, "Digitaltag", day, "confirmed"),
        "b@partner": (1, "KI-Frühstück", day + timedelta(1), "confirmed"),
        "c@partner": (0, "Messe", day + timedelta(2), "confirmed"),
    }
    # The same feed again changes nothing.
    again = services.import_feed(feed_id=feed.pk)
    assert (again.created, again.updated, again.removed, again.unchanged) == (0, 0, 0, 3)

    moved = day + timedelta(days=5)
    server.serve(
        "/cal.ics",
        ics(
            [
                {"uid": "a@partner", "seq": 1, "summary": "Digitaltag (neu)", "start": moved},
                {
                    "uid": "b@partner",
                    "seq": 2,
                    "summary": "KI-Frühstück",
                    "start": day + timedelta(1),
                    "status": "CANCELLED",
                },
                # The same SEQUENCE with other content does not overwrite.
                {"uid": "c@partner", "seq": 0, "summary": "Messe GEÄNDERT", "start": day},
            ]
        ),
    )
    services.import_feed(feed_id=feed.pk)
    assert _rows(feed) == {
        "a@partner": (1, "Digitaltag (neu)", moved, "confirmed"),
        "b@partner": (2, "KI-Frühstück", day + timedelta(1), "cancelled"),
        "c@partner": (0, "Messe", day + timedelta(2), "confirmed"),
    }

    # c is removed from the feed; a comes back with a lower SEQUENCE: ignored.
    server.serve(
        "/cal.ics",
        ics(
            [
                {"uid": "a@partner", "seq": 0, "summary": "Digitaltag", "start": day},
                {
                    "uid": "b@partner",
                    "seq": 2,
                    "summary": "KI-Frühstück",
                    "start": day + timedelta(1),
                    "status": "CANCELLED",
                },
            ]
        ),
    )
    result = services.import_feed(feed_id=feed.pk)
    assert result.removed == 1
    assert _rows(feed) == {
        "a@partner": (1, "Digitaltag (neu)", moved, "confirmed"),
        "b@partner": (2, "KI-Frühstück", day + timedelta(1), "cancelled"),
    }
    feed.refresh_from_db()
    assert feed.last_error == "" and feed.last_success_at is not None


def test_event_past_its_date_is_removed(server):
    now = timezone.now()
    start = now + timedelta(days=1)
    server.serve("/cal.ics", ics([{"uid": "x", "summary": "Morgen", "start": start}]))
    feed = _feed(server.url("/cal.ics"))
    services.import_feed(feed_id=feed.pk)
    assert PartnerEvent.objects.filter(feed=feed).count() == 1

    services.import_feed(feed_id=feed.pk, now=now + timedelta(days=2))

    assert not PartnerEvent.objects.filter(feed=feed).exists()


def _good_import(server, feed_path="/cal.ics"):
    start = timezone.now() + timedelta(days=3)
    server.serve(feed_path, ics([{"uid": "keep", "summary": "Bleibt", "start": start}]))
    feed = _feed(server.url(feed_path))
    assert services.import_feed(feed_id=feed.pk).created == 1
    return feed


def _assert_failed_and_kept(feed, words):
    feed.refresh_from_db()
    assert words in feed.last_error
    assert list(PartnerEvent.objects.filter(feed=feed).values_list("title", flat=True)) == [
        "Bleibt"
    ]
    assert feed.last_success_at is not None and feed.last_import_at >= feed.last_success_at


def test_oversized_feed_is_refused_and_last_import_kept(server, settings):
    feed = _good_import(server)
    sent = []

    def endless(wfile):  # no Content-Length: the reader must stop by itself
        chunk = b"X" * 65536
        try:
            for _ in range(200):  # 12.5 MB offered
                wfile.write(chunk)
                sent.append(len(chunk))
        except (BrokenPipeError, ConnectionResetError):
            pass

    server.routes["/cal.ics"] = (200, {"Content-Type": "text/calendar"}, endless)
    result = services.import_feed(feed_id=feed.pk)
    assert "larger than 5 MB" in result.error
    _assert_failed_and_kept(feed, "larger than 5 MB")


def test_declared_oversized_feed_is_refused_unread(server):
    feed = _good_import(server)
    big = b"BEGIN:VCALENDAR\r\n" + b"X" * (5 * 1024 * 1024 + 10)
    server.serve("/cal.ics", big)
    services.import_feed(feed_id=feed.pk)
    _assert_failed_and_kept(feed, "larger than 5 MB")


def test_timeout_is_recorded(server, settings):
    feed = _good_import(server)
    settings.PARTNER_FEEDS_TIMEOUT = 0.5
    server.delay = 2
    services.import_feed(feed_id=feed.pk)
    _assert_failed_and_kept(feed, "did not answer in time")


def test_not_icalendar_is_recorded(server):
    feed = _good_import(server)
    server.serve(
        "/cal.ics", b"<html><body>Kalender</body></html>", headers={"Content-Type": "text/html"}
    )
    services.import_feed(feed_id=feed.pk)
    _assert_failed_and_kept(feed, "does not serve an iCalendar")


def test_broken_icalendar_is_recorded(server):
    feed = _good_import(server)
    server.serve("/cal.ics", b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:kaputt\r\n")
    services.import_feed(feed_id=feed.pk)
    feed.refresh_from_db()
    assert feed.last_error
    assert PartnerEvent.objects.filter(feed=feed).count() == 1


def test_server_error_is_recorded(server):
    feed = _good_import(server)
    server.serve("/cal.ics", b"oops", status=500)
    services.import_feed(feed_id=feed.pk)
    _assert_failed_and_kept(feed, "status 500")


def test_redirect_to_loopback_is_refused(server, settings):
    """The feed's server is public (faked by allowing 127.0.0.1); it redirects to
    localhost:<port>, which resolves to a loopback address that is not 127.0.0.1 -> refused."""
    feed = _good_import(server)
    server.serve("/cal.ics", b"", status=302, headers={"Location": "http://[::1]:9/admin"})
    services.import_feed(feed_id=feed.pk)
    _assert_failed_and_kept(feed, "local or private network")


def test_redirect_to_other_scheme_is_refused(server):
    feed = _good_import(server)
    server.serve("/cal.ics", b"", status=301, headers={"Location": "file:///etc/passwd"})
    services.import_feed(feed_id=feed.pk)
    _assert_failed_and_kept(feed, "Only http:// and https://")


def test_redirect_followed_and_bounded(server):
    start = timezone.now() + timedelta(days=3)
    server.serve("/final.ics", ics([{"uid": "r", "summary": "Umgeleitet", "start": start}]))
    server.serve("/cal.ics", b"", status=302, headers={"Location": "/final.ics"})
    feed = _feed(server.url("/cal.ics"))
    assert services.import_feed(feed_id=feed.pk).created == 1

    server.serve("/loop.ics", b"", status=302, headers={"Location": "/loop.ics"})
    looping = _feed(server.url("/loop.ics"), name="Schleife")
    assert "Too many redirects" in services.import_feed(feed_id=looping.pk).error
    assert server.requests.count("/loop.ics") == fetching.MAX_REDIRECTS + 1


def test_loopback_refused_without_the_test_setting(settings):
    settings.PARTNER_FEEDS_ALLOW_LOOPBACK = False
    feed = _feed("http://127.0.0.1:9/cal.ics")
    result = services.import_feed(feed_id=feed.pk)
    assert "local or private network" in result.error


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "0.0.0.0",  # noqa: S104 — refused, not bound
        "224.0.0.1",
        "240.0.0.1",
        "100.64.0.1",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
    ],
)
def test_local_addresses_are_not_public(address):
    assert not fetching.is_public_address(address)


def test_public_addresses_are_public():
    assert fetching.is_public_address("93.184.216.34")
    assert fetching.is_public_address("2606:4700:4700::1111")


def test_connection_goes_to_the_vetted_address(monkeypatch, server):
    """DNS rebinding: the name resolves to a public address when checked, to another when the
    connection is made; the connection uses the checked address, never a second lookup."""
    start = timezone.now() + timedelta(days=3)
    server.serve("/cal.ics", ics([{"uid": "v", "summary": "Geprüft", "start": start}]))
    answers = []
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        answers.append(host)
        if host == "partner.example":
            return real("127.0.0.1", port, *args, **kwargs)
        return real(host, port, *args, **kwargs)  # an address itself: no DNS

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    connected = []
    real_create = socket.create_connection

    def create_connection(address, *args, **kwargs):
        connected.append(address[0])
        return real_create(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", create_connection)
    body = fetching.fetch(f"http://partner.example:{server.port}/cal.ics")
    assert b"Gepr" in body
    assert answers.count("partner.example") == 1
    assert connected == ["127.0.0.1"]


def test_bench_feed_import_row_is_idempotent():
    """The bench's row (tests/perf/bench.py): 200 events written, the re-import writes none."""
    from tests.perf import bench

    result = bench.measure_feed_import(events=200)

    assert (result["created"], result["rewritten"]) == (200, 0)
    row = bench.feed_import_row(result)
    assert "200-event" in row[0] and row[-1] == "yes"
    assert not PartnerFeed.objects.exists()


def test_the_hourly_beat_task_imports_every_active_feed_and_skips_paused_ones(server, settings):
    from policy.feeds.tasks import import_partner_feeds

    entries = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "policy.import_partner_feeds"
    ]
    assert [entry["schedule"] for entry in entries] == [3600.0]
    day = timezone.now() + timedelta(days=5)
    server.serve("/a.ics", ics([{"uid": "a@one", "summary": "Digitaltag", "start": day}]))
    server.serve("/b.ics", ics([{"uid": "b@two", "summary": "Messe", "start": day}]))
    active, paused = _feed(server.url("/a.ics")), _feed(server.url("/b.ics"), name="Kammer")
    paused.active = False
    paused.save()

    import_partner_feeds.delay()  # eager in tests: each feed's own task runs at once

    assert set(_rows(active)) == {"a@one"}
    assert _rows(paused) == {}
    paused.refresh_from_db()
    assert paused.last_import_at is None
