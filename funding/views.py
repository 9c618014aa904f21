import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from companies.selectors import membership_of
from regiolab import uploads
from regiolab.sorting import sort_headers
from regiolab.views_helpers import run_service, service_errors_on

from . import filters, forms, importing, selectors, services
from .filters import ExpenditureFilter, ProgrammeFilter
from .models import Expenditure, Grant, ProgressReport
from .money import format_amount

manage_required = permission_required("funding.manage_grants", raise_exception=True)


def _posted(request):
    # An empty POST is still a submission (its form must show "required" errors).
    return request.POST if request.method == "POST" else None


def _visible_grant(request, pk: int) -> Grant:
    try:
        return selectors.grant_detail(user=request.user, pk=pk)
    except Grant.DoesNotExist:
        raise Http404 from None


# --- Funding finder -------------------------------------------------------------------------


def programme_list(request):
    programmes = ProgrammeFilter(request.GET or None, queryset=selectors.programmes_for_finder())
    membership = membership_of(request.user)
    matches = []
    if membership:
        matches = selectors.match_programmes(programmes=programmes.qs, company=membership.company)
    matched_ids = {m.programme.pk for m in matches}
    others = [p for p in programmes.qs if p.pk not in matched_ids]
    page_obj = Paginator(others, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "funding/programme_list.html",
        {
            "filter": programmes,
            "company": membership.company if membership else None,
            "matches": matches,
            "page_obj": page_obj,
        },
    )


# --- Grants ---------------------------------------------------------------------------------


@login_required
@permission_required("funding.view_grant_list", raise_exception=True)
def grant_list(request):
    grant_filter = filters.GrantListFilter(
        request.GET or None, queryset=selectors.grants_for_list(request.user)
    )
    page_obj = Paginator(grant_filter.qs, 25).get_page(request.GET.get("page"))
    columns = (
        (_("Reference number"), "reference", ""),
        (_("Title"), "title", ""),
        (_("Period"), "period", ""),
        (_("Funders"), "", ""),
        (_("Total eligible costs"), "costs", "num"),
    )
    headers = sort_headers(grant_filter, columns, default="-period")
    return render(request, "funding/grant_list.html", {"page_obj": page_obj, "headers": headers})


@login_required
def grant_detail(request, pk: int):
    try:
        grant = selectors.grant_for_page(user=request.user, pk=pk)
    except Grant.DoesNotExist:
        raise Http404 from None
    period = forms.PeriodForm(request.GET or None)
    start, end = grant.start_date, grant.end_date
    if period.is_valid():
        start = period.cleaned_data["period_start"] or start
        end = period.cleaned_data["period_end"] or end
    return render(
        request,
        "funding/grant_detail.html",
        {
            "grant": grant,
            # Read only when the page's cached fragment is built (see the template).
            "page": selectors.GrantPage(grant=grant, period_start=start, period_end=end),
            "period_form": period,
            # The fragment shows the period form from the raw input (echoed when invalid).
            "period_key": repr(
                (period.is_bound, request.GET.get("period_start"), request.GET.get("period_end"))
            ),
            "period_start": start,
            "period_end": end,
            "can_manage": request.user.has_perm("funding.manage_grants"),
            # Decides the history link in the cached fragment, so part of its key.
            "can_view_history": request.user.has_perm("audit.view_change_history", grant),
        },
    )


@login_required
@manage_required
def grant_create(request):
    form = forms.GrantForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            grant = services.save_grant(
                grant=form.save(commit=False),
                networks=form.cleaned_data["networks"],
                coordinators=form.cleaned_data["coordinators"],
            )
            messages.success(request, _("The grant was created. Now set its co-financing."))
            return redirect("funding:grant_shares", pk=grant.pk)
    return render(request, "funding/grant_form.html", {"form": form})


@login_required
@manage_required
def grant_edit(request, pk: int):
    grant = _visible_grant(request, pk)
    form = forms.GrantForm(_posted(request), instance=grant)
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            services.save_grant(
                grant=form.save(commit=False),
                networks=form.cleaned_data["networks"],
                coordinators=form.cleaned_data["coordinators"],
            )
            messages.success(request, _("The grant was saved."))
            return redirect(grant)
    return render(request, "funding/grant_form.html", {"form": form, "grant": grant})


@login_required
@manage_required
def grant_shares(request, pk: int):
    grant = _visible_grant(request, pk)
    formset = forms.share_formset(grant=grant, data=_posted(request))
    if request.method == "POST" and formset.is_valid():
        with service_errors_on(formset):
            services.set_cofinancing_shares(grant=grant, shares=formset.shares())
            messages.success(request, _("The co-financing shares were saved."))
            return redirect(grant)
    return render(request, "funding/grant_shares.html", {"grant": grant, "formset": formset})


@login_required
@manage_required
def grant_budget(request, pk: int):
    grant = _visible_grant(request, pk)
    budget_form = forms.BudgetLineForm(_posted(request), prefix="budget")
    if request.method == "POST" and budget_form.is_valid():
        with service_errors_on(budget_form):
            services.set_budget_line(grant=grant, **budget_form.cleaned_data)
            messages.success(request, _("The budget line was saved."))
            return redirect("funding:grant_budget", pk=grant.pk)
    return render(
        request,
        "funding/grant_budget.html",
        {
            "grant": grant,
            "form": budget_form,
            "lines": grant.budget_lines.order_by("year", "category"),
        },
    )


@login_required
@manage_required
def grant_indicators_edit(request, pk: int):
    grant = _visible_grant(request, pk)
    form = forms.IndicatorForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            services.set_indicator_target(grant=grant, **form.cleaned_data)
            messages.success(request, _("The target was saved."))
            return redirect(grant)
    return render(request, "funding/grant_indicators.html", {"grant": grant, "form": form})


def _visible_expenditure(grant: Grant, pk: int):
    try:
        return selectors.expenditure_of(grant=grant, pk=pk)
    except Expenditure.DoesNotExist:
        raise Http404 from None


@login_required
@manage_required
@uploads.accepts_uploads_up_to(uploads.receipt_max_bytes)
def expenditure_list(request, pk: int):
    grant = _visible_grant(request, pk)
    form = forms.ExpenditureForm(_posted(request), request.FILES or None, grant=grant)
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            expenditure = services.record_expenditure(
                grant=grant, created_by=request.user, **form.service_fields()
            )
            messages.success(request, _("The expenditure was recorded."))
            if not grant.covers(expenditure.date):
                messages.warning(request, _("Its date lies outside the grant period."))
            return redirect("funding:expenditures", pk=grant.pk)
    expenditures = ExpenditureFilter(
        request.GET or None, queryset=selectors.expenditures_of(grant=grant), grant=grant
    )
    filtered = expenditures.qs if expenditures.is_bound else expenditures.queryset
    page_obj = Paginator(filtered, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "funding/expenditure_list.html",
        {
            "grant": grant,
            "form": form,
            "filter": expenditures,
            "page_obj": page_obj,
            "is_filtered": expenditures.is_bound
            and any(expenditures.form.cleaned_data.get(k) for k in ("category", "year", "payee")),
            "totals": selectors.expenditure_sum(filtered),
        },
    )


@login_required
@manage_required
@uploads.accepts_uploads_up_to(uploads.receipt_max_bytes)
def expenditure_edit(request, pk: int, expenditure_pk: int):
    grant = _visible_grant(request, pk)
    expenditure = _visible_expenditure(grant, expenditure_pk)
    shown = copy.copy(expenditure)  # the form's instance takes the posted values
    form = forms.ExpenditureForm(
        _posted(request), request.FILES or None, instance=expenditure, grant=grant
    )
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            saved = services.update_expenditure(expenditure=shown, **form.service_fields())
            messages.success(
                request,
                _("Receipt %(reference)s was saved.") % {"reference": saved.receipt_reference},
            )
            if not grant.covers(saved.date):
                messages.warning(request, _("Its date lies outside the grant period."))
            return redirect("funding:expenditures", pk=grant.pk)
    return render(
        request,
        "funding/expenditure_form.html",
        {"grant": grant, "expenditure": shown, "form": form},
    )


@login_required
@manage_required
def expenditure_delete(request, pk: int, expenditure_pk: int):
    grant = _visible_grant(request, pk)
    expenditure = _visible_expenditure(grant, expenditure_pk)
    back = redirect("funding:expenditures", pk=grant.pk)
    if request.method == "POST":
        return run_service(
            request,
            lambda: services.delete_expenditure(expenditure=expenditure),
            success=_("Receipt %(reference)s (%(amount)s %(currency)s) was deleted by you.")
            % {
                "reference": expenditure.receipt_reference,
                "amount": format_amount(expenditure.amount),
                "currency": grant.currency,
            },
            redirect_to=back,
        )
    return render(
        request,
        "funding/expenditure_delete.html",
        {
            "grant": grant,
            "expenditure": expenditure,
            "effects": _deletion_effects(grant, expenditure),
            "back_url": back.url,
        },
    )


def _deletion_effects(grant: Grant, expenditure: Expenditure) -> list[str]:
    """What deleting the expenditure does, sentence by sentence, for the confirmation step."""
    values = {
        "reference": expenditure.receipt_reference,
        "amount": format_amount(expenditure.amount),
        "currency": grant.currency,
        "category": expenditure.get_category_display(),
        "year": expenditure.date.year,
        "name": expenditure.receipt_name,
    }
    return [
        _(
            "The expenditure %(reference)s of %(amount)s %(currency)s is deleted: the spending "
            "of %(category)s %(year)s on the grant page falls by this amount."
        )
        % values,
        _("Its receipt file “%(name)s” is deleted too.") % values
        if expenditure.receipt_file
        else _("It has no receipt file."),
        _(
            "The grant's change history keeps every value of the deleted expenditure, with "
            "your name and the time."
        ),
        _("Progress reports already built keep their figures; a new report leaves it out."),
    ]


@login_required
def receipt_download(request, pk: int):
    """A receipt file, only for coordinators and the grant's funders (never a media URL)."""
    try:
        expenditure = selectors.receipt_visible_to(user=request.user, pk=pk)
    except Expenditure.DoesNotExist:
        raise Http404 from None
    if not request.user.has_perm("funding.view_receipt", expenditure):
        raise PermissionDenied
    try:
        file = expenditure.receipt_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    extension = expenditure.receipt_file.name.rsplit(".", 1)[-1]
    name = f"{expenditure.grant.reference}_{expenditure.receipt_reference}.{extension}"
    name = "".join(c if c.isalnum() or c in "._-" else "_" for c in name)
    response = FileResponse(
        file,
        # The type the content check found, never the uploader's claim.
        content_type=expenditure.receipt_content_type or "application/octet-stream",
        as_attachment=request.GET.get("download") == "1",
        filename=name,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@manage_required
def expenditure_import(request, pk: int):
    grant = _visible_grant(request, pk)
    form = forms.ExpenditureImportForm(_posted(request), request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = importing.import_expenditures(
            grant=grant, name=upload.name, content=upload.read(), user=request.user
        )
        if result.saved:
            messages.success(
                request, _("%(count)d expenditures were imported.") % {"count": result.saved}
            )
            return redirect("funding:expenditures", pk=grant.pk)
    return render(
        request,
        "funding/expenditure_import.html",
        {"grant": grant, "form": form, "result": result},
    )


# --- Progress reports -----------------------------------------------------------------------


@login_required
def grant_reports(request, pk: int):
    grant = _visible_grant(request, pk)
    can_manage = request.user.has_perm("funding.manage_grants")
    form = forms.ReportRequestForm(
        _posted(request),
        initial={"period_start": grant.start_date, "period_end": grant.end_date},
    )
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            with service_errors_on(form):
                services.request_progress_report(
                    grant=grant, requested_by=request.user, **form.cleaned_data
                )
                messages.success(request, _("The report is being built."))
                return redirect("funding:grant_reports", pk=grant.pk)
    return render(
        request,
        "funding/grant_reports.html",
        {
            "grant": grant,
            "form": form,
            "reports": selectors.reports_of(grant=grant),
            "can_manage": can_manage,
        },
    )


def _visible_report(request, pk: int) -> ProgressReport:
    try:
        return selectors.report_visible_to(user=request.user, pk=pk)
    except ProgressReport.DoesNotExist:
        raise Http404 from None


@login_required
def report_status(request, pk: int):
    """The status cell of one report; htmx polls it every 2 s until it is finished."""
    report = _visible_report(request, pk)
    return render(
        request,
        "funding/_report_status.html",
        {"report": report, "can_manage": request.user.has_perm("funding.manage_grants")},
    )


@login_required
@manage_required
@require_POST
def report_retry(request, pk: int):
    report = _visible_report(request, pk)
    return run_service(
        request,
        lambda: services.retry_progress_report(report=report),
        success=_("The report is being built again."),
        redirect_to=redirect("funding:grant_reports", pk=report.grant_id),
    )


@login_required
def report_download(request, pk: int):
    report = _visible_report(request, pk)
    if not request.user.has_perm("funding.download_report", report):
        raise PermissionDenied
    if report.status != ProgressReport.Status.READY:
        raise Http404
    fmt = request.GET.get("format", "pdf")
    if fmt not in ("pdf", "xlsx"):
        raise Http404
    file = report.xlsx_file if fmt == "xlsx" else report.pdf_file
    name = f"{report.grant.reference}_{report.period_start}_{report.period_end}.{fmt}"
    name = "".join(c if c.isalnum() or c in "._-" else "_" for c in name)
    response = FileResponse(file.open("rb"), as_attachment=True, filename=name)
    response["Cache-Control"] = "private, no-store"
    return response
