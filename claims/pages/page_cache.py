"""Reader's pages served from the cache while the data they show is unchanged."""

import hashlib
from collections.abc import Callable
from functools import wraps

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from claims.freshness import data_version

# A cached page is never stale (its key holds the data version); this only lets
# the pages of past versions go.
PAGE_CACHE_SECONDS = 3600


def cached_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Cache a page's HTML under the data version, the URL and the host.

    Any change to a review, topic, claim, evidence record or paper changes the
    data version, so the next request renders afresh. The pages show the same
    to every reader, and carry no form token, so one copy serves all.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        parts = (
            data_version().token,
            request.build_absolute_uri(request.get_full_path()),
        )
        key = "page:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()
        html = cache.get(key)
        if html is not None:
            return HttpResponse(html)
        response = view(request, *args, **kwargs)
        if response.status_code == 200:
            cache.set(key, response.content, PAGE_CACHE_SECONDS)
        return response

    return wrapper
