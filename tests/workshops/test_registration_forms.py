"""Bad input on every registration form: field errors shown, nothing saved."""

import pytest
from django.urls import reverse

from regiolab.mail.models import OutboundEmail
from tests.factories import CompanyMemberFactory, WorkshopFactory
from workshops.models import Registration
from workshops.registration.forms import CONSENT_TEXT_VERSION, RegistrationForm

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def valid_data(**overrides):
    data = {
        "first_name": "Erika",
        "last_name": "Mustermann",
        "email": "erika@example.org",
        "company_name": "Muster GmbH",
        "language": "de",
        "consent": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_valid_form_passes():
    form = RegistrationForm(valid_data())
    assert form.is_valid(), form.errors
    assert form.service_kwargs()["consent_text_version"] == CONSENT_TEXT_VERSION


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"first_name": None}, "first_name"),
        ({"last_name": ""}, "last_name"),
        ({"email": None}, "email"),
        ({"first_name": "x" * 101}, "first_name"),
        ({"last_name": "x" * 101}, "last_name"),
        ({"company_name": "x" * 201}, "company_name"),
        ({"email": "a" * 250 + "@example.org"}, "email"),
        ({"email": "not-an-address"}, "email"),
        ({"email": "erika@"}, "email"),
        ({"first_name": SCRIPT}, "first_name"),
        ({"last_name": "<b>Muster</b>"}, "last_name"),
        ({"company_name": SCRIPT}, "company_name"),
        ({"consent": None}, "consent"),
        ({"language": "fr"}, "language"),
        ({"gender": "robot"}, "gender"),
        ({"age_band": "<script>"}, "age_band"),
        ({"employment_status": "x" * 500}, "employment_status"),
        ({"education_level": "phd"}, "education_level"),
    ],
)
def test_bad_input_gives_field_error_and_saves_nothing(client, overrides, field):
    workshop = WorkshopFactory()
    response = client.post(
        reverse("workshops:register", args=[workshop.slug]), valid_data(**overrides)
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    content = response.content.decode()
    assert 'aria-invalid="true"' in content
    assert SCRIPT not in content  # escaped when shown back
    assert not Registration.objects.exists()
    assert not OutboundEmail.objects.exists()


def test_statistics_answers_are_optional_and_declinable(client):
    workshop = WorkshopFactory()
    response = client.post(
        reverse("workshops:register", args=[workshop.slug]),
        valid_data(
            gender="declined", age_band="declined", employment_status="", education_level="declined"
        ),
    )
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert (registration.gender, registration.age_band, registration.employment_status) == (
        "declined",
        "declined",
        "",
    )


def colleague_data(rows, consent="on"):
    data = {
        "colleagues-TOTAL_FORMS": str(len(rows)),
        "colleagues-INITIAL_FORMS": "0",
        "colleagues-MIN_NUM_FORMS": "1",
        "colleagues-MAX_NUM_FORMS": "30",
        "options-language": "en",
    }
    if consent:
        data["options-consent"] = consent
    for index, (first, last, email) in enumerate(rows):
        data[f"colleagues-{index}-first_name"] = first
        data[f"colleagues-{index}-last_name"] = last
        data[f"colleagues-{index}-email"] = email
    return data


GOOD_ROW = ("Ada", "Eins", "ada@example.org")


@pytest.mark.parametrize(
    ("bad_row", "field"),
    [
        (("", "Zwei", "ben@example.org"), "first_name"),
        (("Ben", "", "ben@example.org"), "last_name"),
        (("Ben", "Zwei", ""), "email"),
        (("Ben", "x" * 101, "ben@example.org"), "last_name"),
        (("Ben", "Zwei", "ben(at)example.org"), "email"),
        ((SCRIPT, "Zwei", "ben@example.org"), "first_name"),
        (("Ben", "Zwei", "ADA@example.org"), "email"),  # twice in the list
    ],
)
def test_colleague_rows_bad_input(client, bad_row, field):
    member = CompanyMemberFactory()
    client.force_login(member.user)
    workshop = WorkshopFactory()
    response = client.post(
        reverse("workshops:register", args=[workshop.slug]), colleague_data([GOOD_ROW, bad_row])
    )
    assert response.status_code == 200
    formset = response.context["formset"]
    assert field in formset.forms[1].errors
    assert not formset.forms[0].errors
    assert SCRIPT not in response.content.decode()
    assert not Registration.objects.exists()


def test_colleagues_without_consent(client):
    member = CompanyMemberFactory()
    client.force_login(member.user)
    workshop = WorkshopFactory()
    response = client.post(
        reverse("workshops:register", args=[workshop.slug]),
        colleague_data([GOOD_ROW], consent=None),
    )
    assert "consent" in response.context["options"].errors
    assert not Registration.objects.exists()


def test_colleagues_tampered_management_form(client):
    member = CompanyMemberFactory()
    client.force_login(member.user)
    workshop = WorkshopFactory()
    data = colleague_data([GOOD_ROW])
    data["colleagues-TOTAL_FORMS"] = "<script>"
    response = client.post(reverse("workshops:register", args=[workshop.slug]), data)
    assert response.status_code == 200
    assert not Registration.objects.exists()
