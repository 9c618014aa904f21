"""The panel: recipients from CSV (all rows or none, errors per row), token invitations, up to
two reminders 7 days apart, the close date, the response rate per segment."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from regiolab.mail.models import OutboundEmail
from surveys.distribution import importing, selectors, services
from surveys.models import SurveyInvitation

from .support_s3 import delivered, make_survey, text_of

pytestmark = pytest.mark.django_db

GOOD = (
    "\ufeffE-Mail;Name;Organisation;Region;Sprache\n"
    "anna@netz-a.example;Anna Alt;Netz A;Hannover;de\n"
    "BOB@netz-b.example;Bob Brown;Netz B;Celle;en\n"
    "carla@netz-c.example;Carla Chr;Netz C;Hannover;\n"
).encode()


def _import(survey, data: bytes, capture) -> int:
    with capture(execute=True):
        return importing.import_panel(survey=survey, data=data)


def test_import_writes_and_sends_each_invitation_once(django_capture_on_commit_callbacks):
    survey = make_survey(purpose="panel", title="Netzwerkbefragung 2026")
    assert _import(survey, GOOD, django_capture_on_commit_callbacks) == 3
    rows = {i.email: i for i in SurveyInvitation.objects.filter(survey=survey)}
    assert set(rows) == {"anna@netz-a.example", "bob@netz-b.example", "carla@netz-c.example"}
    assert rows["bob@netz-b.example"].language == "en"
    assert rows["anna@netz-a.example"].region == "Hannover"
    assert rows["anna@netz-a.example"].organisation == "Netz A"
    assert all(row.sent_at for row in rows.values())
    assert services.send_pending_invitations() == 0

    messages = {m["To"]: m for m in delivered()}
    assert set(messages) == set(rows)
    bob = messages["bob@netz-b.example"]
    assert bob["Subject"] == "Survey: Netzwerkbefragung 2026"
    assert f"/s/{rows['bob@netz-b.example'].token}/" in text_of(bob)
    assert "/surveys/optout/" in text_of(bob)
    assert messages["anna@netz-a.example"]["Subject"] == "Befragung: Netzwerkbefragung 2026"


def test_row_errors_are_reported_by_line_and_nothing_is_saved(
    django_capture_on_commit_callbacks, english
):
    survey = make_survey(purpose="panel")
    SurveyInvitation.objects.create(survey=survey, email="known@netz.example")
    data = (
        "email,name,organisation,region,language\n"
        "ok@netz.example,Ok,Netz,Hannover,de\n"
        "not-an-address,Bad,Netz,Hannover,de\n"
        "ok@netz.example,Twice,Netz,Hannover,de\n"
        "known@netz.example,Known,Netz,Hannover,de\n"
        f"long@netz.example,{'x' * 201},Netz,Hannover,de\n"
        ",Missing,Netz,Hannover,de\n"
        'lines@netz.example,"Two\nlines",Netz,Hannover,de\n'
        "lang@netz.example,Lang,Netz,Hannover,fr\n"
    ).encode()
    with pytest.raises(importing.PanelImportRejected) as caught:
        _import(survey, data, django_capture_on_commit_callbacks)
    by_line = {}
    for problem in caught.value.problems:
        by_line.setdefault(problem.line, []).append(problem.message)
    assert set(by_line) == {3, 4, 5, 6, 7, 8, 9}  # records, as a spreadsheet counts rows
    assert "not a valid e-mail address" in by_line[3][0]
    assert "already in line 2" in by_line[4][0]
    assert "already been invited" in by_line[5][0]
    assert "longer than 200" in by_line[6][0]
    assert "missing" in by_line[7][0]
    assert "line breaks" in by_line[8][0]
    assert "Unknown language" in by_line[9][0]
    assert list(survey.invitations.values_list("email", flat=True)) == ["known@netz.example"]
    assert OutboundEmail.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("leer.csv", b"", "file is empty"),
        ("bild.csv", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "not a CSV text file"),
        ("nul.csv", b"email\nanna@netz.example\x00\n", "not a CSV text file"),
        ("kopf.csv", b"name;region\nAnna;Hannover\n", "column is missing"),
        ("nur.csv", b"email;name\n", "no recipients"),
        ("tabelle.xlsx", b"PK\x03\x04 not really", "CSV file"),
        ("riesig.csv", b"email\n" + b"a@b.example\n" * 200_000, "can be imported at once"),
        ("feld.csv", b"email;name\na@b.example;" + b"x" * 20_000 + b"\n", "characters"),
    ],
)
def test_hostile_or_malformed_files_change_nothing(
    coordinator_client, english, name, content, message
):
    survey = make_survey(purpose="panel")
    upload = SimpleUploadedFile(name, content, content_type="text/csv")
    response = coordinator_client.post(f"/surveys/{survey.pk}/panel/", {"file": upload})
    assert response.status_code == 400
    assert message in response.content.decode(), response.content.decode()[-3000:]
    assert not SurveyInvitation.objects.exists()
    assert not OutboundEmail.objects.exists()


def test_import_through_the_page(coordinator_client, english):
    survey = make_survey(purpose="panel")
    upload = SimpleUploadedFile("panel.csv", GOOD, content_type="text/csv")
    response = coordinator_client.post(f"/surveys/{survey.pk}/panel/", {"file": upload})
    assert response.status_code == 302
    assert survey.invitations.count() == 3
    page = coordinator_client.get(f"/surveys/{survey.pk}/panel/")
    assert b'data-count="invited">3<' in page.content


def test_draft_survey_sends_when_opened(django_capture_on_commit_callbacks):
    survey = make_survey(purpose="panel", status="draft")
    _import(survey, GOOD, django_capture_on_commit_callbacks)
    assert OutboundEmail.objects.count() == 0
    survey.status = "open"
    survey.save()
    assert services.send_pending_invitations() == 3
    assert services.send_pending_invitations() == 0
    assert OutboundEmail.objects.count() == 3


def test_two_reminders_seven_days_apart_and_none_after_the_close_date(
    django_capture_on_commit_callbacks,
):
    now = timezone.now()
    survey = make_survey(purpose="panel", closes_at=now + timedelta(days=30))
    _import(survey, GOOD, django_capture_on_commit_callbacks)
    SurveyInvitation.objects.filter(email="anna@netz-a.example").update(answered_at=now)
    day = timedelta(days=1)

    assert services.send_reminders(now=now + 6 * day) == 0
    assert services.send_reminders(now=now + 7 * day + timedelta(minutes=1)) == 2
    assert services.send_reminders(now=now + 8 * day) == 0  # 7 days after the first reminder
    assert services.send_reminders(now=now + 14 * day + timedelta(minutes=2)) == 2
    assert services.send_reminders(now=now + 28 * day) == 0  # at most two
    counts = dict(survey.invitations.values_list("email", "reminders_sent"))
    assert counts == {"anna@netz-a.example": 0, "bob@netz-b.example": 2, "carla@netz-c.example": 2}
    # 3 invitations + 4 reminders; Anna, who answered, got only her invitation.
    assert OutboundEmail.objects.count() == 7
    assert OutboundEmail.objects.filter(to="anna@netz-a.example").count() == 1
    reminder = OutboundEmail.objects.filter(to="bob@netz-b.example").order_by("-pk").first()
    assert reminder.subject.startswith("Reminder:")


def test_after_the_close_date_no_reminder_and_the_survey_closes(django_capture_on_commit_callbacks):
    now = timezone.now()
    survey = make_survey(purpose="panel", closes_at=now + timedelta(days=3))
    _import(survey, GOOD, django_capture_on_commit_callbacks)
    later = now + timedelta(days=8)
    assert services.send_reminders(now=later) == 0
    assert services.close_due_surveys(now=later) == 1
    survey.refresh_from_db()
    assert survey.status == "closed"
    assert services.send_reminders(now=later + timedelta(days=10)) == 0
    assert OutboundEmail.objects.count() == 3


def test_response_rate_per_segment_hides_small_segments(coordinator_client):
    survey = make_survey(purpose="panel")
    now = timezone.now()
    for n in range(5):
        SurveyInvitation.objects.create(
            survey=survey,
            email=f"h{n}@netz.example",
            region="Hannover",
            organisation="Netz A" if n < 2 else "Netz B",
            answered_at=now if n < 2 else None,
        )
    for n in range(3):
        SurveyInvitation.objects.create(
            survey=survey, email=f"c{n}@netz.example", region="Celle", answered_at=now
        )
    status = selectors.panel_status(survey)
    regions = {r.segment: r for r in status.by_region}
    assert regions["Hannover"].rate == 40.0
    assert regions["Celle"].rate is None  # 3 invited: fewer than MIN_SEGMENT
    assert status.answered == 5 and status.invited == 8
    page = coordinator_client.get(f"/surveys/{survey.pk}/panel/").content.decode()
    assert "40,0 %" in page or "40.0 %" in page
    assert "100" not in page.split('data-segment="Celle"')[1].split("</tr>")[0]


def test_panel_page_is_for_panel_surveys_only(coordinator_client):
    other = make_survey(purpose="training_needs")
    assert coordinator_client.get(f"/surveys/{other.pk}/panel/").status_code == 404
