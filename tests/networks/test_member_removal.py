"""Removing a network member: a confirmation step that says what happens and whom it tells,
then the removal, the company's people told by e-mail that the coordinator removed it, and a
message that says who did it."""

import email
from email import policy

import pytest
from django.core import mail

from companies.models import CompanyMember
from networks.models import NetworkMembership
from tests.factories import CompanyMemberFactory, NetworkMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(network, company, rep):
    CompanyMemberFactory(
        company=company,
        user=UserFactory(email="kollege@muster.example", first_name="Kai", last_name="Kollege"),
        role="member",
    )
    CompanyMemberFactory(  # still waiting to join the company: not told
        company=company,
        user=UserFactory(email="wartet@muster.example"),
        status=CompanyMember.Status.REQUESTED,
        role="member",
    )
    return NetworkMembershipFactory(network=network, company=company)


def url(network, membership) -> str:
    return f"/networks/{network.slug}/members/{membership.pk}/remove/"


def test_the_dashboard_links_to_the_confirmation_step(coordinator_client, network, member):
    page = coordinator_client.get(f"/networks/{network.slug}/dashboard/").content.decode()
    assert f'href="{url(network, member)}"' in page
    assert f'formaction="{url(network, member)}"' not in page  # no removal in one click


def test_the_confirmation_says_what_happens_and_whom_it_tells(coordinator_client, network, member):
    response = coordinator_client.get(url(network, member))
    assert response.status_code == 200
    page = response.content.decode().replace("&#x27;", "'")
    assert "<h1>Remove Muster Metallbau GmbH from Verbund Robotik?</h1>" in page
    assert "Muster Metallbau GmbH is no longer a member of “Verbund Robotik” from today" in page
    assert "its membership stays on record for the grant reports" in page
    assert (
        "Ina Haber (inhaberin@muster.example) of Muster Metallbau GmbH gets an e-mail saying "
        "that the network's coordinator removed the company from “Verbund Robotik”." in page
    )
    assert "Kai Kollege (kollege@muster.example)" in page
    assert "wartet@muster.example" not in page
    assert f'action="{url(network, member)}"' in page or 'method="post"' in page
    member.refresh_from_db()
    assert member.status == NetworkMembership.Status.ACTIVE  # asking changed nothing
    assert not mail.outbox


def test_a_company_without_people_says_nobody_is_told(coordinator_client, network):
    membership = NetworkMembershipFactory(network=network)
    page = coordinator_client.get(url(network, membership)).content.decode()
    assert "Nobody is told by e-mail." in page


def test_confirmed_removal_tells_the_company_who_removed_it(
    coordinator_client, coordinator, network, member, settings, django_capture_on_commit_callbacks
):
    settings.LANGUAGE_CODE = "en"  # the company's e-mails are in the portal's default language
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(url(network, member), {"confirmed": "1"}, follow=True)
    member.refresh_from_db()
    assert member.status == NetworkMembership.Status.LEFT
    page = response.content.decode()
    assert (
        "You removed Muster Metallbau GmbH from the network; 2 people of the company were told "
        "by e-mail that the coordinator removed it." in page
    )
    assert "has left" not in page
    messages = [
        email.message_from_bytes(m.message().as_bytes(), policy=policy.default) for m in mail.outbox
    ]
    assert sorted(m["To"] for m in messages) == [
        "inhaberin@muster.example",
        "kollege@muster.example",
    ]
    for message in messages:
        assert message["Subject"] == "Your company was removed from Verbund Robotik"
        text = message.get_body(("plain",)).get_content()
        assert (
            "the coordinator of the training network “Verbund Robotik” has removed Muster "
            "Metallbau GmbH from the network." in " ".join(text.split())
        )
        assert f"Removed by: {coordinator.get_full_name() or coordinator.email}." in text
        assert "has left" not in text
        html = message.get_body(("html",)).get_content()
        assert "has removed Muster Metallbau GmbH" in " ".join(html.split())


def test_removing_twice_is_not_found_and_tells_nobody_again(
    coordinator_client, network, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(url(network, member))
    sent = len(mail.outbox)
    assert coordinator_client.get(url(network, member)).status_code == 404
    assert coordinator_client.post(url(network, member)).status_code == 404
    assert len(mail.outbox) == sent


def test_the_company_e_mail_is_german_by_default(
    coordinator_client, network, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(url(network, member))
    message = email.message_from_bytes(mail.outbox[0].message().as_bytes(), policy=policy.default)
    assert message["Subject"] == "Ihr Unternehmen wurde aus Verbund Robotik entfernt"
    assert "die Koordination des Weiterbildungsverbunds „Verbund Robotik“ hat" in " ".join(
        message.get_body(("plain",)).get_content().split()
    )
