"""What the audit log records of training networks and their memberships (regiolab/audit/services.py)."""

from django.utils.translation import gettext_lazy as _

from regiolab.audit import services as audit

from .models import NetworkMembership, TrainingNetwork


def register() -> None:
    # Coordinators of a network may manage it: who was added or removed is logged.
    audit.register(TrainingNetwork, m2m=("coordinators",))
    audit.register(
        NetworkMembership,
        labels={
            "network": _("network"),
            "company": _("company"),
            "requested_by": _("requested by"),
        },
        parents=("network", "company"),
    )
