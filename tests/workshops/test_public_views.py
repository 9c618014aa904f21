from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from regiolab.mail import deliver_new
from tests.factories import (
    CompanyMemberFactory,
    RegistrationFactory,
    TopicFactory,
    TrainingNetworkFactory,
    UserFactory,
    WorkshopFactory,
)
from tests.workshops.support import register_url, valid_data
from workshops.models import Registration, Workshop
from workshops.registration import services

pytestmark = pytest.mark.django_db

LIST_URL = reverse("workshops:list")


@pytest.fixture(autouse=True)
def _english_pages(client):
    # Assertions read the English source strings; German is the default language.
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


# --- List ----------------------------------------------------------------------------------


def test_list_shows_published_upcoming_only(client):
    WorkshopFactory(title="Offen")
    WorkshopFactory(title="Entwurf", status="draft")
    WorkshopFactory(title="Abgesagt", status="cancelled")
    WorkshopFactory(
        title="Vorbei",
        starts_at=timezone.now() - timedelta(days=3),
        ends_at=timezone.now() - timedelta(days=3) + timedelta(hours=2),
    )
    content = client.get(LIST_URL).content.decode()
    assert "Offen" in content
    assert "Entwurf" not in content and "Abgesagt" not in content and "Vorbei" not in content


def test_list_rows_show_places_and_waitlist(client):
    WorkshopFactory(title="Frei", capacity=10)
    full = WorkshopFactory(title="Voll", capacity=1)
    services.register_participant(workshop=full, first_name="A", last_name="B", email="a@b.de")
    content = client.get(LIST_URL).content.decode()
    assert "10 places left" in content
    assert "waitlist" in content


def test_list_filters(client):
    robotics = TopicFactory(slug="robotik", name_de="Robotik", name_en="Robotics")
    network = TrainingNetworkFactory()
    in_topic = WorkshopFactory(title="Mit Thema", network=network)
    in_topic.topics.add(robotics)
    online = WorkshopFactory(title="Online-Kurs", format="online", venue="")
    full = WorkshopFactory(title="Ausgebucht", capacity=1)
    services.register_participant(workshop=full, first_name="A", last_name="B", email="a@b.de")
    later = WorkshopFactory(
        title="Spaeter",
        starts_at=timezone.now() + timedelta(days=100),
        ends_at=timezone.now() + timedelta(days=100, hours=2),
    )

    def titles(**params):
        cache.clear()  # the rendered list is cached; the rows are in the context of a fresh one
        return {w.title for w in client.get(LIST_URL, params).context["page_obj"].object_list}

    assert titles(topic=robotics.pk) == {"Mit Thema"}
    assert titles(network=network.pk) == {"Mit Thema"}
    assert titles(format="online") == {online.title}
    assert "Ausgebucht" not in titles(places_left="on")
    assert "Ausgebucht" in titles()
    month = timezone.localtime(later.starts_at).strftime("%Y-%m")
    assert "Spaeter" in titles(month=month)
    assert "Mit Thema" not in titles(month=month)


def test_list_invalid_filter_shows_error_not_crash(client):
    response = client.get(LIST_URL, {"month": "1999-01", "format": "<script>"})
    assert response.status_code == 200
    assert "<script>" not in response.content.decode().split("<main", 1)[1]


def test_list_paginates(client):
    for _ in range(25):
        WorkshopFactory()
    response = client.get(LIST_URL)
    assert len(response.context["page_obj"].object_list) == 20
    assert len(client.get(LIST_URL, {"page": 2}).context["page_obj"].object_list) == 5


def _make_workshops(count):
    topic = TopicFactory()
    network = TrainingNetworkFactory()
    for _ in range(count):
        workshop = WorkshopFactory(network=network)
        workshop.topics.add(topic)


def test_list_query_count_does_not_grow(client, django_assert_num_queries):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # Both requests cold: the page's other cached parts (partner events) must not tilt the count.
    _make_workshops(3)
    cache.clear()
    with CaptureQueriesContext(connection) as few:
        client.get(LIST_URL)
    _make_workshops(27)
    cache.clear()
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(LIST_URL)
    assert len(response.context["page_obj"].object_list) == 20


# --- Detail --------------------------------------------------------------------------------


def test_detail_shows_facts_and_places(client):
    topic = TopicFactory(name_de="Robotik", name_en="Robotics")
    workshop = WorkshopFactory(
        title="Cobots", title_en="Cobots EN", trainers="Dr. Kim Schulz", capacity=3
    )
    workshop.topics.add(topic)
    content = client.get(workshop.get_absolute_url()).content.decode()
    assert "Cobots" in content and "Dr. Kim Schulz" in content and "Robotik" in content
    assert "Technologiezentrum Hannover" in content
    assert "3 places left" in content
    assert register_url(workshop) in content
    assert reverse("workshops:ics", args=[workshop.slug]) in content


def test_detail_english_fallback(client):
    workshop = WorkshopFactory(title="Nur Deutsch", description="Beschreibung")
    english = WorkshopFactory(title="Deutsch", title_en="English title")
    client.cookies["django_language"] = "en"
    assert (
        "Nur Deutsch"
        in client.get(workshop.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    assert (
        "English title"
        in client.get(english.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )


def test_detail_full_workshop_says_waitlist(client):
    workshop = WorkshopFactory(capacity=1)
    services.register_participant(workshop=workshop, first_name="A", last_name="B", email="a@b.de")
    content = client.get(workshop.get_absolute_url()).content.decode()
    assert "waitlist" in content
    assert "places left" not in content


def test_draft_hidden_for_public_but_previewable_by_coordinator(client, coordinator):
    workshop = WorkshopFactory(status="draft", title="Geheim")
    assert client.get(workshop.get_absolute_url()).status_code == 404
    assert client.get(register_url(workshop)).status_code == 404
    member = CompanyMemberFactory()
    client.force_login(member.user)
    assert client.get(workshop.get_absolute_url()).status_code == 404
    client.force_login(coordinator)
    response = client.get(workshop.get_absolute_url())
    assert response.status_code == 200 and "Geheim" in response.content.decode()


def test_detail_online_workshop_shows_link(client):
    workshop = WorkshopFactory(format="online", venue="", online_url="https://meet.example.org/r")
    assert "https://meet.example.org/r" in client.get(workshop.get_absolute_url()).content.decode()


# --- Register ------------------------------------------------------------------------------


def test_register_flow_german(client, django_capture_on_commit_callbacks):
    workshop = WorkshopFactory(title="Robotik kompakt", capacity=1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            register_url(workshop), valid_data(gender="female", age_band="25_54"), follow=True
        )
    registration = Registration.objects.get()
    assert registration.status == "confirmed"
    assert registration.consent_text_version == "2026-11" and registration.consent_given_at
    assert registration.gender == "female" and registration.employment_status == ""
    assert registration.company_name == "Mustermann Metall GmbH" and registration.language == "de"
    content = response.content.decode()
    assert "Erika Mustermann" in content
    assert "on the waitlist" not in content
    [message] = mail.outbox
    assert message.to == ["erika@example.org"]
    assert "Robotik kompakt" in message.subject
    cancel_path = reverse("registrations:cancel", args=[registration.cancel_token])
    assert cancel_path in message.body
    html = message.alternatives[0][0]
    assert cancel_path in html
    filename, ics, mimetype = message.attachments[0]
    assert filename.endswith(".ics") and mimetype == "text/calendar; method=PUBLISH"
    assert b"BEGIN:VEVENT" in (ics if isinstance(ics, bytes) else ics.encode())


def test_register_flow_english_and_waitlist(client, django_capture_on_commit_callbacks):
    workshop = WorkshopFactory(title="Robotik", title_en="Robotics basics", capacity=1)
    services.register_participant(workshop=workshop, first_name="A", last_name="B", email="a@b.de")
    deliver_new()  # the worker has sent what the setup queued
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(register_url(workshop), valid_data(language="en"), follow=True)
    registration = Registration.objects.get(email="erika@example.org")
    assert registration.status == "waitlisted" and registration.language == "en"
    assert "position 1" in response.content.decode()
    [message] = mail.outbox
    assert "Robotics basics" in message.subject
    assert "waitlist" in message.body
    assert reverse("registrations:cancel", args=[registration.cancel_token]) in message.body


def test_register_page_after_deadline_says_closed(client):
    workshop = WorkshopFactory(registration_deadline=timezone.now() - timedelta(hours=1))
    response = client.post(register_url(workshop), valid_data())
    assert "deadline" in response.content.decode()
    assert not Registration.objects.exists()


def test_register_duplicate_shows_field_error(client):
    workshop = WorkshopFactory()
    client.post(register_url(workshop), valid_data())
    response = client.post(register_url(workshop), valid_data(email="ERIKA@example.org"))
    assert response.status_code == 200
    assert "already registered" in str(response.context["form"].errors["email"])
    assert Registration.objects.count() == 1


def test_company_rep_registers_for_own_company(client):
    member = CompanyMemberFactory(company__name="Fräserei Nord GmbH")
    client.force_login(member.user)
    workshop = WorkshopFactory()
    response = client.get(register_url(workshop))
    assert "Fräserei Nord GmbH" in response.content.decode()
    client.post(register_url(workshop), valid_data(company_name="Andere Firma"))
    registration = Registration.objects.get()
    assert registration.company == member.company
    assert registration.company_name == "Fräserei Nord GmbH"
    assert registration.registered_by == member.user


def colleague_data(rows, **extra):
    data = {
        "colleagues-TOTAL_FORMS": str(len(rows)),
        "colleagues-INITIAL_FORMS": "0",
        "colleagues-MIN_NUM_FORMS": "1",
        "colleagues-MAX_NUM_FORMS": "30",
        "options-language": "de",
        "options-consent": "on",
        **extra,
    }
    for index, (first, last, email) in enumerate(rows):
        data[f"colleagues-{index}-first_name"] = first
        data[f"colleagues-{index}-last_name"] = last
        data[f"colleagues-{index}-email"] = email
    return data


def test_company_rep_registers_several_colleagues(client, django_capture_on_commit_callbacks):
    member = CompanyMemberFactory()
    client.force_login(member.user)
    workshop = WorkshopFactory(capacity=2)
    assert (
        "colleagues-TOTAL_FORMS"
        in client.get(register_url(workshop) + "?colleagues=1").content.decode()
    )
    rows = [
        ("Ada", "Eins", "ada@example.org"),
        ("Ben", "Zwei", "ben@example.org"),
        ("", "", ""),
        ("Cem", "Drei", "cem@example.org"),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(register_url(workshop), colleague_data(rows), follow=True)
    registrations = list(Registration.objects.order_by("pk"))
    assert [r.email for r in registrations] == [
        "ada@example.org",
        "ben@example.org",
        "cem@example.org",
    ]
    assert [r.status for r in registrations] == ["confirmed", "confirmed", "waitlisted"]
    assert all(r.company == member.company for r in registrations)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "ada@example.org",
        "ben@example.org",
        "cem@example.org",
    ]
    assert "position 1" in response.content.decode()


def test_colleague_rows_all_or_nothing_with_errors_per_row(client):
    member = CompanyMemberFactory()
    client.force_login(member.user)
    workshop = WorkshopFactory()
    services.register_participant(
        workshop=workshop, first_name="X", last_name="Y", email="taken@example.org"
    )
    rows = [("Ada", "Eins", "ada@example.org"), ("Ben", "Zwei", "TAKEN@example.org")]
    response = client.post(register_url(workshop), colleague_data(rows))
    formset = response.context["formset"]
    assert not formset.forms[0].errors
    assert "already registered" in str(formset.forms[1].errors["email"])
    assert Registration.objects.count() == 1


def test_colleagues_need_at_least_one_row(client):
    member = CompanyMemberFactory()
    client.force_login(member.user)
    workshop = WorkshopFactory()
    response = client.post(register_url(workshop), colleague_data([("", "", "")]))
    assert response.context["formset"].non_form_errors()
    assert not Registration.objects.exists()


# --- Cancel by link ------------------------------------------------------------------------


def test_cancel_by_link(client, django_capture_on_commit_callbacks):
    workshop = WorkshopFactory(title="Lasern", capacity=1)
    holder = services.register_participant(
        workshop=workshop, first_name="Ute", last_name="Uhl", email="ute@example.org"
    )
    waiting = services.register_participant(
        workshop=workshop, first_name="Vera", last_name="Voss", email="vera@example.org"
    )
    url = reverse("registrations:cancel", args=[holder.cancel_token])
    page = client.get(url).content.decode()
    assert "Lasern" in page and "Ute Uhl" in page and "<form" in page
    assert Registration.objects.get(pk=holder.pk).status == "confirmed"  # GET changes nothing
    deliver_new()  # the worker has sent what the setup queued
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    assert Registration.objects.get(pk=holder.pk).status == "cancelled"
    assert Registration.objects.get(pk=waiting.pk).status == "confirmed"
    # Ute's confirmation of her cancellation, Vera's place.
    assert [m.to for m in mail.outbox] == [["ute@example.org"], ["vera@example.org"]]
    assert "has been cancelled" in response.content.decode()
    # Again: friendly, nothing changes.
    again = client.post(url, follow=True)
    assert again.status_code == 200 and "has been cancelled" in again.content.decode()
    assert Workshop.objects.get(pk=workshop.pk).seats_taken == 1


def test_cancel_unknown_token_404(client):
    assert client.get(reverse("registrations:cancel", args=["nope"])).status_code == 404
    assert client.post(reverse("registrations:cancel", args=["nope"])).status_code == 404


# --- Company registrations -----------------------------------------------------------------

MINE_URL = reverse("registrations:company")


def test_company_page_shows_only_own_company(client):
    member = CompanyMemberFactory()
    other = CompanyMemberFactory()
    own = RegistrationFactory(company=member.company, last_name="Eigene")
    RegistrationFactory(company=other.company, last_name="Fremde")
    client.force_login(member.user)
    content = client.get(MINE_URL).content.decode()
    assert "Eigene" in content and "Fremde" not in content
    assert own.workshop.display_title in content


def test_company_page_cancel_own_but_not_others(client):
    member = CompanyMemberFactory()
    other = CompanyMemberFactory()
    workshop = WorkshopFactory()
    own = services.register_participant(
        workshop=workshop,
        first_name="A",
        last_name="B",
        email="own@example.org",
        company=member.company,
    )
    foreign = services.register_participant(
        workshop=workshop,
        first_name="C",
        last_name="D",
        email="foreign@example.org",
        company=other.company,
    )
    client.force_login(member.user)
    assert client.post(MINE_URL, {"registration": foreign.pk}).status_code == 404
    assert Registration.objects.get(pk=foreign.pk).status == "confirmed"
    assert client.post(MINE_URL, {"registration": "<script>"}).status_code == 404
    response = client.post(MINE_URL, {"registration": own.pk})
    assert response.status_code == 302
    assert Registration.objects.get(pk=own.pk).status == "cancelled"


def test_company_page_other_roles(client, coordinator):
    assert client.get(MINE_URL).status_code == 302  # login first
    client.force_login(UserFactory())
    response = client.get(MINE_URL)
    assert (
        response.status_code == 200 and "does not belong to a company" in response.content.decode()
    )
    client.force_login(coordinator)
    assert client.get(MINE_URL)["Location"] == reverse("workshops:manage_list")


def test_company_page_query_count_constant(client, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    member = CompanyMemberFactory()
    client.force_login(member.user)
    for _ in range(3):
        RegistrationFactory(company=member.company)
    with CaptureQueriesContext(connection) as few:
        client.get(MINE_URL)
    for _ in range(27):
        RegistrationFactory(company=member.company)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(MINE_URL)


# --- Start page tag ------------------------------------------------------------------------


def test_upcoming_workshops_tag_one_query(django_assert_num_queries):
    WorkshopFactory(title="Bald")
    WorkshopFactory(title="Entwurf", status="draft")
    template = Template("{% load workshop_tags %}{% upcoming_workshops 3 %}")
    with django_assert_num_queries(1):
        html = template.render(Context({}))
    assert "Bald" in html and "Entwurf" not in html


# --- Page structure ------------------------------------------------------------------------


def test_every_public_page_has_one_h1_and_no_inline_code(client, settings, tmp_path):
    member = CompanyMemberFactory()
    workshop = WorkshopFactory()
    registration = services.register_participant(
        workshop=workshop, first_name="A", last_name="B", email="a@b.de", company=member.company
    )
    closed = WorkshopFactory(registration_deadline=timezone.now() - timedelta(hours=1))
    pages = [
        LIST_URL,
        workshop.get_absolute_url(),
        register_url(workshop),
        register_url(closed),
        reverse("registrations:cancel", args=[registration.cancel_token]),
    ]
    client.force_login(member.user)
    pages += [MINE_URL, register_url(workshop) + "?colleagues=1"]
    for path in pages:
        html = client.get(path).content.decode()
        assert html.count("<h1") == 1, path
        assert " style=" not in html and "<script>" not in html, path
        (tmp_path / "last.html").write_text(html)


def test_rules_predicates(coordinator):
    from django.contrib.auth.models import AnonymousUser

    member = CompanyMemberFactory()
    stranger = UserFactory()
    own = RegistrationFactory(company=member.company)
    foreign = RegistrationFactory(company=CompanyMemberFactory().company)
    anonymous_registration = RegistrationFactory(company=None)
    assert member.user.has_perm("workshops.view_company_registrations")
    assert not stranger.has_perm("workshops.view_company_registrations")
    assert not AnonymousUser().has_perm("workshops.view_company_registrations")
    assert member.user.has_perm("workshops.cancel_registration", own)
    assert not member.user.has_perm("workshops.cancel_registration", foreign)
    assert not member.user.has_perm("workshops.cancel_registration", anonymous_registration)
    assert coordinator.has_perm("workshops.cancel_registration", foreign)
    assert coordinator.has_perm("workshops.manage_workshop")
    assert not member.user.has_perm("workshops.manage_workshop")
