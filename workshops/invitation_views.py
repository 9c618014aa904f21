"""Invitation pages. Placeholder views; replaced by the invitation implementation."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


invitation_list = invitation_create = _todo
