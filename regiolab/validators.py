"""Validators shared by every app's forms."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z!?][^>]*>|javascript:", re.IGNORECASE)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def no_markup(value: str) -> None:
    """Reject HTML tags and script URLs in plain-text fields."""
    if value and _MARKUP.search(value):
        raise ValidationError(
            _("Please enter plain text without HTML tags or script code."), code="markup"
        )


def no_formula(value: str) -> None:
    """Reject text that a spreadsheet would run as a formula."""
    if value and value.startswith(_FORMULA_START):
        raise ValidationError(
            _("Text must not start with =, +, -, @ or a tab (spreadsheet formula)."),
            code="formula",
        )


def neutralise_formula(value):
    """For exports: prefix formula-like text with an apostrophe so spreadsheets show it as text."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
