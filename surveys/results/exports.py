"""Results as CSV and XLSX: one row per response, one column per question (a multiple or topic
choice as one 0/1 column per option, a matrix as one column per row), numbers as numbers, and a
codebook (codes, texts, options, versions).

Anonymity: no token, time or order columns, and rows sorted by the response's random key, so
the file tells nobody who answered first. Names only for identified surveys (coordinators only
may download). The CSV is for German Excel (; and a byte order mark) with formula-like text
neutralised, as the company export does; the XLSX goes through regiolab.xlsx (text is never a
formula).
"""

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count
from django.utils.translation import gettext as _

from companies.exporting import iter_csv
from regiolab import xlsx
from regiolab.validators import neutralise_formula

from ..models import Answer, Question, Response, Survey
from ..selectors import MULTI_TYPES, TEXT_TYPES, _label, _text, _topic_names, survey_questions


@dataclass(frozen=True)
class ExportColumn:
    header: str
    code: str
    question: Question
    kind: str  # "value", "flag", "row", "text"
    value: str = ""  # the option of a flag column, the row of a matrix column
    label: str = ""


def _columns(survey: Survey, questions: dict[str, Question]) -> list[ExportColumn]:
    # Values answered beyond the current options (earlier versions, topics): one query.
    multi_ids = [pk for q in questions.values() if q.type in MULTI_TYPES for pk in q.all_ids]
    answered: dict[str, dict] = {}
    if multi_ids:
        for code, option in (
            Answer.objects.filter(question_id__in=multi_ids)
            .values_list("question__code", "option")
            .annotate(n=Count("pk"))
            .order_by("option")
            .values_list("question__code", "option")
        ):
            answered.setdefault(code, {})[option] = None
    topic_names = _topic_names(questions, {c: {"": v} for c, v in answered.items()})
    columns = []
    for code, question in questions.items():
        if question.type in MULTI_TYPES:
            values = {str(o.get("value", "")): _label(o) for o in question.options}
            for option in answered.get(code, {}):
                values.setdefault(option, topic_names.get(option, option))
            columns += [
                ExportColumn(f"{code}_{value}", code, question, "flag", value, label)
                for value, label in values.items()
            ]
        elif question.type == Question.Type.MATRIX:
            columns += [
                ExportColumn(
                    f"{code}_{r.get('value', '')}",
                    code,
                    question,
                    "row",
                    r.get("value", ""),
                    _label(r),
                )
                for r in question.rows
            ]
        elif question.type in TEXT_TYPES:
            columns.append(ExportColumn(code, code, question, "text"))
        else:
            columns.append(ExportColumn(code, code, question, "value"))
    return columns


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, Decimal):  # German notation, as German Excel reads a number
        return f"{value:f}".replace(".", ",")
    return neutralise_formula(value)


def _number(value: Decimal):
    return int(value) if value == value.to_integral_value() else value.normalize()


def _rows(survey: Survey, columns: list[ExportColumn], questions) -> Iterator[list]:
    code_of = {pk: code for code, q in questions.items() for pk in q.all_ids}
    identified = survey.anonymity == Survey.Anonymity.IDENTIFIED
    by_response: dict = {}
    for response_id, question_id, row, option, number, text in Answer.objects.filter(
        response__survey=survey
    ).values_list("response_id", "question_id", "row", "option", "number", "text"):
        by_response.setdefault(response_id, []).append(
            (code_of.get(question_id), row, option, number, text)
        )
    fields = ["id", "version__number"]
    if identified:
        fields += ["respondent__first_name", "respondent__last_name", "company__name"]
    # The random key: a stable order that says nothing about arrival.
    for values in Response.objects.filter(survey=survey).order_by("id").values_list(*fields):
        response_id, version = values[0], values[1]
        flags, cells = set(), {}
        for code, row, option, number, text in by_response.get(response_id, ()):
            question = questions.get(code)
            if question is None:
                continue
            if question.type in MULTI_TYPES:
                flags.add((code, option))
            elif question.type == Question.Type.MATRIX:
                cells[(code, row)] = _number(number) if number is not None else None
            elif question.type in TEXT_TYPES:
                cells[(code, "")] = text
            elif number is not None:
                cells[(code, "")] = _number(number)
            else:
                cells[(code, "")] = option
        answered_codes = {code for code, *_ in by_response.get(response_id, ())}
        line = [version]
        if identified:
            line += [f"{values[2] or ''} {values[3] or ''}".strip(), values[4] or ""]
        for column in columns:
            if column.kind == "flag":
                # 0 for a question answered without this option; empty when not answered.
                line.append(
                    int((column.code, column.value) in flags)
                    if column.code in answered_codes
                    else None
                )
            elif column.kind == "row":
                line.append(cells.get((column.code, column.value)))
            else:
                line.append(cells.get((column.code, "")))
        yield line


def _header(survey: Survey, columns: list[ExportColumn]) -> list[str]:
    header = [_("version")]
    if survey.anonymity == Survey.Anonymity.IDENTIFIED:
        header += [_("respondent"), _("company")]
    return header + [c.header for c in columns]


def _codebook(survey: Survey, columns: list[ExportColumn]) -> list[list]:
    rows = []
    for column in columns:
        question = column.question
        if column.kind in ("flag", "row"):
            options = f"{column.value} = {column.label}"
            if column.kind == "flag":
                options += " (1 = " + _("chosen") + ", 0 = " + _("not chosen") + ")"
        elif question.type == Question.Type.SINGLE:
            options = "; ".join(f"{o.get('value', '')} = {_label(o)}" for o in question.options)
        elif question.type in (Question.Type.SCALE, Question.Type.MATRIX):
            options = f"1 = {_text(question, 'low_label')} … {question.scale_max or 5} = {_text(question, 'high_label')}"
        elif question.type == Question.Type.NUMBER:
            low = "" if question.min_value is None else _number(question.min_value)
            high = "" if question.max_value is None else _number(question.max_value)
            options = f"{low} … {high}"
        else:
            options = ""
        if column.kind == "row" and question.scale_max:
            options += f"; 1 … {question.scale_max}"
        versions = ", ".join(str(v) for v in sorted(set(question.version_numbers.values())))
        rows.append(
            [
                column.header,
                column.code,
                _text(question, "text"),
                question.get_type_display(),
                options,
                versions,
            ]
        )
    return rows


def _prepare(survey: Survey):
    questions = survey_questions(survey)
    return questions, _columns(survey, questions)


def iter_results_csv(survey: Survey) -> Iterator[str]:
    questions, columns = _prepare(survey)
    header = _header(survey, columns)

    def rows():
        yield header
        for line in _rows(survey, columns, questions):
            yield [_csv_cell(value) for value in line]

    return iter_csv(rows())


CODEBOOK_HEADER = ("column", "code", "question", "type", "options", "versions")


def build_results_xlsx(survey: Survey) -> bytes:
    questions, columns = _prepare(survey)
    writer = xlsx.XlsxWriter()
    kinds = {"text": xlsx.Kind.TEXT}
    sheet_columns = [xlsx.Column(_("version"), xlsx.Kind.NUMBER)]
    if survey.anonymity == Survey.Anonymity.IDENTIFIED:
        sheet_columns += [
            xlsx.Column(_("respondent"), xlsx.Kind.TEXT),
            xlsx.Column(_("company"), xlsx.Kind.TEXT),
        ]
    sheet_columns += [xlsx.Column(c.header, kinds.get(c.kind)) for c in columns]
    writer.sheet(_("Responses"), sheet_columns).extend(_rows(survey, columns, questions))
    codebook = writer.sheet(
        _("Codebook"),
        [
            xlsx.Column(_("column")),
            xlsx.Column(_("code")),
            xlsx.Column(_("question")),
            xlsx.Column(_("type")),
            xlsx.Column(_("options")),
            xlsx.Column(_("versions"), xlsx.Kind.TEXT),
        ],
    )
    codebook.extend(_codebook(survey, columns))
    return writer.save()
