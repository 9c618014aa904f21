"""Values that stay valid until one of the tables they were built from changes.

django-cachalot records, per table, when it was last written by the ORM (including bulk
operations and ``QuerySet.update``), inside a transaction only once it commits. Raw SQL that
writes must say so with ``cachalot.api.invalidate(Model)`` (settings.CACHALOT_INVALIDATE_RAW).
A value cached here is keyed by those times, so the first request after a change builds it anew
and nobody ever sees a figure or a table row older than the data. Templates use the same key
with Django's ``{% cache %}`` tag: ``{% get_last_invalidation 'companies.Company' as stamp %}``.
"""

import hashlib
from collections.abc import Callable, Iterable
from typing import TypeVar

from cachalot.api import get_last_invalidation
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

T = TypeVar("T")


def cache_key(name: str, *parts, depends_on: Iterable) -> str:
    """The key of ``name`` for these parts in the active language at the tables' current state."""
    stamp = get_last_invalidation(*depends_on)
    raw = repr((name, translation.get_language(), stamp, parts)).encode()
    return f"fresh:{name}:{hashlib.blake2b(raw, digest_size=16).hexdigest()}"


def cached_until_changed(name: str, *parts, depends_on: Iterable, compute: Callable[[], T]) -> T:
    """``compute()``, or what it returned last for the same parts while its tables are unchanged.

    ``parts`` must name everything else the value depends on (the object, the period, the
    viewer's role); the value must be picklable.
    """
    key = cache_key(name, *parts, depends_on=depends_on)
    return cache.get_or_set(key, compute, settings.FRESHNESS_TIMEOUT)


def choice_models(filterset_class) -> list:
    """The models a filterset's choice filters offer rows of (topics, networks …)."""
    models = []
    for declared in filterset_class.base_filters.values():
        queryset = declared.extra.get("queryset")
        if callable(queryset):  # django-filter calls it with the request; ours ignore it
            queryset = queryset(None)
        if queryset is not None:
            models.append(queryset.model)
    return models
