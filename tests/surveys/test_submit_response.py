"""The contract surveys.services.submit_response: good answers stored typed, every bad input
refused with a message per question code and nothing saved."""

import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from surveys.models import Answer, Response, SurveyInvitation
from surveys.services import save_company_response, submit_response
from tests.factories import (
    CompanyFactory,
    CompanyMemberFactory,
    NetworkMembershipFactory,
    RegistrationFactory,
    UserFactory,
)

from .support_s2 import VALID, closed_yesterday, invite, make_survey

pytestmark = pytest.mark.django_db


def counts():
    return (
        Response.objects.count(),
        Answer.objects.count(),
        SurveyInvitation.objects.filter(answered_at__isnull=False).count(),
    )


def refused(survey, answers, **kwargs) -> ValidationError:
    before = counts()
    with pytest.raises(ValidationError) as caught:
        submit_response(survey=survey, answers=answers, **kwargs)
    assert counts() == before, "a refused response saved something"
    return caught.value


def test_every_type_is_stored_typed():
    survey = make_survey()
    response = submit_response(
        survey=survey,
        answers={
            "role": "anchor",
            "reach": ["mail", "events"],
            "satisfaction": 5,
            "staff": "12.5",
            "topics": ["robotik"],
            "other_lang": "yes",
            "which": "  Polnisch ",
            "comment": "Mehr Praxis.\nWeniger Folien.",
            "factors": {"a": 2, "b": 5},
            "anchor_note": "Wir laden ein.",
        },
    )
    rows = {
        (a.question.code, a.row, a.option, a.number, a.text)
        for a in response.answers.select_related("question")
    }
    assert rows == {
        ("role", "", "anchor", None, ""),
        ("reach", "", "mail", None, ""),
        ("reach", "", "events", None, ""),
        ("satisfaction", "", "", Decimal("5.00"), ""),
        ("staff", "", "", Decimal("12.50"), ""),
        ("topics", "", "robotik", None, ""),
        ("other_lang", "", "yes", None, ""),
        ("which", "", "", None, "Polnisch"),
        ("comment", "", "", None, "Mehr Praxis.\nWeniger Folien."),
        ("factors", "a", "", Decimal("2.00"), ""),
        ("factors", "b", "", Decimal("5.00"), ""),
        ("anchor_note", "", "", None, "Wir laden ein."),
    }
    assert response.version == survey.current_version


@pytest.mark.parametrize(
    ("answers", "code"),
    [
        ({"role": "boss", "satisfaction": 3}, "role"),  # outside the options
        ({"role": ["member"], "satisfaction": 3}, "role"),  # a list for a single choice
        ({**VALID, "reach": ["mail", "fax"]}, "reach"),
        ({**VALID, "reach": "fax"}, "reach"),
        ({"role": "member", "satisfaction": 6}, "satisfaction"),  # above the scale
        ({"role": "member", "satisfaction": 0}, "satisfaction"),
        ({"role": "member", "satisfaction": 2.5}, "satisfaction"),
        ({"role": "member", "satisfaction": True}, "satisfaction"),
        ({**VALID, "staff": 101}, "staff"),  # above the bound
        ({**VALID, "staff": -1}, "staff"),
        ({**VALID, "staff": "zwölf"}, "staff"),
        ({**VALID, "staff": "NaN"}, "staff"),
        ({**VALID, "staff": "Infinity"}, "staff"),
        ({**VALID, "staff": "1.234"}, "staff"),
        ({**VALID, "topics": ["raumfahrt"]}, "topics"),  # no such topic
        ({**VALID, "comment": "x" * 10_000}, "comment"),  # the 10,000 characters
        ({**VALID, "comment": "x" * 2001}, "comment"),
        ({**VALID, "comment": "a\x00b"}, "comment"),  # a NUL byte PostgreSQL would refuse
        ({**VALID, "comment": 42}, "comment"),
        ({**VALID, "other_lang": "yes", "which": "x" * 101}, "which"),  # over its own limit
        ({**VALID, "other_lang": "yes", "which": "a\nb"}, "which"),
        ({**VALID, "factors": {"a": 9}}, "factors"),
        ({**VALID, "factors": {"zzz": 1}}, "factors"),
        ({**VALID, "factors": [1, 2]}, "factors"),
        ({"satisfaction": 3}, "role"),  # a required answer missing
        ({"role": "", "satisfaction": 3}, "role"),
        ({"role": "member"}, "satisfaction"),
        ({**VALID, "other_lang": "yes"}, "which"),  # required once shown by its condition
        ({"role": "anchor", "satisfaction": 3}, "anchor_note"),  # required in a shown section
    ],
)
def test_bad_answers_are_refused_per_question_and_save_nothing(answers, code):
    survey = make_survey()
    error = refused(survey, answers)
    assert code in error.message_dict, error.message_dict


def test_an_unknown_question_code_is_refused():
    survey = make_survey()
    error = refused(survey, {**VALID, "nonsense": "1"})
    assert "nonsense" in " ".join(error.messages)


@pytest.mark.parametrize("answers", [None, [], "role=member", 42])
def test_answers_that_are_not_a_dict_are_refused(answers):
    refused(make_survey(), answers)


def test_the_10000_character_text_gets_a_clear_message():
    survey = make_survey()
    error = refused(survey, {**VALID, "comment": "x" * 10_000})
    assert error.message_dict["comment"] == [
        "Bitte kürzen Sie Ihre Antwort auf 2000 Zeichen (sie hat 10000)."
    ]


def test_a_hidden_question_is_not_required_and_its_answer_is_dropped():
    survey = make_survey()
    # other_lang is "no": "which" is hidden, so neither required nor stored (even if filled).
    response = submit_response(
        survey=survey, answers={**VALID, "other_lang": "no", "which": "Polnisch"}
    )
    codes = set(response.answers.values_list("question__code", flat=True))
    assert "which" not in codes
    # A hidden section likewise: role "member" hides the anchor section.
    response = submit_response(survey=survey, answers={**VALID, "anchor_note": "x" * 5000})
    assert not response.answers.filter(question__code="anchor_note").exists()


def test_a_closed_draft_or_past_survey_is_refused():
    for status in ("closed", "draft"):
        refused(make_survey(status=status), VALID)
    refused(closed_yesterday(make_survey()), VALID)
    future = make_survey(opens_at=timezone.now() + timezone.timedelta(days=1))
    refused(future, VALID)


def test_a_token_after_the_close_date_is_refused():
    survey = make_survey()
    invitation = invite(survey)
    closed_yesterday(survey)
    error = refused(survey, VALID, token=invitation.token)
    assert "geschlossen" in " ".join(error.messages)


def test_a_token_of_another_survey_or_an_unknown_one_is_refused():
    survey, other = make_survey(), make_survey()
    error = refused(survey, VALID, token=invite(other).token)
    assert "gehört nicht" in " ".join(error.messages)
    refused(survey, VALID, token="nicht-vorhanden")
    refused(survey, VALID, token="x" * 5000)


def test_a_used_token_is_refused():
    survey = make_survey()
    invitation = invite(survey)
    submit_response(survey=survey, answers=VALID, token=invitation.token)
    error = refused(survey, VALID, token=invitation.token)
    assert "bereits" in " ".join(error.messages)


def test_a_second_response_of_a_respondent_or_company_is_refused():
    survey = make_survey(anonymity="identified")
    user = UserFactory()
    submit_response(survey=survey, answers=VALID, respondent=user)
    refused(survey, VALID, respondent=user)

    needs = make_survey(purpose="training_needs")
    member = CompanyMemberFactory()
    submit_response(survey=needs, answers=VALID, respondent=member.user)
    colleague = CompanyMemberFactory(company=member.company, role="member")
    refused(needs, VALID, respondent=colleague.user)
    refused(needs, VALID, company=member.company)


def test_a_refusal_after_the_response_row_saves_nothing(monkeypatch):
    """One transaction: a failure while writing the answers takes the response back too."""
    survey = make_survey()
    invitation = invite(survey)

    def broken(*args, **kwargs):
        raise ValidationError("kaputt")

    monkeypatch.setattr(Answer.objects, "bulk_create", broken)
    refused(survey, VALID, token=invitation.token)
    invitation.refresh_from_db()
    assert invitation.answered_at is None


# --- anonymity ---------------------------------------------------------------------------------


def test_an_anonymous_response_holds_nothing_linking_and_copies_the_segments():
    survey = make_survey(anonymity="anonymous")
    company = CompanyFactory(municipality="Garbsen", sector="C", kind="sme")
    NetworkMembershipFactory(company=company)
    registration = RegistrationFactory(company=company)
    invitation = invite(survey, company=company, registration=registration, region="Region H")
    user = UserFactory()
    response = submit_response(
        survey=survey, answers=VALID, token=invitation.token, respondent=user
    )
    row = Response.objects.values().get(pk=response.pk)
    assert row["invitation_id"] is None
    assert row["respondent_id"] is None
    assert row["company_id"] is None
    assert isinstance(row["id"], uuid.UUID) and row["id"].version == 4
    # The date only: a date column, no time of day.
    assert row["answered_on"] == timezone.localdate()
    assert not hasattr(row["answered_on"], "hour")
    # Nothing in any column equals the token, the address or a person's id.
    values = {str(v) for v in row.values() if v not in (None, "")}
    assert invitation.token not in values and invitation.email not in values
    assert str(user.pk) not in {str(row["respondent_id"])}
    # Segments copied from the company, the registration's workshop and the panel row.
    company.refresh_from_db()
    assert (row["municipality"], row["sector"], row["actor_type"], row["region"]) == (
        "Garbsen",
        "C",
        "sme",
        "Region H",
    )
    assert row["size_class"] == company.size_class_stored
    assert row["workshop_id"] == registration.workshop_id
    # "Has answered" lives on the invitation only, to stop reminders.
    invitation.refresh_from_db()
    assert invitation.answered_at is not None


def test_the_segments_stay_when_the_person_and_company_go():
    survey = make_survey()
    company = CompanyFactory(municipality="Laatzen")
    invitation = invite(survey, company=company)
    response = submit_response(survey=survey, answers=VALID, token=invitation.token)
    company.delete()
    invitation.delete()
    response.refresh_from_db()
    assert response.municipality == "Laatzen"


def test_the_order_of_arrival_is_not_recoverable_from_the_keys():
    survey = make_survey()
    arrived = [submit_response(survey=survey, answers=VALID).pk for _ in range(12)]
    by_key = list(
        Response.objects.filter(survey=survey).order_by("pk").values_list("pk", flat=True)
    )
    by_default = list(Response.objects.filter(survey=survey).values_list("pk", flat=True))
    # 12 random keys sort in arrival order with probability 1/12!.
    assert by_key != arrived
    assert by_default == by_key  # the default order (date, key) is the same meaningless order


def test_an_identified_response_links_invitation_respondent_and_company():
    survey = make_survey(anonymity="identified")
    company = CompanyFactory()
    user = UserFactory()
    invitation = invite(survey, company=company)
    response = submit_response(
        survey=survey, answers=VALID, token=invitation.token, respondent=user
    )
    assert (response.invitation, response.respondent, response.company) == (
        invitation,
        user,
        company,
    )


# --- the company's training-needs answer ---------------------------------------------------------


def test_a_company_answer_is_replaced_in_the_same_response_until_the_round_closes():
    survey = make_survey(purpose="training_needs")
    member = CompanyMemberFactory()
    first = save_company_response(
        survey=survey, company=member.company, answers={**VALID, "reach": ["mail"]}
    )
    second = save_company_response(
        survey=survey, company=member.company, answers={"role": "member", "satisfaction": 2}
    )
    assert first.pk == second.pk
    assert Response.objects.filter(survey=survey).count() == 1
    assert set(second.answers.values_list("question__code", "number")) == {
        ("role", None),
        ("satisfaction", Decimal("2.00")),
    }
    # A bad edit keeps the earlier answers.
    before = list(second.answers.values_list("question__code", "option", "number"))
    with pytest.raises(ValidationError):
        save_company_response(survey=survey, company=member.company, answers={"role": "x"})
    assert list(second.answers.values_list("question__code", "option", "number")) == before
    closed_yesterday(survey)
    with pytest.raises(ValidationError):
        save_company_response(survey=survey, company=member.company, answers=VALID)
    assert list(second.answers.values_list("question__code", "option", "number")) == before


def test_a_topic_is_answered_by_slug_or_id_and_stored_as_slug():
    from regiolab.models import Topic

    survey = make_survey()
    robotics = Topic.objects.get(slug="robotik")
    ai = Topic.objects.get(slug="ki")
    response = submit_response(
        survey=survey, answers={**VALID, "topics": [robotics.pk, str(ai.pk), "robotik"]}
    )
    topics = response.answers.filter(question__code="topics")
    assert sorted(topics.values_list("option", flat=True)) == ["ki", "robotik"]
    refused(survey, {**VALID, "topics": [999_999]})
    refused(survey, {**VALID, "topics": [True]})
