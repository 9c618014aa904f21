"""Exports: one row per response, a column per question (0/1 per option of a multiple choice,
one per matrix row), numbers as numbers, a codebook; no token, time or order; formula-safe."""

import csv
import io

import pytest

from surveys.models import Response
from tests.factories import UserFactory
from tests.support.libreoffice import read_xlsx, records

from .support_s4 import add_question, make_survey, new_version, respond

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey():
    survey = make_survey(title="Bedarf 2026")
    add_question(survey, "rolle", "single", position=1, text="Welche Rolle?")
    add_question(survey, "wege", "multiple", position=2, text="Welche Wege?")
    add_question(survey, "groesse", "number", position=3, min_value=0, max_value=500)
    add_question(
        survey,
        "faktoren",
        "matrix",
        position=4,
        rows=[{"value": "vertrauen", "label": "Vertrauen"}, {"value": "geld", "label": "Geld"}],
        low_label="unwichtig",
        high_label="wichtig",
    )
    add_question(survey, "sonst", "long_text", position=5)
    for n, (role, ways, size, text) in enumerate(
        [
            ("a", ["a", "c"], 12, '=HYPERLINK("http://evil")'),
            ("b", ["b"], 2.5, "Mehr Praxis"),
            ("a", [], 0, ""),
            ("c", ["a"], 300, "@SUM(A1)"),
            ("a", ["a", "b", "c"], 7, "Gut"),
        ]
    ):
        answers = {"rolle": role, "groesse": size, "faktoren": {"vertrauen": n % 5 + 1, "geld": 3}}
        if ways:
            answers["wege"] = ways
        if text:
            answers["sonst"] = text
        respond(survey, answers)
    return survey


HEADER = [
    "Version", "rolle", "wege_a", "wege_b", "wege_c", "groesse", "faktoren_vertrauen",
    "faktoren_geld", "sonst",
]  # fmt: skip


def _csv_rows(client, survey):
    response = client.get(f"/surveys/{survey.pk}/results/export.csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_csv_has_one_row_per_response_in_key_order_and_safe_text(coordinator_client, survey):
    header, *rows = _csv_rows(coordinator_client, survey)
    assert header == HEADER
    assert len(rows) == 5
    by_size = {row[5]: row for row in rows}
    assert by_size["12"][1:5] == ["a", "1", "0", "1"]
    assert by_size["2,5"][2:5] == ["0", "1", "0"]
    # Not answered: empty, not 0.
    assert by_size["0"][2:5] == ["", "", ""]
    assert by_size["12"][8] == '\'=HYPERLINK("http://evil")'
    assert by_size["300"][8] == "'@SUM(A1)"
    # The random key orders the rows: not the order of arrival, and no key, token or date.
    keys = list(Response.objects.filter(survey=survey).order_by("id").values_list("pk", flat=True))
    assert [row[5] for row in rows] == [
        f"{Response.objects.get(pk=k).answers.get(question__code='groesse').number.normalize():f}".replace(
            ".", ","
        )
        for k in keys
    ]
    flat = ";".join(";".join(r) for r in rows)
    assert "2026" not in flat and not any(str(k) in flat for k in keys)


def test_xlsx_opened_by_libreoffice_has_numbers_and_a_codebook(coordinator_client, survey):
    response = coordinator_client.get(f"/surveys/{survey.pk}/results/export.xlsx")
    assert response.status_code == 200
    sheets = read_xlsx(response.content)
    responses, codebook = sheets["Antworten"], sheets["Codebuch"]
    assert [c.shown for c in responses[0]] == HEADER
    rows = records(responses)
    assert len(rows) == 5
    sizes = sorted(float(r["groesse"].value) for r in rows)
    assert sizes == [0, 2.5, 7, 12, 300]
    assert {r["groesse"].type for r in rows} == {"float"}
    assert {r["wege_a"].type for r in rows if not r["wege_a"].empty} == {"float"}
    assert {r["faktoren_geld"].value for r in rows} == {"3"}
    evil = [r["sonst"] for r in rows if r["sonst"].shown.startswith("=")][0]
    assert evil.type == "string" and not evil.formula
    book = records(codebook)
    columns = {row["Spalte"].shown: row for row in book}
    assert set(columns) == set(HEADER[1:])
    assert columns["rolle"]["Frage"].shown == "Welche Rolle?"
    assert "a = Mitglied" in columns["rolle"]["Optionen"].shown
    assert "c = Gast" in columns["wege_c"]["Optionen"].shown
    assert columns["faktoren_vertrauen"]["Optionen"].shown.startswith("vertrauen = Vertrauen")
    assert columns["rolle"]["Versionen"].shown == "1"


def test_codebook_names_every_version_of_a_question(coordinator_client, survey):
    second = new_version(survey)
    add_question(survey, "rolle", "single", version=second, text="Welche Rolle (neu)?")
    for _ in range(2):
        respond(survey, {"rolle": "b"})
    sheets = read_xlsx(coordinator_client.get(f"/surveys/{survey.pk}/results/export.xlsx").content)
    columns = {row["Spalte"].shown: row for row in records(sheets["Codebuch"])}
    assert columns["rolle"]["Versionen"].shown == "1, 2"
    rows = records(sheets["Antworten"])
    assert sorted(int(r["Version"].value) for r in rows) == [1, 1, 1, 1, 1, 2, 2]


def test_identified_export_names_the_respondent(coordinator_client):
    survey = make_survey(anonymity="identified")
    add_question(survey, "rolle", "single")
    for n in range(2):
        respond(survey, {"rolle": "a"}, respondent=UserFactory(first_name="Ina", last_name=f"B{n}"))
    header, *rows = _csv_rows(coordinator_client, survey)
    assert header[:3] == ["Version", "Befragte Person", "Unternehmen"]
    assert sorted(r[1] for r in rows) == ["Ina B0", "Ina B1"]


def test_anonymous_export_of_fewer_than_five_is_refused(coordinator_client):
    survey = make_survey()
    add_question(survey, "rolle", "single")
    for _ in range(4):
        respond(survey, {"rolle": "a"})
    for suffix in ("csv", "xlsx"):
        response = coordinator_client.get(f"/surveys/{survey.pk}/results/export.{suffix}")
        assert response.status_code == 302
        assert response["Location"] == f"/surveys/{survey.pk}/results/"
