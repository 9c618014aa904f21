"""The results page (tools, policy recommendations) and the final report's request, build
status and download. Thin: a scoped selector (404 outside the programme), a form, one service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from regiolab.views_helpers import run_service, service_errors_on

from . import selectors, services
from .forms import FinalReportRequestForm, ResultSectionForm

FORMATS = {"pdf": "pdf_file", "xlsx": "xlsx_file"}


def _posted(request):
    # An empty POST is still a submission (its form must show "required" errors).
    return request.POST if request.method == "POST" else None


def _managed_programme(request, slug: str):
    """The programme for a coordinator's page: 404 outside it, 403 for its participants."""
    programme = selectors.programme_for(user=request.user, slug=slug)
    if not request.user.has_perm("learning.manage_programme", programme):
        raise PermissionDenied
    return programme


@login_required
@require_GET
def results(request, slug: str):
    programme = selectors.programme_for(user=request.user, slug=slug)
    can_manage = request.user.has_perm("learning.manage_programme", programme)
    reports = list(selectors.final_reports_of(programme, ready_only=not can_manage))
    for report in reports:
        report.stale = services.is_stale(report)
    return render(
        request,
        "learning/results/results.html",
        {
            "programme": programme,
            "groups": selectors.sections_by_kind(programme),
            "reports": reports,
            "can_manage": can_manage,
            "request_form": FinalReportRequestForm() if can_manage else None,
        },
    )


@login_required
def section_create(request, slug: str):
    programme = _managed_programme(request, slug)
    form = ResultSectionForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            section = services.create_section(programme=programme, **form.cleaned_data)
            messages.success(request, _("“%(title)s” was added.") % {"title": section.title})
            return redirect("learning:results", slug=programme.slug)
    return render(
        request,
        "learning/results/section_form.html",
        {"programme": programme, "form": form, "section": None},
    )


@login_required
def section_edit(request, slug: str, pk: int):
    programme = _managed_programme(request, slug)
    section = selectors.section_of(programme=programme, pk=pk)
    form = ResultSectionForm(_posted(request), instance=section)
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            services.update_section(section=section, **form.cleaned_data)
            messages.success(request, _("The section was saved."))
            return redirect("learning:results", slug=programme.slug)
    return render(
        request,
        "learning/results/section_form.html",
        {"programme": programme, "form": form, "section": section},
    )


@login_required
def section_delete(request, slug: str, pk: int):
    programme = _managed_programme(request, slug)
    section = selectors.section_of(programme=programme, pk=pk)
    back = redirect("learning:results", slug=programme.slug)
    if request.method == "POST":
        return run_service(
            request,
            lambda: services.delete_section(section=section),
            success=_("“%(title)s” was deleted.") % {"title": section.title},
            redirect_to=back,
        )
    effects = [
        _("The %(kind)s “%(title)s” is deleted in German and English.")
        % {"kind": section.get_kind_display(), "title": section.title},
        _("Final reports built before keep it; the next one leaves it out."),
    ]
    return render(
        request,
        "learning/results/section_delete.html",
        {"programme": programme, "section": section, "effects": effects, "back_url": back.url},
    )


@login_required
@require_POST
def report_request(request, slug: str):
    programme = _managed_programme(request, slug)
    form = FinalReportRequestForm(request.POST)
    back = redirect("learning:results", slug=programme.slug)
    if not form.is_valid():
        messages.error(request, _("Choose the language of the report."))
        return back
    return run_service(
        request,
        lambda: services.request_final_report(
            programme=programme, requested_by=request.user, **form.cleaned_data
        ),
        success=_("The final report is being built."),
        redirect_to=back,
    )


@login_required
@require_GET
def report_status(request, pk: int):
    """The status cell of one final report; htmx polls it every 2 s until it is finished."""
    report = selectors.final_report_visible_to(user=request.user, pk=pk)
    report.stale = services.is_stale(report)
    return render(
        request,
        "learning/results/_report_status.html",
        {
            "report": report,
            "can_manage": request.user.has_perm("learning.manage_programme", report.programme),
        },
    )


@login_required
@require_POST
def report_retry(request, pk: int):
    report = selectors.final_report_visible_to(user=request.user, pk=pk)
    if not request.user.has_perm("learning.manage_programme", report.programme):
        raise PermissionDenied
    return run_service(
        request,
        lambda: services.retry_final_report(report=report),
        success=_("The final report is being built again."),
        redirect_to=redirect("learning:results", slug=report.programme.slug),
    )


@login_required
@require_GET
def report_download(request, pk: int):
    report = selectors.final_report_visible_to(user=request.user, pk=pk)
    fmt = request.GET.get("format", "pdf")
    if report.status != report.Status.READY or fmt not in FORMATS:
        raise Http404
    file = getattr(report, FORMATS[fmt])
    if not file:
        raise Http404
    stamp = (report.finished_at or report.requested_at).date().isoformat()
    name = f"{report.programme.slug}_{stamp}.{fmt}"
    name = "".join(c if c.isalnum() or c in "._-" else "_" for c in name)
    response = FileResponse(file.open("rb"), as_attachment=True, filename=name)
    response["Cache-Control"] = "private, no-store"
    return response
