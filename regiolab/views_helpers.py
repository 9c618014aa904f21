"""What every thin view does with a service's refusal (a ValidationError), written once; and
the "plan, preview, send" page that several apps share."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseBase
from django.shortcuts import redirect, render

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


# Fields of a preview's form that are not the coordinator's choice.
_PREVIEW_FIELDS = {"csrfmiddlewaretoken", "action", "fingerprint"}


def plan_preview_send(
    request,
    form_class,
    *,
    form_page: Callable[[Any], HttpResponseBase],
    plan: Callable[[Any], Any],
    send: Callable[[Any, Any, str], HttpResponseBase],
    plan_changed: type[ValidationError],
    preview_template: str,
    context: dict,
) -> HttpResponseBase:
    """A page where a coordinator chooses recipients (``form_class``), sees the plan and
    confirms it. GET, an invalid choice or the action "edit": ``form_page(form)``. Else
    ``plan(form)`` is previewed with ``preview_template`` (``context`` plus ``plan``, the
    ``choice`` to post back and ``changed``); the action "send" calls
    ``send(form, plan, fingerprint)``, which answers after sending. When the plan differs from
    the confirmed preview (``plan_changed``), the new preview says so; any other refusal of
    planning or sending goes back to the form, with it."""
    if request.method != "POST":
        return form_page(form_class())
    form = form_class(request.POST)
    action = request.POST.get("action", "")
    if not form.is_valid() or action == "edit":
        return form_page(form)
    with service_errors_on(form):
        planned = plan(form)
        changed = False
        if action == "send":
            try:
                return send(form, planned, request.POST.get("fingerprint", ""))
            except plan_changed:
                changed = True
        choice = [
            (name, value)
            for name in request.POST
            if name not in _PREVIEW_FIELDS
            for value in request.POST.getlist(name)
        ]
        return render(
            request,
            preview_template,
            {**context, "plan": planned, "choice": choice, "changed": changed},
        )
    return form_page(form)
