"""The pitch day (/challenges/<call-slug>/pitch-day/…): coordinators manage slots, plans and
matches; the representatives of the call's challenge owners and shortlisted providers see the
agenda and their own meetings, ask for meetings and answer them.

rep_a's company A owns challenge X of call PD (providers P, Q, R shortlisted; P asked A for a
meeting, Q's meeting is accepted, Q's match recorded). rep_b is "a company of another
challenge": company B owns challenge Y of call PD_b. Neither sees the other's pitch day (403),
and rep_b cannot answer A's meeting through B's own pitch day (404)."""

from tests.matrix_rows import LOGIN, coordinator_page, coordinator_write, row

PD = "/challenges/pitch-matrix/pitch-day/"
PD_B = "/challenges/pitch-matrix-b/pitch-day/"

ROWS = [
    row("GET", PD, LOGIN, 200, 403, 200, 403),
    row("GET", PD_B, LOGIN, 403, 200, 200, 403),
    row("GET", "/challenges/no-such-call/pitch-day/", LOGIN, 404, 404, 404, 404),
    coordinator_write(PD + "slots/", "pitch_slots"),
    row(
        "POST", PD + "meetings/", LOGIN, 302, 403, 403, 403, payload="pitch_request", writes="rep_a"
    ),  # fmt: skip
    row("POST", PD_B + "meetings/", LOGIN, 403, 200, 403, 403, payload="pitch_request"),
    row(
        "POST",
        PD + "meetings/{PD_M}/answer/",
        LOGIN,
        302,
        403,
        403,
        403,
        payload="pitch_answer",
        writes="rep_a",
    ),  # fmt: skip
    row(
        "POST", PD_B + "meetings/{PD_M}/answer/", LOGIN, 403, 404, 403, 403, payload="pitch_answer"
    ),  # fmt: skip
    coordinator_write(PD + "send-plans/", None),
    coordinator_page(PD + "matches/"),
    coordinator_write(PD + "matches/{PD_MT}/", "pitch_match"),
    coordinator_write(PD_B + "matches/{PD_MT}/", "pitch_match", ok=404, writes=""),
]

PAYLOADS = {
    "pitch_slots": lambda w: {
        "start": w.ids["PD_next_start"],
        "slot_minutes": "15",
        "rounds": "2",
        "tables": "2",
    },
    # R's proposal for A's challenge X, any free slot (B may not ask: not B's challenge).
    "pitch_request": lambda w: {"proposal": w.ids["PD_R"], "slot": ""},
    "pitch_answer": lambda w: {"answer": "accept"},
    "pitch_match": lambda w: {"status": "nda", "date": w.ids["PD_today"], "text": "NDA"},
}


def world(base) -> dict:
    from datetime import timedelta

    from django.utils import timezone

    from challenges.models import Call, Challenge, Match, Meeting, MeetingSlot, Proposal
    from tests import matrix_world
    from tests.factories import CompanyMemberFactory, WorkshopFactory

    matrix_world._WATCHED_APPS.add("challenges")
    today = timezone.localdate()

    def call(slug):
        start = (timezone.now() + timedelta(days=30)).replace(minute=0, second=0, microsecond=0)
        return Call.objects.create(
            title=f"Aufruf {slug}",
            slug=slug,
            collecting_from=today - timedelta(days=90),
            published_from=today - timedelta(days=60),
            proposals_from=today - timedelta(days=50),
            proposals_until=timezone.now() - timedelta(days=30),
            review_until=today - timedelta(days=10),
            follow_up_from=today + timedelta(days=40),
            pitch_event=WorkshopFactory(
                title=f"Pitch {slug}", starts_at=start, ends_at=start + timedelta(hours=8)
            ),
        )

    def challenge(c, company, user, title):
        return Challenge.objects.create(
            call=c, company=company, title=title, problem="Problem", desired_outcome="Ziel",
            public_summary="Kurz", status=Challenge.Status.PUBLISHED,
            published_at=timezone.now(), created_by=user,
        )  # fmt: skip

    def provider(ch, name):
        m = CompanyMemberFactory(company__name=name, user__email=f"{name.lower()}@anbieter.example")
        return Proposal.objects.create(
            challenge=ch, company=m.company, approach="Ansatz", created_by=m.user,
            status=Proposal.Status.SHORTLISTED, submitted_at=timezone.now(),
        ), m.user  # fmt: skip

    pd, pd_b = call("pitch-matrix"), call("pitch-matrix-b")
    x = challenge(pd, base.company_a, base.rep_a, "Antriebe vernetzen")
    challenge(pd_b, base.company_b, base.rep_b, "Backstube digital")
    (p, p_user), (q, q_user), (r, _r_user) = (
        provider(x, name) for name in ("Pixel", "Quanta", "Robota")
    )
    start = pd.pitch_event.starts_at + timedelta(hours=1)
    slots = [
        MeetingSlot.objects.create(
            call=pd,
            starts_at=start + timedelta(minutes=15 * n),
            ends_at=start + timedelta(minutes=15 * (n + 1)),
            table="Tisch 1",
        )  # fmt: skip
        for n in range(4)
    ]
    requested = Meeting.objects.create(
        call=pd, challenge=x, proposal=p, owner_person=base.rep_a, provider_person=p_user,
        requested_by=p_user, slot=slots[0], starts_at=slots[0].starts_at,
    )  # fmt: skip
    Meeting.objects.create(
        call=pd, challenge=x, proposal=q, owner_person=base.rep_a, provider_person=q_user,
        requested_by=q_user, slot=slots[1], starts_at=slots[1].starts_at,
        status=Meeting.Status.ACCEPTED, answered_at=timezone.now(),
    )  # fmt: skip
    match = Match.objects.create(challenge=x, company=q.company, proposal=q)
    next_start = timezone.localtime(start + timedelta(hours=3))
    return {
        "PD_M": requested.pk,
        "PD_MT": match.pk,
        "PD_R": r.pk,
        "PD_today": today.isoformat(),
        "PD_next_start": next_start.strftime("%Y-%m-%dT%H:%M"),
    }
