"""The views' one way of handling a service's refusal (regiolab/views_helpers.py)."""

import pytest
from django import forms
from django.contrib.messages import constants, get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.test import RequestFactory

from regiolab.views_helpers import (
    plan_preview_send,
    run_service,
    service_errors_kept,
    service_errors_on,
)


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


# --- plan, preview, send -----------------------------------------------------------------------


class _Changed(ValidationError):
    pass


class _Choice(forms.Form):
    group = forms.CharField()


def _page(request, **options):
    """plan_preview_send with a plan of the chosen group; the form page answers "form" and the
    sending "sent" (or what ``send`` says); the preview is captured by the ``previews`` fixture.
    Returns the response, the forms the form page was given and the calls of sending."""
    shown, calls = [], []

    def form_page(form):
        shown.append(form)
        return HttpResponse("form")

    def send(form, plan, fingerprint):
        calls.append((plan, fingerprint))
        return options.get("send", lambda: HttpResponse("sent"))()

    response = plan_preview_send(
        request,
        _Choice,
        form_page=form_page,
        plan=lambda form: f"plan for {form.cleaned_data['group']}",
        send=send,
        plan_changed=_Changed,
        preview_template="preview.html",
        context={"workshop": "W"},
    )
    return response, shown, calls


@pytest.fixture
def previews(monkeypatch):
    shown = []

    def render(request, template, context):
        shown.append((template, context))
        return HttpResponse("preview")

    monkeypatch.setattr("regiolab.views_helpers.render", render)
    return shown


def _post(data):
    return RequestFactory().post("/", data)


def test_the_form_comes_first_and_again_for_edit_or_a_bad_choice(previews):
    response, (empty,), _calls = _page(RequestFactory().get("/"))
    assert response.content == b"form" and not empty.is_bound

    _response, (kept,), _calls = _page(_post({"group": "all", "action": "edit"}))
    assert kept.cleaned_data == {"group": "all"}  # the choice comes back to be changed

    _response, (bad,), _calls = _page(_post({"action": "preview"}))
    assert list(bad.errors) == ["group"]
    assert previews == []


def test_the_preview_shows_the_plan_and_posts_the_choice_back(previews):
    response, shown, calls = _page(_post({"group": "all", "action": "preview", "fingerprint": "f"}))

    assert response.content == b"preview" and shown == [] and calls == []
    assert previews == [
        (
            "preview.html",
            {
                "workshop": "W",
                "plan": "plan for all",
                "choice": [("group", "all")],
                "changed": False,
            },
        )
    ]


def test_send_confirms_the_previewed_fingerprint_and_answers_with_its_response(previews):
    response, _shown, calls = _page(_post({"group": "all", "action": "send", "fingerprint": "f"}))

    assert response.content == b"sent"
    assert calls == [("plan for all", "f")]
    assert previews == []


def test_a_changed_plan_shows_the_new_preview_and_says_so(previews):
    def changed():
        raise _Changed("The recipients have changed.")

    response, shown, _calls = _page(
        _post({"group": "all", "action": "send", "fingerprint": "old"}), send=changed
    )

    assert response.content == b"preview" and shown == []
    assert previews[0][1]["changed"] is True


def test_another_refusal_of_sending_goes_back_to_the_form_with_it(previews):
    def refused():
        raise ValidationError("Nobody would receive an invitation.")

    response, (form,), _calls = _page(
        _post({"group": "all", "action": "send", "fingerprint": "f"}), send=refused
    )

    assert response.content == b"form"
    assert form.non_field_errors() == ["Nobody would receive an invitation."]
    assert previews == []
