"""The views' one way of handling a service's refusal (regiolab/views_helpers.py)."""

import pytest
from django import forms
from django.contrib.messages import constants, get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.test import RequestFactory

from regiolab.views_helpers import run_service, service_errors_on


def _request():
    request = RequestFactory().post("/")
    request._messages = CookieStorage(request)
    return request


def _messages(request) -> list[tuple[int, str]]:
    return [(m.level, m.message) for m in get_messages(request)]


def _refuse():
    raise ValidationError(["The workshop is full.", "Try the waitlist."])


def test_a_refused_button_shows_the_reasons_and_redirects_all_the_same():
    request = _request()

    response = run_service(request, _refuse, success="Done.", redirect_to="/back/")

    assert isinstance(response, HttpResponseRedirect) and response.url == "/back/"
    assert _messages(request) == [(constants.ERROR, "The workshop is full. Try the waitlist.")]


def test_a_done_button_names_the_result_and_keeps_a_ready_redirect():
    request = _request()
    ready = HttpResponseRedirect("/there/")

    response = run_service(
        request, lambda: 3, success=lambda n: f"{n} people told.", redirect_to=ready
    )

    assert response is ready
    assert _messages(request) == [(constants.SUCCESS, "3 people told.")]


class _Form(forms.Form):
    email = forms.EmailField()


def test_a_refused_form_shows_the_error_at_its_field_and_renders_again():
    form = _Form({"email": "a@example.org"})
    assert form.is_valid()

    with service_errors_on(form):
        raise ValidationError({"email": "Already invited.", "other": "Not a field here."})

    assert form.errors == {"email": ["Already invited."], "__all__": ["Not a field here."]}


def test_other_errors_are_not_swallowed():
    form = _Form({"email": "a@example.org"})
    form.is_valid()

    with pytest.raises(RuntimeError), service_errors_on(form):
        raise RuntimeError("database gone")

    assert form.errors == {}
