"""The nightly retention run: rows of grants past their programme's retention are anonymised,
nothing else, and a second run changes nothing."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.db.models import Q

from funding.anonymisation import add_years, anonymise_expired_personal_data, retentions
from funding.models import FundingProgramme, Grant, ProgressReport
from funding.selectors import grant_indicators
from funding.tasks import anonymise_expired_personal_data_task
from regiolab.mail.models import OutboundEmail
from regiolab.privacy.anonymisation import is_pseudonym
from regiolab.privacy.models import AnonymisationRecord
from tests.factories import (
    RegistrationFactory,
    TrainingNetworkFactory,
    UserFactory,
    WorkshopFactory,
)
from workshops.models import Invitation, Registration, StatisticsTally

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
PERSON = "paula.pohl@example.org"
# Grant A's final report was ready on 1 March 2021 and its programme keeps data two years.
LAST_DAY_KEPT = date(2023, 3, 1)


def at(*args) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def _grant(reference, programme, networks, start, end, *, final_ready_on=None, kind="final"):
    grant = Grant.objects.create(
        programme=programme,
        reference=reference,
        title=reference,
        start_date=start,
        end_date=end,
        total_eligible_costs=Decimal(1000),
    )
    grant.networks.set(networks)
    if final_ready_on:
        ProgressReport.objects.create(
            grant=grant,
            kind=kind,
            period_start=start,
            period_end=end,
            status="ready",
            pdf_file="reports/final.pdf",
            finished_at=at(final_ready_on.year, final_ready_on.month, final_ready_on.day, 12),
        )
    return grant


@pytest.fixture
def world(db):
    short = FundingProgramme.objects.create(
        name="Kurz", funding_body="Land", level="state", retention_years=2
    )
    long = FundingProgramme.objects.create(
        name="Lang", funding_body="Bund", level="federal", retention_years=10
    )
    n_a, n_b = TrainingNetworkFactory(), TrainingNetworkFactory()
    expired = _grant(
        "A-EXPIRED", short, [n_a], date(2019, 1, 1), date(2020, 12, 31),
        final_ready_on=date(2021, 3, 1),
    )  # fmt: skip
    kept = _grant(
        "B-KEPT", long, [n_b], date(2019, 1, 1), date(2020, 12, 31),
        final_ready_on=date(2021, 3, 1),
    )  # fmt: skip
    # Also funds network A, from mid-2020, and has no final report yet.
    running = _grant("C-RUNNING", short, [n_a], date(2020, 7, 1), date(2021, 6, 30))

    only_a = WorkshopFactory(
        network=n_a, status="done", starts_at=at(2019, 5, 6, 9), ends_at=at(2019, 5, 6, 13)
    )
    a_and_c = WorkshopFactory(
        network=n_a, status="done", starts_at=at(2020, 9, 1, 9), ends_at=at(2020, 9, 1, 13)
    )
    only_b = WorkshopFactory(
        network=n_b, status="done", starts_at=at(2019, 6, 3, 9), ends_at=at(2019, 6, 3, 17)
    )
    user = UserFactory(email=PERSON, first_name="Paula", last_name="Pohl")
    paula = {"first_name": "Paula", "last_name": "Pohl", "email": PERSON}
    RegistrationFactory(
        workshop=only_a, status="attended", gender="female", age_band="55_plus", **paula
    )
    RegistrationFactory(workshop=a_and_c, status="attended", gender="female", **paula)
    RegistrationFactory(workshop=only_b, status="attended", **paula)
    RegistrationFactory(
        workshop=only_a, status="attended", first_name="Quirin", last_name="Quast",
        email="quirin@example.org", gender="male",
    )  # fmt: skip
    Invitation.objects.create(workshop=only_a, email="einladung@example.org", status="sent")
    before = OutboundEmail.objects.create(
        to=PERSON, subject="Ihre Anmeldung, Paula Pohl", body_text="…"
    )
    after = OutboundEmail.objects.create(
        to=PERSON, subject="Neuigkeiten für Paula Pohl", body_text="…"
    )
    OutboundEmail.objects.filter(pk=before.pk).update(created_at=at(2019, 4, 1, 10))
    OutboundEmail.objects.filter(pk=after.pk).update(created_at=at(2022, 1, 10, 10))
    return {
        "expired": expired, "kept": kept, "running": running, "user": user,
        "only_a": only_a, "a_and_c": a_and_c, "only_b": only_b,
        "mail_before": before, "mail_after": after,
    }  # fmt: skip


def _indicators(grant):
    grant = Grant.objects.get(pk=grant.pk)
    return grant_indicators(grant=grant, period_start=grant.start_date, period_end=grant.end_date)


def test_retention_starts_with_the_final_report_and_runs_the_programmes_years(world):
    periods = {r.grant.reference: (r.starts, r.ends) for r in retentions()}
    assert periods == {
        "A-EXPIRED": (date(2021, 3, 1), LAST_DAY_KEPT),
        "B-KEPT": (date(2021, 3, 1), date(2031, 3, 1)),
    }


def test_nothing_happens_on_the_last_day_of_retention(world):
    run = anonymise_expired_personal_data(today=LAST_DAY_KEPT)
    assert (run.expired_grants, run.people, run.rows) == ([], 0, 0)
    assert not Registration.objects.filter(email__endswith="anonymised.invalid").exists()


def test_the_day_after_only_the_expired_grants_rows_are_anonymised(world):
    figures_before = {g: _indicators(world[g]) for g in ("expired", "kept", "running")}

    run = anonymise_expired_personal_data(today=date(2023, 3, 2))

    assert run.expired_grants == ["A-EXPIRED"]
    assert run.people == 3  # Paula and Quirin (registrations), one invited address
    only_a = Registration.objects.filter(workshop=world["only_a"])
    assert all(is_pseudonym(r.email) for r in only_a)
    assert set(only_a.values_list("first_name", "last_name", "gender", "age_band")) == {
        ("—", "", "", "")
    }
    assert len({r.email for r in only_a}) == 2  # two people stay two people
    assert is_pseudonym(Invitation.objects.get(workshop=world["only_a"]).email)
    # Also funded by a grant without a final report, or by a grant still kept: untouched.
    for workshop in ("a_and_c", "only_b"):
        assert Registration.objects.get(workshop=world[workshop]).email == PERSON
    # The person's account is not the grant's: anonymised only on request.
    user = get_user_model().objects.get(pk=world["user"].pk)
    assert (user.email, user.first_name, user.is_active) == (PERSON, "Paula", True)
    # E-mails written before the retention began go, later ones stay.
    assert OutboundEmail.objects.get(pk=world["mail_before"].pk).subject == ""
    assert OutboundEmail.objects.get(pk=world["mail_after"].pk).to == PERSON

    assert {g: _indicators(world[g]) for g in figures_before} == figures_before
    assert sorted(StatisticsTally.objects.values_list("question", "answer", "count")) == [
        ("age_band", "55_plus", 1),
        ("gender", "female", 1),
        ("gender", "male", 1),
    ]
    records = AnonymisationRecord.objects.all()
    assert {(r.reason, r.note, r.performed_by) for r in records} == {
        ("retention", "A-EXPIRED", None)
    }
    assert len(records) == 3


def test_a_second_run_changes_nothing(world):
    anonymise_expired_personal_data(today=date(2023, 3, 2))
    registrations = list(Registration.objects.order_by("pk").values())
    tally = list(StatisticsTally.objects.order_by("pk").values())

    run = anonymise_expired_personal_data(today=date(2023, 3, 3))

    assert run.expired_grants == ["A-EXPIRED"]
    assert (run.people, run.rows) == (0, 0)
    assert list(Registration.objects.order_by("pk").values()) == registrations
    assert list(StatisticsTally.objects.order_by("pk").values()) == tally
    assert AnonymisationRecord.objects.count() == 3


def test_the_audit_trail_of_the_anonymised_rows_is_scrubbed_too(world):
    def entries_naming_paula(workshop):
        pks = Registration.objects.filter(workshop=workshop).values_list("pk", flat=True)
        return LogEntry.objects.filter(
            Q(object_repr__icontains="Pohl") | Q(changes__icontains=PERSON),
            object_pk__in=[str(pk) for pk in pks],
        ).count()

    assert entries_naming_paula(world["only_a"]) > 0
    anonymise_expired_personal_data(today=date(2023, 3, 2))
    assert entries_naming_paula(world["only_a"]) == 0
    assert entries_naming_paula(world["a_and_c"]) > 0  # still kept, still evidence


def test_the_nightly_task_uses_today(world):
    # With today's date grant A is long expired; grant B (ten years) is not.
    assert anonymise_expired_personal_data_task.delay().get() > 0
    assert Registration.objects.get(workshop=world["only_b"]).email == PERSON
    assert anonymise_expired_personal_data_task.delay().get() == 0


def test_only_a_ready_final_report_starts_the_retention(world):
    network = TrainingNetworkFactory()
    for reference, kind in [("INTERIM-ONLY", "interim")]:
        _grant(reference, None, [network], date(2010, 1, 1), date(2010, 12, 31),
               final_ready_on=date(2011, 1, 1), kind=kind)  # fmt: skip
    ProgressReport.objects.create(
        grant=world["running"], kind="final", period_start=date(2020, 7, 1),
        period_end=date(2021, 6, 30), status="failed",
    )  # fmt: skip
    assert {r.grant.reference for r in retentions()} == {"A-EXPIRED", "B-KEPT"}


def test_a_grant_without_programme_keeps_data_ten_years(world):
    grant = _grant(
        "NO-PROGRAMME", None, [TrainingNetworkFactory()], date(2010, 1, 1), date(2010, 12, 31),
        final_ready_on=date(2011, 2, 1),
    )  # fmt: skip
    (retention,) = [r for r in retentions() if r.grant == grant]
    assert retention.ends == date(2021, 2, 1)


def test_adding_years_to_29_february():
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)


def test_the_retention_period_is_edited_with_the_programme(admin_client):
    programme = FundingProgramme.objects.create(name="P", funding_body="B", level="eu")
    assert programme.retention_years == 10
    page = admin_client.get(f"/admin/funding/fundingprogramme/{programme.pk}/change/")
    assert page.status_code == 200
    assert b'name="retention_years"' in page.content
