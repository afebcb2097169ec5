"""The WHO growth tables for the phone's growth engine (``static/offline/growth.js``).

Served at ``/anak/kunjungan/luring/who/<hash>.json``: the hash names the content
(:func:`tumbuh.growth.webtables.content_hash`), so the file never changes under its URL and may
be cached for a year by the browser and the service worker. Public WHO reference data, nothing
about any person: no login needed, and ``tumbuh.core.middleware.NoStoreMiddleware`` leaves the
cache headers of this namespace as they are. About 15 KB gzipped.
"""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from tumbuh.growth import webtables

CACHE_FOREVER = "public, max-age=31536000, immutable"
_ACCEPTS_GZIP = re.compile(r"\bgzip\b")


def tables_url() -> str:
    """The current URL of the tables (for the offline page's HTML and its service worker)."""
    return reverse("luring:who:tables", kwargs={"digest": webtables.content_hash()})


@require_safe
def who_tables(request: HttpRequest, digest: str) -> HttpResponse:
    """The tables as JSON if ``digest`` is the current hash, else 404 (never cached)."""
    if digest != webtables.content_hash():
        missing = HttpResponse(b"Not found\n", status=404, content_type="text/plain; charset=utf-8")
        missing["Cache-Control"] = "no-store"
        return missing
    gzipped = bool(_ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")))
    response = HttpResponse(
        webtables.gzip_bytes() if gzipped else webtables.json_bytes(), content_type="application/json"
    )
    if gzipped:
        response["Content-Encoding"] = "gzip"
    response["Vary"] = "Accept-Encoding"
    response["Cache-Control"] = CACHE_FOREVER
    response["ETag"] = f'"{digest}"'
    return response
