"""The demo's synthetic map: boundaries for every kecamatan and desa of Luwu Timur, stored as an
upload is, labelled synthetic wherever drawn, and a location for every posyandu inside its desa."""

from __future__ import annotations

from decimal import Decimal

import pytest
import shapely
from django.urls import reverse
from shapely.geometry import Point, shape

from tumbuh.accounts import policy
from tumbuh.audit.actions import do_save
from tumbuh.demo import boundaries as B
from tumbuh.demo.generator import SEED
from tumbuh.maps.models import Boundary, MapLevel
from tumbuh.organisation.models import Posyandu
from tumbuh.wilayah.models import Level, Wilayah

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    from tumbuh.maps.models import _read_collection

    _read_collection.cache_clear()


@pytest.fixture
def demo_map(media):
    return B.build_demo_map(SEED)


def _codes(level: int) -> set[str]:
    return set(Wilayah.objects.filter(kabupaten_code=B.KABUPATEN, level=level).values_list("code", flat=True))


def _shapes(level: int) -> dict:
    boundary = Boundary.objects.get(kabupaten_id=B.KABUPATEN, level=level)
    return {f["properties"]["code"]: shape(f["geometry"]) for f in boundary.collection()["features"]}


def test_the_demo_has_a_boundary_for_every_desa_and_kecamatan(demo_map):
    assert demo_map.boundaries_saved == 2
    for level in (Level.KECAMATAN, Level.DESA):
        boundary = Boundary.objects.get(kabupaten_id=B.KABUPATEN, level=level)
        assert boundary.synthetic and boundary.source_name == B.SOURCE_NAME
        assert boundary.missing_count == 0 and boundary.unknown_count == 0
        assert set(_shapes(level)) == _codes(level)
    desa = _shapes(Level.DESA)
    assert len(desa) == 128
    assert all(g.is_valid and g.area > 0 for g in desa.values())
    # They tile the district: no two desa overlap (beyond the 1 m rounding of the stored file) …
    tree = shapely.STRtree(list(desa.values()))
    geoms = list(desa.values())
    for i, j in zip(*tree.query(geoms, predicate="intersects"), strict=True):
        if i < j:
            assert geoms[i].intersection(geoms[j]).area < 1e-6
    # … each kecamatan is its desa together, and all lie in Luwu Timur's real extent.
    kecamatan = _shapes(Level.KECAMATAN)
    for code, geom in kecamatan.items():
        own = shapely.union_all([g for c, g in desa.items() if c.startswith(code + ".")])
        assert geom.symmetric_difference(own).area < 0.01 * geom.area
    minx, miny, maxx, maxy = shapely.total_bounds(list(desa.values()))
    assert 120.0 <= minx < maxx <= 121.5 and -3.0 <= miny < maxy <= -2.2


def test_every_demo_posyandu_has_a_location_inside_its_desa(demo_map):
    posyandu = list(Posyandu.objects.filter(desa__kabupaten_code=B.KABUPATEN))
    assert demo_map.posyandu_located == len(posyandu) > 300
    desa = _shapes(Level.DESA)
    for p in posyandu:
        assert p.latitude is not None and p.longitude is not None, p
        assert desa[p.desa_id].contains(Point(float(p.longitude), float(p.latitude))), (p, p.desa_id)
    # Luwu (73.17) is a district without a map: no boundaries, no locations.
    assert not Boundary.objects.filter(kabupaten_id="73.17").exists()
    assert not Posyandu.objects.filter(desa__kabupaten_code="73.17", latitude__isnull=False).exists()


def test_the_demo_map_is_deterministic_and_built_once(demo_map):
    desa = {
        c: list(Wilayah.objects.filter(parent_id=c).order_by("code").values_list("code", flat=True))
        for c in sorted(_codes(Level.KECAMATAN))
    }
    first, second = B.layout(SEED, desa), B.layout(SEED, desa)
    assert all(first.desa[c].equals_exact(second.desa[c], 0) for c in first.desa)
    assert not B.layout(SEED + 1, desa).desa["73.24.04.2010"].equals(first.desa["73.24.04.2010"])
    files = set(Boundary.objects.values_list("file_name", flat=True))
    again = B.build_demo_map(SEED)
    assert (again.boundaries_saved, again.posyandu_located) == (0, 0)
    assert set(Boundary.objects.values_list("file_name", flat=True)) == files


def test_a_located_posyandu_and_a_district_upload_are_left_alone(media):
    mine = Posyandu.objects.filter(desa_id="73.24.04.2010").order_by("pk").first()
    mine.latitude, mine.longitude = Decimal("-2.600000"), Decimal("121.050000")
    do_save(policy.SYSTEM, mine, reason="uji")
    B.build_demo_map(SEED)
    mine.refresh_from_db()
    assert (mine.latitude, mine.longitude) == (Decimal("-2.600000"), Decimal("121.050000"))
    # A district's own desa file (not the demo's) is never replaced, and its posyandu never placed in made-up desa.
    Posyandu.objects.filter(desa__kabupaten_code=B.KABUPATEN).exclude(pk=mine.pk).update(latitude=None, longitude=None)
    desa = Boundary.objects.get(kabupaten_id=B.KABUPATEN, level=MapLevel.DESA)
    desa.report = {**desa.report, "synthetic": False}
    desa.source_name = "Batas_Desa_Luwu_Timur.zip"
    do_save(policy.SYSTEM, desa, reason="uji")
    assert B.build_demo_map(SEED).posyandu_located == 0
    desa.refresh_from_db()
    assert desa.source_name == "Batas_Desa_Luwu_Timur.zip"


def test_the_map_page_says_the_demo_boundaries_are_synthetic(client, alice, demo_map):
    client.force_login(alice)
    body = client.get(reverse("maps:map"), {"within": "73.24", "level": "desa"}).content.decode()
    assert 'id="choropleth"' in body  # a map by default, not the tile grid
    assert 'data-testid="synthetic-boundaries"' in body and "batas wilayah ini sintetis" in body
    assert "no-boundaries" not in body
    data = client.get(reverse("maps:data"), {"within": "73.24", "level": "desa"}).json()
    assert len(data["boundaries"]["features"]) == 128
    assert len(data["points"]) == Posyandu.objects.filter(desa__kabupaten_code="73.24", is_active=True).count()
