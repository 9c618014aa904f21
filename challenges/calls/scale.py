"""Scale data of calls for ``seed_scale``: 20 calls (``--calls``) × 20 challenges × 15 proposals, written
with bulk inserts on the seeder's companies and topics. The first call (``scale-call-01``) is
the largest public page: all its challenges published."""

from datetime import timedelta

from ..models import Call, Challenge, Criterion, Proposal

CALLS, CHALLENGES_PER_CALL, PROPOSALS_PER_CHALLENGE = 20, 20, 15
SLUG_PREFIX = "scale-call-"
BATCH = 2000
CRITERIA = [("Innovationsgrad", 3), ("Umsetzbarkeit", 3), ("Wirtschaftlichkeit", 2), ("Team", 2)]
STATUSES = ["published"] * 14 + ["approved", "submitted", "revision", "draft", "draft", "withdrawn"]


def largest_call_slug() -> str:
    return f"{SLUG_PREFIX}01"


def flush_scale_calls() -> None:
    Call.objects.filter(slug__startswith=SLUG_PREFIX).delete()


def seed_scale_calls(seeder) -> int:
    rng = seeder.rng
    company_ids = seeder.company_ids
    topic_ids = seeder.topic_ids
    start = seeder.base.date()
    calls = []
    # seed_scale's --calls (a small run needs one); the default is the scale of the bench.
    counts = getattr(seeder, "counts", None)
    for number in range(1, getattr(counts, "calls", CALLS) + 1):
        collecting = start + timedelta(days=30 * (number - 1))
        calls.append(
            Call(
                title=f"Skalierungsaufruf {number:02d}",
                slug=f"{SLUG_PREFIX}{number:02d}",
                description="Herausforderungen aus dem Mittelstand der Region.",
                organiser="Regionalmanagement",
                collecting_from=collecting,
                published_from=collecting + timedelta(days=30),
                proposals_from=collecting + timedelta(days=32),
                proposals_until=seeder.base + timedelta(days=30 * (number - 1) + 75),
                review_until=collecting + timedelta(days=95),
                follow_up_from=collecting + timedelta(days=130),
                confidentiality_terms="Vertraulich behandeln.",
            )
        )
    calls = Call.objects.bulk_create(calls)
    criteria = [
        Criterion(call=call, name=name, weight=weight, position=position)
        for call in calls
        for position, (name, weight) in enumerate(CRITERIA)
    ]
    Criterion.objects.bulk_create(criteria)
    challenges = []
    for index, call in enumerate(calls):
        for number in range(CHALLENGES_PER_CALL):
            status = "published" if index == 0 else STATUSES[number]
            challenges.append(
                Challenge(
                    call=call,
                    company_id=rng.choice(company_ids),
                    title=f"Herausforderung {index + 1:02d}-{number + 1:02d}",
                    problem="Ungeplante Stillstände und hoher Ausschuss.",
                    desired_outcome="Stillstände und Ausschuss halbieren.",
                    public_summary=(
                        "Ein Betrieb der Region sucht eine Lösung für weniger Stillstände "
                        "und Ausschuss in der Fertigung."
                    ),
                    confidential_text="Vertrauliche Kennzahlen.",
                    sector=rng.choice("CCCFGHJM"),
                    offer_budget=rng.choice(["", "10k", "50k", "100k", "more"]),
                    status=status,
                    published_at=seeder.base if status == "published" else None,
                )
            )
    challenges = Challenge.objects.bulk_create(challenges, batch_size=BATCH)
    through = Challenge.topics.through
    topic_rows = [
        through(challenge_id=challenge.pk, topic_id=topic_id)
        for challenge in challenges
        for topic_id in rng.sample(topic_ids, 2)
    ]
    through.objects.bulk_create(topic_rows, batch_size=BATCH)
    proposals = []
    for challenge in challenges:
        # A small seed (--companies 5) has fewer providers than a challenge's proposals.
        sample = rng.sample(company_ids, min(len(company_ids), PROPOSALS_PER_CHALLENGE + 1))
        providers = [c for c in sample if c != challenge.company_id][:PROPOSALS_PER_CHALLENGE]
        for company_id in providers:
            proposals.append(
                Proposal(
                    challenge=challenge,
                    company_id=company_id,
                    approach="Sensorik, Datenanalyse und ein Pilot in drei Monaten.",
                    cost_estimate=rng.randrange(5_000, 150_000, 500),
                    status="submitted",
                    submitted_at=seeder.base,
                )
            )
    Proposal.objects.bulk_create(proposals, batch_size=BATCH)
    return len(calls) + len(criteria) + len(challenges) + len(topic_rows) + len(proposals)
