"""Bulk import and export of companies (coordinators only). The work is in importing/exporting."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET
from rules.contrib.views import permission_required

from . import exporting, importing
from .filters import CompanyFilter
from .selectors import companies_for_list

IMPORT_PERM = "companies.import_companies"
EXPORT_PERM = "companies.export_companies"


def _filtered_companies(request):
    """The list page's queryset with its filters and sort order, all rows (no pagination).

    None when a filter value is invalid: the list page then shows what is wrong.
    """
    company_filter = CompanyFilter(request.GET, queryset=companies_for_list())
    return company_filter.qs if company_filter.is_valid() else None


def _back_to_list(request):
    messages.error(request, _("The export was not made: please correct the filters first."))
    query = request.GET.urlencode()
    return redirect(reverse("companies:list") + (f"?{query}" if query else ""))


@login_required
@permission_required(IMPORT_PERM, raise_exception=True)
def company_import(request):
    # Uploads stay in memory (settings.FILE_UPLOAD_HANDLERS), never in a temp file.
    result = None
    if request.method == "POST":
        form = importing.ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                count = importing.import_companies(data=upload.read(), filename=upload.name)
            except importing.ImportRejected as rejected:
                for problem in rejected.file_errors:
                    form.add_error("file", problem.message)
                result = rejected
            else:
                messages.success(
                    request,
                    ngettext("%(count)d company imported.", "%(count)d companies imported.", count)
                    % {"count": count},
                )
                return redirect("companies:list")
    else:
        form = importing.ImportUploadForm()
    row_errors = result.row_errors if result else []
    return render(
        request,
        "companies/import.html",
        {
            "form": form,
            "row_errors": row_errors[: importing.MAX_SHOWN_ERRORS],
            "row_error_count": len(row_errors),
            "more_errors": max(0, len(row_errors) - importing.MAX_SHOWN_ERRORS),
            "columns": importing.columns_with_allowed_values(),
        },
    )


def _attachment(response, filename: str):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@login_required
@permission_required(IMPORT_PERM, raise_exception=True)
def import_template(request, fmt):
    if fmt == "csv":
        response = HttpResponse(exporting.template_csv(), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(exporting.template_xlsx(), content_type=exporting.XLSX_CONTENT_TYPE)
    else:
        raise Http404
    return _attachment(response, f"companies-template.{fmt}")


def _export_name(ext: str) -> str:
    return f"companies-{timezone.localdate():%Y-%m-%d}.{ext}"


@require_GET
@login_required
@permission_required(EXPORT_PERM, raise_exception=True)
def export_csv(request):
    companies = _filtered_companies(request)
    if companies is None:
        return _back_to_list(request)
    response = StreamingHttpResponse(
        exporting.iter_export_csv(companies),
        content_type="text/csv; charset=utf-8",
    )
    return _attachment(response, _export_name("csv"))


@require_GET
@login_required
@permission_required(EXPORT_PERM, raise_exception=True)
def export_xlsx(request):
    companies = _filtered_companies(request)
    if companies is None:
        return _back_to_list(request)
    response = HttpResponse(
        exporting.build_export_xlsx(companies),
        content_type=exporting.XLSX_CONTENT_TYPE,
    )
    return _attachment(response, _export_name("xlsx"))
