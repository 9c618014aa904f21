"""{% history_url obj %}: the change-history page of an audited object (regiolab/audit/services.py)."""

from django import template
from django.urls import reverse
from django.utils.http import urlencode

register = template.Library()


@register.simple_tag
def history_url(obj, show: str = "") -> str:
    """Built from the model's labels, so a link costs no query (no ContentType lookup)."""
    opts = obj._meta
    url = reverse("audit:object_history", args=[opts.app_label, opts.model_name, obj.pk])
    return f"{url}?{urlencode({'show': show})}" if show else url
