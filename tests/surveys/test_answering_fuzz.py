"""The answer form and the contract fed whatever a browser, a bot or a caller can send: never a
server error; a refusal saves nothing; a success saves exactly one response."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from surveys.models import Answer, Response, SurveyInvitation
from surveys.services import submit_response
from tests.support.form_fuzzing import FUZZ, HOSTILE_TEXT, fields_of, form_data, reset, rolled_back

from .support_s2 import VALID, invite, make_survey

CODES = [
    "role", "reach", "satisfaction", "staff", "topics", "other_lang", "which", "comment",
    "factors", "anchor_note", "unknown",
]  # fmt: skip
SCALARS = st.one_of(
    HOSTILE_TEXT,
    st.integers(),
    st.floats(),
    st.decimals(),
    st.booleans(),
    st.none(),
    st.sampled_from(["member", "anchor", "mail", "yes", "no", "robotik", 1, 3, 5]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(["a", "b", "c"]), inner)
    ),
    max_leaves=6,
)


def _state(invitation):
    invitation.refresh_from_db()
    return (Response.objects.count(), Answer.objects.count(), invitation.answered_at)


@pytest.mark.django_db
def test_the_answer_form_never_fails_and_saves_all_or_nothing():
    survey = make_survey()
    client = Client()
    invitation = invite(survey)
    fields = fields_of(client.get(f"/s/{invitation.token}/").content.decode(), containing="role")

    @FUZZ
    @given(data=form_data(fields, fixed={"csrfmiddlewaretoken": "x"}))
    def check(data):
        reset(client)
        with rolled_back():
            before = _state(invitation)
            response = client.post(f"/s/{invitation.token}/", data)
            assert response.status_code in (200, 302)
            after = _state(invitation)
            if response.status_code == 302:
                assert after[0] == before[0] + 1 and after[2] is not None
            else:
                assert after == before

    check()


@pytest.mark.django_db
def test_the_contract_refuses_anything_malformed_without_saving():
    survey = make_survey()

    @FUZZ
    @given(answers=st.dictionaries(st.sampled_from(CODES), VALUES, max_size=6))
    def check(answers):
        with rolled_back():
            before = (Response.objects.count(), Answer.objects.count())
            try:
                response = submit_response(survey=survey, answers={**VALID, **answers})
            except ValidationError as exc:
                assert exc.messages
                assert (Response.objects.count(), Answer.objects.count()) == before
            else:
                assert Response.objects.count() == before[0] + 1
                assert response.answers.exists()

    check()


@pytest.mark.django_db(transaction=True)
def test_a_double_submit_of_one_link_stores_one_response():
    """Two requests with the same token at once: the invitation's row lock lets one in; the
    other waits, then finds the link used."""
    survey = make_survey()
    invitation = invite(survey)
    start = threading.Barrier(4)
    outcomes = []

    def answer():
        try:
            start.wait()
            submit_response(survey=survey, answers=VALID, token=invitation.token)
            outcomes.append("saved")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=answer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "refused", "refused", "saved"]
    assert Response.objects.filter(survey=survey).count() == 1
    assert SurveyInvitation.objects.get(pk=invitation.pk).answered_at is not None
