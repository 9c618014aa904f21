"""The filter bar's cache key: its rendered HTML is reused while the choices stay the same.

Rendering a filter form was most of a list page's time: Django renders every ``<option>`` of a
select through its own template include (a few hundred per company filter). What the filter bar
shows depends only on the page, the query string, the language and the choices themselves, so
the template caches it under those (``templates/partials/filter_bar.html``).
"""

import hashlib

from cachalot.api import get_last_invalidation
from django import template
from django.forms.models import ModelChoiceIterator

register = template.Library()


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
    """A digest of the form's fixed choices and of when its choice tables last changed.

    Choices read from the database (topics, networks) are the same for everybody; instead of
    reading them on every request, the key takes the time their table was last written, so a
    renamed network shows at once and a cached filter bar costs no query.
    """
    digest = hashlib.blake2b(digest_size=16)
    choice_models = []
    for name, field in form.fields.items():
        choices = getattr(field.widget, "choices", None)
        if choices is None:
            continue
        digest.update(f"{name}=".encode())
        if isinstance(choices, ModelChoiceIterator):
            choice_models.append(choices.queryset.model)
            digest.update(f"{choices.queryset.model._meta.label}\x1e".encode())
        else:
            _feed(digest, choices)
    if choice_models:
        digest.update(repr(get_last_invalidation(*choice_models)).encode())
    return digest.hexdigest()
