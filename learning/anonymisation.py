"""What the learning cycles hold about a person, and how it is anonymised (see
regiolab.privacy.anonymisation). A programme's person keeps their row (their organisation's
submissions and reports point to it) with name and address blanked; the person's name is
scrubbed from the texts of tasks, submissions and reports."""

from collections.abc import Sequence

from django.utils.translation import gettext_lazy as _

from regiolab.privacy import anonymisation
from regiolab.privacy.anonymisation import NAME_MARKER, Scrubber, not_pseudonymised

from .models import ProgrammePerson, ReportItem, TaskSubmission


def people_of(email: str):
    return ProgrammePerson.objects.filter(email__iexact=email)


def names(*, email: str) -> list[str]:
    found = []
    for first, last in people_of(email).values_list("first_name", "last_name").distinct():
        found += [first, last, f"{first} {last}"]
    return found


def find(*, email: str, names: Sequence[str]) -> dict:
    scrubber = Scrubber(email, tuple(names))
    return {
        _("learning programme participations"): people_of(email).count(),
        _("task submissions and report entries naming the person"): scrubber.count_rows(
            TaskSubmission.objects.all(), ("text", "feedback")
        )
        + scrubber.count_rows(ReportItem.objects.all(), ("text",)),
    }


def anonymise(*, email: str, names: Sequence[str], pseudonym: str) -> int:
    scrubber = Scrubber(email, tuple(names))
    changed = (
        people_of(email)
        .filter(not_pseudonymised())
        .update(email=pseudonym, first_name=NAME_MARKER, last_name="", user=None)
    )
    changed += scrubber.scrub_rows(TaskSubmission.objects.all(), ("text", "feedback"))
    changed += scrubber.scrub_rows(ReportItem.objects.all(), ("text",))
    return changed


def register() -> None:
    anonymisation.register("learning", anonymise=anonymise, find=find, names=names)
