"""Read paths for workshops and registrations, with the joins their pages need."""

from django.db.models import F, QuerySet
from django.http import Http404
from django.utils import timezone

from .models import Registration, Workshop
from .rules import is_coordinator


def published_upcoming_workshops() -> QuerySet[Workshop]:
    """Published workshops that have not started yet, soonest first."""
    return Workshop.objects.filter(
        status=Workshop.Status.PUBLISHED, starts_at__gt=timezone.now()
    ).order_by("starts_at", "pk")


def workshop_list_queryset() -> QuerySet[Workshop]:
    return published_upcoming_workshops().select_related("network").prefetch_related("topics")


def upcoming_teasers(limit: int) -> list[Workshop]:
    """For the start page: one query, no joins needed by the teaser."""
    return list(published_upcoming_workshops()[:limit])


def with_places_left(queryset: QuerySet[Workshop]) -> QuerySet[Workshop]:
    return queryset.filter(seats_taken__lt=F("capacity"))


def workshop_visible_to(user, slug: str) -> Workshop:
    """The workshop page; drafts and cancelled workshops only for coordinators (preview)."""
    queryset = Workshop.objects.select_related("network").prefetch_related("topics")
    if not (user.is_authenticated and is_coordinator(user)):
        queryset = queryset.filter(status__in=[Workshop.Status.PUBLISHED, Workshop.Status.DONE])
    try:
        return queryset.get(slug=slug)
    except Workshop.DoesNotExist:
        raise Http404 from None


def registration_by_token(token: str) -> Registration:
    try:
        return Registration.objects.select_related("workshop").get(cancel_token=token)
    except Registration.DoesNotExist:
        raise Http404 from None


def registrations_of_company(company) -> QuerySet[Registration]:
    """All of a company's registrations, newest workshops first."""
    return (
        Registration.objects.filter(company=company)
        .select_related("workshop")
        .order_by("-workshop__starts_at", "workshop_id", "pk")
    )


def registrations_by_pks(pks) -> list[Registration]:
    return list(Registration.objects.filter(pk__in=pks).select_related("workshop").order_by("pk"))


def waitlist_positions(workshop_id: int) -> dict[int, int]:
    """Registration pk → 1-based waitlist position, in one query."""
    pks = (
        Registration.objects.filter(workshop_id=workshop_id, status=Registration.Status.WAITLISTED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return {pk: index for index, pk in enumerate(pks, start=1)}
