"""What every thin view does with a service's refusal (a ValidationError), written once."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseBase
from django.shortcuts import redirect

from .forms import add_service_errors


def run_service(request, service: Callable[[], Any], *, success, redirect_to) -> HttpResponseBase:
    """For a button: call ``service()``; its refusal becomes an error message, else ``success``
    (a text, or a function of the service's result giving one) a success message. Either way
    the answer is a redirect to ``redirect_to`` (what ``django.shortcuts.redirect`` takes, or a
    ready response)."""
    try:
        result = service()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success(result) if callable(success) else success)
    return redirect_to if isinstance(redirect_to, HttpResponseBase) else redirect(redirect_to)


@contextmanager
def service_errors_on(form) -> Iterator[None]:
    """For a validated form or formset: a refusal raised in the block is shown on ``form`` (at
    its field where the form has it, see ``add_service_errors``) and the view goes on after the
    block to render the form again."""
    try:
        yield
    except ValidationError as exc:
        add_service_errors(form, exc)
