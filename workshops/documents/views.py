"""The attendee's certificate download; the registration's secret token identifies them."""

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET

from ..lifecycle import selectors as manage_selectors
from ..lifecycle import services as lifecycle
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
