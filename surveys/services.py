"""The contract ``submit_response`` (DESIGN.md, Contracts): answering a survey.

Answers are keyed by question code:

- single choice: the option's value (a string);
- multiple choice: a list of option values;
- topic choice: a list of topic slugs (``regiolab.models.Topic.slug``; a topic's id is taken
  too), stored as slugs;
- scale: a whole number 1..scale_max; number: a number within the question's bounds
  (at most two decimal places);
- short and long text: a string up to the question's limit (never more than MAX_TEXT_ANSWER);
- matrix: ``{row value: scale point}``.

An answer to a question that is hidden under its display condition (or under its section's) is
dropped, not refused: a respondent without JavaScript sees every question and may have filled
one that the earlier answer then hides. A hidden question is never required.

Anonymous surveys: the response holds no link to the token, person or invitation; the
invitation's ``answered_at`` is set only to stop reminders.
"""

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from regiolab.models import Topic

from .models import (
    MAX_TEXT_ANSWER,
    Answer,
    Question,
    Response,
    Section,
    Survey,
    SurveyInvitation,
    SurveyVersion,
)

# The scale's points when the question does not say.
DEFAULT_SCALE = 5
# Answer.number: 12 digits, 2 of them decimals.
NUMBER_LIMIT = Decimal("10") ** 10
_CONTROL = {chr(c) for c in range(32)} - {"\t", "\n", "\r"} | {chr(127)}


# --- reading a version ------------------------------------------------------------------------


def sections_in_order(version: SurveyVersion) -> list[Section]:
    # Kept on the version object: the form and the service read it in the same request.
    if not hasattr(version, "_sections_in_order"):
        version._sections_in_order = list(version.sections.order_by("position", "pk"))
    return version._sections_in_order


def questions_in_order(version: SurveyVersion, sections=None) -> list[Question]:
    """The version's questions as asked: those outside a section first, then section by
    section, each by position."""
    if hasattr(version, "_questions_in_order"):
        return version._questions_in_order
    sections = sections if sections is not None else sections_in_order(version)
    rank = {s.pk: i for i, s in enumerate(sections)}
    questions = list(version.questions.all())
    version._questions_in_order = sorted(
        questions,
        key=lambda q: (
            -1 if q.section_id is None else rank.get(q.section_id, len(rank)),
            q.position,
            q.pk,
        ),
    )
    return version._questions_in_order


def topics_to_choose(version: SurveyVersion) -> list[Topic]:
    """The portal's topics, the options of every topic-choice question."""
    if not hasattr(version, "_topics_to_choose"):
        version._topics_to_choose = list(Topic.objects.order_by("name_de", "pk"))
    return version._topics_to_choose


# --- checking answers -------------------------------------------------------------------------


def _is_empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _matches(answer, value: str) -> bool:
    """Whether a cleaned answer is, or includes, the condition's value."""
    if answer is None:
        return False
    if isinstance(answer, list):
        return value in answer
    if isinstance(answer, dict):
        return value in {str(v) for v in answer.values()}
    if isinstance(answer, Decimal):
        try:
            return answer == Decimal(value)
        except InvalidOperation:
            return False
    return str(answer) == value


def _number(value, message) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise ValidationError(message)
    try:
        number = (
            Decimal(str(value).strip().replace(",", "."))
            if isinstance(value, str)
            else (Decimal(str(value)))
        )
    except InvalidOperation:
        raise ValidationError(message) from None
    if not number.is_finite():
        raise ValidationError(message)
    return number


def _point(value, top: int) -> int:
    message = _("Please choose a point from 1 to %(top)d.") % {"top": top}
    number = _number(value, message)
    if number != number.to_integral_value() or not 1 <= number <= top:
        raise ValidationError(message)
    return int(number)


def _choice_values(question: Question) -> set[str]:
    return {str(o.get("value", "")) for o in question.options or []}


def _clean_one(question: Question, value, topic_slugs: dict):
    kind = question.type
    outside = _("This answer is not one of the options.")
    if kind == Question.Type.SINGLE:
        if not isinstance(value, str) or value not in _choice_values(question):
            raise ValidationError(outside)
        return value
    if kind in (Question.Type.MULTIPLE, Question.Type.TOPIC):
        if isinstance(value, str | int) and not isinstance(value, bool):
            value = [value]
        if kind == Question.Type.TOPIC and isinstance(value, list | tuple):
            # A topic's id (a number) stands for its slug; the slug is stored.
            value = [topic_slugs.get(str(v), v) if type(v) in (int, str) else v for v in value]
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise ValidationError(outside)
        allowed = (
            _choice_values(question)
            if kind == Question.Type.MULTIPLE
            else set(topic_slugs.values())
        )
        chosen = list(dict.fromkeys(value))
        if not set(chosen) <= allowed:
            raise ValidationError(outside)
        return chosen
    if kind == Question.Type.SCALE:
        return _point(value, question.scale_max or DEFAULT_SCALE)
    if kind == Question.Type.NUMBER:
        number = _number(value, _("Please enter a number."))
        if question.min_value is not None and number < question.min_value:
            raise ValidationError(
                _("Please enter a number of at least %(low)s.") % {"low": question.min_value}
            )
        if question.max_value is not None and number > question.max_value:
            raise ValidationError(
                _("Please enter a number of at most %(high)s.") % {"high": question.max_value}
            )
        if abs(number) >= NUMBER_LIMIT:
            raise ValidationError(_("This number is too large."))
        if number != number.quantize(Decimal("0.01")):
            raise ValidationError(_("Please enter at most two decimal places."))
        return number
    if kind in (Question.Type.SHORT_TEXT, Question.Type.LONG_TEXT):
        if not isinstance(value, str):
            raise ValidationError(_("Please enter text."))
        text = value.strip()
        if kind == Question.Type.SHORT_TEXT and ("\n" in text or "\r" in text):
            raise ValidationError(_("Please enter this on one line."))
        if set(text) & _CONTROL:
            raise ValidationError(
                _("Please remove the invisible control characters from the text.")
            )
        limit = min(question.max_length or MAX_TEXT_ANSWER, MAX_TEXT_ANSWER)
        if len(text) > limit:
            raise ValidationError(
                _("Please shorten your answer to %(limit)d characters (it has %(length)d).")
                % {"limit": limit, "length": len(text)}
            )
        return text
    if kind == Question.Type.MATRIX:
        if not isinstance(value, dict):
            raise ValidationError(_("Please choose one point per row."))
        rows = {str(r.get("value", "")) for r in question.rows or []}
        top = question.scale_max or DEFAULT_SCALE
        points = {}
        for row, point in value.items():
            if not isinstance(row, str) or row not in rows:
                raise ValidationError(_("This row is not part of the question."))
            if _is_empty(point):
                continue
            points[row] = _point(point, top)
        if question.required and set(points) != rows:
            raise ValidationError(_("Please answer every row."))
        return points
    raise ValidationError(_("This question cannot be answered."))


def clean_answers(*, version: SurveyVersion, answers) -> dict:
    """The answers checked against ``version``: cleaned values keyed by code, hidden questions'
    answers dropped. Raises ValidationError with messages keyed by question code."""
    if not isinstance(answers, dict):
        raise ValidationError(_("The answers could not be read."))
    questions = questions_in_order(version)
    by_code = {q.code: q for q in questions}
    errors: dict[str, list] = {}
    unknown = [key for key in answers if key not in by_code]
    for key in unknown:
        errors.setdefault(NON_FIELD_ERRORS, []).append(
            _("“%(code)s” is not a question of this survey.") % {"code": str(key)[:40]}
        )
    needs_topics = any(
        q.type == Question.Type.TOPIC and not _is_empty(answers.get(q.code)) for q in questions
    )
    # Slug → slug and id → slug: a topic is answered by its slug or its id.
    topic_slugs = (
        {key: t.slug for t in topics_to_choose(version) for key in (t.slug, str(t.pk))}
        if needs_topics
        else {}
    )
    sections = {s.pk: s for s in sections_in_order(version)}
    by_id = {q.pk: q for q in questions}
    cleaned: dict = {}
    shown: dict[int, bool] = {}

    def condition_met(question_id, value) -> bool:
        source = by_id.get(question_id)
        if source is None:  # a condition on a question outside this version: ignored
            return True
        return shown.get(source.pk, False) and _matches(cleaned.get(source.code), value)

    for question in questions:
        visible = True
        section = sections.get(question.section_id)
        if section is not None and section.show_if_question_id:
            visible = condition_met(section.show_if_question_id, section.show_if_value)
        if visible and question.show_if_question_id:
            visible = condition_met(question.show_if_question_id, question.show_if_value)
        shown[question.pk] = visible
        value = answers.get(question.code)
        if not visible:
            continue  # dropped: see the module's docstring
        if _is_empty(value):
            if question.required:
                errors[question.code] = [_("Please answer this question.")]
            continue
        try:
            result = _clean_one(question, value, topic_slugs)
        except ValidationError as exc:
            errors[question.code] = exc.messages
            continue
        if _is_empty(result):
            if question.required:
                errors[question.code] = [_("Please answer this question.")]
            continue
        cleaned[question.code] = result
    if errors:
        raise ValidationError(errors)
    return cleaned


def _answer_rows(response: Response, version: SurveyVersion, cleaned: dict) -> list[Answer]:
    by_code = {q.code: q for q in questions_in_order(version)}
    rows = []
    for code, value in cleaned.items():
        question = by_code[code]
        kind = question.type
        if kind in (Question.Type.MULTIPLE, Question.Type.TOPIC):
            rows += [Answer(response=response, question=question, option=v) for v in value]
        elif kind == Question.Type.SINGLE:
            rows.append(Answer(response=response, question=question, option=value))
        elif kind in (Question.Type.SCALE, Question.Type.NUMBER):
            rows.append(Answer(response=response, question=question, number=Decimal(value)))
        elif kind == Question.Type.MATRIX:
            rows += [
                Answer(response=response, question=question, row=row, number=Decimal(point))
                for row, point in value.items()
            ]
        else:
            rows.append(Answer(response=response, question=question, text=value))
    return rows


def answers_of(response: Response) -> dict:
    """A stored response as the contract's answers dict (to fill the form again)."""
    answers: dict = {}
    for answer in response.answers.select_related("question"):
        question = answer.question
        code, kind = question.code, question.type
        if kind in (Question.Type.MULTIPLE, Question.Type.TOPIC):
            answers.setdefault(code, []).append(answer.option)
        elif kind == Question.Type.SINGLE:
            answers[code] = answer.option
        elif kind == Question.Type.SCALE:
            answers[code] = int(answer.number)
        elif kind == Question.Type.NUMBER:
            answers[code] = answer.number
        elif kind == Question.Type.MATRIX:
            answers.setdefault(code, {})[answer.row] = int(answer.number)
        else:
            answers[code] = answer.text
    return answers


# --- who may answer ---------------------------------------------------------------------------


def closed_reason(survey: Survey, now: datetime | None = None) -> str:
    """Why ``survey`` takes no answers now ("" while it does)."""
    now = now or timezone.now()
    if survey.status == Survey.Status.DRAFT:
        return _("This survey has not started yet.")
    if survey.status == Survey.Status.CLOSED or (survey.closes_at and survey.closes_at <= now):
        return _("This survey is closed. Thank you for your interest.")
    if survey.opens_at and survey.opens_at > now:
        return _("This survey has not started yet.")
    if survey.current_version_id is None:
        return _("This survey has no questions yet.")
    return ""


def token_refusal(invitation: SurveyInvitation | None, survey: Survey) -> str:
    """Why this invitation's link takes no answer ("" when it does)."""
    if invitation is None or invitation.survey_id != survey.pk:
        return _("This link does not belong to this survey.")
    if invitation.answered_at is not None:
        return _("This link has already been used to answer the survey.")
    return closed_reason(survey)


def _company_of(user):
    from companies.selectors import membership_of

    membership = membership_of(user) if user is not None else None
    return membership.company if membership else None


def _segments(*, survey: Survey, invitation, company, registration) -> dict:
    """The segment fields copied onto the response when it is given (results filter by them and
    they stay when a person is anonymised)."""
    workshop = registration.workshop if registration is not None else None
    network_id = survey.network_id
    if workshop is not None and workshop.network_id:
        network_id = workshop.network_id
    if network_id is None and company is not None:
        network_id = (
            company.network_memberships.filter(status="active")
            .order_by("network_id")
            .values_list("network_id", flat=True)
            .first()
        )
    return {
        "size_class": company.size_class_stored if company is not None else "",
        "sector": company.sector if company is not None else "",
        "municipality": company.municipality if company is not None else "",
        "actor_type": company.kind if company is not None else "",
        "workshop": workshop,
        "network_id": network_id,
        "region": invitation.region if invitation is not None else "",
    }


# --- the contract -----------------------------------------------------------------------------


def _check_open(survey: Survey) -> None:
    reason = closed_reason(survey)
    if reason:
        raise ValidationError(reason, code="closed")


def _fresh(survey: Survey) -> Survey:
    """The survey as stored now (status and dates), keeping the caller's loaded version when
    it is still the current one."""
    fresh = Survey.objects.get(pk=survey.pk)
    if fresh.current_version_id is not None:
        if fresh.current_version_id == survey.current_version_id:
            fresh.current_version = survey.current_version
        else:
            fresh.current_version = SurveyVersion.objects.get(pk=fresh.current_version_id)
    return fresh


@transaction.atomic
def submit_response(
    *, survey: Survey, answers: dict, token: str | None = None, respondent=None, company=None
) -> Response:
    """Store one response to ``survey`` (DESIGN.md, Contracts). ``company``: the company the
    answer is for (a training-needs round answered in the company's space; one per company and
    survey). Raises ValidationError and saves nothing for a bad or missing answer, a used,
    foreign or closed token, a second response, a closed or draft survey."""
    survey = _fresh(survey)
    _check_open(survey)
    invitation = None
    if token is not None:
        # The invitation row's lock makes a double submit wait, then see answered_at.
        token = str(token)
        invitation = (
            SurveyInvitation.objects.select_for_update().filter(token=token).first()
            if len(token) <= SurveyInvitation._meta.get_field("token").max_length
            else None
        )
        reason = token_refusal(invitation, survey)
        if reason:
            raise ValidationError(reason, code="token")
    version = survey.current_version
    cleaned = clean_answers(version=version, answers=answers)

    registration = invitation.registration if invitation is not None else None
    if company is None and invitation is not None:
        company = invitation.company or (registration.company if registration else None)
    if (
        company is None
        and respondent is not None
        and survey.purpose == Survey.Purpose.TRAINING_NEEDS
    ):
        company = _company_of(respondent)
    identified = survey.anonymity == Survey.Anonymity.IDENTIFIED
    # A training-needs round counts companies: the company (not a person) is kept even when
    # anonymous, because it is the unit answering once per round.
    keep_company = identified or survey.purpose == Survey.Purpose.TRAINING_NEEDS
    response = Response(
        survey=survey,
        version=version,
        answered_on=timezone.localdate(),
        respondent=respondent if identified and respondent is not None else None,
        company=company if keep_company else None,
        invitation=invitation if identified else None,
        **_segments(
            survey=survey, invitation=invitation, company=company, registration=registration
        ),
    )
    if response.company_id and Response.objects.filter(survey=survey, company=company).exists():
        raise ValidationError(
            _("Your company has already answered this survey."), code="second_response"
        )
    if (
        response.respondent_id
        and Response.objects.filter(survey=survey, respondent=respondent).exists()
    ):
        raise ValidationError(_("You have already answered this survey."), code="second_response")
    try:
        with transaction.atomic():
            response.save(force_insert=True)
    except IntegrityError:  # a concurrent second response: the unique constraints decide
        raise ValidationError(
            _("This survey has already been answered."), code="second_response"
        ) from None
    Answer.objects.bulk_create(_answer_rows(response, version, cleaned))
    if invitation is not None:
        invitation.answered_at = timezone.now()
        invitation.save(update_fields=["answered_at"])
    return response


@transaction.atomic
def save_company_response(*, survey: Survey, company, answers: dict, respondent=None) -> Response:
    """A company's answer to a training-needs round: the first call creates it, later ones
    (until the round closes) replace its answers in the same Response, in one transaction."""
    survey = _fresh(survey)
    _check_open(survey)
    existing = Response.objects.select_for_update().filter(survey=survey, company=company).first()
    if existing is None:
        return submit_response(
            survey=survey, answers=answers, respondent=respondent, company=company
        )
    version = survey.current_version
    cleaned = clean_answers(version=version, answers=answers)
    existing.answers.all().delete()
    existing.version = version
    existing.answered_on = timezone.localdate()
    existing.save(update_fields=["version", "answered_on"])
    Answer.objects.bulk_create(_answer_rows(existing, version, cleaned))
    return existing
