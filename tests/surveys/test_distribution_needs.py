"""Training-needs invitations: only companies that agreed to be contacted, the reached and
skipped counts (and why) before sending, then each invitation once."""

import re

import pytest
from django.core.exceptions import ValidationError

from companies.models import CompanyMember
from regiolab.mail.models import OutboundEmail
from surveys.distribution import planning, services
from surveys.models import SurveyInvitation
from tests.factories import (
    CompanyFactory,
    CompanyMemberFactory,
    NetworkMembershipFactory,
    TrainingNetworkFactory,
    UserFactory,
)

from .support_s3 import delivered, make_survey, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def network_world():
    network = TrainingNetworkFactory(name="Verbund Metall", status="active")

    def member(name, consent, emails):
        company = CompanyFactory(name=name, contact_consent=consent)
        NetworkMembershipFactory(network=network, company=company, status="active")
        for email in emails:
            CompanyMemberFactory(
                company=company, user=UserFactory(email=email), status=CompanyMember.Status.ACTIVE
            )
        return company

    companies = {
        "yes": member("Alpha Metall GmbH", True, ["a1@alpha.example", "a2@alpha.example"]),
        "no": member("Beta Guss GmbH", False, ["b@beta.example"]),
        "nobody": member("Gamma Bau GmbH", True, []),
        "opted": member("Delta Druck GmbH", True, ["d@delta.example"]),
        "invited": member("Epsilon Holz GmbH", True, ["e@eps.example"]),
    }
    return network, companies


def test_plan_counts_reached_and_skipped_with_reasons(network_world):
    network, companies = network_world
    survey = make_survey(purpose="training_needs", title="Weiterbildungsbedarf 2027")
    services.opt_out(email="d@delta.example")
    SurveyInvitation.objects.create(survey=survey, email="e@eps.example")

    plan = planning.plan_needs_invitations(survey=survey, networks=[network])

    assert plan.companies_reached == 1
    assert sorted(r.email for r in plan.recipients) == ["a1@alpha.example", "a2@alpha.example"]
    assert {r.company_id for r in plan.recipients} == {companies["yes"].pk}
    counts = {reason: count for reason, _label, count in plan.skip_counts}
    assert counts == {"no_consent": 1, "no_email": 1, "already_invited": 1, "opted_out": 1}
    assert "Weiterbildungsbedarf 2027" in plan.subject


def test_preview_then_confirm_sends_once(coordinator_client, network_world, english):
    network, companies = network_world
    survey = make_survey(purpose="training_needs")
    url = f"/surveys/{survey.pk}/invite/"
    assert coordinator_client.get(url).status_code == 200

    preview = coordinator_client.post(url, {"networks": [network.pk], "action": "preview"})
    page = preview.content.decode()
    assert 'data-count="companies">3<' in page
    assert 'data-count="recipients">4<' in page
    assert 'data-count="no_consent">1<' in page
    assert 'data-count="no_email">1<' in page
    assert not SurveyInvitation.objects.exists()  # a preview writes nothing
    fingerprint = re.search(r'name="fingerprint" value="([0-9a-f]+)"', page).group(1)

    # A forged or stale fingerprint writes nothing and shows the preview again.
    stale = coordinator_client.post(
        url, {"networks": [network.pk], "action": "send", "fingerprint": "0" * 64}
    )
    assert stale.status_code == 200
    assert "Nothing was sent" in stale.content.decode()
    assert not SurveyInvitation.objects.exists()

    sent = coordinator_client.post(
        url, {"networks": [network.pk], "action": "send", "fingerprint": fingerprint}
    )
    assert sent.status_code == 302
    rows = list(SurveyInvitation.objects.filter(survey=survey))
    reached = {companies[key].pk for key in ("yes", "opted", "invited")}
    assert {r.company_id for r in rows} == reached
    assert len(rows) == 4

    # Sent after commit (here: the catch-up the task runs), then never again.
    assert services.send_pending_invitations() == 4
    assert services.send_pending_invitations() == 0
    messages = delivered()
    assert len(messages) == 4
    for message in messages:
        row = SurveyInvitation.objects.get(email=message["To"])
        assert f"/s/{row.token}/" in text_of(message)
        assert row.company.name in text_of(message)

    # Sending the same choice again: everyone is already invited, nothing more goes out.
    again = coordinator_client.post(url, {"networks": [network.pk], "action": "preview"})
    assert 'data-count="recipients">0<' in again.content.decode()
    assert OutboundEmail.objects.count() == 4


def test_company_filter_reaches_only_consenting_companies(coordinator_client, network_world):
    network, companies = network_world
    survey = make_survey(purpose="training_needs")
    response = coordinator_client.post(
        f"/surveys/{survey.pk}/invite/",
        {"company-q": "Beta", "action": "preview"},
    )
    assert 'data-count="recipients">0<' in response.content.decode()
    assert 'data-count="no_consent">1<' in response.content.decode()


def test_bad_choices_write_nothing(coordinator_client, english):
    survey = make_survey(purpose="training_needs")
    url = f"/surveys/{survey.pk}/invite/"
    empty = coordinator_client.post(url, {"action": "preview"})
    assert "Choose at least one network" in empty.content.decode()
    bogus = coordinator_client.post(url, {"networks": ["999999"], "action": "send"})
    assert bogus.status_code == 200
    assert "errorlist" in bogus.content.decode()
    assert not SurveyInvitation.objects.exists()


def test_only_open_training_needs_rounds(coordinator_client, network_world):
    network, _companies = network_world
    panel = make_survey(purpose="panel")
    assert coordinator_client.get(f"/surveys/{panel.pk}/invite/").status_code == 404
    closed = make_survey(purpose="training_needs", status="closed")
    with pytest.raises(ValidationError) as caught:
        planning.plan_needs_invitations(survey=closed, networks=[network])
    assert caught.value.code == "closed"
