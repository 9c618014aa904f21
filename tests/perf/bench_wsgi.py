"""The portal's WSGI application for ``make bench``, plus a bare Django view as a reference.

gunicorn serves ``tests.perf.bench_wsgi:application``: the project unchanged (same settings,
middleware and URLs) with ``/bench/bare/`` added in front, so production URLs stay clean. The
admin's company changelist shows 50 rows a page here, like the portal's company list, so the
two pages compare the same rows.
"""

import os

from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "regiolab.settings")
application = get_wsgi_application()  # sets Django up before the imports below

from django.conf import settings  # noqa: E402
from django.contrib import admin  # noqa: E402

import regiolab.urls  # noqa: E402
from companies.models import Company  # noqa: E402

BARE_PATH = "bench/bare/"
ADMIN_PER_PAGE = 50


def bare(request):
    """The smallest Django answer: full middleware stack, no query, no template."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path(BARE_PATH, bare, name="bench_bare"), *regiolab.urls.urlpatterns]

settings.ROOT_URLCONF = __name__
admin.site._registry[Company].list_per_page = ADMIN_PER_PAGE
