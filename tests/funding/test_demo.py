import io
import time
from datetime import date

import pytest

from funding.demo import DEMO_REFERENCE, PROGRAMMES, seed_funding_demo
from funding.models import Expenditure, FundingProgramme, Grant, ProgressReport
from funding.services import build_progress_report, request_progress_report
from tests.factories import NetworkMembershipFactory, TrainingNetworkFactory

pytestmark = pytest.mark.django_db


def test_seed_is_idempotent_and_labelled():
    TrainingNetworkFactory()
    out = io.StringIO()
    seed_funding_demo(out)
    seed_funding_demo(out)
    assert FundingProgramme.objects.count() == len(PROGRAMMES)
    assert not FundingProgramme.objects.filter(is_example=False).exists()
    assert set(FundingProgramme.objects.values_list("level", flat=True)) == {
        "eu", "federal", "state", "region",
    }  # fmt: skip
    grant = Grant.objects.get(reference=DEMO_REFERENCE)
    assert grant.is_example
    assert sorted(grant.shares.values_list("percent", flat=True)) == [30, 70]
    assert Expenditure.objects.filter(grant=grant).count() == 6
    assert "example grant" in out.getvalue()


def test_demo_report_build_time(coordinator, capsys):
    network = TrainingNetworkFactory()
    for _ in range(20):
        NetworkMembershipFactory(network=network, joined_on=date(2025, 1, 1))
    grant = seed_funding_demo()
    report = request_progress_report(
        grant=grant, period_start=date(2026, 1, 1), period_end=date(2026, 12, 31),
        requested_by=coordinator,
    )  # fmt: skip
    started = time.monotonic()
    report = build_progress_report(report_id=report.pk)
    took = time.monotonic() - started
    with capsys.disabled():
        print(f"\nprogress report build for the demo grant: {took:.2f} s")
    assert report.status == ProgressReport.Status.READY, report.error
    assert took < 30
