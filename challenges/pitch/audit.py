"""What the audit log records of the pitch day (regiolab/audit/services.py): each meeting's
changes (the plan sent to its people, answers) and each match's status with its notes."""

from django.utils.translation import gettext_lazy as _

from regiolab.audit import services as audit

from ..models import Match, MatchNote, Meeting


def register() -> None:
    audit.register(
        Meeting,
        labels={"plan_sent_at": _("plan sent"), "answered_at": _("answered")},
        parents=("call",),
        repr_related=("challenge", "proposal__company"),
    )
    audit.register(Match, parents=("challenge",), repr_related=("challenge", "company"))
    audit.register(MatchNote, parents=("match",))
