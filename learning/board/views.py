"""The cycle board and the findings pages (thin: a selector, a form, one service call)."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from regiolab.views_helpers import run_service, service_errors_on

from ..models import ProgrammeOrganisation
from . import selectors, services
from .filters import BoardFilter, FindingFilter
from .forms import FindingForm

FINDINGS_PER_PAGE = 50


def _programme(request, slug: str, perm: str):
    """The programme (404 for anyone outside it), then the permission (403)."""
    programme = selectors.visible_programme(user=request.user, slug=slug)
    if not request.user.has_perm(perm, programme):
        raise PermissionDenied
    return programme


def _board_key(request, actor_type: str | None, tag) -> dict | None:
    """The cache key of the board's filter and results: the valid filter values, when the query
    string says exactly these (the cached form shows them as sent). Anything else (an invalid
    value, a repeated or unknown parameter, another spelling) is answered uncached, so the
    entries are bounded by the filter's choices."""
    expected = {}
    if actor_type:
        expected["actor_type"] = actor_type
    if tag:
        expected["tag"] = str(tag.pk)
    given = {}
    for name, values in request.GET.lists():
        if len(values) > 1:
            return None
        if values[0] != "":
            given[name] = values[0]
    if given != expected:
        return None
    return {"actor_type": actor_type or "", "tag": tag.pk if tag else None}


@login_required
def cycle_board(request, slug: str, number: int):
    cycle = selectors.visible_cycle(user=request.user, slug=slug, number=number)
    programme = cycle.programme
    if not request.user.has_perm("learning.view_cycle_board", programme):
        raise PermissionDenied
    # Built when the board is filtered or its cached part is missing, not on every warm view.
    board_filter = SimpleLazyObject(
        lambda: BoardFilter(
            request.GET or None, queryset=selectors.board_items(cycle=cycle), programme=programme
        )
    )
    can_manage = request.user.has_perm("learning.manage_programme", programme)
    actor_type, tag = None, None
    if request.GET:
        actor_type, tag = board_filter.cleaned("actor_type"), board_filter.cleaned("tag")
    return render(
        request,
        "learning/board/cycle_board.html",
        {
            "programme": programme,
            "cycle": cycle,
            "workshop": cycle.workshop,
            "filter": board_filter,
            "is_filtered": bool(actor_type or tag),
            "board_key": _board_key(request, actor_type, tag),
            "today": timezone.localdate().isoformat(),
            # The reminder's service refuses then too; the page says so instead of a button.
            "reports_closed": programme.is_closed or cycle.workshop.starts_at <= timezone.now(),
            # Read on a cache miss only (the template calls or reads them).
            "sections": lambda: selectors.cycle_board(
                cycle=cycle, items=board_filter.qs, actor_type=actor_type, tag=tag
            ),
            "status": SimpleLazyObject(
                lambda: selectors.report_status(cycle=cycle, with_reminders=can_manage)
            ),
            "can_manage": can_manage,
            "finding_sections": [s.value for s in selectors.FINDING_SECTIONS],
            "board_path": quote(request.path),
        },
    )


@login_required
@require_POST
def remind(request, slug: str, number: int, organisation: int):
    programme = _programme(request, slug, "learning.manage_programme")
    cycle = selectors.cycle_of(programme=programme, number=number)
    target = get_object_or_404(
        ProgrammeOrganisation.objects.select_related("company"),
        pk=organisation,
        programme=programme,
    )
    return run_service(
        request,
        lambda: services.send_report_reminder(
            cycle=cycle, organisation=target, sent_by=request.user
        ),
        success=_("%(organisation)s was reminded of its report by e-mail.")
        % {"organisation": target.company.name},
        redirect_to=reverse("learning:cycle", args=[programme.slug, cycle.number])
        + "#missing-heading",
    )


@login_required
def findings(request, slug: str):
    programme = _programme(request, slug, "learning.manage_programme")
    finding_filter = FindingFilter(
        request.GET or None,
        queryset=selectors.findings(programme=programme),
        programme=programme,
    )
    page_obj = Paginator(finding_filter.qs, FINDINGS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "learning/board/findings.html",
        {
            "programme": programme,
            "filter": finding_filter,
            "page_obj": page_obj,
            "evolution": selectors.findings_evolution(programme),
        },
    )


def _back(request, programme) -> str:
    """Where the form returns: the board or the findings page it came from, nowhere else."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    prefix = f"/learning/{programme.slug}/"
    if target.startswith(prefix) and "//" not in target and "\\" not in target:
        return target
    return reverse("learning:findings", args=[programme.slug])


@login_required
def finding_edit(request, slug: str, pk: int):
    programme = _programme(request, slug, "learning.manage_programme")
    item = selectors.finding_of(programme=programme, pk=pk)
    form = FindingForm(request.POST if request.method == "POST" else None, item=item)
    back = _back(request, programme)
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            services.update_finding(item=item, **form.service_fields())
            messages.success(request, _("The finding was saved."))
            return redirect(back)
    return render(
        request,
        "learning/board/finding_form.html",
        {"programme": programme, "item": item, "form": form, "back": back},
    )
