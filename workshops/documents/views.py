"""The person's own registration page and certificate download; the registration's secret
token identifies them."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ..lifecycle import checkin_codes
from ..lifecycle import selectors as manage_selectors
from ..lifecycle import services as lifecycle
from ..models import Registration
from . import pdfs


@require_GET
def certificate(request, token):
    registration = manage_selectors.registration_for_certificate(token)
    # Only for people who attended, once the workshop is over; otherwise nothing to see.
    if not lifecycle.certificate_available(registration):
        raise Http404
    response = HttpResponse(pdfs.certificate_pdf(registration), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="{pdfs.certificate_filename(registration)}"'
    )
    return response


@require_GET
def registration_page(request, token):
    """The person's own page behind the secret link of their e-mails: the workshop, their
    status, the QR code to show at the door, the certificate once there is one, cancelling."""
    registration = manage_selectors.registration_for_certificate(token)
    holds_seat = registration.status in Registration.SEAT_HOLDING
    return render(
        request,
        "workshops/registration_page.html",
        {
            "registration": registration,
            "workshop": registration.workshop,
            "qr_svg": checkin_codes.qr_svg(registration) if holds_seat else "",
            "checkin_code": checkin_codes.checkin_code(registration) if holds_seat else "",
            "certificate_available": lifecycle.certificate_available(registration),
            "certificates_open": lifecycle.certificates_open(registration.workshop),
        },
    )
