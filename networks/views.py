"""Network pages: public list and detail, join request, coordinators' form and dashboard."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from companies.selectors import membership_of
from regiolab.display import choice_labels
from regiolab.permissions import login_and_permission_required
from regiolab.views_helpers import run_service, service_errors_on

from . import selectors, services
from .filters import NetworkFilter
from .forms import AddMemberForm, CompanySearchForm, DecisionForm, NetworkForm, RoleForm
from .models import NetworkMembership
from .rules import needs_company

PAGE_SIZE = 20

coordinator_only = login_and_permission_required


def _dashboard(network):
    return redirect("networks:dashboard", slug=network.slug)


@require_GET
def network_list(request):
    network_filter = NetworkFilter(
        request.GET or None, queryset=selectors.networks_for_list(request.user)
    )
    page_obj = Paginator(network_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "networks/network_list.html",
        {"filter": network_filter, "page_obj": page_obj, "networks": page_obj.object_list},
    )


@require_GET
def network_detail(request, slug):
    network = selectors.network_detail(request.user, slug)
    user = request.user
    company_membership = membership_of(user)
    open_membership = (
        selectors.open_membership_of(network=network, company=company_membership.company)
        if company_membership
        else None
    )
    return render(
        request,
        "networks/network_detail.html",
        {
            "network": network,
            "members": network.shown_members,
            "open_membership": open_membership,
            "can_request": open_membership is None
            and user.has_perm("networks.request_membership", network),
            "needs_company": needs_company(user),
        },
    )


@require_POST
def request_membership(request, slug):
    detail_url = reverse("networks:detail", args=[slug])
    if not request.user.is_authenticated:
        # Back to the page with the button, not to this POST-only address.
        return redirect_to_login(detail_url)
    network = selectors.network_visible_to(request.user, slug)
    if needs_company(request.user):
        messages.warning(
            request,
            _("Please register your company first; then you can ask to join the network."),
        )
        return redirect(detail_url)
    if not request.user.has_perm("networks.request_membership", network):
        raise PermissionDenied
    company = membership_of(request.user).company
    return run_service(
        request,
        lambda: services.request_membership(
            network=network, company=company, requested_by=request.user
        ),
        success=_(
            "Thank you – your request has been sent. The network's coordinators will "
            "answer by e-mail."
        ),
        redirect_to=detail_url,
    )


@coordinator_only("networks.add_network")
@require_http_methods(["GET", "POST"])
def network_create(request):
    form = NetworkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            network = services.create_network(created_by=request.user, **form.service_kwargs())
            messages.success(request, _("The network has been created."))
            return _dashboard(network)
    return render(request, "networks/network_form.html", {"form": form, "network": None})


@coordinator_only("networks.manage_network")
@require_http_methods(["GET", "POST"])
def network_edit(request, slug):
    network = selectors.network_visible_to(request.user, slug)
    form = NetworkForm(request.POST or None, instance=network)
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            network = services.update_network(network=network, **form.service_kwargs())
            messages.success(request, _("The network has been saved."))
            return _dashboard(network)
    # A failed save must not leave the page showing the rejected slug in its links.
    network.refresh_from_db(fields=["slug", "name"])
    return render(request, "networks/network_form.html", {"form": form, "network": network})


@coordinator_only("networks.view_dashboard")
@require_GET
def dashboard(request, slug):
    network = selectors.network_visible_to(request.user, slug)
    search_form = CompanySearchForm(request.GET or None)
    query = search_form.cleaned_data["q"] if search_form.is_valid() else ""
    return render(
        request,
        "networks/dashboard.html",
        {
            "network": network,
            # Lazy: read (and their queries built) only when the cached fragment is rebuilt.
            "figures": SimpleLazyObject(lambda: selectors.dashboard_figures(network)),
            "requests": SimpleLazyObject(lambda: list(selectors.open_requests(network))),
            "members": SimpleLazyObject(lambda: selectors.member_rows(network)),
            "search_form": search_form,
            "query": query,
            "candidates": selectors.companies_to_add(network=network, query=query),
            # Translated once, not once per member row.
            "role_choices": list(choice_labels(NetworkMembership.Role.choices).items()),
            # Part of the fragments' keys, should what they offer ever differ by role.
            "can_manage": request.user.has_perm("networks.manage_network", network),
        },
    )


@coordinator_only("networks.manage_network")
@require_POST
def decide_request(request, slug, pk):
    network = selectors.network_visible_to(request.user, slug)
    membership = selectors.membership_in(
        network=network, pk=pk, status=NetworkMembership.Status.REQUESTED
    )
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please choose to accept or decline the request."))
        return _dashboard(network)
    message = (
        _("%(company)s is now a member; the company has been told by e-mail.")
        if form.accept
        else _("The request of %(company)s has been declined; the company has been told.")
    )
    return run_service(
        request,
        lambda: services.decide_membership(
            membership=membership, accept=form.accept, decided_by=request.user
        ),
        success=message % {"company": membership.company.name},
        redirect_to=_dashboard(network),
    )


@coordinator_only("networks.manage_network")
@require_POST
def add_member(request, slug):
    network = selectors.network_visible_to(request.user, slug)
    form = AddMemberForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please choose a company and a role."))
        return _dashboard(network)
    company = form.cleaned_data["company"]
    return run_service(
        request,
        lambda: services.add_member(
            network=network, company=company, role=form.cleaned_data["role"], added_by=request.user
        ),
        success=_("%(company)s has been added to the network.") % {"company": company.name},
        redirect_to=_dashboard(network),
    )


@coordinator_only("networks.manage_network")
@require_POST
def change_role(request, slug, pk):
    network = selectors.network_visible_to(request.user, slug)
    membership = selectors.membership_in(
        network=network, pk=pk, status=NetworkMembership.Status.ACTIVE
    )
    # The dashboard's selects share one form, so each is named after its membership.
    form = RoleForm({"role": request.POST.get(f"role-{membership.pk}")})
    if not form.is_valid():
        messages.error(request, _("Please choose a role from the list."))
        return _dashboard(network)
    return run_service(
        request,
        # Refused when the company left meanwhile.
        lambda: services.change_role(
            membership=membership, role=form.cleaned_data["role"], changed_by=request.user
        ),
        success=_("The role of %(company)s has been changed.")
        % {"company": membership.company.name},
        redirect_to=_dashboard(network),
    )


@coordinator_only("networks.manage_network")
@require_http_methods(["GET", "POST"])
def remove_member(request, slug, pk):
    """GET: the confirmation step (what happens, who is told); POST: the removal."""
    network = selectors.network_visible_to(request.user, slug)
    membership = selectors.membership_in(
        network=network, pk=pk, status=NetworkMembership.Status.ACTIVE
    )
    company = membership.company.name
    if request.method == "GET":
        return render(
            request,
            "networks/remove_member.html",
            {
                "network": network,
                "membership": membership,
                **selectors.removal_consequences(membership),
            },
        )
    return run_service(
        request,
        # Refused when someone else removed it meanwhile.
        lambda: services.remove_member(membership=membership, removed_by=request.user),
        success=lambda removed: (
            ngettext(
                "You removed %(company)s from the network; %(count)d person of the company was "
                "told by e-mail that the coordinator removed it.",
                "You removed %(company)s from the network; %(count)d people of the company were "
                "told by e-mail that the coordinator removed it.",
                removed.people_told,
            )
            % {"company": company, "count": removed.people_told}
        ),
        redirect_to=_dashboard(network),
    )
