"""What the audit log records of grants, their shares, budgets, expenditures, indicators and
progress reports (regiolab/audit/services.py)."""

from django.utils.translation import gettext_lazy as _

from regiolab.audit import services as audit

from .models import BudgetLine, CofinancingShare, Expenditure, Grant, Indicator, ProgressReport


def register() -> None:
    # Who may see a grant follows its coordinators and networks: both relations are logged.
    audit.register(Grant, m2m=("coordinators", "networks"))
    audit.register(
        CofinancingShare,
        labels={"grant": _("grant")},
        parents=("grant",),
        repr_related=("grant", "funder"),
    )
    audit.register(BudgetLine, labels={"grant": _("grant")}, parents=("grant",))
    audit.register(Indicator, labels={"grant": _("grant")}, parents=("grant",))
    audit.register(
        Expenditure,
        # The receipt's type follows its file (logged by its stored name and label).
        exclude=("receipt_content_type",),
        labels={"grant": _("grant"), "created_by": _("entered by")},
        parents=("grant",),
    )
    audit.register(
        ProgressReport,
        # The build task's bookkeeping; status, files and error show the outcome.
        exclude=("attempts", "started_at", "build_seconds"),
        labels={"grant": _("grant"), "requested_by": _("requested by")},
        parents=("grant",),
    )
