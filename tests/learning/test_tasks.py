"""Coordinators' tasks per cycle: the due date's default, adding, editing, deleting with its
confirmation, who answered, and returning an answer with feedback (e-mailed once)."""

import email
from datetime import timedelta
from email import policy

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from learning.homework import services
from learning.models import SubmissionAttachment, Task, TaskSubmission
from tests.learning.support import PDF, add_organisation

pytestmark = pytest.mark.django_db


def tasks_url(world, number=1):
    return f"/learning/{world.programme.slug}/cycles/{number}/tasks/"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def workshop_day(cycle):
    return timezone.localtime(cycle.workshop.starts_at).date()


def test_the_due_date_defaults_to_the_day_before_the_next_workshop(lp):
    first, second, last = lp.cycles
    assert services.default_due_date(first) == workshop_day(second) - timedelta(days=1)
    assert services.default_due_date(second) == workshop_day(last) - timedelta(days=1)
    # The last cycle has no next workshop: the day before its own.
    assert services.default_due_date(last) == workshop_day(last) - timedelta(days=1)


def test_a_coordinator_adds_a_task_with_the_default_due_date(lp, coordinator_client):
    page = coordinator_client.get(tasks_url(lp))
    default = services.default_due_date(lp.cycles[0])
    assert f'value="{default.isoformat()}"' in page.content.decode()

    response = coordinator_client.post(
        tasks_url(lp),
        {"title": "Bedarf erheben", "instructions": "Zwei Seiten.", "due_date": "",
         "assignee": "person"},
    )  # fmt: skip
    assert response.status_code == 302
    task = Task.objects.get(cycle=lp.cycles[0])
    assert (task.title, task.due_date, task.assignee) == ("Bedarf erheben", default, "person")
    listing = coordinator_client.get(tasks_url(lp)).content.decode()
    assert "Bedarf erheben" in listing
    assert "0 von 2" in listing  # two people, nobody has answered


def test_bad_task_input_changes_nothing(lp, coordinator_client):
    for data in (
        {"title": "", "due_date": "", "assignee": "organisation"},
        {"title": "Zeile\nUmbruch", "due_date": "", "assignee": "organisation"},
        {"title": "X", "due_date": "31.02.2026", "assignee": "organisation"},
        {"title": "X", "due_date": "", "assignee": "everyone"},
    ):
        response = coordinator_client.post(tasks_url(lp), data)
        assert response.status_code == 200
        assert 'role="alert"' in response.content.decode()
    assert not Task.objects.exists()


def test_participants_see_their_tasks_but_cannot_add_or_edit_them(lp):
    task = services.create_task(
        cycle=lp.cycles[0], created_by=None, title="Bedarf erheben", assignee="organisation"
    )
    client = signed_in(lp.users[0])
    page = client.get(tasks_url(lp)).content.decode()
    assert "Bedarf erheben" in page and "nicht begonnen" in page
    assert "Aufgabe hinzufügen" not in page
    assert client.post(tasks_url(lp), {"title": "Meins", "assignee": "person"}).status_code == 403
    base = f"{tasks_url(lp)}{task.pk}/"
    assert client.get(f"{base}edit/").status_code == 403
    assert client.post(f"{base}delete/", {"confirmed": "1"}).status_code == 403
    assert Task.objects.get().title == "Bedarf erheben"


def test_a_participant_of_another_programme_finds_nothing(lp, coordinator):
    from tests.learning.support import build_programme

    other = build_programme(coordinator, title="Anderswo", organisations=1)
    task = services.create_task(cycle=lp.cycles[0], created_by=None, title="Geheim")
    client = signed_in(other.users[0])
    assert client.get(tasks_url(lp)).status_code == 404
    assert client.get(f"{tasks_url(lp)}{task.pk}/").status_code == 404
    # LP's task under the other programme's address: not found either.
    assert signed_in(lp.users[0]).get(f"{tasks_url(other)}{task.pk}/").status_code == 404


def test_editing_and_deleting_a_task(lp, coordinator_client, django_capture_on_commit_callbacks):
    task = services.create_task(cycle=lp.cycles[0], created_by=None, title="Alt")
    submission = services.save_submission(
        task=task, organisation=lp.organisations[0], user=lp.users[0], text="x", submit=True,
        attachment=services.AttachmentUpload("a.pdf", PDF, "pdf", "application/pdf"),
    )  # fmt: skip
    attachment = submission.attachments.get()
    storage, name = attachment.file.storage, attachment.file.name
    assert storage.exists(name)
    base = f"{tasks_url(lp)}{task.pk}/"

    due = timezone.localdate() + timedelta(days=3)
    response = coordinator_client.post(
        f"{base}edit/",
        {"title": "Neu", "instructions": "", "due_date": due.isoformat(),
         "assignee": "organisation"},
    )  # fmt: skip
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.title, task.due_date) == ("Neu", due)
    # Who does it cannot change once answers exist.
    response = coordinator_client.post(
        f"{base}edit/",
        {"title": "Neu", "due_date": due.isoformat(), "assignee": "person"},
    )
    assert response.status_code == 200
    task.refresh_from_db()
    assert task.assignee == "organisation"

    page = coordinator_client.get(f"{base}delete/").content.decode()
    assert "1 Antworten mit 1 angehängten Dateien werden mit ihr gelöscht." in page
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(f"{base}delete/", {"confirmed": "1"})
    assert response.status_code == 302
    assert not Task.objects.exists()
    assert not TaskSubmission.objects.exists()
    assert not SubmissionAttachment.objects.exists()
    assert not storage.exists(name)


def test_the_coordinator_sees_who_answered(lp, coordinator_client):
    late, _ = add_organisation(lp.programme, "Omega Zulieferer GmbH")
    task = services.create_task(cycle=lp.cycles[0], created_by=None, title="Bedarf")
    services.save_submission(
        task=task, organisation=lp.organisations[0], user=lp.users[0], text="Fertig", submit=True
    )
    services.save_submission(
        task=task, organisation=lp.organisations[1], user=lp.users[1], text="Halb", submit=False
    )
    page = coordinator_client.get(f"{tasks_url(lp)}{task.pk}/").content.decode()
    rows = page.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    assert "Alpha Metall GmbH" in rows[0] and "eingereicht" in rows[0]
    assert "Beta Stahl AG" in rows[1] and "Entwurf" in rows[1]
    assert "Omega Zulieferer GmbH" in rows[2] and "nicht begonnen" in rows[2]
    assert "1 von 3" in coordinator_client.get(tasks_url(lp)).content.decode()


def test_returning_an_answer_tells_its_people_once(
    lp, coordinator_client, django_capture_on_commit_callbacks
):
    task = services.create_task(cycle=lp.cycles[0], created_by=None, title="Bedarf erheben")
    submission = services.save_submission(
        task=task, organisation=lp.organisations[0], user=lp.users[0], text="Kurz", submit=True
    )
    url = f"{tasks_url(lp)}{task.pk}/answers/{submission.pk}/"
    assert coordinator_client.post(url, {"feedback": ""}).status_code == 200  # required
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(url, {"feedback": "Bitte Zahlen ergänzen."})
    assert response.status_code == 302
    submission.refresh_from_db()
    assert (submission.status, submission.feedback) == ("returned", "Bitte Zahlen ergänzen.")
    assert len(mail.outbox) == 1
    message = email.message_from_bytes(mail.outbox[0].message().as_bytes(), policy=policy.default)
    assert message["To"] == lp.users[0].email
    assert message["Subject"].strip() == "Bitte überarbeiten Sie Ihre Antwort zu „Bedarf erheben“"
    text = message.get_body(("plain",)).get_content()
    assert "Bitte Zahlen ergänzen." in text
    assert f"/learning/{lp.programme.slug}/cycles/1/tasks/{task.pk}/" in text
    # A second return of the same answer is refused: it is no longer submitted.
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(url, {"feedback": "Nochmal"})
    assert response.status_code == 200
    assert len(mail.outbox) == 1
