"""Reviewers: the coordinator adds them by e-mail; a new person gets an account limited to the
call and a link to set their password; a reviewer of another call sees nothing of this one."""

import email
from email import policy as email_policy
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core import mail as django_mail
from django.test import Client

from challenges.models import CallReviewer
from challenges.review import services
from tests.factories import CompanyFactory, UserFactory

from .factories_review import make_call, make_challenge, make_proposal, make_reviewer

pytestmark = pytest.mark.django_db


def parsed(message):
    return email.message_from_bytes(message.message().as_bytes(), policy=email_policy.default)


def _text(msg) -> str:
    return msg.get_body(preferencelist=("plain",)).get_content()


def test_coordinator_invites_an_external_expert(
    coordinator_client, coordinator, django_capture_on_commit_callbacks, english
):
    call = make_call(title="Digitale Logistik")
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(
            f"/challenges/{call.slug}/review/reviewers/",
            {"email": "Expertin@Uni.example", "first_name": "Eva", "last_name": "Expertin"},
        )
    assert response.status_code == 302
    user = get_user_model().objects.get(email="expertin@uni.example")
    assert not user.has_usable_password()
    reviewer = CallReviewer.objects.get(call=call, user=user)
    assert reviewer.external
    assert len(django_mail.outbox) == 1
    msg = parsed(django_mail.outbox[0])
    assert msg["To"] == "expertin@uni.example"
    assert "Digitale Logistik" in msg["Subject"]
    text = _text(msg)
    link = next(line for line in text.splitlines() if "/accounts/password/reset/key/" in line)
    assert f"/challenges/{call.slug}/review/" in text

    # The link sets the password (allauth's reset flow) and the account can then sign in.
    client = Client()
    answer = client.get(urlsplit(link.strip()).path)
    assert answer.status_code == 302
    answer = client.post(
        answer["Location"], {"password1": "Sehr-geheim-2026", "password2": "Sehr-geheim-2026"}
    )
    assert answer.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Sehr-geheim-2026")


def test_existing_coordinator_is_an_internal_reviewer_without_password_link(
    coordinator, django_capture_on_commit_callbacks
):
    call = make_call()
    with django_capture_on_commit_callbacks(execute=True):
        reviewer = services.add_reviewer(call=call, email=coordinator.email, added_by=coordinator)
    assert reviewer.external is False
    assert "/accounts/password/reset/key/" not in django_mail.outbox[0].body


def test_adding_twice_is_refused_with_a_message(coordinator_client, english):
    call = make_call()
    user = make_reviewer(call, email="doppelt@example.org")
    response = coordinator_client.post(
        f"/challenges/{call.slug}/review/reviewers/", {"email": user.email}
    )
    assert response.status_code == 200
    assert "already a reviewer of this call" in response.content.decode()
    assert CallReviewer.objects.filter(call=call).count() == 1


def test_invalid_address_changes_nothing(coordinator_client):
    call = make_call()
    before = get_user_model().objects.count()
    response = coordinator_client.post(
        f"/challenges/{call.slug}/review/reviewers/", {"email": "keine-adresse"}
    )
    assert response.status_code == 200
    assert get_user_model().objects.count() == before
    assert not CallReviewer.objects.exists()


def test_reviewer_of_another_call_sees_nothing_of_this_call(client):
    call = make_call()
    proposal = make_proposal(make_challenge(call), company=CompanyFactory(name="Geheim GmbH"))
    other_call = make_call()
    stranger = make_reviewer(other_call)
    client.force_login(stranger)
    for path in (
        "",
        "reviewers/",
        "decisions/",
        f"{proposal.pk}/",
        f"{proposal.pk}/manage/",
    ):
        assert client.get(f"/challenges/{call.slug}/review/{path}").status_code == 404, path
    assert client.post(f"/challenges/{call.slug}/review/assign/").status_code == 404
    # Their own call's page works.
    assert client.get(f"/challenges/{other_call.slug}/review/").status_code == 200


def test_reviewer_of_this_call_may_not_run_it(client):
    call = make_call()
    client.force_login(make_reviewer(call))
    assert client.get(f"/challenges/{call.slug}/review/reviewers/").status_code == 403
    assert client.post(f"/challenges/{call.slug}/review/decisions/").status_code == 403


def test_company_representative_sees_nothing(client):
    call = make_call()
    client.force_login(UserFactory())
    assert client.get(f"/challenges/{call.slug}/review/").status_code == 404
