"""Template filter for the information pages' plain-text sections."""

from django import template

from regiolab.pages.services import render_plain_text

register = template.Library()


@register.filter
def plain_text(value: str):
    """Paragraphs, bullet lists and links from plain text; the text itself is escaped."""
    return render_plain_text(value)
