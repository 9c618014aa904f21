"""The review of a call (/challenges/<call-slug>/review/…): coordinators run it; a reviewer of
the call sees their own assignments and scores them; for everybody else, a reviewer of another
call included, the call's review does not exist (404).

The two reviewer roles are not among the matrix's five: ``REVIEWER_EXPECT`` holds their answers
per row ("reviewer" of this call, "other_reviewer" of another call), walked by
tests/challenges/test_review_matrix.py with this part's world; ``REVIEWER_WRITES`` the rows
where the reviewer's request must change data."""

from tests.matrix_rows import LOGIN, row

R = "/challenges/{CR}/review/"
REVIEWER_EXPECT: dict[str, tuple] = {}
REVIEWER_WRITES: set[str] = set()


def review_row(method, path, coordinator, reviewer, other=404, *, ok_writes=False, **options):
    """Anonymous → login; companies and funders → 404 (the call's review is hidden)."""
    made = row(method, path, LOGIN, 404, 404, coordinator, 404, **options)
    REVIEWER_EXPECT[made.id] = (reviewer, other)
    if ok_writes:
        REVIEWER_WRITES.add(made.id)
    return made


def _write(path, payload, reviewer=403):
    return review_row("POST", path, 302, reviewer, payload=payload, writes="coordinator")


ROWS = [
    review_row("GET", R, 200, 200),
    review_row("GET", "/challenges/{CR_missing}/review/", 404, 404),
    review_row("GET", R + "reviewers/", 200, 403),
    _write(R + "reviewers/", "cr_reviewer"),
    _write(R + "assign/", "cr_balanced"),
    review_row("GET", R + "decisions/", 200, 403),
    _write(R + "decisions/", None),
    # The reviewer's own proposal: a coordinator is sent to its overview.
    review_row("GET", R + "{CR_P}/", 302, 200),
    review_row("POST", R + "{CR_P}/", 302, 302, payload="cr_scores", ok_writes=True),
    # Not assigned to the reviewer: hidden.
    review_row("GET", R + "{CR_P2}/", 302, 404),
    review_row("POST", R + "{CR_P2}/", 302, 404, payload="cr_scores"),
    review_row("GET", R + "{missing}/", 404, 404),
    # A coordinator who is a reviewer too scores the proposals assigned to them.
    review_row("GET", R + "{CR_P3}/", 200, 404),
    review_row("GET", R + "{CR_P}/manage/", 200, 403),
    review_row("GET", R + "{missing}/manage/", 404, 403),
    _write(R + "{CR_P2}/assign/", "cr_assign"),
    _write(R + "{CR_P}/unassign/{CR_A}/", None),
    _write(R + "{CR_P2}/decision/", "cr_decision"),
]

PAYLOADS = {
    "cr_reviewer": lambda w: {"email": "gutachterin@matrix.example", "first_name": "Gerda"},
    "cr_balanced": lambda w: {"per_proposal": 2},
    "cr_scores": lambda w: {
        f"score_{w.ids['CR_C1']}": 4,
        f"note_{w.ids['CR_C1']}": "Neuartig",
        f"score_{w.ids['CR_C2']}": 3,
        "comment": "Solide",
    },
    "cr_assign": lambda w: {"reviewer": w.ids["CR_reviewer"], "override_reason": ""},
    "cr_decision": lambda w: {"status": "shortlisted", "feedback": "Gut"},
}


def world(base) -> dict:
    from datetime import timedelta

    from django.utils import timezone

    from challenges.models import (
        Call,
        CallReviewer,
        Challenge,
        Criterion,
        Proposal,
        ReviewAssignment,
    )
    from tests import matrix_world
    from tests.factories import CompanyFactory, UserFactory

    matrix_world._WATCHED_APPS.add("challenges")
    today = timezone.localdate()

    def call(slug, title):
        return Call.objects.create(
            title=title,
            slug=slug,
            collecting_from=today - timedelta(days=90),
            published_from=today - timedelta(days=60),
            proposals_from=today - timedelta(days=40),
            proposals_until=timezone.now() - timedelta(days=2),
            review_until=today + timedelta(days=10),
            follow_up_from=today + timedelta(days=40),
        )

    reviewed = call("matrix-review-aufruf", "Matrix-Aufruf Review")
    other = call("matrix-anderer-aufruf", "Matrix-Aufruf Anders")
    c1 = Criterion.objects.create(call=reviewed, name="Neuheit", weight=2, position=0)
    c2 = Criterion.objects.create(call=reviewed, name="Machbarkeit", weight=1, position=1)
    challenge = Challenge.objects.create(
        call=reviewed,
        company=base.company_c,
        title="Matrix-Herausforderung",
        problem="Problem",
        desired_outcome="Lösung",
        public_summary="Kurz",
        status="published",
    )
    mine = Proposal.objects.create(
        challenge=challenge,
        company=base.company_a,
        approach="Ansatz A",
        status="submitted",
        created_by=base.rep_a,
    )
    unassigned = Proposal.objects.create(
        challenge=challenge,
        company=base.company_b,
        approach="Ansatz B",
        status="submitted",
        created_by=base.rep_b,
    )
    reviewer = UserFactory(email="gutachter@matrix.example")
    other_reviewer = UserFactory(email="fremdgutachter@matrix.example")
    CallReviewer.objects.create(call=reviewed, user=reviewer)
    CallReviewer.objects.create(call=other, user=other_reviewer)
    assignment = ReviewAssignment.objects.create(proposal=mine, reviewer=reviewer)
    # The coordinator reviews too: one proposal is assigned to them.
    own = Proposal.objects.create(
        challenge=challenge,
        company=CompanyFactory(name="Matrix Epsilon GmbH"),
        approach="Ansatz E",
        status="submitted",
        created_by=base.coordinator,
    )
    CallReviewer.objects.create(call=reviewed, user=base.coordinator, external=False)
    ReviewAssignment.objects.create(proposal=own, reviewer=base.coordinator)
    # A decided proposal whose e-mail is still to go: "send the decisions" has work to do.
    Proposal.objects.create(
        challenge=challenge,
        company=CompanyFactory(name="Matrix Delta GmbH"),
        approach="Ansatz D",
        status="shortlisted",
        created_by=base.coordinator,
    )
    return {
        "CR": reviewed.slug,
        "CR_missing": "kein-aufruf",
        "CR_P": mine.pk,
        "CR_P2": unassigned.pk,
        "CR_P3": own.pk,
        "CR_A": assignment.pk,
        "CR_C1": c1.pk,
        "CR_C2": c2.pk,
        "CR_reviewer": reviewer.pk,
        "CR_other_reviewer": other_reviewer.pk,
    }
