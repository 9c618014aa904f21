"""The learning cycles' sections of the home (regiolab/home/): a participant's programmes
("Ihre Lernprogramme") and, for coordinators, the running programmes with the next learning
workshops. Each selector runs a fixed number of queries."""

from django.db.models import F, Min, Q

from regiolab.home import sections
from regiolab.home.sections import COORDINATOR, MEMBER, HomeSection
from workshops.models import Workshop

from .models import LearningProgramme, ProgrammePerson

LIMIT = 6


def my_programmes(*, user, now) -> dict | None:
    """The programmes the person takes part in (not closed), each with its next learning
    workshop; None for people in no programme, so they see no empty section. One query."""
    programmes = list(
        LearningProgramme.objects.filter(
            pk__in=ProgrammePerson.objects.filter(user=user).values("organisation__programme_id")
        )
        .exclude(status=LearningProgramme.Status.CLOSED)
        .annotate(
            next_workshop=Min(
                "cycles__workshop__starts_at",
                filter=Q(cycles__workshop__starts_at__gt=now)
                & ~Q(cycles__workshop__status=Workshop.Status.CANCELLED),
            )
        )
        .only("title", "slug", "status")
        .order_by("-start", "pk")[:LIMIT]
    )
    if not programmes:
        return None
    return {"programmes": programmes}


def running_programmes(*, user, now) -> dict:
    """Planned and running programmes, each with its next learning workshop, soonest first:
    one query."""
    programmes = list(
        LearningProgramme.objects.exclude(status=LearningProgramme.Status.CLOSED)
        .annotate(
            next_workshop=Min(
                "cycles__workshop__starts_at",
                filter=Q(cycles__workshop__ends_at__gt=now)
                & ~Q(cycles__workshop__status=Workshop.Status.CANCELLED),
            )
        )
        .only("title", "slug", "status")
        .order_by(F("next_workshop").asc(nulls_last=True), "pk")[:LIMIT]
    )
    return {"programmes": programmes}


def register() -> None:
    sections.register(
        HomeSection(
            key="my_learning_programmes",
            roles=frozenset({MEMBER}),
            order=15,
            template="learning/home/my_programmes.html",
            context=my_programmes,
        )
    )
    sections.register(
        HomeSection(
            key="learning_programmes",
            roles=frozenset({COORDINATOR}),
            order=12,
            template="learning/home/running_programmes.html",
            context=running_programmes,
        )
    )
