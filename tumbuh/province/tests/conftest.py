"""Two districts of Sulawesi Selatan with different figures in a round of their own (August
2030, as the dashboards' tests), a province user bound to the province and one bound to
another province, and a superuser."""

from __future__ import annotations

import datetime as dt

import pytest

from tumbuh.dashboards.periods import Period
from tumbuh.dashboards.tests.conftest import BALANTANG, HARAPAN, make_child, measure

ROUND = Period.round(2030, 8)
PROVINCE = "73"
LUTIM, LUWU = "73.24", "73.17"
#: A name and NIK no province page may show.
CHILD_NAME = "Nurhaliza Provinsitest"
CHILD_NIK = "7324041234560001"


def _luwu_desa():
    from tumbuh.organisation.models import Posyandu
    from tumbuh.wilayah.models import Level, Wilayah

    posyandu = Posyandu.objects.filter(desa__kabupaten_code=LUWU).select_related("desa").first()
    if posyandu is not None:
        return posyandu.desa_id, posyandu
    return Wilayah.objects.filter(level=Level.DESA, kabupaten_code=LUWU).order_by("code").first().code, None


#: Districts of the province with no data, and a district of another province (the test
#: database holds only the demo's two districts of the region tree).
EMPTY = {"73.01": "Kabupaten Kepulauan Selayar", "73.02": "Kabupaten Bulukumba", "73.03": "Kabupaten Bantaeng"}
OTHER_PROVINCE, OTHER_DISTRICT = "74", "74.01"


def _regions():
    from tumbuh.wilayah.models import Level, Wilayah

    for code, name in EMPTY.items():
        Wilayah.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "level": Level.KABUPATEN,
                "kind": "kabupaten",
                "parent_id": PROVINCE,
                "provinsi_code": PROVINCE,
                "kabupaten_code": code,
            },
        )
    Wilayah.objects.get_or_create(
        code=OTHER_PROVINCE,
        defaults={
            "name": "Sulawesi Tenggara",
            "level": Level.PROVINSI,
            "kind": "provinsi",
            "provinsi_code": OTHER_PROVINCE,
        },
    )
    Wilayah.objects.get_or_create(
        code=OTHER_DISTRICT,
        defaults={
            "name": "Kabupaten Buton",
            "level": Level.KABUPATEN,
            "kind": "kabupaten",
            "parent_id": OTHER_PROVINCE,
            "provinsi_code": OTHER_PROVINCE,
            "kabupaten_code": OTHER_DISTRICT,
        },
    )


@pytest.fixture
def two_districts(db):
    """Luwu Timur: 24 children in Balantang and Harapan, 8 stunted (one a named child with a NIK);
    Luwu: 25 children, 5 stunted. Enough children (20) for a verdict on a rate."""
    from tumbuh.organisation.models import Posyandu

    _regions()
    d = dt.date(2030, 8, 10)
    pb = Posyandu.objects.filter(desa_id=BALANTANG).first()
    ph = Posyandu.objects.filter(desa_id=HARAPAN).first()
    lutim = [-3.5, -2.5, -2.1, -2.2, -2.9, -2.05, -2.7] + [0.0] * 9 + [0.5] * 7
    for i, z in enumerate(lutim):
        desa, p = (BALANTANG, pb) if i % 2 else (HARAPAN, ph)
        measure(make_child(desa, f"LT{i}", posyandu=p), d, zlen=z)
    named = make_child(BALANTANG, CHILD_NAME, posyandu=pb)
    named.nik = CHILD_NIK
    named.save()
    measure(named, d, zlen=-2.3)
    desa, p = _luwu_desa()
    for i, z in enumerate([-2.5, -2.2, -3.1, -2.01, -2.6] + [0.1] * 20):
        measure(make_child(desa, f"LW{i}", posyandu=p), d, zlen=z)
    return {LUTIM: (24, 8), LUWU: (25, 5)}


@pytest.fixture
def province_user(db, django_user_model):
    from tumbuh.accounts.models import Role

    return django_user_model.objects.create_user(
        "prov.uji", password="x-very-long-password", role=Role.PROVINCE, wilayah_id=PROVINCE
    )


@pytest.fixture
def other_province_user(db, django_user_model):
    from tumbuh.accounts.models import Role

    _regions()
    return django_user_model.objects.create_user(
        "prov.lain", password="x-very-long-password", role=Role.PROVINCE, wilayah_id=OTHER_PROVINCE
    )


@pytest.fixture
def root(db, django_user_model):
    return django_user_model.objects.create_superuser("akar.provinsi", password="x-very-long-password")


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
