"""Reader's pages answered from the data version: 304s, and the versioned cache.

Every reader's page carries the validators of claims.freshness (an ETag of the
data version and the URL, a Last-Modified of the last change), answers a
client whose copy is current with a 304, and is otherwise served from the
cache while the data it shows is unchanged.
"""

from collections.abc import Callable
from functools import wraps
from http import HTTPStatus

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import render

from claims.freshness import (
    cache_key,
    cached_response,
    conditional_status,
    data_version,
    validators_for,
)
from portal.throttling import throttle_wait

PAGE_MEDIA_TYPE = "text/html"


def cached_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Answer a page's GET and HEAD from the data version: a 304 when the
    client's copy is current, else the page as cached under its validators.

    Each client's requests count against the API's rate limits first.
    Any change to a review, topic, claim, evidence record, paper or term
    changes the data version, so the next request renders afresh. The pages
    show the same to every reader (no user's name, no form token: the only
    form, search, is a GET), so the reader is not part of the ETag, one copy
    serves all, and the answer does not vary on Cookie.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        # Counted before the cache: a cached page is cheap, but not free.
        if (wait := throttle_wait(request)) is not None:
            response = render(request, "429.html", {"wait": wait}, status=429)
            response["Retry-After"] = str(wait)
            return response
        # Kept on the request for a view that states when its data last changed.
        request.data_version = data_version()  # type: ignore[attr-defined]
        validators = validators_for(
            request.data_version,  # type: ignore[attr-defined]
            url=request.get_full_path(),
            media_type=PAGE_MEDIA_TYPE,
        )
        status = conditional_status(request, validators)
        if status == HTTPStatus.NOT_MODIFIED:
            return validators.apply(HttpResponseNotModified())
        if status is not None:
            return HttpResponse(status=status)
        response = cached_response(
            cache_key(validators, request),
            lambda: _rendered(view(request, *args, **kwargs)),
        )
        if response.status_code == HTTPStatus.OK:
            validators.apply(response)
        return response

    return wrapper


def _rendered(response: HttpResponse) -> HttpResponse:
    """A template response (the sitemap's) rendered, so that it can be cached."""
    render_now = getattr(response, "render", None)
    if render_now is not None and not response.is_rendered:  # type: ignore[attr-defined]
        render_now()
    return response
