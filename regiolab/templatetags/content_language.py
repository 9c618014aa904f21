"""Marks content that exists only in German when it appears on a page of another language, so
screen readers read it with German pronunciation and browsers translate it (WCAG 3.1.2)."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from regiolab.text import shown_in_german

register = template.Library()

_LANG_DE = mark_safe(' lang="de"')  # noqa: S308  # nosec B308, B703 — a constant


@register.filter
def lang_de_if_untranslated(obj, field: str) -> SafeString | str:
    """``<p{{ workshop|lang_de_if_untranslated:"description" }}>``: ` lang="de"` when the
    field is shown in German on a non-German page (its ``<field>_en`` twin is empty)."""
    return _LANG_DE if shown_in_german(obj, field) else ""
