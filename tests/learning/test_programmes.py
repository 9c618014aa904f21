"""Programmes: the create_programme contract, the create and edit forms, status changes, the
list, the participant's space, outsiders and the public summary."""

from datetime import datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from learning.models import LearningProgramme
from learning.services import close_programme, create_programme, start_programme
from tests.factories import CompanyMemberFactory, UserFactory
from tests.learning.support import add_org, make_programme
from workshops.models import Registration, Workshop

pytestmark = pytest.mark.django_db


def _local(day, moment):
    return timezone.make_aware(datetime.combine(day, moment))


# --- create_programme (the contract) -----------------------------------------------------------


def test_create_programme_lays_out_cycles_with_draft_workshops(coordinator):
    start = timezone.localdate() + timedelta(days=20)
    programme = create_programme(
        title="Kompetenzsicherung Metall",
        start=start,
        cycles=3,
        interval_weeks=8,
        created_by=coordinator,
        themes=["Bedarf", "Ausbildung"],
    )
    cycles = list(programme.cycles.select_related("workshop").order_by("number"))
    assert [c.number for c in cycles] == [1, 2, 3]
    assert [c.theme for c in cycles] == ["Bedarf", "Ausbildung", ""]
    for index, cycle in enumerate(cycles):
        day = start + timedelta(weeks=8 * index)
        assert cycle.workshop.starts_at == _local(day, time(9))
        assert cycle.workshop.ends_at == _local(day, time(16))
        assert cycle.workshop.status == Workshop.Status.DRAFT
    assert programme.status == LearningProgramme.Status.PLANNED
    assert programme.slug == "kompetenzsicherung-metall"


def test_create_programme_defaults_three_cycles_eight_weeks(coordinator):
    start = timezone.localdate() + timedelta(days=3)
    programme = create_programme(title="Default", start=start, created_by=coordinator)
    days = [
        timezone.localtime(c.workshop.starts_at).date()
        for c in programme.cycles.select_related("workshop")
    ]
    assert days == [start, start + timedelta(weeks=8), start + timedelta(weeks=16)]


# --- the create form ---------------------------------------------------------------------------


def _create_data(**changes):
    data = {
        "title": "Lernen im Verbund",
        "goal": "Fachkräfte sichern",
        "description": "",
        "network": "",
        "currency": "sek",
        "start": (timezone.localdate() + timedelta(days=14)).isoformat(),
        "cycles": "3",
        "interval_weeks": "8",
        "themes": "Bedarf\nAusbildung\nBindung",
    }
    data.update(changes)
    return data


def test_create_form_creates_the_programme(coordinator_client):
    response = coordinator_client.post("/learning/new/", _create_data())
    programme = LearningProgramme.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/learning/{programme.slug}/"
    assert programme.currency == "SEK"
    assert programme.goal == "Fachkräfte sichern"
    assert list(programme.cycles.values_list("theme", flat=True)) == [
        "Bedarf",
        "Ausbildung",
        "Bindung",
    ]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "Zwei\nZeilen"}, "title"),
        ({"title": "<script>alert(1)</script>"}, "title"),
        ({"start": (timezone.localdate() - timedelta(days=1)).isoformat()}, "start"),
        ({"start": "kein Datum"}, "start"),
        ({"cycles": "0"}, "cycles"),
        ({"cycles": "13"}, "cycles"),
        ({"cycles": "drei"}, "cycles"),
        ({"interval_weeks": "0"}, "interval_weeks"),
        ({"interval_weeks": "53"}, "interval_weeks"),
        ({"currency": "EURO"}, "currency"),
        ({"currency": "€"}, "currency"),
        ({"themes": "A\nB\nC\nD"}, "themes"),
        ({"themes": "x" * 201}, "themes"),
        ({"network": "999999"}, "network"),
    ],
)
def test_create_form_refuses_bad_input_and_writes_nothing(coordinator_client, changes, field):
    response = coordinator_client.post("/learning/new/", _create_data(**changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not LearningProgramme.objects.exists()
    assert not Workshop.objects.exists()


def test_create_page_for_coordinators_only(client):
    rep = UserFactory()
    client.force_login(rep)
    assert client.get("/learning/new/").status_code == 403
    assert client.post("/learning/new/", _create_data()).status_code == 403
    assert not LearningProgramme.objects.exists()


def test_edit_saves_and_refuses_publishing_an_empty_summary(coordinator_client, coordinator):
    programme = make_programme(coordinator)
    data = {
        "title": "Neuer Titel",
        "goal": "",
        "description": "",
        "network": "",
        "currency": "EUR",
        "shared_reports": "on",
        "public_summary": "",
        "summary_published": "on",
    }
    response = coordinator_client.post(f"/learning/{programme.slug}/edit/", data)
    assert response.status_code == 200
    assert "summary_published" in response.context["form"].errors
    programme.refresh_from_db()
    assert programme.title == "Kompetenz Metall" and not programme.summary_published
    data["public_summary"] = "Zwölf Betriebe lernen gemeinsam."
    response = coordinator_client.post(f"/learning/{programme.slug}/edit/", data)
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.title == "Neuer Titel" and programme.summary_published


# --- status ------------------------------------------------------------------------------------


def test_start_publishes_future_workshops_and_close_asks_first(coordinator_client, coordinator):
    programme = make_programme(coordinator)
    response = coordinator_client.post(f"/learning/{programme.slug}/start/")
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.status == "running"
    statuses = set(programme.cycles.values_list("workshop__status", flat=True))
    assert statuses == {"published"}
    # The confirmation step first; a GET changes nothing.
    page = coordinator_client.get(f"/learning/{programme.slug}/close/")
    assert page.status_code == 200
    assert "confirm-step" in page.content.decode()
    programme.refresh_from_db()
    assert programme.status == "running"
    # A POST without the confirmation shows the step again.
    coordinator_client.post(f"/learning/{programme.slug}/close/")
    programme.refresh_from_db()
    assert programme.status == "running"
    coordinator_client.post(f"/learning/{programme.slug}/close/", {"confirmed": "1"})
    programme.refresh_from_db()
    assert programme.status == "closed" and programme.closed_at is not None


def test_a_closed_programme_is_not_started_again(coordinator):
    programme = make_programme(coordinator)
    close_programme(programme=programme)
    with pytest.raises(ValidationError) as refused:
        start_programme(programme=programme)
    assert refused.value.code == "closed"
    assert set(programme.cycles.values_list("workshop__status", flat=True)) == {"draft"}


# --- the list ----------------------------------------------------------------------------------


def test_list_by_role(client, coordinator):
    mine = make_programme(coordinator, title="Meins")
    other = make_programme(coordinator, title="Fremd und geheim")
    published = make_programme(coordinator, title="Veröffentlicht", days_ahead=40)
    LearningProgramme.objects.filter(pk=published.pk).update(
        summary_published=True, public_summary="Eine öffentliche Zusammenfassung."
    )
    participant = UserFactory()
    add_org(mine, users=[participant])

    client.force_login(coordinator)
    page = client.get("/learning/").content.decode()
    assert "Meins" in page and "Fremd und geheim" in page and "Veröffentlicht" in page

    client.force_login(participant)
    page = client.get("/learning/").content.decode()
    assert "Meins" in page and "Veröffentlicht" in page
    assert "Fremd und geheim" not in page
    assert "Eine öffentliche Zusammenfassung." in page

    client.logout()
    page = client.get("/learning/").content.decode()
    assert "Veröffentlicht" in page and "Eine öffentliche Zusammenfassung." in page
    assert "Meins" not in page and "Fremd und geheim" not in page
    assert other.slug not in page


# --- the space ---------------------------------------------------------------------------------


def test_outsiders_get_404_and_visitors_the_login(client, coordinator):
    programme = make_programme(coordinator)
    other = make_programme(coordinator, title="Anderes Programm")
    stranger = UserFactory()
    add_org(other, users=[stranger])  # a participant of another programme
    client.force_login(stranger)
    assert client.get(f"/learning/{programme.slug}/").status_code == 404
    assert client.get(f"/learning/{other.slug}/").status_code == 200
    client.logout()
    response = client.get(f"/learning/{programme.slug}/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_public_summary_shows_only_the_summary(client, coordinator):
    programme = make_programme(coordinator, goal="Geheimes Ziel")
    add_org(programme, people=["chef@metall.example"])
    LearningProgramme.objects.filter(pk=programme.pk).update(
        summary_published=True, public_summary="Was alle wissen dürfen."
    )
    for user in (None, UserFactory()):
        if user:
            client.force_login(user)
        page = client.get(f"/learning/{programme.slug}/")
        assert page.status_code == 200
        text = page.content.decode()
        assert "Was alle wissen dürfen." in text
        assert "Geheimes Ziel" not in text and "chef@metall.example" not in text
        assert "Muster Metallbau" not in text


def test_participant_space_timeline_tasks_report_and_one_click_registration(client, coordinator):
    from learning.models import CycleReport, Task

    programme = make_programme(coordinator, themes=["Bedarf erheben"])
    participant = UserFactory(first_name="Anna", last_name="Alpha")
    CompanyMemberFactory(user=participant)
    organisation = add_org(programme, users=[participant])
    add_org(programme, people=["andere@example.org"])
    start_programme(programme=programme, by=coordinator)
    cycle = programme.cycles.get(number=1)
    Task.objects.create(
        cycle=cycle, title="Bedarf im Betrieb erheben", due_date=timezone.localdate() + timedelta(5)
    )
    Task.objects.create(
        cycle=cycle, title="Längst vorbei", due_date=timezone.localdate() - timedelta(days=2)
    )
    CycleReport.objects.create(cycle=cycle, organisation=organisation)

    client.force_login(participant)
    page = client.get(f"/learning/{programme.slug}/").content.decode()
    assert "Bedarf erheben" in page  # the theme on the timeline
    assert "Bedarf im Betrieb erheben" in page and "Längst vorbei" not in page
    assert f"/learning/{programme.slug}/cycles/1/tasks/" in page
    assert f"/learning/{programme.slug}/cycles/1/report/" in page
    assert "Entwurf" in page  # the report's status
    assert "andere@example.org" not in page  # other organisations' people stay private

    response = client.post(f"/learning/{programme.slug}/cycles/1/register/")
    assert response.status_code == 302
    registration = Registration.objects.get(workshop=cycle.workshop)
    assert (registration.first_name, registration.last_name) == ("Anna", "Alpha")
    assert registration.email == participant.email
    assert registration.company_id == organisation.company_id
    assert registration.status == "confirmed"
    # A second click registers nobody twice.
    client.post(f"/learning/{programme.slug}/cycles/1/register/")
    assert Registration.objects.filter(workshop=cycle.workshop).count() == 1
    page = client.get(f"/learning/{programme.slug}/").content.decode()
    assert "Sie sind angemeldet." in page


def test_registration_refused_for_outsiders_and_closed_programmes(client, coordinator):
    programme = make_programme(coordinator)
    participant = UserFactory()
    add_org(programme, users=[participant])
    start_programme(programme=programme, by=coordinator)
    stranger = UserFactory()
    client.force_login(stranger)
    assert client.post(f"/learning/{programme.slug}/cycles/1/register/").status_code == 404
    close_programme(programme=programme)
    client.force_login(participant)
    client.post(f"/learning/{programme.slug}/cycles/1/register/")
    assert not Registration.objects.exists()


def test_account_made_later_is_linked_when_the_space_opens(client, coordinator):
    programme = make_programme(coordinator)
    organisation = add_org(programme, people=["spaeter@metall.example"])
    user = UserFactory(email="Spaeter@Metall.example")
    client.force_login(user)
    assert client.get(f"/learning/{programme.slug}/").status_code == 200
    assert organisation.people.get().user == user


def test_unverified_address_is_not_linked(client, coordinator):
    from allauth.account.models import EmailAddress

    programme = make_programme(coordinator)
    organisation = add_org(programme, people=["unbestaetigt@metall.example"])
    user = UserFactory(email="unbestaetigt@metall.example")
    EmailAddress.objects.filter(user=user).update(verified=False)
    client.force_login(user)
    assert client.get(f"/learning/{programme.slug}/").status_code == 404
    assert organisation.people.get().user is None
