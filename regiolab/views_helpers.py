"""What every thin view does with a service's refusal (a ValidationError), written once."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseBase
from django.shortcuts import redirect

from .forms import add_service_errors


def run_service(
    request, service: Callable[[], Any], *, success=None, redirect_to, done=None
) -> HttpResponseBase:
    """For a button: call ``service()``; its refusal becomes an error message and the answer a
    redirect to ``redirect_to`` (what ``django.shortcuts.redirect`` takes, or a ready response).
    Else ``success`` (a text, or a function of the service's result giving one; none: no
    message) becomes a success message, and the answer is ``done`` (a response, or a function of
    the service's result giving one, e.g. a page rendered) or, without it, the same redirect."""
    try:
        result = service()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _redirect(redirect_to)
    if success is not None:
        messages.success(request, success(result) if callable(success) else success)
    if done is not None:
        return done(result) if callable(done) else done
    return _redirect(redirect_to)


def _redirect(to) -> HttpResponseBase:
    return to if isinstance(to, HttpResponseBase) else redirect(to)


@contextmanager
def service_errors_on(form) -> Iterator[None]:
    """For a validated form or formset: a refusal raised in the block is shown on ``form`` (at
    its field where the form has it, see ``add_service_errors``) and the view goes on after the
    block to render the form again."""
    try:
        yield
    except ValidationError as exc:
        add_service_errors(form, exc)


@contextmanager
def service_errors_kept() -> Iterator[list[str]]:
    """For a refusal the page shows in its own place (not as a message, not at a form's field):
    the block's refusal is caught and its texts are put in the list this yields, which stays
    empty when the block ran through; the view goes on after the block."""
    errors: list[str] = []
    try:
        yield errors
    except ValidationError as exc:
        errors.extend(exc.messages)
