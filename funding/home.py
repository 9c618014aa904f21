"""The funding sections of the home (regiolab/home/): the coordinators' progress reports that
are being built or failed, and a funder's grants."""

from django.db.models import Exists, OuterRef, Q

from regiolab.home import sections
from regiolab.home.sections import COORDINATOR, FUNDER, HomeSection

from . import selectors
from .models import ProgressReport

REPORTS_LIMIT = 8
GRANTS_LIMIT = 20
Status = ProgressReport.Status


def reports_needing_attention(*, user, now) -> dict:
    """Reports queued or being built, and failed ones not followed by a newer request for the
    same grant, kind and period (a retry or a new request settles a failure): two queries."""
    newer = ProgressReport.objects.filter(
        grant=OuterRef("grant"),
        kind=OuterRef("kind"),
        period_start=OuterRef("period_start"),
        period_end=OuterRef("period_end"),
        requested_at__gt=OuterRef("requested_at"),
    )
    reports = ProgressReport.objects.alias(settled=Exists(newer)).filter(
        Q(status__in=(Status.QUEUED, Status.BUILDING)) | Q(status=Status.FAILED, settled=False)
    )
    rows = list(
        reports.select_related("grant")
        .only(
            "kind", "status", "period_start", "period_end", "requested_at", "error",
            "grant__reference", "grant__title",
        )
        .order_by("-requested_at", "-pk")[:REPORTS_LIMIT]
    )  # fmt: skip
    total = reports.count()
    return {"reports": rows, "total": total, "more": total - len(rows)}


def funder_grants(*, user, now) -> dict:
    """The grants the funder's body co-finances, newest first: two queries."""
    grants = selectors.grants_visible_to(user)
    rows = list(
        grants.select_related("programme").order_by("-start_date", "reference")[:GRANTS_LIMIT]
    )
    total = grants.count()
    return {"grants": rows, "more": total - len(rows)}


def register() -> None:
    sections.register(
        HomeSection(
            key="progress_reports",
            roles=frozenset({COORDINATOR}),
            order=40,
            template="home/progress_reports.html",
            context=reports_needing_attention,
        )
    )
    sections.register(
        HomeSection(
            key="funder_grants",
            roles=frozenset({FUNDER}),
            order=10,
            template="home/funder_grants.html",
            context=funder_grants,
        )
    )
