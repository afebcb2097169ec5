"""Children with known z-scores in a round of their own (August 2030), so the expected
figures are exact and independent of the demo children (2023–2025)."""

from __future__ import annotations

import datetime as dt

import pytest

from tumbuh.dashboards.periods import Period

ROUND = Period.round(2030, 8)
BALANTANG = "73.24.04.2010"
HARAPAN = "73.24.04.2001"


def make_child(desa, name="Anak", birth=dt.date(2028, 1, 1), posyandu=None):
    from tumbuh.measurements.models import Child

    return Child.objects.create(name=name, sex=1, birth_date=birth, desa_id=desa, posyandu=posyandu)


def measure(child, date, zlen=None, flen=False, zwei=0.0, zwfl=0.0, fwei=False, fwfl=False, **extra):
    from tumbuh.measurements.models import Measurement

    return Measurement.objects.create(
        child=child,
        date=date,
        desa_id=child.desa_id,
        posyandu=child.posyandu,
        zlen=zlen,
        flen=flen,
        zwei=zwei,
        fwei=fwei,
        zwfl=zwfl,
        fwfl=fwfl,
        weight=extra.pop("weight", 10),
        lenhei=extra.pop("lenhei", 80),
        source="form",
        **extra,
    )


@pytest.fixture
def known(db):
    """Balantang: 10 children, 3 stunted (one of them severely), one extra with a flagged HAZ
    of −7, one measured twice in the round (stunted on 3 August, normal on 20 August).
    Harapan: 4 children, 2 stunted."""
    from tumbuh.organisation.models import Posyandu

    pb = Posyandu.objects.filter(desa_id=BALANTANG).first()
    ph = Posyandu.objects.filter(desa_id=HARAPAN).first()
    d = dt.date(2030, 8, 10)
    zs = [-3.5, -2.5, -2.1, -1.0, 0.0, 0.5, 1.0, -0.5, -1.9, 0.2]
    for i, z in enumerate(zs):
        measure(make_child(BALANTANG, f"B{i}", posyandu=pb), d, zlen=z)
    measure(make_child(BALANTANG, "Flag", posyandu=pb), d, zlen=-7.0, flen=True)
    twice = make_child(BALANTANG, "Dua kali", posyandu=pb)
    measure(twice, dt.date(2030, 8, 3), zlen=-2.6)
    measure(twice, dt.date(2030, 8, 20), zlen=-1.2)
    for i, z in enumerate([-2.5, -2.2, 0.0, 1.0]):
        measure(make_child(HARAPAN, f"H{i}", posyandu=ph), d, zlen=z)
    return {"balantang": zs + [-1.2], "harapan": [-2.5, -2.2, 0.0, 1.0]}


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    """Rendered dashboards are cached (views._cached, in this run's cache directory); each test starts empty."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
