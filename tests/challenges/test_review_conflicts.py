"""Conflicts of interest: each kind refuses the assignment without a reason, is stored with the
reason when overridden, and is recorded in the audit log."""

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError

from challenges.models import CallReviewer, ReviewAssignment
from challenges.review import conflicts as coi
from challenges.services import assign_reviewer
from companies.models import AssociatedEnterprise
from tests.factories import (
    CompanyFactory,
    CompanyMemberFactory,
    NetworkMembershipFactory,
    TrainingNetworkFactory,
    UserFactory,
)

from .factories_review import make_call, make_challenge, make_proposal

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting():
    call = make_call()
    owner = CompanyFactory(name="Owner Maschinenbau GmbH")
    proposer = CompanyFactory(name="Proposer Software GmbH")
    challenge = make_challenge(call, company=owner)
    proposal = make_proposal(challenge, company=proposer)
    return call, owner, proposer, proposal


def _member_of(company):
    return CompanyMemberFactory(company=company).user


def _linked(company, name, relation="partner"):
    AssociatedEnterprise.objects.create(
        company=company, name=name, relation=relation, share_percent=30, headcount=5
    )


def test_no_conflict_assigns_without_reason(setting):
    call, _owner, _proposer, proposal = setting
    reviewer = UserFactory()
    assignment = assign_reviewer(proposal=proposal, reviewer=reviewer)
    assert assignment.conflicts == []
    assert assignment.override_reason == ""
    # Assigning makes the person a reviewer of the call.
    assert CallReviewer.objects.filter(call=call, user=reviewer).exists()


@pytest.mark.parametrize(
    ("relation", "code"),
    [
        ("proposer", coi.PROPOSER),
        ("owner", coi.OWNER),
        ("linked_to_proposer", coi.LINKED_PROPOSER),
        ("proposer_names_reviewer_company", coi.LINKED_PROPOSER),
        ("linked_to_owner", coi.LINKED_OWNER),
        ("network_with_proposer", coi.NETWORK_PROPOSER),
        ("network_with_owner", coi.NETWORK_OWNER),
    ],
)
def test_each_conflict_refuses_without_reason_and_is_stored_with_one(setting, relation, code):
    _call, owner, proposer, proposal = setting
    if relation == "proposer":
        reviewer = _member_of(proposer)
    elif relation == "owner":
        reviewer = _member_of(owner)
    else:
        company = CompanyFactory(name="Reviewer Beratung GmbH")
        reviewer = _member_of(company)
        if relation == "linked_to_proposer":
            _linked(company, "  proposer software gmbh ", "linked")
        elif relation == "proposer_names_reviewer_company":
            _linked(proposer, "Reviewer Beratung GmbH")
        elif relation == "linked_to_owner":
            _linked(company, "Owner Maschinenbau GmbH")
        else:
            network = TrainingNetworkFactory()
            NetworkMembershipFactory(network=network, company=company, status="active")
            party = proposer if relation == "network_with_proposer" else owner
            NetworkMembershipFactory(network=network, company=party, status="active")

    with pytest.raises(ValidationError) as refused:
        assign_reviewer(proposal=proposal, reviewer=reviewer)
    assert "Give a reason" in " ".join(refused.value.messages) or refused.value.code == "conflict"
    assert not ReviewAssignment.objects.exists()

    assignment = assign_reviewer(
        proposal=proposal, reviewer=reviewer, override_reason="Einzige Expertin für Gießerei"
    )
    assignment.refresh_from_db()
    assert code in assignment.conflicts
    assert assignment.override_reason == "Einzige Expertin für Gießerei"
    # The override is in the audit log with its reason.
    entry = LogEntry.objects.get_for_object(assignment).get()
    assert "Einzige Expertin für Gießerei" in str(entry.changes)


def test_left_network_and_join_request_are_no_conflict(setting):
    _call, _owner, proposer, proposal = setting
    company = CompanyFactory(name="Unbeteiligt AG")
    network = TrainingNetworkFactory()
    NetworkMembershipFactory(network=network, company=company, status="left")
    NetworkMembershipFactory(network=network, company=proposer, status="active")
    reviewer = _member_of(company)
    assert assign_reviewer(proposal=proposal, reviewer=reviewer).conflicts == []


def test_unrelated_company_with_similar_name_is_no_conflict(setting):
    _call, _owner, _proposer, proposal = setting
    company = CompanyFactory(name="Neutral GmbH")
    _linked(company, "Proposer Software")  # not the proposer's name
    reviewer = _member_of(company)
    assert assign_reviewer(proposal=proposal, reviewer=reviewer).conflicts == []


def test_blank_reason_is_no_override(setting):
    _call, _owner, proposer, proposal = setting
    with pytest.raises(ValidationError):
        assign_reviewer(proposal=proposal, reviewer=_member_of(proposer), override_reason="   ")
    assert not ReviewAssignment.objects.exists()


def test_second_assignment_and_draft_are_refused(setting):
    _call, _owner, _proposer, proposal = setting
    reviewer = UserFactory()
    assign_reviewer(proposal=proposal, reviewer=reviewer)
    with pytest.raises(ValidationError):
        assign_reviewer(proposal=proposal, reviewer=reviewer)
    draft = make_proposal(proposal.challenge, status="draft")
    with pytest.raises(ValidationError):
        assign_reviewer(proposal=draft, reviewer=reviewer)
    assert ReviewAssignment.objects.count() == 1


def test_conflicts_are_found_in_constant_queries(setting, django_assert_num_queries):
    _call, _owner, _proposer, proposal = setting
    few = [UserFactory()]
    many = [_member_of(CompanyFactory()) for _ in range(6)]
    proposals = [proposal] + [make_proposal(proposal.challenge) for _ in range(5)]
    for p in proposals:
        p.challenge  # noqa: B018 — loaded like the selectors do
    few.append(_member_of(proposal.company))
    with django_assert_num_queries(4):
        found_few = coi.conflicts_for([u.pk for u in few], [proposal])
    with django_assert_num_queries(4):
        found_many = coi.conflicts_for([u.pk for u in many + few], proposals)
    assert found_few == {(few[1].pk, proposal.pk): [coi.PROPOSER]}
    assert found_many == {(few[1].pk, proposal.pk): [coi.PROPOSER]}
