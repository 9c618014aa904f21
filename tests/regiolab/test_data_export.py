"""Right of access (Art. 15 GDPR): a person downloads their data, a coordinator produces it for
anybody by e-mail address."""

import json
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from auditlog import get_logentry_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from companies import services as company_services
from funding.models import Grant, ProgressReport
from networks import services as network_services
from regiolab.mail.models import OutboundEmail
from tests.factories import (
    CompanyMemberFactory,
    FunderFactory,
    TrainingNetworkFactory,
    UserFactory,
    WorkshopFactory,
)
from tests.support.mfa import enable_totp
from workshops.registration import services as workshop_services

pytestmark = pytest.mark.django_db

EXPORT_URL = "/accounts/privacy/export.json"
REQUEST_URL = "/accounts/privacy/requests/"


def _register(workshop, email, *, last_name="Jansen", **extra):
    return workshop_services.register_participant(
        workshop=workshop,
        first_name="Jörg",
        last_name=last_name,
        email=email,
        consent_text_version="2026-11",
        gender="male",
        age_band="55_plus",
        **extra,
    )


def _download(response) -> dict:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/json; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert today in response["Content-Disposition"]
    return json.loads(response.content.decode("utf-8"))


@pytest.fixture
def person():
    """A company owner with a registration, an invitation, a network request, a report
    request, a second factor and the e-mails the portal sent them."""
    user = CompanyMemberFactory(
        user__email="joerg@jansen.example", user__first_name="Jörg", company__name="Jansen Guss"
    ).user
    company = user.company_memberships.get().company
    workshop = WorkshopFactory(title="Cobots für Einsteiger")
    _register(workshop, "joerg@jansen.example", registered_by=user, company=company)
    _register(workshop, "fremd@example.org", last_name="Fremdmann")
    network = TrainingNetworkFactory(name="Verbund Gießerei")
    network_services.request_membership(network=network, company=company, requested_by=user)
    other = CompanyMemberFactory(company__name="Andere Firma").user
    company_services.invite_colleague(
        company=other.company_memberships.get().company,
        email="joerg@jansen.example",
        invited_by=other,
    )
    grant = Grant.objects.create(
        reference="FKZ-EXPORT-1",
        title="Verbünde",
        start_date=date(2026, 1, 1),
        end_date=date(2027, 12, 31),
        total_eligible_costs=Decimal(1000),
    )
    ProgressReport.objects.create(
        grant=grant,
        kind="interim",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 6, 30),
        requested_by=user,
    )
    Authenticator.objects.create(
        user=user, type="totp", data={"secret": "GEHEIMESGEHEIMNIS"}, last_used_at=None
    )
    return user


def test_person_downloads_their_own_data(client, person):
    client.force_login(person)

    data = _download(client.get(EXPORT_URL))

    account = data["account"]
    assert account["first_name"] == "Jörg" and account["email"] == "joerg@jansen.example"
    assert account["email_addresses"] == [
        {"email": "joerg@jansen.example", "verified": True, "primary": True}
    ]
    assert account["two_factor_authentication"][0]["type"] == "totp"
    datetime.fromisoformat(account["date_joined"])  # ISO 8601

    registrations = data["workshops"]["registrations"]
    assert len(registrations) == 1
    registration = registrations[0]
    assert registration["last_name"] == "Jansen" and registration["gender"] == "male"
    assert registration["workshop"]["title"] == "Cobots für Einsteiger"
    assert registration["status"] == "confirmed"
    datetime.fromisoformat(registration["workshop"]["starts_at"])

    membership = data["companies"]["memberships"][0]
    assert membership["role"] == "owner" and membership["company"]["name"] == "Jansen Guss"
    assert data["companies"]["invitations_received"][0]["company"] == "Andere Firma"
    assert data["networks"]["membership_requests"][0]["network"] == "Verbund Gießerei"
    assert data["funding"]["progress_reports_requested"][0]["grant"] == "FKZ-EXPORT-1"
    assert [c["text_version"] for c in data["consents"]] == ["workshop-2026-11"]
    assert data["consents"][0]["text"].startswith("Ich bin damit einverstanden")

    sent = data["emails_sent_to_you"]
    subjects = OutboundEmail.objects.filter(to="joerg@jansen.example").values_list(
        "subject", flat=True
    )
    assert sorted(e["subject"] for e in sent) == sorted(subjects) and len(sent) >= 2
    assert all(e["text"] for e in sent)


def test_export_holds_nothing_of_other_people_nor_secrets(client, person):
    client.force_login(person)

    response = client.get(EXPORT_URL)

    raw = response.content.decode("utf-8")
    assert "Fremdmann" not in raw and "fremd@example.org" not in raw
    assert "GEHEIMESGEHEIMNIS" not in raw
    assert "cancel_token" not in raw
    assert "Jörg" in raw  # UTF-8, not \u escapes
    assert raw.startswith('{\n  "')  # indented


def test_an_unconfirmed_address_does_not_open_another_persons_data(client):
    _register(WorkshopFactory(), "opfer@example.org", last_name="Opfermann")
    snoop = UserFactory()
    EmailAddress.objects.create(user=snoop, email="opfer@example.org", verified=False)
    client.force_login(snoop)

    data = _download(client.get(EXPORT_URL))

    assert data["workshops"]["registrations"] == []
    assert "Opfermann" not in json.dumps(data)


def test_registrations_under_a_second_confirmed_address_are_included(client):
    user = UserFactory(email="privat@example.org")
    EmailAddress.objects.create(user=user, email="Dienst@Firma.example", verified=True)
    _register(WorkshopFactory(), "dienst@firma.example", last_name="Zweitadresse")
    client.force_login(user)

    data = _download(client.get(EXPORT_URL))

    assert [r["last_name"] for r in data["workshops"]["registrations"]] == ["Zweitadresse"]


def test_a_coordinator_exports_the_data_of_a_person_without_account(coordinator_client):
    _register(WorkshopFactory(title="Lernen im Prozess"), "gast@example.org", last_name="Gast")
    _register(WorkshopFactory(), "fremd@example.org", last_name="Fremdmann")

    data = _download(coordinator_client.post(REQUEST_URL, {"email": " GAST@Example.org "}))

    assert data["account"] is None
    assert data["email_addresses_searched"] == ["gast@example.org"]
    assert [r["last_name"] for r in data["workshops"]["registrations"]] == ["Gast"]
    assert data["workshops"]["registrations"][0]["workshop"]["title"] == "Lernen im Prozess"
    assert data["consents"][0]["text_version"] == "workshop-2026-11"
    assert "Fremdmann" not in json.dumps(data)


def test_a_coordinator_export_by_address_includes_the_account(coordinator_client, person):
    data = _download(coordinator_client.post(REQUEST_URL, {"email": "joerg@jansen.example"}))

    assert data["account"]["first_name"] == "Jörg"
    assert data["companies"]["memberships"][0]["company"]["name"] == "Jansen Guss"
    assert len(data["workshops"]["registrations"]) == 1


@pytest.mark.usefixtures("english")
def test_the_coordinator_form_page(coordinator_client):
    response = coordinator_client.get(REQUEST_URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Request for access</h1>" in page
    assert 'name="email"' in page and "Check the person's identity first." in page


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "This field is required."),
        ("kein-at-zeichen", "Enter a valid email address."),
        ("a" * 288 + "@example.org", "at most 254 characters (it has 300)"),
        ("<script>alert(1)</script>@example.org", "Enter a valid email address."),
        ("javascript:alert(1)@example.org", "Enter a valid email address."),
    ],
)
def test_bad_input_on_the_coordinator_form_is_explained(coordinator_client, value, message):
    response = coordinator_client.post(REQUEST_URL, {"email": value})

    assert response.status_code == 200
    assert "Content-Disposition" not in response
    page = response.content.decode()
    assert message in page
    assert "<script>alert(1)</script>" not in page


def test_only_coordinators_export_for_others(client):
    _register(WorkshopFactory(), "gast@example.org", last_name="Gast")
    client.force_login(CompanyMemberFactory().user)

    assert client.get(REQUEST_URL).status_code == 403
    response = client.post(REQUEST_URL, {"email": "gast@example.org"})
    assert response.status_code == 403
    assert b"Gast" not in response.content

    funder_user = UserFactory()
    FunderFactory().users.add(funder_user)
    enable_totp(funder_user)  # funders must have a second factor to get this far
    client.force_login(funder_user)
    assert client.post(REQUEST_URL, {"email": "gast@example.org"}).status_code == 403


def test_anonymous_is_sent_to_the_login(client):
    for response in (
        client.get(EXPORT_URL),
        client.get(REQUEST_URL),
        client.post(REQUEST_URL, {"email": "gast@example.org"}),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")


def test_the_audit_trail_lists_what_the_person_changed(client, person):
    company = person.company_memberships.get().company
    get_logentry_model().objects.log_create(
        company, action=1, changes={"name": ["A", "B"]}, actor=person, force_log=True
    )
    client.force_login(person)

    data = _download(client.get(EXPORT_URL))

    entries = [e for e in data["changes_you_made"] if e["object_type"] == "company"]
    assert entries and entries[0]["object_id"] == str(company.pk)


def test_export_query_count_does_not_grow_with_the_rows(client, django_assert_num_queries):
    user = UserFactory(email="viel@example.org")
    client.force_login(user)
    _register(WorkshopFactory(), "viel@example.org", registered_by=user)
    with CaptureQueriesContext(connection) as one:
        assert len(_download(client.get(EXPORT_URL))["workshops"]["registrations"]) == 1
    start = timezone.now() + timedelta(days=3)
    for index in range(19):
        workshop = WorkshopFactory(starts_at=start + timedelta(days=index))
        _register(workshop, "viel@example.org", registered_by=user)
        _register(workshop, f"kollege{index}@example.org", registered_by=user)

    with django_assert_num_queries(len(one.captured_queries)):
        data = _download(client.get(EXPORT_URL))

    assert len(data["workshops"]["registrations"]) == 20
    assert len(data["workshops"]["registrations_made_for_others"]) == 19
    assert len(data["consents"]) == 20  # not the colleagues' ones
    print(f"\nexport: {len(one.captured_queries)} queries for 1 and for 20 registrations")
