"""Display values computed once per request for list pages with many rows.

``Model.get_FOO_display()`` hashes every lazily translated choice on each call (a gettext per
choice per row) and ``reverse()`` walks the URL resolver per row; on a 50-row page the two took
more time than the rest of the rendering together.
"""

from collections.abc import Callable, Iterable

from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

_MARKER = 987654321  # an int that matches <int:pk> and appears nowhere else in our URLs


def choice_labels(choices: Iterable[tuple[str, object]]) -> dict[str, str]:
    """``{value: label}`` with every label translated once, in the active language."""
    return {value: str(label) for value, label in choices}


def url_maker(viewname: str, *args) -> Callable[[object], str]:
    """``reverse(viewname, args=[*args, pk])`` for many pks, with one reverse() in all."""
    url = reverse(viewname, args=[*args, _MARKER])
    head, _, tail = url.rpartition(str(_MARKER))
    return lambda pk: f"{head}{pk}{tail}"


def option_lists(choices: Iterable[tuple[str, str]]) -> dict[str, SafeString]:
    """``{selected value: "<option …>…"}`` for a <select> repeated on every row of a table.

    The same markup as a template loop over the choices, built once per value instead of once
    per row (a role select on each member row was a quarter of the network dashboard's time).
    """
    choices = list(choices)

    def options(selected: str) -> SafeString:
        return format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (value, SafeString(" selected") if value == selected else "", label)
                for value, label in choices
            ),
        )

    return {value: options(value) for value, _label in choices}
