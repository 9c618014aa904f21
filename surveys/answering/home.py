"""A company representative's home (regiolab/home/) lists the open training-needs rounds their
company answers in its space, with whether it has answered yet."""

from django.db.models import Exists, OuterRef, Q

from companies.selectors import membership_of
from regiolab.home import sections
from regiolab.home.sections import MEMBER, HomeSection

from ..models import Response, Survey

ROUNDS_LIMIT = 5


def open_rounds(*, user, now) -> dict | None:
    """The open training-needs rounds, soonest closing first, each marked answered or not: one
    query (the membership is cached on the user). Nothing for a person without a company."""
    membership = membership_of(user)
    if membership is None:
        return None
    rounds = list(
        Survey.objects.filter(
            purpose=Survey.Purpose.TRAINING_NEEDS,
            status=Survey.Status.OPEN,
            is_template=False,
            current_version__isnull=False,
        )
        .filter(Q(opens_at__isnull=True) | Q(opens_at__lte=now))
        .filter(Q(closes_at__isnull=True) | Q(closes_at__gt=now))
        .annotate(
            answered=Exists(
                Response.objects.filter(survey=OuterRef("pk"), company=membership.company_id)
            )
        )
        .order_by("closes_at", "pk")[:ROUNDS_LIMIT]
    )
    if not rounds:
        return None
    return {"rounds": rounds, "company": membership.company}


def register() -> None:
    sections.register(
        HomeSection(
            key="survey_rounds",
            roles=frozenset({MEMBER}),
            order=15,
            template="surveys/answering/home_rounds.html",
            context=open_rounds,
        )
    )
