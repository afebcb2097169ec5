"""Shared fixtures: the demo district, built once per test database, and its people.

The test database gets the demo organisation and accounts of both districts, and a small
deterministic sample of demo children (:data:`TEST_DEMO_CHILDREN` in Kecamatan Malili, with
their 2023–2025 visits, some in Desa Balantang and Desa Harapan); ``make demo`` builds the full
25,000.

Healthchecks-style names for the three people most tests need: ``alice`` runs Luwu Timur's
TPPS secretariat, ``bob`` operates one village in it, ``charlie`` runs another district.
"""

from __future__ import annotations

import pytest

#: The demo children in the test database: few enough to keep the session setup short.
TEST_DEMO_CHILDREN = 300
TEST_DEMO_KECAMATAN = ["73.24.04"]  # Malili


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from tumbuh.demo.generator import build_demo

    with django_db_blocker.unblock():
        build_demo(children=TEST_DEMO_CHILDREN, kecamatan=TEST_DEMO_KECAMATAN)


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
def _static_without_manifest(settings):
    """Tests render templates without running collectstatic first."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
