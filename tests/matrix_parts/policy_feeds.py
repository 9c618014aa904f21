"""Partner feeds (/policy/feeds/) and the newsletter (/newsletter/): coordinators manage;
subscribing is public, confirming and unsubscribing are authorised by the token in the link
(RFC 8058 one-click POST without login)."""

from tests.matrix_rows import coordinator_page, coordinator_write, public, row

ALL = "anonymous rep_a rep_b coordinator funder"

ROWS = [
    coordinator_page("/policy/feeds/"),
    coordinator_page("/policy/feeds/new/"),
    coordinator_write("/policy/feeds/new/", "partner_feed"),
    coordinator_page("/policy/feeds/{PF}/"),
    coordinator_write("/policy/feeds/{PF}/", "partner_feed"),
    coordinator_page("/policy/feeds/{missing}/", ok=404),
    coordinator_page("/policy/feeds/{PF}/delete/"),
    coordinator_write("/policy/feeds/{PF}/delete/", None),
    # The feed's address is a loopback one: the import is refused and the error recorded.
    coordinator_write("/policy/feeds/{PF}/import/", None),
    coordinator_page("/newsletter/"),
    coordinator_page("/newsletter/new/"),
    coordinator_write("/newsletter/new/", "newsletter"),
    coordinator_page("/newsletter/{NL}/"),
    coordinator_page("/newsletter/{NL}/edit/"),
    coordinator_write("/newsletter/{NL}/edit/", "newsletter"),
    coordinator_write("/newsletter/{NL}/send/", None),
    coordinator_page("/newsletter/{missing}/", ok=404),
    public("/newsletter/subscribe/"),
    row(
        "POST",
        "/newsletter/subscribe/",
        200,
        200,
        200,
        200,
        200,
        payload="newsletter_subscribe",
        writes=ALL,
    ),
    public("/newsletter/confirm/{NL_waiting}/"),
    row("POST", "/newsletter/confirm/{NL_waiting}/", 200, 200, 200, 200, 200, writes=ALL),
    row("GET", "/newsletter/confirm/not-a-token/", 404, 404, 404, 404, 404),
    row("POST", "/newsletter/confirm/not-a-token/", 404, 404, 404, 404, 404),
    public("/newsletter/unsubscribe/{NL_reader}/"),
    row("POST", "/newsletter/unsubscribe/{NL_reader}/", 200, 200, 200, 200, 200, writes=ALL),
    row("GET", "/newsletter/unsubscribe/not-a-token/", 404, 404, 404, 404, 404),
    row("POST", "/newsletter/unsubscribe/not-a-token/", 404, 404, 404, 404, 404),
]

PAYLOADS = {
    # A public address written as an IP: checked without DNS, never fetched (the import is
    # queued after commit, and the matrix's transaction never commits).
    "partner_feed": lambda w: {
        "partner_name": "Partner im Test",
        "partner_url": "https://partner.example",
        "url": "https://93.184.216.34/kalender.ics",
        "active": "on",
    },
    "newsletter": lambda w: {
        "subject": "Neuigkeiten",
        "intro": "Hallo",
        "workshops": [w.ids["NL_W"]],
    },
    "newsletter_subscribe": lambda w: {"email": "matrix-neu@example.org", "consent": "on"},
}


def world(base) -> dict:
    from datetime import timedelta

    from django.utils import timezone

    from policy.models import Newsletter, PartnerEvent, PartnerFeed, Subscriber
    from tests import matrix_world

    # The policy pages' writes must show in the snapshot (refused ones must not).
    matrix_world._WATCHED_APPS.add("policy")

    feed = PartnerFeed.objects.create(
        partner_name="Matrix-Partner",
        partner_url="https://partner.example",
        url="http://127.0.0.1:9/kalender.ics",
    )
    PartnerEvent.objects.create(
        feed=feed,
        uid="matrix-1",
        title="Partnertag",
        starts_at=timezone.now() + timedelta(days=9),
        url="https://partner.example/tag",
    )
    newsletter = Newsletter.objects.create(subject="Matrix-Ausgabe", intro="Hallo")
    newsletter.workshops.set([base.workshop])
    reader = Subscriber.objects.create(
        email="matrix-leser@example.org", confirmed_at=timezone.now()
    )
    waiting = Subscriber.objects.create(email="matrix-wartet@example.org")
    return {
        "PF": feed.pk,
        "NL": newsletter.pk,
        "NL_W": base.workshop.pk,
        "NL_reader": reader.token,
        "NL_waiting": waiting.token,
    }
