"""The one way to cache: a declared value, kept until a table it reads is written.

Every cached value or page fragment is declared once, beside the selector that builds it::

    GRANT_INDICATORS = caching.declare(
        "grant_indicators",
        reads=[Company, Registration, Workshop, ...],
        varies_by=["networks", "period_start", "period_end", "held"],
        scoped={"networks": [Registration, Workshop, NetworkMembership]},
    )
    GRANT_INDICATORS.get(compute, networks=ids, period_start=..., period_end=..., held=...)

Templates use it by name: ``{% cached "network_dashboard" network=network.pk %}…{% endcached %}``.
A key part that is not declared (or a declared one left out) raises ``UndeclaredKeyPart``; the
active language is always part of the key.

Invalidation: every statement that writes a table (ORM saves, ``QuerySet.update``, bulk
operations, raw SQL) is seen by a database execute wrapper and, once the transaction commits,
moves that table's version. A value's key holds the versions of the tables it reads, so the first
request after a write builds it anew. Two refinements keep invalidation no coarser than the data:

- a table read for some columns only (``caching.columns(User, "first_name", "last_name")``) is
  invalidated by added or deleted rows and by updates of those columns; an update of others (a
  login's ``last_login``, a company's name on a page that counts size classes) moves nothing
  for it. Updates that name their columns (``save(update_fields=…)``, ``QuerySet.update``) are
  told apart; a whole-row ``save()`` writes every column;
- writes inside ``with caching.scope(networks=[id]):`` move only that scope's version of each
  table, so a registration for one network's workshop leaves other networks' grants cached.
  A declaration lists in ``scoped`` which of its tables it reads per value of a key part.

A missing value is built by one request at a time: the others asking for it meanwhile get the
value it replaces (the last one built for the same parts, so at most one build behind), or,
when there is none, wait for it (at most ``BUILD_WAIT_SECONDS``). Entries live ``settings.CACHE_TIMEOUT`` seconds at most; versions never expire (a lost version
is replaced by a new one, which orphans the values keyed by the old).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from functools import cached_property
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connections, transaction
from django.db.backends.signals import connection_created
from django.utils import translation
from django.utils.module_loading import autodiscover_modules

REGISTRY: dict[str, Declaration] = {}
_read: dict[str, frozenset[str]] | None = None  # table -> columns some declaration reads it for

_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
_SET = re.compile(r'^\s*UPDATE\s+"?\w+"?\s+SET\s', re.IGNORECASE)
_TOKEN = re.compile(r"""'(?:[^']|'')*'|"(\w+)"\s*=|(\()|(\))|\bWHERE\b""", re.IGNORECASE)

_local = threading.local()


class UndeclaredKeyPart(KeyError):
    """A cached value was asked for with key parts its declaration does not name."""


class columns:  # noqa: N801 — reads like the declaration it is part of
    """A model read for these fields only (its primary key is always read)."""

    def __init__(self, model, *fields: str):
        self.model, self.fields = model, fields

    def resolve(self) -> tuple[str, frozenset[str]]:
        meta = _model(self.model)._meta
        names = {meta.get_field(field).column for field in self.fields}
        return meta.db_table, frozenset(names | {meta.pk.column})


def _model(model):
    return apps.get_model(model) if isinstance(model, str) else model


def _table(model) -> str:
    if isinstance(model, columns):
        return model.resolve()[0]
    return _model(model)._meta.db_table


class Declaration:
    def __init__(self, name: str, reads: tuple, varies_by: tuple[str, ...], scoped: dict):
        self.name = name
        self.models = reads
        self.varies_by = varies_by
        self.scoped_models = scoped
        if not set(scoped) <= set(varies_by):
            raise ValueError(f"{name}: a scope must be one of the key parts")

    @cached_property
    def reads(self) -> frozenset[str]:
        """The tables the value is built from (models resolved on first use)."""
        return frozenset(_table(model) for model in self.models)

    @cached_property
    def columns(self) -> dict[str, frozenset[str]]:
        """Table -> the columns read, for the tables read for some columns only."""
        return dict(read.resolve() for read in self.models if isinstance(read, columns))

    @cached_property
    def scoped(self) -> dict[str, frozenset[str]]:
        """Key part -> the tables read per value of that part."""
        scoped = {
            part: frozenset(_table(m) for m in models)
            for part, models in self.scoped_models.items()
        }
        for part, tables in scoped.items():
            if not tables <= self.reads:
                raise ValueError(f"{self.name}: scope {part} names tables it does not read")
            if tables & set(self.columns):
                raise ValueError(f"{self.name}: scope {part} names a table read for columns")
        return scoped

    def key(self, parts: dict[str, Any]) -> str:
        if set(parts) != set(self.varies_by):
            raise UndeclaredKeyPart(
                f"{self.name} varies by {sorted(self.varies_by)}, was given {sorted(parts)}"
            )
        names = []
        for table in sorted(self.reads):
            scope = next((p for p, tables in self.scoped.items() if table in tables), None)
            if table in self.columns:
                names += [f"v:{table}#rows"] + [
                    f"v:{table}#{c}" for c in sorted(self.columns[table])
                ]
            elif scope is None:
                names.append(f"v:{table}")
            else:
                names.append(f"v:{table}:*")
                names += [f"v:{table}:{scope}:{value}" for value in _values(parts[scope])]
        versions = _versions(names)
        raw = repr(
            (translation.get_language(), [(p, parts[p]) for p in self.varies_by], versions)
        ).encode()
        return f"c:{self.name}:{hashlib.blake2b(raw, digest_size=16).hexdigest()}"

    def get(self, compute: Callable[[], Any], **parts) -> Any:
        """``compute()``, or what it returned for the same parts while its tables are unchanged."""
        key = self.key(parts)
        value = cache.get(key, _MISSING)
        if value is _MISSING:
            value = _build_once(key, compute, self._previous_key(parts))
        return value

    def _previous_key(self, parts: dict[str, Any]) -> str:
        """Where the value last built for these parts stays, whatever the tables' versions."""
        raw = repr((translation.get_language(), [(p, parts[p]) for p in self.varies_by]))
        return f"c:{self.name}:previous:{hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()}"


_MISSING = object()
# A write makes every request for the value miss at once; one builds it. The others meanwhile
# get the value it replaces (at most one build old) rather than each building the same value on
# the same CPUs or waiting for it (bench row 6, docs/benchmarks.md); only without one do they
# wait for the build.
BUILD_LOCK_SECONDS = 10
BUILD_WAIT_SECONDS = 2.0
BUILD_POLL_SECONDS = 0.01


def _build_once(key: str, compute: Callable[[], Any], previous_key: str) -> Any:
    # add() answers None, not False, when the cache is unreachable: then build without waiting.
    if cache.add(f"{key}:building", 1, BUILD_LOCK_SECONDS) is not False:
        try:
            value = compute()
            cache.set_many({key: value, previous_key: value}, settings.CACHE_TIMEOUT)
        finally:
            cache.delete(f"{key}:building")
        return value
    previous = cache.get(previous_key, _MISSING)
    if previous is not _MISSING:
        return previous
    deadline = time.monotonic() + BUILD_WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(BUILD_POLL_SECONDS)
        value = cache.get(key, _MISSING)
        if value is not _MISSING:
            return value
    return compute()  # the builder is slow or gone: show this request current data anyway


def declare(
    name: str,
    *,
    reads: Iterable,
    varies_by: Iterable[str] = (),
    scoped: dict[str, Iterable] | None = None,
) -> Declaration:
    """Declare a cached value: its name, the models it reads, the parts its key varies by."""
    global _read
    declaration = Declaration(name, tuple(reads), tuple(varies_by), dict(scoped or {}))
    if name in REGISTRY:
        raise ValueError(f"Cached value {name} declared twice")
    REGISTRY[name] = declaration
    _read = None
    return declaration


def _read_columns(table: str) -> frozenset[str] | None:
    """The columns of ``table`` some declaration reads it for; None when nothing reads it."""
    global _read
    if _read is None:
        found: dict[str, set[str]] = {}
        for declaration in REGISTRY.values():
            for name in declaration.reads:
                found.setdefault(name, set()).update(declaration.columns.get(name, ()))
        _read = {name: frozenset(cols) for name, cols in found.items()}
    return _read.get(table)


def get(name: str, compute: Callable[[], Any], **parts) -> Any:
    return REGISTRY[name].get(compute, **parts)


def _values(value) -> list:
    return sorted(set(value)) if isinstance(value, list | tuple | set | frozenset) else [value]


def _versions(names: list[str]) -> list:
    if not names:
        return []
    _flush_in_tests(connections["default"])
    found = cache.get_many(names)
    missing = {name: uuid.uuid4().hex for name in names if name not in found}
    if missing:
        for name, version in missing.items():
            # add(): two processes filling the same missing version agree on the first.
            if not cache.add(name, version, None):
                version = cache.get(name, version)
            found[name] = version
    return [found[name] for name in names]


# --- Observing writes ------------------------------------------------------------------------


@contextlib.contextmanager
def scope(**parts):
    """Writes in this block change only these scopes (e.g. ``networks=[id]``) of each table a
    declaration reads per that key part; for every other declaration they change the table."""
    previous = getattr(_local, "scope", None)
    _local.scope = {name: _values(value) for name, value in parts.items()}
    try:
        yield
    finally:
        _local.scope = previous


def changed(*models, **parts) -> None:
    """Move the versions of these tables now (or at commit), as a write to them would."""
    for model in models:
        scoped = {name: _values(value) for name, value in parts.items()}
        _record(connections["default"], _table(model), scoped or None, None)


def _record(connection, table: str, parts: dict | None, updated: frozenset | None) -> None:
    """A write to ``table``: rows added or deleted (``updated`` None) or these columns updated."""
    read = _read_columns(table)
    if read is None:
        return  # no cached value shows it (sessions, the outbox, invitations, the audit log)
    marks = ("rows",) if updated is None else tuple(sorted(updated & read))
    entry = (table, tuple(sorted((k, tuple(v)) for k, v in (parts or {}).items())), marks)
    if not connection.in_atomic_block or _only_test_transactions(connection):
        _bump(table, parts, marks)
        return
    for _sids, func, _robust in connection.run_on_commit:
        if getattr(func, "cache_entry", None) == entry and not func.done:
            return  # this transaction moves it already

    def bump():
        if not bump.done:
            bump.done = True
            _bump(table, parts, marks)

    bump.cache_entry = entry
    bump.done = False
    transaction.on_commit(bump, using=connection.alias, robust=True)


def _only_test_transactions(connection) -> bool:
    return all(getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def _flush_in_tests(connection) -> None:
    """Tests run inside a transaction that never commits (pytest-django's TestCase atomics): a
    block committed into it counts as committed, as in production its commit would."""
    if connection.in_atomic_block and _only_test_transactions(connection):
        for _sids, func, _robust in list(connection.run_on_commit):
            if hasattr(func, "cache_entry"):
                func()


def _bump(table: str, parts: dict | None, marks: tuple[str, ...]) -> None:
    new = uuid.uuid4().hex
    names = [f"v:{table}"] + [f"v:{table}#{mark}" for mark in marks]
    if parts:
        names += [f"v:{table}:{p}:{value}" for p, values in parts.items() for value in values]
    else:
        names.append(f"v:{table}:*")
    cache.set_many(dict.fromkeys(names, new), None)


def _observe(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    match = _WRITE.match(sql) if isinstance(sql, str) else None
    if match:
        updated = _updated_columns(sql) if match.group(0).lstrip()[:1] in "uU" else None
        _record(context["connection"], match.group(1), getattr(_local, "scope", None), updated)
    return result


def _updated_columns(sql: str) -> frozenset[str] | None:
    """The columns an UPDATE assigns (outside subqueries and literals), or None when unsure."""
    assignments = _SET.match(sql)
    if not assignments:
        return None
    found, depth = set(), 0
    for token in _TOKEN.finditer(sql, assignments.end()):
        column, opening, closing = token.groups()
        if opening:
            depth += 1
        elif closing:
            depth -= 1
        elif depth == 0 and column:
            found.add(column)
        elif depth == 0 and token.group(0).upper() == "WHERE":
            break
    return frozenset(found) or None


def _install(connection, **kwargs) -> None:
    if _observe not in connection.execute_wrappers:
        connection.execute_wrappers.append(_observe)


def install() -> None:
    """Observe the writes of every database connection (called from AppConfig.ready).

    Every app's ``selectors`` module is imported first, as the admin finds ``admin`` modules, so
    that every declaration is known before the first write in any process (web or worker).
    """
    autodiscover_modules("selectors")
    connection_created.connect(_install, dispatch_uid="regiolab.caching")
    for connection in connections.all(initialized_only=True):
        _install(connection)


# --- Keys of filtered list pages ---------------------------------------------------------------

# Pages past this one are answered uncached: one visitor can create at most this many entries
# per combination of filter choices (a finite set), however many query strings they try.
MAX_CACHED_PAGE = 20


def filter_parts(data, filterset_class) -> tuple | None:
    """The key part of a filtered list page: its filter form's cleaned data and page number, or
    None when the page is to be answered uncached (an invalid filter or page)."""
    try:
        page = int(data.get("page") or 1)
    except (TypeError, ValueError):
        return None
    if not 1 <= page <= MAX_CACHED_PAGE:
        return None
    if all(name == "page" for name in data):
        return (("page", page),)
    form = _filter_form(filterset_class)(data)
    if not form.is_valid():
        return None
    cleaned = [
        (name, _plain(value))
        for name, value in sorted(form.cleaned_data.items())
        if value not in (None, "", [], ())
    ]
    return (*cleaned, ("page", page))


@functools.cache
def _filter_form(filterset_class):
    """The FilterSet's form class, built once: an instance deep-copies its filters and builds
    a new form class (1.2 of the 6 ms of CPU a warm company list costs). Its choice fields'
    querysets are read anew at each validation."""
    return filterset_class().form.__class__


def _plain(value):
    if hasattr(value, "_meta"):  # a model instance from a choice field
        return value.pk
    if isinstance(value, list | tuple | set | frozenset) or hasattr(value, "model"):
        return tuple(sorted(_plain(item) for item in value))
    return value
