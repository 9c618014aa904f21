"""Two-step validation: a coordinator drafts, a second coordinator (never the author) validates,
then the practice is public; the contract policy.services.validate_practice refuses the author
with a clear message and saves nothing; the audit log records who validated."""

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.urls import reverse

from policy import services
from policy.models import GoodPractice
from tests.factories import UserFactory
from tests.policy.practices_support import make_coordinator, make_practice, practice_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def author():
    return make_coordinator("anna@regiolab.example", "Anna", "Autorin")


@pytest.fixture
def second():
    return make_coordinator("bernd@regiolab.example", "Bernd", "Zweit")


def test_the_author_cannot_validate_their_own_practice(author, english):
    practice = make_practice(author=author, status="draft")

    with pytest.raises(ValidationError) as caught:
        services.validate_practice(practice=practice, by=author)

    assert "second coordinator must validate" in " ".join(caught.value.messages)
    practice.refresh_from_db()
    assert practice.status == "draft"
    assert practice.validated_by is None and practice.validated_at is None


def test_a_second_coordinator_validates_and_it_is_logged(author, second):
    practice = make_practice(author=author, status="draft")

    result = services.validate_practice(practice=practice, by=second)

    practice.refresh_from_db()
    assert result.status == practice.status == "validated"
    assert practice.validated_by == second and practice.validated_at is not None
    entry = LogEntry.objects.get_for_object(practice).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == second
    assert entry.changes_dict["status"] == ["draft", "validated"]


@pytest.mark.parametrize("status", ["validated", "archived"])
def test_only_a_draft_can_be_validated(author, second, status, english):
    practice = make_practice(author=author, status=status)

    with pytest.raises(ValidationError, match="Only a draft"):
        services.validate_practice(practice=practice, by=second)
    practice.refresh_from_db()
    assert practice.status == status and practice.validated_by is None


def test_a_non_coordinator_cannot_validate(author, english):
    practice = make_practice(author=author, status="draft")

    with pytest.raises(ValidationError, match="Only a coordinator"):
        services.validate_practice(practice=practice, by=UserFactory())
    practice.refresh_from_db()
    assert practice.status == "draft"


def test_the_database_refuses_the_author_as_validator_too(author):
    from django.db import IntegrityError, transaction

    practice = make_practice(author=author, status="draft")
    with pytest.raises(IntegrityError), transaction.atomic():
        GoodPractice.objects.filter(pk=practice.pk).update(validated_by=author)


def test_the_page_flow_draft_then_second_coordinator(client, author, second, english):
    client.force_login(author)
    response = client.post(reverse("policy:practice_create"), practice_post())
    practice = GoodPractice.objects.get()
    assert response.status_code == 302 and response.url == practice.get_absolute_url()
    assert practice.status == "draft" and practice.author == author
    assert practice.slug == "open-innovation-challenge"

    # The author sees no validate button and a refused POST changes nothing.
    page = client.get(practice.get_absolute_url()).content.decode()
    assert "You drafted this practice" in page
    assert "Validate and publish" not in page
    refused = client.post(reverse("policy:practice_validate", args=[practice.slug]), follow=True)
    assert "second coordinator must validate" in refused.content.decode()
    practice.refresh_from_db()
    assert practice.status == "draft"

    # Not public yet.
    client.logout()
    assert client.get(practice.get_absolute_url()).status_code == 404
    assert (
        "Open Innovation Challenge" not in client.get(reverse("policy:practices")).content.decode()
    )

    client.force_login(second)
    assert "Validate and publish" in client.get(practice.get_absolute_url()).content.decode()
    client.post(reverse("policy:practice_validate", args=[practice.slug]))
    practice.refresh_from_db()
    assert practice.status == "validated" and practice.validated_by == second

    client.logout()
    assert client.get(practice.get_absolute_url()).status_code == 200
    assert "Open Innovation Challenge" in client.get(reverse("policy:practices")).content.decode()


def test_archiving_takes_it_out_of_the_public_library(author, second, client):
    practice = make_practice(author=author)
    client.force_login(second)
    client.post(reverse("policy:practice_archive", args=[practice.slug]))
    practice.refresh_from_db()
    assert practice.status == "archived"
    client.logout()
    assert client.get(practice.get_absolute_url()).status_code == 404
