"""Funding's part of anonymisation, and the retention run (``anonymise_expired_personal_data``).

On request (regiolab.privacy.anonymisation): receipts whose payee or purpose names the person, and report
errors quoting them, are scrubbed. Report files already built (PDF, XLSX) are not rewritten: they
are the documents the funders received.

Retention: a funding programme keeps participants' data ``retention_years`` after the grant's
final report (Verwendungsnachweis). Decision, row by row, not person by person: the nightly run
anonymises the registrations and invitations of workshops that fall under an expired grant (a
workshop of one of its networks starting within the grant period), and the e-mails to those
addresses written before the retention period began. It does NOT touch a row that also falls
under a grant still within its retention (or without a final report yet), nor the person's
other registrations, user account, consultations or logs beyond these rows' own history: a
person who is still active keeps their account and later records, and the whole person is
anonymised only on request. The run is idempotent: anonymised rows carry a placeholder address
and are never selected again.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from regiolab.privacy import anonymisation
from regiolab.privacy.anonymisation import (
    Scrubber,
    blank_outbox,
    name_terms,
    new_pseudonym,
    not_pseudonymised,
    record_anonymisation,
    scrub_admin_log,
    scrub_audit_log,
)
from workshops.anonymisation import anonymise_invitations, anonymise_registrations
from workshops.models import Invitation, Registration

from .models import Expenditure, Grant, ProgressReport

BERLIN = ZoneInfo("Europe/Berlin")
DEFAULT_RETENTION_YEARS = 10  # grants without a programme: FundingProgramme's default


# --- On request -------------------------------------------------------------------------------


def find(*, email: str, names: Sequence[str]) -> dict:
    scrubber = Scrubber(email, tuple(names))
    return {
        _("receipts naming the person (payee, purpose)"): scrubber.count_rows(
            Expenditure.objects.all(), ("payee", "purpose")
        ),
    }


def anonymise(*, email: str, names: Sequence[str], pseudonym: str) -> int:
    scrubber = Scrubber(email, tuple(names))
    changed = scrubber.scrub_rows(Expenditure.objects.all(), ("payee", "purpose"))
    changed += scrubber.scrub_rows(ProgressReport.objects.exclude(error=""), ("error",))
    return changed


# --- Retention --------------------------------------------------------------------------------


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February → 28 February
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Retention:
    grant: Grant
    starts: date  # the final report: the later of its period end and the day it was ready
    ends: date  # last day of the retention period

    def expired(self, today: date) -> bool:
        return today > self.ends


def retentions() -> list[Retention]:
    """Every grant with a ready final report, and its retention period."""
    ready_final = Q(reports__kind=ProgressReport.Kind.FINAL, reports__status="ready")
    grants = (
        Grant.objects.annotate(
            final_end=Max("reports__period_end", filter=ready_final),
            final_done=Max("reports__finished_at", filter=ready_final),
        )
        .filter(final_end__isnull=False)
        .select_related("programme")
        .prefetch_related("networks")
        .order_by("pk")
    )
    result = []
    for grant in grants:
        starts = grant.final_end
        if grant.final_done is not None:
            starts = max(starts, timezone.localdate(grant.final_done, BERLIN))
        years = grant.programme.retention_years if grant.programme else DEFAULT_RETENTION_YEARS
        result.append(Retention(grant, starts, add_years(starts, years)))
    return result


def _scope(grant: Grant, prefix: str = "workshop__") -> Q:
    """Rows of workshops of the grant's networks starting within the grant period."""
    start = datetime.combine(grant.start_date, time.min, tzinfo=BERLIN)
    end = datetime.combine(grant.end_date + timedelta(days=1), time.min, tzinfo=BERLIN)
    return Q(
        **{
            f"{prefix}network_id__in": [n.pk for n in grant.networks.all()],
            f"{prefix}starts_at__gte": start,
            f"{prefix}starts_at__lt": end,
        }
    )


@dataclass
class RetentionRun:
    expired_grants: list[str] = field(default_factory=list)
    people: int = 0
    rows: int = 0


def anonymise_expired_personal_data(*, today: date | None = None) -> RetentionRun:
    """Anonymise the rows of every grant whose retention period has passed (see module doc).

    One transaction per person and grant, so a failure leaves the others done and the next
    night picks up the rest.
    """
    today = today or timezone.localdate(timezone.now(), BERLIN)
    run = RetentionRun()
    all_retentions = retentions()
    expired = [r for r in all_retentions if r.expired(today)]
    if not expired:
        return run
    expired_ids = {r.grant.pk for r in expired}
    kept = Q(pk__in=[])
    for grant in Grant.objects.exclude(pk__in=expired_ids).prefetch_related("networks"):
        kept |= _scope(grant)
    for retention in expired:
        grant = retention.grant
        run.expired_grants.append(grant.reference)
        registrations = (
            Registration.objects.filter(_scope(grant)).exclude(kept).filter(not_pseudonymised())
        )
        invitations = (
            Invitation.objects.filter(_scope(grant)).exclude(kept).filter(not_pseudonymised())
        )
        emails = {e.lower() for e in registrations.values_list("email", flat=True)}
        emails |= {e.lower() for e in invitations.values_list("email", flat=True)}
        # E-mails written before the retention began: the day after the final report, Berlin.
        cutoff = datetime.combine(retention.starts + timedelta(days=1), time.min, tzinfo=BERLIN)
        for email in sorted(emails):
            rows = _anonymise_rows(
                grant=grant,
                email=email,
                registrations=registrations.filter(email__iexact=email),
                invitations=invitations.filter(email__iexact=email),
                cutoff=cutoff,
            )
            run.people += 1
            run.rows += rows
    return run


def _anonymise_rows(*, grant, email, registrations, invitations, cutoff) -> int:
    from regiolab.privacy.models import AnonymisationRecord

    with transaction.atomic():
        registration_rows = list(registrations.select_for_update())
        invitation_ids = list(invitations.values_list("pk", flat=True))
        names = name_terms(
            n for r in registration_rows for n in (r.first_name, r.last_name, r.full_name)
        )
        scrubber = Scrubber(email, tuple(names))
        pseudonym = new_pseudonym()
        registration_ids = [r.pk for r in registration_rows]
        # History first, while the rows still say whose it is.
        counts = {
            "admin_log": scrub_admin_log(
                scrubber, objects=Registration.objects.filter(pk__in=registration_ids)
            )
            + scrub_admin_log(scrubber, objects=Invitation.objects.filter(pk__in=invitation_ids)),
            "audit_log": scrub_audit_log(
                scrubber, objects=Registration.objects.filter(pk__in=registration_ids)
            )
            + scrub_audit_log(scrubber, objects=Invitation.objects.filter(pk__in=invitation_ids)),
            "workshops": anonymise_registrations(
                Registration.objects.filter(pk__in=registration_ids),
                pseudonym=pseudonym,
                scrubber=scrubber,
            )
            + anonymise_invitations(
                Invitation.objects.filter(pk__in=invitation_ids), pseudonym=pseudonym
            ),
            "outbox": blank_outbox(email=email, pseudonym=pseudonym, created_before=cutoff),
        }
        counts = {k: v for k, v in counts.items() if v}
        record_anonymisation(
            pseudonym=pseudonym,
            reason=AnonymisationRecord.Reason.RETENTION,
            counts=counts,
            note=grant.reference,
        )
    return sum(counts.values())


def register() -> None:
    anonymisation.register("funding", anonymise=anonymise, find=find)
