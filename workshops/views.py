"""Public workshop pages. Placeholder views; replaced by the workshop implementation."""

from django.http import Http404
from django.shortcuts import render


def workshop_list(request):
    return render(request, "workshops/workshop_list.html")


def _todo(request, *args, **kwargs):
    raise Http404


calendar_feed = workshop_detail = register = workshop_ics = _todo
company_registrations = cancel_by_token = _todo
