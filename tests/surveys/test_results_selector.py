"""The contract survey_results: counts, shares, means and medians in SQL, the small-segment
rule for every filter combination, versions, and a query count independent of the responses."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from surveys.models import MIN_SEGMENT
from surveys.selectors import open_answers, survey_results
from tests.factories import TopicFactory, TrainingNetworkFactory

from .support_s4 import add_question, make_survey, new_version, respond

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey():
    survey = make_survey()
    add_question(survey, "rolle", "single", position=1)
    add_question(survey, "wege", "multiple", position=2)
    add_question(survey, "zufrieden", "scale", position=3, low_label="schlecht", high_label="gut")
    add_question(survey, "groesse", "number", position=4, min_value=0, max_value=1000)
    add_question(
        survey,
        "faktoren",
        "matrix",
        position=5,
        rows=[{"value": "vertrauen", "label": "Vertrauen"}, {"value": "geld", "label": "Geld"}],
    )
    add_question(survey, "sonst", "long_text", position=6)
    return survey


def _answers(role, ways, points, size, text=""):
    answers = {
        "rolle": role,
        "wege": ways,
        "zufrieden": points,
        "groesse": size,
        "faktoren": {"vertrauen": points, "geld": 6 - points},
    }
    if text:
        answers["sonst"] = text
    return answers


def test_counts_shares_means_and_medians(survey):
    respond(survey, _answers("a", ["a", "b"], 5, 10, "Mehr Austausch"))
    respond(survey, _answers("a", ["a"], 4, 20))
    respond(survey, _answers("b", ["b"], 4, 30, "Weniger Papier"))
    respond(survey, _answers("a", ["c"], 2, 40))
    respond(survey, _answers("c", ["a"], 1, 1000))

    results = survey_results(survey=survey)

    assert results["responses"] == 5
    assert results["suppressed"] is False
    rolle = results["questions"]["rolle"]
    assert [(o["value"], o["count"], o["share"]) for o in rolle["options"]] == [
        ("a", 3, 60.0),
        ("b", 1, 20.0),
        ("c", 1, 20.0),
    ]
    wege = results["questions"]["wege"]
    # Shares of a multiple choice are of the respondents, so they add up to more than 100.
    assert [(o["count"], o["share"]) for o in wege["options"]] == [(3, 60.0), (2, 40.0), (1, 20.0)]
    scale = results["questions"]["zufrieden"]
    assert scale["mean"] == 3.2
    assert scale["median"] == 4.0
    assert [p["count"] for p in scale["options"]] == [1, 1, 0, 2, 1]
    number = results["questions"]["groesse"]
    assert number["mean"] == 220.0
    assert number["median"] == 30.0
    assert (number["min"], number["max"]) == (10, 1000)
    matrix = results["questions"]["faktoren"]
    assert [(r["value"], r["mean"], r["median"]) for r in matrix["rows"]] == [
        ("vertrauen", 3.2, 4.0),
        ("geld", 2.8, 2.0),
    ]
    texts = results["questions"]["sonst"]
    assert texts["text_count"] == 2
    assert sorted(t["text"] for t in texts["texts"]) == ["Mehr Austausch", "Weniger Papier"]
    assert all(set(t) == {"text"} for t in texts["texts"])  # anonymous: no names


def test_even_number_of_answers_takes_the_middle_of_two(survey):
    for size in (1, 2, 3, 4, 5, 100):
        respond(survey, {"rolle": "a", "groesse": size})
    assert survey_results(survey=survey)["questions"]["groesse"]["median"] == 3.5


def test_fewer_than_five_responses_show_nothing(survey):
    for _ in range(MIN_SEGMENT - 1):
        respond(survey, _answers("a", ["a"], 3, 5, "Geheim"))
    results = survey_results(survey=survey)
    assert results == {"responses": 4, "suppressed": True, "questions": {}, "filters": {}}
    assert list(open_answers(survey=survey, code="sonst")) == []


def test_every_filter_combination_applies_the_small_segment_rule(survey):
    north, south = TrainingNetworkFactory(), TrainingNetworkFactory()
    for _ in range(6):
        respond(survey, _answers("a", ["a"], 3, 5), size_class="small", network=north)
    for _ in range(4):
        respond(survey, _answers("b", ["b"], 2, 5), size_class="small", network=south)
    for _ in range(5):
        respond(survey, _answers("c", ["c"], 1, 5), size_class="micro", network=south)

    assert survey_results(survey=survey, filters={"size_class": "small"})["responses"] == 10
    small_south = survey_results(survey=survey, filters={"size_class": "small", "network": south})
    assert small_south["suppressed"] and small_south["questions"] == {}
    assert small_south["responses"] == 4
    micro_south = survey_results(
        survey=survey, filters={"size_class": "micro", "network": south.pk}
    )
    assert not micro_south["suppressed"]
    assert micro_south["questions"]["rolle"]["options"][2]["count"] == 5
    # An unknown segment field is ignored, not an error.
    assert survey_results(survey=survey, filters={"token": "x"})["responses"] == 15


@pytest.mark.parametrize(
    ("field", "chosen", "other"),
    [
        ("sector", "C", "G"),
        ("municipality", "Kassel", "Baunatal"),
        ("actor_type", "firm", "public"),
    ],
)
def test_sector_municipality_and_actor_type_filter_with_the_small_segment_rule(
    survey, field, chosen, other
):
    for _ in range(5):
        respond(survey, _answers("a", ["a"], 3, 5), **{field: chosen})
    for _ in range(4):
        respond(survey, _answers("b", ["b"], 2, 5), **{field: other})

    five = survey_results(survey=survey, filters={field: chosen})
    assert five["responses"] == 5 and not five["suppressed"]
    assert [o["count"] for o in five["questions"]["rolle"]["options"]][:2] == [5, 0]
    four = survey_results(survey=survey, filters={field: other})
    assert four["responses"] == 4
    assert four["suppressed"] and four["questions"] == {}
    # Combined with another segment, the rule holds for the combination.
    assert survey_results(survey=survey, filters={field: chosen, "size_class": "small"})[
        "suppressed"
    ]


def test_results_say_which_version_each_answer_came_from(survey):
    first = survey.current_version
    for _ in range(3):
        respond(survey, {"rolle": "a"}, version=first)
    second = new_version(survey)
    add_question(
        survey,
        "rolle",
        "single",
        version=second,
        options=[{"value": "a", "label": "Mitglied"}, {"value": "d", "label": "Partner"}],
    )
    for _ in range(2):
        respond(survey, {"rolle": "d"}, version=second)

    rolle = survey_results(survey=survey)["questions"]["rolle"]
    assert rolle["versions"] == {1: 3, 2: 2}
    assert rolle["version"] == 2
    # An option only the first version had is still counted, after the current ones.
    assert [(o["value"], o["count"]) for o in rolle["options"]] == [("a", 3), ("d", 2)]
    assert rolle["answered"] == 5


def test_topic_choice_is_labelled_with_the_topics_names():
    survey = make_survey(purpose="training_needs")
    add_question(survey, "topics", "topic")
    (robots,) = (TopicFactory(slug="robotik", name_de="Robotik"),)
    for _ in range(5):
        respond(survey, {"topics": [robots.slug]})
    topics = survey_results(survey=survey)["questions"]["topics"]
    assert topics["options"] == [
        {"value": "robotik", "label": "Robotik", "count": 5, "share": 100.0}
    ]


def test_identified_open_answers_carry_the_name(survey, coordinator):
    survey.anonymity = "identified"
    survey.save()
    from tests.factories import UserFactory

    for n in range(5):
        user = UserFactory(first_name="Ina", last_name=f"Name{n}")
        respond(survey, {"rolle": "a", "sonst": f"Text {n}"}, respondent=user)
    texts = survey_results(survey=survey)["questions"]["sonst"]["texts"]
    assert {t["response__respondent__last_name"] for t in texts} == {f"Name{n}" for n in range(5)}


def _query_count(survey, filters=None):
    with CaptureQueriesContext(connection) as ctx:
        survey_results(survey=survey, filters=filters)
    return len(ctx)


def test_queries_do_not_grow_with_the_responses(survey):
    for n in range(5):
        respond(survey, _answers("a", ["a"], 3, n, "x"), size_class="small")
    few = _query_count(survey), _query_count(survey, {"size_class": "small"})
    for n in range(60):
        respond(survey, _answers("b", ["a", "b"], n % 5 + 1, n, f"t{n}"), size_class="small")
    many = _query_count(survey), _query_count(survey, {"size_class": "small"})
    assert few == many
    assert max(many) <= 8
