"""The workshops' sections of the home (regiolab/home/): the coordinators' next 14 days, and a
company representative's registrations and recommended workshops.

Each selector runs a fixed number of queries: lists are cut to a few rows, with their total
counted once, so the home's query count does not grow with the data.
"""

from datetime import timedelta

from django.db.models import Count, Q

from companies.selectors import membership_of
from regiolab.home import sections
from regiolab.home.sections import COORDINATOR, MEMBER, HomeSection

from .models import Registration, Workshop

UPCOMING_DAYS = 14
UPCOMING_LIMIT = 15
REGISTRATIONS_LIMIT = 8
RECOMMENDED_LIMIT = 5
ACTIVE = (Registration.Status.CONFIRMED, Registration.Status.WAITLISTED)


def next_workshops(*, user, now) -> dict:
    """Workshops running now or starting within UPCOMING_DAYS, except cancelled ones, with
    their seats and waitlist: two queries."""
    workshops = Workshop.objects.filter(
        ends_at__gt=now, starts_at__lt=now + timedelta(days=UPCOMING_DAYS)
    ).exclude(status=Workshop.Status.CANCELLED)
    rows = list(
        workshops.annotate(
            waitlisted=Count(
                "registrations", filter=Q(registrations__status=Registration.Status.WAITLISTED)
            )
        )
        .only(
            "title", "title_en", "slug", "starts_at", "ends_at", "capacity", "seats_taken", "status"
        )
        .order_by("starts_at", "pk")[:UPCOMING_LIMIT]
    )
    total = workshops.count()
    return {"workshops": rows, "total": total, "more": total - len(rows), "days": UPCOMING_DAYS}


def _upcoming_registrations(queryset, now):
    return (
        queryset.filter(status__in=ACTIVE, workshop__ends_at__gt=now)
        .select_related("workshop")
        .order_by("workshop__starts_at", "workshop_id", "pk")
    )


def my_registrations(*, user, now) -> dict:
    """The person's own upcoming registrations (in their e-mail address), and the others of
    their company when they may see those (colleagues they or others registered): at most
    three queries."""
    own = list(
        _upcoming_registrations(Registration.objects.filter(email__iexact=user.email), now)[
            :REGISTRATIONS_LIMIT
        ]
    )
    company_rows, company_total = [], 0
    membership = membership_of(user)
    can_see_company = membership is not None and user.has_perm(
        "workshops.view_company_registrations"
    )
    if can_see_company:
        company_registrations = _upcoming_registrations(
            # Not again those listed as the person's own just above.
            Registration.objects.filter(company=membership.company).exclude(
                pk__in=[registration.pk for registration in own]
            ),
            now,
        )
        company_rows = list(company_registrations[:REGISTRATIONS_LIMIT])
        company_total = company_registrations.count()
    return {
        "own": own,
        "company": membership.company if membership else None,
        "can_see_company": can_see_company,
        "company_registrations": company_rows,
        "company_more": company_total - len(company_rows),
    }


def recommended_workshops(*, user, now) -> dict:
    """Published workshops still open for registration that match the company's training
    needs (or simply the next ones when it has named none), without those the person is
    registered for: at most three queries."""
    membership = membership_of(user)
    topic_ids = []
    if membership is not None:
        topic_ids = list(membership.company.training_needs.values_list("pk", flat=True))
    open_workshops = Workshop.objects.filter(
        Q(registration_deadline__isnull=True) | Q(registration_deadline__gt=now),
        status=Workshop.Status.PUBLISHED,
        listed=True,
        starts_at__gt=now,
    ).exclude(
        pk__in=Registration.objects.filter(email__iexact=user.email, status__in=ACTIVE).values(
            "workshop_id"
        )
    )
    if topic_ids:
        matching = Workshop.objects.filter(topics__in=topic_ids).values("pk")
        open_workshops = open_workshops.filter(pk__in=matching)
    rows = list(
        open_workshops.only(
            "title",
            "title_en",
            "slug",
            "starts_at",
            "ends_at",
            "capacity",
            "seats_taken",
            "format",
            "language",
        ).order_by("starts_at", "pk")[:RECOMMENDED_LIMIT]
    )
    return {
        "workshops": rows,
        "by_needs": bool(topic_ids),
        "company": membership.company if membership else None,
    }


def register() -> None:
    sections.register(
        HomeSection(
            key="next_workshops",
            roles=frozenset({COORDINATOR}),
            order=10,
            template="home/next_workshops.html",
            context=next_workshops,
        )
    )
    sections.register(
        HomeSection(
            key="my_registrations",
            roles=frozenset({MEMBER}),
            order=20,
            template="home/my_registrations.html",
            context=my_registrations,
        )
    )
    sections.register(
        HomeSection(
            key="recommended_workshops",
            roles=frozenset({MEMBER}),
            order=30,
            template="home/recommended_workshops.html",
            context=recommended_workshops,
        )
    )
