"""Stakeholder groups (/policy/groups/): coordinators manage groups, members and meetings;
members of a group see their own groups and nothing of others (404)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from policy.models import GroupMeeting, GroupMember, StakeholderGroup
from regiolab.permissions import is_coordinator, login_and_permission_required
from regiolab.views_helpers import run_service, service_errors_on

from . import (
    rules,  # noqa: F401 — registers the permissions
    selectors,
    services,
)
from .forms import GroupForm, MeetingForm, MemberForm, MinutesForm, PeopleForm

coordinator_only = login_and_permission_required("policy.manage_groups")


@login_and_permission_required("policy.view_group_list")
@require_GET
def group_list(request):
    return render(
        request,
        "policy/groups/group_list.html",
        {"groups": selectors.group_list(request.user), "manage": is_coordinator(request.user)},
    )


@coordinator_only
@require_http_methods(["GET", "POST"])
def group_create(request):
    return _group_form(request, StakeholderGroup())


@coordinator_only
@require_http_methods(["GET", "POST"])
def group_edit(request, pk):
    return _group_form(request, get_object_or_404(StakeholderGroup, pk=pk))


def _group_form(request, group):
    form = GroupForm(request.POST or None, instance=group)
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            saved = services.save_group(group=form.instance, by=request.user)
            messages.success(request, _("The stakeholder group has been saved."))
            return redirect(saved)
    return render(
        request,
        "policy/groups/group_form.html",
        {"form": form, "group": group if group.pk else None},
    )


def _visible(request, pk) -> StakeholderGroup:
    try:
        return selectors.visible_group(user=request.user, pk=pk)
    except StakeholderGroup.DoesNotExist:
        raise Http404 from None


@login_required
@require_GET
def group_detail(request, pk):
    group = _visible(request, pk)
    return render(
        request,
        "policy/groups/group_detail.html",
        {
            "group": group,
            "page": selectors.group_page(group),
            "manage": is_coordinator(request.user),
        },
    )


@coordinator_only
@require_http_methods(["GET", "POST"])
def member_add(request, pk):
    group = get_object_or_404(StakeholderGroup, pk=pk)
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            member = services.add_member(
                group=group,
                company=form.cleaned_data["company"],
                category=form.cleaned_data["category"],
                emails=form.emails(),
            )
            messages.success(
                request, _("%(name)s has been added to the group.") % {"name": member.company}
            )
            return redirect(group)
    return render(request, "policy/groups/member_form.html", {"form": form, "group": group})


def _member(group, mpk) -> GroupMember:
    try:
        return selectors.member_of(group=group, pk=mpk)
    except GroupMember.DoesNotExist:
        raise Http404 from None


@coordinator_only
@require_http_methods(["GET", "POST"])
def people_add(request, pk, mpk):
    group = get_object_or_404(StakeholderGroup, pk=pk)
    member = _member(group, mpk)
    form = PeopleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            added = services.add_people(member=member, emails=form.emails())
            messages.success(request, _("People added: %(n)s.") % {"n": added})
            return redirect(group)
    return render(
        request,
        "policy/groups/people_form.html",
        {"form": form, "group": group, "member": member},
    )


@coordinator_only
@require_POST
def member_remove(request, pk, mpk):
    group = get_object_or_404(StakeholderGroup, pk=pk)
    member = _member(group, mpk)
    services.remove_member(member=member)
    messages.success(
        request, _("%(name)s has been removed from the group.") % {"name": member.company}
    )
    return redirect(group)


@coordinator_only
@require_http_methods(["GET", "POST"])
def meeting_create(request, pk):
    group = get_object_or_404(StakeholderGroup, pk=pk)
    start = services.next_meeting_start(group)
    form = MeetingForm(
        request.POST or None,
        initial={
            "title": _("Meeting of %(name)s") % {"name": group.name},
            "starts_at": start,
            "ends_at": start.replace(hour=17),
        },
    )
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            meeting = services.schedule_meeting(group=group, by=request.user, **form.cleaned_data)
            messages.success(
                request,
                _(
                    "The meeting has been created as a draft workshop. Publish it to invite "
                    "the members."
                ),
            )
            return redirect("workshops:edit", meeting.workshop.slug)
    return render(request, "policy/groups/meeting_form.html", {"form": form, "group": group})


def _meeting(group, mpk) -> GroupMeeting:
    try:
        return selectors.meeting_of(group=group, pk=mpk)
    except GroupMeeting.DoesNotExist:
        raise Http404 from None


@coordinator_only
@require_POST
def meeting_invite(request, pk, mpk):
    group = get_object_or_404(StakeholderGroup, pk=pk)
    meeting = _meeting(group, mpk)
    return run_service(
        request,
        lambda: services.invite_members(meeting=meeting, by=request.user),
        success=lambda n: _("Invitations queued: %(n)s.") % {"n": n},
        redirect_to=group,
    )


@coordinator_only
@require_http_methods(["GET", "POST"])
def meeting_minutes(request, pk, mpk):
    group = get_object_or_404(StakeholderGroup, pk=pk)
    meeting = _meeting(group, mpk)
    form = MinutesForm(
        request.POST or None,
        initial={"minutes": meeting.minutes, "decisions": meeting.decisions},
    )
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            sent = services.record_minutes(meeting=meeting, by=request.user, **form.cleaned_data)
            messages.success(
                request,
                _("The minutes have been saved and the members informed by e-mail.")
                if sent
                else _("The minutes have been saved."),
            )
            return redirect(group)
    return render(
        request,
        "policy/groups/minutes_form.html",
        {"form": form, "group": group, "meeting": meeting},
    )
