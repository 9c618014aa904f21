"""Read paths for workshops and registrations, with the joins their pages need."""

from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils import dateformat, timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import get_language, ngettext

from regiolab import caching
from regiolab.display import choice_labels, url_maker

from .models import Registration, Workshop
from .rules import is_coordinator


def published_upcoming_workshops() -> QuerySet[Workshop]:
    """Listed published workshops that have not started yet, soonest first."""
    return Workshop.objects.filter(
        status=Workshop.Status.PUBLISHED, listed=True, starts_at__gt=timezone.now()
    ).order_by("starts_at", "pk")


# In the calendar a cancelled workshop stays, marked cancelled, until it is over: a calendar
# program drops an event that vanishes from a feed without telling its user why.
CALENDAR_STATUSES = (Workshop.Status.PUBLISHED, Workshop.Status.CANCELLED)


def calendar_feed_workshops() -> QuerySet[Workshop]:
    """The public calendar feed: listed published and cancelled workshops that have not ended."""
    return Workshop.objects.filter(
        status__in=CALENDAR_STATUSES, listed=True, ends_at__gt=timezone.now()
    ).order_by("starts_at", "pk")


def workshop_calendar_visible_to(user, slug: str) -> Workshop:
    """One workshop's .ics: what the page shows, and a cancelled workshop until it has ended."""
    if user.is_authenticated and is_coordinator(user):
        queryset = Workshop.objects.all()
    else:
        queryset = Workshop.objects.filter(
            Q(status__in=[Workshop.Status.PUBLISHED, Workshop.Status.DONE])
            | Q(status=Workshop.Status.CANCELLED, ends_at__gt=timezone.now())
        )
    try:
        return queryset.get(slug=slug)
    except Workshop.DoesNotExist:
        raise Http404 from None


def workshop_list_queryset() -> QuerySet[Workshop]:
    """The public list; workshop_rows() adds the topics of a page's rows."""
    return published_upcoming_workshops().select_related("network")


# The public workshop list's filter bar and results (workshops.views.workshop_list): seats taken
# are stored on the workshop, so the places shown stay exact.
_NETWORK = Workshop._meta.get_field("network").related_model
WORKSHOP_LIST = caching.declare(
    "workshop_list",
    reads=[Workshop, Workshop.topics.through, Workshop.topics.field.related_model, _NETWORK],
    varies_by=["filters", "minute"],
)


def workshop_rows(workshops) -> list[Workshop]:
    """The workshops of one list page with their display values set once for the page.

    The same text as templates/workshops/_when.html and _places.html, without an include, a
    date filter and a translation lookup per row.
    """
    formats = choice_labels(Workshop.Format.choices)
    detail_url = url_maker("workshops:detail")
    rows = list(workshops)
    # One flat query for the page's topics: prefetch_related builds a queryset per row.
    topic_names: dict[int, list[str]] = {workshop.pk: [] for workshop in rows}
    english = (get_language() or "de").startswith("en")
    links = (
        Workshop.topics.through.objects.filter(workshop_id__in=topic_names)
        .order_by("topic__name_de", "topic_id")
        .values_list("workshop_id", "topic__name_de", "topic__name_en")
    )
    for workshop_id, name_de, name_en in links:
        topic_names[workshop_id].append(name_en if english and name_en else name_de)
    for workshop in rows:
        starts = timezone.localtime(workshop.starts_at)
        ends = timezone.localtime(workshop.ends_at)
        workshop.url = detail_url(workshop.slug)
        workshop.title_label = workshop.display_title
        workshop.topic_names = ", ".join(topic_names[workshop.pk])
        workshop.format_label = formats.get(workshop.format, workshop.format)
        workshop.starts_iso = dateformat.format(starts, "c")
        workshop.ends_iso = dateformat.format(ends, "c")
        workshop.starts_label = (
            f"{dateformat.format(starts, 'D')}, {date_format(starts)}, {time_format(starts, 'H:i')}"
        )
        end_day = f"{date_format(ends)}, " if starts.date() != ends.date() else ""
        workshop.ends_label = f"{end_day}{time_format(ends, 'H:i')}"
        left = workshop.places_left
        workshop.places_label = (
            ngettext("%(counter)s place left", "%(counter)s places left", left) % {"counter": left}
            if left
            else ""
        )
    return rows


def upcoming_teasers(limit: int) -> list[Workshop]:
    """For the start page: one query, no joins needed by the teaser."""
    return list(published_upcoming_workshops()[:limit])


def with_places_left(queryset: QuerySet[Workshop]) -> QuerySet[Workshop]:
    return queryset.filter(seats_taken__lt=F("capacity"))


def workshop_visible_to(user, slug: str, *, with_related: bool = True) -> Workshop:
    """The workshop page; drafts only for coordinators (preview). A cancelled workshop stays
    visible, saying so: calendar entries and e-mails link to it.

    The registration pages show neither network nor topics (``with_related=False``: no join
    and one query less on the hot path of a registration rush).
    """
    queryset = Workshop.objects.all()
    if with_related:
        queryset = queryset.select_related("network").prefetch_related("topics")
    if not (user.is_authenticated and is_coordinator(user)):
        queryset = queryset.exclude(status=Workshop.Status.DRAFT)
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
