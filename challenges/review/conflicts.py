"""Conflicts of interest between reviewers and proposals, found in a fixed number of queries
for any number of both.

A reviewer is in conflict with a proposal when a company they act for (an active
``CompanyMember``) is the proposing company or the challenge owner, is linked to either of them
(one names the other as a partner or linked enterprise), or shares an active network
membership with either of them.
"""

from collections import defaultdict
from collections.abc import Iterable

from django.db.models.functions import Lower, Trim
from django.utils.translation import gettext_lazy as _

from companies.models import AssociatedEnterprise, Company, CompanyMember
from networks.models import NetworkMembership

PROPOSER = "proposer"
OWNER = "owner"
LINKED_PROPOSER = "linked_proposer"
LINKED_OWNER = "linked_owner"
NETWORK_PROPOSER = "network_proposer"
NETWORK_OWNER = "network_owner"

LABELS = {
    PROPOSER: _("belongs to the proposing company"),
    OWNER: _("belongs to the company that owns the challenge"),
    LINKED_PROPOSER: _("belongs to a company linked to the proposing company"),
    LINKED_OWNER: _("belongs to a company linked to the challenge owner"),
    NETWORK_PROPOSER: _("shares a network membership with the proposing company"),
    NETWORK_OWNER: _("shares a network membership with the challenge owner"),
}


def label(code: str) -> str:
    return str(LABELS.get(code, code))


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def conflicts_for(reviewer_ids: Iterable[int], proposals: Iterable) -> dict[tuple, list[str]]:
    """``{(reviewer_id, proposal_id): [codes]}`` for the pairs in conflict (others absent).

    ``proposals`` carry ``company_id`` and ``challenge.company_id`` (select_related the
    challenge). Four queries whatever the numbers."""
    reviewer_ids = list(reviewer_ids)
    proposals = list(proposals)
    if not reviewer_ids or not proposals:
        return {}
    reviewer_companies = defaultdict(set)
    for user_id, company_id in CompanyMember.objects.filter(
        user_id__in=reviewer_ids, status=CompanyMember.Status.ACTIVE
    ).values_list("user_id", "company_id"):
        reviewer_companies[user_id].add(company_id)
    if not reviewer_companies:
        return {}
    parties = {p.company_id for p in proposals} | {p.challenge.company_id for p in proposals}
    involved = parties | set().union(*reviewer_companies.values())
    names = dict(
        Company.objects.filter(pk__in=involved)
        .annotate(key=Lower(Trim("name")))
        .values_list("pk", "key")
    )
    by_name = defaultdict(set)
    for pk, key in names.items():
        by_name[_key(key)].add(pk)
    linked = defaultdict(set)
    for company_id, name in AssociatedEnterprise.objects.filter(
        company_id__in=involved
    ).values_list("company_id", "name"):
        for other in by_name.get(_key(name), ()):
            if other != company_id:
                linked[company_id].add(other)
                linked[other].add(company_id)
    networks = defaultdict(set)
    for company_id, network_id in NetworkMembership.objects.filter(
        company_id__in=involved, status=NetworkMembership.Status.ACTIVE
    ).values_list("company_id", "network_id"):
        networks[company_id].add(network_id)

    found = {}
    for reviewer_id in reviewer_ids:
        own = reviewer_companies.get(reviewer_id)
        if not own:
            continue
        own_links = set().union(*(linked[c] for c in own))
        own_networks = set().union(*(networks[c] for c in own))
        for proposal in proposals:
            codes = []
            for party, same, link, net in (
                (proposal.company_id, PROPOSER, LINKED_PROPOSER, NETWORK_PROPOSER),
                (proposal.challenge.company_id, OWNER, LINKED_OWNER, NETWORK_OWNER),
            ):
                if party in own:
                    codes.append(same)
                elif party in own_links:
                    codes.append(link)
                if own_networks & networks[party]:
                    codes.append(net)
            if codes:
                found[(reviewer_id, proposal.pk)] = codes
    return found


def conflicts_of(reviewer_id: int, proposal) -> list[str]:
    return conflicts_for([reviewer_id], [proposal]).get((reviewer_id, proposal.pk), [])
