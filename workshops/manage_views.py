"""Coordinator workshop pages. Placeholder views; replaced by the workshop implementation."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


manage_list = workshop_create = workshop_edit = workshop_publish = workshop_cancel = _todo
participants = participants_export = promote = checkin = signature_sheet = _todo
send_certificates = _todo
