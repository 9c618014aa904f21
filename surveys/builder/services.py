"""Writes of the questionnaire builder: surveys, their sections and questions, and versions.

A version with answers is never changed in a way that makes those answers wrong: removing a
question or an option, changing a type, a code, option values, matrix rows, scale points or
narrowing bounds first copies the current version (sections, questions, conditions) into a new
one, makes it current and applies the change there. Harmless edits (texts, help, labels, the
required flag, conditions, order, adding a question, a section or an option) stay in the
version. Every write locks the survey row, so two coordinators never fork a version twice.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from regiolab.models import Topic

from ..models import MAX_TEXT_ANSWER, Question, Section, Survey, SurveyVersion

SURVEY_FIELDS = (
    "title",
    "title_en",
    "description",
    "description_en",
    "purpose",
    "anonymity",
    "opens_at",
    "closes_at",
    "network",
)
QUESTION_FIELDS = (
    "code",
    "type",
    "text",
    "text_en",
    "help",
    "help_en",
    "required",
    "options",
    "rows",
    "scale_max",
    "low_label",
    "low_label_en",
    "high_label",
    "high_label_en",
    "min_value",
    "max_value",
    "max_length",
)
CHOICE_TYPES = {Question.Type.SINGLE, Question.Type.MULTIPLE}
# Types a display condition may refer to: their answers are values from a known set.
CONDITION_TYPES = {
    Question.Type.SINGLE,
    Question.Type.MULTIPLE,
    Question.Type.SCALE,
    Question.Type.TOPIC,
}
SCALE_POINTS = (5, 7)
MAX_OPTIONS = 100


# --- surveys ------------------------------------------------------------------------------------


@transaction.atomic
def create_survey(*, created_by, copy_of: Survey | None = None, **fields) -> Survey:
    """A new draft survey with version 1: empty, or a copy of ``copy_of``'s current version
    (a ready-made questionnaire or another survey), codes and conditions included."""
    survey = Survey(created_by=created_by, status=Survey.Status.DRAFT, is_template=False)
    _set_survey_fields(survey, fields)
    survey.save()
    version = SurveyVersion.objects.create(survey=survey, number=1)
    if copy_of is not None and copy_of.current_version_id:
        copy_version_content(source=copy_of.current_version, target=version)
    survey.current_version = version
    survey.save(update_fields=["current_version"])
    return survey


@transaction.atomic
def update_survey(*, survey: Survey, **fields) -> Survey:
    survey = _locked(survey)
    _refuse_template(survey)
    if survey.responses.exists():
        # Respondents answered under this promise (anonymous or not), for this purpose.
        for name in ("anonymity", "purpose"):
            if name in fields and fields[name] != getattr(survey, name):
                raise ValidationError(
                    {name: _("The survey has answers: this can no longer be changed.")}
                )
    _set_survey_fields(survey, fields)
    survey.save()
    return survey


def _set_survey_fields(survey: Survey, fields: dict) -> None:
    unknown = set(fields) - set(SURVEY_FIELDS)
    if unknown:
        raise TypeError(f"unknown survey fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(survey, name, value)
    if survey.opens_at and survey.closes_at and survey.closes_at <= survey.opens_at:
        raise ValidationError({"closes_at": _("The survey must close after it opens.")})
    survey.full_clean(exclude=["current_version", "created_by"])


@transaction.atomic
def open_survey(*, survey: Survey) -> Survey:
    survey = _locked(survey)
    _refuse_template(survey)
    if survey.status == Survey.Status.OPEN:
        raise ValidationError(_("The survey is already open."))
    if not survey.current_version or not survey.current_version.questions.exists():
        raise ValidationError(_("Add at least one question before opening the survey."))
    if survey.closes_at and survey.closes_at <= timezone.now():
        raise ValidationError(_("The close date has passed. Change it before opening."))
    survey.status = Survey.Status.OPEN
    survey.save(update_fields=["status", "updated_at"])
    return survey


@transaction.atomic
def close_survey(*, survey: Survey) -> Survey:
    survey = _locked(survey)
    if survey.status != Survey.Status.OPEN:
        raise ValidationError(_("Only an open survey can be closed."))
    survey.status = Survey.Status.CLOSED
    survey.save(update_fields=["status", "updated_at"])
    return survey


def _locked(survey: Survey) -> Survey:
    """The survey row, locked. No join: after waiting for another editor's lock PostgreSQL
    rechecks the locked row only, and a joined version it created would read as missing."""
    return Survey.objects.select_for_update().get(pk=survey.pk)


def _refuse_template(survey: Survey) -> None:
    if survey.is_template:
        raise ValidationError(
            _("A ready-made questionnaire is not changed. Create a survey as its copy.")
        )


# --- versions -----------------------------------------------------------------------------------


def copy_version_content(*, source: SurveyVersion, target: SurveyVersion) -> "Mapping":
    """Copy sections, questions and their conditions from ``source`` into the empty ``target``
    (a few bulk queries whatever the size)."""
    sections = list(source.sections.order_by("position", "pk"))
    copies = Section.objects.bulk_create(
        Section(version=target, position=s.position, title=s.title, title_en=s.title_en)
        for s in sections
    )
    mapping = Mapping(
        sections={old.pk: new for old, new in zip(sections, copies, strict=True)}, questions={}
    )
    questions = list(source.questions.order_by("position", "pk"))
    copies = Question.objects.bulk_create(
        Question(
            version=target,
            section=mapping.sections.get(question.section_id),
            position=question.position,
            show_if_value=question.show_if_value,
            **{name: getattr(question, name) for name in QUESTION_FIELDS},
        )
        for question in questions
    )
    mapping.questions = {old.pk: new for old, new in zip(questions, copies, strict=True)}
    # Conditions point to questions of the same version: set them once the copies exist.
    for old, new in zip(questions, copies, strict=True):
        new.show_if_question = mapping.questions.get(old.show_if_question_id)
    for old, new in zip(sections, mapping.sections.values(), strict=True):
        new.show_if_question = mapping.questions.get(old.show_if_question_id)
        new.show_if_value = old.show_if_value if new.show_if_question else ""
    Question.objects.bulk_update(copies, ["show_if_question"])
    Section.objects.bulk_update(
        list(mapping.sections.values()), ["show_if_question", "show_if_value"]
    )
    return mapping


@dataclass
class Mapping:
    """Old pk → the copy, for sections and questions."""

    sections: dict
    questions: dict


def has_answers(version: SurveyVersion | None) -> bool:
    return version is not None and version.responses.exists()


def _new_version(survey: Survey) -> Mapping:
    """Fork the current version (it has answers) and make the copy current."""
    current = survey.current_version
    number = (survey.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    version = SurveyVersion.objects.create(survey=survey, number=number)
    mapping = copy_version_content(source=current, target=version)
    survey.current_version = version
    survey.save(update_fields=["current_version", "updated_at"])
    return mapping


def _working_copy(survey: Survey, breaking: bool) -> Mapping | None:
    """The mapping into a new version when the change is breaking and the current version has
    answers; None when the change goes into the current version itself."""
    if breaking and has_answers(survey.current_version):
        return _new_version(survey)
    return None


def _editable(survey: Survey) -> Survey:
    survey = _locked(survey)
    _refuse_template(survey)
    if survey.current_version_id is None:
        survey.current_version = SurveyVersion.objects.create(survey=survey, number=1)
        survey.save(update_fields=["current_version"])
    return survey


def _own_section(survey: Survey, section: Section) -> Section:
    if section.version_id != survey.current_version_id:
        raise ValidationError(_("This section belongs to an earlier version."))
    return section


def _own_question(survey: Survey, question: Question) -> Question:
    if question.version_id != survey.current_version_id:
        raise ValidationError(_("This question belongs to an earlier version."))
    return question


# --- order and conditions -----------------------------------------------------------------------


def ordered_questions(version: SurveyVersion) -> list[Question]:
    """The questions in the order a respondent sees them: by section, then position."""
    questions = list(version.questions.select_related("section"))
    return sorted(questions, key=_order_key)


def _order_key(question: Question) -> tuple:
    section = question.section
    return (
        (section.position, section.pk) if section else (-1, 0),
        question.position,
        question.pk,
    )


def possible_values(question: Question) -> list[str] | None:
    """The values a display condition may test for, or None when the type offers no fixed set."""
    if question.type in CHOICE_TYPES:
        return [str(option["value"]) for option in question.options]
    if question.type == Question.Type.SCALE and question.scale_max:
        return [str(point) for point in range(1, question.scale_max + 1)]
    if question.type == Question.Type.TOPIC:
        return list(Topic.objects.values_list("slug", flat=True))
    return None


def _check_condition(*, version, source: Question | None, value: str, before) -> None:
    """``source`` must be a question of ``version`` shown before the item (``before(source)``
    says so) with ``value`` among its possible values."""
    if source is None:
        if value:
            raise ValidationError(
                {"show_if_question": _("Choose the question the condition refers to.")}
            )
        return
    if source.version_id != version.pk:
        raise ValidationError({"show_if_question": _("Choose a question of this questionnaire.")})
    if not before(source):
        raise ValidationError(
            {"show_if_question": _("A condition can only refer to an earlier question.")}
        )
    values = possible_values(source)
    if source.type not in CONDITION_TYPES or values is None:
        raise ValidationError(
            {
                "show_if_question": _(
                    "A condition can only refer to a choice, scale or topic question."
                )
            }
        )
    if not value:
        raise ValidationError({"show_if_value": _("Enter the answer that shows this item.")})
    if value not in values:
        raise ValidationError(
            {
                "show_if_value": _("“%(value)s” is not a possible answer. Possible: %(values)s.")
                % {"value": value, "values": ", ".join(values)}
            }
        )


def _dependents(question: Question) -> list[str]:
    """What shows only depending on this question (codes of questions, titles of sections)."""
    names = [q.code for q in Question.objects.filter(show_if_question=question)]
    names += [s.title or str(s.position) for s in Section.objects.filter(show_if_question=question)]
    return names


# --- sections -----------------------------------------------------------------------------------


@transaction.atomic
def add_section(
    *, survey: Survey, title: str, title_en: str = "", show_if_question=None, show_if_value=""
) -> Section:
    survey = _editable(survey)
    version = survey.current_version
    position = (version.sections.aggregate(top=Max("position"))["top"] or 0) + 1
    section = Section(version=version, position=position, title=title, title_en=title_en)
    _apply_section_condition(section, show_if_question, show_if_value)
    section.full_clean()
    section.save()
    return section


@transaction.atomic
def update_section(
    *,
    survey: Survey,
    section: Section,
    title: str,
    title_en: str = "",
    show_if_question=None,
    show_if_value="",
) -> Section:
    survey = _editable(survey)
    section = _own_section(survey, Section.objects.select_for_update().get(pk=section.pk))
    section.title, section.title_en = title, title_en
    _apply_section_condition(section, show_if_question, show_if_value)
    section.full_clean()
    section.save()
    return section


def _apply_section_condition(section: Section, source: Question | None, value: str) -> None:
    def before(question: Question) -> bool:
        # A question of an earlier section (or one outside any section, shown first).
        other = question.section
        return other is None or (other.position, other.pk) < (section.position, section.pk or 0)

    _check_condition(version=section.version, source=source, value=value, before=before)
    section.show_if_question = source
    section.show_if_value = value if source else ""


@transaction.atomic
def delete_section(*, survey: Survey, section: Section) -> SurveyVersion:
    """Delete a section with its questions; with answers that is a new version."""
    survey = _editable(survey)
    section = _own_section(survey, section)
    questions = list(section.questions.all())
    for question in questions:
        outside = [
            name
            for name in _dependents(question)
            if not Question.objects.filter(section=section, code=name).exists()
        ]
        if outside:
            raise ValidationError(
                _("Remove the conditions that refer to %(code)s first (%(names)s).")
                % {"code": question.code, "names": ", ".join(outside)}
            )
    mapping = _working_copy(survey, breaking=bool(questions))
    if mapping is not None:
        section = mapping.sections[section.pk]
    Question.objects.filter(section=section).update(show_if_question=None)
    section.delete()
    return survey.current_version


@transaction.atomic
def move_section(*, survey: Survey, section: Section, up: bool) -> None:
    """Swap a section with its neighbour; refused when a condition would then point forward."""
    survey = _editable(survey)
    section = _own_section(survey, section)
    sections = list(survey.current_version.sections.order_by("position", "pk"))
    index = next(i for i, s in enumerate(sections) if s.pk == section.pk)
    other_index = index - 1 if up else index + 1
    if not 0 <= other_index < len(sections):
        return
    sections[index], sections[other_index] = sections[other_index], sections[index]
    for position, item in enumerate(sections, start=1):
        item.position = position
    _refuse_forward_conditions(survey.current_version, sections=sections)
    for item in sections:
        Section.objects.filter(pk=item.pk).update(position=item.position)


def _refuse_forward_conditions(version, *, sections=None, questions=None) -> None:
    """After a reorder (given in memory), every condition must still refer to an earlier item."""
    sections = {s.pk: s for s in (sections or version.sections.all())}
    questions = questions or list(version.questions.all())
    for question in questions:
        question.section = sections.get(question.section_id)
    rank = {q.pk: index for index, q in enumerate(sorted(questions, key=_order_key))}
    by_pk = {q.pk: q for q in questions}
    for question in questions:
        source = question.show_if_question_id
        if source and rank[source] >= rank[question.pk]:
            raise ValidationError(
                _("%(code)s would then come before the question its display depends on.")
                % {"code": question.code}
            )
    for section in sections.values():
        source = by_pk.get(section.show_if_question_id)
        if source and source.section and (source.section.position >= section.position):
            raise ValidationError(
                _("The section “%(title)s” would then come before the question it depends on.")
                % {"title": section.title}
            )


# --- questions ----------------------------------------------------------------------------------


@transaction.atomic
def add_question(
    *, survey: Survey, section: Section | None, show_if_question=None, show_if_value="", **fields
) -> Question:
    """Append a question to a section (harmless: stays in the version)."""
    survey = _editable(survey)
    version = survey.current_version
    if section is not None:
        _own_section(survey, section)
    # Questions are ordered by section, then position: the version's highest position puts the
    # new one last in its section.
    position = (version.questions.aggregate(top=Max("position"))["top"] or 0) + 1
    question = Question(version=version, section=section, position=position)
    _set_question_fields(question, fields)
    _refuse_taken_code(question)
    _apply_question_condition(question, show_if_question, show_if_value)
    question.full_clean()
    question.save()
    return question


@transaction.atomic
def update_question(
    *,
    survey: Survey,
    question: Question,
    section: Section | None = None,
    show_if_question=None,
    show_if_value="",
    **fields,
) -> Question:
    """Edit a question; a change that would make earlier answers wrong goes into a new version
    (the returned question is then the copy in it)."""
    survey = _editable(survey)
    question = _own_question(survey, Question.objects.get(pk=question.pk))
    if section is not None:
        _own_section(survey, section)
    candidate = Question(**{name: getattr(question, name) for name in QUESTION_FIELDS})
    _set_question_fields(candidate, fields)
    breaking = is_breaking_change(question, candidate)
    if breaking:
        _refuse_breaking_a_condition(question, candidate)
    mapping = _working_copy(survey, breaking=breaking)
    if mapping is not None:
        question = mapping.questions[question.pk]
        section = mapping.sections.get(section.pk) if section is not None else None
        if show_if_question is not None:
            show_if_question = mapping.questions.get(show_if_question.pk)
    _set_question_fields(question, fields)
    _refuse_taken_code(question)
    if section is not None and section.pk != question.section_id:
        question.section = section
        question.position = (
            survey.current_version.questions.aggregate(top=Max("position"))["top"] or 0
        ) + 1
    _apply_question_condition(question, show_if_question, show_if_value)
    question.full_clean()
    question.save()
    if section is not None:
        _refuse_forward_conditions(survey.current_version)
    return question


def is_breaking_change(old: Question, new: Question) -> bool:
    """Would ``new`` make answers given to ``old`` wrong?"""
    if old.type != new.type or old.code != new.code:
        return True
    if not {str(o["value"]) for o in old.options} <= {str(o["value"]) for o in new.options}:
        return True  # an option removed or its value changed
    if not {str(r["value"]) for r in old.rows} <= {str(r["value"]) for r in new.rows}:
        return True
    if old.scale_max != new.scale_max:
        return True
    if _narrower(old.min_value, new.min_value, lower=True) or _narrower(
        old.max_value, new.max_value, lower=False
    ):
        return True
    return new.max_length < old.max_length


def _narrower(old, new, *, lower: bool) -> bool:
    if new is None:
        return False
    if old is None:
        return True
    return Decimal(new) > Decimal(old) if lower else Decimal(new) < Decimal(old)


def _refuse_breaking_a_condition(old: Question, new: Question) -> None:
    """An option another item's display depends on must stay."""
    values = possible_values(new) if new.type in CONDITION_TYPES else None
    for item in [
        *Question.objects.filter(show_if_question=old),
        *Section.objects.filter(show_if_question=old),
    ]:
        if values is None or item.show_if_value not in values:
            raise ValidationError(
                _(
                    "“%(name)s” is shown only when this question's answer is “%(value)s”. "
                    "Change that condition first."
                )
                % {"name": getattr(item, "code", None) or item.title, "value": item.show_if_value}
            )


def _set_question_fields(question: Question, fields: dict) -> None:
    unknown = set(fields) - set(QUESTION_FIELDS)
    if unknown:
        raise TypeError(f"unknown question fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(question, name, value)
    _check_question_shape(question)


def _refuse_taken_code(question: Question) -> None:
    taken = Question.objects.filter(version_id=question.version_id, code=question.code)
    if taken.exclude(pk=question.pk).exists():
        raise ValidationError({"code": _("Another question of this survey has this code.")})


def _check_question_shape(question: Question) -> None:
    """What each type needs; what it does not use is emptied."""
    kind = question.type
    errors = {}
    if kind in CHOICE_TYPES:
        if len(question.options) < 2:
            errors["options"] = _("A choice question needs at least two options.")
    else:
        question.options = []
    if kind == Question.Type.MATRIX:
        if not question.rows:
            errors["rows"] = _("A matrix needs at least one row.")
    else:
        question.rows = []
    if kind in (Question.Type.SCALE, Question.Type.MATRIX):
        if question.scale_max not in SCALE_POINTS:
            errors["scale_max"] = _("Choose a scale of 5 or 7 points.")
    else:
        question.scale_max = None
        question.low_label = question.low_label_en = ""
        question.high_label = question.high_label_en = ""
    if kind == Question.Type.NUMBER:
        low, high = question.min_value, question.max_value
        if low is not None and high is not None and Decimal(low) > Decimal(high):
            errors["max_value"] = _("The largest number must not be below the smallest.")
    else:
        question.min_value = question.max_value = None
    text_types = (Question.Type.SHORT_TEXT, Question.Type.LONG_TEXT)
    if kind in text_types and not 1 <= (question.max_length or 0) <= MAX_TEXT_ANSWER:
        errors["max_length"] = _("The longest answer must be 1 to %(max)s characters.") % {
            "max": MAX_TEXT_ANSWER
        }
    for name in ("options", "rows"):
        items = getattr(question, name)
        if len(items) > MAX_OPTIONS:
            errors[name] = _("At most %(max)s entries.") % {"max": MAX_OPTIONS}
        values = [str(item.get("value", "")) for item in items]
        if len(set(values)) != len(values) or not all(values):
            errors[name] = _("Each entry needs its own value.")
    if errors:
        raise ValidationError(errors)


def _apply_question_condition(question: Question, source: Question | None, value: str) -> None:
    if source is not None and source.pk == question.pk:
        raise ValidationError(
            {"show_if_question": _("A question's display cannot depend on itself.")}
        )
    version = question.version
    me = _order_key(question) if question.pk else None

    def before(other: Question) -> bool:
        if me is None:  # a new question goes last in its section
            if question.section is None:
                return False
            other_section = other.section
            return other_section is None or other_section.position <= question.section.position
        return _order_key(other) < me

    _check_condition(version=version, source=source, value=value, before=before)
    question.show_if_question = source
    question.show_if_value = value if source else ""


@transaction.atomic
def delete_question(*, survey: Survey, question: Question) -> SurveyVersion:
    """Remove a question; with answers that is a new version without it."""
    survey = _editable(survey)
    question = _own_question(survey, question)
    dependents = _dependents(question)
    if dependents:
        raise ValidationError(
            _("Remove the conditions that refer to this question first (%(names)s).")
            % {"names": ", ".join(dependents)}
        )
    mapping = _working_copy(survey, breaking=True)
    if mapping is not None:
        question = mapping.questions[question.pk]
    question.delete()
    return survey.current_version


@transaction.atomic
def move_question(*, survey: Survey, question: Question, up: bool) -> None:
    """Swap a question with its neighbour in the same section (order is harmless)."""
    survey = _editable(survey)
    question = _own_question(survey, question)
    siblings = list(
        survey.current_version.questions.filter(section_id=question.section_id).order_by(
            "position", "pk"
        )
    )
    index = next(i for i, q in enumerate(siblings) if q.pk == question.pk)
    other_index = index - 1 if up else index + 1
    if not 0 <= other_index < len(siblings):
        return
    other = siblings[other_index]
    questions = list(survey.current_version.questions.all())
    by_pk = {q.pk: q for q in questions}
    a, b = by_pk[question.pk], by_pk[other.pk]
    a.position, b.position = b.position, a.position
    if a.position == b.position:  # equal positions: separate them
        a.position, b.position = (
            (b.position - 1, b.position) if up else (b.position + 1, b.position)
        )
    _refuse_forward_conditions(survey.current_version, questions=questions)
    Question.objects.filter(pk=a.pk).update(position=a.position)
    Question.objects.filter(pk=b.pk).update(position=b.position)
