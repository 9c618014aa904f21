"""Company pages. Coordinators see every company; a representative only their own — any other
company answers 404 because it is looked up through companies_visible_to()."""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST
from rules.contrib.views import permission_required

from regiolab import caching, mail
from regiolab.permissions import login_and_permission_required
from regiolab.sorting import sort_headers
from regiolab.views import filtered_list_response
from regiolab.views_helpers import run_service, service_errors_kept, service_errors_on

from . import selectors, services
from .filters import CompanyFilter
from .forms import (
    AssociatedEnterpriseFormSet,
    CompanyForm,
    ConsultationForm,
    InviteColleagueForm,
    JoinRequestForm,
    JoinSearchForm,
    MemberRoleForm,
)
from .models import Company, CompanyInvitation, CompanyMember, Consultation
from .rules import is_coordinator, is_funder

PAGE_SIZE = 50
# The company table's column heads: (label, sort parameter of CompanyFilter.ordering, class).
COMPANY_COLUMNS = (
    (_("Name"), "name", ""),
    (_("City / municipality"), "city", ""),
    (_("Sector"), "", ""),
    (_("Size class"), "", ""),
    (_("Kind"), "", ""),
    (_("Networks"), "networks", ""),
)


coordinator_only = login_and_permission_required("companies.list_companies")


def _visible_company(request, pk) -> Company:
    return get_object_or_404(selectors.companies_visible_to(request.user), pk=pk)


def _require(request, perm: str, obj=None) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied


# --- coordinators ------------------------------------------------------------------------------


@coordinator_only
@require_http_methods(["GET", "HEAD"])
def company_list(request):
    user = request.user
    can_import = user.has_perm("companies.import_companies")
    can_export = user.has_perm("companies.export_companies")
    company_filter = functools.cache(
        lambda: CompanyFilter(request.GET or None, queryset=selectors.companies_for_list_page())
    )
    filters = caching.filter_parts(request.GET, CompanyFilter)

    def build() -> str:
        return _company_list_content(request, company_filter(), can_import, can_export)

    # The filter bar and the results are the same for every coordinator with the same rights;
    # an invalid filter or page is answered uncached.
    if filters is None:
        content = build()
    else:
        content = caching.get(
            "company_list", build, filters=filters, can_import=can_import, can_export=can_export
        )
    return filtered_list_response(request, "companies/company_list.html", content)


def _company_list_content(request, company_filter, can_import: bool, can_export: bool) -> str:
    page_obj = Paginator(company_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filter": company_filter,
        "page_obj": page_obj,
        "companies": selectors.company_rows(page_obj.object_list),
        "headers": sort_headers(company_filter, COMPANY_COLUMNS, default="name"),
        "results_id": "company-results",
        "can_import": can_import,
        "can_export": can_export,
    }
    return render_to_string("companies/_company_list_content.html", context, request)


@coordinator_only
@require_http_methods(["GET", "HEAD"])
def dashboard(request):
    today = timezone.localdate()
    page_obj = Paginator(selectors.open_follow_ups(today=today), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "companies/dashboard.html",
        {
            "page_obj": page_obj,
            "follow_ups": page_obj.object_list,
            "today": today,
            "failed_mail_count": mail.failed_mail_count(),
        },
    )


@coordinator_only
@require_POST
def follow_up_done(request, pk):
    consultation = get_object_or_404(Consultation, pk=pk)
    return run_service(
        request,
        lambda: services.complete_follow_up(consultation=consultation, done_by=request.user),
        success=_("Follow-up with %(company)s marked as done.") % {"company": consultation.company},
        redirect_to="companies:dashboard",
    )


@coordinator_only
@require_http_methods(["GET", "POST"])
def consultation_create(request, pk):
    company = get_object_or_404(Company, pk=pk)
    form = ConsultationForm(request.POST or None, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            services.log_consultation(
                company=company, coordinator=request.user, **form.cleaned_data
            )
            messages.success(request, _("Consultation saved."))
            return redirect(company)
    return render(request, "companies/consultation_form.html", {"form": form, "company": company})


# --- registering, joining ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def my_company(request):
    """Members go to their company; people without one are led to register or join one."""
    if request.user.has_perm("companies.list_companies"):
        return redirect("companies:list")
    if is_funder(request.user):
        raise PermissionDenied
    membership = selectors.membership_of(request.user)
    if membership is not None:
        return redirect(membership.company)
    pending = selectors.pending_request_of(request.user)
    if request.method == "POST":
        if pending is not None and request.POST.get("action") == "withdraw":
            services.withdraw_join_request(user=request.user)
            messages.success(request, _("Your request has been withdrawn."))
        return redirect("companies:mine")
    return render(request, "companies/onboarding.html", {"pending": pending})


@login_required
@permission_required("companies.add_company", raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def company_create(request):
    form = CompanyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            company = services.create_company(created_by=request.user, **form.service_fields())
            messages.success(request, _("Company %(name)s registered.") % {"name": company.name})
            return redirect(company)
    return render(request, "companies/company_form.html", {"form": form, "company": None})


@login_required
@permission_required("companies.join_company", raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def join_request(request):
    if request.method == "POST":
        form = JoinRequestForm(request.POST)
        if not form.is_valid():
            raise Http404
        company = form.cleaned_data["company"]
        return run_service(
            request,
            lambda: services.request_to_join(user=request.user, company=company),
            success=_("Your request to join %(name)s has been sent to its owners.")
            % {"name": company.name},
            redirect_to="companies:mine",
        )
    search = JoinSearchForm(request.GET if "q" in request.GET else None)
    results = None
    if search.is_valid():
        results = selectors.companies_to_join(query=search.cleaned_data["q"])[:25]
    return render(request, "companies/join.html", {"search": search, "results": results})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def accept_invitation(request, token):
    # Funders and coordinators never join a company (as join_company/add_company say).
    if is_funder(request.user) or is_coordinator(request.user):
        raise PermissionDenied
    invitation = get_object_or_404(
        CompanyInvitation.objects.select_related("company", "invited_by"), token=token
    )
    problem = None
    if invitation.accepted_at is not None:
        problem = _("This invitation has already been used.")
    elif services.invitation_expired(invitation):
        problem = _("This invitation has expired. Please ask for a new one.")
    if request.method == "POST" and problem is None:
        with service_errors_kept() as refusal:
            services.accept_invitation(invitation=invitation, user=request.user)
            messages.success(request, _("Welcome to %(name)s.") % {"name": invitation.company.name})
            return redirect(invitation.company)
        problem = " ".join(refusal)
    return render(
        request,
        "companies/invitation.html",
        {"invitation": invitation, "problem": problem},
    )


# --- one company -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD"])
def company_detail(request, pk):
    try:
        company = selectors.company_detail(user=request.user, pk=pk)
    except Company.DoesNotExist as exc:
        raise Http404 from exc
    return render(
        request,
        "companies/company_detail.html",
        {
            "company": company,
            "members": [m for m in company.members.all() if m.status == m.Status.ACTIVE],
            "requests": [m for m in company.members.all() if m.status == m.Status.REQUESTED],
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def company_edit(request, pk):
    company = _visible_company(request, pk)
    _require(request, "companies.change_company", company)
    form = CompanyForm(request.POST or None, instance=company)
    formset = AssociatedEnterpriseFormSet(
        request.POST or None, instance=company, prefix="associated"
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        changed = formset.save(commit=False)
        with service_errors_on(form):
            services.update_company(
                company=company,
                updated_by=request.user,
                associated_save=changed,
                associated_delete=formset.deleted_objects,
                **form.service_fields(),
            )
            messages.success(request, _("Company profile saved."))
            return redirect(company)
    return render(
        request,
        "companies/company_form.html",
        {"form": form, "formset": formset, "company": company},
    )


MEMBER_ACTIONS = ("accept", "decline", "remove", "role")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def members(request, pk):
    company = _visible_company(request, pk)
    _require(request, "companies.manage_members", company)
    invite_form = InviteColleagueForm(prefix="invite")
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "invite":
        invite_form = InviteColleagueForm(request.POST, prefix="invite")
        if invite_form.is_valid():
            with service_errors_on(invite_form):
                invitation = services.invite_colleague(
                    company=company,
                    email=invite_form.cleaned_data["email"],
                    invited_by=request.user,
                )
                messages.success(
                    request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
                )
                return redirect("companies:members", pk=company.pk)
    elif action in MEMBER_ACTIONS:
        membership = get_object_or_404(
            CompanyMember.objects.select_related("user", "company"),
            pk=request.POST.get("membership"),
            company=company,
        )
        if action == "remove" and not request.POST.get("confirmed"):
            return _confirm_removal(request, membership)
        leaving = action == "remove" and membership.user_id == request.user.pk
        return run_service(
            request,
            lambda: _member_action(request, action, membership),
            success=lambda message: message,
            redirect_to=redirect("companies:members", pk=company.pk),
            # Left the company: its pages are gone.
            done=redirect("companies:mine") if leaving else None,
        )
    elif action is not None:
        raise Http404
    people = list(selectors.company_members(company=company))
    return render(
        request,
        "companies/members.html",
        {
            "company": company,
            "members": [m for m in people if m.status == CompanyMember.Status.ACTIVE],
            "requests": [m for m in people if m.status == CompanyMember.Status.REQUESTED],
            "invitations": selectors.open_invitations(company=company),
            "invite_form": invite_form,
            "roles": CompanyMember.Role.choices,
        },
    )


def _confirm_removal(request, membership: CompanyMember):
    """The confirmation step before removing a person: what happens, and that nobody is told."""
    return run_service(
        request,
        lambda: services.check_member_removable(membership),
        redirect_to=redirect("companies:members", pk=membership.company.pk),
        done=lambda _result: _removal_page(request, membership),
    )


def _removal_page(request, membership: CompanyMember):
    company = membership.company
    values = {
        "person": membership.user.get_full_name() or membership.user.email,
        "email": membership.user.email,
        "company": company.name,
    }
    yourself = membership.user_id == request.user.pk
    if yourself:
        effects = [
            _(
                "You are no longer a member of %(company)s: you can no longer see or change its "
                "pages in the portal (its profile, its members and its workshop registrations)."
            )
            % values,
            _("Your user account and your own workshop registrations stay."),
            _("You can ask to join %(company)s again; an owner decides.") % values,
        ]
    else:
        effects = [
            _(
                "%(person)s (%(email)s) is no longer a member of %(company)s: they can no "
                "longer see or change its pages in the portal (its profile, its members and its "
                "workshop registrations)."
            )
            % values,
            _("Their user account and their own workshop registrations stay."),
            _("They can ask to join %(company)s again, or you can invite them again.") % values,
        ]
    return render(
        request,
        "companies/member_remove.html",
        {
            "company": company,
            "membership": membership,
            "yourself": yourself,
            "effects": effects,
            "hidden": [("action", "remove"), ("membership", membership.pk)],
        },
    )


def _member_action(request, action: str, membership: CompanyMember) -> str:
    person = membership.user.get_full_name() or membership.user.email
    if action in ("accept", "decline"):
        services.decide_join_request(
            membership=membership, decided_by=request.user, accept=action == "accept"
        )
        if action == "accept":
            return _("%(person)s is now a member.") % {"person": person}
        return _("The request of %(person)s has been declined.") % {"person": person}
    if action == "remove":
        services.remove_member(membership=membership, removed_by=request.user)
        if membership.user_id == request.user.pk:
            return _("You have left %(company)s.") % {"company": membership.company.name}
        return _("You removed %(person)s from %(company)s.") % {
            "person": person,
            "company": membership.company.name,
        }
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        raise ValidationError(_("Please choose a role."))
    services.change_member_role(
        membership=membership, role=form.cleaned_data["role"], changed_by=request.user
    )
    return _("The role of %(person)s has been changed.") % {"person": person}
