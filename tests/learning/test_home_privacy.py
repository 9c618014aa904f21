"""The learning sections of the home, linking accounts at login, and ProgrammePerson as
personal data (export and anonymisation)."""

import json

import pytest

from learning.models import ProgrammePerson, ReportItem
from learning.services import start_programme
from regiolab.privacy.anonymisation import anonymise_person, find_person
from regiolab.privacy.personal_data import export_json
from tests.factories import CompanyMemberFactory, UserFactory
from tests.learning.support import add_org, make_programme

pytestmark = pytest.mark.django_db


def test_participants_home_lists_their_programmes_only_for_participants(client, coordinator):
    programme = make_programme(coordinator, title="Lernen im Verbund Süd")
    participant = CompanyMemberFactory().user
    add_org(programme, users=[participant])
    start_programme(programme=programme, by=coordinator)
    client.force_login(participant)
    page = client.get("/").content.decode()
    assert "Ihre Lernprogramme" in page and "Lernen im Verbund Süd" in page
    assert "Nächster Lernworkshop" in page

    member = CompanyMemberFactory().user  # a company representative in no programme
    client.force_login(member)
    page = client.get("/").content.decode()
    assert "Ihre Lernprogramme" not in page
    assert f"/learning/{programme.slug}/" not in page


def test_coordinators_home_shows_programmes_with_their_next_workshop(client, coordinator):
    make_programme(coordinator, title="Lernen im Verbund Nord")
    client.force_login(coordinator)
    page = client.get("/").content.decode()
    assert "Lernprogramme" in page and "Lernen im Verbund Nord" in page
    assert "Nächster Lernworkshop" in page


def test_account_is_linked_at_login(client, coordinator):
    programme = make_programme(coordinator)
    organisation = add_org(programme, people=["Anmeldung@Firma.example"])
    user = UserFactory(email="anmeldung@firma.example")
    response = client.post(
        "/accounts/login/",
        {"login": "anmeldung@firma.example", "password": "correct-horse-battery"},
    )
    assert response.status_code == 302
    # Linked by the login itself, before any learning page was opened.
    assert organisation.people.get().user == user


def test_personal_data_export_holds_the_participations(coordinator):
    programme = make_programme(coordinator, title="Export-Programm")
    organisation = add_org(programme)
    ProgrammePerson.objects.create(
        organisation=organisation, email="Ella@Firma.example", first_name="Ella", last_name="Eck"
    )
    data = json.loads(export_json(emails=["ella@firma.example"]))
    [row] = data["learning"]["programme_participations"]
    assert row["programme"] == "Export-Programm"
    assert row["organisation"] == organisation.company.name
    assert (row["first_name"], row["last_name"], row["email"]) == (
        "Ella",
        "Eck",
        "Ella@Firma.example",
    )


def test_anonymisation_blanks_the_person_and_scrubs_report_texts(coordinator):
    from learning.models import CycleReport

    programme = make_programme(coordinator)
    organisation = add_org(programme)
    person = ProgrammePerson.objects.create(
        organisation=organisation, email="olaf@firma.example", first_name="Olaf", last_name="Ohm"
    )
    report = CycleReport.objects.create(
        cycle=programme.cycles.get(number=1), organisation=organisation, status="submitted"
    )
    item = ReportItem.objects.create(
        report=report, section="activity", text="Olaf Ohm hat die Schulung geleitet."
    )
    preview = find_person(email="olaf@firma.example")
    assert preview.total >= 2
    anonymise_person(email="olaf@firma.example", performed_by=coordinator)
    person.refresh_from_db()
    item.refresh_from_db()
    assert person.email.endswith("@anonymised.invalid")
    assert person.first_name == "—" and person.last_name == "" and person.user is None
    assert "Olaf" not in item.text and "Ohm" not in item.text
    # The row stays: the organisation's records point to it.
    assert organisation.people.count() == 1
