"""Query guards: every list and detail page, the dashboards and the report builder keep the same
number of queries as the data grows, and none runs more than 15.

Both data sets come from ``seed_scale`` (small, then about ten times larger with --flush); the
objects a detail page shows are picked by the same rule each time (the busiest one), so a page
that runs a query per row shows up as a difference. ``pytest -s`` prints the table.
"""

import time
from datetime import UTC, date, datetime
from io import StringIO
from urllib.parse import urlencode

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.db.models import Count

from companies.models import Company, CompanyMember
from funding import reports
from funding.models import Grant, ProgressReport
from networks.models import TrainingNetwork
from regiolab.collation import german
from tests.factories import UserFactory
from workshops.models import Workshop

MAX_QUERIES = 15

SMALL = {
    "companies": 20, "networks": 2, "workshops": 6, "registrations": 40, "invitations": 8,
    "grants": 1, "expenditures": 10, "consultations": 40,
}  # fmt: skip
LARGE = {
    "companies": 300, "networks": 8, "workshops": 60, "registrations": 1500,
    "invitations": 200, "grants": 2, "expenditures": 400, "consultations": 200,
}  # fmt: skip


def _seed(counts: dict, *, flush: bool) -> None:
    call_command("seed_scale", seed=3, flush=flush, stdout=StringIO(), **counts)


def _busiest_company() -> Company:
    return (
        Company.objects.annotate(n=Count("registrations", distinct=True))
        .order_by("-n", "pk")
        .first()
    )


def _first_confirmed(workshop) -> int:
    return workshop.registrations.filter(status="confirmed").order_by("pk").first().pk


def _registration_ids(workshop) -> list[int]:
    return list(workshop.registrations.order_by("pk").values_list("pk", flat=True))


def _pages(owner) -> dict[str, str]:
    """The URLs to measure, for the objects with the most rows behind them."""
    network = TrainingNetwork.objects.annotate(n=Count("memberships")).order_by("-n", "pk").first()
    workshop = (
        Workshop.objects.filter(status="published")
        .annotate(n=Count("registrations", distinct=True), i=Count("invitations", distinct=True))
        .order_by("-n", "-i", "pk")
        .first()
    )
    grant = Grant.objects.annotate(n=Count("expenditures")).order_by("-n", "pk").first()
    company = owner.company_memberships.get().company
    return {
        "/ home (coordinator)": "/",
        "/ home (owner)": "/",
        "/companies/": "/companies/",
        "/companies/ filtered": "/companies/?municipality=Hannover&size_class=small&ordering=name",
        "/companies/<pk>/": f"/companies/{company.pk}/",
        "/companies/dashboard/": "/companies/dashboard/",
        "/networks/": "/networks/",
        "/networks/<slug>/": f"/networks/{network.slug}/",
        "/networks/<slug>/dashboard/": f"/networks/{network.slug}/dashboard/",
        "/workshops/": "/workshops/",
        "/workshops/<slug>/": f"/workshops/{workshop.slug}/",
        "/workshops/manage/": "/workshops/manage/",
        "/workshops/<slug>/participants/": f"/workshops/{workshop.slug}/participants/",
        "/workshops/<slug>/participants/<pk>/move/": f"/workshops/{workshop.slug}/participants/"
        f"{_first_confirmed(workshop)}/move/",
        "/workshops/<slug>/participants/<pk>/cancel/": f"/workshops/{workshop.slug}/"
        f"participants/{_first_confirmed(workshop)}/cancel/",
        "/workshops/<slug>/checkin/": f"/workshops/{workshop.slug}/checkin/",
        "/workshops/<slug>/invitations/": f"/workshops/{workshop.slug}/invitations/",
        # Every registration of the workshop selected for an e-mail (the bulk action's way in).
        "/workshops/<slug>/participants/email/ (all selected)": (
            f"/workshops/{workshop.slug}/participants/email/?"
            + urlencode({"registrations": _registration_ids(workshop)}, doseq=True)
        ),
        "/registrations/mine/ (owner)": "/registrations/mine/",
        "/funding/programmes/": "/funding/programmes/",
        "/funding/grants/": "/funding/grants/",
        "/funding/grants/<pk>/": f"/funding/grants/{grant.pk}/",
        "/funding/grants/<pk>/reports/": f"/funding/grants/{grant.pk}/reports/",
        "/funding/grants/<pk>/expenditures/": f"/funding/grants/{grant.pk}/expenditures/",
        "/funding/grants/<pk>/expenditures/ filtered, with its sum": (
            f"/funding/grants/{grant.pk}/expenditures/?category=travel&payee=a"
        ),
        "/funding/grants/<pk>/expenditures/<pk>/edit/": (
            f"/funding/grants/{grant.pk}/expenditures/{grant.expenditures.first().pk}/edit/"
        ),
        "/funding/grants/<pk>/expenditures/<pk>/delete/": (
            f"/funding/grants/{grant.pk}/expenditures/{grant.expenditures.first().pk}/delete/"
        ),
        "/networks/<slug>/members/<pk>/remove/": (
            f"/networks/{network.slug}/members/"
            f"{network.memberships.filter(status='active').first().pk}/remove/"
        ),
        # Coordinators' search: "er" hits more than the ten shown of every kind in both sizes.
        "/search/?q=er": "/search/?q=er",
        "/history/ (grant with related)": f"/history/funding/grant/{grant.pk}/",
        "report builder (context_for)": f"report:{grant.pk}",
    }


def _measure(client, owner_client, owner, coordinator, assert_max) -> dict[str, int]:
    """Each page's query count, every page held to MAX_QUERIES by pytest-django."""
    counts = {}
    for label, url in _pages(owner).items():
        # Both runs start with cold caches (content types, and the figures and fragments kept
        # by regiolab.caching), so they compare like with like and count the worst case.
        ContentType.objects.clear_cache()
        cache.clear()
        if url.startswith("report:"):
            report = ProgressReport.objects.create(
                grant_id=int(url.split(":")[1]),
                kind=ProgressReport.Kind.INTERIM,
                period_start=date(2020, 1, 1),
                period_end=date(2030, 12, 31),
                requested_by=coordinator,
            )
            report = ProgressReport.objects.select_related("grant").get(pk=report.pk)
            with assert_max(MAX_QUERIES, info=label) as ctx:
                context = reports.context_for(report)
            assert context["receipts"], "the grant should have receipts"
        else:
            with assert_max(MAX_QUERIES, info=label) as ctx:
                response = (owner_client if "(owner)" in label else client).get(url)
            assert response.status_code == 200, (label, response.status_code)
        counts[label] = len(ctx)
    return counts


def _owner_of(company: Company):
    user = UserFactory()
    CompanyMember.objects.create(user=user, company=company, role=CompanyMember.Role.OWNER)
    return user


@pytest.mark.django_db
def test_pages_keep_a_constant_number_of_queries(
    coordinator, client, django_assert_max_num_queries
):
    from django.test import Client

    client.force_login(coordinator)
    _seed(SMALL, flush=False)
    owner = _owner_of(_busiest_company())
    owner_client = Client()
    owner_client.force_login(owner)
    small = _measure(client, owner_client, owner, coordinator, django_assert_max_num_queries)

    CompanyMember.objects.filter(user=owner).delete()
    _seed(LARGE, flush=True)
    CompanyMember.objects.create(
        user=owner, company=_busiest_company(), role=CompanyMember.Role.OWNER
    )
    large = _measure(client, owner_client, owner, coordinator, django_assert_max_num_queries)

    print(f"\n{'page':42} {'small':>6} {'large':>6}")
    for label in small:
        print(f"{label:42} {small[label]:>6} {large[label]:>6}")

    grows = {k: (small[k], large[k]) for k in small if small[k] != large[k]}
    assert not grows, f"query count depends on the rows: {grows}"


# --- Indexes: EXPLAIN on moderate data ---------------------------------------------------------

MODERATE = {
    "companies": 2000, "networks": 30, "workshops": 1500, "registrations": 20000,
    "invitations": 3000, "grants": 3, "expenditures": 5000, "consultations": 2000,
}  # fmt: skip


def _plans() -> dict:
    """The pages' main filters and orderings, as the selectors and views build them."""
    from companies.models import Consultation
    from funding.models import Expenditure
    from workshops.models import Invitation, Registration

    workshop = Workshop.objects.filter(status="published").order_by("pk").first()
    grant = Grant.objects.order_by("pk").first()
    company = Company.objects.order_by("pk").first()
    return {
        "companies by municipality": Company.objects.filter(municipality="Hannover"),
        "companies by sector": Company.objects.filter(sector="J"),
        "companies by size class": Company.objects.filter(size_class_stored="large"),
        "companies by name (list order, German)": Company.objects.order_by(german("name"), "pk")[
            :25
        ],
        "workshops by status + starts_at": Workshop.objects.filter(
            status="published", starts_at__gte=datetime(2027, 6, 1, tzinfo=UTC)
        ).order_by("starts_at", "pk")[:25],
        "workshops, newest first (manage list)": Workshop.objects.order_by("-starts_at", "-pk")[
            :25
        ],
        "registrations by workshop + status": Registration.objects.filter(
            workshop=workshop, status="confirmed"
        ),
        "registrations of a company": Registration.objects.filter(company=company),
        "invitations pending": Invitation.objects.filter(
            status="pending", created_at__lte=datetime(2030, 1, 1, tzinfo=UTC)
        ).order_by("created_at")[:100],
        "invitations of a workshop": Invitation.objects.filter(workshop=workshop).order_by("email"),
        "expenditures by grant + date": Expenditure.objects.filter(
            grant=grant, date__gte="2026-01-01", date__lte="2026-03-31"
        ).order_by("date", "pk"),
        "open follow-ups": Consultation.objects.filter(
            follow_up_done=False, follow_up_on__isnull=False, follow_up_on__lte="2026-02-01"
        ).order_by("follow_up_on"),
    }


@pytest.mark.django_db
def test_main_filters_can_use_an_index(coordinator):
    """Each query's plan names an index. Where the planner prefers a sequential scan because
    the table is small or the filter matches a large share of it (e.g. one size class is a
    tenth of 2,000 rows on a handful of pages), the same query with sequential scans disabled
    must still find an index — that shows the index exists for the larger data in production.
    """
    started = time.perf_counter()
    _seed(MODERATE, flush=False)
    print(f"\nseed_scale (moderate) {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    missing = []
    for label, queryset in _plans().items():
        plan = queryset.explain()
        chosen = "Index" in plan
        if not chosen:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_seqscan = off")
            plan = queryset.explain()
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_seqscan = on")
        first = plan.splitlines()[0][:70]
        how = (
            "index chosen"
            if chosen
            else "seq scan chosen; index usable"
            if "Index" in plan
            else "NO INDEX"
        )
        print(f"{label:38} {how:32} {first}")
        if "Index" not in plan:
            missing.append((label, plan))
    assert not missing, missing


# --- Each role's home: few against many rows ----------------------------------------------------


def _home_rows(n: int, *, rep, funder_body) -> None:
    """``n`` of everything each home lists: workshops in the next days with registrations and a
    waitlist, follow-ups, join requests, failed reports, failed e-mails and invitations, the
    representative's own and company registrations, matching workshops, the funder's grants."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from funding.services import ShareInput, set_cofinancing_shares
    from regiolab import mail
    from tests.factories import (
        CompanyFactory,
        ConsultationFactory,
        NetworkMembershipFactory,
        RegistrationFactory,
        TopicFactory,
        TrainingNetworkFactory,
        WorkshopFactory,
    )
    from workshops.models import Invitation

    company = rep.company_memberships.get().company
    topic = TopicFactory(slug="home-guard")
    company.training_needs.add(topic)
    today = timezone.localdate()
    for i in range(n):
        workshop = WorkshopFactory(starts_at=timezone.now() + timedelta(days=1 + i % 12))
        workshop.topics.add(topic)
        RegistrationFactory(workshop=workshop, email=rep.email, company=company)
        RegistrationFactory(workshop=workshop, company=company, registered_by=rep)
        RegistrationFactory(workshop=workshop, status="waitlisted")
        ConsultationFactory(follow_up_on=today + timedelta(days=i % 5 - 2))
        NetworkMembershipFactory(
            network=TrainingNetworkFactory(), company=CompanyFactory(), status="requested"
        )
        grant = Grant.objects.create(
            reference=f"HOME-{n}-{i}", title="Guard", start_date=today, end_date=today,
            total_eligible_costs=Decimal(1000),
        )  # fmt: skip
        set_cofinancing_shares(grant=grant, shares=[ShareInput(funder_body, Decimal(100))])
        ProgressReport.objects.create(
            grant=grant, kind="final", status="failed", period_start=today, period_end=today
        )
        failed = mail.queue_rendered_email(to=f"x{i}@example.org", subject="S", text="T")
        type(failed).objects.filter(pk=failed.pk).update(status="failed")
        Invitation.objects.create(workshop=workshop, email=f"i{i}@example.org", status="failed")


@pytest.mark.django_db
def test_each_roles_home_keeps_its_query_count(coordinator, django_assert_max_num_queries):
    """The home of a coordinator, a company representative and a funder runs as many queries
    with 2 rows of everything as with 25 (each section shows a few rows and counts the rest)."""
    from django.test import Client

    from tests.factories import CompanyMemberFactory, FunderFactory
    from tests.support.mfa import enable_totp

    rep = CompanyMemberFactory().user
    funder_body = FunderFactory()
    funder = UserFactory()
    funder_body.users.add(funder)
    enable_totp(funder)
    clients = {}
    for role, user in (("coordinator", coordinator), ("representative", rep), ("funder", funder)):
        clients[role] = Client()
        clients[role].force_login(user)

    def measure() -> dict[str, int]:
        counts = {}
        for role, client in clients.items():
            ContentType.objects.clear_cache()
            cache.clear()
            with django_assert_max_num_queries(MAX_QUERIES, info=f"home of {role}") as ctx:
                response = client.get("/")
            assert response.status_code == 200
            counts[role] = len(ctx)
        return counts

    _home_rows(2, rep=rep, funder_body=funder_body)
    few = measure()
    _home_rows(23, rep=rep, funder_body=funder_body)
    many = measure()
    print(f"\nhome queries, few {few}, many {many}")
    assert few == many
