"""The cache is shared between processes (gunicorn runs several workers) and configured from
``TUMBUH_CACHE_URL``."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.cache import cache

from tumbuh.core import cacheurl


def _python(code: str, **env) -> str:
    """Run ``code`` in a fresh Python process with Tumbuh's settings (a second worker)."""
    full = {
        "SECRET_KEY": "test-worker-key-" + "q7" * 25,
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tumbuh.settings",
        **env,
    }
    prelude = "import django; django.setup(); from django.conf import settings; from django.core.cache import cache\n"
    done = subprocess.run([sys.executable, "-c", prelude + code], env=full, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_another_process_sees_what_this_one_cached(_cache_of_this_run):
    url = f"file://{_cache_of_this_run}"
    cache.set("tumbuh:test:shared", "dari proses uji", 60)
    assert _python("print(cache.get('tumbuh:test:shared'))", TUMBUH_CACHE_URL=url) == "dari proses uji"
    _python("cache.set('tumbuh:test:back', 'dari pekerja lain', 60)", TUMBUH_CACHE_URL=url)
    assert cache.get("tumbuh:test:back") == "dari pekerja lain"


def test_default_is_files_under_var(tmp_path):
    out = _python(
        "print(settings.CACHES['default']['BACKEND'], settings.CACHES['default']['LOCATION'])",
        TUMBUH_VAR_DIR=str(tmp_path),
        TUMBUH_CACHE_URL="",
    )
    assert out == f"django.core.cache.backends.filebased.FileBasedCache {tmp_path / 'cache'}"


def test_cache_urls(tmp_path):
    assert cacheurl.parse("file:///srv/c", tmp_path)["LOCATION"] == "/srv/c"
    db = cacheurl.parse("db://", tmp_path)
    assert db["BACKEND"].endswith("DatabaseCache") and db["LOCATION"] == "tumbuh_cache"
    assert cacheurl.parse("db://cache_halaman", tmp_path)["LOCATION"] == "cache_halaman"
    redis = cacheurl.parse("redis://127.0.0.1:6379/1", tmp_path)
    assert redis["BACKEND"].endswith("RedisCache") and redis["LOCATION"] == "redis://127.0.0.1:6379/1"
    assert cacheurl.parse("locmem://", tmp_path)["BACKEND"].endswith("LocMemCache")
    with pytest.raises(ValueError):
        cacheurl.parse("memcache://x", tmp_path)


def test_migrate_creates_the_database_cache_table(tmp_path):
    """With ``TUMBUH_CACHE_URL=db://`` a fresh ``tumbuh migrate`` creates the cache table (the
    dashboards' migration runs ``createcachetable``), and a second process uses it."""
    env = {
        "TUMBUH_CACHE_URL": "db://",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'baru.sqlite3'}",
        "TUMBUH_VAR_DIR": str(tmp_path),
    }
    _python("from django.core.management import call_command; call_command('migrate', verbosity=0)", **env)
    _python("cache.set('tumbuh:test:db', 42, 60)", **env)
    assert _python("print(cache.get('tumbuh:test:db'))", **env) == "42"
    import sqlite3

    tables = {
        r[0]
        for r in sqlite3.connect(tmp_path / "baru.sqlite3").execute("select name from sqlite_master where type='table'")
    }
    assert "tumbuh_cache" in tables
