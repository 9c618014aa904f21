"""Coordinators' page of e-mails that failed for good, and sending them again."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from . import mail
from .permissions import login_and_permission_required

# Rows shown per kind of e-mail; the count above the table says if there are more.
SHOWN = 200


@login_and_permission_required("regiolab.view_outbox")
@require_GET
def failed_list(request):
    return render(
        request,
        "mail/failed_list.html",
        {"rows": mail.failed_mail(limit=SHOWN), "count": mail.failed_mail_count()},
    )


@login_and_permission_required("regiolab.resend_mail")
@require_http_methods(["GET", "POST"])
def resend(request):
    """GET asks for confirmation, POST makes every failed e-mail pending again."""
    if request.method == "POST":
        count = mail.resend_failed_mail(by=request.user)
        if count:
            messages.success(
                request,
                ngettext(
                    "%(count)d e-mail will be sent again.",
                    "%(count)d e-mails will be sent again.",
                    count,
                )
                % {"count": count},
            )
        else:
            messages.info(request, _("No failed e-mails were left to send."))
        return redirect("mail:failed")
    return render(request, "mail/resend_confirm.html", {"count": mail.failed_mail_count()})
