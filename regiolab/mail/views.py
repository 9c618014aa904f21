"""Coordinators' page of e-mails that failed for good, sending them again; and unsubscribing
from invitations by the link in the e-mail or the mail program's one-click button (RFC 8058):
no login, GET only asks, POST records."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from regiolab.permissions import login_and_permission_required

from . import services as mail

# Rows shown per kind of e-mail; the count above the table says if there are more.
SHOWN = 200


@login_and_permission_required("outbox.view_failed_mail")
@require_GET
def failed_list(request):
    return render(
        request,
        "mail/failed_list.html",
        {"rows": mail.failed_mail(limit=SHOWN), "count": mail.failed_mail_count()},
    )


@login_and_permission_required("outbox.resend_failed_mail")
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


# CSRF-exempt: mail programs POST "List-Unsubscribe=One-Click" without cookies or a form token.
# The signed token in the address is what authorises the request, like a CSRF token would.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token: str):
    email = mail.address_of_token(token)
    if email is None:
        return render(
            request,
            "mail/unsubscribe_invalid.html",
            {"office_email": mail.office_address()},
            status=404,
        )
    if request.method == "POST":
        mail.opt_out(email=email)
        return render(
            request,
            "mail/unsubscribe_done.html",
            {"email": email, "office_email": mail.office_address()},
        )
    # GET changes nothing: mail scanners open links before the person does.
    return render(
        request,
        "mail/unsubscribe_confirm.html",
        {"email": email, "already": bool(mail.opted_out([email]))},
    )
