"""What the audit log records of workshops and registrations (regiolab/audit/services.py)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from regiolab.audit import services as audit

from .models import Registration, Workshop


def register() -> None:
    audit.register(
        Workshop,
        # seats_taken is a counter written with UPDATE under the row lock (no entry anyway).
        exclude=("seats_taken",),
        labels={
            "created_by": _("created by"),
            "published_at": _("published"),
            "cancelled_at": _("cancelled"),
        },
    )
    audit.register(
        Registration,
        # The cancel token is the e-mailed secret: never copied into the log. Reminder and
        # certificate timestamps are the tasks' bookkeeping, not anybody's change.
        exclude=("cancel_token", "reminder_sent_at", "certificate_sent_at"),
        labels={
            "workshop": _("workshop"),
            "company_name": _("company name as entered"),
            "registered_by": _("registered by"),
            "confirmed_at": _("confirmed"),
            "promoted_at": _("moved up from the waitlist"),
            "cancelled_at": pgettext_lazy("registration status", "cancelled"),
            "attendance_marked_at": _("attendance recorded"),
        },
        parents=("workshop",),
    )
