"""Who may do what in the learning cycles (named predicates, used by views, templates and
querysets alike). A participant is a person of a participating organisation whose account is
linked (``ProgrammePerson.user``); a person of another programme is an outsider here."""

import rules

from regiolab.permissions import is_coordinator

__all__ = ["is_coordinator", "is_programme_participant"]


def _programme_of(obj):
    """The programme of a programme, cycle, report, task or submission."""
    for path in ("programme", "cycle.programme", "task.cycle.programme"):
        target = obj
        for name in path.split("."):
            target = getattr(target, name, None)
        if target is not None:
            return target
    return obj


@rules.predicate
def is_programme_participant(user, obj) -> bool:
    """The user is one of the people of an organisation in the object's programme."""
    if obj is None or not user.is_authenticated:
        return False
    from .models import ProgrammePerson

    programme = _programme_of(obj)
    return ProgrammePerson.objects.filter(
        user=user, organisation__programme_id=programme.pk
    ).exists()


rules.add_perm("learning.manage_programme", is_coordinator)
rules.add_perm("learning.view_programme", is_coordinator | is_programme_participant)


# --- The cycle board (learning/board/) -----------------------------------------------------------


@rules.predicate
def shares_reports(user, obj) -> bool:
    """The object's programme lets its organisations read each other's submitted reports."""
    return obj is not None and bool(_programme_of(obj).shared_reports)


# Coordinators; the programme's participants read the board when reports are shared.
rules.add_perm(
    "learning.view_cycle_board", is_coordinator | (is_programme_participant & shares_reports)
)
# The final report (PDF, XLSX): coordinators and the programme's own participants.
rules.add_perm("learning.download_final_report", is_coordinator | is_programme_participant)


# --- Programmes, their space and public summary (learning/programmes/) ---------------------------


@rules.predicate
def is_summary_published(user, obj) -> bool:
    """The coordinator published the programme's public summary (visible to anybody)."""
    if obj is None:
        return False
    programme = _programme_of(obj)
    return bool(programme.summary_published and programme.public_summary.strip())


rules.add_perm(
    "learning.view_programme_summary",
    is_coordinator | is_programme_participant | is_summary_published,
)


# --- homework and the organisations' own reports (learning/homework/) ------------------------


@rules.predicate
def is_author_of_submission(user, submission) -> bool:
    """One of the people of the answer's organisation; for a person task's answer, that person."""
    if submission is None or not user.is_authenticated:
        return False
    from .models import ProgrammePerson

    people = ProgrammePerson.objects.filter(user=user, organisation_id=submission.organisation_id)
    if submission.person_id:
        people = people.filter(pk=submission.person_id)
    return people.exists()


@rules.predicate
def is_of_report_organisation(user, report) -> bool:
    """One of the people of the organisation whose report it is."""
    if report is None or not user.is_authenticated:
        return False
    from .models import ProgrammePerson

    return ProgrammePerson.objects.filter(
        user=user, organisation_id=report.organisation_id
    ).exists()


@rules.predicate
def is_shared_submitted_report(user, report) -> bool:
    """A submitted report of a programme whose organisations read each other's reports."""
    return (
        report is not None
        and report.status == "submitted"
        and report.cycle.programme.shared_reports
    )


rules.add_perm("learning.view_submission", is_coordinator | is_author_of_submission)
rules.add_perm(
    "learning.view_report",
    is_coordinator
    | is_of_report_organisation
    | (is_programme_participant & is_shared_submitted_report),
)
