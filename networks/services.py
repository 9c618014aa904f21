"""Writes for training networks: membership requests and decisions, members, roles, networks.

Each function owns its transaction. Membership rows are locked (``select_for_update``) before a
status change so two coordinators deciding at once cannot both act; the partial unique
constraint ``one_open_membership_per_network`` backs the "one open request" rule. E-mails go to
the outbox inside the transaction and are delivered after commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from companies.models import Company
from regiolab import caching
from regiolab.links import absolute_url
from regiolab.mail import queue_email
from regiolab.text import german_slug

from .models import RESERVED_SLUGS, NetworkMembership, TrainingNetwork
from .selectors import company_people_told

OPEN_CONSTRAINT = "one_open_membership_per_network"
NETWORK_FIELDS = (
    "name",
    "slug",
    "sector_focus",
    "description",
    "description_en",
    "status",
    "start_date",
    "end_date",
)


class DuplicateMembership(ValidationError):
    """The company already asked to join the network or is already a member."""


def _duplicate_error(existing_status: str | None) -> DuplicateMembership:
    if existing_status == NetworkMembership.Status.ACTIVE:
        return DuplicateMembership(
            _("Your company is already a member of this network."), code="duplicate"
        )
    return DuplicateMembership(
        _(
            "Your company has already asked to join this network; the coordinators will answer soon."
        ),
        code="duplicate",
    )


def _company_language(company: Company) -> str:
    # Companies keep no language of their own yet; German is the portal's default.
    return getattr(company, "language", "") or settings.LANGUAGE_CODE


def _notify_company(membership: NetworkMembership, template: str, **extra) -> int:
    """One e-mail per active member of the company; returns how many were queued."""
    company = membership.company
    language = _company_language(company)
    recipients = company_people_told(company)
    for user in recipients:
        queue_email(
            to=user.email,
            template=template,
            context={
                "network": membership.network,
                "company": company,
                "membership": membership,
                "recipient": user,
                "network_url": absolute_url(membership.network.get_absolute_url()),
                "networks_url": absolute_url(reverse("networks:list")),
                **extra,
            },
            language=language,
        )
    return len(recipients)


def _notify_coordinators(membership: NetworkMembership) -> None:
    network = membership.network
    dashboard = absolute_url(reverse("networks:dashboard", args=[network.slug]))
    for user in network.coordinators.filter(is_active=True).exclude(email=""):
        queue_email(
            to=user.email,
            template="network_membership_requested",
            context={
                "network": network,
                "company": membership.company,
                "membership": membership,
                "recipient": user,
                "dashboard_url": dashboard,
            },
            language=settings.LANGUAGE_CODE,
        )


def _create_open_membership(**fields) -> NetworkMembership:
    """Insert a requested/active row; the partial unique constraint refuses a second one."""
    membership = NetworkMembership(**fields)
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError as exc:
        if OPEN_CONSTRAINT not in str(exc):
            raise
        raise _duplicate_error(None) from exc
    return membership


def request_membership(
    *, network: TrainingNetwork, company: Company, requested_by
) -> NetworkMembership:
    """The company asks to join an active network; the network's coordinators are told."""
    with caching.scope(networks=network.pk), transaction.atomic():
        network = TrainingNetwork.objects.select_for_update().get(pk=network.pk)
        if network.status != TrainingNetwork.Status.ACTIVE:
            raise ValidationError(_("This network does not take requests at the moment."))
        existing = (
            NetworkMembership.objects.filter(
                network=network,
                company=company,
                status__in=[NetworkMembership.Status.REQUESTED, NetworkMembership.Status.ACTIVE],
            )
            .values_list("status", flat=True)
            .first()
        )
        if existing:
            raise _duplicate_error(existing)
        membership = _create_open_membership(
            network=network,
            company=company,
            requested_by=requested_by,
            status=NetworkMembership.Status.REQUESTED,
        )
        _notify_coordinators(membership)
    return membership


def _locked_membership(membership: NetworkMembership) -> NetworkMembership:
    return (
        NetworkMembership.objects.select_for_update(of=("self",))
        .select_related("network", "company")
        .get(pk=membership.pk)
    )


def decide_membership(*, membership: NetworkMembership, accept: bool, decided_by=None):
    """Accept (active, joined today) or decline an open request and tell the company by e-mail."""
    with caching.scope(networks=membership.network_id), transaction.atomic():
        membership = _locked_membership(membership)
        if membership.status != NetworkMembership.Status.REQUESTED:
            raise ValidationError(_("This request has already been answered."), code="decided")
        if accept:
            membership.status = NetworkMembership.Status.ACTIVE
            membership.joined_on = timezone.localdate()
            membership.save(update_fields=["status", "joined_on"])
            _notify_company(membership, "network_membership_accepted")
        else:
            membership.status = NetworkMembership.Status.DECLINED
            membership.save(update_fields=["status"])
            _notify_company(membership, "network_membership_declined")
    return membership


def _check_role(role: str) -> None:
    if role not in NetworkMembership.Role.values:
        raise ValidationError({"role": _("Please choose a role from the list.")})


def add_member(
    *,
    network: TrainingNetwork,
    company: Company,
    role: str = NetworkMembership.Role.MEMBER,
    added_by=None,
) -> NetworkMembership:
    """A coordinator adds a company directly; an open request of the company is accepted."""
    _check_role(role)
    with caching.scope(networks=network.pk), transaction.atomic():
        network = TrainingNetwork.objects.select_for_update().get(pk=network.pk)
        pending = (
            NetworkMembership.objects.select_for_update()
            .filter(network=network, company=company, status=NetworkMembership.Status.REQUESTED)
            .first()
        )
        if pending is not None:
            pending.role = role
            pending.save(update_fields=["role"])
            return decide_membership(membership=pending, accept=True, decided_by=added_by)
        if NetworkMembership.objects.filter(
            network=network, company=company, status=NetworkMembership.Status.ACTIVE
        ).exists():
            raise DuplicateMembership(
                _("This company is already a member of the network."), code="duplicate"
            )
        return _create_open_membership(
            network=network,
            company=company,
            role=role,
            status=NetworkMembership.Status.ACTIVE,
            requested_by=added_by,
            joined_on=timezone.localdate(),
        )


def remove_member(*, membership: NetworkMembership, removed_by=None) -> NetworkMembership:
    """A coordinator removes the company from the network today; the row stays for the reports
    (status "left", left today) and the company's people are told by e-mail that the network's
    coordinator removed it (``membership.people_told`` is how many)."""
    with caching.scope(networks=membership.network_id), transaction.atomic():
        membership = _locked_membership(membership)
        if membership.status != NetworkMembership.Status.ACTIVE:
            raise ValidationError(_("Only active members can be removed."), code="not_active")
        membership.status = NetworkMembership.Status.LEFT
        membership.left_on = timezone.localdate()
        membership.save(update_fields=["status", "left_on"])
        membership.people_told = _notify_company(
            membership, "network_membership_removed", removed_by=removed_by
        )
    return membership


def change_role(*, membership: NetworkMembership, role: str, changed_by=None) -> NetworkMembership:
    _check_role(role)
    with caching.scope(networks=membership.network_id), transaction.atomic():
        membership = _locked_membership(membership)
        if membership.status != NetworkMembership.Status.ACTIVE:
            raise ValidationError(_("Only an active member's role can be changed."))
        membership.role = role
        membership.save(update_fields=["role"])
    return membership


def _free_slug(name: str, *, exclude_pk: int | None = None) -> str:
    """A slug made from the name, numbered when taken or reserved."""
    base = german_slug(name)[:70].strip("-") or "verbund"
    others = TrainingNetwork.objects.exclude(pk=exclude_pk)
    candidate, number = base, 1
    while candidate in RESERVED_SLUGS or others.filter(slug=candidate).exists():
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def _save_network(
    network: TrainingNetwork,
    *,
    fields: dict,
    topics: Iterable | None,
    coordinators: Iterable | None,
) -> TrainingNetwork:
    for name, value in fields.items():
        setattr(network, name, value)
    if not network.slug:
        network.slug = _free_slug(network.name or "", exclude_pk=network.pk)
    network.full_clean()
    network.save()
    if topics is not None:
        network.topics.set(topics)
    if coordinators is not None:
        network.coordinators.set(coordinators)
    return network


def _network_fields(**values) -> dict:
    return {name: values[name] for name in NETWORK_FIELDS if name in values}


def create_network(
    *,
    name: str,
    slug: str = "",
    sector_focus: str = "",
    description: str = "",
    description_en: str = "",
    status: str = TrainingNetwork.Status.PLANNED,
    start_date: date | None = None,
    end_date: date | None = None,
    topics: Iterable | None = None,
    coordinators: Iterable | None = None,
    created_by=None,
) -> TrainingNetwork:
    """A new network; the creating coordinator coordinates it unless others are named."""
    if not coordinators and created_by is not None:
        coordinators = [created_by]
    with transaction.atomic():
        return _save_network(
            TrainingNetwork(),
            fields=_network_fields(
                name=name,
                slug=slug or "",
                sector_focus=sector_focus or "",
                description=description or "",
                description_en=description_en or "",
                status=status,
                start_date=start_date,
                end_date=end_date,
            ),
            topics=topics or [],
            coordinators=coordinators or [],
        )


def update_network(
    *,
    network: TrainingNetwork,
    topics: Iterable | None = None,
    coordinators: Iterable | None = None,
    **values,
) -> TrainingNetwork:
    """Change the given fields (see NETWORK_FIELDS); topics/coordinators when passed."""
    unknown = set(values) - set(NETWORK_FIELDS)
    if unknown:
        raise TypeError(f"update_network() got unknown fields: {sorted(unknown)}")
    with transaction.atomic():
        network = TrainingNetwork.objects.select_for_update().get(pk=network.pk)
        fields = _network_fields(**values)
        for text_field in ("slug", "sector_focus", "description", "description_en"):
            if text_field in fields and fields[text_field] is None:
                fields[text_field] = ""
        return _save_network(network, fields=fields, topics=topics, coordinators=coordinators)
