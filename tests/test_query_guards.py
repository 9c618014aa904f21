"""Query guards: every list and detail page, the dashboards and the report builder keep the same
number of queries as the data grows, and none runs more than 15.

Both data sets come from ``seed_scale`` (small, then about ten times larger with --flush); the
objects a detail page shows are picked by the same rule each time (the busiest one), so a page
that runs a query per row shows up as a difference. ``pytest -s`` prints the table.
"""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from companies.models import Company, CompanyMember
from funding import reports
from funding.models import Grant, ProgressReport
from networks.models import TrainingNetwork
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
        "/workshops/<slug>/checkin/": f"/workshops/{workshop.slug}/checkin/",
        "/workshops/<slug>/invitations/": f"/workshops/{workshop.slug}/invitations/",
        "/registrations/mine/ (owner)": "/registrations/mine/",
        "/funding/programmes/": "/funding/programmes/",
        "/funding/grants/": "/funding/grants/",
        "/funding/grants/<pk>/": f"/funding/grants/{grant.pk}/",
        "/funding/grants/<pk>/reports/": f"/funding/grants/{grant.pk}/reports/",
        "report builder (context_for)": f"report:{grant.pk}",
    }


def _measure(client, owner_client, owner, coordinator) -> dict[str, int]:
    counts = {}
    for label, url in _pages(owner).items():
        with CaptureQueriesContext(connection) as ctx:
            if url.startswith("report:"):
                grant = Grant.objects.get(pk=int(url.split(":")[1]))
                report = ProgressReport(
                    grant=grant,
                    kind=ProgressReport.Kind.INTERIM,
                    period_start=date(2020, 1, 1),
                    period_end=date(2030, 12, 31),
                    requested_by=coordinator,
                )
                report.save()
                ctx.initial_queries = len(ctx.connection.queries_log)  # not the insert
                context = reports.context_for(report)
                assert context["receipts"], "the grant should have receipts"
            else:
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
    small = _measure(client, owner_client, owner, coordinator)

    CompanyMember.objects.filter(user=owner).delete()
    _seed(LARGE, flush=True)
    CompanyMember.objects.create(
        user=owner, company=_busiest_company(), role=CompanyMember.Role.OWNER
    )
    large = _measure(client, owner_client, owner, coordinator)

    print(f"\n{'page':42} {'small':>6} {'large':>6}")
    for label in small:
        print(f"{label:42} {small[label]:>6} {large[label]:>6}")

    too_many = {k: v for k, v in large.items() if v > MAX_QUERIES}
    grows = {k: (small[k], large[k]) for k in small if small[k] != large[k]}
    assert not too_many, f"pages above {MAX_QUERIES} queries: {too_many}"
    assert not grows, f"query count depends on the rows: {grows}"
    # The same bound, as pytest-django states it, for the busiest page on the large set.
    busiest = max(large, key=large.get)
    url = _pages(owner)[busiest]
    if not url.startswith("report:"):
        with django_assert_max_num_queries(MAX_QUERIES):
            (owner_client if "(owner)" in busiest else client).get(url)
