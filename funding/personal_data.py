"""A person's funding data in the export (regiolab.privacy.personal_data): the funding bodies they act
for and the progress reports they requested. Registered from FundingConfig.ready()."""

from .models import Funder, ProgressReport


def register() -> None:
    from regiolab.privacy import personal_data

    personal_data.register("funding", collect)


def collect(*, emails, user) -> dict:
    data = {"funding_bodies": [], "progress_reports_requested": []}
    if user is None:
        return data
    data["funding_bodies"] = list(
        Funder.objects.filter(users=user).order_by("name").values_list("name", flat=True)
    )
    reports = (
        ProgressReport.objects.filter(requested_by=user)
        .select_related("grant")
        .order_by("requested_at", "pk")
    )
    data["progress_reports_requested"] = [
        {
            "grant": r.grant.reference,
            "kind": r.kind,
            "period_start": r.period_start,
            "period_end": r.period_end,
            "status": r.status,
            "requested_at": r.requested_at,
            "finished_at": r.finished_at,
        }
        for r in reports
    ]
    return data
