"""Coordinator pages: workshop list, participants, promote, export, check-in."""

import csv
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from openpyxl import load_workbook

from regiolab.mail import deliver_new
from tests.factories import (
    CompanyFactory,
    CompanyMemberFactory,
    RegistrationFactory,
    UserFactory,
    WorkshopFactory,
)
from workshops.models import Registration, Workshop
from workshops.registration import services

pytestmark = pytest.mark.django_db

MANAGE_URL = reverse("workshops:manage_list")


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def url(name, workshop, *args):
    return reverse(f"workshops:{name}", args=[workshop.slug, *args])


def register(workshop, last_name, **kwargs):
    return services.register_participant(
        workshop=workshop,
        first_name="Eva",
        last_name=last_name,
        email=f"{slugify(last_name)}@example.org",
        **kwargs,
    )


def count_queries(client, path):
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200
    return len(context.captured_queries)


# --- Workshop list -------------------------------------------------------------------------


def test_manage_list_shows_every_status_with_counts(coordinator_client):
    published = WorkshopFactory(title="Offen", capacity=1)
    WorkshopFactory(title="Entwurf", status="draft")
    WorkshopFactory(title="Abgesagt", status="cancelled")
    WorkshopFactory(title="Erledigt", status="done")
    register(published, "Eins")
    register(published, "Zwei")  # waitlisted
    response = coordinator_client.get(MANAGE_URL)
    content = response.content.decode()
    for title in ("Offen", "Entwurf", "Abgesagt", "Erledigt"):
        assert title in content
    row = next(w for w in response.context["workshops"] if w.pk == published.pk)
    assert (row.confirmed_count, row.waitlisted_count) == (1, 1)
    assert url("invitations", published) in content
    assert url("checkin", published) in content
    assert url("edit", published) in content
    assert content.count("<h1>") == 1


def test_manage_list_filters_by_status(coordinator_client):
    WorkshopFactory(title="Offen")
    WorkshopFactory(title="Entwurf", status="draft")
    content = coordinator_client.get(MANAGE_URL, {"status": "draft"}).content.decode()
    assert "Entwurf" in content
    assert "Offen" not in content


def test_manage_list_paginates(coordinator_client):
    WorkshopFactory.create_batch(30)
    response = coordinator_client.get(MANAGE_URL)
    assert len(response.context["workshops"]) == 25
    assert "Page 1 of 2" in response.content.decode()


def _workshops_with_registrations(count):
    for _n in range(count):
        workshop = WorkshopFactory(network=None)
        RegistrationFactory(workshop=workshop)
        RegistrationFactory(workshop=workshop, status="waitlisted")


def test_manage_list_query_count_does_not_grow(coordinator_client):
    _workshops_with_registrations(3)
    few = count_queries(coordinator_client, MANAGE_URL)
    _workshops_with_registrations(27)  # 30 workshops: a full page of 25 and a second page
    many = count_queries(coordinator_client, MANAGE_URL)
    assert many == few


# --- Participants --------------------------------------------------------------------------


def test_participants_page_groups_people_with_company_and_size_class(coordinator_client):
    workshop = WorkshopFactory(capacity=1)
    company = CompanyFactory(name="Schmidt Feinmechanik GmbH")
    register(workshop, "Schmidt", company=company)
    register(workshop, "Wartend", company_name="Warte AG")
    register(workshop, "Zweite")
    gone = register(workshop, "Storniert")
    services.cancel_registration(registration=gone)
    other = WorkshopFactory()
    register(other, "Fremd")

    response = coordinator_client.get(url("participants", workshop))
    content = response.content.decode()
    assert "Schmidt Feinmechanik GmbH" in content
    assert company.get_size_class_stored_display() in content
    assert "Warte AG" in content
    assert "Fremd" not in content
    groups = {status: rows for status, _label, rows in response.context["groups"]}
    assert [r.last_name for r in groups["confirmed"]] == ["Schmidt"]
    assert [(r.last_name, r.position) for r in groups["waitlisted"]] == [
        ("Wartend", 1),
        ("Zweite", 2),
    ]
    assert [r.last_name for r in groups["cancelled"]] == ["Storniert"]
    assert url("promote", workshop, groups["waitlisted"][0].pk) in content


def test_participants_page_shows_attendance_groups(coordinator_client):
    start = timezone.now() - timedelta(days=1)
    workshop = WorkshopFactory(starts_at=start, ends_at=start + timedelta(hours=3))
    attendee = RegistrationFactory(workshop=workshop, last_name="Da", status="attended")
    RegistrationFactory(workshop=workshop, last_name="Weg", status="no_show")
    response = coordinator_client.get(url("participants", workshop))
    groups = {status: rows for status, _label, rows in response.context["groups"]}
    assert [r.last_name for r in groups["attended"]] == ["Da"]
    assert [r.last_name for r in groups["no_show"]] == ["Weg"]
    content = response.content.decode()
    assert url("send_certificates", workshop) in content
    assert reverse("registrations:certificate", args=[attendee.cancel_token]) in content


def _registrations(workshop, count):
    company = CompanyFactory()
    for n in range(count):
        RegistrationFactory(workshop=workshop, company=company if n % 2 else None)
        RegistrationFactory(workshop=workshop, status="waitlisted")


def test_participants_query_count_does_not_grow(coordinator_client):
    workshop = WorkshopFactory(capacity=100)
    _registrations(workshop, 3)
    few = count_queries(coordinator_client, url("participants", workshop))
    _registrations(workshop, 27)
    many = count_queries(coordinator_client, url("participants", workshop))
    assert many == few


def test_promote_moves_waitlisted_person_up(coordinator_client, django_capture_on_commit_callbacks):
    workshop = WorkshopFactory(capacity=1)
    first = register(workshop, "Erste")
    waiting = register(workshop, "Wartend")
    Workshop.objects.filter(pk=workshop.pk).update(capacity=2)
    deliver_new()  # the worker has sent what the setup queued
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(url("promote", workshop, waiting.pk), follow=True)
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.CONFIRMED
    assert "has moved up from the waitlist" in response.content.decode()
    assert [m.to for m in mail.outbox] == [[waiting.email]]
    first.refresh_from_db()
    assert first.status == Registration.Status.CONFIRMED


def test_promote_without_free_place_says_so(coordinator_client):
    workshop = WorkshopFactory(capacity=1)
    register(workshop, "Erste")
    waiting = register(workshop, "Wartend")
    response = coordinator_client.post(url("promote", workshop, waiting.pk), follow=True)
    assert "There is no free place" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.WAITLISTED


def test_promote_of_another_workshops_registration_is_404(coordinator_client):
    workshop = WorkshopFactory()
    other = register(WorkshopFactory(), "Fremd")
    assert coordinator_client.post(url("promote", workshop, other.pk)).status_code == 404
    assert coordinator_client.get(url("promote", workshop, other.pk)).status_code == 405


# --- Export --------------------------------------------------------------------------------


def _export_workshop():
    workshop = WorkshopFactory(capacity=1)
    company = CompanyFactory(name="Müller Metall GmbH")
    register(workshop, "Müller", company=company)
    services.register_participant(
        workshop=workshop,
        first_name='=HYPERLINK("http://evil")',
        last_name="Formel",
        email="formel@example.org",
        company_name="+49 Ltd",
    )
    register(WorkshopFactory(), "Fremd")
    return workshop, company


def test_export_csv_contains_participants_and_neutralises_formulas(coordinator_client):
    workshop, company = _export_workshop()
    response = coordinator_client.get(url("participants_export", workshop, "csv"))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:4] == ["Last name", "First name", "E-mail", "Company"]
    by_name = {row[0]: row for row in rows[1:]}
    assert set(by_name) == {"Müller", "Formel"}
    assert by_name["Müller"][3] == "Müller Metall GmbH"
    assert by_name["Müller"][4] == str(company.get_size_class_stored_display())
    assert by_name["Müller"][5] == "confirmed"
    assert by_name["Formel"][1] == '\'=HYPERLINK("http://evil")'
    assert by_name["Formel"][3] == "'+49 Ltd"
    assert by_name["Formel"][6] == "1"  # waitlist position


def test_export_xlsx_contains_participants(coordinator_client):
    workshop, _company = _export_workshop()
    response = coordinator_client.get(url("participants_export", workshop, "xlsx"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Last name"
    names = {row[0]: row for row in rows[1:]}
    assert set(names) == {"Müller", "Formel"}
    assert names["Formel"][1] == '=HYPERLINK("http://evil")'  # as typed, no apostrophe
    assert sheet["B3"].data_type == "s"  # text, not a formula


def test_export_unknown_format_is_404(coordinator_client):
    workshop = WorkshopFactory()
    assert coordinator_client.get(url("participants_export", workshop, "pdf")).status_code == 404


# --- Check-in ------------------------------------------------------------------------------


def _running_workshop():
    start = timezone.now() - timedelta(minutes=30)
    return WorkshopFactory(starts_at=start, ends_at=start + timedelta(hours=3))


def test_checkin_page_lists_confirmed_people_with_one_button_each(coordinator_client):
    workshop = _running_workshop()
    confirmed = RegistrationFactory(workshop=workshop, first_name="Clara", last_name="Da")
    RegistrationFactory(workshop=workshop, last_name="Wartet", status="waitlisted")
    RegistrationFactory(workshop=workshop, last_name="Storno", status="cancelled")
    response = coordinator_client.get(url("checkin", workshop))
    content = response.content.decode()
    assert "Da, Clara" in content
    assert "Wartet" not in content and "Storno" not in content
    assert f'action="{url("checkin_person", workshop, confirmed.pk)}"' in content
    assert content.count('name="action" value="in"') == 1
    assert '<label for="id_q">' in content and '<label for="id_code">' in content
    # The page's script comes from static/ (CSP: no inline script).
    assert "<script" not in content.split("<main")[1]


def test_checkin_marks_attended_and_no_show(coordinator_client):
    workshop = _running_workshop()
    present = RegistrationFactory(workshop=workshop)
    absent = RegistrationFactory(workshop=workshop)
    undecided = RegistrationFactory(workshop=workshop)
    response = coordinator_client.post(
        url("checkin", workshop),
        {
            f"registration_{present.pk}": "attended",
            f"registration_{absent.pk}": "no_show",
        },
        follow=True,
    )
    assert "Attendance saved (2 changes)" in response.content.decode()
    for registration in (present, absent, undecided):
        registration.refresh_from_db()
    assert present.status == "attended" and present.attendance_marked_at is not None
    assert absent.status == "no_show" and absent.attendance_marked_at is not None
    assert undecided.status == "confirmed" and undecided.attendance_marked_at is None
    # The marked people stay on the list and can be corrected.
    coordinator_client.post(url("checkin", workshop), {f"registration_{absent.pk}": "attended"})
    absent.refresh_from_db()
    assert absent.status == "attended"


def test_checkin_is_in_the_audit_log_with_the_coordinator(coordinator_client, coordinator):
    from auditlog.models import LogEntry

    workshop = _running_workshop()
    person = RegistrationFactory(workshop=workshop)
    coordinator_client.post(url("checkin", workshop), {f"registration_{person.pk}": "no_show"})
    entry = LogEntry.objects.get_for_object(person).get(action=LogEntry.Action.UPDATE)
    assert entry.actor == coordinator
    assert entry.changes["status"] == ["confirmed", "no_show"]


def test_checkin_rejects_bad_values_and_foreign_rows(coordinator_client):
    workshop = _running_workshop()
    person = RegistrationFactory(workshop=workshop)
    waiting = RegistrationFactory(workshop=workshop, status="waitlisted")
    response = coordinator_client.post(
        url("checkin", workshop),
        {f"registration_{person.pk}": "<script>", f"registration_{waiting.pk}": "attended"},
    )
    assert response.status_code == 200
    assert f"registration_{person.pk}" in response.context["form"].errors
    person.refresh_from_db()
    waiting.refresh_from_db()
    assert (person.status, waiting.status) == ("confirmed", "waitlisted")


def test_checkin_before_the_workshop_day_records_nothing(coordinator_client):
    workshop = WorkshopFactory()  # two weeks ahead
    person = RegistrationFactory(workshop=workshop)
    response = coordinator_client.post(
        url("checkin", workshop), {f"registration_{person.pk}": "attended"}, follow=True
    )
    assert "from the day of the workshop on" in response.content.decode()
    person.refresh_from_db()
    assert person.status == "confirmed"


def test_checkin_query_count_does_not_grow(coordinator_client):
    workshop = _running_workshop()
    company = CompanyFactory()
    RegistrationFactory.create_batch(3, workshop=workshop, company=company)
    few = count_queries(coordinator_client, url("checkin", workshop))
    RegistrationFactory.create_batch(27, workshop=workshop)
    many = count_queries(coordinator_client, url("checkin", workshop))
    assert many == few


# --- Permissions ---------------------------------------------------------------------------


def _all_urls(workshop, registration):
    return [
        ("get", MANAGE_URL),
        ("get", url("participants", workshop)),
        ("get", url("participants_export", workshop, "csv")),
        ("get", url("participants_export", workshop, "xlsx")),
        ("get", url("checkin", workshop)),
        ("get", url("signature_sheet", workshop)),
        ("post", url("checkin", workshop)),
        ("post", url("promote", workshop, registration.pk)),
        ("post", url("send_certificates", workshop)),
        ("post", url("cancel", workshop)),
        ("post", url("publish", workshop)),
    ]


def test_every_manage_url_needs_login(client):
    workshop = WorkshopFactory()
    registration = RegistrationFactory(workshop=workshop, status="waitlisted")
    for method, path in _all_urls(workshop, registration):
        response = getattr(client, method)(path)
        assert response.status_code == 302, path
        assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", ["company_rep", "plain_user"])
def test_every_manage_url_is_forbidden_for_non_coordinators(client, role):
    workshop = WorkshopFactory()
    registration = RegistrationFactory(workshop=workshop, status="waitlisted")
    user = CompanyMemberFactory().user if role == "company_rep" else UserFactory()
    client.force_login(user)
    for method, path in _all_urls(workshop, registration):
        assert getattr(client, method)(path).status_code == 403, path
    workshop.refresh_from_db()
    registration.refresh_from_db()
    assert workshop.status == "published" and registration.status == "waitlisted"


def test_unknown_slug_is_404_for_coordinators(coordinator_client):
    for name in ("participants", "checkin", "edit", "cancel", "signature_sheet"):
        assert (
            coordinator_client.get(reverse(f"workshops:{name}", args=["gibt-es-nicht"])).status_code
            == 404
        )
