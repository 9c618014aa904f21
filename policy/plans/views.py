"""Action plans (/policy/plans/): the coordinators' plans, actions, indicators, values and
monitoring reports (built by Celery, progress polled, permission-checked download)."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from policy.models import Action, ActionIndicator, ActionPlan, MonitoringReport
from regiolab.permissions import login_and_permission_required
from regiolab.views_helpers import run_service, service_errors_on

from . import (
    monitoring,
    rules,  # noqa: F401 — registers the permission
    selectors,
    services,
)
from .forms import ActionForm, IndicatorForm, MonitoringForm, PlanForm, ValueForm

coordinator_only = login_and_permission_required("policy.manage_plans")
FORMATS = {"pdf": "pdf", "xlsx": "xlsx"}


@coordinator_only
@require_GET
def plan_list(request):
    return render(request, "policy/plans/plan_list.html", {"plans": selectors.plan_list()})


@coordinator_only
@require_http_methods(["GET", "POST"])
def plan_create(request):
    return _plan_form(request, ActionPlan())


@coordinator_only
@require_http_methods(["GET", "POST"])
def plan_edit(request, pk):
    return _plan_form(request, get_object_or_404(ActionPlan, pk=pk))


def _plan_form(request, plan):
    form = PlanForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            saved = services.save_plan(
                plan=form.save(commit=False),
                practices=form.cleaned_data["practices"],
                by=request.user,
            )
            messages.success(request, _("The action plan has been saved."))
            return redirect(saved)
    return render(
        request, "policy/plans/plan_form.html", {"form": form, "plan": plan if plan.pk else None}
    )


@coordinator_only
@require_GET
def plan_detail(request, pk):
    try:
        plan = selectors.plan_for_page(pk)
    except ActionPlan.DoesNotExist:
        raise Http404 from None
    reports = list(selectors.reports_of(plan))
    for report in reports:
        report.stale = monitoring.is_stale(report)
    return render(
        request,
        "policy/plans/plan_detail.html",
        {
            "plan": plan,
            # Built only when the cached fragment (selectors.PLAN_ACTIONS) is missing.
            "actions_section": lambda: selectors.actions_section(plan),
            "today": timezone.localdate().isoformat(),
            "ended": selectors.ended_so_far(plan),
            "reports": reports,
        },
    )


@coordinator_only
@require_http_methods(["GET", "POST"])
def action_create(request, pk):
    plan = get_object_or_404(ActionPlan, pk=pk)
    return _action_form(request, plan, Action(plan=plan))


@coordinator_only
@require_http_methods(["GET", "POST"])
def action_edit(request, pk, apk):
    plan = get_object_or_404(ActionPlan, pk=pk)
    return _action_form(request, plan, get_object_or_404(Action, plan=plan, pk=apk))


def _action_form(request, plan, action):
    form = ActionForm(request.POST or None, instance=action, user=request.user)
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            services.save_action(action=form.save(commit=False), by=request.user)
            messages.success(request, _("The action has been saved."))
            return redirect(plan)
    return render(
        request,
        "policy/plans/action_form.html",
        {"form": form, "plan": plan, "action": action if action.pk else None},
    )


@coordinator_only
@require_http_methods(["GET", "POST"])
def indicator_create(request, pk, apk):
    plan = get_object_or_404(ActionPlan, pk=pk)
    action = get_object_or_404(Action, plan=plan, pk=apk)
    form = IndicatorForm(
        request.POST or None, instance=ActionIndicator(action=action), user=request.user
    )
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            services.save_indicator(indicator=form.save(commit=False), by=request.user)
            messages.success(request, _("The indicator has been added."))
            return redirect(plan)
    return render(
        request,
        "policy/plans/indicator_form.html",
        {"form": form, "plan": plan, "action": action},
    )


@coordinator_only
@require_http_methods(["GET", "POST"])
def value_create(request, pk, ipk):
    plan = get_object_or_404(ActionPlan, pk=pk)
    indicator = get_object_or_404(
        ActionIndicator.objects.select_related("action"), action__plan=plan, pk=ipk
    )
    form = ValueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            services.record_value(indicator=indicator, by=request.user, **form.cleaned_data)
            messages.success(request, _("The value has been recorded."))
            return redirect(plan)
    return render(
        request,
        "policy/plans/value_form.html",
        {"form": form, "plan": plan, "indicator": indicator},
    )


@coordinator_only
@require_http_methods(["GET", "POST"])
def monitoring_create(request, pk):
    plan = get_object_or_404(ActionPlan, pk=pk)
    actions = list(plan.actions.order_by("position", "pk"))
    form = MonitoringForm(
        request.POST or None,
        actions=actions,
        narratives=selectors.latest_narratives(plan),
        initial={"period_start": plan.period_start, "period_end": plan.period_end},
    )
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            monitoring.request_monitoring_report(
                plan=plan,
                period_start=form.cleaned_data["period_start"],
                period_end=form.cleaned_data["period_end"],
                narratives=form.narratives(),
                requested_by=request.user,
            )
            messages.success(request, _("The monitoring report is being built."))
            return redirect(plan)
    return render(request, "policy/plans/monitoring_form.html", {"form": form, "plan": plan})


def _report(pk) -> MonitoringReport:
    try:
        return selectors.report_of(pk)
    except MonitoringReport.DoesNotExist:
        raise Http404 from None


@coordinator_only
@require_GET
def report_status(request, pk):
    """The status cell of one monitoring report; htmx polls it every 2 s until finished."""
    report = _report(pk)
    report.stale = monitoring.is_stale(report)
    return render(request, "policy/plans/_report_status.html", {"report": report})


@coordinator_only
@require_POST
def report_retry(request, pk):
    report = _report(pk)
    return run_service(
        request,
        lambda: monitoring.retry_monitoring_report(report=report),
        success=_("The monitoring report is being built again."),
        redirect_to=redirect(report.plan),
    )


@coordinator_only
@require_GET
def report_download(request, pk):
    report = _report(pk)
    fmt = request.GET.get("format", "pdf")
    if report.status != MonitoringReport.Status.READY or fmt not in FORMATS:
        raise Http404
    file = getattr(report, FORMATS[fmt])
    if not file:
        raise Http404
    name = f"monitoring_{report.plan_id}_{report.period_start}_{report.period_end}.{fmt}"
    response = FileResponse(file.open("rb"), as_attachment=True, filename=name)
    response["Cache-Control"] = "private, no-store"
    return response
