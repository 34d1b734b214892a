"""Moved for good: a permanent redirect that keeps the request's query string."""

from django.http import HttpRequest, HttpResponsePermanentRedirect


def moved_permanently(request: HttpRequest, url: str) -> HttpResponsePermanentRedirect:
    """A 301 to url, with the query string the request came with."""
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)
