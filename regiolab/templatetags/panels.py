from django import template
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html_join

from regiolab.panels import panels_for

register = template.Library()


@register.simple_tag(takes_context=True)
def panels(context, slot: str) -> str:
    """The panels other apps registered for ``slot`` (regiolab/panels.py), in order."""
    request = context.get("request")
    parts = [
        render_to_string(panel.template, {**panel_context, "panel_key": panel.key}, request)
        for panel, panel_context in panels_for(slot, now=timezone.now())
    ]
    # The rendered templates are safe strings already; format_html_join keeps them as they are.
    return format_html_join("", "{}", ((part,) for part in parts))
