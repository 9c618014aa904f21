"""Open Innovation calls, challenges and proposals (/challenges/…): the calls and a call's
public page with its .ics are public; coordinators manage calls, decide on challenges and invite
suggested providers; a company's people draft their own challenges and propose for others'
published ones (one proposal per company: company B already has one, so its second is refused);
proposals and their attachments are seen by their company and the coordinators only (404 for
others). The published challenge belongs to company C, so that neither A nor B sees the other."""

from tests.matrix_rows import LOGIN, coordinator_page, coordinator_write, public, row

ROWS = [
    public("/challenges/"),
    coordinator_page("/challenges/new/"),
    coordinator_write("/challenges/new/", "challenge_call"),
    public("/challenges/{CALL}/"),
    row("GET", "/challenges/kein-aufruf/", 404, 404, 404, 404, 404),
    public("/challenges/{CALL}/calendar.ics"),
    coordinator_page("/challenges/{CALL}/edit/"),
    coordinator_write("/challenges/{CALL}/edit/", "challenge_call_edit"),
    row(
        "POST",
        "/challenges/{CALL}/terms/",
        LOGIN,
        302,
        302,
        403,
        403,
        payload="challenge_terms",
        writes="rep_a rep_b",
    ),
    row("GET", "/challenges/{CALL}/new/", LOGIN, 200, 200, 403, 403),
    row(
        "POST",
        "/challenges/{CALL}/new/",
        LOGIN,
        302,
        302,
        403,
        403,
        payload="challenge_new",
        writes="rep_a rep_b",
    ),
    public("/challenges/{CALL}/{CH}/"),
    row("GET", "/challenges/{CALL}/{missing}/", 404, 404, 404, 404, 404),
    row("GET", "/challenges/{CALL}/{CHD}/", 404, 200, 404, 200, 404),
    row("GET", "/challenges/{CALL}/{CHD}/edit/", LOGIN, 200, 404, 403, 404),
    row(
        "POST",
        "/challenges/{CALL}/{CHD}/edit/",
        LOGIN,
        302,
        404,
        403,
        404,
        payload="challenge_new",
        writes="rep_a",
    ),
    row("POST", "/challenges/{CALL}/{CHD}/submit/", LOGIN, 302, 404, 403, 404, writes="rep_a"),
    coordinator_write("/challenges/{CALL}/{CH}/decide/", "challenge_decide"),
    row(
        "POST",
        "/challenges/{CALL}/{CHD}/withdraw/",
        LOGIN,
        302,
        404,
        302,
        404,
        writes="rep_a coordinator",
    ),
    coordinator_page("/challenges/{CALL}/{CH}/providers/"),
    coordinator_write("/challenges/{CALL}/{CH}/providers/", "challenge_invite"),
    row("GET", "/challenges/{CALL}/{CH}/proposal/", LOGIN, 200, 200, 403, 403),
    # Company A proposes; company B has a proposal already: refused (200 with the message).
    row(
        "POST",
        "/challenges/{CALL}/{CH}/proposal/",
        LOGIN,
        302,
        200,
        403,
        403,
        payload="challenge_proposal",
        writes="rep_a",
    ),
    row("GET", "/challenges/proposals/", LOGIN, 200, 200, 403, 403),
    row("GET", "/challenges/proposals/{PR}/", LOGIN, 404, 200, 200, 404),
    row("GET", "/challenges/proposals/attachments/{PR_ATT}/", LOGIN, 404, 200, 200, 404),
    row(
        "POST",
        "/challenges/proposals/attachments/{PR_ATT}/delete/",
        LOGIN,
        404,
        302,
        403,
        404,
        writes="rep_b",
    ),
]


def _call_fields(w, **extra) -> dict:
    data = dict(w.ids["CALL_FIELDS"])
    data.update(
        {
            "criteria-TOTAL_FORMS": "0",
            "criteria-INITIAL_FORMS": "0",
            "criteria-MIN_NUM_FORMS": "0",
            "criteria-MAX_NUM_FORMS": "20",
        }
    )
    data.update(extra)
    return data


PAYLOADS = {
    "challenge_call": lambda w: _call_fields(w, title="Matrix-Aufruf neu", slug=""),
    "challenge_call_edit": lambda w: _call_fields(w, title="Matrix-Aufruf geändert"),
    "challenge_terms": lambda w: {"accept": "on", "challenge": w.ids["CH"]},
    "challenge_new": lambda w: {
        "title": "Matrix-Herausforderung",
        "public_summary": "Kurzfassung",
        "problem": "Problem",
        "desired_outcome": "Ziel",
        "offer_budget": "10k",
        "sector": "C",
    },
    "challenge_decide": lambda w: {"decision": "comment", "text": "Matrix-Kommentar"},
    "challenge_invite": lambda w: {"companies": [w.ids["CH_provider"]]},
    "challenge_proposal": lambda w: {
        "approach": "Matrix-Ansatz",
        "proposal_id": "",
        "action": "save",
    },
}


def world(base) -> dict:
    from datetime import datetime, time, timedelta

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from challenges.models import Call, Challenge, Criterion, Proposal, ProposalAttachment
    from tests import matrix_world
    from tests.factories import CompanyFactory

    matrix_world._WATCHED_APPS.add("challenges")
    today = timezone.localdate()
    deadline = timezone.make_aware(datetime.combine(today + timedelta(days=10), time(18, 0)))
    call = Call.objects.create(
        title="Matrix-Aufruf",
        slug="matrix-aufruf",
        organiser="Regionalmanagement",
        collecting_from=today - timedelta(days=30),
        published_from=today - timedelta(days=20),
        proposals_from=today - timedelta(days=5),
        proposals_until=deadline,
        review_until=today + timedelta(days=30),
        follow_up_from=today + timedelta(days=60),
        confidentiality_terms="Vertraulich.",
    )
    Criterion.objects.create(call=call, name="Machbarkeit", weight=2)
    published = Challenge.objects.create(
        call=call,
        company=base.company_c,
        title="Matrix-Herausforderung Gamma",
        problem="Problem",
        desired_outcome="Ziel",
        public_summary="Öffentliche Kurzfassung",
        confidential_text="Nur nach Zustimmung",
        sector="C",
        status=Challenge.Status.PUBLISHED,
    )
    draft = Challenge.objects.create(
        call=call,
        company=base.company_a,
        title="Entwurf von Alpha",
        problem="Problem",
        desired_outcome="Ziel",
        public_summary="Kurz",
        status=Challenge.Status.DRAFT,
    )
    proposal = Proposal.objects.create(
        challenge=published, company=base.company_b, approach="Ansatz von Beta"
    )
    attachment = ProposalAttachment(proposal=proposal, name="angebot.pdf", size=10)
    attachment.file.save("angebot.pdf", ContentFile(matrix_world.RECEIPT_PDF), save=False)
    attachment.save()
    provider = CompanyFactory(name="Matrix-Anbieter GmbH", sector="C")
    fields = {
        "title": call.title,
        "slug": call.slug,
        "organiser": call.organiser,
        "collecting_from": call.collecting_from.isoformat(),
        "published_from": call.published_from.isoformat(),
        "proposals_from": call.proposals_from.isoformat(),
        "proposals_until": timezone.localtime(deadline).strftime("%Y-%m-%dT%H:%M"),
        "review_until": call.review_until.isoformat(),
        "follow_up_from": call.follow_up_from.isoformat(),
        "terms_version": "1",
        "confidentiality_terms": "Vertraulich.",
    }
    return {
        "CALL": call.slug,
        "CALL_FIELDS": fields,
        "CH": published.pk,
        "CHD": draft.pk,
        "PR": proposal.pk,
        "PR_ATT": attachment.pk,
        "CH_provider": provider.pk,
    }


NOT_HTML = {
    "challenges/proposals/attachments/<int:pk>/": "a proposal's PDF as uploaded",
}
