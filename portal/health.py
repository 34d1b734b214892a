"""Health endpoints for load balancers and orchestrators."""

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from kombu import Connection


@never_cache
def healthz(request) -> JsonResponse:
    """The process is up and serving requests."""
    return JsonResponse({"status": "ok"})


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # any failure means not ready
        return False
    return True


def _broker_ok() -> bool:
    try:
        with Connection(
            settings.CELERY_BROKER_URL,
            transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
            connect_timeout=2,
        ) as broker:
            broker.ensure_connection(max_retries=1)
    except Exception:  # any failure means not ready
        return False
    return True


def _cache_ok() -> bool:
    # Only the shared cache (portal.cache) can be down; a process's own cannot.
    ping = getattr(cache, "ping", None)
    return ping() if ping else True


@never_cache
def readyz(request) -> JsonResponse:
    """Ready when the database and the broker answer; 503 names what is down.

    A cache that does not answer leaves the portal ready but slower (it serves
    uncached): "degraded", still 200.
    """
    checks = {"database": _database_ok(), "broker": _broker_ok(), "cache": _cache_ok()}
    ready = checks["database"] and checks["broker"]
    state = "ok" if all(checks.values()) else "degraded" if ready else "unavailable"
    return JsonResponse(
        {"status": state, "checks": checks}, status=200 if ready else 503
    )
