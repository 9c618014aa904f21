"""The workshops' calendar files: one workshop's event and the feed of all published ones."""

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from .. import selectors
from . import services as calendar

ICS_CONTENT_TYPE = "text/calendar; charset=utf-8"


def _ics_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=ICS_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def workshop_ics(request, slug):
    workshop = selectors.workshop_calendar_visible_to(request.user, slug)
    return _ics_response(calendar.workshop_ics(workshop), calendar.ics_filename(workshop))


@require_GET
def calendar_feed(request):
    workshops = selectors.calendar_feed_workshops()
    content = calendar.workshops_feed_ics(workshops, name=str(_("regioLab workshops")))
    return _ics_response(content, "regiolab-workshops.ics")
