"""The good-practice library (/practices/): the public list and a practice's page and PDF;
coordinators record, edit, validate (a second coordinator) and archive practices and record
their transfers (/practices/transfers/)."""

import functools

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from policy.models import GoodPractice, Transfer
from regiolab import caching
from regiolab.permissions import is_coordinator, login_and_permission_required
from regiolab.views import filtered_list_response
from regiolab.views_helpers import run_service, service_errors_on

from . import (
    rules,  # noqa: F401 — registers the permissions
    selectors,
    services,
)
from .filters import PracticeFilter
from .forms import FigureFormSet, PracticeForm, TransferForm
from .pdf import practice_pdf

PAGE_SIZE = 20

coordinator_only = login_and_permission_required("policy.manage_practices")


@require_GET
def practice_list(request):
    practice_filter = functools.cache(
        lambda: PracticeFilter(request.GET or None, queryset=selectors.public_practices())
    )
    filters = caching.filter_parts(request.GET, PracticeFilter)

    def build() -> str:
        return _practice_list_content(request, practice_filter())

    # The same for every visitor, per cleaned filter and page; an invalid filter or page is
    # answered uncached.
    content = build() if filters is None else caching.get("practice_list", build, filters=filters)
    htmx = request.htmx
    if htmx and not htmx.boosted and not htmx.history_restore_request:
        return filtered_list_response(request, "policy/practices/practice_list.html", content)
    # Coordinators also see the practices not (or no longer) public, outside the cached part.
    in_progress = selectors.practices_in_progress() if is_coordinator(request.user) else None
    response = render(
        request,
        "policy/practices/practice_list.html",
        {"content": content, "in_progress": in_progress},
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


def _practice_list_content(request, practice_filter) -> str:
    page_obj = Paginator(practice_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filter": practice_filter,
        "page_obj": page_obj,
        "practices": selectors.practice_rows(page_obj.object_list),
    }
    return render_to_string("policy/practices/_practice_list_content.html", context, request)


@require_GET
def practice_detail(request, slug):
    practice = selectors.practice_for(request.user, slug)
    user = request.user
    return render(
        request,
        "policy/practices/practice_detail.html",
        {
            "practice": practice,
            "figures": selectors.figure_rows(practice.figures.all()),
            "transfers": list(practice.transfers.all()),
            "topics": list(practice.topics.all()),
            "can_manage": user.has_perm("policy.manage_practices"),
            "can_validate": user.has_perm("policy.validate_practice", practice),
            "is_author": is_coordinator(user) and practice.author_id == user.pk,
        },
    )


@require_GET
def practice_download(request, slug):
    practice = selectors.practice_for(request.user, slug)
    pdf = practice_pdf(
        practice,
        url=request.build_absolute_uri(practice.get_absolute_url()),
        language=get_language(),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{practice.slug}.pdf"'
    return response


@coordinator_only
@require_http_methods(["GET", "POST"])
def practice_create(request):
    return _practice_form(request, GoodPractice())


@coordinator_only
@require_http_methods(["GET", "POST"])
def practice_edit(request, slug):
    return _practice_form(request, get_object_or_404(GoodPractice, slug=slug))


def _practice_form(request, practice):
    data = request.POST or None
    form = PracticeForm(data, instance=practice)
    formset = FigureFormSet(data, instance=practice, prefix="figures")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        deleted = formset.deleted_forms
        figures = [
            f.instance
            for f in formset.forms
            if f.has_changed() and f not in deleted and f.instance.kind
        ]
        removed = [f.instance for f in deleted if f.instance.pk]
        with service_errors_on(form), transaction.atomic():
            saved = services.save_practice(
                practice=form.instance,
                user=request.user,
                topics=form.cleaned_data["topics"],
                figures=figures,
                removed_figures=removed,
            )
            if practice.pk and practice.status == GoodPractice.Status.VALIDATED:
                messages.success(request, _("The practice has been saved."))
            else:
                messages.success(
                    request,
                    _(
                        "The practice has been saved as a draft. A second coordinator validates "
                        "it before it is public."
                    ),
                )
            return redirect(saved)
    return render(
        request,
        "policy/practices/practice_form.html",
        {"form": form, "formset": formset, "practice": practice if practice.pk else None},
    )


@coordinator_only
@require_POST
def practice_validate(request, slug):
    practice = get_object_or_404(GoodPractice, slug=slug)
    return run_service(
        request,
        lambda: services.validate_practice(practice=practice, by=request.user),
        success=_("The practice has been validated and is now public."),
        redirect_to=practice,
    )


@coordinator_only
@require_POST
def practice_archive(request, slug):
    practice = get_object_or_404(GoodPractice, slug=slug)
    return run_service(
        request,
        lambda: services.archive_practice(practice=practice, by=request.user),
        success=_("The practice has been archived; it is no longer public."),
        redirect_to=practice,
    )


@coordinator_only
@require_GET
def transfer_list(request):
    return render(
        request,
        "policy/practices/transfer_list.html",
        {"transfers": selectors.transfer_overview()},
    )


@coordinator_only
@require_http_methods(["GET", "POST"])
def transfer_create(request, slug):
    practice = get_object_or_404(GoodPractice, slug=slug)
    return _transfer_form(request, practice, Transfer(practice=practice))


@coordinator_only
@require_http_methods(["GET", "POST"])
def transfer_edit(request, slug, pk):
    practice = get_object_or_404(GoodPractice, slug=slug)
    transfer = get_object_or_404(Transfer, pk=pk, practice=practice)
    return _transfer_form(request, practice, transfer)


def _transfer_form(request, practice, transfer):
    initial = {} if transfer.pk else {"from_region": practice.region}
    form = TransferForm(request.POST or None, instance=transfer, initial=initial)
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            services.save_transfer(transfer=form.instance, by=request.user)
            messages.success(request, _("The transfer has been saved."))
            return redirect(practice)
    return render(
        request,
        "policy/practices/transfer_form.html",
        {"form": form, "practice": selectors.localise(practice), "transfer": transfer},
    )
