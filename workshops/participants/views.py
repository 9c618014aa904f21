"""The coordinators' actions on a workshop's participants page: add a walk-in, cancel, move,
resend the confirmation, and the bulk actions on the rows ticked. Coordinators only; each
destructive action shows its confirmation step (templates/partials/confirm.html) first."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from regiolab.permissions import login_and_permission_required
from regiolab.views_helpers import run_service, service_errors_on

from ..documents import exports
from ..lifecycle import selectors as manage_selectors
from ..lifecycle import services as lifecycle
from ..models import Registration
from ..registration import services
from . import selectors
from .forms import BulkForm, MoveForm, WalkInForm

coordinator_only = login_and_permission_required("workshops.manage_workshop")


def _back(workshop):
    return redirect("workshops:participants", slug=workshop.slug)


def _registration(workshop, pk) -> Registration:
    return get_object_or_404(
        Registration.objects.select_related("company"), workshop=workshop, pk=pk
    )


@coordinator_only
@require_http_methods(["GET", "POST"])
def walk_in(request, slug):
    workshop = manage_selectors.managed_workshop(slug)
    form = WalkInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            registration = services.add_walk_in(
                workshop=workshop, by=request.user, **form.service_kwargs()
            )
            if not registration.confirmation_sent:
                message = _("%(name)s has been added (the workshop is over: no e-mail was sent).")
            elif registration.over_capacity_at:
                message = _(
                    "%(name)s has been added over capacity and has been sent the confirmation."
                )
            else:
                message = _("%(name)s has been added and has been sent the confirmation.")
            messages.success(request, message % {"name": registration.full_name})
            return _back(workshop)
    return render(
        request,
        "workshops/manage/participant_add.html",
        {
            "workshop": workshop,
            "form": form,
            "full": workshop.seats_taken >= workshop.capacity,
            "ended": workshop.ends_at <= timezone.now(),
        },
    )


@coordinator_only
@require_http_methods(["GET", "POST"])
def cancel(request, slug, pk):
    workshop = manage_selectors.managed_workshop(slug)
    registration = _registration(workshop, pk)
    if request.method == "POST":
        return run_service(
            request,
            lambda: services.cancel_registration(registration=registration, by=request.user),
            success=lambda promoted: _cancelled_message([registration], promoted and [promoted]),
            redirect_to=_back(workshop),
        )
    preview = selectors.cancel_preview(workshop, [registration])
    return render(
        request,
        "workshops/manage/participant_cancel.html",
        {
            "workshop": workshop,
            "preview": preview,
            "registration": registration,
            "undo_minutes": services.UNDO_MINUTES,
        },
    )


def _cancelled_message(cancelled, promoted) -> str:
    parts = [
        ngettext(
            "%(count)s registration has been cancelled; the person has been told by e-mail.",
            "%(count)s registrations have been cancelled; each person has been told by e-mail.",
            len(cancelled),
        )
        % {"count": len(cancelled)}
    ]
    if promoted:
        parts.append(
            _("Moved up from the waitlist and told: %(names)s.")
            % {"names": ", ".join(r.full_name for r in promoted)}
        )
    return " ".join(parts)


@coordinator_only
@require_http_methods(["GET", "POST"])
def move(request, slug, pk):
    workshop = manage_selectors.managed_workshop(slug)
    registration = _registration(workshop, pk)
    form = MoveForm(request.POST or None, workshop=workshop)
    if request.method == "POST" and form.is_valid():
        target = form.cleaned_data["to_workshop"]
        if request.POST.get("confirmed"):
            with service_errors_on(form):
                moved = services.move_registration(
                    registration=registration, to_workshop=target, by=request.user
                )
                if moved.holds_seat:
                    message = _("%(name)s has been moved to “%(title)s” with a confirmed place.")
                else:
                    message = _("%(name)s has been moved to the waitlist of “%(title)s”.")
                messages.success(
                    request,
                    (message + " " + _("The person has been told by e-mail."))
                    % {"name": moved.full_name, "title": target.display_title},
                )
                return _back(workshop)
        else:
            preview = selectors.move_preview(workshop, registration, target)
            return render(
                request,
                "workshops/manage/participant_move_confirm.html",
                {
                    "workshop": workshop,
                    "registration": registration,
                    "target": target,
                    "effects": preview.effects,
                    "notified": preview.notified,
                    "hidden": [("to_workshop", target.pk)],
                    "movable": registration.status in services.CANCELLABLE,
                },
            )
    return render(
        request,
        "workshops/manage/participant_move.html",
        {"workshop": workshop, "registration": registration, "form": form},
    )


@coordinator_only
@require_POST
def undo_cancel(request, slug, pk):
    workshop = manage_selectors.managed_workshop(slug)
    registration = _registration(workshop, pk)
    return run_service(
        request,
        lambda: services.undo_cancellation(registration=registration, by=request.user),
        success=lambda restored: (
            _("The cancellation of %(name)s has been undone (%(status)s); they have been told.")
            % {"name": restored.full_name, "status": restored.get_status_display()}
        ),
        redirect_to=_back(workshop),
    )


@coordinator_only
@require_POST
def resend(request, slug, pk):
    workshop = manage_selectors.managed_workshop(slug)
    registration = _registration(workshop, pk)
    return run_service(
        request,
        lambda: services.resend_confirmation(registration=registration),
        success=_("The confirmation has been sent to %(name)s again.")
        % {"name": registration.full_name},
        redirect_to=_back(workshop),
    )


def _email_url(workshop) -> str | None:
    """Helper 5's compose view for the participants' e-mail, if the portal has it."""
    try:
        return reverse("workshops:participants_email", args=[workshop.slug])
    except NoReverseMatch:
        return None


@coordinator_only
@require_POST
def bulk(request, slug):
    workshop = manage_selectors.managed_workshop(slug)
    form = BulkForm(request.POST, workshop=workshop)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _back(workshop)
    action = form.cleaned_data["action"]
    selected = sorted(form.cleaned_data["registrations"], key=lambda r: (r.last_name, r.pk))
    ids = [r.pk for r in selected]
    if action in ("attended", "no_show"):
        return run_service(
            request,
            lambda: lifecycle.mark_attendance(
                workshop=workshop, marks=dict.fromkeys(ids, action), by=request.user
            ),
            success=lambda changed: _attendance_message(changed, len(ids)),
            redirect_to=_back(workshop),
        )
    if action in ("export_csv", "export_xlsx"):
        return _export(workshop, set(ids), action.removeprefix("export_"))
    if action == "email":
        url = _email_url(workshop)
        if url is None:
            messages.error(request, _("Writing to participants is not available yet."))
            return _back(workshop)
        return redirect(url + "?" + urlencode({"registrations": ids}, doseq=True))
    # cancel
    if request.POST.get("confirmed"):
        return run_service(
            request,
            lambda: services.cancel_registrations(
                workshop=workshop, registration_ids=ids, by=request.user
            ),
            success=lambda result: (
                _cancelled_message(result.cancelled, result.promoted)
                + (
                    " "
                    + _("Not cancelled (attendance recorded or already cancelled): %(names)s.")
                    % {"names": ", ".join(r.full_name for r in result.skipped)}
                    if result.skipped
                    else ""
                )
            ),
            redirect_to=_back(workshop),
        )
    return render(
        request,
        "workshops/manage/participants_bulk_cancel.html",
        {
            "workshop": workshop,
            "preview": selectors.cancel_preview(workshop, selected),
            "hidden": [("action", "cancel"), *(("registrations", pk) for pk in ids)],
            "undo_minutes": services.UNDO_MINUTES,
        },
    )


def _attendance_message(changed: int, selected: int) -> str:
    return _("Attendance saved for %(changed)s of %(selected)s selected people.") % {
        "changed": changed,
        "selected": selected,
    }


def _export(workshop, ids: set[int], fmt: str) -> HttpResponse:
    registrations = [r for r in manage_selectors.workshop_registrations(workshop) if r.pk in ids]
    if fmt == "csv":
        content, content_type = exports.participants_csv(registrations), exports.CSV_CONTENT_TYPE
    else:
        content = exports.participants_xlsx(workshop, registrations)
        content_type = exports.XLSX_CONTENT_TYPE
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(workshop, fmt)}"'
    return response
