"""Pages of the homework: a cycle's tasks, a task with the participant's answer or (for
coordinators) who answered, returning an answer, the attachments' download, and the
organisations' own cycle reports with the page that reads them.

Outsiders (a participant of another programme, a funder) get 404 from the scoped selectors;
participants on a coordinators' page 403."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from regiolab import uploads
from regiolab.views_helpers import run_service, service_errors_on

from ..models import ReportItem, TaskSubmission
from . import selectors, services
from .forms import ReportForm, ReturnForm, SubmissionForm, TaskForm

MANAGE = "learning.manage_programme"


def _tasks_url(cycle) -> str:
    return reverse("learning:tasks", args=[cycle.programme.slug, cycle.number])


def _task_url(task) -> str:
    return services.task_url(task)


def _require_manage(request) -> None:
    if not request.user.has_perm(MANAGE):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def task_list(request, slug: str, number: int):
    cycle = selectors.visible_cycle(request.user, slug, number)
    can_manage = request.user.has_perm(MANAGE)
    person = None if can_manage else selectors.person_of(request.user, cycle.programme)
    form = TaskForm(cycle=cycle) if can_manage else None
    if request.method == "POST":
        _require_manage(request)
        form = TaskForm(request.POST, cycle=cycle)
        if form.is_valid():
            with service_errors_on(form):
                task = services.create_task(
                    cycle=cycle, created_by=request.user, **form.cleaned_data
                )
                messages.success(
                    request, _("The task “%(title)s” was added.") % {"title": task.title}
                )
                return redirect(_tasks_url(cycle))
    tasks = list(selectors.tasks_of_cycle(cycle, person=person))
    for task in tasks:
        task.cycle = cycle
        task.own_submission = task.own[0] if person is not None and task.own else None
    return render(
        request,
        "learning/homework/task_list.html",
        {
            "cycle": cycle,
            "programme": cycle.programme,
            "tasks": tasks,
            "form": form,
            "can_manage": can_manage,
            "expected": selectors.expected_answers(cycle) if can_manage else {},
            "closed": cycle.programme.is_closed,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@uploads.accepts_uploads_up_to(uploads.attachment_max_bytes)
def task_detail(request, slug: str, number: int, pk: int):
    cycle = selectors.visible_cycle(request.user, slug, number)
    task = selectors.task_of_cycle(cycle, pk)
    if request.user.has_perm(MANAGE):
        if request.method == "POST":
            raise PermissionDenied  # coordinators do not answer tasks
        return render(
            request,
            "learning/homework/task_manage.html",
            {
                "cycle": cycle,
                "programme": cycle.programme,
                "task": task,
                "rows": selectors.task_overview(task),
            },
        )
    person = selectors.person_of(request.user, cycle.programme)
    if person is None:
        raise Http404
    submission = selectors.own_submission(task, person)
    is_open = services.submission_is_open(submission, task)
    initial = {"text": submission.text} if submission else {}
    form = SubmissionForm(initial=initial)
    if request.method == "POST":
        form = SubmissionForm(request.POST, request.FILES, initial=initial)
        if form.is_valid():
            submit = request.POST.get("action") == "submit"
            with service_errors_on(form):
                saved = services.save_submission(
                    task=task,
                    organisation=person.organisation,
                    user=request.user,
                    text=form.cleaned_data["text"],
                    submit=submit,
                    attachment=form.cleaned_data["attachment"],
                )
                if saved.status == TaskSubmission.Status.SUBMITTED:
                    messages.success(request, _("Your answer is submitted."))
                else:
                    messages.success(request, _("Your draft is saved; it is not submitted yet."))
                return redirect(_task_url(task))
    return render(
        request,
        "learning/homework/task_detail.html",
        {
            "cycle": cycle,
            "programme": cycle.programme,
            "task": task,
            "person": person,
            "submission": submission,
            "form": form,
            "is_open": is_open,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def task_edit(request, slug: str, number: int, pk: int):
    cycle = selectors.visible_cycle(request.user, slug, number)
    task = selectors.task_of_cycle(cycle, pk)
    _require_manage(request)
    form = TaskForm(request.POST or None, instance=task, cycle=cycle)
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            services.update_task(task=task, **form.cleaned_data)
            messages.success(request, _("The task “%(title)s” was saved.") % {"title": task.title})
            return redirect(_tasks_url(cycle))
    return render(
        request,
        "learning/homework/task_form.html",
        {"cycle": cycle, "programme": cycle.programme, "task": task, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def task_delete(request, slug: str, number: int, pk: int):
    cycle = selectors.visible_cycle(request.user, slug, number)
    task = selectors.task_of_cycle(cycle, pk)
    _require_manage(request)
    back = _tasks_url(cycle)
    if request.method == "POST":
        return run_service(
            request,
            lambda: services.delete_task(task=task),
            success=_("The task “%(title)s” was deleted.") % {"title": task.title},
            redirect_to=back,
        )
    answers = task.submissions.count()
    files = task.submissions.filter(attachments__isnull=False).values("attachments").count()
    effects = [
        _("The task “%(title)s” is deleted.") % {"title": task.title},
        _("%(answers)s answers with %(files)s attached files are deleted with it.")
        % {"answers": answers, "files": files},
    ]
    return render(
        request,
        "learning/homework/task_delete.html",
        {
            "cycle": cycle,
            "programme": cycle.programme,
            "task": task,
            "effects": effects,
            "back_url": back,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def submission_detail(request, slug: str, number: int, pk: int, submission_pk: int):
    """A coordinator reads an answer and may return it with feedback."""
    cycle = selectors.visible_cycle(request.user, slug, number)
    task = selectors.task_of_cycle(cycle, pk)
    _require_manage(request)
    submission = selectors.submission_of_task(task, submission_pk)
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            services.return_submission(
                submission=submission,
                feedback=form.cleaned_data["feedback"],
                returned_by=request.user,
            )
            messages.success(
                request,
                _("The answer of %(who)s was returned for revision; they were told by e-mail.")
                % {"who": submission.person or submission.organisation},
            )
            return redirect(_task_url(task))
    return render(
        request,
        "learning/homework/submission_detail.html",
        {
            "cycle": cycle,
            "programme": cycle.programme,
            "task": task,
            "submission": submission,
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET"])
def attachment_download(request, pk: int):
    """An attachment, only for coordinators and the answer's own people (never a media URL)."""
    attachment = selectors.visible_attachment(request.user, pk)
    try:
        file = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        file,
        # The type the content check found, never the uploader's claim.
        content_type=attachment.content_type or "application/octet-stream",
        as_attachment=True,
        filename=attachment.name,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def attachment_delete(request, pk: int):
    attachment = selectors.visible_attachment(request.user, pk)
    submission = attachment.submission
    task = submission.task
    if request.user.has_perm(MANAGE):
        raise PermissionDenied  # coordinators read answers; their people change them
    back = _task_url(task)
    if request.method == "POST":
        return run_service(
            request,
            lambda: services.remove_attachment(attachment=attachment, user=request.user),
            success=_("The file “%(name)s” was removed.") % {"name": attachment.name},
            redirect_to=back,
        )
    return render(
        request,
        "learning/homework/attachment_delete.html",
        {
            "attachment": attachment,
            "task": task,
            "programme": task.cycle.programme,
            "effects": [
                _("The file “%(name)s” is removed from your answer to “%(task)s”.")
                % {"name": attachment.name, "task": task.title}
            ],
            "back_url": back,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def own_report(request, slug: str, number: int):
    """The organisation's own report of the cycle: four sections of items, draft or submit."""
    cycle = selectors.visible_cycle(request.user, slug, number)
    reports_url = reverse("learning:cycle_reports", args=[slug, number])
    if request.user.has_perm(MANAGE):
        if request.method == "POST":
            raise PermissionDenied  # the organisations write their reports
        return redirect(reports_url)
    person = selectors.person_of(request.user, cycle.programme)
    if person is None:
        raise Http404
    organisation = person.organisation
    report = selectors.own_report(cycle, organisation)
    if report is not None:
        _group_sections(report)
    findings = list(services.earlier_findings(organisation=organisation, cycle=cycle))
    form = ReportForm(report=report, findings=findings)
    if request.method == "POST":
        form = ReportForm(request.POST, report=report, findings=findings)
        if form.is_valid():
            submit = request.POST.get("action") == "submit"
            with service_errors_on(form):
                saved = services.save_report(
                    cycle=cycle,
                    organisation=organisation,
                    user=request.user,
                    items=form.item_inputs(),
                    submit=submit,
                )
                if saved.status == saved.Status.SUBMITTED:
                    messages.success(
                        request,
                        _(
                            "Your report is submitted; you can change it until the learning "
                            "workshop starts."
                        ),
                    )
                else:
                    messages.success(request, _("Your draft is saved; it is not submitted yet."))
                return redirect(reverse("learning:own_report", args=[slug, number]))
    return render(
        request,
        "learning/homework/report_form.html",
        {
            "cycle": cycle,
            "programme": cycle.programme,
            "organisation": organisation,
            "report": report,
            "form": form,
            "is_open": services.report_is_open(cycle),
            "finding_sections": services.FINDING_SECTIONS,
        },
    )


def _group_sections(report) -> None:
    """``report.sections``: (label, items) for each of the four sections, in their order."""
    items = list(report.items.all())
    report.sections = [
        (label, [item for item in items if item.section == section])
        for section, label in ReportItem.Section.choices
    ]


@login_required
@require_http_methods(["GET"])
def cycle_reports(request, slug: str, number: int):
    """The cycle's reports the person may read, each with its four sections."""
    cycle = selectors.visible_cycle(request.user, slug, number)
    can_manage = request.user.has_perm(MANAGE)
    person = None if can_manage else selectors.person_of(request.user, cycle.programme)
    reports = list(selectors.reports_visible_to(request.user, cycle, person=person))
    for report in reports:
        _group_sections(report)
    missing = list(selectors.organisations_without_report(cycle)) if can_manage else []
    return render(
        request,
        "learning/homework/cycle_reports.html",
        {
            "cycle": cycle,
            "programme": cycle.programme,
            "reports": reports,
            "person": person,
            "can_manage": can_manage,
            "missing": missing,
        },
    )
