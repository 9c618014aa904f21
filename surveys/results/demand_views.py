"""The coordinators' demand board, the companies behind a cell, and planning a workshop."""

from django import forms
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from companies.models import Company, SizeClass
from regiolab.models import Topic
from regiolab.permissions import login_and_permission_required
from regiolab.views_helpers import run_service

from ..models import DemandPlan
from . import demand

CELLS_PER_PAGE = 50


class CellForm(forms.Form):
    """A cell of the board (also the board's filter, where every part is optional)."""

    topic = forms.ModelChoiceField(
        label=gettext_lazy("topic"),
        queryset=Topic.objects.all(),
        to_field_name="slug",
        required=False,
    )
    municipality = forms.CharField(
        label=gettext_lazy("municipality"), max_length=100, required=False
    )
    size_class = forms.ChoiceField(
        label=gettext_lazy("size class"),
        choices=[("", gettext_lazy("all"))] + list(SizeClass.choices),
        required=False,
    )

    def __init__(self, *args, cell_required=False, **kwargs):
        super().__init__(*args, **kwargs)
        if cell_required:
            self.fields["topic"].required = True
        places = (
            Company.objects.exclude(municipality="")
            .order_by("municipality")
            .values_list("municipality", flat=True)
            .distinct()
        )
        self.fields["municipality"] = forms.ChoiceField(
            label=gettext_lazy("municipality"),
            choices=[("", gettext_lazy("all"))] + [(m, m) for m in places],
            required=False,
        )


def _query(cell) -> str:
    from urllib.parse import urlencode

    return urlencode(
        {"topic": cell.topic.slug, "municipality": cell.municipality, "size_class": cell.size_class}
    )


@login_and_permission_required("surveys.view_demand")
def board(request):
    form = CellForm(request.GET or None)
    invalid = form.is_bound and not form.is_valid()
    cells = []
    if not invalid:
        data = form.cleaned_data if form.is_bound else {}
        cells = demand.demand_cells(
            topic=data.get("topic"),
            municipality=data.get("municipality", ""),
            size_class=data.get("size_class", ""),
        )
    page_obj = Paginator(cells, CELLS_PER_PAGE).get_page(request.GET.get("page"))
    for cell in page_obj.object_list:
        cell.query = _query(cell)
    return render(
        request,
        "surveys/results/demand_board.html",
        {"filter": {"form": form}, "page_obj": page_obj, "invalid": invalid},
    )


def _cell_or_404(request):
    form = CellForm(request.GET if request.method == "GET" else request.POST, cell_required=True)
    if not form.is_valid():
        raise Http404
    data = form.cleaned_data
    cell = demand.demand_cell(
        topic=data["topic"], municipality=data["municipality"], size_class=data["size_class"]
    )
    return form, cell


@login_and_permission_required("surveys.view_demand")
def cell_companies(request):
    form, cell = _cell_or_404(request)
    companies = demand.cell_companies(cell=cell) if cell else Company.objects.none()
    page_obj = Paginator(companies, CELLS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "surveys/results/demand_companies.html",
        {"form": form, "cell": cell, "page_obj": page_obj, "data": form.cleaned_data},
    )


@require_POST
@login_and_permission_required("surveys.plan_from_demand")
def plan(request):
    form = CellForm(request.POST, cell_required=True)
    if not form.is_valid():
        from django.contrib import messages

        messages.error(request, _("Please choose a cell of the demand board."))
        return redirect("surveys:demand")
    data = form.cleaned_data
    created = {}

    def service():
        created["plan"] = demand.plan_workshop_from_demand(
            topic=data["topic"],
            municipality=data["municipality"],
            size_class=data["size_class"],
            by=request.user,
        )
        return created["plan"]

    response = run_service(
        request,
        service,
        success=_("A draft workshop was planned from this demand."),
        redirect_to=reverse("surveys:demand"),
    )
    if "plan" in created:
        return redirect("surveys:demand_plan", created["plan"].pk)
    return response


@login_and_permission_required("surveys.plan_from_demand")
def plan_detail(request, pk: int):
    plan = get_object_or_404(DemandPlan.objects.select_related("workshop", "topic"), pk=pk)
    if request.method == "POST":
        return run_service(
            request,
            lambda: demand.publish_and_invite(plan=plan, by=request.user),
            success=lambda r: (
                _("The invitations had already been sent.")
                if r.already
                else _(
                    "The workshop is published; %(invited)s invitations are being sent,"
                    " %(skipped)s contacts were skipped."
                )
                % {"invited": r.invited, "skipped": r.skipped}
            ),
            redirect_to=reverse("surveys:demand_plan", args=[plan.pk]),
        )
    companies = plan.companies.order_by("name", "pk").only(
        "pk", "name", "municipality", "contact_consent"
    )
    companies = list(companies)
    reached = sum(1 for c in companies if c.contact_consent)
    effects = [
        _("The workshop %(title)s is published and open for registration.")
        % {"title": plan.workshop.title}
    ]
    notified = [
        ngettext(
            "The contacts of %(count)s company that agreed to be contacted get the workshop"
            " invitation by e-mail, once.",
            "The contacts of %(count)s companies that agreed to be contacted get the workshop"
            " invitation by e-mail, once.",
            reached,
        )
        % {"count": reached}
    ]
    return render(
        request,
        "surveys/results/demand_plan.html",
        {
            "plan": plan,
            "companies": companies,
            "workshop": plan.workshop,
            "effects": effects,
            "notified": notified,
        },
    )
