"""Registering for a workshop (alone or with colleagues), the result page, cancelling by the
e-mailed link and a company's registrations."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from companies.selectors import membership_of
from regiolab.forms import add_service_errors
from regiolab.permissions import is_funder
from regiolab.views_helpers import run_service, service_errors_on

from .. import selectors
from ..models import Registration
from ..rules import is_coordinator
from . import services
from .forms import ColleagueFormSet, ColleagueOptionsForm, RegistrationForm

PAGE_SIZE = 20
# The result page after registering: ?done=1&result=<signed registration ids>.
RESULT_PARAMETER = "result"
RESULT_MAX_AGE = 60 * 60  # seconds; the page is shown right after the registration


def _result_salt(request, workshop) -> str:
    # The browser's CSRF secret (a cookie nobody else has) is part of the signature: the result
    # address works only in the browser that registered, like the session that held it before.
    secret = request.META.get("CSRF_COOKIE")
    if secret is None:
        get_token(request)  # a browser without one gets it with this response
        secret = request.META["CSRF_COOKIE"]
    return f"workshops.register.done:{workshop.pk}:{secret}"


def _result_url(request, workshop, registrations) -> str:
    """The result page's address: the new registrations in a signed parameter.

    Not in the session: most people registering have none yet, and creating one costs a query
    for a free key, an INSERT in a transaction of its own and a cache write — in a rush for a
    popular workshop the largest cost after the registration itself.
    """
    token = signing.dumps([r.pk for r in registrations], salt=_result_salt(request, workshop))
    query = urlencode({"done": 1, RESULT_PARAMETER: token})
    return reverse("workshops:register", args=[workshop.slug]) + "?" + query


def _result_pks(request, workshop) -> list[int]:
    try:
        pks = signing.loads(
            request.GET.get(RESULT_PARAMETER, ""),
            salt=_result_salt(request, workshop),
            max_age=RESULT_MAX_AGE,
        )
    except signing.BadSignature:  # also expired
        return []
    return [pk for pk in pks if isinstance(pk, int)] if isinstance(pks, list) else []


def _registration_done(request, workshop):
    pks = _result_pks(request, workshop)
    registrations = [r for r in selectors.registrations_by_pks(pks) if r.workshop_id == workshop.pk]
    if not registrations:
        return redirect("workshops:register", slug=workshop.slug)
    positions = selectors.waitlist_positions(workshop.pk)
    for registration in registrations:
        registration.position = positions.get(registration.pk)
    response = render(
        request,
        "workshops/register_done.html",
        {"workshop": workshop, "registrations": registrations},
    )
    # Names and e-mail addresses, reached by a signed link: never kept by a cache.
    add_never_cache_headers(response)
    return response


@require_http_methods(["GET", "POST"])
def register(request, slug):
    workshop = selectors.workshop_visible_to(request.user, slug, with_related=False)
    if request.GET.get("done"):
        return _registration_done(request, workshop)
    closed_reason = services.registration_open_error(workshop)
    if closed_reason:
        return render(
            request,
            "workshops/register_closed.html",
            {"workshop": workshop, "closed_reason": closed_reason},
        )
    membership = membership_of(request.user)
    company = membership.company if membership else None
    if company is not None and (
        request.GET.get("colleagues") or "colleagues-TOTAL_FORMS" in request.POST
    ):
        return _register_colleagues(request, workshop, company)

    initial = {"language": request.LANGUAGE_CODE if request.LANGUAGE_CODE in ("de", "en") else "de"}
    if request.user.is_authenticated:
        initial |= {
            "first_name": request.user.first_name,
            "last_name": request.user.last_name,
            "email": request.user.email,
        }
    form = RegistrationForm(request.POST or None, company=company, initial=initial)
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            registration = services.register_participant(
                workshop=workshop,
                registered_by=request.user if request.user.is_authenticated else None,
                **form.service_kwargs(),
            )
            return redirect(_result_url(request, workshop, [registration]))
    return render(
        request,
        "workshops/register.html",
        {"workshop": workshop, "form": form, "company": company},
    )


def _register_colleagues(request, workshop, company):
    data = request.POST if request.method == "POST" else None
    formset = ColleagueFormSet(data, prefix="colleagues")
    options = ColleagueOptionsForm(
        data, initial={"language": request.LANGUAGE_CODE}, prefix="options"
    )
    if request.method == "POST" and formset.is_valid() and options.is_valid():
        rows = [form for form in formset.forms if form.cleaned_data]
        people = [
            services.Participant(
                form.cleaned_data["first_name"],
                form.cleaned_data["last_name"],
                form.cleaned_data["email"],
            )
            for form in rows
        ]
        try:
            registrations = services.register_participants(
                workshop=workshop,
                participants=people,
                company=company,
                registered_by=request.user,
                **options.service_options(),
            )
        except services.BulkRegistrationError as exc:
            for index, error in exc.row_errors.items():
                add_service_errors(rows[index], error)
            options.add_error(None, exc.messages)
        except ValidationError as exc:
            options.add_error(None, exc.messages)
        else:
            return redirect(_result_url(request, workshop, registrations))
    return render(
        request,
        "workshops/register_colleagues.html",
        {"workshop": workshop, "formset": formset, "options": options, "company": company},
    )


@require_http_methods(["GET", "POST"])
def cancel_by_token(request, token):
    registration = selectors.registration_by_token(token)
    if request.method == "POST" and registration.status != Registration.Status.CANCELLED:
        return run_service(
            request,
            lambda: services.cancel_registration(registration=registration),
            success=_("Your registration has been cancelled."),
            redirect_to=redirect("registrations:cancel", token=token),
        )
    return render(
        request,
        "workshops/cancel_registration.html",
        {"registration": registration, "workshop": registration.workshop},
    )


@login_required
@require_http_methods(["GET", "POST"])
def company_registrations(request):
    if is_coordinator(request.user):
        return redirect("workshops:manage_list")
    if is_funder(request.user):  # funders never belong to a company
        raise PermissionDenied
    membership = membership_of(request.user)
    if membership is None:
        return render(request, "workshops/company_registrations_no_company.html")
    if not request.user.has_perm("workshops.view_company_registrations"):
        raise PermissionDenied
    registrations = selectors.registrations_of_company(membership.company)
    if request.method == "POST":
        pk = request.POST.get("registration", "")
        if not pk.isdigit():
            raise Http404
        # Scoped lookup: another company's registration is simply not found.
        registration = get_object_or_404(registrations, pk=int(pk))
        if not request.user.has_perm("workshops.cancel_registration", registration):
            raise PermissionDenied
        return run_service(
            request,
            lambda: services.cancel_registration(registration=registration),
            success=_("The registration of %(name)s has been cancelled.")
            % {"name": registration.full_name},
            redirect_to="registrations:company",
        )
    page_obj = Paginator(registrations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "workshops/company_registrations.html",
        {
            "company": membership.company,
            "page_obj": page_obj,
            "registrations": page_obj.object_list,
        },
    )
