"""Who the client is, behind as many proxies as TRUSTED_PROXY_COUNT says.

Every proxy in front of the portal appends the address it was reached from to
X-Forwarded-For; whatever a client wrote there itself comes first. So behind N
trusted proxies the client is the Nth address from the right, and with none the
header is the client's own word and is ignored. The API's throttles, django-axes
and the request log all ask `client_ip()`.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the one the outermost trusted proxy saw."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count < 1:
        return remote
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    forwarded = [address.strip() for address in header.split(",") if address.strip()]
    if not forwarded:
        return remote
    address = forwarded[-min(count, len(forwarded))]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:  # a proxy passed on garbage: better the proxy than a lie
        return remote
