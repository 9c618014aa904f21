"""Writes for companies: profiles, their people, associated enterprises, consultations.

Every function owns its transaction and its full_clean(); e-mails are written to the outbox in
the same transaction and delivered after commit (regiolab.mail.queue_email).
"""

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from regiolab import caching
from regiolab.links import absolute_url
from regiolab.mail import queue_email
from regiolab.models import Topic
from regiolab.permissions import is_coordinator

from .models import (
    PROFILE_FIELDS,
    AssociatedEnterprise,
    Company,
    CompanyInvitation,
    CompanyMember,
    Consultation,
)
from .personal_data import record_contact_consent, revoke_contact_consent

# The profile fields a person may set through the services (the rest is derived): the profile
# as the exports show it, and the choices that only steer the portal.
EDITABLE_FIELDS = (*PROFILE_FIELDS, "enterprise_type", "contact_consent", "show_in_networks")
INVITATION_VALID_DAYS = 30


def _person(user) -> str:
    return user.get_full_name() or user.email


def _lock_company(company: Company) -> Company:
    """Serialises changes to one company's people (last-owner check, join decisions)."""
    return Company.objects.select_for_update().get(pk=company.pk)


def _set_profile(company: Company, fields: dict) -> set[str]:
    """Set the profile fields; returns the names of those whose value changed."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not profile fields: {', '.join(sorted(unknown))}")
    changed = {name for name, value in fields.items() if getattr(company, name) != value}
    for name, value in fields.items():
        setattr(company, name, value)
    return changed


# --- profile -----------------------------------------------------------------------------------


def create_company(*, created_by, training_needs: Iterable[Topic] = (), **fields) -> Company:
    """A coordinator registers a company, or a person without one registers theirs and becomes
    its owner."""
    coordinator = is_coordinator(created_by)
    with transaction.atomic():
        if not coordinator and CompanyMember.objects.filter(user=created_by).exists():
            raise ValidationError(
                _("You already belong to a company or have asked to join one."), code="has_company"
            )
        company = Company()
        _set_profile(company, fields)
        company.full_clean(exclude=["size_class_stored"])  # derived in save()
        company.save()
        company.training_needs.set(training_needs)
        if company.contact_consent:
            record_contact_consent(company=company, given_by=created_by, by_coordinator=coordinator)
        if not coordinator:
            try:
                with transaction.atomic():
                    CompanyMember.objects.create(
                        user=created_by,
                        company=company,
                        role=CompanyMember.Role.OWNER,
                        status=CompanyMember.Status.ACTIVE,
                    )
            except IntegrityError as exc:  # a parallel request made them a member meanwhile
                raise ValidationError(
                    _("You already belong to a company or have asked to join one."),
                    code="has_company",
                ) from exc
            # The request's cached answer is stale now.
            for cache in ("_company_membership_cache", "_company_link_cache"):
                created_by.__dict__.pop(cache, None)
    return company


def update_company(
    *,
    company: Company,
    updated_by,
    training_needs: Iterable[Topic] | None = None,
    associated_save: Iterable[AssociatedEnterprise] = (),
    associated_delete: Iterable[AssociatedEnterprise] = (),
    **fields,
) -> Company:
    """Change the profile and, in the same transaction, the associated enterprises."""
    # A network's dashboard shows its members' and applicants' profiles: the edit moves only
    # the versions of the networks the company belongs to or asked to join.
    networks = list(company.network_memberships.values_list("network_id", flat=True))
    with caching.scope(networks=networks), transaction.atomic():
        company = _lock_company(company)
        was_consenting = company.contact_consent
        changed = _set_profile(company, fields)
        company.full_clean(exclude=["size_class_stored"])  # derived in save()
        if changed:
            # Only the changed columns: pages that do not show them stay cached.
            company.save(update_fields=[*changed, "updated_at"])
        if company.contact_consent and not was_consenting:
            record_contact_consent(
                company=company, given_by=updated_by, by_coordinator=is_coordinator(updated_by)
            )
        elif was_consenting and not company.contact_consent:
            revoke_contact_consent(company=company)
        if training_needs is not None:
            company.training_needs.set(training_needs)
        if associated_save or associated_delete:
            company = save_associated_enterprises(
                company=company, save=associated_save, delete=associated_delete
            )
    return company


# --- associated enterprises (partner and linked) ----------------------------------------------


def _recalculate_associated(company: Company) -> Company:
    """Write the sums of the partner (pro rata) and linked (whole) enterprises' figures."""
    headcount = turnover = balance_sheet = Decimal(0)
    for enterprise in AssociatedEnterprise.objects.filter(company=company):
        counted = enterprise.counted_figures
        headcount += counted.headcount
        turnover += counted.turnover
        balance_sheet += counted.balance_sheet
    company.associated_headcount = headcount.quantize(Decimal("0.01"))
    company.associated_turnover = turnover.quantize(Decimal("0.01"))
    company.associated_balance_sheet = balance_sheet.quantize(Decimal("0.01"))
    company.save(
        update_fields=[
            "associated_headcount",
            "associated_turnover",
            "associated_balance_sheet",
            "updated_at",
        ]
    )
    return company


def save_associated_enterprises(
    *,
    company: Company,
    save: Iterable[AssociatedEnterprise] = (),
    delete: Iterable[AssociatedEnterprise] = (),
) -> Company:
    """Create or update ``save`` and delete ``delete`` (rows of this company), then bring the
    company's aggregate figures and stored size class in step — all in one transaction."""
    with transaction.atomic():
        company = _lock_company(company)
        for enterprise in delete:
            if enterprise.pk is None:
                continue
            if enterprise.company_id != company.pk:
                raise PermissionDenied("associated enterprise of another company")
            enterprise.delete()
        for enterprise in save:
            if enterprise.pk is not None and enterprise.company_id != company.pk:
                raise PermissionDenied("associated enterprise of another company")
            enterprise.company = company
            enterprise.full_clean()
            enterprise.save()
        return _recalculate_associated(company)


def refresh_associated_figures(*, company: Company) -> Company:
    """Recompute the aggregates after rows changed elsewhere (the admin inline)."""
    with transaction.atomic():
        return _recalculate_associated(_lock_company(company))


def add_associated_enterprise(*, company: Company, **fields) -> AssociatedEnterprise:
    enterprise = AssociatedEnterprise(company=company, **fields)
    save_associated_enterprises(company=company, save=[enterprise])
    return enterprise


def update_associated_enterprise(
    *, enterprise: AssociatedEnterprise, **fields
) -> AssociatedEnterprise:
    for name, value in fields.items():
        setattr(enterprise, name, value)
    save_associated_enterprises(company=enterprise.company, save=[enterprise])
    return enterprise


def delete_associated_enterprise(*, enterprise: AssociatedEnterprise) -> Company:
    return save_associated_enterprises(company=enterprise.company, delete=[enterprise])


# --- people ------------------------------------------------------------------------------------


def _active_owners(company: Company):
    return CompanyMember.objects.filter(
        company=company, role=CompanyMember.Role.OWNER, status=CompanyMember.Status.ACTIVE
    ).select_related("user")


def request_to_join(*, user, company: Company) -> CompanyMember:
    """A person without a company asks to join one; its owners are told by e-mail."""
    if is_coordinator(user):
        raise ValidationError(_("Coordinators do not join companies."), code="coordinator")
    taken = ValidationError(
        _("You already belong to a company or have asked to join one."), code="has_company"
    )
    with transaction.atomic():
        company = _lock_company(company)
        if CompanyMember.objects.filter(user=user).exists():
            raise taken
        try:
            with transaction.atomic():
                membership = CompanyMember.objects.create(
                    user=user,
                    company=company,
                    role=CompanyMember.Role.MEMBER,
                    status=CompanyMember.Status.REQUESTED,
                )
        except IntegrityError as exc:
            raise taken from exc
        members_url = absolute_url(reverse("companies:members", args=[company.pk]))
        for owner in _active_owners(company):
            queue_email(
                to=owner.user.email,
                template="company_join_requested",
                context={
                    "company": company,
                    "person": _person(user),
                    "person_email": user.email,
                    "members_url": members_url,
                },
            )
    user.__dict__.pop("_company_link_cache", None)
    return membership


def withdraw_join_request(*, user) -> None:
    CompanyMember.objects.filter(user=user, status=CompanyMember.Status.REQUESTED).delete()
    user.__dict__.pop("_company_link_cache", None)


def decide_join_request(*, membership: CompanyMember, decided_by, accept: bool) -> CompanyMember:
    """An owner (or a coordinator) accepts or declines; the person is told by e-mail.

    A declined request is deleted, so the person may register or ask another company."""
    with transaction.atomic():
        _lock_company(membership.company)
        membership = (
            CompanyMember.objects.select_related("user", "company")
            .filter(pk=membership.pk, status=CompanyMember.Status.REQUESTED)
            .first()
        )
        if membership is None:
            raise ValidationError(_("This request has already been answered."), code="answered")
        context = {
            "company": membership.company,
            "person": _person(membership.user),
            "company_url": absolute_url(reverse("companies:mine")),
        }
        if accept:
            membership.status = CompanyMember.Status.ACTIVE
            membership.save(update_fields=["status"])
            template = "company_join_accepted"
        else:
            membership.delete()
            template = "company_join_declined"
        queue_email(to=membership.user.email, template=template, context=context)
    return membership


def invitation_url(invitation: CompanyInvitation) -> str:
    return absolute_url(reverse("companies:accept_invitation", args=[invitation.token]))


def invite_colleague(*, company: Company, email: str, invited_by) -> CompanyInvitation:
    """Invite a colleague by e-mail; an open invitation to the same address is sent again."""
    email = email.strip()
    with transaction.atomic():
        company = _lock_company(company)
        if CompanyMember.objects.filter(
            company=company, user__email__iexact=email, status=CompanyMember.Status.ACTIVE
        ).exists():
            raise ValidationError(
                {"email": _("This person is already a member of the company.")}, code="member"
            )
        invitation = CompanyInvitation.objects.filter(
            company=company, email__iexact=email, accepted_at__isnull=True
        ).first()
        if invitation is None:
            invitation = CompanyInvitation(company=company, email=email, invited_by=invited_by)
            invitation.full_clean(validate_constraints=False)
            invitation.save()
        else:  # a fresh link and date for a re-sent invitation
            invitation.created_at = timezone.now()
            invitation.invited_by = invited_by
            invitation.save(update_fields=["created_at", "invited_by"])
        queue_email(
            to=invitation.email,
            template="company_invitation",
            context={
                "company": company,
                "inviter": _person(invited_by),
                "accept_url": invitation_url(invitation),
                "valid_days": INVITATION_VALID_DAYS,
            },
        )
    return invitation


def invitation_expired(invitation: CompanyInvitation, *, now=None) -> bool:
    now = now or timezone.now()
    return invitation.created_at < now - timedelta(days=INVITATION_VALID_DAYS)


def accept_invitation(*, invitation: CompanyInvitation, user) -> CompanyMember:
    """A signed-in person whose verified e-mail is the invited address becomes a member.

    An open join request elsewhere is replaced; an active membership elsewhere is kept and the
    invitation refused (one company per person)."""
    with transaction.atomic():
        _lock_company(invitation.company)
        invitation = (
            CompanyInvitation.objects.select_for_update()
            .select_related("company")
            .get(pk=invitation.pk)
        )
        if invitation.accepted_at is not None:
            raise ValidationError(_("This invitation has already been used."), code="used")
        if invitation_expired(invitation):
            raise ValidationError(_("This invitation has expired."), code="expired")
        if not EmailAddress.objects.filter(
            user=user, email__iexact=invitation.email, verified=True
        ).exists():
            raise ValidationError(
                _("This invitation was sent to another e-mail address."), code="wrong_email"
            )
        existing = CompanyMember.objects.select_for_update().filter(user=user).first()
        if existing and existing.status == CompanyMember.Status.ACTIVE:
            if existing.company_id == invitation.company_id:
                raise ValidationError(_("You are already a member."), code="member")
            raise ValidationError(_("You already belong to another company."), code="other_company")
        if existing:  # an open join request: the invitation answers it
            existing.delete()
        membership = CompanyMember.objects.create(
            user=user,
            company=invitation.company,
            role=CompanyMember.Role.MEMBER,
            status=CompanyMember.Status.ACTIVE,
        )
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
    for cache in ("_company_membership_cache", "_company_link_cache"):
        user.__dict__.pop(cache, None)
    return membership


def _other_active_owner_exists(membership: CompanyMember) -> bool:
    return _active_owners(membership.company).exclude(pk=membership.pk).exists()


def check_member_removable(membership: CompanyMember) -> None:
    """Refuse to remove the company's last active owner (also asked before the confirmation
    step; remove_member asks again under the company's lock)."""
    if (
        membership.role == CompanyMember.Role.OWNER
        and membership.status == CompanyMember.Status.ACTIVE
        and not _other_active_owner_exists(membership)
    ):
        raise ValidationError(
            _("A company needs at least one owner. Make someone else owner first."),
            code="last_owner",
        )


def remove_member(*, membership: CompanyMember, removed_by) -> None:
    """Remove a person from the company; the last owner cannot be removed."""
    with transaction.atomic():
        _lock_company(membership.company)
        membership = CompanyMember.objects.select_related("company").get(pk=membership.pk)
        check_member_removable(membership)
        membership.delete()


def change_member_role(*, membership: CompanyMember, role: str, changed_by) -> CompanyMember:
    """Make a member owner or an owner member; never leaves the company without an owner."""
    if role not in CompanyMember.Role.values:
        raise ValidationError({"role": _("Unknown role.")}, code="invalid")
    with transaction.atomic():
        _lock_company(membership.company)
        membership = CompanyMember.objects.select_related("company").get(pk=membership.pk)
        if membership.status != CompanyMember.Status.ACTIVE:
            raise ValidationError(
                _("Accept the request before changing the role."), code="not_active"
            )
        if (
            membership.role == CompanyMember.Role.OWNER
            and role != CompanyMember.Role.OWNER
            and not _other_active_owner_exists(membership)
        ):
            raise ValidationError(
                _("A company needs at least one owner. Make someone else owner first."),
                code="last_owner",
            )
        membership.role = role
        membership.save(update_fields=["role"])
    return membership


# --- consultations -----------------------------------------------------------------------------


def log_consultation(
    *,
    company: Company,
    coordinator,
    date: date,
    channel: str,
    subjects: Iterable[str] = (),
    minutes: str = "",
    follow_up_on: date | None = None,
) -> Consultation:
    consultation = Consultation(
        company=company,
        coordinator=coordinator,
        date=date,
        channel=channel,
        subjects=list(subjects),
        minutes=minutes,
        follow_up_on=follow_up_on,
    )
    with transaction.atomic():
        consultation.full_clean()
        consultation.save()
    return consultation


def complete_follow_up(*, consultation: Consultation, done_by) -> Consultation:
    """Mark the follow-up done (idempotent)."""
    with transaction.atomic():
        consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
        if consultation.follow_up_on is None:
            raise ValidationError(_("This consultation has no follow-up."), code="no_follow_up")
        if not consultation.follow_up_done:
            consultation.follow_up_done = True
            consultation.save(update_fields=["follow_up_done"])
    return consultation
