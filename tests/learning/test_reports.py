"""The organisations' own cycle reports: items in four sections with tags, draft and submit,
changes until the workshop starts, findings continued from an earlier cycle and resolved;
who reads which report. Every refusal says why and changes nothing."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from learning.homework import services
from learning.homework.services import ItemInput
from learning.models import CycleReport, FindingTag, LearningProgramme, ReportItem
from tests.factories import UserFactory
from tests.learning.support import add_organisation, build_programme

pytestmark = pytest.mark.django_db
SECTIONS = ("activity", "challenge", "obstacle", "opportunity")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def report_url(world, number=1) -> str:
    return f"/learning/{world.programme.slug}/cycles/{number}/report/"


def reports_url(world, number=1) -> str:
    return f"/learning/{world.programme.slug}/cycles/{number}/reports/"


def form_data(rows: dict, action="draft") -> dict:
    """The report form's POST: ``rows`` maps a section to its rows (dicts of field values)."""
    data = {"action": action}
    for section in SECTIONS:
        items = rows.get(section, [])
        data[f"{section}-TOTAL_FORMS"] = str(len(items))
        data[f"{section}-INITIAL_FORMS"] = str(sum(1 for i in items if i.get("id")))
        data[f"{section}-MIN_NUM_FORMS"] = "0"
        data[f"{section}-MAX_NUM_FORMS"] = "30"
        for n, item in enumerate(items):
            for key, value in item.items():
                data[f"{section}-{n}-{key}"] = value
    return data


def state():
    return (
        list(CycleReport.objects.values_list("pk", "status", "submitted_at")),
        list(ReportItem.objects.values_list("pk", "section", "text", "follows", "resolved")),
        list(FindingTag.objects.values_list("pk", "name")),
    )


def test_a_participant_writes_a_draft_then_submits_it(lp):
    client = signed_in(lp.users[0])
    page = client.get(report_url(lp)).content.decode()
    for legend in ("Aktivitäten", "Herausforderungen", "Hindernisse", "Chancen"):
        assert legend in page
    FindingTag.objects.create(programme=lp.programme, name="Ausbildung")
    response = client.post(
        report_url(lp),
        form_data({
            "activity": [{"text": "Zwei Azubis eingestellt", "tags": "ausbildung, Recruiting"}],
            "obstacle": [{"text": "Zu wenig Bewerbungen", "tags": "Recruiting"}, {"text": ""}],
        }),
    )  # fmt: skip
    assert response.status_code == 302
    report = CycleReport.objects.get()
    assert (report.organisation, report.status) == (lp.organisations[0], "draft")
    items = list(report.items.order_by("section", "position"))
    assert [(i.section, i.text) for i in items] == [
        ("activity", "Zwei Azubis eingestellt"),
        ("obstacle", "Zu wenig Bewerbungen"),
    ]
    # Tags are the programme's, matched by name ignoring case, created where missing.
    assert sorted(FindingTag.objects.values_list("name", flat=True)) == ["Ausbildung", "Recruiting"]
    assert sorted(t.name for t in items[0].tags.all()) == ["Ausbildung", "Recruiting"]

    activity, obstacle = items
    response = client.post(
        report_url(lp),
        form_data({
            "activity": [{"id": activity.pk, "text": activity.text, "tags": "Ausbildung"}],
            "obstacle": [{"id": obstacle.pk, "text": obstacle.text, "remove": "on"}],
            "opportunity": [{"text": "Kooperation mit der BBS"}],
        }, action="submit"),
    )  # fmt: skip
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "submitted" and report.submitted_at
    assert [(i.section, i.text) for i in report.items.order_by("section")] == [
        ("activity", "Zwei Azubis eingestellt"),
        ("opportunity", "Kooperation mit der BBS"),
    ]
    assert "Änderungen speichern" in client.get(report_url(lp)).content.decode()


def test_submitting_an_empty_report_is_refused(lp):
    response = signed_in(lp.users[0]).post(report_url(lp), form_data({}, action="submit"))
    assert response.status_code == 200
    assert "mindestens einen Eintrag" in response.content.decode()
    assert state() == ([], [], [])


def test_hostile_and_malformed_input_changes_nothing(lp, coordinator):
    other = build_programme(coordinator, title="Anderswo", organisations=1)
    foreign = services.save_report(
        cycle=other.cycles[0], organisation=other.organisations[0], user=other.users[0],
        items=[ItemInput(section="obstacle", text="Fremd")],
    ).items.get()  # fmt: skip
    client = signed_in(lp.users[0])
    client.post(report_url(lp), form_data({"activity": [{"text": "Eigenes"}]}))
    before = state()
    for data in (
        # Someone else's item id smuggled into the form.
        form_data({"obstacle": [{"id": foreign.pk, "text": "Gekapert"}]}),
        # Too many tags, a tag too long, a broken management form, far too many rows.
        form_data({"activity": [{"text": "x", "tags": ",".join(f"t{i}" for i in range(11))}]}),
        form_data({"activity": [{"text": "x", "tags": "y" * 61}]}),
        {"action": "submit", "activity-TOTAL_FORMS": "abc"},
        form_data({"activity": [{"text": f"x{i}"} for i in range(40)]}),
        form_data({"activity": [{"text": "zeile\x00null"}]}),
    ):
        response = client.post(report_url(lp), data)
        assert response.status_code == 200, data
        assert 'role="alert"' in response.content.decode()
        assert state() == before
    foreign.refresh_from_db()
    assert foreign.text == "Fremd"


def test_a_finding_continues_the_own_earlier_finding_and_is_resolved(lp, coordinator):
    first, second, _ = lp.cycles
    earlier = services.save_report(
        cycle=first, organisation=lp.organisations[0], user=lp.users[0], submit=True,
        items=[ItemInput(section="obstacle", text="Zu wenig Azubis"),
               ItemInput(section="activity", text="Messe")],
    ).items.get(section="obstacle")  # fmt: skip
    others = services.save_report(
        cycle=first, organisation=lp.organisations[1], user=lp.users[1],
        items=[ItemInput(section="obstacle", text="Beta-Hindernis")],
    ).items.get()  # fmt: skip
    # The first workshop is over; cycle 2's report is written.
    first.workshop.starts_at = timezone.now() - timedelta(hours=1)
    first.workshop.save(update_fields=["starts_at"])
    client = signed_in(lp.users[0])
    page = client.get(report_url(lp, 2)).content.decode()
    assert "Zyklus 1 · Hindernisse: Zu wenig Azubis" in page
    assert "Beta-Hindernis" not in page  # only the organisation's own findings
    assert "Messe" not in page.split("Setzt den Befund fort")[1]  # activities are no findings
    response = client.post(
        report_url(lp, 2),
        form_data({"obstacle": [{"text": "Azubis gefunden", "follows": earlier.pk,
                                 "resolved": "on"}]}),
    )  # fmt: skip
    assert response.status_code == 302
    item = ReportItem.objects.get(report__cycle=second)
    assert (item.follows, item.resolved) == (earlier, True)
    # Through the form: another organisation's finding, or resolved without continuing one.
    before = state()
    for row in ({"text": "y", "follows": others.pk}, {"text": "y", "resolved": "on"}):
        response = client.post(report_url(lp, 2), form_data({"obstacle": [row]}))
        assert response.status_code == 200 and 'role="alert"' in response.content.decode()
        assert state() == before
    # Another organisation's finding cannot be continued, also not through the service.
    with pytest.raises(services.ValidationError, match="Ihrer Organisation"):
        services.save_report(
            cycle=second, organisation=lp.organisations[0], user=lp.users[0],
            items=[ItemInput(section="obstacle", text="x", follows_id=others.pk)],
        )  # fmt: skip


def test_no_changes_once_the_workshop_has_started(lp):
    client = signed_in(lp.users[0])
    client.post(report_url(lp), form_data({"activity": [{"text": "Vorher"}]}, action="submit"))
    workshop = lp.cycles[0].workshop
    workshop.starts_at = timezone.now() - timedelta(minutes=1)
    workshop.save(update_fields=["starts_at"])
    before = state()
    response = client.post(report_url(lp), form_data({"activity": [{"text": "Nachher"}]}))
    assert response.status_code == 200
    assert "hat begonnen" in response.content.decode()
    assert state() == before
    assert "Vorher" in client.get(report_url(lp)).content.decode()


def test_the_report_window_opens_on_its_date(lp):
    cycle = lp.cycles[0]
    cycle.report_opens_on = timezone.localdate() + timedelta(days=2)
    cycle.save(update_fields=["report_opens_on"])
    response = signed_in(lp.users[0]).post(report_url(lp), form_data({"activity": [{"text": "x"}]}))
    assert "können ab dem" in response.content.decode()
    assert state() == ([], [], [])


def test_a_closed_programme_another_programme_and_outsiders_change_nothing(lp, coordinator):
    other = build_programme(coordinator, title="Anderswo", organisations=1)
    stranger_org, (stranger,) = add_organisation(other.programme, "Fremd GmbH")
    items = [ItemInput(section="activity", text="x")]
    # A cycle of another programme than the organisation's.
    with pytest.raises(services.ValidationError, match="anderen Programm"):
        services.save_report(
            cycle=lp.cycles[0], organisation=stranger_org, user=stranger, items=items
        )
    # Someone not among the organisation's people (a stranger, a coordinator).
    for user in (stranger, coordinator, UserFactory()):
        with pytest.raises(services.ValidationError, match="Personen einer Organisation"):
            services.save_report(
                cycle=lp.cycles[0], organisation=lp.organisations[0], user=user, items=items
            )
    # Through the pages: the other programme's participant finds nothing; coordinators do
    # not write the organisations' reports.
    assert signed_in(stranger).post(report_url(lp), form_data({})).status_code == 404
    assert signed_in(coordinator).post(report_url(lp), form_data({})).status_code == 403
    assert state() == ([], [], [])
    # After closing.
    LearningProgramme.objects.filter(pk=lp.programme.pk).update(status="closed")
    response = signed_in(lp.users[0]).post(report_url(lp), form_data({"activity": [{"text": "x"}]}))
    assert "abgeschlossen" in response.content.decode()
    assert state() == ([], [], [])


def test_who_reads_which_report(lp, coordinator):
    cycle = lp.cycles[0]
    gamma, (gamma_user,) = add_organisation(lp.programme, "Gamma Guss KG")
    services.save_report(
        cycle=cycle, organisation=lp.organisations[0], user=lp.users[0], submit=True,
        items=[ItemInput(section="obstacle", text="Alpha eingereicht", tags=["Azubis"])],
    )  # fmt: skip
    services.save_report(
        cycle=cycle, organisation=lp.organisations[1], user=lp.users[1],
        items=[ItemInput(section="activity", text="Beta Entwurf")],
    )  # fmt: skip
    gamma_page = signed_in(gamma_user).get(reports_url(lp)).content.decode()
    assert "Alpha eingereicht" in gamma_page and "Azubis" in gamma_page
    assert "Beta Entwurf" not in gamma_page and "Beta Stahl AG" not in gamma_page
    beta_page = signed_in(lp.users[1]).get(reports_url(lp)).content.decode()
    assert "Beta Entwurf" in beta_page and "Alpha eingereicht" in beta_page
    coordinator_page = signed_in(coordinator).get(reports_url(lp)).content.decode()
    assert "Beta Entwurf" in coordinator_page and "Alpha eingereicht" in coordinator_page
    missing = coordinator_page.split('id="missing-heading"')[1]
    assert "Beta Stahl AG" in missing and "Gamma Guss KG" in missing
    assert "Alpha Metall GmbH" not in missing
    # Without shared reports, each organisation reads its own only.
    LearningProgramme.objects.filter(pk=lp.programme.pk).update(shared_reports=False)
    assert "Alpha eingereicht" not in signed_in(gamma_user).get(reports_url(lp)).content.decode()
    # A participant of another programme, a funder-like stranger: not found.
    other = build_programme(coordinator, title="Anderswo", organisations=1)
    assert signed_in(other.users[0]).get(reports_url(lp)).status_code == 404
    assert signed_in(UserFactory()).get(reports_url(lp)).status_code == 404
    assert Client().get(reports_url(lp)).status_code == 302


def test_the_view_report_permission(lp, coordinator):
    cycle = lp.cycles[0]
    gamma, (gamma_user,) = add_organisation(lp.programme, "Gamma Guss KG")
    draft = services.save_report(
        cycle=cycle, organisation=lp.organisations[0], user=lp.users[0],
        items=[ItemInput(section="activity", text="x")],
    )  # fmt: skip
    assert lp.users[0].has_perm("learning.view_report", draft)
    assert coordinator.has_perm("learning.view_report", draft)
    assert not gamma_user.has_perm("learning.view_report", draft)
    draft.status = "submitted"
    assert gamma_user.has_perm("learning.view_report", draft)
    other = build_programme(coordinator, title="Anderswo", organisations=1)
    assert not other.users[0].has_perm("learning.view_report", draft)
