"""Unsubscribing from invitations by the link in the e-mail or the mail program's one-click
button (RFC 8058): no login, GET only asks, POST records."""

from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import mail


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
