"""The boundary check: unknown codes, missing areas and invalid geometry are reported, and
the stored file is simplified."""

from __future__ import annotations

import json

import pytest
import shapely
from shapely.geometry import shape

from tumbuh.maps import geojson

from .geo import bowtie, collection, district_codes, feature, grid_features, square

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "raw, code",
    [
        ("73.24.04", "73.24.04"),
        ("732404", "73.24.04"),
        ("7324042010", "73.24.04.2010"),
        (7324, "73.24"),
        (" 73.24.04.2010 ", "73.24.04.2010"),
        ("73-24-04", "73.24.04"),
        ("abc", None),
        ("73240", None),
        (None, None),
    ],
)
def test_codes_are_read_dotted_or_not(raw, code):
    assert geojson.normalise_code(raw) == code


def test_unknown_codes_missing_areas_and_invalid_geometry_are_reported():
    codes = district_codes()
    assert len(codes) == 11
    present = [c for c in codes if c != "73.24.11"]  # Wasuponda has no feature
    features = grid_features(present, invalid=("73.24.05",))
    features.append(feature("73.17.01", square(121, -3)))  # a kecamatan of Luwu, not Luwu Timur
    features.append(feature("73.24.99", square(121.2, -3)))  # no such kecamatan
    report = geojson.check(collection(features), "73.24", None)

    assert report.level == 3
    assert {i.code for i in report.unknown} == {"73.17.01", "73.24.99"}
    assert [i.code for i in report.missing] == ["73.24.11"]
    assert [i.code for i in report.invalid] == ["73.24.05"]
    assert "Self-intersection" in report.invalid[0].detail
    assert not report.can_save  # invalid geometry is refused unless repaired
    assert report.features_kept == 9


def test_invalid_geometry_is_repaired_on_request():
    codes = district_codes()
    report = geojson.check(collection(grid_features(codes, invalid=("73.24.05",))), "73.24", 3, repair=True)
    assert report.can_save and not report.invalid
    assert [i.code for i in report.repaired] == ["73.24.05"]
    assert report.features_kept == 11 and not report.missing
    repaired = next(f for f in report.geojson["features"] if f["properties"]["code"] == "73.24.05")
    geom = shape(repaired["geometry"])
    assert geom.is_valid and geom.geom_type == "MultiPolygon"  # the bow-tie's two triangles


def test_simplification_shrinks_the_file_and_keeps_the_shapes():
    codes = district_codes()
    data = collection(grid_features(codes))
    report = geojson.check(data, "73.24", 3)
    assert report.size_before == len(data)
    assert report.size_after < report.size_before / 5
    assert report.vertices_after < report.vertices_before / 10
    original = {f["properties"]["kode"]: shape(f["geometry"]) for f in json.loads(data)["features"]}
    for f in report.geojson["features"]:
        simple = shape(f["geometry"])
        assert simple.is_valid
        assert shapely.hausdorff_distance(simple, original[f["properties"]["code"]]) < 0.001
        for x, y in f["geometry"]["coordinates"][0]:
            assert round(x, 5) == x and round(y, 5) == y
        assert set(f["properties"]) == {"code", "name"}


@pytest.mark.parametrize("prop", ["KDEPUM", "kode_wilayah", "code", "Kode"])
def test_common_property_names_and_undotted_desa_codes(prop):
    desa = district_codes(level=4)
    report = geojson.check(
        collection(grid_features(desa, prop=prop, columns=12, size=0.02, undotted=True)), "73.24", None
    )
    assert report.level == 4
    assert report.features_kept == len(desa) == 128
    assert not report.unknown and not report.missing
    assert report.code_property == prop.lower()


def test_features_without_code_and_non_polygons_are_listed():
    features = [
        {
            "type": "Feature",
            "properties": {"nama": "tanpa kode"},
            "geometry": {"type": "Polygon", "coordinates": bowtie(0, 0)},
        },
        {
            "type": "Feature",
            "properties": {"kode": "73.24.04"},
            "geometry": {"type": "Point", "coordinates": [120, -2]},
        },
        feature("73.24.04", square(120, -2)),
        feature("73.24.04", square(120.1, -2)),
        feature("73.24.04.2010", square(120, -2)),  # a desa in a kecamatan file
    ]
    report = geojson.check(collection(features), "73.24", 3)
    kinds = sorted(i.kind for i in report.issues if i.kind != "missing_area")
    assert kinds == ["duplicate", "no_match", "not_polygon", "other_level"]  # "tanpa kode" names no kecamatan
    assert sorted(i.kind for i in report.unmatched) == ["no_match", "other_level"]
    assert report.features_kept == 1  # the two features of 73.24.04 are merged into one area


@pytest.mark.parametrize("content", [b"not json", b'{"type": "Polygon", "coordinates": []}', b"[]"])
def test_files_that_are_not_feature_collections_are_refused(content):
    with pytest.raises(geojson.BoundaryFileError):
        geojson.check(content, "73.24", 3)
