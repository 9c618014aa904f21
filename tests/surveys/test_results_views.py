"""The coordinators' results page: a chart with its data table per question, open answers,
the segment filter with the small-segment rule, names only in identified surveys."""

import pytest

from tests.factories import TrainingNetworkFactory, UserFactory
from tests.support.html_tree import parse

from .support_s4 import add_question, make_survey, respond

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey():
    survey = make_survey(title="Netzwerkbefragung 2026")
    add_question(survey, "rolle", "single", position=1, text="Welche Rolle haben KMU?")
    add_question(survey, "zufrieden", "scale", position=2, low_label="gar nicht", high_label="sehr")
    add_question(survey, "sonst", "long_text", position=3, text="Was noch?")
    return survey


def _page(client, survey, query=""):
    response = client.get(f"/surveys/{survey.pk}/results/{query}")
    assert response.status_code == 200
    return response, parse(response.content)


def test_each_question_has_a_chart_and_a_table_with_the_same_figures(coordinator_client, survey):
    for role, points in (("a", 5), ("a", 4), ("b", 4), ("a", 2), ("c", 1)):
        respond(survey, {"rolle": role, "zufrieden": points, "sonst": f"Antwort {role}{points}"})

    response, tree = _page(coordinator_client, survey)

    section = tree.select_one('section[aria-labelledby="q-rolle"]')
    assert section.find("h2").get_text(strip=True) == "Welche Rolle haben KMU?"
    svg = section.select_one('svg[role="img"]')
    assert svg.find("title").get_text(strip=True)  # a name for the image
    widths = [float(rect["width"]) for rect in svg.find_all("rect")]
    assert widths == [140.0, pytest.approx(46.67), pytest.approx(46.67)]
    rows = [
        [cell.get_text(strip=True) for cell in tr.find_all(("th", "td"))]
        for tr in section.select("tbody tr")
    ]
    assert rows == [["Mitglied", "3", "60,0 %"], ["Anker", "1", "20,0 %"], ["Gast", "1", "20,0 %"]]
    scale = tree.select_one('section[aria-labelledby="q-zufrieden"]').get_text()
    assert "Mittelwert: 3,2" in scale and "Median: 4,0" in scale
    texts = [li.get_text(strip=True) for li in tree.select("ul.results-texts li")]
    assert sorted(texts) == ["Antwort a2", "Antwort a4", "Antwort a5", "Antwort b4", "Antwort c1"]


def test_a_segment_of_four_is_hidden_and_of_five_shown(coordinator_client, survey):
    small, large = TrainingNetworkFactory(name="Klein"), TrainingNetworkFactory(name="Groß")
    for _ in range(4):
        respond(survey, {"rolle": "b", "zufrieden": 1, "sonst": "verräterisch"}, network=small)
    for _ in range(5):
        respond(survey, {"rolle": "a", "zufrieden": 5}, network=large)

    response, tree = _page(coordinator_client, survey, f"?network={small.pk}")
    content = response.content.decode()
    assert "erst ab 5 Antworten" in content
    assert "verräterisch" not in content
    assert not tree.select("svg.results-chart")

    response, tree = _page(coordinator_client, survey, f"?network={large.pk}")
    assert len(tree.select("svg.results-chart")) == 2
    # The whole survey has 9: shown, the 4 inside too.
    response, tree = _page(coordinator_client, survey)
    assert "verräterisch" in response.content.decode()


def test_a_hostile_filter_value_shows_a_message_and_no_results(coordinator_client, survey):
    for _ in range(5):
        respond(survey, {"rolle": "a", "sonst": "geheim"})
    response, tree = _page(coordinator_client, survey, "?network=999999&size_class=%3Cscript%3E")
    content = response.content.decode()
    assert "nicht verfügbar" in content
    assert "geheim" not in content
    assert "<script>" not in content


def test_identified_survey_shows_names_to_coordinators(coordinator_client, survey):
    survey.anonymity = "identified"
    survey.save()
    for n in range(5):
        user = UserFactory(first_name="Ina", last_name=f"Beispiel{n}")
        respond(survey, {"rolle": "a", "sonst": f"Text {n}"}, respondent=user)
    response, _tree = _page(coordinator_client, survey)
    assert "Ina Beispiel3" in response.content.decode()


def test_anonymous_survey_shows_no_names(coordinator_client, survey):
    for n in range(5):
        user = UserFactory(first_name="Ina", last_name=f"Beispiel{n}")
        respond(survey, {"rolle": "a", "sonst": f"Text {n}"}, respondent=user)
    response, _tree = _page(coordinator_client, survey)
    assert "Beispiel" not in response.content.decode()


def test_open_answers_are_paginated(coordinator_client, survey):
    for n in range(55):
        respond(survey, {"rolle": "a", "sonst": f"Idee {n:02d}"})
    _response, tree = _page(coordinator_client, survey)
    link = f"/surveys/{survey.pk}/results/answers/sonst/"
    assert tree.select(f'a[href="{link}"]')
    first = parse(coordinator_client.get(link).content)
    second = parse(coordinator_client.get(link + "?page=2").content)
    shown = [li.get_text(strip=True) for li in first.select("ul.results-texts li")]
    shown += [li.get_text(strip=True) for li in second.select("ul.results-texts li")]
    assert sorted(shown) == [f"Idee {n:02d}" for n in range(55)]
    assert coordinator_client.get(f"/surveys/{survey.pk}/results/answers/rolle/").status_code == 404


def test_results_are_for_coordinators_only(client, survey):
    user = UserFactory()
    client.force_login(user)
    assert client.get(f"/surveys/{survey.pk}/results/").status_code == 403
    client.logout()
    assert client.get(f"/surveys/{survey.pk}/results/").status_code == 302


def test_filter_shows_the_chosen_segment_and_only_workshops_with_enough_responses(
    coordinator_client, survey
):
    from tests.factories import WorkshopFactory

    big, small = WorkshopFactory(title="Großer Workshop"), WorkshopFactory(title="Kleiner")
    network = TrainingNetworkFactory(name="Verbund Süd")
    for _ in range(5):
        respond(survey, {"rolle": "a"}, workshop=big, network=network)
    for _ in range(2):
        respond(survey, {"rolle": "a"}, workshop=small)
    _response, tree = _page(coordinator_client, survey, f"?network={network.pk}")
    select = tree.select_one('select[name="network"]')
    chosen = [o.get_text(strip=True) for o in select.find_all("option") if "selected" in o.attrs]
    assert chosen == ["Verbund Süd"]
    label = tree.select_one(f'label[for="{select["id"]}"]')
    assert label.get_text(strip=True).rstrip(":") == "Verbund"
    workshops = [o.get_text(strip=True) for o in tree.select('select[name="workshop"] option')]
    assert workshops == ["alle", "Großer Workshop"]


def test_the_cached_filter_follows_new_responses_and_a_renamed_workshop(
    coordinator_client, survey, django_assert_max_num_queries
):
    from tests.factories import WorkshopFactory

    workshop = WorkshopFactory(title="Robotik kompakt")
    for _ in range(5):
        respond(survey, {"rolle": "a"}, workshop=workshop)

    def options(name):
        _response, tree = _page(coordinator_client, survey)
        return [o.get_text(strip=True) for o in tree.select(f'select[name="{name}"] option')]

    assert options("workshop") == ["alle", "Robotik kompakt"]
    # Warm: the filter and the figures come from the cache (session, user, survey only).
    with django_assert_max_num_queries(3):
        assert options("workshop") == ["alle", "Robotik kompakt"]

    workshop.title = "Robotik in der Praxis"
    workshop.save(update_fields=["title"])
    assert options("workshop") == ["alle", "Robotik in der Praxis"]

    other = WorkshopFactory(title="3D-Druck")
    for _ in range(5):
        respond(survey, {"rolle": "b"}, workshop=other)
    assert sorted(options("workshop")) == ["3D-Druck", "Robotik in der Praxis", "alle"]
