"""What the audit log records of the review (regiolab/audit/services.py): who was added as a
reviewer, every assignment with its conflict flags and override reason, and the proposals'
shortlist decisions (their status, feedback and when the decision e-mail went out)."""

from django.utils.translation import gettext_lazy as _

from regiolab.audit import services as audit

from ..models import CallReviewer, Proposal, ReviewAssignment


def register() -> None:
    audit.register(CallReviewer, parents=("call",))
    audit.register(
        ReviewAssignment,
        labels={"assigned_by": _("assigned by")},
        parents=("proposal",),
    )
    if Proposal not in audit.AUDITED:  # the proposals' own part may have registered it
        audit.register(Proposal, labels={"created_by": _("created by")})
