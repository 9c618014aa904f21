"""What workshops hold about a person, and how it is anonymised (see regiolab.privacy.anonymisation).

Registrations keep their workshop, company, status and dates, so attendance, participant hours
and companies reached stay the same; name, address, the company name typed without a company
and the statistics answers go. The answers are first added to ``StatisticsTally`` (counts per
workshop, status and answer), which the funders' breakdowns read besides the registrations.
"""

from collections import Counter
from collections.abc import Sequence

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from regiolab.privacy import anonymisation
from regiolab.privacy.anonymisation import NAME_MARKER, Scrubber, not_pseudonymised

from .models import Invitation, Registration, StatisticsTally, Workshop

STATISTICS_FIELDS = {
    StatisticsTally.Question.GENDER: "gender",
    StatisticsTally.Question.AGE_BAND: "age_band",
    StatisticsTally.Question.EMPLOYMENT_STATUS: "employment_status",
    StatisticsTally.Question.EDUCATION_LEVEL: "education_level",
}
WORKSHOP_TEXT = (
    "trainers",
    "description",
    "description_en",
    "venue",
    "funding_note",
    "funding_note_en",
)


def registrations_of(email: str) -> QuerySet[Registration]:
    return Registration.objects.filter(email__iexact=email)


def invitations_of(email: str) -> QuerySet[Invitation]:
    return Invitation.objects.filter(email__iexact=email)


def add_to_tally(rows: Sequence[Registration]) -> int:
    """Count the rows' statistics answers into the tally; returns the answers counted."""
    counts: Counter = Counter()
    for r in rows:
        for question, name in STATISTICS_FIELDS.items():
            answer = getattr(r, name)
            if answer:
                counts[(r.workshop_id, r.status, question.value, answer)] += 1
    for (workshop_id, status, question, answer), n in sorted(counts.items()):
        tally, _created = StatisticsTally.objects.get_or_create(
            workshop_id=workshop_id, status=status, question=question, answer=answer
        )
        # F(): two anonymisations of the same workshop at once both count.
        StatisticsTally.objects.filter(pk=tally.pk).update(count=F("count") + n)
    return sum(counts.values())


def anonymise_registrations(
    registrations: QuerySet[Registration], *, pseudonym: str, scrubber: Scrubber
) -> int:
    """Blank the registrations' personal fields (statistics into the tally first)."""
    rows = list(registrations.filter(not_pseudonymised()).select_for_update().order_by("pk"))
    add_to_tally(rows)
    for r in rows:
        r.first_name = NAME_MARKER
        r.last_name = ""
        r.email = pseudonym
        # Typed by the person without a company: free text. With a company it is the
        # company's name (not personal), scrubbed in case the person wrote themselves into it.
        r.company_name = scrubber.sub(r.company_name) if r.company_id else ""
        for name in STATISTICS_FIELDS.values():
            setattr(r, name, "")
    Registration.objects.bulk_update(
        rows,
        ["first_name", "last_name", "email", "company_name", *STATISTICS_FIELDS.values()],
    )
    return len(rows)


def anonymise_invitations(invitations: QuerySet[Invitation], *, pseudonym: str) -> int:
    """The address goes; a pending invitation is not sent any more (its recipient is gone)."""
    rows = invitations.filter(not_pseudonymised())
    rows.filter(status=Invitation.Status.PENDING).update(status=Invitation.Status.FAILED)
    return rows.update(email=pseudonym, last_error="")


def names(*, email: str) -> list[str]:
    found = []
    for first, last in registrations_of(email).values_list("first_name", "last_name").distinct():
        found += [first, last, f"{first} {last}"]
    return found


def find(*, email: str, names: Sequence[str]) -> dict:
    scrubber = Scrubber(email, tuple(names))
    registrations = registrations_of(email)
    return {
        _("workshop registrations"): registrations.count(),
        _("statistics answers (kept as anonymous counts)"): registrations.exclude(
            gender="", age_band="", employment_status="", education_level=""
        ).count(),
        _("workshop invitations"): invitations_of(email).count(),
        _("workshops naming the person (trainers, description)"): scrubber.count_rows(
            Workshop.objects.all(), WORKSHOP_TEXT
        ),
    }


def anonymise(*, email: str, names: Sequence[str], pseudonym: str) -> int:
    scrubber = Scrubber(email, tuple(names))
    changed = anonymise_registrations(
        registrations_of(email), pseudonym=pseudonym, scrubber=scrubber
    )
    changed += anonymise_invitations(invitations_of(email), pseudonym=pseudonym)
    changed += scrubber.scrub_rows(Workshop.objects.all(), WORKSHOP_TEXT)
    # Another person's failed invitation may quote the address in its SMTP error.
    changed += scrubber.scrub_rows(Invitation.objects.filter(~Q(last_error="")), ("last_error",))
    return changed


def register() -> None:
    anonymisation.register("workshops", anonymise=anonymise, find=find, names=names)
