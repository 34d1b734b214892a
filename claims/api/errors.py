"""One JSON shape for every API error, mapped in one place.

Every error the API answers looks like this::

    {"error": {"status": 400, "code": "invalid", "message": "Invalid input.",
               "fields": {"status": ["Select a valid choice. ..."]}}}

`code` is a stable machine-readable word (invalid, parse_error,
not_authenticated, authentication_failed, permission_denied, not_found,
method_not_allowed, not_acceptable, unsupported_media_type, throttled,
precondition_failed). `fields` maps each offending input (a query parameter, a
body field, `body` for an unparsable body) to its messages, and is empty when no
single input is to blame. Django's ValidationError and PermissionDenied, which
the services raise, become 400 and 403 here and nowhere else; so does a request
Django refuses to read (a body over DATA_UPLOAD_MAX_MEMORY_SIZE, too many
fields), which would otherwise get Django's HTML 400.
"""

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from claims.api.renderers import JSONRenderer

NON_FIELD_KEYS = frozenset({"non_field_errors", "__all__"})
UNREADABLE_REQUEST = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)


class NotModified(exceptions.APIException):
    """The client's copy is current: answered with an empty 304."""

    status_code = status.HTTP_304_NOT_MODIFIED
    default_detail = "Not modified."
    default_code = "not_modified"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "A precondition (If-Match, If-Unmodified-Since) failed."
    default_code = "precondition_failed"


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's EXCEPTION_HANDLER: every known error in the portal's error shape."""
    if isinstance(exc, NotModified):
        return Response(status=exc.status_code)
    exc = _as_api_exception(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # A bug: let Django log it and answer 500.
    response.data = {"error": error_body(exc, response.status_code)}
    # An error is JSON even when the client asked for CSV or BibTeX.
    request = context["request"]
    request.accepted_renderer = JSONRenderer()
    request.accepted_media_type = JSONRenderer.media_type
    return response


def _as_api_exception(exc: Exception) -> Exception:
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        return exceptions.ValidationError(detail)
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(*exc.args)
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, UNREADABLE_REQUEST):
        # Logged where Django logs it when it answers such a request itself.
        logging.getLogger(f"django.security.{type(exc).__name__}").error(exc)
        return exceptions.ParseError(str(exc))
    return exc


def error_body(exc: exceptions.APIException, status_code: int) -> dict[str, Any]:
    """The `error` object for one exception."""
    fields: dict[str, list[str]] = {}
    general: list[str] = []
    if isinstance(exc, exceptions.ValidationError):
        _collect(exc.detail, "", fields, general)
        message = " ".join(general) or "Invalid input."
    else:
        message = str(exc.detail)
        if isinstance(exc, exceptions.ParseError):
            fields["body"] = [message]
    return {
        "status": status_code,
        "code": _code(exc),
        "message": message,
        "fields": fields,
    }


def _code(exc: exceptions.APIException) -> str:
    if isinstance(exc, exceptions.ValidationError):
        return "invalid"
    codes = exc.get_codes()
    return codes if isinstance(codes, str) else exc.default_code


def _collect(detail: Any, prefix: str, fields: dict, general: list) -> None:
    """Flatten DRF's nested error detail into {"a.b": [messages]}."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            if key in NON_FIELD_KEYS:
                name = prefix
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
            _collect(value, name, fields, general)
    elif isinstance(detail, list) and any(isinstance(d, dict | list) for d in detail):
        for index, value in enumerate(detail):
            name = f"{prefix}.{index}" if prefix else str(index)
            _collect(value, name, fields, general)
    else:
        messages = [str(m) for m in (detail if isinstance(detail, list) else [detail])]
        if prefix:
            fields.setdefault(prefix, []).extend(messages)
        else:
            general.extend(messages)
