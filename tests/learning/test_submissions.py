"""Participants answer a task: draft, submit, change until the due date or while returned,
attachments checked by content and stored privately, downloaded only through the permission
check. Every refusal says why and changes nothing."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from learning.homework import services
from learning.models import LearningProgramme, SubmissionAttachment, Task, TaskSubmission
from tests.factories import UserFactory
from tests.learning.support import PDF, add_organisation, build_programme, docx_bytes, png_bytes

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def task_url(task) -> str:
    return services.task_url(task)


@pytest.fixture
def task(lp):
    return services.create_task(
        cycle=lp.cycles[0], created_by=None, title="Bedarf erheben", instructions="Zwei Seiten."
    )


def state():
    """Everything an answer consists of, to show a refusal changed nothing."""
    return (
        list(TaskSubmission.objects.values_list("pk", "status", "text", "submitted_at")),
        list(SubmissionAttachment.objects.values_list("pk", "file", "name")),
    )


def test_draft_then_submit_then_change_before_the_due_date(lp, task):
    client = signed_in(lp.users[0])
    page = client.get(task_url(task)).content.decode()
    assert "Zwei Seiten." in page and "Als Entwurf speichern" in page

    client.post(task_url(task), {"text": "Erste Notizen", "action": "draft"})
    answer = TaskSubmission.objects.get()
    assert (answer.status, answer.text, answer.submitted_at) == ("draft", "Erste Notizen", None)
    assert answer.organisation == lp.organisations[0] and answer.person is None

    response = client.post(task_url(task), {"text": "Fertig", "action": "submit"}, follow=True)
    assert "Ihre Antwort ist eingereicht." in response.content.decode()
    answer.refresh_from_db()
    assert (answer.status, answer.text) == ("submitted", "Fertig")
    first_submitted = answer.submitted_at

    # Still before the due date: it can be changed and stays submitted.
    client.post(task_url(task), {"text": "Fertig, ergänzt", "action": "submit"})
    answer.refresh_from_db()
    assert (answer.status, answer.text, answer.submitted_at) == (
        "submitted", "Fertig, ergänzt", first_submitted,
    )  # fmt: skip
    # A colleague of the same organisation sees and edits the same answer.
    colleague = UserFactory(email="kollegin@alpha.example")
    lp.organisations[0].people.create(email=colleague.email, user=colleague)
    assert "Fertig, ergänzt" in signed_in(colleague).get(task_url(task)).content.decode()
    # The other organisation starts from nothing.
    assert "Fertig, ergänzt" not in signed_in(lp.users[1]).get(task_url(task)).content.decode()


def test_an_empty_answer_cannot_be_submitted(lp, task):
    response = signed_in(lp.users[0]).post(task_url(task), {"text": "  ", "action": "submit"})
    assert response.status_code == 200
    assert "Bitte schreiben Sie eine Antwort oder hängen Sie eine Datei an" in (
        response.content.decode()
    )
    assert not TaskSubmission.objects.exists()


def test_a_person_task_is_answered_by_each_person(lp):
    task = services.create_task(
        cycle=lp.cycles[0], created_by=None, title="Selbsteinschätzung", assignee="person"
    )
    colleague = UserFactory(email="kollege@alpha.example")
    lp.organisations[0].people.create(email=colleague.email, user=colleague)
    signed_in(lp.users[0]).post(task_url(task), {"text": "Ich", "action": "submit"})
    signed_in(colleague).post(task_url(task), {"text": "Auch ich", "action": "draft"})
    answers = TaskSubmission.objects.order_by("pk")
    assert [(a.person.email, a.text, a.status) for a in answers] == [
        (lp.users[0].email, "Ich", "submitted"),
        (colleague.email, "Auch ich", "draft"),
    ]
    assert (
        "Ich"
        not in signed_in(colleague)
        .get(task_url(task))
        .content.decode()
        .split('<h2 id="answer-heading">')[1]
    )


def test_after_the_due_date_only_a_returned_answer_can_change(lp, task, coordinator):
    client = signed_in(lp.users[0])
    client.post(task_url(task), {"text": "Fertig", "action": "submit"})
    Task.objects.filter(pk=task.pk).update(due_date=timezone.localdate() - timedelta(days=1))
    before = state()
    response = client.post(task_url(task), {"text": "Zu spät", "action": "submit"})
    assert response.status_code == 200
    assert "Die Aufgabe war am" in response.content.decode()
    assert state() == before
    assert "nicht mehr fällig" in client.get(task_url(task)).content.decode()

    services.return_submission(
        submission=TaskSubmission.objects.get(), feedback="Zahlen fehlen", returned_by=coordinator
    )
    page = client.get(task_url(task)).content.decode()
    assert "Zahlen fehlen" in page and "Erneut einreichen" in page
    client.post(task_url(task), {"text": "Mit Zahlen", "action": "submit"})
    answer = TaskSubmission.objects.get()
    assert (answer.status, answer.text) == ("submitted", "Mit Zahlen")


def test_an_attachment_is_stored_privately_and_downloaded_through_the_check(lp, task, settings):
    client = signed_in(lp.users[0])
    content = docx_bytes()
    upload = SimpleUploadedFile(
        "../../etc/Bedarf\u202eanalyse.docx", content, content_type="text/html"
    )
    client.post(task_url(task), {"text": "Siehe Anhang", "action": "submit", "attachment": upload})
    attachment = SubmissionAttachment.objects.get()
    # A random name in the private storage; the uploader's name is a harmless label only.
    assert attachment.file.name.startswith("learning/") and attachment.file.name.endswith(".docx")
    assert "Bedarf" not in attachment.file.name
    assert attachment.name == "Bedarfanalyse.docx"
    assert attachment.content_type == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert str(settings.STORAGES["default"]["OPTIONS"]["location"]) in attachment.file.path
    assert not settings.MEDIA_URL or not attachment.file.name.startswith(settings.MEDIA_URL)

    url = f"/learning/attachments/{attachment.pk}/"
    assert url in client.get(task_url(task)).content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Disposition"] == 'attachment; filename="Bedarfanalyse.docx"'
    assert response["Content-Type"] == attachment.content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]

    colleague = UserFactory(email="kollegin@alpha.example")
    lp.organisations[0].people.create(email=colleague.email, user=colleague)
    assert signed_in(colleague).get(url).status_code == 200
    # Another organisation of the programme, a stranger, a funder: not found; anonymous: login.
    assert signed_in(lp.users[1]).get(url).status_code == 404
    assert signed_in(UserFactory()).get(url).status_code == 404
    assert Client().get(url).status_code == 302


def test_removing_an_attachment(lp, task, django_capture_on_commit_callbacks):
    client = signed_in(lp.users[0])
    client.post(
        task_url(task),
        {"text": "x", "action": "draft", "attachment": SimpleUploadedFile("a.png", png_bytes())},
    )
    attachment = SubmissionAttachment.objects.get()
    storage, name = attachment.file.storage, attachment.file.name
    url = f"/learning/attachments/{attachment.pk}/delete/"
    assert "Datei entfernen" in client.get(url).content.decode()
    assert signed_in(lp.users[1]).post(url).status_code == 404
    assert SubmissionAttachment.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"confirmed": "1"}).status_code == 302
    assert not SubmissionAttachment.objects.exists()
    assert not storage.exists(name)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("rechnung.pdf", png_bytes(), "Der Dateiname sagt PDF, der Inhalt ist aber PNG."),
        ("seite.pdf", b"<html><script>alert(1)</script>", "der Inhalt ist aber keine PDF-"),
        ("tool.exe", b"MZ\x90\x00", "Nur PDF-, Word- (.docx), Excel- (.xlsx), PNG- und JPEG-"),
        ("makro.docx", docx_bytes(extra={"word/vbaProject.bin": b"x"}), "Makros"),
    ],
)
def test_a_file_of_the_wrong_type_or_lying_about_it_changes_nothing(
    lp, task, name, content, message
):
    client = signed_in(lp.users[0])
    client.post(task_url(task), {"text": "Entwurf", "action": "draft"})
    before = state()
    response = client.post(
        task_url(task),
        {"text": "Neu", "action": "submit", "attachment": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert state() == before


def test_a_file_above_ten_megabytes_changes_nothing(lp, task, tmp_path):
    client = signed_in(lp.users[0])
    big = PDF[:-6] + b"%" + b"x" * (10 * 1024 * 1024) + b"\n%%EOF\n"
    response = client.post(
        task_url(task),
        {"text": "Neu", "action": "submit", "attachment": SimpleUploadedFile("gross.pdf", big)},
    )
    assert response.status_code == 200
    assert "ein Anhang darf höchstens 10,0\xa0MB groß sein" in response.content.decode()
    assert state() == ([], [])
    assert not any(tmp_path.rglob("*.pdf"))


def test_a_closed_programme_takes_no_answer(lp, task):
    client = signed_in(lp.users[0])
    client.post(task_url(task), {"text": "Entwurf", "action": "draft"})
    LearningProgramme.objects.filter(pk=lp.programme.pk).update(status="closed")
    before = state()
    response = client.post(task_url(task), {"text": "Nachher", "action": "submit"})
    assert "Das Programm ist abgeschlossen" in response.content.decode()
    assert state() == before
    with pytest.raises(services.ValidationError, match="abgeschlossen"):
        services.save_submission(
            task=Task.objects.select_related("cycle__programme").get(pk=task.pk),
            organisation=lp.organisations[0],
            user=lp.users[0],
            text="x",
            submit=True,
        )
    assert state() == before


def test_the_services_refuse_another_programme_and_outsiders(lp, task, coordinator):
    other = build_programme(coordinator, title="Anderswo", organisations=1)
    stranger_org, (stranger,) = add_organisation(other.programme, "Fremd GmbH")
    before = state()
    # The organisation of another programme answering this programme's task.
    with pytest.raises(services.ValidationError, match="anderen Programm"):
        services.save_submission(
            task=task, organisation=stranger_org, user=stranger, text="x", submit=True
        )
    # Someone who is not one of the organisation's people.
    for user in (stranger, UserFactory(), coordinator):
        with pytest.raises(services.ValidationError, match="Personen einer Organisation"):
            services.save_submission(
                task=task, organisation=lp.organisations[0], user=user, text="x", submit=True
            )
    assert state() == before
    # Through the pages: the other programme's participant finds nothing to post to.
    response = signed_in(stranger).post(task_url(task), {"text": "x", "action": "submit"})
    assert response.status_code == 404
    # Coordinators read answers; they do not write them.
    coordinator_client = signed_in(coordinator)
    assert coordinator_client.post(task_url(task), {"text": "x"}).status_code == 403
    assert state() == before
