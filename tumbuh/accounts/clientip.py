"""Where a login attempt came from, for the throttle: django-axes asks django-ipware, and these
are the settings that tell ipware which address to believe (docs/deployment.md, "Behind a
reverse proxy").

Pure Python: ``tumbuh/settings.py`` imports it before Django is set up.
"""

from __future__ import annotations

#: Headers a proxy appends to (``client, proxy1, …``); any other header holds one address.
CHAIN_HEADERS = {"X-FORWARDED-FOR", "FORWARDED"}


def ipware_settings(header: str, trusted_proxies: int) -> tuple[tuple[str, ...], int | None]:
    """``(AXES_IPWARE_META_PRECEDENCE_ORDER, AXES_IPWARE_PROXY_COUNT)`` for ``trusted_proxies``
    reverse proxies in front of Tumbuh, the nearest of which sets ``header``.

    With none, only the connection's own address counts: a header a client made up is never
    read. With proxies, only the header counts, not REMOTE_ADDR as a fallback: ipware prefers a
    public address to a private one, so a proxy with a public address would otherwise stand
    in for every intranet client. In an ``X-Forwarded-For`` chain each proxy appends the
    address it was reached from, and the nearest proxy is REMOTE_ADDR, not in the chain: the
    client is the ``trusted_proxies``-th entry from the right, and whatever a client wrote
    to the left of it is ignored. ipware counts the proxies listed in the chain, hence one
    fewer. Run with ``IPWARE_STRICT = False``, so that a chain longer than the proxies (a
    client's own entries in front) is read from the right instead of discarded."""
    if trusted_proxies < 0:
        raise ValueError("TUMBUH_TRUSTED_PROXY_COUNT must be 0 or more")
    if trusted_proxies == 0:
        return ("REMOTE_ADDR",), None
    name = header.strip().upper()
    if not name:
        raise ValueError("TUMBUH_CLIENT_IP_HEADER is empty")
    meta_key = "HTTP_" + name.replace("-", "_")
    return (meta_key,), (trusted_proxies - 1 if name in CHAIN_HEADERS else 0)
