"""Certificate download. Placeholder; replaced by the documents implementation."""

from django.http import Http404


def certificate(request, token):
    raise Http404
