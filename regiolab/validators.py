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


# C0 and C1 control characters (Unicode category Cc) and the Unicode line/paragraph
# separators: invisible, they break one-line fields in calendars, e-mail subjects and PDFs.
_LINE_BREAKING = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# In multi-line text only tab and the line breaks themselves are expected.
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def single_line(value: str) -> None:
    """Reject line breaks, tabs and other control characters in one-line fields (titles, venue)."""
    if value and _LINE_BREAKING.search(value):
        raise ValidationError(
            _("Please enter this on one line, without line breaks or control characters."),
            code="control_characters",
        )


def no_control_characters(value: str) -> None:
    """Reject invisible control characters in multi-line text; line breaks and tabs are fine."""
    if value and _CONTROL_IN_TEXT.search(value):
        raise ValidationError(
            _("Please remove the invisible control characters from the text."),
            code="control_characters",
        )
