"""``manage.py seed_scale`` with tiny counts: counts, invariants, determinism, refusal."""

import time
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Q, Sum

from companies.models import Company, Consultation
from funding.models import (
    BudgetLine,
    CofinancingShare,
    Expenditure,
    Grant,
    Indicator,
    IndicatorCode,
)
from networks.models import NetworkMembership, TrainingNetwork
from workshops.models import Invitation, Registration, Workshop

TINY = {
    "companies": 30,
    "networks": 4,
    "workshops": 10,
    "registrations": 200,
    "invitations": 20,
    "grants": 2,
    "expenditures": 40,
    "consultations": 15,
    # Learning programmes bring workshops and registrations of their own
    # (tests/learning/test_seed_scale.py).
    "programmes": 0,
    "feedback_responses": 60,
    "needs_answers": 12,
    "calls": 1,
}


def seed(seed=7, flush=False, **counts):
    out = StringIO()
    options = {**TINY, **counts}
    started = time.perf_counter()
    call_command("seed_scale", seed=seed, flush=flush, stdout=out, **options)
    print(f"\nseed_scale {options} took {time.perf_counter() - started:.2f} s")
    print(out.getvalue())
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_tiny_run_writes_the_counts_and_keeps_the_invariants():
    output = seed()

    assert "companies: 30" in output and "total" in output
    assert Company.objects.count() == 30
    assert TrainingNetwork.objects.count() == 4
    assert Workshop.objects.count() == 10
    assert Registration.objects.count() == 200
    assert Invitation.objects.count() == 20
    assert Consultation.objects.count() == 15
    assert Grant.objects.count() == 2
    assert Expenditure.objects.count() == 40
    assert NetworkMembership.objects.exists()
    # Three years × five categories per grant, one indicator per code.
    assert BudgetLine.objects.count() == 2 * 3 * 5
    assert Indicator.objects.filter(target__gt=0).count() == 2 * len(IndicatorCode.values)

    # Shares 70/30, adding to 100 (the constraint trigger checked them at commit).
    for grant in Grant.objects.all():
        percents = sorted(grant.shares.values_list("percent", flat=True))
        assert percents == [Decimal(30), Decimal(70)]
    assert CofinancingShare.objects.aggregate(s=Sum("percent"))["s"] == 200

    # seats_taken equals the seat-holding registrations and never exceeds capacity.
    held = Q(registrations__status__in=Registration.SEAT_HOLDING)
    for w in Workshop.objects.annotate(held=Count("registrations", filter=held)):
        assert w.seats_taken == w.held
        assert w.seats_taken <= w.capacity
    assert not Registration.objects.filter(workshop__status="draft").exists()

    # One registration per e-mail and workshop.
    dupes = Registration.objects.values("workshop", "email").annotate(n=Count("pk")).filter(n__gt=1)
    assert not dupes.exists()

    # The stored size class matches the derived one and the classes are spread.
    for company in Company.objects.all():
        assert company.size_class_stored == company.size_class
    assert Company.objects.values("size_class_stored").distinct().count() >= 3

    # The planner has statistics for the bulk-loaded tables (seed_scale runs ANALYZE).
    assert "analyze:" in output
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_stat_user_tables WHERE relname IN "
            "('companies_company', 'workshops_registration') AND last_analyze IS NOT NULL"
        )
        assert sorted(row[0] for row in cursor.fetchall()) == [
            "companies_company",
            "workshops_registration",
        ]


@pytest.mark.django_db(transaction=True)
def test_same_seed_gives_the_same_data_and_rerun_needs_flush():
    seed(seed=11)
    first = list(
        Company.objects.order_by("register_number").values_list("name", "size_class_stored")
    )
    first_statuses = list(Registration.objects.order_by("email").values_list("email", "status"))
    counts = (Workshop.objects.count(), Registration.objects.count())

    with pytest.raises(CommandError, match="--flush"):
        seed(seed=11)
    assert Company.objects.count() == 30

    seed(seed=11, flush=True)
    again = list(
        Company.objects.order_by("register_number").values_list("name", "size_class_stored")
    )
    assert again == first
    assert (
        list(Registration.objects.order_by("email").values_list("email", "status"))
        == first_statuses
    )
    assert (Workshop.objects.count(), Registration.objects.count()) == counts

    seed(seed=12, flush=True)
    other = list(Company.objects.order_by("register_number").values_list("name", flat=True))
    assert other != [name for name, _ in first]


@pytest.mark.django_db(transaction=True)
def test_flush_keeps_data_that_is_not_scale_data():
    from tests.factories import CompanyFactory

    own = CompanyFactory(name="Echte Firma GmbH")
    seed()
    seed(flush=True, companies=5)
    assert Company.objects.filter(pk=own.pk).exists()
    assert Company.objects.count() == 6


def test_the_defaults_are_the_sizes_the_benchmark_promises():
    """`make bench` seeds with these defaults; its rows name them (10,000 responses, 12
    organisations, 20 calls …), so a smaller default would flatter every figure."""
    from regiolab.management.commands.seed_scale import Counts

    defaults = Counts()
    assert (defaults.companies, defaults.registrations) == (5000, 60000)
    assert (defaults.programmes, defaults.programme_organisations) == (20, 12)  # issue 17
    assert (defaults.feedback_responses, defaults.needs_answers) == (10000, 2000)  # issue 18
    assert defaults.calls == 20  # issue 19: 20 calls × 20 challenges × 15 proposals
