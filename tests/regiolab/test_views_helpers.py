"""The views' one way of handling a service's refusal (regiolab/views_helpers.py)."""

import pytest
from django import forms
from django.contrib.messages import constants, get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.test import RequestFactory

from regiolab.views_helpers import run_service, service_errors_kept, service_errors_on


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


def test_a_done_button_may_answer_with_a_page_of_its_result_and_no_message():
    request = _request()

    response = run_service(
        request,
        lambda: "Ada",
        redirect_to="/back/",
        done=lambda name: HttpResponse(f"Welcome, {name}."),
    )

    assert response.content == b"Welcome, Ada."
    assert _messages(request) == []


def test_a_done_button_may_go_elsewhere_than_a_refused_one():
    elsewhere = HttpResponseRedirect("/elsewhere/")
    done_request, refused_request = _request(), _request()

    done = run_service(
        done_request, lambda: None, success="Left.", redirect_to="/back/", done=elsewhere
    )
    refused = run_service(
        refused_request, _refuse, success="Left.", redirect_to="/back/", done=elsewhere
    )

    assert done is elsewhere
    assert _messages(done_request) == [(constants.SUCCESS, "Left.")]
    assert isinstance(refused, HttpResponseRedirect) and refused.url == "/back/"
    assert _messages(refused_request) == [
        (constants.ERROR, "The workshop is full. Try the waitlist.")
    ]


def test_a_refusal_kept_for_the_page_holds_its_texts_and_the_view_goes_on():
    with service_errors_kept() as refusal:
        _refuse()
        pytest.fail("the block stops at the refusal")

    assert refusal == ["The workshop is full.", "Try the waitlist."]


def test_a_block_that_runs_through_keeps_no_refusal_and_other_errors_pass():
    with service_errors_kept() as refusal:
        pass
    assert refusal == []

    with pytest.raises(RuntimeError), service_errors_kept():
        raise RuntimeError("database gone")
