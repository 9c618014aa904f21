"""The results page: coordinators write tools and recommendations (German and English), the
participants read them; the final report is requested, its build polled and downloaded only
through the permission check."""

import pytest
from django.conf import settings
from django.urls import reverse

from learning.models import FinalReport, ProgrammePerson, ResultSection
from tests.factories import UserFactory
from tests.learning.results_support import (
    _private_files_in_tmp,  # noqa: F401
    build_programme,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(coordinator):
    return build_programme(coordinator=coordinator, organisations=3)


@pytest.fixture
def participant(world):
    user = UserFactory(email="meister@organisation01.example")
    ProgrammePerson.objects.create(organisation=world.organisations[0], email=user.email, user=user)
    return user


@pytest.fixture
def outsider(coordinator):
    """A participant of another programme."""
    other = build_programme(coordinator=coordinator, organisations=1, title="Anderes Programm")
    user = UserFactory(email="fremd@anderswo.example")
    ProgrammePerson.objects.create(organisation=other.organisations[0], email=user.email, user=user)
    return user


def _url(world, name="learning:results", *args):
    return reverse(name, args=[world.programme.slug, *args])


SECTION = {
    "kind": "recommendation",
    "title": "Praktika früher fördern",
    "body": "Die Region fördert Praktika ab Klasse 7.\nMit Fahrtkosten.",
    "title_en": "Fund internships earlier",
    "body_en": "The region funds internships from year 7.",
    "position": "",
}


def test_a_coordinator_adds_a_recommendation_the_participants_read_it(
    client, coordinator, participant, world
):
    client.force_login(coordinator)
    response = client.post(_url(world, "learning:result_section_create"), SECTION)
    assert response.status_code == 302
    section = ResultSection.objects.get(title="Praktika früher fördern")
    # Appended after the recommendation the programme already has.
    assert section.position == 1 and section.programme == world.programme

    client.force_login(participant)
    page = client.get(_url(world)).content.decode()
    assert "Praktika früher fördern" in page and "Mit Fahrtkosten." in page
    assert "Leitfaden Verbundausbildung" in page
    assert _url(world, "learning:result_section_edit", section.pk) not in page
    assert "Abschlussbericht anfordern" not in page

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(_url(world)).content.decode()
    assert "Fund internships earlier" in page and "Guide to joint apprenticeships" in page
    # No English text written: the German one stands in.
    assert "Berufsorientierung früher beginnen" in page


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "Zwei\nZeilen"}, "title"),
        ({"body": "x" * 20_001}, "body"),
        ({"body": "Steuer\x07zeichen"}, "body"),
        ({"kind": "wish"}, "kind"),
        ({"title_en": ""}, "title_en"),  # an English text needs an English title
        ({"position": "-1"}, "position"),
        ({"position": "zwei"}, "position"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_changes_nothing(
    client, coordinator, world, change, field
):
    client.force_login(coordinator)
    before = list(ResultSection.objects.values_list("pk", "title", "body", "position"))
    response = client.post(_url(world, "learning:result_section_create"), {**SECTION, **change})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert 'role="alert"' in response.content.decode()
    assert list(ResultSection.objects.values_list("pk", "title", "body", "position")) == before


def test_hostile_text_is_shown_as_text(client, coordinator, world):
    client.force_login(coordinator)
    client.post(
        _url(world, "learning:result_section_create"),
        {**SECTION, "body": "<script>alert(1)</script>", "body_en": "", "title_en": ""},
    )
    page = client.get(_url(world)).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_editing_moves_a_section_to_the_other_kind_at_its_end(client, coordinator, world):
    tool = world.sections[0]
    client.force_login(coordinator)
    response = client.post(
        _url(world, "learning:result_section_edit", tool.pk),
        {**SECTION, "kind": "recommendation", "title": "Leitfaden als Empfehlung"},
    )
    assert response.status_code == 302
    tool.refresh_from_db()
    assert (tool.kind, tool.title, tool.position) == (
        "recommendation",
        "Leitfaden als Empfehlung",
        1,
    )


def test_deleting_asks_first_then_deletes(client, coordinator, world):
    tool = world.sections[0]
    client.force_login(coordinator)
    url = _url(world, "learning:result_section_delete", tool.pk)
    page = client.get(url).content.decode()
    assert "Leitfaden Verbundausbildung" in page and 'name="confirmed"' in page
    assert ResultSection.objects.filter(pk=tool.pk).exists()
    response = client.post(url, {"confirmed": "1"})
    assert response.status_code == 302
    assert not ResultSection.objects.filter(pk=tool.pk).exists()
    # Again: the section is gone, the answer says so and nothing else changes.
    assert client.post(url, {"confirmed": "1"}).status_code == 404


def test_participants_and_outsiders_cannot_write(client, participant, outsider, world):
    tool = world.sections[0]
    client.force_login(participant)
    assert client.post(_url(world, "learning:result_section_create"), SECTION).status_code == 403
    assert client.post(_url(world, "learning:result_section_delete", tool.pk)).status_code == 403
    assert (
        client.post(_url(world, "learning:final_report_request"), {"language": "de"}).status_code
        == 403
    )
    client.force_login(outsider)
    assert client.get(_url(world)).status_code == 404
    assert client.post(_url(world, "learning:result_section_create"), SECTION).status_code == 404
    assert ResultSection.objects.filter(programme=world.programme).count() == 2
    assert not FinalReport.objects.exists()


def test_request_build_poll_and_download(
    client, coordinator, participant, outsider, world, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(_url(world, "learning:final_report_request"), {"language": "de"})
    assert response.status_code == 302
    report = FinalReport.objects.get(programme=world.programme)
    assert (report.status, report.requested_by, report.language) == ("queued", coordinator, "de")
    assert len(callbacks) == 1  # the build is enqueued once the request's transaction commits

    # While queued the status cell polls, and a second request builds nothing more.
    status_url = reverse("learning:final_report_status", args=[report.pk])
    cell = client.get(status_url).content.decode()
    assert "hx-get" in cell and "every 2s" in cell
    response = client.post(
        _url(world, "learning:final_report_request"), {"language": "de"}, follow=True
    )
    assert "wird bereits erstellt" in response.content.decode()
    assert FinalReport.objects.count() == 1

    callbacks[0]()  # the worker (eager Celery) builds it
    report.refresh_from_db()
    assert report.status == "ready" and report.progress == 100
    cell = client.get(status_url).content.decode()
    assert "hx-get" not in cell  # polling stops when it is ready
    download = reverse("learning:final_report_download", args=[report.pk])
    assert f'href="{download}"' in cell and f'href="{download}?format=xlsx"' in cell

    for user in (coordinator, participant):
        client.force_login(user)
        response = client.get(download)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["Cache-Control"] == "private, no-store"
        assert b"".join(response.streaming_content).startswith(b"%PDF")
        xlsx = client.get(download + "?format=xlsx")
        assert xlsx.status_code == 200 and b"".join(xlsx.streaming_content)[:2] == b"PK"
    assert client.get(download + "?format=docx").status_code == 404
    client.force_login(outsider)
    assert client.get(download).status_code == 404
    assert client.get(status_url).status_code == 404
    client.logout()
    assert client.get(download).status_code == 302


def test_a_bad_language_is_refused(client, coordinator, world):
    client.force_login(coordinator)
    response = client.post(
        _url(world, "learning:final_report_request"), {"language": "fr"}, follow=True
    )
    assert "Bitte wählen Sie die Sprache des Berichts." in response.content.decode()
    assert not FinalReport.objects.exists()


def test_participants_see_ready_reports_only_and_coordinators_may_retry_a_failed_one(
    client, coordinator, participant, world
):
    failed = FinalReport.objects.create(
        programme=world.programme, status="failed", error="WeasyPrint: Schrift fehlt"
    )
    client.force_login(participant)
    page = client.get(_url(world)).content.decode()
    assert "Schrift fehlt" not in page and "Noch kein Abschlussbericht." in page
    client.force_login(coordinator)
    page = client.get(_url(world)).content.decode()
    assert "Schrift fehlt" in page
    assert reverse("learning:final_report_retry", args=[failed.pk]) in page
    retry = client.post(reverse("learning:final_report_retry", args=[failed.pk]))
    assert retry.status_code == 302
    failed.refresh_from_db()
    assert failed.status == "queued" and failed.error == ""
