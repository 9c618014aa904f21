"""The invitation preview: who gets one, who is skipped and why, the e-mail per language, and a
confirm step that sends exactly what was shown (eager Celery, in-memory mail backend)."""

import email
import re
from email import policy

import pytest
from django.core import mail
from django.urls import reverse

from companies.models import CompanyMember
from regiolab.mail import address_of_token, opt_out
from tests.factories import (
    CompanyFactory,
    CompanyMemberFactory,
    NetworkMembershipFactory,
    RegistrationFactory,
    TrainingNetworkFactory,
    UserFactory,
    WorkshopFactory,
)
from workshops.invitations.planning import SkipReason, plan_invitations
from workshops.models import Invitation

pytestmark = pytest.mark.django_db

UNSUBSCRIBE = re.compile(r"/unsubscribe/([^/\s]+)/")


@pytest.fixture(autouse=True)
def _english_pages(settings):
    settings.LANGUAGE_CODE = "en"


def invite_url(workshop):
    return reverse("workshops:invite", args=[workshop.slug])


def person(company, address, **kwargs):
    return CompanyMemberFactory(
        company=company,
        user=UserFactory(email=address, first_name="Pat", last_name=address[:3]),
        **kwargs,
    )


def parsed(message):
    """An e-mail of the outbox as a mail program reads it."""
    return email.message_from_bytes(message.message().as_bytes(), policy=policy.default)


def text_of(message):
    return parsed(message).get_body(("plain",)).get_content()


@pytest.fixture
def network_world():
    """A network with: two consenting companies (three contact persons), one without consent,
    one consenting company whose only contact has no address, one without any contact person."""
    network = TrainingNetworkFactory(name="Verbund Robotik")
    metall = CompanyFactory(name="Metall AG", contact_consent=True)
    holz = CompanyFactory(name="Holz KG", contact_consent=True)
    stumm = CompanyFactory(name="Stumm GmbH", contact_consent=False)
    leer = CompanyFactory(name="Leer OHG", contact_consent=True)
    niemand = CompanyFactory(name="Niemand eG", contact_consent=True)
    for company in (metall, holz, stumm, leer, niemand):
        NetworkMembershipFactory(network=network, company=company)
    person(metall, "anna@metall.example")
    person(metall, "ben@metall.example", role=CompanyMember.Role.MEMBER)
    person(holz, "carla@holz.example")
    person(stumm, "dora@stumm.example")
    person(leer, "")
    return network


def test_network_reaches_every_consenting_contact_person_and_says_who_not(
    coordinator_client, network_world
):
    workshop = WorkshopFactory()
    response = coordinator_client.post(invite_url(workshop), {"networks": [network_world.pk]})

    assert response.status_code == 200
    plan = response.context["plan"]
    assert sorted(r.email for r in plan.recipients) == [
        "anna@metall.example",
        "ben@metall.example",
        "carla@holz.example",
    ]
    reasons = {(s.reason, s.email, s.company) for s in plan.skipped}
    assert reasons == {
        (SkipReason.NO_CONSENT, "dora@stumm.example", "Stumm GmbH"),
        (SkipReason.NO_EMAIL, "", "Leer OHG"),
        (SkipReason.NO_EMAIL, "", "Niemand eG"),
    }
    page = response.content.decode()
    assert '<dd data-count="recipients">3</dd>' in page
    assert '<dd data-count="no_consent">1</dd>' in page
    assert '<dd data-count="no_email">2</dd>' in page
    assert "Stumm GmbH" in page and "no contact consent" in page
    assert not Invitation.objects.exists() and mail.outbox == []  # a preview writes nothing


def test_every_skip_reason_is_counted(coordinator_client, django_capture_on_commit_callbacks):
    workshop = WorkshopFactory()
    RegistrationFactory(workshop=workshop, email="Registered@example.org")
    RegistrationFactory(workshop=workshop, email="gone@example.org", status="cancelled")
    Invitation.objects.create(workshop=workshop, email="invited@example.org", status="sent")
    opt_out(email="out@example.org")
    company = CompanyFactory(name="Ohne Zustimmung GmbH", contact_consent=False, city="Hannover")
    person(company, "refused@example.org")
    data = {
        "emails": "new@example.org, registered@example.org, gone@example.org,"
        " invited@example.org, out@example.org, not-an-address",
        "company-q": "Ohne Zustimmung",
        "consenting_only": "on",
    }
    response = coordinator_client.post(invite_url(workshop), data)

    plan = response.context["plan"]
    assert sorted(r.email for r in plan.recipients) == ["gone@example.org", "new@example.org"]
    counts = {reason: count for reason, _label, count in plan.skip_counts}
    assert counts == {
        "no_consent": 1,
        "already_invited": 1,
        "already_registered": 1,
        "unsubscribed": 1,
        "invalid": 1,
    }
    with django_capture_on_commit_callbacks(execute=True):
        sent = coordinator_client.post(
            invite_url(workshop), {**data, "action": "send", "fingerprint": plan.fingerprint}
        )
    assert sent.status_code == 200  # the invalid entry comes back for correction
    assert sorted(m.to[0] for m in mail.outbox) == ["gone@example.org", "new@example.org"]
    # The unsubscribed address is recorded as not sent, so the list shows it.
    assert Invitation.objects.get(email="out@example.org").status == "failed"


def test_preview_in_both_languages_is_what_is_sent(
    coordinator_client, django_capture_on_commit_callbacks
):
    workshop = WorkshopFactory(title="Cobots in der Fertigung", title_en="Cobots in production")
    RegistrationFactory(email="english@example.org", language="en")  # another workshop
    RegistrationFactory(email="deutsch@example.org", language="de")
    data = {"emails": "english@example.org\ndeutsch@example.org\nneu@example.org"}
    response = coordinator_client.post(invite_url(workshop), data)
    plan = response.context["plan"]
    previews = {p.language: p for p in plan.previews}

    assert sorted(previews) == ["de", "en"]
    assert previews["de"].recipients == 2 and previews["en"].recipients == 1
    assert "Cobots in production" in previews["en"].subject
    assert "Cobots in der Fertigung" in previews["de"].subject
    page = response.content.decode()
    assert 'lang="en"' in page and 'lang="de"' in page

    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(
            invite_url(workshop), {**data, "action": "send", "fingerprint": plan.fingerprint}
        )
    received = {m.to[0]: parsed(m) for m in mail.outbox}
    assert sorted(received) == ["deutsch@example.org", "english@example.org", "neu@example.org"]
    for preview in previews.values():
        message = received[preview.sample_to]
        assert message["Subject"] == preview.subject
        sent_text = message.get_body(("plain",)).get_content().strip()
        # The unsubscribe link is signed with the time it was made: the same link for the same
        # address, but its signature may differ by the second between preview and sending.
        shown_links, sent_links = UNSUBSCRIBE.findall(preview.text), UNSUBSCRIBE.findall(sent_text)
        assert len(shown_links) == len(sent_links) == 1
        assert address_of_token(shown_links[0]) == address_of_token(sent_links[0])
        assert address_of_token(sent_links[0]) == preview.sample_to
        assert UNSUBSCRIBE.sub("LINK", sent_text) == UNSUBSCRIBE.sub("LINK", preview.text.strip())
    assert received["neu@example.org"]["Subject"] == previews["de"].subject
    listed = coordinator_client.get(reverse("workshops:invitations", args=[workshop.slug]))
    assert '<abbr title="English">EN</abbr>' in listed.content.decode()
    languages = dict(Invitation.objects.values_list("email", "language"))
    assert languages == {
        "deutsch@example.org": "de",
        "english@example.org": "en",
        "neu@example.org": "de",
    }


def test_confirming_twice_sends_once(coordinator_client, django_capture_on_commit_callbacks):
    workshop = WorkshopFactory()
    data = {"emails": "a@example.org\nb@example.org"}
    plan = coordinator_client.post(invite_url(workshop), data).context["plan"]
    confirm = {**data, "action": "send", "fingerprint": plan.fingerprint}
    with django_capture_on_commit_callbacks(execute=True):
        first = coordinator_client.post(invite_url(workshop), confirm)
    with django_capture_on_commit_callbacks(execute=True):
        second = coordinator_client.post(invite_url(workshop), confirm)

    assert first.status_code == 302
    # The second confirmation no longer matches (both are invited now): nothing is sent again.
    assert second.status_code == 200 and second.context["changed"]
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "b@example.org"]
    assert Invitation.objects.count() == 2


def test_a_change_since_the_preview_sends_nothing(
    coordinator_client, django_capture_on_commit_callbacks
):
    workshop = WorkshopFactory()
    data = {"emails": "a@example.org\nb@example.org"}
    plan = coordinator_client.post(invite_url(workshop), data).context["plan"]
    RegistrationFactory(workshop=workshop, email="b@example.org")  # registers meanwhile
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(
            invite_url(workshop), {**data, "action": "send", "fingerprint": plan.fingerprint}
        )
    assert response.status_code == 200
    assert "have changed since the preview" in response.content.decode()
    assert response.context["plan"].skip_counts == [("already_registered", "already registered", 1)]
    assert not Invitation.objects.exists() and mail.outbox == []


@pytest.mark.parametrize("fingerprint", ["", "0" * 64, "<script>"])
def test_a_forged_fingerprint_sends_nothing(coordinator_client, fingerprint):
    workshop = WorkshopFactory()
    response = coordinator_client.post(
        invite_url(workshop),
        {"emails": "a@example.org", "action": "send", "fingerprint": fingerprint},
    )
    assert response.status_code == 200 and response.context["changed"]
    assert not Invitation.objects.exists()


def test_nobody_left_shows_no_send_button(coordinator_client):
    workshop = WorkshopFactory()
    Invitation.objects.create(workshop=workshop, email="a@example.org", status="sent")
    response = coordinator_client.post(invite_url(workshop), {"emails": "a@example.org"})
    page = response.content.decode()
    assert 'value="send"' not in page
    assert "Nobody would receive an invitation with this choice." in page


def test_edit_returns_to_the_filled_form(coordinator_client, network_world):
    workshop = WorkshopFactory()
    response = coordinator_client.post(
        invite_url(workshop), {"networks": [network_world.pk], "action": "edit"}
    )
    assert response.templates[0].name == "workshops/invitations/invitation_form.html"
    assert f'value="{network_world.pk}"' in response.content.decode()
    assert "checked" in response.content.decode()


def test_plan_query_count_does_not_grow_with_recipients(django_assert_max_num_queries):
    def build(n):
        network = TrainingNetworkFactory()
        for i in range(n):
            company = CompanyFactory(contact_consent=bool(i % 2))
            NetworkMembershipFactory(network=network, company=company)
            person(company, f"p{n}-{i}@example.org")
            RegistrationFactory(email=f"p{n}-{i}@example.org", language="en" if i % 3 else "de")
        return network

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for n in (2, 20):
        network, workshop = build(n), WorkshopFactory()
        with CaptureQueriesContext(connection) as queries:
            plan = plan_invitations(workshop=workshop, networks=[network])
        assert len(plan.recipients) == n // 2
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
