"""``TUMBUH_CACHE_URL`` → Django's ``CACHES["default"]``.

The dashboards keep rendered pages and counts in Django's cache (``dashboards.views._cached``),
and gunicorn runs several worker processes: the cache must be shared between them, so the
default is a directory of files under ``var/`` (no extra service on a laptop), not memory.

=============================== =============================================================
``TUMBUH_CACHE_URL``            backend
=============================== =============================================================
unset or empty                  ``FileBasedCache`` in ``<TUMBUH_VAR_DIR>/cache``
``file:///srv/tumbuh/cache``    ``FileBasedCache`` in that directory
``db://`` or ``db://table``     ``DatabaseCache`` in table ``tumbuh_cache`` (or the one named);
                                ``tumbuh migrate`` creates it (``createcachetable``)
``redis://host:6379/1``         ``RedisCache`` (``rediss://`` too; needs ``pip install redis``)
``locmem://``                   ``LocMemCache``: one process only (a single-worker server)
``dummy://``                    ``DummyCache``: nothing is kept
=============================== =============================================================
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

#: Files kept before Django culls a third of them (a rendered dashboard is ~50–150 kB).
MAX_ENTRIES = 3000
DEFAULT_TABLE = "tumbuh_cache"


def parse(url: str | None, var_dir: Path) -> dict:
    """The ``CACHES["default"]`` dictionary for ``url``; ValueError for an unknown scheme."""
    url = (url or "").strip()
    options = {"MAX_ENTRIES": MAX_ENTRIES, "CULL_FREQUENCY": 3}
    if not url:
        return {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(var_dir / "cache"),
            "OPTIONS": options,
        }
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "file":
        if not parts.path:
            raise ValueError("TUMBUH_CACHE_URL=file:// needs a directory, e.g. file:///srv/tumbuh/cache")
        return {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": parts.path,
            "OPTIONS": options,
        }
    if scheme == "db":
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": (parts.netloc or parts.path.strip("/")) or DEFAULT_TABLE,
            "OPTIONS": options,
        }
    if scheme in ("redis", "rediss"):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": parts.netloc or "tumbuh"}
    if scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    raise ValueError(f"TUMBUH_CACHE_URL: unknown scheme {scheme!r} (file, db, redis, rediss, locmem, dummy)")
