"""Text compared and sorted as German readers expect, the same on PostgreSQL and SQLite.

- :class:`Fold` lowers a text and strips its accents in SQL, so ``mull``, ``müll`` and
  ``Muller`` all find ``Müller``: ``lower(unaccent(…))`` on PostgreSQL (the ``unaccent``
  extension, created by ``regiolab/migrations/0009_unaccent_german_collation.py``), the Python
  function :func:`fold` on SQLite (registered on every new connection). Compare it with
  :func:`fold` of the query.
- :func:`german` orders a text by the collation ``regiolab_de``: on PostgreSQL an ICU
  collation for German (created by the same migration), on SQLite a collation registered on
  every connection with :func:`german_sort_key`. Either way ``Bäckerei`` comes before
  ``Burgwedel`` (DIN 5007-1: ä is sorted as a), upper and lower case together.
"""

from __future__ import annotations

import functools
import unicodedata

from django.db.backends.signals import connection_created
from django.db.models import CharField, F, Func
from django.db.models.functions import Collate

GERMAN_COLLATION = "regiolab_de"
SQLITE_FOLD_FUNCTION = "regiolab_fold"

# Letters that Unicode does not decompose into a base letter and an accent, written the way
# PostgreSQL's unaccent writes them.
_UNACCENT_EXTRA = str.maketrans(
    {
        "ß": "ss",
        "ẞ": "SS",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "þ": "th",
        "Þ": "TH",
    }
)


def _strip_marks(value: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", value) if not unicodedata.combining(c))


def fold(value: str | None) -> str | None:
    """``value`` in lower case without accents: "Müller" → "muller", "Straße" → "strasse"."""
    if value is None:
        return None
    return _strip_marks(_strip_marks(str(value).translate(_UNACCENT_EXTRA)).casefold())


@functools.lru_cache(maxsize=16384)
def german_sort_key(value: str) -> tuple[str, str, str]:
    """Letters first without accents or case (ä = a), then accents (a before ä), then case
    (lower before upper), as ICU's German collation orders."""
    return (fold(value), value.casefold(), value.swapcase())


def _compare_german(left: str, right: str) -> int:
    a, b = german_sort_key(left), german_sort_key(right)
    return (a > b) - (a < b)


class Fold(Func):
    """The SQL of :func:`fold` (lower case, no accents) for one text expression."""

    function = SQLITE_FOLD_FUNCTION
    arity = 1
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler, connection, template="lower(unaccent(%(expressions)s))", **extra_context
        )


def create_german_collation(schema_editor) -> None:
    """Create the collation on PostgreSQL if it is not there (migrations of the core and of
    companies, whichever runs first; nothing on SQLite). Never dropped: indexes use it."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE COLLATION IF NOT EXISTS \"{GERMAN_COLLATION}\" (provider = icu, locale = 'de')"
        )


def german(expression) -> Collate:
    """``expression`` (a field name or expression) collated for sorting German text."""
    if isinstance(expression, str):
        expression = F(expression)
    return Collate(expression, GERMAN_COLLATION)


def _register_sqlite(sender, connection, **kwargs) -> None:
    if connection.vendor != "sqlite":
        return
    raw = connection.connection
    raw.create_function(SQLITE_FOLD_FUNCTION, 1, fold, deterministic=True)
    raw.create_collation(GERMAN_COLLATION, _compare_german)


def install() -> None:
    """Give every SQLite connection the fold function and the German collation (called from
    RegiolabConfig.ready); PostgreSQL has them from the migration."""
    from django.db import connections

    connection_created.connect(_register_sqlite, dispatch_uid="regiolab.collation")
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None:
            _register_sqlite(None, connection)
