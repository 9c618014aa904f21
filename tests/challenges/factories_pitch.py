"""Plain helpers for the pitch-day tests: a call with its pitch event, published challenges
whose owning company has a representative, shortlisted proposals from providers with one."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from challenges.models import Call, Challenge, Proposal
from tests.factories import CompanyMemberFactory, WorkshopFactory

BERLIN = ZoneInfo("Europe/Berlin")


def make_call(slug="pitch-call", *, network=None, event=True, **fields) -> Call:
    today = timezone.localdate()
    pitch_event = None
    if event:
        start = datetime.combine(today + timedelta(days=20), datetime.min.time(), BERLIN).replace(
            hour=9
        )
        pitch_event = WorkshopFactory(
            title="Pitch-Tag", starts_at=start, ends_at=start + timedelta(hours=8)
        )
    defaults = {
        "title": f"Aufruf {slug}",
        "collecting_from": today - timedelta(days=90),
        "published_from": today - timedelta(days=60),
        "proposals_from": today - timedelta(days=50),
        "proposals_until": timezone.now() - timedelta(days=30),
        "review_until": today - timedelta(days=10),
        "follow_up_from": today + timedelta(days=30),
        "network": network,
        "pitch_event": pitch_event,
    }
    defaults.update(fields)
    return Call.objects.create(slug=slug, **defaults)


def member(company=None, **user):
    """A company's representative (owner role): (user, company)."""
    kwargs = {"company": company} if company is not None else {}
    if user:
        kwargs.update({f"user__{k}": v for k, v in user.items()})
    m = CompanyMemberFactory(**kwargs)
    return m.user, m.company


def make_challenge(call, *, company=None, title="Digitale Qualitätsprüfung", published_at=None):
    """A published challenge and its owner's representative: (challenge, owner user)."""
    user, company = member(company)
    challenge = Challenge.objects.create(
        call=call,
        company=company,
        title=title,
        problem="Prüfung dauert zu lange.",
        desired_outcome="Automatische Prüfung.",
        public_summary="Wir suchen eine KI-Prüfung.",
        status=Challenge.Status.PUBLISHED,
        published_at=published_at or timezone.now(),
        created_by=user,
    )
    return challenge, user


def make_proposal(
    challenge, *, company=None, status=Proposal.Status.SHORTLISTED, submitted_at=None
):
    """A proposal (shortlisted by default) and the provider's representative: (proposal, user)."""
    user, company = member(company)
    proposal = Proposal.objects.create(
        challenge=challenge,
        company=company,
        approach="Kamerasystem mit Bilderkennung.",
        status=status,
        submitted_at=submitted_at or timezone.now(),
        created_by=user,
    )
    return proposal, user


def first_of(day: date):
    return datetime.combine(day, datetime.min.time(), BERLIN)
