"""The core's own sections of the coordinators' home: failed e-mails and data protection."""

from datetime import timedelta

from regiolab import mail
from regiolab.privacy.models import AnonymisationRecord

from . import sections
from .sections import COORDINATOR, HomeSection

# How far back the home lists anonymisations done on request (what was answered lately).
RECENT_DAYS = 30


def failed_mail(*, user, now) -> dict:
    """Failed e-mails by kind (one COUNT per registered source: the outbox, invitations)."""
    counts = {key: source.count() for key, source in mail.FAILED_MAIL_SOURCES.items()}
    return {
        "failed_invitations": counts.pop("invitations", 0),
        "failed_emails": sum(counts.values()),
    }


def data_protection(*, user, now) -> dict:
    """Where a request is answered, and the anonymisations done on request lately.

    The portal keeps no list of incoming requests (they arrive by letter or e-mail), so the
    section offers the two actions and shows what was done in the last RECENT_DAYS days."""
    recent = AnonymisationRecord.objects.filter(
        reason=AnonymisationRecord.Reason.REQUEST,
        performed_at__gte=now - timedelta(days=RECENT_DAYS),
    ).count()
    return {"recent_anonymisations": recent, "recent_days": RECENT_DAYS}


def register() -> None:
    sections.register(
        HomeSection(
            key="failed_mail",
            roles=frozenset({COORDINATOR}),
            order=50,
            template="home/failed_mail.html",
            context=failed_mail,
        )
    )
    sections.register(
        HomeSection(
            key="data_protection",
            roles=frozenset({COORDINATOR}),
            order=70,
            template="home/data_protection.html",
            context=data_protection,
        )
    )
