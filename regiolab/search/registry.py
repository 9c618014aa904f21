"""The coordinators' search: the kinds of things each business app lets it find.

Each app registers its kinds from its ``AppConfig.ready()`` (``<app>/search.py``), so this core
module imports no business app::

    search_registry.register(
        "company",
        label=_("Companies"),
        kind_label=_("Company"),
        queryset=lambda: Company.objects.only("name", "city"),
        fields=("name", "city"),
        order_by=(german("name"),),
        hit=lambda company: Hit(title=company.name, url=company.get_absolute_url(), ...),
        more_url=lambda q: f"{reverse('companies:list')}?{urlencode({'q': q})}",
    )

:func:`search` runs one query per kind, whatever the number of hits: the kind's ``fields`` are
joined, lowered and stripped of accents in SQL (regiolab.collation.Fold), and every word of the
query (folded the same way) must occur in them. At most ``limit`` hits per kind are shown; one
more is read to know whether there are more.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import BooleanField, CharField, Func, QuerySet, Value
from django.db.models.functions import Concat

from regiolab.collation import Fold, fold

MAX_TERMS = 6


@dataclass(frozen=True)
class Hit:
    title: str
    url: str
    detail: str = ""


@dataclass(frozen=True)
class Kind:
    key: str
    label: str  # plural, the group's heading
    kind_label: str  # singular, shown with each hit
    queryset: Callable[[], QuerySet]
    fields: tuple[str, ...]
    hit: Callable[[object], Hit]
    order_by: tuple = ()
    more_url: Callable[[str], str] | None = None
    position: int = 100


@dataclass
class Group:
    kind: Kind
    hits: list[Hit] = field(default_factory=list)
    more: bool = False
    more_url: str = ""


KINDS: dict[str, Kind] = {}


def register(
    key: str,
    *,
    label,
    kind_label,
    queryset: Callable[[], QuerySet],
    fields: tuple[str, ...],
    hit: Callable[[object], Hit],
    order_by: tuple = (),
    more_url: Callable[[str], str] | None = None,
    position: int = 100,
) -> None:
    """Let the search find ``queryset()``'s rows by ``fields`` (text columns, may span
    relations), shown by ``hit(row)``; ``more_url(query)`` is the filtered list holding all."""
    if key in KINDS:
        raise ValueError(f"Search kind {key} registered twice")
    KINDS[key] = Kind(
        key=key,
        label=label,
        kind_label=kind_label,
        queryset=queryset,
        fields=tuple(fields),
        hit=hit,
        order_by=tuple(order_by),
        more_url=more_url,
        position=position,
    )


def terms(query: str) -> list[str]:
    """The query's words, folded (lower case, no accents), at most MAX_TERMS of them."""
    return (fold(query) or "").split()[:MAX_TERMS]


def haystack(fields: tuple[str, ...]):
    """The folded text of ``fields``, joined by spaces (so a full name matches "anna müller")."""
    if len(fields) == 1:
        return Fold(fields[0])
    parts = []
    for name in fields:
        parts += [name, Value(" ")]
    return Fold(Concat(*parts[:-1], output_field=CharField()))


class ContainsAll(Func):
    """True where the text contains every one of ``words`` (folded, taken literally).

    PostgreSQL folds each row's text once for all words (``LIKE ALL (ARRAY[…])``); elsewhere
    each word is its own ``LIKE``.
    """

    conditional = True
    output_field = BooleanField()

    def __init__(self, text, words: list[str]):
        super().__init__(text)
        self.words = list(words)

    def _patterns(self, connection) -> list[str]:
        return [f"%{connection.ops.prep_for_like_query(word)}%" for word in self.words]

    def as_sql(self, compiler, connection, **extra_context):
        text, params = compiler.compile(self.source_expressions[0])
        patterns = self._patterns(connection)
        sql = " AND ".join(f"{text} LIKE %s ESCAPE '\\'" for _pattern in patterns)
        return f"({sql})", [value for pattern in patterns for value in (*params, pattern)]

    def as_postgresql(self, compiler, connection, **extra_context):
        text, params = compiler.compile(self.source_expressions[0])
        return f"{text} LIKE ALL (%s)", [*params, self._patterns(connection)]


def matching(queryset: QuerySet, fields: tuple[str, ...], query: str) -> QuerySet:
    """``queryset``'s rows in whose ``fields`` every word of ``query`` occurs, ignoring case
    and accents (``mull`` and ``müll`` find ``Müller``); ``%`` and ``_`` match themselves."""
    words = terms(query)
    if not words:
        return queryset.none()
    return queryset.filter(ContainsAll(haystack(fields), words))


def search(query: str, *, limit: int = 10) -> list[Group]:
    """Every registered kind's hits for ``query`` (at most ``limit`` each), kinds in their
    registered position; kinds without a hit are left out."""
    groups = []
    for kind in sorted(KINDS.values(), key=lambda k: (k.position, k.key)):
        queryset = matching(kind.queryset(), kind.fields, query)
        if kind.order_by:
            queryset = queryset.order_by(*kind.order_by, "pk")
        rows = list(queryset[: limit + 1])
        if not rows:
            continue
        more = len(rows) > limit
        groups.append(
            Group(
                kind=kind,
                hits=[kind.hit(row) for row in rows[:limit]],
                more=more,
                more_url=kind.more_url(query) if more and kind.more_url else "",
            )
        )
    return groups
