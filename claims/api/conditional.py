"""Conditional GET for the API: claims.freshness's validators on every read.

Every read carries an ETag of its data version, URL, format and reader (drafts
are visible to their curator, so two readers may be shown different answers)
and a Last-Modified of the last change; a client sending either back gets an
empty 304 until something changes.
"""

from http import HTTPStatus

from django.utils.cache import patch_vary_headers

from claims.api.errors import NotModified, PreconditionFailed
from claims.freshness import (
    DataVersion,
    Validators,
    conditional_status,
    data_version,
    validators_for,
)

# What an API answer depends on besides its URL: the format asked and the reader.
VARY = ("Accept", "Authorization", "Cookie")


class ConditionalGetMixin:
    """ETag and Last-Modified on reads; 304 when the client's copy is current."""

    validators: Validators | None = None
    version: DataVersion | None = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.validators = None
        if request.method not in ("GET", "HEAD"):
            return
        self.version = data_version()
        user = request.user.pk if request.user.is_authenticated else ""
        self.validators = validators_for(
            self.version,
            url=request.get_full_path(),
            media_type=request.accepted_media_type,
            reader=str(user),
        )
        status = conditional_status(request, self.validators)
        if status == HTTPStatus.NOT_MODIFIED:
            raise NotModified()
        if status == HTTPStatus.PRECONDITION_FAILED:
            raise PreconditionFailed()

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.validators and response.status_code in (200, 304):
            self.validators.apply(response)
            patch_vary_headers(response, VARY)
        if response.status_code == 304:
            del response.headers["Content-Type"]
        return response
