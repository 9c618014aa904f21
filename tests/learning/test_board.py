"""The cycle board: every organisation's submitted report side by side, filtered by actor type
and tag, who has not reported, and the one-click reminder (once a day)."""

import email
from datetime import timedelta
from email import policy

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from learning.board import services
from learning.models import ReportReminder
from regiolab.mail import deliver_new
from regiolab.mail.models import OutboundEmail
from tests.learning import board_support as s
from tests.support.html_tree import parse

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(coordinator):
    programme = s.programme(coordinator)
    cycle = programme.cycles.get(number=1)
    rep, alpha = s.participant(programme, name="Alpha Fräs GmbH", actor_type="firm")
    town = s.organisation(programme, name="Stadt Ronnenberg", actor_type="public_sector")
    school = s.organisation(programme, name="BBS Metall", actor_type="education", people=2)
    drafting = s.organisation(programme, name="Delta Draft KG", actor_type="firm")
    still = s.organisation(programme, name="Zeta Still GmbH", actor_type="support")
    s.full_report(cycle, alpha, prefix="Alpha")
    s.full_report(cycle, town, prefix="Stadt")
    s.report(cycle, drafting, status="draft", items=[("obstacle", "GEHEIMER Entwurf")])
    return {
        "programme": programme,
        "cycle": cycle,
        "rep": rep,
        "alpha": alpha,
        "town": town,
        "school": school,
        "drafting": drafting,
        "still": still,
    }


def board_url(world, query=""):
    return f"/learning/{world['programme'].slug}/cycles/1/{query}"


def remind_url(world, org, number=1):
    return f"/learning/{world['programme'].slug}/cycles/{number}/reminders/{org.pk}/"


def section(page, key):
    return page.select_one(f'section[aria-labelledby="board-{key}"]')


def names_in(section_element):
    return [h.get_text(strip=True) for h in section_element.find_all("h3")]


def test_coordinator_sees_submitted_reports_side_by_side_by_section(
    coordinator_client, world, english
):
    response = coordinator_client.get(board_url(world))
    assert response.status_code == 200
    page = parse(response.content)
    headings = [h.get_text(" ", strip=True) for h in page.find_all("h2")]
    assert headings[:4] == [
        "Activities (2 entries)",
        "Challenges (2 entries)",
        "Obstacles (2 entries)",
        "Opportunities (2 entries)",
    ]
    for key, word in (
        ("activity", "Aktivität"),
        ("challenge", "Herausforderung"),
        ("obstacle", "Hindernis"),
        ("opportunity", "Chance"),
    ):
        part = section(page, key)
        # Both submitted reports, in German name order; never the draft.
        assert names_in(part) == ["Alpha Fräs GmbH", "Stadt Ronnenberg"]
        text = part.get_text(" ")
        assert f"Alpha {word}" in text and f"Stadt {word}" in text
    assert "GEHEIMER Entwurf" not in response.content.decode()
    assert "2 of 5 organisations" in page.get_text(" ")
    # The obstacle's tag is shown, and the coordinator may tag or link it.
    obstacles = section(page, "obstacle")
    assert "Fachkräfte" in obstacles.get_text(" ")
    assert "Tag or link" in obstacles.get_text(" ")
    assert "Tag or link" not in section(page, "activity").get_text(" ")


def test_missing_list_names_who_has_not_submitted_with_a_reminder_button(
    coordinator_client, world, english
):
    page = parse(coordinator_client.get(board_url(world)).content)
    table = page.select_one('section[aria-labelledby="missing-heading"] table')
    rows = {
        row.find("th").get_text(strip=True): row.get_text(" ", strip=True)
        for row in table.find("tbody").find_all("tr")
    }
    assert list(rows) == ["BBS Metall", "Delta Draft KG", "Zeta Still GmbH"]
    assert "draft begun" in rows["Delta Draft KG"]
    assert "not begun" in rows["BBS Metall"]
    # Each button posts the one form outside the cached part (it holds the CSRF token).
    buttons = table.find_all("button")
    assert {b["form"] for b in buttons} == {"board-actions"}
    assert page.select_one('form[id="board-actions"] input[name="csrfmiddlewaretoken"]')
    assert [b["formaction"] for b in buttons] == [
        remind_url(world, world["school"]),
        remind_url(world, world["drafting"]),
        remind_url(world, world["still"]),
    ]


def test_participant_reads_the_submitted_reports_but_not_who_is_late(world, english):
    client = Client()
    client.force_login(world["rep"])
    response = client.get(board_url(world))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Stadt Hindernis" in html  # another organisation's submitted report
    assert "GEHEIMER Entwurf" not in html  # a draft, even on the participant's own programme
    assert "missing-heading" not in html and "reminders/" not in html
    assert "Tag or link" not in html


def test_without_shared_reports_participants_get_403(world):
    world["programme"].shared_reports = False
    world["programme"].save()
    client = Client()
    client.force_login(world["rep"])
    assert client.get(board_url(world)).status_code == 403


def test_outsiders_get_404_and_anonymous_the_login(world, coordinator):
    other = s.programme(coordinator, title="Anderes Programm")
    outsider, _org = s.participant(other, name="Fremd GmbH")
    client = Client()
    assert client.get(board_url(world))["Location"].startswith("/accounts/login/")
    client.force_login(outsider)
    assert client.get(board_url(world)).status_code == 404
    # A cycle that does not exist, for a coordinator.
    staff = Client()
    staff.force_login(coordinator)
    assert staff.get(f"/learning/{world['programme'].slug}/cycles/9/").status_code == 404


def test_filter_by_actor_type(coordinator_client, world):
    page = parse(coordinator_client.get(board_url(world, "?actor_type=public_sector")).content)
    for key in ("activity", "obstacle"):
        assert names_in(section(page, key)) == ["Stadt Ronnenberg"]
    # The missing list stays whole: it answers "who has not reported".
    assert "Zeta Still GmbH" in page.get_text(" ")


def test_filter_by_tag_shows_only_matching_entries(coordinator_client, world):
    tag = world["programme"].tags.get(name="Fachkräfte")
    page = parse(coordinator_client.get(board_url(world, f"?tag={tag.pk}")).content)
    obstacles = section(page, "obstacle")
    assert names_in(obstacles) == ["Alpha Fräs GmbH", "Stadt Ronnenberg"]
    assert names_in(section(page, "opportunity")) == []
    assert names_in(section(page, "activity")) == []
    assert "Alpha Chance" not in page.get_text(" ")


def test_filter_works_by_htmx_and_without_js(coordinator_client, world):
    page = parse(coordinator_client.get(board_url(world)).content)
    form = page.select_one("form.filter-bar")
    # Without JavaScript the form is an ordinary GET form; htmx swaps #board-results.
    assert form["method"] == "get"
    assert form["hx-target"] == "#board-results"
    assert page.select_one('div[id="board-results"]') is not None
    response = coordinator_client.get(
        board_url(world, "?actor_type=public_sector"), HTTP_HX_REQUEST="true"
    )
    results = parse(response.content).select_one('div[id="board-results"]')
    assert "Stadt Hindernis" in results.get_text(" ")
    assert "Alpha Hindernis" not in results.get_text(" ")


@pytest.mark.parametrize(
    "query",
    [
        "?actor_type=dragon",
        "?tag=999999",
        "?tag=<script>",
        "?tag=1%00",
        "?actor_type=" + "x" * 5000,
    ],
)
def test_bad_filter_values_are_refused_and_ignored(coordinator_client, world, query, english):
    response = coordinator_client.get(board_url(world, query))
    assert response.status_code == 200
    page = parse(response.content)
    errors = page.select_one("form.filter-bar .errorlist")
    assert errors is not None and errors.get_text(strip=True)
    # Nothing was filtered away.
    assert names_in(section(page, "obstacle")) == ["Alpha Fräs GmbH", "Stadt Ronnenberg"]


def test_another_programmes_tag_is_no_choice(coordinator_client, world, coordinator):
    other = s.programme(coordinator, title="Anderes Programm")
    foreign = other.tags.create(name="Fremd")
    page = parse(coordinator_client.get(board_url(world, f"?tag={foreign.pk}")).content)
    assert page.select_one("form.filter-bar .errorlist") is not None
    assert names_in(section(page, "obstacle")) == ["Alpha Fräs GmbH", "Stadt Ronnenberg"]


# --- The one-click reminder -------------------------------------------------------------------


def test_reminder_emails_the_organisations_people_once(
    coordinator_client, world, django_capture_on_commit_callbacks, settings
):
    settings.LANGUAGE_CODE = "en"
    school = world["school"]
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(remind_url(world, school), follow=True)
    assert response.redirect_chain[-1][0].endswith("/cycles/1/#missing-heading")
    assert "BBS Metall was reminded of its report by e-mail." in response.content.decode()
    reminder = ReportReminder.objects.get()
    assert (reminder.organisation, reminder.sent_on) == (school, timezone.localdate())
    deliver_new()
    messages = [
        email.message_from_bytes(m.message().as_bytes(), policy=policy.default) for m in mail.outbox
    ]
    assert sorted(m["To"] for m in messages) == sorted(p.email for p in school.people.all())
    programme = world["programme"]
    # In the learning workshop's language (German here), whatever the coordinator's.
    for message in messages:
        assert message["Subject"].strip() == (
            f"Erinnerung: Ihr Bericht für Zyklus 1 von {programme.title}"
        )
        text = " ".join(message.get_body(("plain",)).get_content().split())
        assert "der Bericht von BBS Metall für Zyklus 1" in text
        assert f"/learning/{programme.slug}/cycles/1/report/" in text
        html = message.get_body(("html",)).get_content()
        assert f"/learning/{programme.slug}/cycles/1/report/</a>" in html
    # The board now says when it was sent instead of offering the button.
    page = parse(response.content)
    row = next(
        r
        for r in page.select_one('section[aria-labelledby="missing-heading"]').find_all("tr")
        if r.find("th") and r.find("th").get_text(strip=True) == "BBS Metall"
    )
    assert "Reminded today at" in row.get_text(" ") and row.find("button") is None


def test_second_click_the_same_day_says_when_and_sends_nothing(coordinator_client, world, settings):
    settings.LANGUAGE_CODE = "en"
    coordinator_client.post(remind_url(world, world["school"]))
    emails = OutboundEmail.objects.count()
    sent_at = timezone.localtime(ReportReminder.objects.get().sent_at).strftime("%H:%M")
    response = coordinator_client.post(remind_url(world, world["school"]), follow=True)
    text = " ".join(response.content.decode().split())
    assert "BBS Metall was already reminded today at" in text
    assert "nothing was sent" in text
    assert ReportReminder.objects.count() == 1
    assert OutboundEmail.objects.count() == emails
    hours, minutes = sent_at.split(":")
    assert f"{int(hours)}:{minutes}" in text or sent_at in text


def test_reminder_again_on_the_next_day(coordinator, world):
    services.send_report_reminder(
        cycle=world["cycle"], organisation=world["school"], sent_by=coordinator
    )
    ReportReminder.objects.update(sent_on=timezone.localdate() - timedelta(days=1))
    services.send_report_reminder(
        cycle=world["cycle"], organisation=world["school"], sent_by=coordinator
    )
    assert ReportReminder.objects.count() == 2
    assert OutboundEmail.objects.count() == 4  # two people, two days


def _refused(coordinator, world, org, cycle=None) -> str:
    before = (ReportReminder.objects.count(), OutboundEmail.objects.count())
    with pytest.raises(services.ValidationError) as caught:
        services.send_report_reminder(
            cycle=cycle or world["cycle"], organisation=org, sent_by=coordinator
        )
    assert (ReportReminder.objects.count(), OutboundEmail.objects.count()) == before
    return " ".join(caught.value.messages)


def test_reminder_refused_for_a_submitted_report(coordinator, world, english):
    assert "already submitted" in _refused(coordinator, world, world["alpha"])


def test_reminder_refused_for_a_closed_programme(coordinator, world, english):
    world["programme"].status = "closed"
    world["programme"].save()
    assert "closed" in _refused(coordinator, world, world["school"])


def test_reminder_refused_once_the_workshop_has_begun(coordinator, world, english):
    workshop = world["cycle"].workshop
    type(workshop).objects.filter(pk=workshop.pk).update(
        starts_at=timezone.now() - timedelta(hours=1)
    )
    world["cycle"].refresh_from_db()
    assert "has begun" in _refused(coordinator, world, world["school"])


def test_reminder_refused_without_people(coordinator, world, english):
    world["school"].people.all().delete()
    assert "no people" in _refused(coordinator, world, world["school"])


def test_reminder_refused_for_an_organisation_of_another_programme(coordinator, world, english):
    other = s.programme(coordinator, title="Anderes Programm")
    foreign = s.organisation(other, name="Fremd GmbH")
    assert "does not take part" in _refused(coordinator, world, foreign)


def test_reminder_post_for_another_programmes_organisation_is_404(
    coordinator_client, world, coordinator
):
    other = s.programme(coordinator, title="Anderes Programm")
    foreign = s.organisation(other, name="Fremd GmbH")
    assert coordinator_client.post(remind_url(world, foreign)).status_code == 404
    assert not ReportReminder.objects.exists()


def test_reminder_is_for_coordinators_only(world):
    client = Client()
    client.force_login(world["rep"])
    assert client.post(remind_url(world, world["school"])).status_code == 403
    assert client.get(remind_url(world, world["school"])).status_code == 405
    assert not OutboundEmail.objects.exists()


def test_board_in_german_by_default(coordinator_client, world):
    html = coordinator_client.get(board_url(world)).content.decode()
    assert "Noch nicht eingereicht" in html
    assert "Erinnerung senden" in html
    assert "Hindernisse" in html


def test_reminder_in_english_for_an_english_workshop(coordinator, world, settings):
    workshop = world["cycle"].workshop
    type(workshop).objects.filter(pk=workshop.pk).update(language="en")
    world["cycle"].refresh_from_db()
    services.send_report_reminder(
        cycle=world["cycle"], organisation=world["still"], sent_by=coordinator
    )
    [row] = OutboundEmail.objects.all()
    assert row.subject == f"Reminder: your report for cycle 1 of {world['programme'].title}"
    assert "Hello Petra Person0," in row.body_text


# --- The cached board ---------------------------------------------------------------------------


def test_cached_board_follows_every_change_it_shows(coordinator_client, world):
    url = board_url(world)
    assert "BBS Metall" not in names_in(
        section(parse(coordinator_client.get(url).content), "activity")
    )
    # A report submitted, a finding tagged by the form, a company renamed: each shows at once.
    s.full_report(world["cycle"], world["school"], prefix="Schule")
    page = parse(coordinator_client.get(url).content)
    assert names_in(section(page, "activity")) == [
        "Alpha Fräs GmbH",
        "BBS Metall",
        "Stadt Ronnenberg",
    ]
    item = world["cycle"].reports.get(organisation=world["town"]).items.get(section="obstacle")
    coordinator_client.post(
        f"/learning/{world['programme'].slug}/findings/{item.pk}/", {"new_tags": "Wohnraum"}
    )
    assert "Wohnraum" in section(parse(coordinator_client.get(url).content), "obstacle").get_text()
    company = world["town"].company
    company.name = "Stadt Ronnenberg (Rathaus)"
    company.save(update_fields=["name"])
    assert "Stadt Ronnenberg (Rathaus)" in names_in(
        section(parse(coordinator_client.get(url).content), "activity")
    )


def test_cached_board_keeps_the_coordinators_links_to_coordinators(coordinator_client, world):
    # German, the default language: the coordinator's board (now cached) has the links.
    assert (
        "Verschlagworten oder verknüpfen"
        in coordinator_client.get(board_url(world)).content.decode()
    )
    client = Client()
    client.force_login(world["rep"])
    html = client.get(board_url(world)).content.decode()
    assert "Verschlagworten oder verknüpfen" not in html and "/findings/" not in html


def test_an_odd_spelling_of_a_filter_is_answered_uncached_and_right(coordinator_client, world):
    tag = world["programme"].tags.get(name="Fachkräfte")
    page = parse(coordinator_client.get(board_url(world, f"?tag={tag.pk}")).content)
    selected = page.select_one('select[name="tag"] option[selected]')
    assert selected is not None and selected.get_text(strip=True) == "Fachkräfte"
    # The same filter spelt "007": the same entries, and the form as it was sent.
    page = parse(coordinator_client.get(board_url(world, f"?tag=00{tag.pk}")).content)
    assert names_in(section(page, "opportunity")) == []
    assert names_in(section(page, "obstacle")) == ["Alpha Fräs GmbH", "Stadt Ronnenberg"]


def test_no_reminder_button_once_the_workshop_has_begun(coordinator_client, world, english):
    workshop = world["cycle"].workshop
    type(workshop).objects.filter(pk=workshop.pk).update(
        starts_at=timezone.now() - timedelta(hours=1)
    )
    page = parse(coordinator_client.get(board_url(world)).content)
    missing = page.select_one('section[aria-labelledby="missing-heading"]')
    assert missing.find("button") is None
    assert "Reports are no longer due." in missing.get_text(" ")


def test_a_warm_unfiltered_board_builds_no_filter(coordinator_client, world, monkeypatch):
    """The filter form lives in the cached part: a warm board without a query string does not
    build it; a filtered one (cleaned values in the key) and a cold one do."""
    from learning.board import views

    built = []
    original = views.BoardFilter.__init__

    def counting(self, *args, **kwargs):
        built.append(args[0] if args else None)
        original(self, *args, **kwargs)

    monkeypatch.setattr(views.BoardFilter, "__init__", counting)
    cold = parse(coordinator_client.get(board_url(world)).content)
    assert len(built) == 1 and cold.select_one('select[name="actor_type"]') is not None
    warm = parse(coordinator_client.get(board_url(world)).content)
    assert len(built) == 1 and warm.select_one('select[name="actor_type"]') is not None
    assert names_in(section(warm, "activity")) == ["Alpha Fräs GmbH", "Stadt Ronnenberg"]
    filtered = parse(coordinator_client.get(board_url(world, "?actor_type=firm")).content)
    assert len(built) == 2
    assert names_in(section(filtered, "activity")) == ["Alpha Fräs GmbH"]
