"""Middleware of the project itself (not the domain)."""

import logging
import time

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse

from portal.health import healthz, readyz
from portal.proxies import client_ip

logger = logging.getLogger(__name__)
request_log = logging.getLogger("portal.requests")
PROBES = {"/healthz": healthz, "/readyz": readyz}


class HealthCheckMiddleware:
    """Answer /healthz and /readyz before the host check and the HTTPS redirect.

    They say only whether the process serves and which of its services answer,
    so they are safe for any Host header, and an orchestrator probes them over
    plain HTTP on the container's own address.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        probe = PROBES.get(request.path)
        return probe(request) if probe else self.get_response(request)


class RequestLogMiddleware:
    """One line per request, naming the client as portal.proxies sees it.

    gunicorn's own access log can only name the proxy in front of it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        response = self.get_response(request)
        address = client_ip(request)
        duration_ms = round((time.monotonic() - started) * 1000, 1)
        request_log.info(
            "%s %s %s %s %s ms",
            address,
            request.method,
            request.path,
            response.status_code,
            duration_ms,
            extra={
                "client_ip": address,
                "status": response.status_code,
                "duration_ms": duration_ms,
            },
        )
        return response


class DatabaseUnavailableMiddleware:
    """Answer 503 (never a traceback) when the database connection fails.

    Django drops a broken connection at the end of the request
    (CONN_HEALTH_CHECKS), so the next request reconnects.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("Database unavailable: %s", exception)
        message = "The database is unavailable; please try again shortly."
        if request.path.startswith("/api/"):
            body = {"error": {"status": 503, "code": "unavailable", "message": message}}
            response = JsonResponse(body, status=503)
        else:
            response = HttpResponse(message, status=503, content_type="text/plain")
        response["Retry-After"] = "30"
        return response
