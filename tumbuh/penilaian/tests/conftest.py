"""People of the penilaian tests: the province's assessor (``prov``), one of another province
(``other_prov``), beside the demo's district admins (``alice``, Luwu Timur; ``charlie``, Luwu)."""

from __future__ import annotations

import pytest

PROVINCE = "73"
LUTIM, LUWU = "73.24", "73.17"


def make_user(username: str, role: str, code: str):
    from tumbuh.accounts.models import User
    from tumbuh.demo.accounts import DEMO_PASSWORD

    user = User.objects.create(username=username, role=role, wilayah_id=code, full_name=username)
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


@pytest.fixture
def prov(db):
    from tumbuh.accounts.models import Role

    return make_user("prov.test", Role.PROVINCE, PROVINCE)


@pytest.fixture
def other_prov(db):
    from tumbuh.accounts.models import Role
    from tumbuh.wilayah.models import Level, Wilayah

    Wilayah.objects.get_or_create(
        code="74",
        defaults={"name": "SULAWESI TENGGARA", "level": Level.PROVINSI, "kind": "provinsi", "provinsi_code": "74"},
    )
    return make_user("prov.sultra", Role.PROVINCE, "74")


@pytest.fixture
def rubric(db):
    """The rubric Tumbuh ships, as the demo loaded it for Sulawesi Selatan."""
    from tumbuh.penilaian.models import Rubric

    return Rubric.objects.get(province_id=PROVINCE)


@pytest.fixture
def assessment(prov, rubric):
    """A fresh draft for 2030 (the demo holds 2025, final, and 2026)."""
    from tumbuh.penilaian.actions import do_start_assessment

    return do_start_assessment(prov, rubric.province, 2030, rubric)


def level(criterion, value):
    return criterion.levels.get(value=value)


def criterion(rubric, code):
    return rubric.criteria.get(code=code)
