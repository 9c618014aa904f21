"""Suggested providers ★: ranked by fit (company topics, topics of attended workshops, network,
sector, kind, region) with the reason; never the owner or a company linked to it (partner or
linked enterprise, either way); a constant number of queries; inviting each company once."""

import pytest
from django.urls import reverse

from challenges.models import ProviderInvitation
from challenges.selectors import suggested_providers
from companies.models import AssociatedEnterprise, Company
from regiolab.mail.models import OutboundEmail
from tests.challenges.support import make_call, make_challenge, owner_of
from tests.factories import (
    CompanyFactory,
    CompanyMemberFactory,
    NetworkMembershipFactory,
    RegistrationFactory,
    TopicFactory,
    TrainingNetworkFactory,
    WorkshopFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    robotics = TopicFactory(slug="robotik", name_de="Robotik", name_en="Robotics")
    data = TopicFactory(slug="daten", name_de="Datenanalyse", name_en="Data analysis")
    call = make_call()
    owner = CompanyFactory(name="Pressenwerk Kassel GmbH", city="Kassel", municipality="Kassel")
    challenge = make_challenge(call, owner, sector="C")
    challenge.topics.set([robotics, data])
    # Two topics of its own, research institution, in Kassel: the best fit.
    institute = CompanyFactory(
        name="Fraunhofer Test",
        kind=Company.Kind.RESEARCH,
        sector="M",
        city="Kassel",
        municipality="Kassel",
    )
    institute.training_needs.set([robotics, data])
    # Its people attended a workshop on data analysis.
    learner = CompanyFactory(
        name="Lernbetrieb GmbH", sector="G", city="Fulda", municipality="Fulda"
    )
    workshop = WorkshopFactory()
    workshop.topics.set([data])
    RegistrationFactory(workshop=workshop, company=learner, status="attended")
    # A member of a network on robotics.
    network = TrainingNetworkFactory(name="Robotik-Verbund")
    network.topics.set([robotics])
    member = CompanyFactory(name="Netzwerker AG", sector="F", city="Fulda", municipality="Fulda")
    NetworkMembershipFactory(network=network, company=member)
    # Same sector only.
    same_sector = CompanyFactory(
        name="Branchengleich GmbH", sector="C", city="Fulda", municipality="Fulda"
    )
    # No fit at all.
    CompanyFactory(name="Ohne Bezug GmbH", sector="Q", city="Fulda", municipality="Fulda")
    # Linked to the owner both ways, and fitting well: never suggested.
    daughter = CompanyFactory(name="Pressenwerk Tochter GmbH", sector="C")
    daughter.training_needs.set([robotics, data])
    AssociatedEnterprise.objects.create(
        company=owner,
        name="pressenwerk tochter gmbh",
        relation="linked",
        share_percent=80,
        headcount=10,
    )
    parent = CompanyFactory(name="Holding AG", sector="C")
    parent.training_needs.set([robotics])
    AssociatedEnterprise.objects.create(
        company=parent,
        name="Pressenwerk Kassel GmbH",
        relation="partner",
        share_percent=30,
        headcount=100,
    )
    return {
        "challenge": challenge,
        "owner": owner,
        "institute": institute,
        "learner": learner,
        "member": member,
        "same_sector": same_sector,
        "daughter": daughter,
        "parent": parent,
        "call": call,
    }


def test_ranked_with_reasons_and_never_owner_or_linked(world, english):
    result = suggested_providers(challenge=world["challenge"])
    names = [company.name for company, _reason in result]
    assert names[0] == "Fraunhofer Test"
    assert set(names) == {
        "Fraunhofer Test",
        "Lernbetrieb GmbH",
        "Netzwerker AG",
        "Branchengleich GmbH",
    }
    for excluded in (
        "Pressenwerk Kassel GmbH",
        "Pressenwerk Tochter GmbH",
        "Holding AG",
        "Ohne Bezug GmbH",
    ):
        assert excluded not in names
    reasons = {company.name: reason for company, reason in result}
    assert "topics of the company: Data analysis, Robotics" in reasons["Fraunhofer Test"]
    assert "research institution" in reasons["Fraunhofer Test"]
    assert "same region (Kassel)" in reasons["Fraunhofer Test"]
    assert "attended workshops on Data analysis" in reasons["Lernbetrieb GmbH"]
    assert "member of the network Robotik-Verbund" in reasons["Netzwerker AG"]
    assert "same sector" in reasons["Branchengleich GmbH"]
    assert len(suggested_providers(challenge=world["challenge"], limit=2)) == 2


def test_queries_do_not_grow_with_companies(world, django_assert_max_num_queries):
    challenge = world["challenge"]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        suggested_providers(challenge=challenge)
    topic = challenge.topics.first()
    for number in range(30):
        company = CompanyFactory(name=f"Weitere {number} GmbH", sector="C")
        company.training_needs.set([topic])
    with django_assert_max_num_queries(len(few)):
        result = suggested_providers(challenge=challenge, limit=50)
    assert len(result) == 34


def test_coordinator_invites_chosen_companies_once(world, coordinator_client):
    challenge, call = world["challenge"], world["call"]
    rep = CompanyMemberFactory(company=world["institute"]).user
    url = reverse("challenges:providers", args=[call.slug, challenge.pk])
    page = coordinator_client.get(url).content.decode()
    assert "Fraunhofer Test" in page and "Pressenwerk Tochter" not in page
    ids = [world["institute"].pk, world["learner"].pk]
    coordinator_client.post(url, {"companies": ids})
    coordinator_client.post(url, {"companies": ids})  # a second click invites nobody twice
    assert set(ProviderInvitation.objects.values_list("company_id", flat=True)) == set(ids)
    assert OutboundEmail.objects.filter(to=rep.email).count() == 1
    invitation = ProviderInvitation.objects.get(company=world["institute"])
    assert invitation.reason  # the reason shown is kept with the invitation
    assert challenge.get_absolute_url() in OutboundEmail.objects.get(to=rep.email).body_text


def test_linked_company_cannot_be_invited(world, coordinator_client):
    challenge, call = world["challenge"], world["call"]
    url = reverse("challenges:providers", args=[call.slug, challenge.pk])
    response = coordinator_client.post(
        url, {"companies": [world["daughter"].pk, world["institute"].pk]}, follow=True
    )
    assert ProviderInvitation.objects.count() == 0
    assert list(response.context["messages"])


def test_providers_page_for_coordinators_only(world, client):
    challenge, call = world["challenge"], world["call"]
    user, _company = owner_of(world["owner"])
    client.force_login(user)
    url = reverse("challenges:providers", args=[call.slug, challenge.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"companies": [world["institute"].pk]}).status_code == 403
    assert ProviderInvitation.objects.count() == 0
