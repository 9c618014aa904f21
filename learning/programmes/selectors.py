"""Reads of the programme pages: the list, a programme's space for coordinators and for its
participants, the public summary. Each page runs a fixed number of queries, however many
organisations, people and cycles the programme has."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import rules
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404

from regiolab.permissions import is_coordinator
from workshops.models import Registration, Workshop

from ..models import (
    Cycle,
    CycleReport,
    LearningProgramme,
    ProgrammeOrganisation,
    ProgrammePerson,
    Task,
    TaskSubmission,
)

ACTIVE_REGISTRATION = (
    Registration.Status.CONFIRMED,
    Registration.Status.WAITLISTED,
    Registration.Status.ATTENDED,
)


def _count(model, **outer) -> Coalesce:
    """A count of related rows as a subquery (two counts joined would multiply)."""
    rows = (
        model.objects.filter(**{key: OuterRef(value) for key, value in outer.items()})
        .order_by()
        .values(next(iter(outer)))
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def with_counts(queryset: QuerySet[LearningProgramme]) -> QuerySet[LearningProgramme]:
    return queryset.select_related("network").annotate(
        cycle_count=_count(Cycle, programme="pk"),
        organisation_count=_count(ProgrammeOrganisation, programme="pk"),
    )


def published_programmes() -> QuerySet[LearningProgramme]:
    return LearningProgramme.objects.filter(summary_published=True).exclude(public_summary="")


def participant_programmes(user) -> QuerySet[LearningProgramme]:
    return LearningProgramme.objects.filter(
        pk__in=ProgrammePerson.objects.filter(user=user).values("organisation__programme_id")
    )


@dataclass
class ProgrammeList:
    managed: list = field(default_factory=list)  # coordinators: every programme
    mine: list = field(default_factory=list)  # a participant's programmes
    public: list = field(default_factory=list)  # published summaries of the others


def programme_list(user) -> ProgrammeList:
    if is_coordinator(user):
        return ProgrammeList(managed=list(with_counts(LearningProgramme.objects.all())))
    mine = []
    if user.is_authenticated:
        mine = list(with_counts(participant_programmes(user)).order_by("-start", "title"))
    public = published_programmes().exclude(pk__in=[p.pk for p in mine])
    return ProgrammeList(mine=mine, public=list(public.order_by("-start", "title")))


# --- One programme -----------------------------------------------------------------------------

MANAGE, PARTICIPANT, PUBLIC = "manage", "participant", "public"
# Companies offered at once on the add page; the search narrows the rest down.
COMPANY_CHOICES = 50


def space_path(slug: str) -> str:
    from django.urls import reverse

    return reverse("learning:programme", args=[slug])


def programme_for(user, slug: str) -> tuple[LearningProgramme, str]:
    """The programme and how the user sees it: managing, as a participant, or only its public
    summary. Anybody else: 404 (the programme's existence is not told)."""
    programme = get_object_or_404(LearningProgramme.objects.select_related("network"), slug=slug)
    # The rules themselves (user.has_perm would first ask Django's model permissions: two
    # queries for permissions nobody is given in the admin).
    if rules.has_perm("learning.manage_programme", user):
        return programme, MANAGE
    if rules.has_perm("learning.view_programme", user, programme):
        return programme, PARTICIPANT
    if rules.has_perm("learning.view_programme_summary", user, programme):
        return programme, PUBLIC
    raise Http404


def managed_programme(slug: str) -> LearningProgramme:
    return get_object_or_404(LearningProgramme, slug=slug)


def cycles_of(programme: LearningProgramme) -> list[Cycle]:
    return list(programme.cycles.select_related("workshop").order_by("number"))


def current_cycle(cycles: list[Cycle], now: datetime) -> Cycle | None:
    """The first cycle whose learning workshop has not ended (the last once all have)."""
    for cycle in cycles:
        if cycle.workshop.ends_at > now and cycle.workshop.status != Workshop.Status.CANCELLED:
            return cycle
    return cycles[-1] if cycles else None


def organisations_of(programme: LearningProgramme, *, with_people: bool):
    queryset = programme.organisations.select_related("company").order_by("company__name", "pk")
    if with_people:
        queryset = queryset.prefetch_related("people")
    return list(queryset)


def by_actor_type(organisations) -> list[tuple[str, list]]:
    """The organisations grouped by actor type, in the choices' order."""
    groups = []
    for value, label in ProgrammeOrganisation.ActorType.choices:
        members = [o for o in organisations if o.actor_type == value]
        if members:
            groups.append((label, members))
    return groups


def coordinator_space(programme: LearningProgramme, *, now: datetime) -> dict:
    cycles = cycles_of(programme)
    organisations = organisations_of(programme, with_people=True)
    task_counts = dict(
        Task.objects.filter(cycle__programme=programme)
        .values_list("cycle_id")
        .annotate(n=Count("pk"))
        .values_list("cycle_id", "n")
    )
    report_counts = dict(
        CycleReport.objects.filter(cycle__programme=programme, status=CycleReport.Status.SUBMITTED)
        .values_list("cycle_id")
        .annotate(n=Count("pk"))
        .values_list("cycle_id", "n")
    )
    for cycle in cycles:
        cycle.task_count = task_counts.get(cycle.pk, 0)
        cycle.submitted_reports = report_counts.get(cycle.pk, 0)
    return {
        "cycles": cycles,
        "current": current_cycle(cycles, now),
        "organisations": organisations,
        "groups": by_actor_type(organisations),
        "people_count": sum(len(o.people.all()) for o in organisations),
        "drafts": [c for c in cycles if c.workshop.status == Workshop.Status.DRAFT],
    }


def participant_space(programme: LearningProgramme, *, user, now: datetime) -> dict:
    cycles = cycles_of(programme)
    current = current_cycle(cycles, now)
    people = list(
        ProgrammePerson.objects.filter(user=user, organisation__programme=programme)
        .select_related("organisation__company")
        .order_by("pk")
    )
    own_organisations = [p.organisation for p in people]
    organisations = organisations_of(programme, with_people=False)
    registrations = {
        r.workshop_id: r
        for r in Registration.objects.filter(
            workshop__learning_cycle__programme=programme,
            email__iexact=user.email,
            status__in=ACTIVE_REGISTRATION,
        )
    }
    for cycle in cycles:
        cycle.registration = registrations.get(cycle.workshop_id)
    today = now.date()
    tasks = list(
        Task.objects.filter(cycle__programme=programme, due_date__gte=today)
        .select_related("cycle")
        .order_by("due_date", "pk")
    )
    submissions = {}
    if tasks and people:
        person_ids = [p.pk for p in people]
        for submission in TaskSubmission.objects.filter(
            Q(person__isnull=True) | Q(person_id__in=person_ids),
            task__in=tasks,
            organisation__in=own_organisations,
        ):
            submissions.setdefault(submission.task_id, submission)
    for task in tasks:
        task.own_submission = submissions.get(task.pk)
    report = None
    if current is not None and own_organisations:
        report = (
            CycleReport.objects.filter(cycle=current, organisation__in=own_organisations)
            .order_by("pk")
            .first()
        )
    upcoming = [
        c
        for c in cycles
        if c.workshop.starts_at > now and c.workshop.status != Workshop.Status.CANCELLED
    ]
    return {
        "cycles": cycles,
        "current": current,
        "next_cycle": upcoming[0] if upcoming else None,
        "person": people[0] if people else None,
        "own_organisations": own_organisations,
        "organisations": organisations,
        "groups": by_actor_type(organisations),
        "tasks": tasks,
        "report": report,
    }


def cycle_of(programme: LearningProgramme, number: int) -> Cycle:
    return get_object_or_404(
        Cycle.objects.select_related("workshop", "programme"), programme=programme, number=number
    )


def organisation_of(programme: LearningProgramme, pk: int) -> ProgrammeOrganisation:
    return get_object_or_404(
        ProgrammeOrganisation.objects.select_related("company", "programme"),
        programme=programme,
        pk=pk,
    )


def addable_companies(programme: LearningProgramme, query: str = ""):
    """Companies of any kind not yet in the programme, matching ``query`` in their name."""
    from companies.models import Company

    companies = Company.objects.exclude(learning_participations__programme=programme)
    for word in (query or "").split()[:5]:
        companies = companies.filter(name__icontains=word)
    return companies.order_by("name", "pk")
