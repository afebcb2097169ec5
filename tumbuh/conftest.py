"""Shared fixtures: the demo district, built once per test database, and its people.

The test database gets the demo organisation and accounts of both districts, and a small
deterministic sample of demo children (:data:`TEST_DEMO_CHILDREN` in Kecamatan Malili, with
their 2023–2025 visits, some in Desa Balantang and Desa Harapan); ``make demo`` builds the full
25,000.

Healthchecks-style names for the three people most tests need: ``alice`` runs Luwu Timur's
TPPS secretariat, ``bob`` operates one village in it, ``charlie`` runs another district.
"""

from __future__ import annotations

import os
import shutil

import pytest

from tumbuh.core.testing import require_or_skip

# No test starts a background build of the compiled z-score kernel (growth/_aot.py).
os.environ.setdefault("TUMBUH_KERNEL_BUILD", "0")

#: The demo children in the test database: few enough to keep the session setup short.
TEST_DEMO_CHILDREN = 300
TEST_DEMO_KECAMATAN = ["73.24.04"]  # Malili


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from tumbuh.demo.generator import build_demo

    with django_db_blocker.unblock():
        build_demo(children=TEST_DEMO_CHILDREN, kecamatan=TEST_DEMO_KECAMATAN)


@pytest.fixture(scope="session", autouse=True)
def _cache_of_this_run(tmp_path_factory):
    """The cache (files, as in production: shared by processes) in a directory of this test
    run, so no rendered page survives from an earlier run's database."""
    from django.test import override_settings

    from tumbuh.core import cacheurl

    location = tmp_path_factory.mktemp("cache")
    with override_settings(CACHES={"default": cacheurl.parse(f"file://{location}", location)}):
        yield location


@pytest.fixture
def demo_users(db):
    from tumbuh.accounts.models import User
    from tumbuh.demo.accounts import DEMO_ACCOUNTS

    return {u.username: u for u in User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS])}


@pytest.fixture
def alice(demo_users):
    return demo_users["admin.lutim"]


@pytest.fixture
def bob(demo_users):
    return demo_users["desa.balantang"]


@pytest.fixture
def charlie(demo_users):
    return demo_users["admin.luwu"]


@pytest.fixture(autouse=True)
def _no_background_refresh(settings):
    """A finished import would start ``refresh_aggregates`` in another process, which does not see
    the test database; ``dashboards/tests/test_background_refresh.py`` turns it on."""
    settings.TUMBUH_REFRESH_AFTER_IMPORT = False


@pytest.fixture(autouse=True)
def _static_without_manifest(settings):
    """Tests render templates without running collectstatic first."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


# ---------------------------------------------------------------- browser tests

CHROMIUM = os.environ.get("TUMBUH_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright; one browser for the whole browser run."""
    require_or_skip(bool(shutil.which(CHROMIUM)), f"chromium not found at {CHROMIUM}: apt-get install chromium")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield browser
        browser.close()
