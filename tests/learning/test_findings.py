"""Findings across cycles: the evolution (new, persisting, resolved) by actor type and size
class, its table and SVG chart, and the coordinators' tags and links."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.test import Client

from learning.board import services
from learning.board.selectors import findings_evolution
from learning.models import FindingTag, ReportItem
from tests.learning import board_support as s
from tests.support.html_tree import parse

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def story(coordinator):
    """Three cycles. Cycle 1: firm A (small) has obstacle O1 and opportunity P1; the town B
    (a large public body) obstacle O2. Cycle 2: A continues O1 (persisting), reports a new
    obstacle O3 and does not carry P1 on (resolved in cycle 2); B submits nothing. Cycle 3: B
    continues O2 and marks it resolved; A continues O3 again (persisting), and O1's line
    ends (resolved in cycle 3); a draft's finding never counts."""
    programme = s.programme(coordinator)
    c1, c2, c3 = (programme.cycles.get(number=n) for n in (1, 2, 3))
    a = s.organisation(programme, name="Alpha Fräs GmbH", actor_type="firm", size="small")
    b = s.organisation(programme, name="Stadt Seelze", actor_type="public_sector", size="large")
    late = s.organisation(programme, name="Zögerlich KG", actor_type="firm", size="micro")
    _r, (o1, p1) = s.report(c1, a, items=[("obstacle", "O1"), ("opportunity", "P1")])
    _r, (o2, act) = s.report(c1, b, items=[("obstacle", "O2"), ("activity", "Aktivität")])
    _r, (o1b, o3) = s.report(
        c2, a, items=[("obstacle", "O1 weiter", {"follows": o1}), ("obstacle", "O3")]
    )
    _r, (o2c,) = s.report(
        c3, b, items=[("obstacle", "O2 gelöst", {"follows": o2, "resolved": True})]
    )
    _r, (o3c,) = s.report(c3, a, items=[("obstacle", "O3 weiter", {"follows": o3})])
    s.report(c3, late, status="draft", items=[("obstacle", "Entwurf")])
    return {
        "programme": programme,
        "cycles": (c1, c2, c3),
        "a": a,
        "b": b,
        "items": {"o1": o1, "p1": p1, "o2": o2, "o1b": o1b, "o3": o3, "o2c": o2c, "o3c": o3c},
        "activity": act,
    }


def counts(new=0, persisting=0, resolved=0):
    return {"new": new, "persisting": persisting, "resolved": resolved}


def test_evolution_counts_new_persisting_and_resolved(story):
    evolution = findings_evolution(story["programme"])
    assert evolution["cycles"] == [1, 2, 3]
    totals = evolution["totals"]
    assert totals[1] == {"obstacle": counts(new=2), "opportunity": counts(new=1)}
    # O1 → persisting, O3 new; P1 not carried on by A's cycle-2 report → resolved.
    # O2: B did not report in cycle 2, so nothing is known about it there.
    assert totals[2] == {
        "obstacle": counts(new=1, persisting=1),
        "opportunity": counts(resolved=1),
    }
    # O2 marked resolved; O3 persisting; O1's continuation (cycle 2) dropped in cycle 3.
    assert totals[3] == {
        "obstacle": counts(persisting=1, resolved=2),
        "opportunity": counts(),
    }


def test_evolution_by_actor_type_and_size_class(story):
    evolution = findings_evolution(story["programme"])
    actor = evolution["by_actor_type"]
    assert set(actor) == {"firm", "public_sector", "education", "support"}
    assert actor["firm"][1]["obstacle"] == counts(new=1)
    assert actor["public_sector"][1]["obstacle"] == counts(new=1)
    assert actor["public_sector"][3]["obstacle"] == counts(resolved=1)
    assert actor["firm"][3]["obstacle"] == counts(persisting=1, resolved=1)
    assert actor["education"][1] == {"obstacle": counts(), "opportunity": counts()}
    size = evolution["by_size_class"]
    assert set(size) == {"micro", "small", "medium", "large"}
    assert size["small"][2] == {
        "obstacle": counts(new=1, persisting=1),
        "opportunity": counts(resolved=1),
    }
    assert size["large"][3]["obstacle"] == counts(resolved=1)
    # The draft of the micro firm counts nowhere.
    assert all(
        size["micro"][n][section] == counts() for n in (1, 2, 3) for section in size["micro"][n]
    )
    # Every breakdown adds up to the totals.
    for breakdown in (actor, size):
        for n in (1, 2, 3):
            for section in ("obstacle", "opportunity"):
                for status in ("new", "persisting", "resolved"):
                    assert (
                        sum(per[n][section][status] for per in breakdown.values())
                        == evolution["totals"][n][section][status]
                    )


def test_evolution_runs_three_queries(story, django_assert_num_queries):
    with django_assert_num_queries(3):
        findings_evolution(story["programme"])


def test_evolution_of_a_programme_without_reports(coordinator):
    programme = s.programme(coordinator)
    evolution = findings_evolution(programme)
    assert evolution["totals"][1] == {"obstacle": counts(), "opportunity": counts()}
    html = render_to_string("learning/partials/findings_evolution.html", {"evolution": evolution})
    assert "<svg" in html


def _svg(html: str, section: str) -> ET.Element:
    match = re.search(
        rf'<svg role="img" aria-labelledby="evolution-chart-title-{section}.*?</svg>', html, re.S
    )
    assert match, f"no chart for {section}"
    # Our own rendered template, not outside input.
    return ET.fromstring(  # noqa: S314
        match.group(0).replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
    )


def test_partial_draws_a_chart_with_a_text_alternative_and_a_table(story, english):
    html = render_to_string(
        "learning/partials/findings_evolution.html",
        {"evolution": findings_evolution(story["programme"])},
    )
    svg = _svg(html, "obstacle")
    title = svg.find(f"{SVG}title").text
    desc = svg.find(f"{SVG}desc").text
    assert title == "obstacles across the cycles"
    # The text alternative names every figure.
    assert desc == (
        "obstacles per cycle – cycle 1: 2 new, 0 persisting, 0 resolved; "
        "cycle 2: 1 new, 1 persisting, 0 resolved; cycle 3: 0 new, 1 persisting, 2 resolved."
    )
    bars = [r for r in svg.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert len(bars) == 9  # 3 cycles × new, persisting, resolved
    heights = {r.find(f"{SVG}title").text: float(r.get("height")) for r in bars}
    # Heights are proportional to the counts, on one baseline, inside the drawing.
    unit = heights["Cycle 1, new: 2"] / 2
    assert unit > 0
    assert heights["Cycle 3, resolved: 2"] == pytest.approx(2 * unit)
    assert heights["Cycle 2, persisting: 1"] == pytest.approx(unit)
    assert heights["Cycle 1, persisting: 0"] == 0
    width, height = (float(v) for v in svg.get("viewBox").split()[2:])
    for rect in bars:
        x, y = float(rect.get("x")), float(rect.get("y"))
        assert x >= 0 and x + float(rect.get("width")) <= width
        assert y >= 0 and y + float(rect.get("height")) <= height
        assert y + float(rect.get("height")) == pytest.approx(210)
    # The table holds the same figures, with the breakdowns.
    page = parse(html)
    table = page.select_one("table.evolution-table")
    assert "obstacles: new, persisting and resolved per cycle" in table.caption.get_text(" ")
    rows = {
        r.find("th").get_text(strip=True): [td.get_text(strip=True) for td in r.find_all("td")]
        for r in table.find_all("tr")
        if r.find("th") and r.find("th").get("scope") == "row"
    }
    assert rows["Total"] == ["2", "0", "0", "1", "1", "0", "0", "1", "2"]
    assert rows["firm"] == ["1", "0", "0", "1", "1", "0", "0", "1", "1"]
    assert rows["large enterprise"] == ["1", "0", "0", "0", "0", "0", "0", "0", "1"]


# --- Tagging and linking ------------------------------------------------------------------------


def test_update_finding_tags_and_links(story):
    item = story["items"]["o3"]
    existing = FindingTag.objects.create(programme=story["programme"], name="Fachkräfte")
    services.update_finding(
        item=item,
        tags=[existing],
        new_tags=["fachkräfte", "Ausbildung"],
        follows=story["items"]["o1"],
    )
    item.refresh_from_db()
    assert sorted(t.name for t in item.tags.all()) == ["Ausbildung", "Fachkräfte"]
    assert FindingTag.objects.filter(programme=story["programme"]).count() == 2
    assert item.follows == story["items"]["o1"]


@pytest.mark.parametrize(
    ("target", "follows", "message"),
    [
        ("o1", "o3", "earlier cycle"),  # a later cycle
        ("o3", "o1b", "earlier cycle"),  # the same cycle
        ("o3", "o3", "earlier cycle"),  # itself
    ],
)
def test_update_finding_refuses_a_bad_link(story, target, follows, message, english):
    item = story["items"][target]
    before = item.follows_id
    with pytest.raises(ValidationError) as caught:
        services.update_finding(item=item, tags=[], follows=story["items"][follows])
    assert message in " ".join(caught.value.messages)
    item.refresh_from_db()
    assert item.follows_id == before


def test_update_finding_refuses_another_programmes_items_and_tags(story, coordinator, english):
    other = s.programme(coordinator, title="Anderes Programm")
    org = s.organisation(other, name="Fremd GmbH")
    _r, (foreign,) = s.report(other.cycles.get(number=1), org, items=[("obstacle", "Fremd")])
    item = story["items"]["o3"]
    with pytest.raises(ValidationError):
        services.update_finding(item=item, tags=[], follows=foreign)
    foreign_tag = FindingTag.objects.create(programme=other, name="Fremd")
    with pytest.raises(ValidationError):
        services.update_finding(item=item, tags=[foreign_tag])
    assert not item.tags.exists() and ReportItem.objects.get(pk=item.pk).follows_id is None


def test_update_finding_refuses_activities(story, english):
    with pytest.raises(ValidationError, match="Only obstacles and opportunities"):
        services.update_finding(item=story["activity"], tags=[], new_tags=["X"])
    assert not FindingTag.objects.exists()


def edit_url(story, key):
    return f"/learning/{story['programme'].slug}/findings/{story['items'][key].pk}/"


def test_findings_page_shows_the_evolution_and_every_finding(coordinator_client, story, english):
    response = coordinator_client.get(f"/learning/{story['programme'].slug}/findings/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="img"' in html and "<desc" in html
    page = parse(html)
    table = page.select_one('div[id="findings-results"] table')
    texts = [r.find_all("td")[3].get_text(strip=True) for r in table.find("tbody").find_all("tr")]
    assert texts == ["O1", "P1", "O2", "O1 weiter", "O3", "O3 weiter", "O2 gelöst"]
    assert "Entwurf" not in html and "Aktivität" not in html


def test_findings_page_filters(coordinator_client, story):
    url = f"/learning/{story['programme'].slug}/findings/"
    page = parse(coordinator_client.get(url + "?cycle=2&unlinked=true").content)
    rows = page.select_one('div[id="findings-results"] tbody').find_all("tr")
    assert [r.find_all("td")[3].get_text(strip=True) for r in rows] == ["O3"]
    page = parse(coordinator_client.get(url + "?cycle=abc").content)
    assert page.select_one("form.filter-bar .errorlist") is not None


def test_edit_form_tags_and_links_and_returns_to_the_board(coordinator_client, story):
    item = story["items"]["o3"]
    board = f"/learning/{story['programme'].slug}/cycles/2/#item-{item.pk}"
    response = coordinator_client.post(
        edit_url(story, "o3"),
        {"new_tags": "Fachkräfte, Wohnraum", "follows": story["items"]["o1"].pk, "next": board},
    )
    assert response.status_code == 302 and response["Location"] == board
    item.refresh_from_db()
    assert sorted(t.name for t in item.tags.all()) == ["Fachkräfte", "Wohnraum"]
    assert item.follows == story["items"]["o1"]
    # An address outside the programme is never a way back.
    response = coordinator_client.post(
        edit_url(story, "o3"), {"new_tags": "", "next": "https://evil.example/"}
    )
    assert response["Location"] == f"/learning/{story['programme'].slug}/findings/"


def test_edit_form_offers_only_earlier_findings(coordinator_client, story):
    page = parse(coordinator_client.get(edit_url(story, "o1b")).content)
    options = [
        o.get_text(strip=True)
        for o in page.select('select[name="follows"] option')
        if o.get("value")
    ]
    assert len(options) == 3  # O1, P1 and O2 of cycle 1
    assert all(o.startswith("Zyklus 1") or o.startswith("Cycle 1") for o in options)


@pytest.mark.parametrize(
    "data",
    [
        {"follows": "999999"},
        {"follows": "not-a-number"},
        {"new_tags": "x" * 61},
        {"new_tags": "a\x00b"},
        {"new_tags": "Esc\x1bape"},
        {"new_tags": ",".join(f"t{i}" for i in range(11))},
        {"new_tags": "y" * 701},
        {"tags": "999999"},
    ],
)
def test_edit_form_refuses_bad_input_and_changes_nothing(coordinator_client, story, data):
    item = story["items"]["o1b"]
    response = coordinator_client.post(edit_url(story, "o1b"), data)
    assert response.status_code == 200
    page = parse(response.content)
    assert page.select_one(".errorlist") is not None or page.select_one(".form-errors")
    item.refresh_from_db()
    assert item.follows == story["items"]["o1"]
    assert not FindingTag.objects.exists()


def test_edit_form_for_a_later_cycles_link_is_refused(coordinator_client, story):
    item = story["items"]["o1"]
    response = coordinator_client.post(edit_url(story, "o1"), {"follows": story["items"]["o3"].pk})
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.follows is None


def test_findings_pages_are_for_coordinators(story, coordinator):
    user, _org = s.participant(story["programme"], name="Teilnehmer GmbH")
    client = Client()
    client.force_login(user)
    findings = f"/learning/{story['programme'].slug}/findings/"
    assert client.get(findings).status_code == 403
    assert client.get(edit_url(story, "o3")).status_code == 403
    assert client.post(edit_url(story, "o3"), {"new_tags": "X"}).status_code == 403
    assert not FindingTag.objects.exists()
    other = s.programme(coordinator, title="Anderes Programm")
    outsider, _org = s.participant(other, name="Fremd GmbH")
    client.force_login(outsider)
    assert client.get(findings).status_code == 404
    # An activity, or an item of another programme, is no finding to edit: 404.
    staff = Client()
    staff.force_login(coordinator)
    activity = f"/learning/{story['programme'].slug}/findings/{story['activity'].pk}/"
    assert staff.get(activity).status_code == 404
