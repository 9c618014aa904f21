"""Consents: recorded where the forms ask for them, listed and withdrawn on the privacy page."""

import pytest
from allauth.account.models import EmailAddress
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from companies import services as company_services
from companies.models import Company
from regiolab.privacy import consents
from regiolab.privacy.models import Consent
from tests.factories import CompanyMemberFactory, UserFactory, WorkshopFactory
from tests.matrix_world import _company_profile
from workshops.models import Registration
from workshops.registration import services as workshop_services
from workshops.registration.forms import CONSENT_TEXT

pytestmark = pytest.mark.django_db

PRIVACY_URL = "/accounts/privacy/"


def _withdraw_url(consent) -> str:
    return f"/accounts/privacy/consents/{consent.pk}/withdraw/"


def _register(workshop, email, **extra):
    return workshop_services.register_participant(
        workshop=workshop,
        first_name="Jana",
        last_name="Jansen",
        email=email,
        consent_text_version="2026-11",
        **extra,
    )


# --- recorded where the forms ask ----------------------------------------------------------------


def test_company_registration_records_the_contact_consent(client):
    person = UserFactory(email="gruenderin@holzbau.example")
    client.force_login(person)

    response = client.post("/companies/new/", _company_profile("Calenberger Holzbau GmbH"))

    assert response.status_code == 302
    company = Company.objects.get(name="Calenberger Holzbau GmbH")
    consent = Consent.objects.get()
    assert consent.purpose == "contact"
    assert consent.user == person and consent.email == person.email
    assert consent.given_by is None  # the person gave it themselves
    assert consent.subject == f"company:{company.pk}"
    assert consent.source == "company_form"
    assert consent.withdrawn_at is None
    assert consents.consent_text(consent.text_version, "en") == "Agrees to be contacted"


def test_company_without_contact_consent_records_nothing(client):
    person = UserFactory()
    client.force_login(person)
    profile = _company_profile("Stille Schreinerei GmbH")
    del profile["contact_consent"]

    assert client.post("/companies/new/", profile).status_code == 302

    assert Company.objects.filter(name="Stille Schreinerei GmbH", contact_consent=False).exists()
    assert not Consent.objects.exists()


def test_a_coordinator_records_the_company_consent_not_their_own(coordinator):
    company = company_services.create_company(
        created_by=coordinator, **_profile_fields(contact_consent=True)
    )

    consent = Consent.objects.get()
    assert consent.user is None and consent.email == ""
    assert consent.given_by == coordinator
    assert consent.subject == f"company:{company.pk}"


def test_unticking_on_the_profile_withdraws_and_ticking_again_records_anew():
    owner = UserFactory()
    company = company_services.create_company(
        created_by=owner, **_profile_fields(contact_consent=True)
    )
    first = Consent.objects.get()

    company_services.update_company(
        company=company, updated_by=owner, **_profile_fields(contact_consent=False)
    )
    first.refresh_from_db()
    assert first.withdrawn_at is not None

    company_services.update_company(
        company=company, updated_by=owner, **_profile_fields(contact_consent=True)
    )
    assert Consent.objects.count() == 2  # the withdrawn one stays as evidence
    assert Consent.objects.filter(withdrawn_at=None).get().pk != first.pk


def test_workshop_registration_with_statistics_records_the_consent(client):
    workshop = WorkshopFactory()

    response = client.post(
        f"/workshops/{workshop.slug}/register/",
        {
            "first_name": "Jana",
            "last_name": "Jansen",
            "email": "Jana.Jansen@Example.org",
            "company_name": "Jansen Metall GmbH",
            "language": "de",
            "gender": "female",
            "age_band": "25_54",
            "employment_status": "employed",
            "education_level": "isced_3_4",
            "consent": "on",
        },
    )

    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.gender == "female" and registration.age_band == "25_54"
    consent = Consent.objects.get()
    assert consent.purpose == "workshop"
    assert consent.email == "Jana.Jansen@Example.org"
    assert consent.user is None and consent.given_by is None  # signed out: by address
    assert consent.subject == f"registration:{registration.pk}"
    assert consent.source == "workshop_registration"
    assert consent.given_at == registration.consent_given_at
    assert consent.text_version == "workshop-2026-11"
    # German was active: the text is reproduced as it was shown, in German.
    assert consent.language == "de"
    assert consents.consent_text(consent.text_version, consent.language).startswith(
        "Ich bin damit einverstanden"
    )
    with translation.override("en"):
        assert consents.consent_text(consent.text_version, "en") == str(CONSENT_TEXT)


def test_signed_in_registration_links_the_consent_to_the_account():
    person = UserFactory(email="selbst@example.org")

    _register(WorkshopFactory(), "Selbst@Example.org", registered_by=person)

    consent = Consent.objects.get()
    assert consent.user == person and consent.given_by is None


def test_registration_hot_path_has_exactly_one_extra_insert():
    workshop = WorkshopFactory()

    with CaptureQueriesContext(connection) as without:
        workshop_services.register_participant(
            workshop=workshop, first_name="Ohne", last_name="Zustimmung", email="a@example.org"
        )
    with CaptureQueriesContext(connection) as with_consent:
        _register(workshop, "b@example.org")

    def consent_inserts(ctx):
        return [
            q for q in ctx.captured_queries if q["sql"].startswith('INSERT INTO "regiolab_consent"')
        ]

    assert consent_inserts(without) == []
    assert len(consent_inserts(with_consent)) == 1
    assert len(with_consent.captured_queries) == len(without.captured_queries) + 1
    assert Consent.objects.count() == 1


def test_colleague_booking_records_each_colleagues_consent_in_one_insert():
    booker = CompanyMemberFactory(user__email="personal@muster.example").user
    workshop = WorkshopFactory()
    people = [
        workshop_services.Participant("Kai", "Kollege", f"kollege{i}@muster.example")
        for i in range(3)
    ]

    with CaptureQueriesContext(connection) as ctx:
        workshop_services.register_participants(
            workshop=workshop,
            participants=people,
            registered_by=booker,
            consent_text_version="2026-11",
        )

    inserts = [q for q in ctx.captured_queries if 'INSERT INTO "regiolab_consent"' in q["sql"]]
    assert len(inserts) == 1
    rows = Consent.objects.order_by("email")
    assert [c.email for c in rows] == [p.email for p in people]
    assert all(c.given_by == booker and c.user is None for c in rows)
    assert all(c.source == "colleague_registration" for c in rows)
    assert consents.consent_text(rows[0].text_version, "en").startswith("My colleagues know")


def test_a_failed_registration_leaves_no_consent_behind():
    workshop = WorkshopFactory()
    _register(workshop, "doppelt@example.org")

    with pytest.raises(workshop_services.DuplicateRegistration):
        _register(workshop, "DOPPELT@example.org")

    assert Consent.objects.count() == 1


def test_an_unknown_text_version_is_refused():
    with pytest.raises(ValueError, match="unknown consent text version"):
        consents.build_consent(
            purpose="workshop", text_version="nie-gezeigt", source="workshop_registration"
        )


# --- the privacy page ----------------------------------------------------------------------------


@pytest.mark.usefixtures("english")
def test_privacy_page_lists_own_consents_by_account_and_by_address(client):
    person = UserFactory(email="jana@example.org")
    workshop = WorkshopFactory(title="Cobots kompakt")
    _register(workshop, "jana@example.org")  # signed out, same confirmed address
    company_services.create_company(created_by=person, **_profile_fields(contact_consent=True))
    _register(workshop, "fremd@example.org")  # somebody else
    client.force_login(person)

    response = client.get(PRIVACY_URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Workshop registration and statistics for the funders" in page
    assert "Company may be contacted" in page
    assert "workshop-2026-11" in page and "contact-2026-11" in page
    assert page.count(">Withdraw</a>") == 2
    assert str(CONSENT_TEXT) in page
    assert "Download my data (JSON)" in page
    assert 'href="/accounts/privacy/"' in page and 'aria-current="page"' in page
    assert len(response.context["page_obj"].object_list) == 2


def test_an_unconfirmed_address_shows_nobody_elses_consents(client):
    _register(WorkshopFactory(), "opfer@example.org")
    snoop = UserFactory()
    EmailAddress.objects.create(user=snoop, email="opfer@example.org", verified=False)
    client.force_login(snoop)

    response = client.get(PRIVACY_URL)

    assert list(response.context["page_obj"].object_list) == []
    consent = Consent.objects.get()
    assert client.post(_withdraw_url(consent)).status_code == 404
    consent.refresh_from_db()
    assert consent.withdrawn_at is None


@pytest.mark.usefixtures("english")
def test_withdraw_asks_first_then_records_the_date(client):
    person = UserFactory(email="jana@example.org")
    _register(WorkshopFactory(), "jana@example.org", registered_by=person)
    consent = Consent.objects.get()
    client.force_login(person)

    confirm = client.get(_withdraw_url(consent))
    assert confirm.status_code == 200
    assert "Yes, withdraw this consent" in confirm.content.decode()
    consent.refresh_from_db()
    assert consent.withdrawn_at is None  # asking changes nothing

    response = client.post(_withdraw_url(consent), follow=True)

    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert Consent.objects.count() == 1  # recorded, never deleted
    page = response.content.decode()
    assert "has been withdrawn" in page
    assert "withdrawn on" in page and ">Withdraw</a>" not in page
    assert Registration.objects.get().first_name == "Jana"  # nothing is blanked here

    again = client.post(_withdraw_url(consent), follow=True)
    assert "already been withdrawn" in again.content.decode()
    withdrawn_at = consent.withdrawn_at
    consent.refresh_from_db()
    assert consent.withdrawn_at == withdrawn_at


def test_withdrawing_the_contact_consent_stops_contacting_the_company(client):
    owner = UserFactory()
    company = company_services.create_company(
        created_by=owner, **_profile_fields(contact_consent=True)
    )
    consent = Consent.objects.get()
    client.force_login(owner)

    assert client.post(_withdraw_url(consent)).status_code == 302

    company.refresh_from_db()
    assert company.contact_consent is False


def test_another_persons_consent_cannot_be_withdrawn(client):
    owner = UserFactory()
    company_services.create_company(created_by=owner, **_profile_fields(contact_consent=True))
    consent = Consent.objects.get()
    client.force_login(UserFactory())

    assert client.get(_withdraw_url(consent)).status_code == 404
    assert client.post(_withdraw_url(consent)).status_code == 404
    assert client.post("/accounts/privacy/consents/987654/withdraw/").status_code == 404

    consent.refresh_from_db()
    assert consent.withdrawn_at is None
    assert Company.objects.get().contact_consent is True


def test_privacy_pages_need_a_login(client):
    _register(WorkshopFactory(), "x@example.org")
    consent = Consent.objects.get()

    for response in (client.get(PRIVACY_URL), client.post(_withdraw_url(consent))):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    consent.refresh_from_db()
    assert consent.withdrawn_at is None


def test_privacy_page_query_count_does_not_grow(client, django_assert_num_queries):
    person = UserFactory(email="viel@example.org")
    client.force_login(person)
    _register(WorkshopFactory(), "viel@example.org")
    with CaptureQueriesContext(connection) as few:
        client.get(PRIVACY_URL)
    for _ in range(15):
        _register(WorkshopFactory(), "viel@example.org")

    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(PRIVACY_URL)
    assert len(response.context["page_obj"].object_list) == 16


def _profile_fields(**overrides) -> dict:
    fields = {
        "name": "Muster Holz GmbH",
        "city": "Hannover",
        "sector": "C",
        "headcount": 12,
        "contact_consent": False,
    }
    return fields | overrides
