"""Reads of the homework pages: the scoped lookups (another programme's object answers 404),
the task list, who submitted a task, and the cycle's reports a person may read. Every list runs
a fixed number of queries, whatever the number of organisations and reports."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q
from django.http import Http404

from ..models import (
    Cycle,
    CycleReport,
    LearningProgramme,
    ProgrammeOrganisation,
    ProgrammePerson,
    ReportItem,
    SubmissionAttachment,
    Task,
    TaskSubmission,
)


def visible_cycle(user, slug: str, number: int) -> Cycle:
    """The cycle of a programme the user may see (coordinators, its participants), else 404."""
    cycle = (
        Cycle.objects.select_related("programme", "workshop")
        .filter(programme__slug=slug, number=number)
        .first()
    )
    if cycle is None or not user.has_perm("learning.view_programme", cycle.programme):
        raise Http404
    return cycle


def task_of_cycle(cycle: Cycle, pk: int) -> Task:
    task = Task.objects.filter(cycle=cycle, pk=pk).first()
    if task is None:
        raise Http404
    task.cycle = cycle
    return task


def person_of(user, programme: LearningProgramme) -> ProgrammePerson | None:
    """The user's entry among the programme's people (the first, should they be listed for
    two organisations), with its organisation and company."""
    if not user.is_authenticated:
        return None
    return (
        ProgrammePerson.objects.filter(user=user, organisation__programme=programme)
        .select_related("organisation__company")
        .order_by("pk")
        .first()
    )


def tasks_of_cycle(cycle: Cycle, *, person: ProgrammePerson | None = None):
    """The cycle's tasks; with the number of submitted answers, or with ``own`` (the person's
    organisation's or own answer) for a participant. One query (two with ``own``)."""
    submitted = Q(submissions__status=TaskSubmission.Status.SUBMITTED)
    tasks = Task.objects.filter(cycle=cycle).annotate(
        submitted_count=Count("submissions", filter=submitted, distinct=True)
    )
    if person is not None:
        own = TaskSubmission.objects.filter(organisation_id=person.organisation_id).filter(
            Q(person__isnull=True, task__assignee=Task.Assignee.ORGANISATION)
            | Q(person=person, task__assignee=Task.Assignee.PERSON)
        )
        tasks = tasks.prefetch_related(Prefetch("submissions", queryset=own, to_attr="own"))
    return tasks.order_by("due_date", "pk")


def expected_answers(cycle: Cycle) -> dict[str, int]:
    """How many answers a task of each kind expects: one per organisation, one per person."""
    programme_id = cycle.programme_id
    return {
        Task.Assignee.ORGANISATION: ProgrammeOrganisation.objects.filter(
            programme_id=programme_id
        ).count(),
        Task.Assignee.PERSON: ProgrammePerson.objects.filter(
            organisation__programme_id=programme_id
        ).count(),
    }


def task_overview(task: Task) -> list[dict]:
    """Who has answered ``task``: one row per organisation (or per person), with its answer
    if any. Three queries, whatever the number of rows."""
    programme_id = task.cycle.programme_id
    answers = TaskSubmission.objects.filter(task=task).annotate(
        attachment_count=Count("attachments")
    )
    if task.assignee == Task.Assignee.PERSON:
        by_person = {a.person_id: a for a in answers if a.person_id}
        people = ProgrammePerson.objects.filter(
            organisation__programme_id=programme_id
        ).select_related("organisation__company")
        rows = [
            {
                "organisation": p.organisation,
                "person": p,
                "submission": by_person.get(p.pk),
            }
            for p in people.order_by("organisation__company__name", "last_name", "email")
        ]
    else:
        by_org = {a.organisation_id: a for a in answers if not a.person_id}
        organisations = ProgrammeOrganisation.objects.filter(
            programme_id=programme_id
        ).select_related("company")
        rows = [
            {"organisation": o, "person": None, "submission": by_org.get(o.pk)}
            for o in organisations.order_by("company__name")
        ]
    return rows


def own_submission(task: Task, person: ProgrammePerson) -> TaskSubmission | None:
    lookup = {"task": task, "organisation_id": person.organisation_id}
    if task.assignee == Task.Assignee.PERSON:
        lookup["person"] = person
    else:
        lookup["person__isnull"] = True
    return (
        TaskSubmission.objects.filter(**lookup)
        .prefetch_related(
            Prefetch("attachments", queryset=SubmissionAttachment.objects.order_by("pk"))
        )
        .first()
    )


def submission_of_task(task: Task, pk: int) -> TaskSubmission:
    submission = (
        TaskSubmission.objects.filter(task=task, pk=pk)
        .select_related("organisation__company", "person")
        .prefetch_related("attachments")
        .first()
    )
    if submission is None:
        raise Http404
    submission.task = task
    return submission


def visible_attachment(user, pk: int) -> SubmissionAttachment:
    """An attachment the user may download (coordinators; the people of the answer's
    organisation, or the person of a person task's answer), else 404."""
    attachment = (
        SubmissionAttachment.objects.select_related(
            "submission__task__cycle__programme", "submission__organisation"
        )
        .filter(pk=pk)
        .first()
    )
    if attachment is None or not user.has_perm("learning.view_submission", attachment.submission):
        raise Http404
    return attachment


def _items():
    return ReportItem.objects.select_related("follows__report__cycle").prefetch_related("tags")


def own_report(cycle: Cycle, organisation: ProgrammeOrganisation) -> CycleReport | None:
    return (
        CycleReport.objects.filter(cycle=cycle, organisation=organisation)
        .prefetch_related(Prefetch("items", queryset=_items()))
        .first()
    )


def reports_visible_to(user, cycle: Cycle, *, person: ProgrammePerson | None = None):
    """The cycle's reports the user may read, with their items, tags and the findings they
    continue: coordinators every report (drafts too); a participant their own organisation's
    and, where the programme shares reports, every other submitted one. Four queries."""
    reports = CycleReport.objects.filter(cycle=cycle).select_related(
        "organisation__company", "updated_by"
    )
    if not user.has_perm("learning.manage_programme"):
        if person is None:
            return reports.none()
        mine = Q(organisation_id=person.organisation_id)
        if cycle.programme.shared_reports:
            mine |= Q(status=CycleReport.Status.SUBMITTED)
        reports = reports.filter(mine)
    return reports.prefetch_related(Prefetch("items", queryset=_items())).order_by(
        "organisation__company__name", "pk"
    )


def organisations_without_report(cycle: Cycle):
    """The programme's organisations with no submitted report of the cycle (for coordinators)."""
    submitted = CycleReport.objects.filter(cycle=cycle, status=CycleReport.Status.SUBMITTED)
    return (
        ProgrammeOrganisation.objects.filter(programme_id=cycle.programme_id)
        .exclude(pk__in=submitted.values("organisation_id"))
        .select_related("company")
        .order_by("company__name")
    )
