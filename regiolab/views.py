import logging

from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from .celery import app as celery_app

logger = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # noqa: BLE001 — any failure means "down"
        logger.exception("Health check: database unreachable")
        return False


def _broker_ok() -> bool:
    if celery_app.conf.task_always_eager:
        return True  # embedded default: tasks run in-process, no broker to reach
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:  # noqa: BLE001
        logger.exception("Health check: broker unreachable")
        return False


@never_cache
def health(request):
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    healthy = all(checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )


class HomeView(TemplateView):
    template_name = "pages/home.html"


def filtered_list_response(request, template: str, content: str) -> HttpResponse:
    """A filtered list page around its (cached) filter bar and results.

    htmx refreshes only the results (hx-select) and the live region, so it gets ``content``
    alone; a plain request or an htmx history restore gets the whole page.
    """
    htmx = request.htmx
    if htmx and not htmx.boosted and not htmx.history_restore_request:
        response = HttpResponse(content)
    else:
        response = render(request, template, {"content": content})
    patch_vary_headers(response, ["HX-Request"])
    return response
