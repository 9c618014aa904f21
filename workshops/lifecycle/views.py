"""Coordinator workshop pages: list, create, edit, publish, cancel, participants, check-in,
signature sheet and certificates. Every view is for coordinators only."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from regiolab.permissions import login_and_permission_required
from regiolab.sorting import sort_headers
from regiolab.views_helpers import run_service, service_errors_on

from ..documents import exports, pdfs
from ..models import Registration
from ..registration import services
from . import checkin_codes, selectors
from . import services as lifecycle
from .forms import (
    CheckinCodeForm,
    CheckinFindForm,
    CheckinForm,
    ManageWorkshopFilter,
    WorkshopForm,
)
from .tasks import send_certificates_task

PAGE_SIZE = 25
MANAGE_PERMISSION = "workshops.manage_workshop"


coordinator_only = login_and_permission_required(MANAGE_PERMISSION)
# The workshop table's column heads: (label, sort parameter of ManageWorkshopFilter, class).
MANAGE_COLUMNS = (
    (_("Workshop"), "title", ""),
    (_("Date and time"), "date", ""),
    (_("Status"), "", ""),
    (_("Places"), "capacity", ""),
    (_("Confirmed"), "confirmed", ""),
    (_("Waitlist"), "waitlist", ""),
    (_("Actions"), "", ""),
)


def _participants(workshop):
    return redirect("workshops:participants", slug=workshop.slug)


@coordinator_only
@require_GET
def manage_list(request):
    workshop_filter = ManageWorkshopFilter(
        request.GET or None, queryset=selectors.managed_workshops()
    )
    page_obj = Paginator(workshop_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "workshops/manage/workshop_list.html",
        {
            "filter": workshop_filter,
            "page_obj": page_obj,
            "workshops": page_obj.object_list,
            "headers": sort_headers(workshop_filter, MANAGE_COLUMNS, default="-date"),
        },
    )


@coordinator_only
@require_http_methods(["GET", "POST"])
def workshop_create(request):
    form = WorkshopForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            workshop = lifecycle.create_workshop(created_by=request.user, **form.service_kwargs())
            messages.success(
                request, _("The workshop has been saved as a draft. Publish it when it is ready.")
            )
            return _participants(workshop)
    return render(request, "workshops/manage/workshop_form.html", {"form": form, "workshop": None})


@coordinator_only
@require_http_methods(["GET", "POST"])
def workshop_edit(request, slug):
    workshop = selectors.managed_workshop(slug)
    form = WorkshopForm(request.POST or None, instance=workshop)
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            workshop = lifecycle.update_workshop(
                workshop=workshop, by=request.user, **form.service_kwargs()
            )
            messages.success(request, _("The workshop has been saved."))
            if workshop.promoted_from_waitlist:
                messages.success(
                    request,
                    ngettext(
                        "%(count)s person has moved up from the waitlist and has been told "
                        "by e-mail.",
                        "%(count)s people have moved up from the waitlist and have been told "
                        "by e-mail.",
                        len(workshop.promoted_from_waitlist),
                    )
                    % {"count": len(workshop.promoted_from_waitlist)},
                )
            return _participants(workshop)
    return render(
        request, "workshops/manage/workshop_form.html", {"form": form, "workshop": workshop}
    )


@coordinator_only
@require_POST
def workshop_publish(request, slug):
    workshop = selectors.managed_workshop(slug)
    return run_service(
        request,
        lambda: lifecycle.publish_workshop(workshop=workshop, by=request.user),
        success=_("The workshop is published and open for registration."),
        redirect_to=_participants(workshop),
    )


@coordinator_only
@require_http_methods(["GET", "POST"])
def workshop_cancel(request, slug):
    workshop = selectors.managed_workshop(slug)
    if request.method == "POST":
        return run_service(
            request,
            lambda: lifecycle.cancel_workshop(workshop=workshop, by=request.user),
            success=lambda notified: (
                ngettext(
                    "You cancelled the workshop; %(count)s person has been told by e-mail.",
                    "You cancelled the workshop; %(count)s people have been told by e-mail.",
                    notified,
                )
                % {"count": notified}
            ),
            redirect_to=_participants(workshop),
        )
    taken_place = lifecycle.has_taken_place(workshop)
    return render(
        request,
        "workshops/manage/workshop_cancel.html",
        {
            "workshop": workshop,
            "taken_place": taken_place,
            "preview": None if taken_place else selectors.workshop_cancel_preview(workshop),
        },
    )


@coordinator_only
@require_GET
def participants(request, slug):
    workshop = selectors.managed_workshop(slug)
    registrations = selectors.workshop_registrations(workshop)
    return render(
        request,
        "workshops/manage/participants.html",
        {
            "workshop": workshop,
            "groups": selectors.grouped_by_status(registrations),
            "total": len(registrations),
            "attendance_open": lifecycle.attendance_open(workshop),
            "certificates_open": lifecycle.certificates_open(workshop),
        },
    )


@coordinator_only
@require_GET
def participants_export(request, slug, fmt):
    workshop = selectors.managed_workshop(slug)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    registrations = selectors.workshop_registrations(workshop)
    if fmt == "csv":
        content, content_type = exports.participants_csv(registrations), exports.CSV_CONTENT_TYPE
    else:
        content = exports.participants_xlsx(workshop, registrations)
        content_type = exports.XLSX_CONTENT_TYPE
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(workshop, fmt)}"'
    return response


@coordinator_only
@require_POST
def promote(request, slug, pk):
    workshop = selectors.managed_workshop(slug)
    registration = get_object_or_404(Registration, workshop=workshop, pk=pk)
    return run_service(
        request,
        lambda: services.promote_waitlisted(registration=registration, by=request.user),
        success=_("%(name)s has moved up from the waitlist and has been told by e-mail.")
        % {"name": registration.full_name},
        redirect_to=_participants(workshop),
    )


def _last_checkin_key(workshop) -> str:
    return f"checkin-last-{workshop.pk}"


def _back_to_checkin(workshop):
    return redirect("workshops:checkin", slug=workshop.slug)


@coordinator_only
@require_http_methods(["GET", "POST"])
def checkin(request, slug):
    """The door list: one button per person, a find field, a scan field, undo of the last."""
    workshop = selectors.managed_workshop(slug)
    registrations = selectors.checkin_registrations(workshop)
    form = CheckinForm(request.POST or None, registrations=registrations)
    if request.method == "POST" and form.is_valid():
        return run_service(
            request,
            lambda: lifecycle.mark_attendance(
                workshop=workshop, marks=form.marks(), by=request.user
            ),
            success=lambda changed: _("Attendance saved (%(count)s changes).") % {"count": changed},
            redirect_to=_back_to_checkin(workshop),
        )
    return _checkin_page(request, workshop, registrations, form=form)


def _checkin_page(request, workshop, registrations, *, form=None, scan=None):
    last_pk = request.session.get(_last_checkin_key(workshop))
    last = next((r for r in registrations if r.pk == last_pk), None)
    if last is not None and last.status != Registration.Status.ATTENDED:
        last = None
    find = CheckinFindForm(request.GET or None, focus=last is not None and scan is None)
    query = find.cleaned_data["q"] if find.is_valid() else ""
    if scan is not None:  # a scan refused: the field again, for the next try
        scan.fields["code"].widget.attrs["autofocus"] = True
    return render(
        request,
        "workshops/manage/checkin.html",
        {
            "workshop": workshop,
            "form": form,
            "rows": registrations,
            "shown": selectors.matching_names(registrations, query),
            "total": len(registrations),
            "checked_in": sum(r.status == Registration.Status.ATTENDED for r in registrations),
            "unmarked": [r for r in registrations if r.status == Registration.Status.CONFIRMED],
            "find": find,
            "query": query,
            "scan": scan or CheckinCodeForm(workshop=workshop),
            "last": last,
            "attendance_open": lifecycle.attendance_open(workshop),
        },
    )


def _checked_in(request, workshop, registration) -> str:
    """The success message; the check-in page names the person last checked in."""
    request.session[_last_checkin_key(workshop)] = registration.pk
    return _("%(name)s is checked in.") % {"name": registration.full_name}


def _check_in_undone(request, workshop, registration) -> str:
    request.session.pop(_last_checkin_key(workshop), None)
    return _("Check-in of %(name)s undone; the place is kept.") % {"name": registration.full_name}


@coordinator_only
@require_POST
def checkin_person(request, slug, pk):
    """One action per person: ``action=in`` checks in, ``action=undo`` takes it back."""
    workshop = selectors.managed_workshop(slug)
    action = request.POST.get("action")
    if action not in ("in", "undo"):
        messages.error(request, _("Unknown action; nothing has been changed."))
        return _back_to_checkin(workshop)
    if action == "in":
        service, done = lifecycle.check_in, _checked_in
    else:
        service, done = lifecycle.undo_check_in, _check_in_undone
    return run_service(
        request,
        lambda: service(workshop=workshop, registration_id=pk, by=request.user),
        success=lambda registration: done(request, workshop, registration),
        redirect_to=_back_to_checkin(workshop),
    )


@coordinator_only
@require_POST
def checkin_code(request, slug):
    """The scan field: a hand scanner (or a person) types the code of a QR code and Enter."""
    workshop = selectors.managed_workshop(slug)
    form = CheckinCodeForm(request.POST, workshop=workshop)
    if not form.is_valid():
        # The list again, the error at the scan field (nothing was written).
        registrations = selectors.checkin_registrations(workshop)
        return _checkin_page(request, workshop, registrations, scan=form)
    return run_service(
        request,
        lambda: lifecycle.check_in(
            workshop=workshop, registration_id=form.registration.pk, by=request.user
        ),
        success=lambda registration: _checked_in(request, workshop, registration),
        redirect_to=_back_to_checkin(workshop),
    )


@require_GET
def checkin_scan(request, token):
    """What a phone camera opens from the QR code. A coordinator sees the person and checks
    them in with one button (a POST: opening a link never changes anything); everybody else
    is told what the code is for and sees nothing of the person."""
    # Named ``token`` in the URL so that the answer is never stored (regiolab.security).
    parsed = checkin_codes.parse(token)
    workshop = selectors.workshop_by_id(parsed.workshop_id) if parsed else None
    registration = (
        checkin_codes.find_registration(parsed, workshop_id=workshop.pk) if workshop else None
    )
    if registration is None:
        return render(request, "workshops/checkin_scan_invalid.html", status=404)
    if not request.user.has_perm(MANAGE_PERMISSION):
        return render(request, "workshops/checkin_scan_public.html")
    return render(
        request,
        "workshops/manage/checkin_scan.html",
        {
            "workshop": workshop,
            "registration": registration,
            "code": checkin_codes.checkin_code(registration),
            "attendance_open": lifecycle.attendance_open(workshop),
        },
    )


@coordinator_only
@require_GET
def signature_sheet(request, slug):
    workshop = selectors.managed_workshop(slug)
    registrations = selectors.signature_sheet_registrations(workshop)
    content = pdfs.signature_sheet_pdf(workshop, registrations, language=request.LANGUAGE_CODE)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="{pdfs.signature_sheet_filename(workshop)}"'
    )
    return response


@coordinator_only
@require_POST
def send_certificates(request, slug):
    workshop = selectors.managed_workshop(slug)
    if not lifecycle.certificates_open(workshop):
        messages.error(request, _("Certificates can be sent once the workshop has ended."))
        return _participants(workshop)
    # Enqueued after commit; the task takes the id and sends each certificate once. With the
    # broker down the error is logged and the page still answers (robust): a later click sends.
    transaction.on_commit(lambda: send_certificates_task.delay(workshop.pk), robust=True)
    messages.success(
        request,
        _("The certificates are being sent to everybody who attended and has not received one."),
    )
    return _participants(workshop)
