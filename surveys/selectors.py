"""The contract ``survey_results`` (DESIGN.md, Contracts): a survey's aggregated results, and the
survey figures the funders' grant indicators read (``grant_survey_figures``).

Everything is counted in the database: a few grouped queries per survey, however many responses
it has. A segment (any combination of filters) with fewer than MIN_SEGMENT responses shows no
question data at all.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Aggregate, Avg, Count, FloatField, Max, Min, Q, QuerySet
from django.utils import translation

from companies.models import Company
from networks.models import NetworkMembership, TrainingNetwork
from regiolab import caching
from regiolab.models import Topic
from workshops.models import Workshop

from .models import MIN_SEGMENT, Answer, Question, Response, Survey, SurveyVersion

try:  # the ready-made questionnaires' codes (part S1); the same defaults until it lands
    from . import questionnaires as _codes
except ImportError:  # pragma: no cover
    _codes = None

FEEDBACK_SATISFACTION = getattr(_codes, "FEEDBACK_SATISFACTION", "satisfaction")
FEEDBACK_RECOMMEND = getattr(_codes, "FEEDBACK_RECOMMEND", "recommend")
NEEDS_TOPICS = getattr(_codes, "NEEDS_TOPICS", "topics")
NEEDS_MONTHS = getattr(_codes, "NEEDS_MONTHS", "months")
NEEDS_FORMATS = getattr(_codes, "NEEDS_FORMATS", "formats")
# Answer values that mean "would recommend" (a yes/no single choice, or a scale's top points).
RECOMMEND_YES = ("yes", "ja", "1", "true")

# The segments results can be filtered by (Response fields copied at answer time).
SEGMENT_FIELDS = ("size_class", "sector", "municipality", "network", "actor_type", "workshop")
# Open answers listed with the results; the page lists all of them, paginated.
TEXTS_SHOWN = 20

CHOICE_TYPES = {Question.Type.SINGLE, Question.Type.MULTIPLE, Question.Type.TOPIC}
TEXT_TYPES = {Question.Type.SHORT_TEXT, Question.Type.LONG_TEXT}
MULTI_TYPES = {Question.Type.MULTIPLE, Question.Type.TOPIC}


class _Median(Aggregate):
    """PostgreSQL's exact median; SQLite has none (see _medians)."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def clean_filters(filters: dict | None) -> dict:
    """Only the segment fields, without empty values."""
    cleaned = {}
    for name in SEGMENT_FIELDS:
        value = (filters or {}).get(name)
        if value not in (None, "", []):
            cleaned[name] = getattr(value, "pk", value)
    return cleaned


def filtered_responses(*, survey: Survey, filters: dict | None = None) -> QuerySet[Response]:
    lookups = {
        (f"{k}_id" if k in ("network", "workshop") else k): v
        for k, v in clean_filters(filters).items()
    }
    return Response.objects.filter(survey=survey, **lookups)


def _answers(survey: Survey, question_ids, filters: dict) -> QuerySet[Answer]:
    answers = Answer.objects.filter(question_id__in=question_ids)
    if filters:
        # Only a segment needs the response row; the questions already pin the survey.
        answers = answers.filter(response__in=filtered_responses(survey=survey, filters=filters))
    return answers


def _label(item: dict, key: str = "label") -> str:
    english = (translation.get_language() or "de").startswith("en")
    return (english and item.get(f"{key}_en")) or item.get(key) or item.get("value", "")


def _text(question: Question, field: str) -> str:
    english = (translation.get_language() or "de").startswith("en")
    return (english and getattr(question, f"{field}_en", "")) or getattr(question, field)


def survey_questions(survey: Survey) -> dict[str, Question]:
    """One question per code, as the newest version holding the code asks it, in the order of
    the current version (codes only earlier versions asked come last)."""
    questions = list(
        Question.objects.filter(version__survey=survey)
        .select_related("version")
        .order_by("-version__number", "position", "pk")
    )
    by_code: dict[str, Question] = {}
    ids: dict[str, dict[int, int]] = {}
    for question in questions:
        by_code.setdefault(question.code, question)
        ids.setdefault(question.code, {})[question.pk] = question.version.number
    current = survey.current_version_id

    def order(code):
        q = by_code[code]
        return (q.version_id != current, -q.version.number, q.position, q.pk)

    ordered = {code: by_code[code] for code in sorted(by_code, key=order)}
    for code, question in ordered.items():
        question.all_ids = list(ids[code])
        question.version_numbers = ids[code]  # question id → version number
    return ordered


def _median_from_counts(counts: dict[Decimal, int]) -> float | None:
    total = sum(counts.values())
    if not total:
        return None
    values = sorted(counts)
    low_index, high_index = (total - 1) // 2, total // 2
    seen, low = 0, None
    for value in values:
        seen += counts[value]
        if low is None and seen > low_index:
            low = value
        if seen > high_index:
            return float((low + value) / 2)
    return None  # pragma: no cover


def _medians(answers: QuerySet[Answer], groups: dict[tuple, int]) -> dict[tuple, float]:
    """Median of ``number`` per (code, row): PERCENTILE_CONT on PostgreSQL, else the middle
    value(s) by ORDER BY/OFFSET, one query per group (never per response)."""
    if connection.vendor == "postgresql":
        return {
            (code, row): median
            for code, row, median in answers.values_list("question__code", "row")
            .annotate(m=_Median("number"))
            .values_list("question__code", "row", "m")
            .order_by()
        }
    medians = {}
    for (code, row), n in groups.items():
        middle = list(
            answers.filter(question__code=code, row=row)
            .order_by("number")
            .values_list("number", flat=True)[(n - 1) // 2 : n // 2 + 1]
        )
        medians[(code, row)] = float(sum(middle) / len(middle))
    return medians


def survey_results(*, survey: Survey, filters: dict | None = None) -> dict:
    """``{"responses": n, "suppressed": bool, "questions": {code: …}}``.

    ``suppressed`` (and no question data) when the segment has fewer than MIN_SEGMENT
    responses. Per question: ``answered`` (responses that answered it) and ``versions``
    ({version number: answers}); choices: ``options`` with ``count`` and ``share`` (of those
    who answered); scales: ``options`` per point, ``mean``, ``median``; numbers: ``mean``,
    ``median``, ``min``, ``max``; matrix: ``rows``, each like a scale; text: ``text_count`` and
    the first ``texts`` (in a meaningless order; with ``name`` in identified surveys).
    """
    filters = clean_filters(filters)
    n = filtered_responses(survey=survey, filters=filters).count()
    result = {"responses": n, "suppressed": n < MIN_SEGMENT, "questions": {}, "filters": filters}
    if result["suppressed"]:
        return result
    questions = survey_questions(survey)
    code_of = {pk: code for code, q in questions.items() for pk in q.all_ids}
    all_ids = list(code_of)
    answers = _answers(survey, all_ids, filters)

    # Answered and versions: one row per question (= version × code).
    version_of = {pk: n for code, q in questions.items() for pk, n in q.version_numbers.items()}
    answered: dict[str, int] = {}
    versions: dict[str, dict[int, int]] = {}
    for question_id, count in (
        answers.values_list("question_id")
        .annotate(c=Count("response_id", distinct=True))
        .order_by()
    ):
        code = code_of[question_id]
        answered[code] = answered.get(code, 0) + count
        versions.setdefault(code, {})[version_of[question_id]] = count

    # Choices, scale points and matrix cells: one grouped query.
    distribution: dict[str, dict] = {}
    grouped_ids = [
        pk
        for code, q in questions.items()
        if q.type in CHOICE_TYPES | {Question.Type.SCALE, Question.Type.MATRIX}
        for pk in q.all_ids
    ]
    for question_id, row, option, number, count in (
        answers.filter(question_id__in=grouped_ids)
        .values_list("question_id", "row", "option", "number")
        .annotate(c=Count("pk"))
        .order_by()
    ):
        key = option if option else number
        per_row = distribution.setdefault(code_of[question_id], {}).setdefault(row, {})
        per_row[key] = per_row.get(key, 0) + count

    # Numbers: mean, median, bounds in SQL.
    number_ids = [
        pk for q in questions.values() if q.type == Question.Type.NUMBER for pk in q.all_ids
    ]
    number_stats: dict[str, dict] = {}
    if number_ids:
        numbers = answers.filter(question_id__in=number_ids, number__isnull=False)
        groups = {}
        for code, count, mean, low, high in (
            numbers.values_list("question__code")
            .annotate(c=Count("pk"), a=Avg("number"), lo=Min("number"), hi=Max("number"))
            .order_by()
        ):
            number_stats[code] = {"count": count, "mean": _float(mean), "min": low, "max": high}
            groups[(code, "")] = count
        for (code, _row), median in _medians(numbers, groups).items():
            number_stats[code]["median"] = median

    topic_names = _topic_names(questions, distribution)
    identified = survey.anonymity == Survey.Anonymity.IDENTIFIED
    for code, question in questions.items():
        data = {
            "code": code,
            "type": question.type,
            "text": _text(question, "text"),
            "version": question.version.number,
            "answered": answered.get(code, 0),
            "versions": dict(sorted(versions.get(code, {}).items())),
        }
        counts = distribution.get(code, {})
        if question.type in CHOICE_TYPES:
            data["options"] = _choice_rows(
                question, counts.get("", {}), data["answered"], topic_names
            )
        elif question.type == Question.Type.SCALE:
            data.update(_scale(question, counts.get("", {})))
        elif question.type == Question.Type.MATRIX:
            data["rows"] = [
                {
                    "value": r.get("value", ""),
                    "label": _label(r),
                    **_scale(question, counts.get(r.get("value", ""), {})),
                }
                for r in question.rows
            ]
        elif question.type == Question.Type.NUMBER:
            data.update(
                number_stats.get(code, {"count": 0, "mean": None, "min": None, "max": None})
            )
            data.setdefault("median", None)
        elif question.type in TEXT_TYPES:
            data["text_count"] = data["answered"]
            data["texts"] = list(
                open_answers(
                    survey=survey,
                    code=code,
                    filters=filters,
                    identified=identified,
                    questions=questions,
                    counted=n,
                )[:TEXTS_SHOWN]
            )
        result["questions"][code] = data
    return result


def _float(value) -> float | None:
    return None if value is None else round(float(value), 2)


def _share(count: int, base: int) -> float:
    return round(100 * count / base, 1) if base else 0.0


def _choice_rows(question: Question, counts: dict, answered: int, topic_names: dict) -> list[dict]:
    rows = []
    known = set()
    for option in question.options:
        value = str(option.get("value", ""))
        known.add(value)
        count = counts.get(value, 0)
        rows.append(
            {
                "value": value,
                "label": _label(option),
                "count": count,
                "share": _share(count, answered),
            }
        )
    # Answers outside the current options (an earlier version's option, or a topic).
    for value, count in sorted(counts.items(), key=lambda item: (-item[1], str(item[0]))):
        if str(value) not in known:
            label = topic_names.get(str(value), str(value))
            rows.append(
                {
                    "value": str(value),
                    "label": label,
                    "count": count,
                    "share": _share(count, answered),
                }
            )
    return rows


def _scale(question: Question, counts: dict) -> dict:
    top = question.scale_max or max((int(k) for k in counts), default=5)
    points = []
    by_point = {int(k): v for k, v in counts.items() if k not in (None, "")}
    base = sum(by_point.values())
    for point in range(1, top + 1):
        count = by_point.get(point, 0)
        points.append(
            {"value": str(point), "label": str(point), "count": count, "share": _share(count, base)}
        )
    total = sum(p * c for p, c in by_point.items())
    return {
        "options": points,
        "count": base,
        "mean": round(total / base, 2) if base else None,
        # Scale points are few: the median from their counts is exact and needs no query.
        "median": _median_from_counts({Decimal(p): c for p, c in by_point.items()}),
        "low_label": _text(question, "low_label"),
        "high_label": _text(question, "high_label"),
    }


def _topic_names(questions: dict[str, Question], distribution: dict) -> dict[str, str]:
    values = {
        str(v)
        for code, q in questions.items()
        if q.type == Question.Type.TOPIC
        for v in distribution.get(code, {}).get("", {})
    }
    if not values:
        return {}
    english = (translation.get_language() or "de").startswith("en")
    names = {}
    slugs = [v for v in values if not v.isdigit()]
    pks = [int(v) for v in values if v.isdigit()]
    for pk, slug, de, en in Topic.objects.filter(Q(slug__in=slugs) | Q(pk__in=pks)).values_list(
        "pk", "slug", "name_de", "name_en"
    ):
        name = (english and en) or de
        names[slug] = names[str(pk)] = name
    return names


def open_answers(
    *,
    survey: Survey,
    code: str,
    filters: dict | None = None,
    identified: bool | None = None,
    questions=None,
    counted: int | None = None,
) -> QuerySet:
    """The open answers to ``code`` as a lazy queryset of dicts (``text``, and ``name`` in
    identified surveys), ordered by the random response key: no order of arrival. Empty for a
    suppressed segment."""
    filters = clean_filters(filters)
    if counted is None:
        counted = filtered_responses(survey=survey, filters=filters).count()
    if counted < MIN_SEGMENT:
        return Answer.objects.none().values("text")
    questions = questions or survey_questions(survey)
    question = questions.get(code)
    if question is None:
        return Answer.objects.none().values("text")
    if identified is None:
        identified = survey.anonymity == Survey.Anonymity.IDENTIFIED
    fields = ["text"]
    if identified:
        fields += [
            "response__respondent__first_name",
            "response__respondent__last_name",
            "response__company__name",
        ]
    return (
        _answers(survey, question.all_ids, filters)
        .exclude(text="")
        .order_by("response_id", "pk")
        .values(*fields)
    )


# The results page's figures as a fragment (templates/surveys/results/results.html; bench:
# 10,000 responses within 100 ms at p95): any new response rebuilds it. Names are read only in
# identified surveys. ``filters`` is the cleaned segment as sorted (name, value) pairs.
SURVEY_RESULTS = caching.declare(
    "survey_results",
    reads=[
        Survey,
        SurveyVersion,
        Question,
        Response,
        Answer,
        Topic,
        caching.columns(settings.AUTH_USER_MODEL, "first_name", "last_name"),
        caching.columns(Company, "name"),
    ],
    varies_by=["survey", "filters"],
)

# The results page's segment filter as a fragment: its lists hold the values the responses
# hold (hundreds of workshops), built and rendered only when a response or a name changes.
SURVEY_SEGMENT_BAR = caching.declare(
    "survey_segment_bar",
    reads=[
        Response,
        caching.columns(TrainingNetwork, "name"),
        caching.columns(Workshop, "title", "starts_at"),
    ],
    varies_by=["survey", "filters"],
)


# --- Figures for the funders' grant indicators -----------------------------------------------


def _period_bounds(period_start: date, period_end: date):
    from django.utils import timezone

    tz = timezone.get_default_timezone()
    return (
        datetime.combine(period_start, time.min, tzinfo=tz),
        datetime.combine(period_end + timedelta(days=1), time.min, tzinfo=tz),
    )


def grant_survey_figures(*, network_ids, period_start: date, period_end: date) -> dict:
    """Survey figures for a grant's networks and period, as indicator code → value:

    - feedback_responses: feedback responses about the networks' workshops ending in the period;
    - feedback_satisfaction: their average satisfaction (scale points, two decimals);
    - feedback_recommend: percent of those answering who would recommend the workshop;
    - companies_training_needs: companies of the networks that stated training needs in a
      training-needs response answered in the period.

    Responses keep their segment copies (network, workshop, company) and no person, so the
    figures stay the same when a person is anonymised. One query whatever the numbers.
    """
    network_ids = list(network_ids)
    start, end = _period_bounds(period_start, period_end)
    feedback = Q(
        survey__purpose=Survey.Purpose.FEEDBACK,
        workshop__network_id__in=network_ids,
        workshop__ends_at__gte=start,
        workshop__ends_at__lt=end,
    )
    needs = Q(
        survey__purpose=Survey.Purpose.TRAINING_NEEDS,
        answered_on__gte=period_start,
        answered_on__lte=period_end,
        company__isnull=False,
    ) & (
        Q(network_id__in=network_ids)
        | Q(
            company_id__in=NetworkMembership.objects.filter(network_id__in=network_ids).values(
                "company_id"
            )
        )
    )
    # One query: the grant page counts its queries.
    stats = Response.objects.filter(feedback | needs).aggregate(
        responses=Count("pk", distinct=True, filter=feedback),
        satisfaction=Avg(
            "answers__number", filter=feedback & Q(answers__question__code=FEEDBACK_SATISFACTION)
        ),
        recommend_answers=Count(
            "answers", filter=feedback & Q(answers__question__code=FEEDBACK_RECOMMEND)
        ),
        recommend_yes=Count(
            "answers",
            filter=feedback
            & Q(answers__question__code=FEEDBACK_RECOMMEND, answers__option__in=RECOMMEND_YES),
        ),
        needs=Count(
            "company_id", distinct=True, filter=needs & Q(answers__question__code=NEEDS_TOPICS)
        ),
    )
    responses, needs = stats["responses"], stats["needs"]
    satisfaction = stats["satisfaction"]
    return {
        "feedback_responses": responses,
        "feedback_satisfaction": (
            Decimal(str(round(float(satisfaction), 2))) if satisfaction is not None else Decimal(0)
        ),
        "feedback_recommend": (
            Decimal(str(round(100 * stats["recommend_yes"] / stats["recommend_answers"], 1)))
            if stats["recommend_answers"]
            else Decimal(0)
        ),
        "companies_training_needs": needs,
    }
