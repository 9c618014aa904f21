import logging
import secrets

from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.cache import never_cache

from .celery import app as celery_app

logger = logging.getLogger(__name__)

# Seconds the broker check may wait on each step (connect, answer).
HEALTH_TIMEOUT = 0.5


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # noqa: BLE001 — any failure means "down"
        logger.exception("Health check: database unreachable")
        return False


def _cache_ok() -> bool:
    """The cache answers what was just written to it (a failed call reads as a miss)."""
    key, value = f"health:{secrets.token_hex(8)}", secrets.token_hex(4)
    cache.set(key, value, 10)
    return cache.get(key) == value


def _broker_ok() -> bool:
    if celery_app.conf.task_always_eager:
        return True  # embedded default: tasks run in-process, no broker to reach
    try:
        # One attempt with short timeouts: /health/ answers within 2 s whatever hangs.
        with celery_app.connection_for_write(
            connect_timeout=HEALTH_TIMEOUT,
            transport_options={
                "socket_connect_timeout": HEALTH_TIMEOUT,
                "socket_timeout": HEALTH_TIMEOUT,
            },
        ) as conn:
            conn.ensure_connection(max_retries=0)
        return True
    except Exception:  # noqa: BLE001
        logger.warning("Health check: broker unreachable", exc_info=True)
        return False


@never_cache
def health(request):
    """200 when the database, the cache and the broker answer; 503 naming what does not."""
    checks = {"database": _database_ok(), "cache": _cache_ok(), "broker": _broker_ok()}
    healthy = all(checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )


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
