"""A coordinator writes to a workshop's participants: compose, preview, send (outbox)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from regiolab.views_helpers import service_errors_kept, service_errors_on

from ..lifecycle import selectors
from ..lifecycle.views import coordinator_only
from . import services
from .forms import ParticipantMessageForm


@coordinator_only
@require_http_methods(["GET", "POST"])
def participants_email(request, slug):
    """GET or POST ``registrations`` (ids of this workshop's registrations) preselects people,
    e.g. from the participants page's bulk action; without them a group is chosen."""
    workshop = selectors.managed_workshop(slug)
    data = request.POST if request.method == "POST" else request.GET
    composing = "subject" not in data and "text" not in data
    form = ParticipantMessageForm(
        None if composing else data, initial={"group": data.get("group") or "all"}
    )
    selection, selection_errors = None, []
    raw_ids = data.getlist("registrations")
    if raw_ids:
        with service_errors_kept() as selection_errors:
            ids = services.parse_ids(raw_ids)
            selection = services.selected_registrations(workshop=workshop, ids=ids)
    context = {"workshop": workshop, "form": form, "selection": selection}
    if composing or request.POST.get("action") == "edit":
        if selection_errors:
            context["selection_errors"] = selection_errors
        return _compose(request, context)
    if selection_errors:
        form.is_valid()
        form.add_error(None, selection_errors)
        return _compose(request, context)
    if not form.is_valid():
        return _compose(request, context)
    group = form.cleaned_data["group"]
    registrations = (
        selection
        if selection is not None
        else services.group_registrations(workshop=workshop, group=group)
    )
    subject, text = form.cleaned_data["subject"], form.cleaned_data["text"]
    # A refusal of sending or planning: back to the message, with it.
    with service_errors_on(form):
        if request.POST.get("action") == "send":
            try:
                # Exactly the people the preview showed (posted back by it), whatever the group
                # holds now.
                previewed = services.parse_ids(request.POST.getlist("recipients"))
                registrations = services.selected_registrations(workshop=workshop, ids=previewed)
                message = services.send_message(
                    workshop=workshop,
                    registrations=registrations,
                    subject=subject,
                    text=text,
                    key=request.POST.get("key", ""),
                    sent_by=request.user,
                )
            except services.AlreadySent as exc:
                messages.info(request, " ".join(exc.messages))
                return redirect("workshops:participants", slug=workshop.slug)
            messages.success(
                request,
                ngettext(
                    "Your message will be sent to %(count)d person.",
                    "Your message will be sent to %(count)d people.",
                    message.recipients,
                )
                % {"count": message.recipients},
            )
            return redirect("workshops:participants", slug=workshop.slug)
        plan = services.plan_message(
            workshop=workshop, registrations=registrations, subject=subject, text=text
        )
        return render(
            request,
            "workshops/participant_mail/preview.html",
            {
                **context,
                "plan": plan,
                "group_label": None if selection is not None else services.GROUP_LABELS[group],
                "subject": subject,
                "text": text,
                "group": group,
                "registration_ids": [r.pk for r in registrations],
                "key": services.new_key(),
            },
        )
    return _compose(request, context)


def _compose(request, context):
    return render(
        request,
        "workshops/participant_mail/compose.html",
        {**context, "sent_before": services.recent_messages(context["workshop"])},
    )
