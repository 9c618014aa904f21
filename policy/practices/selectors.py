"""Good practices as the pages read them, each in a fixed number of queries: the public list
(cached per filter and page), a practice with its topics, live figures and transfers, the
coordinators' drafts and the transfer overview."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.formats import number_format
from django.utils.translation import get_language

from policy import figures as portal_figures
from policy.models import GoodPractice, PracticeFigure, Transfer
from regiolab import caching
from regiolab.display import choice_labels, url_maker
from regiolab.models import Topic
from regiolab.permissions import is_coordinator

from .countries import COUNTRIES, country_label

# The public list's filter bar and results (policy.practices.views.practice_list): the same for
# every visitor, per cleaned filter and page.
PRACTICE_LIST = caching.declare(
    "practice_list",
    reads=[GoodPractice, GoodPractice.topics.through, Topic],
    varies_by=["filters"],
)

# The fields shown in the active language: ``<field>_en`` in English when it is filled.
TRANSLATED = ("title", "summary", "description", "resources", "evidence")


def _english() -> bool:
    return (get_language() or "de").startswith("en")


def localise(practice: GoodPractice) -> GoodPractice:
    """Set ``shown_<field>`` for every translated field (German when there is no English)."""
    english = _english()
    for field in TRANSLATED:
        german = getattr(practice, field, "")
        english_text = getattr(practice, f"{field}_en", "")
        setattr(practice, f"shown_{field}", english_text if english and english_text else german)
    practice.country_label = country_label(practice.country)
    return practice


def public_practices() -> QuerySet[GoodPractice]:
    """The validated practices, as the public list filters them."""
    return GoodPractice.objects.filter(status=GoodPractice.Status.VALIDATED).order_by("title", "pk")


def practice_rows(practices) -> list[GoodPractice]:
    """One list page's practices with their topic names: one query for all the page's topics."""
    rows = [localise(practice) for practice in practices]
    english = _english()
    names: dict[int, list[str]] = {practice.pk: [] for practice in rows}
    links = (
        GoodPractice.topics.through.objects.filter(goodpractice_id__in=names)
        .order_by("topic__name_de", "topic_id")
        .values_list("goodpractice_id", "topic__name_de", "topic__name_en")
    )
    for practice_id, name_de, name_en in links:
        names[practice_id].append(name_en if english and name_en else name_de)
    detail_url = url_maker("policy:practice")
    for practice in rows:
        practice.topic_names = ", ".join(names[practice.pk])
        practice.url = detail_url(practice.slug)
    return rows


def practices_in_progress() -> list[GoodPractice]:
    """For coordinators: drafts and archived practices (not in the public list), one query."""
    return [
        localise(practice)
        for practice in GoodPractice.objects.exclude(status=GoodPractice.Status.VALIDATED)
        .select_related("author")
        .order_by("status", "title", "pk")
    ]


def practice_for(user, slug: str) -> GoodPractice:
    """A practice with what its page shows; drafts and archived ones for coordinators only
    (404 for everybody else, as if it did not exist)."""
    queryset = GoodPractice.objects.select_related(
        "company", "author", "validated_by"
    ).prefetch_related(
        "topics",
        Prefetch(
            "figures",
            queryset=PracticeFigure.objects.select_related("topic", "network", "grant", "call"),
        ),
        Prefetch("transfers", queryset=Transfer.objects.order_by("-started_on", "pk")),
    )
    if not (user.is_authenticated and is_coordinator(user)):
        queryset = queryset.filter(status=GoodPractice.Status.VALIDATED)
    try:
        practice = queryset.get(slug=slug)
    except GoodPractice.DoesNotExist:
        raise Http404 from None
    return localise(practice)


@dataclass(frozen=True)
class FigureRow:
    figure: PracticeFigure
    label: str
    scope: str
    value: Decimal
    shown: str


def _scope_label(figure: PracticeFigure) -> str:
    from django.utils.formats import date_format

    parts = []
    if figure.grant_id:
        parts.append(f"{figure.grant.reference} {figure.grant.title}")
    if figure.call_id:
        parts.append(
            figure.call.title_en if _english() and figure.call.title_en else figure.call.title
        )
    if figure.network_id:
        parts.append(figure.network.name)
    if figure.topic_id:
        parts.append(str(figure.topic))
    if figure.since or figure.until:
        since = date_format(figure.since) if figure.since else "…"
        until = date_format(figure.until) if figure.until else "…"
        parts.append(f"{since} – {until}")
    return " · ".join(parts)


def scope_of(figure: PracticeFigure) -> portal_figures.Scope:
    definition = portal_figures.figure(figure.kind)
    return definition.narrow(
        portal_figures.Scope(
            topic_id=figure.topic_id,
            network_id=figure.network_id,
            grant_id=figure.grant_id,
            call_id=figure.call_id,
            since=figure.since,
            until=figure.until,
        )
    )


def figure_rows(figures) -> list[FigureRow]:
    """The linked figures with their live values: one aggregate query per kind of figure."""
    figures = list(figures)
    pairs = [(figure.kind, scope_of(figure)) for figure in figures]
    values = portal_figures.values_for(pairs)
    labels = choice_labels(PracticeFigure.Kind.choices)
    rows = []
    for figure, pair in zip(figures, pairs, strict=True):
        value = values[pair]
        definition = portal_figures.figure(figure.kind)
        shown = (
            f"{number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)} €"
            if definition.is_money
            else number_format(int(value), use_l10n=True, force_grouping=True)
        )
        rows.append(
            FigureRow(
                figure=figure,
                label=labels.get(figure.kind, figure.kind),
                scope=_scope_label(figure),
                value=value,
                shown=shown,
            )
        )
    return rows


def transfer_overview() -> list[Transfer]:
    """Every transfer with its practice, newest first: one query."""
    return list(Transfer.objects.select_related("practice").order_by("-status_changed_on", "-pk"))


def filter_choices() -> dict[str, list[tuple[str, str]]]:
    """The values the public filter offers: the regions, countries and themes of validated
    practices (one query)."""
    rows = public_practices().order_by().values_list("region", "country", "theme").distinct()
    regions, countries, themes = set(), set(), set()
    for region, country, theme in rows:
        regions.add(region)
        countries.add(country)
        if theme:
            themes.add(theme)
    return {
        "region": [(r, r) for r in sorted(regions, key=str.casefold)],
        "country": [(code, label) for code, label in COUNTRIES if code in countries],
        "theme": [(t, t) for t in sorted(themes, key=str.casefold)],
    }
