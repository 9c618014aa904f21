"""Every public form, fed whatever a browser or a bot can send: never a server error, and a
form that comes back with errors has saved nothing.

Public forms: sign-up, the language switch, registering one's company, asking to join a network,
registering for a workshop, the accessibility feedback form, and the filters of the workshop
list and the funding finder. Each example runs in a savepoint that is rolled back, so every
example starts from the same rows.
"""

from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import Client
from django.utils.http import url_has_allowed_host_and_scheme
from hypothesis import given
from hypothesis import strategies as st

from companies.models import Company
from networks.models import NetworkMembership
from tests.factories import (
    CompanyMemberFactory,
    TopicFactory,
    TrainingNetworkFactory,
    UserFactory,
    WorkshopFactory,
)
from tests.matrix_world import data_snapshot
from tests.support.form_fuzzing import (
    FUZZ,
    HOSTILE_TEXT,
    fields_of,
    form_data,
    reset,
    rolled_back,
)
from workshops.models import Registration

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def fuzz_client():
    """One client for the module (see form_fuzzing.reset)."""
    return Client()


def signed_in(fuzz_client, user) -> str:
    fuzz_client.force_login(user)
    return fuzz_client.cookies[django_settings.SESSION_COOKIE_NAME].value


def post_and_check(client, path, data, *, saved_on_success=None):
    """POST; below 500 always; an answer other than a redirect (the form with its errors, 400,
    403, 429) changes no row; ``saved_on_success`` checks a redirect's outcome."""
    cache.clear()  # rate limits (sign-up, feedback) would otherwise answer every example
    before = data_snapshot()
    response = client.post(path, data)
    assert response.status_code < 500
    if response.status_code == 302:
        if saved_on_success:
            saved_on_success(response)
    else:
        assert data_snapshot() == before, f"{response.status_code} but rows changed"
    return response


# --- Sign-up ---------------------------------------------------------------------------------


def test_signup_form(fuzz_client):
    reset(fuzz_client)
    fields = fields_of(
        fuzz_client.get("/accounts/signup/").content.decode(), containing="password1"
    )
    users = UserFactory._meta.model.objects

    @FUZZ
    @given(data=form_data(fields))
    def check(data):
        reset(fuzz_client)
        with rolled_back():
            count = users.count()
            post_and_check(
                fuzz_client,
                "/accounts/signup/",
                data,
                saved_on_success=lambda r: users.count() in (count, count + 1),
            )

    check()


# --- Language switch -------------------------------------------------------------------------


def test_language_switch(fuzz_client):
    @FUZZ
    @given(language=st.one_of(st.sampled_from(["de", "en"]), HOSTILE_TEXT), next_url=HOSTILE_TEXT)
    def check(language, next_url):
        reset(fuzz_client)
        with rolled_back():
            response = fuzz_client.post("/i18n/setlang/", {"language": language, "next": next_url})
            assert response.status_code == 302
            # Never a way out of the portal.
            assert url_has_allowed_host_and_scheme(response["Location"], {"testserver"})
            assert set(response.cookies) <= {django_settings.SESSION_COOKIE_NAME}

    check()


def test_a_body_past_the_upload_limit_is_refused_with_400(fuzz_client):
    reset(fuzz_client)
    before = data_snapshot()
    too_big = "y" * (django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    for path in ("/i18n/setlang/", "/accounts/signup/", "/accessibility/"):
        response = fuzz_client.post(path, {"next": too_big, "email": too_big, "message": too_big})
        assert response.status_code == 400, path
    assert data_snapshot() == before


# --- Registering one's company ---------------------------------------------------------------


def test_company_registration_form(fuzz_client):
    session = signed_in(fuzz_client, UserFactory())
    fields = fields_of(fuzz_client.get("/companies/new/").content.decode(), containing="headcount")

    @FUZZ
    @given(data=form_data(fields))
    def check(data):
        reset(fuzz_client, session=session)
        with rolled_back():
            count = Company.objects.count()
            post_and_check(
                fuzz_client,
                "/companies/new/",
                data,
                saved_on_success=lambda r: Company.objects.count() == count + 1,
            )

    check()


# --- Asking to join a network ------------------------------------------------------------------


def test_network_join_request(fuzz_client):
    network = TrainingNetworkFactory(name="Verbund Robotik", slug="verbund-robotik")
    session = signed_in(fuzz_client, CompanyMemberFactory().user)

    @FUZZ
    @given(
        slug=st.one_of(st.just(network.slug), HOSTILE_TEXT.filter(lambda s: len(s) < 500)),
        data=st.dictionaries(HOSTILE_TEXT.filter(lambda s: len(s) < 100), HOSTILE_TEXT, max_size=3),
    )
    def check(slug, data):
        reset(fuzz_client, session=session)
        with rolled_back():
            path = f"/networks/{quote(slug, safe='')}/join/"
            response = post_and_check(fuzz_client, path, data)
            assert response.status_code in (302, 404)
            assert NetworkMembership.objects.filter(network=network).count() <= 1

    check()


# --- Registering for a workshop ------------------------------------------------------------------


def test_workshop_registration_form(fuzz_client):
    workshop = WorkshopFactory(title="Cobots", slug="cobots", capacity=3)
    path = f"/workshops/{workshop.slug}/register/"
    reset(fuzz_client)
    fields = fields_of(fuzz_client.get(path).content.decode(), containing="email")

    @FUZZ
    @given(data=form_data(fields))
    def check(data):
        reset(fuzz_client)
        with rolled_back():
            count = Registration.objects.filter(workshop=workshop).count()
            post_and_check(
                fuzz_client,
                path,
                data,
                saved_on_success=lambda r: (
                    Registration.objects.filter(workshop=workshop).count() == count + 1
                ),
            )

    check()


# --- Accessibility feedback (the form of the accessibility statement) --------------------------


def test_accessibility_feedback_form(fuzz_client):
    reset(fuzz_client)
    html = fuzz_client.get("/accessibility/").content.decode()
    if 'name="message"' not in html:
        pytest.skip("the accessibility statement has no feedback form (yet)")
    fields = fields_of(html, containing="message")

    @FUZZ
    @given(data=form_data(fields))
    def check(data):
        reset(fuzz_client)
        with rolled_back():
            post_and_check(fuzz_client, "/accessibility/", data)

    check()


# --- Filters (GET): the workshop list and the funding finder -----------------------------------


@pytest.mark.parametrize("path", ["/workshops/", "/funding/programmes/"])
def test_filter_forms(fuzz_client, path):
    TopicFactory(slug="robotik")
    WorkshopFactory(title="Cobots", slug="cobots")
    reset(fuzz_client)
    fields = fields_of(fuzz_client.get(path).content.decode(), containing="topic")
    fields["page"] = {"kind": "text", "choices": ["1", "2"], "value": None}
    fields["sort"] = {"kind": "text", "choices": [], "value": None}

    @FUZZ
    @given(data=form_data(fields), htmx=st.booleans())
    def check(data, htmx):
        reset(fuzz_client)
        with rolled_back():
            before = data_snapshot()
            headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
            response = fuzz_client.get(path, data, **headers)
            assert response.status_code < 500
            assert response.status_code in (200, 400)
            assert data_snapshot() == before

    check()
