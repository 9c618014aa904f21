"""Suggested providers ★: companies whose profile fits a challenge, ranked, each with the reason
shown; and inviting the chosen ones by e-mail, each company once per challenge.

The ranking is read with a handful of aggregate queries (one per signal), never one per company,
so that it stays well under 100 ms over 5,000 companies."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from companies.models import AssociatedEnterprise, Company, Sector
from networks.models import NetworkMembership, TrainingNetwork
from regiolab.links import absolute_url
from regiolab.mail import queue_email
from workshops.models import Registration

from ..models import Challenge, ProviderInvitation
from .services import company_addresses

# Points per signal: a topic the company names counts most, then topics of workshops its
# people attended, a network on the challenge's topics, the sector, the kind and the region.
POINTS_COMPANY_TOPIC = 3
POINTS_WORKSHOP_TOPIC = 2
POINTS_NETWORK = 2
POINTS_SECTOR = 2
POINTS_REGION = 1
POINTS_KIND = {
    Company.Kind.RESEARCH: 2,
    Company.Kind.EDUCATION_PROVIDER: 2,
    Company.Kind.SME: 1,
}
MAX_BONUS = max(POINTS_KIND.values()) + POINTS_REGION
ATTENDED = (Registration.Status.CONFIRMED, Registration.Status.ATTENDED)


@dataclass
class _Fit:
    company_topics: set = field(default_factory=set)
    workshop_topics: set = field(default_factory=set)
    networks: set = field(default_factory=set)
    sector: bool = False

    @property
    def points(self) -> int:
        return (
            POINTS_COMPANY_TOPIC * len(self.company_topics)
            + POINTS_WORKSHOP_TOPIC * len(self.workshop_topics - self.company_topics)
            + POINTS_NETWORK * min(len(self.networks), 2)
            + (POINTS_SECTOR if self.sector else 0)
        )


def linked_company_ids(company: Company) -> set[int]:
    """Companies linked to ``company``: those it names as partner or linked enterprise, and
    those naming it so (matched by name, as the profile records them by name)."""
    own_names = {
        name.strip().lower()
        for name in AssociatedEnterprise.objects.filter(company=company).values_list(
            "name", flat=True
        )
        if name.strip()
    }
    query = Q(associated_enterprises__name__iexact=company.name.strip())
    ids = set(Company.objects.filter(query).values_list("pk", flat=True))
    if own_names:
        ids |= set(
            Company.objects.annotate(lname=Lower("name"))
            .filter(lname__in=own_names)
            .values_list("pk", flat=True)
        )
    ids.discard(company.pk)
    return ids


def _join(names) -> str:
    return ", ".join(sorted(names, key=str.lower))


def suggested_providers(*, challenge: Challenge, limit: int = 20) -> list[tuple[Company, str]]:
    """Companies ranked by how well they fit ``challenge``, each with a readable reason; never
    the owner or a company linked to it. Only companies with at least one matching topic,
    network or the challenge's sector are suggested."""
    owner = challenge.company
    topics = {topic.pk: topic.name for topic in challenge.topics.all()}
    topic_ids = list(topics)
    excluded = linked_company_ids(owner) | {owner.pk}
    fits: dict[int, _Fit] = defaultdict(_Fit)

    if topic_ids:
        through = Company.training_needs.through
        for company_id, topic_id in through.objects.filter(topic_id__in=topic_ids).values_list(
            "company_id", "topic_id"
        ):
            fits[company_id].company_topics.add(topic_id)
        attended = (
            Registration.objects.filter(
                company__isnull=False,
                status__in=ATTENDED,
                workshop__topics__in=topic_ids,
            )
            .order_by()
            .values_list("company_id", "workshop__topics")
            .distinct()
        )
        for company_id, topic_id in attended:
            fits[company_id].workshop_topics.add(topic_id)
    network_query = Q(topics__in=topic_ids) if topic_ids else Q(pk__in=[])
    if challenge.call.network_id:
        network_query |= Q(pk=challenge.call.network_id)
    networks = dict(
        TrainingNetwork.objects.filter(network_query)
        .order_by()
        .distinct()
        .values_list("pk", "name")
    )
    if networks:
        for company_id, network_id in (
            NetworkMembership.objects.filter(
                network_id__in=list(networks), status=NetworkMembership.Status.ACTIVE
            )
            .order_by()
            .values_list("company_id", "network_id")
        ):
            fits[company_id].networks.add(network_id)
    if challenge.sector:
        for company_id in (
            Company.objects.filter(sector=challenge.sector).order_by().values_list("pk", flat=True)
        ):
            fits[company_id].sector = True

    for company_id in excluded:
        fits.pop(company_id, None)
    if not fits:
        return []
    # Kind and region add at most MAX_BONUS points: only companies that can still reach the
    # first ``limit`` places need them read.
    base = {pk: fit.points for pk, fit in fits.items()}
    ordered = sorted(base.values(), reverse=True)
    threshold = ordered[min(limit, len(ordered)) - 1] - MAX_BONUS
    candidates = [pk for pk, points in base.items() if points >= threshold]
    facts = {
        pk: (kind, (municipality or city or "").strip().lower())
        for pk, kind, municipality, city in Company.objects.filter(pk__in=candidates)
        .order_by()
        .values_list("pk", "kind", "municipality", "city")
    }
    owner_region = (owner.municipality or owner.city or "").strip().lower()

    def score(company_id: int) -> int:
        kind, region = facts.get(company_id, ("", ""))
        points = fits[company_id].points + POINTS_KIND.get(kind, 0)
        if owner_region and region == owner_region:
            points += POINTS_REGION
        return points

    ranked = sorted((pk for pk in fits if pk in facts), key=lambda pk: (-score(pk), pk))[:limit]
    companies = Company.objects.in_bulk(ranked)
    result = []
    for pk in ranked:
        company = companies[pk]
        result.append((company, _reason(company, fits[pk], topics, networks, challenge, owner)))
    return result


def _reason(company, fit: _Fit, topics, networks, challenge, owner) -> str:
    parts = []
    if fit.company_topics:
        parts.append(
            _("topics of the company: %(topics)s")
            % {"topics": _join(topics[t] for t in fit.company_topics)}
        )
    workshop_only = fit.workshop_topics - fit.company_topics
    if workshop_only:
        parts.append(
            _("attended workshops on %(topics)s")
            % {"topics": _join(topics[t] for t in workshop_only)}
        )
    if fit.networks:
        parts.append(
            _("member of the network %(networks)s")
            % {"networks": _join(networks[n] for n in fit.networks)}
        )
    if fit.sector:
        parts.append(_("same sector (%(sector)s)") % {"sector": Sector(challenge.sector).label})
    if company.kind in POINTS_KIND:
        parts.append(str(Company.Kind(company.kind).label))
    region = (company.municipality or company.city or "").strip()
    if region and region.lower() == (owner.municipality or owner.city or "").strip().lower():
        parts.append(_("same region (%(region)s)") % {"region": region})
    return "; ".join(parts)


def invite_providers(*, challenge: Challenge, companies, by, reasons: dict | None = None) -> int:
    """Invite the chosen companies to propose for the published challenge, by e-mail to their
    owners; a company already invited for it is skipped. Returns how many were invited now.
    Refuses the owner and companies linked to it."""
    if challenge.status != Challenge.Status.PUBLISHED:
        raise ValidationError(_("Only a published challenge can be offered to providers."))
    companies = list(companies)
    if not companies:
        raise ValidationError(_("Please choose at least one company."))
    excluded = linked_company_ids(challenge.company) | {challenge.company_id}
    if any(company.pk in excluded for company in companies):
        raise ValidationError(
            _("The challenge's company and companies linked to it cannot be invited.")
        )
    reasons = reasons or {}
    url = absolute_url(challenge.get_absolute_url())
    invited = 0
    with transaction.atomic():
        Challenge.objects.select_for_update().filter(pk=challenge.pk).first()
        already = set(
            ProviderInvitation.objects.filter(challenge=challenge).values_list(
                "company_id", flat=True
            )
        )
        for company in companies:
            if company.pk in already:
                continue
            ProviderInvitation.objects.create(
                challenge=challenge,
                company=company,
                reason=reasons.get(company.pk, "")[:300],
                invited_by=by,
            )
            already.add(company.pk)
            invited += 1
            for address in company_addresses(company):
                queue_email(
                    to=address,
                    template="challenges/provider_invitation",
                    context={
                        "challenge": challenge,
                        "call": challenge.call,
                        "company": company,
                        "challenge_url": url,
                    },
                )
    return invited
