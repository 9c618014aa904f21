"""Reads of the learning cycles that other apps use: the funders' figures of a grant.

Funding reads these (funding may import learning, never the reverse); a programme counts for a
grant when its network is one of the grant's networks.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from workshops.models import Registration, Workshop

from .models import Cycle, LearningProgramme, ProgrammeOrganisation, Task, TaskSubmission

BERLIN = ZoneInfo("Europe/Berlin")
# A learning workshop takes place only once published (done: marked so after its end); drafts
# and cancelled ones never count, as in funding's "workshops held".
HELD_STATUSES = (Workshop.Status.PUBLISHED, Workshop.Status.DONE)

ORGANISATIONS = "learning_organisations"
EVERY_CYCLE = "learning_every_cycle"
TASKS_SUBMITTED = "learning_tasks_submitted"
WORKSHOPS_HELD = "learning_workshops_held"
FIGURES = (ORGANISATIONS, EVERY_CYCLE, TASKS_SUBMITTED, WORKSHOPS_HELD)

# The tables grant_learning_figures() reads (for the grant page's cache declaration).
FIGURE_SOURCES = (LearningProgramme, Cycle, ProgrammeOrganisation, Task, TaskSubmission)


def _bounds(period_start: date, period_end: date) -> tuple[datetime, datetime]:
    """The period as [start, end) in Berlin time: both days belong to the period."""
    return (
        datetime.combine(period_start, time.min, tzinfo=BERLIN),
        datetime.combine(period_end + timedelta(days=1), time.min, tzinfo=BERLIN),
    )


def grant_learning_figures(
    network_ids, period_start: date, period_end: date, *, now: datetime | None = None
) -> dict[str, int]:
    """The learning programmes' figures for a grant's networks and a period, as of ``now``.

    - learning_organisations: distinct companies that are organisations of a programme of the
      networks with a learning workshop (published or done) starting in the period.
    - learning_workshops_held: those programmes' learning workshops held: published or done,
      ended by ``now`` and within the period.
    - learning_every_cycle: distinct companies that attended (recorded attendance of at least one
      of their people) every cycle of their programme held so far (by the period's end and
      ``now``), counted for programmes with a cycle held in the period. At the end of a
      programme this is "attended every cycle"; while it runs, every cycle up to then.
    - learning_tasks_submitted: task submissions of those networks' programmes whose status is
      submitted and that were submitted in the period.

    At most six queries, whatever the number of programmes, organisations and registrations.
    """
    now = now or timezone.now()
    network_ids = list(network_ids)
    if not network_ids:
        return dict.fromkeys(FIGURES, 0)
    start, end = _bounds(period_start, period_end)
    cycles = Cycle.objects.filter(
        programme__network_id__in=network_ids, workshop__status__in=HELD_STATUSES
    )
    running = set(
        cycles.filter(workshop__starts_at__gte=start, workshop__starts_at__lt=end).values_list(
            "programme_id", flat=True
        )
    )
    organisations = (
        set(
            ProgrammeOrganisation.objects.filter(programme_id__in=running).values_list(
                "company_id", flat=True
            )
        )
        if running
        else set()
    )

    # Every cycle held up to the period's end (or now), per programme; the programmes with a
    # cycle held in the period are the ones "every cycle" counts for.
    held_by_programme: dict[int, set[int]] = defaultdict(set)
    counted: set[int] = set()
    held_in_period = 0
    for programme_id, workshop_id, ends_at in cycles.filter(
        workshop__ends_at__lt=end, workshop__ends_at__lte=now
    ).values_list("programme_id", "workshop_id", "workshop__ends_at"):
        held_by_programme[programme_id].add(workshop_id)
        if ends_at >= start:
            held_in_period += 1
            counted.add(programme_id)
    every_cycle: set[int] = set()
    if counted:
        attended = set(
            Registration.objects.filter(
                workshop_id__in=[w for pk in counted for w in held_by_programme[pk]],
                status=Registration.Status.ATTENDED,
                company__isnull=False,
            )
            .values_list("workshop_id", "company_id")
            .distinct()
        )
        for programme_id, company_id in ProgrammeOrganisation.objects.filter(
            programme_id__in=counted
        ).values_list("programme_id", "company_id"):
            if all((w, company_id) in attended for w in held_by_programme[programme_id]):
                every_cycle.add(company_id)

    tasks = TaskSubmission.objects.filter(
        task__cycle__programme__network_id__in=network_ids,
        status=TaskSubmission.Status.SUBMITTED,
        submitted_at__gte=start,
        submitted_at__lt=end,
    ).count()
    return {
        ORGANISATIONS: len(organisations),
        EVERY_CYCLE: len(every_cycle),
        TASKS_SUBMITTED: tasks,
        WORKSHOPS_HELD: held_in_period,
    }
