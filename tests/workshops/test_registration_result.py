"""The registration POST and its result page: a signed address instead of a session write, and
a query count that does not grow with the workshop's registrations."""

import pytest
from django.contrib.sessions.models import Session
from django.core import signing
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import CompanyMemberFactory, WorkshopFactory
from tests.workshops.support import register_url, valid_data
from workshops.models import Registration
from workshops.registration import views

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def client():
    # A browser with a CSRF cookie from the form page, as a real one would have.
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def test_result_page_in_a_signed_address_for_the_registering_browser_only(client):
    workshop = WorkshopFactory(capacity=1)
    client.get(register_url(workshop))
    response = client.post(register_url(workshop), valid_data())
    registration = Registration.objects.get()
    assert response.status_code == 302 and "done=1" in response["Location"]
    # Nothing is written to a session for the result page.
    assert "sessionid" not in response.cookies
    assert not Session.objects.exists()

    page = client.get(response["Location"]).content.decode()
    assert "Erika Mustermann (erika@example.org)" in page and "place confirmed" in page

    # Another browser (another CSRF cookie) with the same address learns nothing.
    stranger = Client(HTTP_ACCEPT_LANGUAGE="en")
    stranger.get(register_url(workshop))
    assert stranger.get(response["Location"])["Location"] == register_url(workshop)
    # Neither does a changed token, a list signed otherwise, or the address without a list.
    forged = signing.dumps([registration.pk], salt="workshops.register.done")
    for address in (
        response["Location"].replace("result=", "result=x"),
        f"{register_url(workshop)}?done=1&result={forged}",
        f"{register_url(workshop)}?done=1",
    ):
        assert client.get(address)["Location"] == register_url(workshop)


def test_result_page_works_for_a_browser_that_had_no_csrf_cookie_yet(client):
    # The POST gives it one (the test client does not check CSRF), so the page still shows.
    workshop = WorkshopFactory()
    response = client.post(register_url(workshop), valid_data(), follow=True)
    assert "Erika Mustermann" in response.content.decode()


def test_result_page_expires(client, monkeypatch):
    workshop = WorkshopFactory()
    done_url = client.post(register_url(workshop), valid_data())["Location"]
    monkeypatch.setattr(views, "RESULT_MAX_AGE", -1)
    assert client.get(done_url)["Location"] == register_url(workshop)


def test_result_page_lists_every_colleague_with_seat_or_waitlist_place(client):
    member = CompanyMemberFactory()
    client.force_login(member.user)
    workshop = WorkshopFactory(capacity=1)
    data = {
        "colleagues-TOTAL_FORMS": "2",
        "colleagues-INITIAL_FORMS": "0",
        "colleagues-MIN_NUM_FORMS": "1",
        "colleagues-MAX_NUM_FORMS": "30",
        "options-language": "de",
        "options-consent": "on",
        "colleagues-0-first_name": "Ada",
        "colleagues-0-last_name": "Eins",
        "colleagues-0-email": "ada@example.org",
        "colleagues-1-first_name": "Ben",
        "colleagues-1-last_name": "Zwei",
        "colleagues-1-email": "ben@example.org",
    }
    page = client.post(register_url(workshop), data, follow=True).content.decode()
    assert "Ada Eins (ada@example.org):" in page and "place confirmed" in page
    assert "Ben Zwei (ben@example.org):" in page and "on the waitlist, position 1" in page


def test_registration_queries_do_not_grow_with_the_waitlist(client):
    workshop = WorkshopFactory(capacity=1)
    client.get(register_url(workshop))

    def queries_of_one_registration(n):
        with CaptureQueriesContext(connection) as queries:
            response = client.post(register_url(workshop), valid_data(email=f"p{n}@example.org"))
        assert response.status_code == 302
        return len(queries.captured_queries)

    confirmed = queries_of_one_registration(0)
    first_waitlisted = queries_of_one_registration(1)
    for n in range(2, 12):
        queries_of_one_registration(n)
    assert queries_of_one_registration(12) == first_waitlisted
    # The workshop; BEGIN, lock, registration, audit entry, outbox, consent, COMMIT. A seat adds
    # the check for people waiting for a freed seat and the seat count; a waitlist place adds
    # counting the place for the e-mail.
    assert (confirmed, first_waitlisted) == (10, 9)
