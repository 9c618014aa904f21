"""The filter bar's cache key: its rendered HTML is reused while the choices stay the same.

Rendering a filter form was most of a list page's time: Django renders every ``<option>`` of a
select through its own template include (a few hundred per company filter). What the filter bar
shows depends only on the page, the query string, the language and the choices themselves, so
the template caches it under those (``templates/partials/filter_bar.html``).
"""

import hashlib

from django import template
from django.forms.models import ModelChoiceIterator

register = template.Library()


def _choices(widget) -> list:
    """The widget's choices as a list: a model choice field's rows in one plain query."""
    choices = widget.choices
    if isinstance(choices, ModelChoiceIterator):
        # Its own __iter__ would use a server-side cursor (three round trips on PostgreSQL)
        # and list() would first ask for a COUNT.
        empty = [("", choices.field.empty_label)] if choices.field.empty_label is not None else []
        return empty + [choices.choice(obj) for obj in choices.queryset]
    return list(choices)


def _feed(digest, choices) -> None:
    for value, label in choices:
        if isinstance(label, list | tuple):  # an optgroup: (group name, [(value, label), …])
            digest.update(f"[{value}".encode())
            _feed(digest, label)
            digest.update(b"]")
        else:
            digest.update(f"{value}\x1f{label}\x1e".encode())


@register.simple_tag
def choices_version(form) -> str:
    """A digest of every choice the form's widgets offer, in the active language.

    A model choice field costs its one query here; its widget keeps the list, so rendering the
    form after a cache miss does not ask the database again.
    """
    digest = hashlib.blake2b(digest_size=16)
    for name, field in form.fields.items():
        widget = field.widget
        if hasattr(widget, "choices"):
            choices = _choices(widget)
            widget.choices = choices
            digest.update(f"{name}=".encode())
            _feed(digest, choices)
    return digest.hexdigest()
