"""The respondent form: a Django form built from a SurveyVersion, shared by the answer pages and
the builder's preview (``build_form``). It only parses what was typed; the rules (options,
bounds, required answers under their display conditions, text limits) are checked once, by
``surveys.services.clean_answers``, so the form and the contract never disagree."""

from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ..models import MAX_TEXT_ANSWER, Question, Section, SurveyVersion
from ..services import (
    DEFAULT_SCALE,
    clean_answers,
    questions_in_order,
    sections_in_order,
    topics_to_choose,
)

# A matrix question has one radio group per row: "<code>__<row value>".
MATRIX_SEPARATOR = "__"


def pick(language: str, german: str, english: str) -> str:
    """The English text when English is asked for and one exists, else the German one."""
    return english if language == "en" and english else german


def matrix_field_name(code: str, row: str) -> str:
    return f"{code}{MATRIX_SEPARATOR}{row}"


@dataclass
class QuestionBlock:
    """One question as the template shows it: its fields (one, or one per matrix row)."""

    question: Question
    text: str
    help: str
    fields: list = field(default_factory=list)
    # The condition as data attributes for static/js/survey-conditions.js, and as a sentence
    # for readers without JavaScript.
    show_if_code: str = ""
    show_if_value: str = ""
    condition_text: str = ""

    @property
    def is_matrix(self) -> bool:
        return self.question.type == Question.Type.MATRIX

    @property
    def anchor(self) -> str:
        """The id the error summary links to (the first input of the question)."""
        if not self.fields:
            return ""
        bound = self.fields[0]
        if isinstance(bound.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
            return f"{bound.auto_id}_0"
        return bound.auto_id

    @property
    def errors(self) -> list[str]:
        return [str(e) for bound in self.fields for e in bound.errors]


@dataclass
class SectionBlock:
    section: Section | None
    title: str
    questions: list = field(default_factory=list)
    show_if_code: str = ""
    show_if_value: str = ""
    condition_text: str = ""


class SurveyForm(forms.Form):
    """Built by ``build_form``; ``answers()`` gives the contract's answers dict."""

    # The fields' required-ness is decided by the service (a hidden question is never required).
    use_required_attribute = False

    def __init__(self, *args, version: SurveyVersion, language: str, topics=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.version = version
        self.language = language
        self.sections = sections_in_order(version)
        self.questions = questions_in_order(version, self.sections)
        self._by_id = {q.pk: q for q in self.questions}
        if topics is None and any(q.type == Question.Type.TOPIC for q in self.questions):
            topics = topics_to_choose(version)
        self._topics = topics or []
        for question in self.questions:
            for name, form_field in self._fields_for(question):
                self.fields[name] = form_field

    # --- building ---------------------------------------------------------------------------

    def _label(self, question: Question) -> str:
        text = pick(self.language, question.text, question.text_en)
        if question.required:
            with translation.override(self.language):
                return f"{text} ({_('required')})"
        return text

    def _choices(self, options) -> list[tuple[str, str]]:
        return [
            (
                str(o.get("value", "")),
                pick(self.language, o.get("label", ""), o.get("label_en", "")),
            )
            for o in options or []
        ]

    def _scale_choices(self, question: Question) -> list[tuple[str, str]]:
        top = question.scale_max or DEFAULT_SCALE
        low = pick(self.language, question.low_label, question.low_label_en)
        high = pick(self.language, question.high_label, question.high_label_en)
        choices = [(str(point), str(point)) for point in range(1, top + 1)]
        if low:
            choices[0] = ("1", f"1 – {low}")
        if high:
            choices[-1] = (str(top), f"{top} – {high}")
        return choices

    def _fields_for(self, question: Question):
        label = self._label(question)
        # Django marks help text safe: the coordinator's text is escaped here.
        help_text = escape(pick(self.language, question.help, question.help_en))
        common = {"label": label, "help_text": help_text, "required": False}
        kind = question.type
        if kind == Question.Type.SINGLE:
            yield (
                question.code,
                forms.ChoiceField(
                    choices=self._choices(question.options), widget=forms.RadioSelect, **common
                ),
            )
        elif kind == Question.Type.MULTIPLE:
            yield (
                question.code,
                forms.MultipleChoiceField(
                    choices=self._choices(question.options),
                    widget=forms.CheckboxSelectMultiple,
                    **common,
                ),
            )
        elif kind == Question.Type.TOPIC:
            choices = [(t.slug, pick(self.language, t.name_de, t.name_en)) for t in self._topics]
            yield (
                question.code,
                forms.MultipleChoiceField(
                    choices=choices, widget=forms.CheckboxSelectMultiple, **common
                ),
            )
        elif kind == Question.Type.SCALE:
            yield (
                question.code,
                forms.ChoiceField(
                    choices=self._scale_choices(question), widget=forms.RadioSelect, **common
                ),
            )
        elif kind == Question.Type.NUMBER:
            yield (
                question.code,
                forms.DecimalField(
                    min_value=question.min_value,
                    max_value=question.max_value,
                    max_digits=12,
                    decimal_places=2,
                    widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
                    **common,
                ),
            )
        elif kind in (Question.Type.SHORT_TEXT, Question.Type.LONG_TEXT):
            limit = min(question.max_length or MAX_TEXT_ANSWER, MAX_TEXT_ANSWER)
            widget = (
                forms.Textarea(attrs={"rows": 5})
                if kind == Question.Type.LONG_TEXT
                else forms.TextInput()
            )
            yield (
                question.code,
                forms.CharField(max_length=limit, widget=widget, **common),
            )
        elif kind == Question.Type.MATRIX:
            choices = self._scale_choices(question)
            for row in question.rows or []:
                row_value = str(row.get("value", ""))
                row_label = pick(self.language, row.get("label", ""), row.get("label_en", ""))
                yield (
                    matrix_field_name(question.code, row_value),
                    forms.ChoiceField(
                        label=row_label,
                        choices=choices,
                        widget=forms.RadioSelect,
                        required=False,
                    ),
                )

    def clean(self):
        """The service's checks too, so that every wrong answer shows at once (a field that
        could not even be parsed keeps its own message)."""
        cleaned = super().clean()
        try:
            clean_answers(version=self.version, answers=self.answers())
        except ValidationError as exc:
            for key, errors in exc.error_dict.items():
                name = self._field_of(key)
                if name is None or name not in self.errors:
                    self.add_error(name, errors)
        return cleaned

    # --- reading ----------------------------------------------------------------------------

    def answers(self) -> dict:
        """The contract's answers dict from the cleaned data (empty answers left out)."""
        data = self.cleaned_data
        answers = {}
        for question in self.questions:
            code = question.code
            if question.type == Question.Type.MATRIX:
                points = {}
                for row in question.rows or []:
                    value = data.get(matrix_field_name(code, str(row.get("value", ""))))
                    if value not in (None, ""):
                        points[str(row.get("value", ""))] = int(value)
                if points:
                    answers[code] = points
                continue
            value = data.get(code)
            if value in (None, "", []):
                continue
            if question.type == Question.Type.SCALE:
                value = int(value)
            answers[code] = value
        return answers

    def initial_from_answers(self, answers: dict) -> None:
        """Fill the form with earlier answers (a company editing its training-needs answer)."""
        for question in self.questions:
            value = answers.get(question.code)
            if value is None:
                continue
            if question.type == Question.Type.MATRIX and isinstance(value, dict):
                for row, point in value.items():
                    self.initial[matrix_field_name(question.code, row)] = str(point)
            elif question.type == Question.Type.SCALE:
                self.initial[question.code] = str(value)
            else:
                self.initial[question.code] = value

    def add_service_errors(self, exc) -> None:
        """Show the service's refusal (messages keyed by question code) at the questions."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for key, errors in exc.error_dict.items():
            name = self._field_of(key)
            self.add_error(name, errors)

    def _field_of(self, code: str) -> str | None:
        if code in self.fields:
            return code
        for name in self.fields:
            if name.startswith(code + MATRIX_SEPARATOR):
                return name
        return None

    # --- showing ----------------------------------------------------------------------------

    def _condition(self, question_id, value) -> tuple[str, str, str]:
        source = self._by_id.get(question_id)
        if source is None or not value:
            return "", "", ""
        shown = value
        for option in source.options or []:
            if str(option.get("value")) == value:
                shown = pick(self.language, option.get("label", ""), option.get("label_en", ""))
        with translation.override(self.language):
            sentence = str(_("Only if you answered “%(answer)s” to “%(question)s”."))
        sentence = sentence % {
            "answer": shown,
            "question": pick(self.language, source.text, source.text_en),
        }
        return source.code, value, sentence

    def blocks(self) -> list[SectionBlock]:
        """Sections with their questions and bound fields, in the order they are asked."""
        by_section: dict = {}
        for question in self.questions:
            by_section.setdefault(question.section_id, []).append(question)
        result = []
        ordered = [None, *self.sections]
        for section in ordered:
            questions = by_section.get(section.pk if section else None, [])
            if not questions:
                continue
            block = SectionBlock(
                section=section,
                title=pick(self.language, section.title, section.title_en) if section else "",
            )
            if section is not None:
                (block.show_if_code, block.show_if_value, block.condition_text) = self._condition(
                    section.show_if_question_id, section.show_if_value
                )
            for question in questions:
                item = QuestionBlock(
                    question=question,
                    text=self._label(question),
                    help=pick(self.language, question.help, question.help_en),
                )
                (item.show_if_code, item.show_if_value, item.condition_text) = self._condition(
                    question.show_if_question_id, question.show_if_value
                )
                if question.type == Question.Type.MATRIX:
                    item.fields = [
                        self[matrix_field_name(question.code, str(row.get("value", "")))]
                        for row in question.rows or []
                    ]
                else:
                    item.fields = [self[question.code]]
                block.questions.append(item)
            result.append(block)
        return result

    def error_summary(self) -> list[tuple[str, str, str]]:
        """(anchor id, question text, message) for the summary at the top of the page."""
        if not self.is_bound or not self.errors:
            return []
        summary = []
        for section in self.blocks():
            for item in section.questions:
                for message in item.errors:
                    summary.append((item.anchor, item.text, message))
        return summary


def build_form(
    version: SurveyVersion, *, data=None, language: str | None = None, initial=None
) -> SurveyForm:
    """The respondent form of ``version`` in ``language`` ("de" or "en"; default: the active
    language). Field names are the question codes; a matrix has one field per row."""
    language = (language or get_language() or "de")[:2]
    if language not in ("de", "en"):
        language = "de"
    return SurveyForm(data, version=version, language=language, initial=initial)
