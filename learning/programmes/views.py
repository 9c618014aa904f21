"""The programme pages: the list, creating and editing a programme, its status, moving a
cycle's learning workshop, organisations and people, and the programme's space."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from regiolab.permissions import login_and_permission_required
from regiolab.views_helpers import run_service, service_errors_on

from .. import services
from ..board.selectors import findings_evolution
from ..models import ProgrammePerson
from . import selectors
from .forms import (
    ACTOR_TYPE_OF_KIND,
    MoveForm,
    OrganisationForm,
    PersonForm,
    ProgrammeCreateForm,
    ProgrammeEditForm,
    ThemeForm,
)

coordinator_only = login_and_permission_required("learning.manage_programme")


def _space(programme):
    return redirect("learning:programme", slug=programme.slug)


@require_GET
def programme_list(request):
    if request.user.is_authenticated:
        # An account made after its address was added to a programme gets linked here.
        services.link_accounts(user=request.user)
    listing = selectors.programme_list(request.user)
    return render(request, "learning/programme_list.html", {"listing": listing})


@coordinator_only
@require_http_methods(["GET", "POST"])
def programme_create(request):
    form = ProgrammeCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            programme = services.create_programme(created_by=request.user, **form.service_kwargs())
            messages.success(
                request,
                _(
                    "The programme has been created with its cycles; their learning workshops "
                    "are drafts until you start the programme."
                ),
            )
            return _space(programme)
    return render(request, "learning/programme_form.html", {"form": form, "programme": None})


@coordinator_only
@require_http_methods(["GET", "POST"])
def programme_edit(request, slug):
    programme = selectors.managed_programme(slug)
    form = ProgrammeEditForm(request.POST or None, instance=programme)
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            programme = services.update_programme(
                programme=programme, by=request.user, **form.service_kwargs()
            )
            messages.success(request, _("The programme has been saved."))
            return _space(programme)
    # A refused save leaves the form's instance changed; the heading keeps the stored title.
    programme = selectors.managed_programme(slug)
    return render(request, "learning/programme_form.html", {"form": form, "programme": programme})


@coordinator_only
@require_POST
def programme_start(request, slug):
    programme = selectors.managed_programme(slug)

    def success(result):
        return ngettext(
            "The programme is running: %(published)s learning workshop has been published, "
            "%(invited)s invitation is on its way.",
            "The programme is running: %(published)s learning workshops have been published, "
            "%(invited)s invitations are on their way.",
            result.published,
        ) % {"published": result.published, "invited": result.invited}

    return run_service(
        request,
        lambda: services.start_programme(programme=programme, by=request.user),
        success=success,
        redirect_to=_space(programme),
    )


@coordinator_only
@require_http_methods(["GET", "POST"])
def programme_close(request, slug):
    programme = selectors.managed_programme(slug)
    if request.method == "POST" and request.POST.get("confirmed"):
        return run_service(
            request,
            lambda: services.close_programme(programme=programme, by=request.user),
            success=_("The programme is closed."),
            redirect_to=_space(programme),
        )
    effects = [
        _("The organisations can no longer write or submit reports and tasks."),
        _(
            "Registration through the programme's space ends; the learning workshops "
            "themselves stay as they are."
        ),
        _("Reports, tasks, results and the final report stay readable."),
    ]
    return render(
        request, "learning/programme_close.html", {"programme": programme, "effects": effects}
    )


# --- Moving a cycle's learning workshop --------------------------------------------------------


@coordinator_only
@require_http_methods(["GET", "POST"])
def cycle_workshop(request, slug, number):
    programme = selectors.managed_programme(slug)
    cycle = selectors.cycle_of(programme, number)
    workshop = cycle.workshop
    later = programme.cycles.filter(number__gt=cycle.number).exists()
    initial = {
        "starts_at": timezone.localtime(workshop.starts_at).replace(tzinfo=None),
        "ends_at": timezone.localtime(workshop.ends_at).replace(tzinfo=None),
        "shift_later": later,
    }
    form = MoveForm(request.POST or None, initial=initial)
    moves = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        arguments = {
            "cycle": cycle,
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "shift_later": data["shift_later"],
        }
        with service_errors_on(form):
            if request.POST.get("confirmed"):
                done = services.move_cycle_workshop(by=request.user, **arguments)
                messages.success(
                    request,
                    ngettext(
                        "%(count)s learning workshop has been moved.",
                        "%(count)s learning workshops have been moved.",
                        len(done),
                    )
                    % {"count": len(done)},
                )
                return _space(programme)
            moves = services.plan_move(**arguments)
    return render(
        request,
        "learning/cycle_workshop.html",
        {
            "programme": programme,
            "cycle": cycle,
            "workshop": workshop,
            "form": form,
            "moves": moves,
            "later": later,
            "theme_form": ThemeForm(initial={"theme": cycle.theme, "theme_en": cycle.theme_en}),
        },
    )


@coordinator_only
@require_POST
def cycle_theme(request, slug, number):
    programme = selectors.managed_programme(slug)
    cycle = selectors.cycle_of(programme, number)
    form = ThemeForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
        return redirect("learning:cycle_workshop", slug=programme.slug, number=cycle.number)
    return run_service(
        request,
        lambda: services.update_cycle_theme(by=request.user, cycle=cycle, **form.cleaned_data),
        success=_("The theme has been saved."),
        redirect_to=_space(programme),
    )


# --- Organisations and people ----------------------------------------------------------------


@coordinator_only
@require_http_methods(["GET", "POST"])
def organisation_add(request, slug):
    programme = selectors.managed_programme(slug)
    query = (request.GET.get("q") or "").strip()[:100]
    companies = selectors.addable_companies(programme, query)
    initial = {}
    company_id = request.GET.get("company")
    if company_id and company_id.isdigit():
        chosen = companies.filter(pk=int(company_id)).first()
        if chosen is not None:
            initial = {"company": chosen.pk, "actor_type": ACTOR_TYPE_OF_KIND.get(chosen.kind)}
    form = OrganisationForm(
        request.POST or None, initial=initial, programme=programme, companies=companies
    )
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            organisation = services.add_organisation(
                programme=programme,
                company=form.cleaned_data["company"],
                actor_type=form.cleaned_data["actor_type"],
                people=form.cleaned_data["people"],
                added_by=request.user,
            )
            messages.success(
                request,
                _("%(name)s takes part in the programme now.") % {"name": organisation.company},
            )
            return _space(programme)
    if request.method == "GET":
        # A long list would not help: the search narrows it down.
        form.fields["company"].queryset = companies[: selectors.COMPANY_CHOICES]
    return render(
        request,
        "learning/organisation_add.html",
        {"programme": programme, "form": form, "query": query},
    )


@coordinator_only
@require_http_methods(["GET", "POST"])
def organisation_remove(request, slug, pk):
    programme = selectors.managed_programme(slug)
    organisation = selectors.organisation_of(programme, pk)
    if request.method == "POST" and request.POST.get("confirmed"):
        return run_service(
            request,
            lambda: services.remove_organisation(organisation=organisation, by=request.user),
            success=_("%(name)s no longer takes part in the programme.")
            % {"name": organisation.company},
            redirect_to=_space(programme),
        )
    return render(
        request,
        "learning/organisation_remove.html",
        {
            "programme": programme,
            "organisation": organisation,
            "blockers": services.removal_blockers(organisation),
            "effects": [
                _("%(name)s and its %(count)s people leave the programme.")
                % {"name": organisation.company, "count": organisation.people.count()},
                _("Its report drafts and task drafts are deleted."),
                _("Its registrations for the learning workshops stay; cancel them there."),
            ],
        },
    )


@coordinator_only
@require_http_methods(["GET", "POST"])
def person_add(request, slug, pk):
    programme = selectors.managed_programme(slug)
    organisation = selectors.organisation_of(programme, pk)
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            person = services.add_person(
                organisation=organisation, person=form.person(), by=request.user
            )
            messages.success(
                request,
                _("%(person)s belongs to %(name)s now.")
                % {"person": person, "name": organisation.company},
            )
            return _space(programme)
    return render(
        request,
        "learning/person_add.html",
        {"programme": programme, "organisation": organisation, "form": form},
    )


@coordinator_only
@require_http_methods(["GET", "POST"])
def person_remove(request, slug, pk, person_pk):
    programme = selectors.managed_programme(slug)
    organisation = selectors.organisation_of(programme, pk)
    try:
        person = organisation.people.get(pk=person_pk)
    except ProgrammePerson.DoesNotExist:
        raise Http404 from None
    if request.method == "POST" and request.POST.get("confirmed"):
        return run_service(
            request,
            lambda: services.remove_person(person=person, by=request.user),
            success=_("%(person)s no longer belongs to %(name)s.")
            % {"person": person, "name": organisation.company},
            redirect_to=_space(programme),
        )
    return render(
        request,
        "learning/person_remove.html",
        {
            "programme": programme,
            "organisation": organisation,
            "person": person,
            "effects": [
                _("%(person)s no longer sees the programme.") % {"person": person},
                _("Invitations already sent stay valid."),
            ],
        },
    )


# --- The programme's space -------------------------------------------------------------------


@require_GET
def programme_space(request, slug):
    user = request.user
    if user.is_authenticated:
        services.link_accounts(user=user)
    try:
        programme, mode = selectors.programme_for(user, slug)
    except Http404:
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise
    now = timezone.now()
    context = {"programme": programme, "mode": mode}
    if mode == selectors.PUBLIC:
        return render(request, "learning/programme_public.html", context)
    if mode == selectors.MANAGE:
        context.update(selectors.coordinator_space(programme, now=now))
    else:
        context.update(selectors.participant_space(programme, user=user, now=now))
    context["evolution"] = findings_evolution(programme)
    return render(request, "learning/programme_space.html", context)


@require_POST
def cycle_register(request, slug, number):
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(selectors.space_path(slug))
    programme, mode = selectors.programme_for(user, slug)
    if mode == selectors.MANAGE:
        raise PermissionDenied  # coordinators register people on the workshop's pages
    if mode != selectors.PARTICIPANT:
        raise Http404
    cycle = selectors.cycle_of(programme, number)

    def success(registration):
        if registration.status == "waitlisted":
            return _("The workshop is full; you are on its waitlist and get an e-mail.")
        return _("You are registered for the learning workshop; the confirmation is on its way.")

    return run_service(
        request,
        lambda: services.register_for_cycle(cycle=cycle, user=user),
        success=success,
        redirect_to=_space(programme),
    )
