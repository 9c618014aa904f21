"""The companies' sections of the home (regiolab/home/): the coordinators' follow-ups due and
a company representative's company (or the way to register or join one)."""

from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from regiolab.home import sections
from regiolab.home.sections import COORDINATOR, MEMBER, HomeSection

from . import selectors
from .models import Consultation

FOLLOW_UP_DAYS = 7  # "this week": due today or within the next seven days
FOLLOW_UP_LIMIT = 8


def follow_ups_due(*, user, now) -> dict:
    """Open follow-ups overdue or due within FOLLOW_UP_DAYS, soonest first: two queries."""
    today = timezone.localdate(now)
    due = selectors.open_follow_ups(today=today).filter(
        follow_up_on__lte=today + timedelta(days=FOLLOW_UP_DAYS)
    )
    counts = Consultation.objects.filter(
        follow_up_done=False,
        follow_up_on__isnull=False,
        follow_up_on__lte=today + timedelta(days=FOLLOW_UP_DAYS),
    ).aggregate(total=Count("pk"), overdue=Count("pk", filter=Q(follow_up_on__lt=today)))
    rows = list(due[:FOLLOW_UP_LIMIT])
    return {
        "follow_ups": rows,
        "today": today,
        "total": counts["total"],
        "overdue": counts["overdue"],
        "more": counts["total"] - len(rows),
        "days": FOLLOW_UP_DAYS,
    }


def my_company(*, user, now) -> dict:
    """The person's company, else their open request to join one, else nothing (the prompt)."""
    membership = selectors.membership_of(user)
    pending = None if membership else selectors.pending_request_of(user)
    return {"membership": membership, "pending": pending}


def register() -> None:
    sections.register(
        HomeSection(
            key="follow_ups",
            roles=frozenset({COORDINATOR}),
            order=20,
            template="home/follow_ups.html",
            context=follow_ups_due,
        )
    )
    sections.register(
        HomeSection(
            key="my_company",
            roles=frozenset({MEMBER}),
            order=10,
            template="home/my_company.html",
            context=my_company,
        )
    )
