"""Zipped shapefiles as BIG and BPS distribute them, uploaded through the boundary page: read
with pyshp, reprojected with pyproj, matched by Kemendagri code, BPS code or name, with what
did not match reported on the page; and hostile zips refused before anything is unpacked."""

from __future__ import annotations

import io
import zipfile

import pytest
import shapefile
import shapely
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from shapely.geometry import Polygon, shape

from tumbuh.maps import geojson, shapefiles
from tumbuh.maps.models import Boundary
from tumbuh.wilayah.models import Level, Wilayah

from .shp import BIG_FIELDS, BPS_FIELDS, UTM_50S, big_record, bps_record, grid, write_shapefile, zipped
from .test_views import _media  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

MALILI = "73.24.04"


def _malili_desa() -> list[Wilayah]:
    return list(Wilayah.objects.filter(kecamatan_code=MALILI, level=Level.DESA).order_by("code"))


def _post(client, content: bytes, name: str = "ADMINISTRASIDESA_AR_25K.zip", level: str = "4", repair: bool = False):
    data = {
        "file": SimpleUploadedFile(name, content, "application/zip"),
        "level": level,
        "tolerance": "0.0003",
        "reason": "batas dari BIG",
    }
    if repair:
        data["repair"] = "on"
    return client.post(reverse("maps:boundaries"), data)


def _big_zip(desa, rings, epsg=UTM_50S, overrides=None, **kwargs) -> bytes:
    overrides = overrides or {}
    rows = [(big_record(d, "Malili", **overrides.get(d.code, {})), rings[d.code]) for d in desa]
    return zipped(
        {"ADMINISTRASIDESA_AR_25K": write_shapefile(rows, BIG_FIELDS, epsg=epsg, **kwargs)},
        folder="BATAS_DESA_DESEMBER_2019_DUKCAPIL_LUWU_TIMUR/",
    )


def test_big_shapefile_in_utm_50s_is_reprojected_and_matched_by_kemendagri_code(client, alice):
    """BIG's desa layer for Malili, projected to UTM zone 50S with an ESRI .prj, zipped in a
    folder: every desa is found by KDEPUM and lands where it was drawn in longitude/latitude."""
    client.force_login(alice)
    desa = _malili_desa()
    rings = grid([d.code for d in desa])
    response = _post(client, _big_zip(desa, rings))
    assert response.status_code == 200
    body = response.content.decode()
    boundary = Boundary.objects.get(kabupaten_id="73.24", level=Level.DESA)
    assert boundary.feature_count == 15 and boundary.unmatched_count == 0
    assert boundary.missing_count == Wilayah.objects.filter(kabupaten_code="73.24", level=Level.DESA).count() - 15
    report = boundary.report
    assert report["source"] == "shapefile" and report["matched_by"] == {"code": 15}
    assert report["code_property"] == "kdepum"
    assert "EPSG:32750" in body and "UTM zone 50S" in body  # the report says which coordinate system it read
    stored = {f["properties"]["code"]: shape(f["geometry"]) for f in boundary.collection()["features"]}
    for d in desa:  # projected and back: within a metre or so of the square drawn
        assert shapely.hausdorff_distance(stored[d.code], Polygon(rings[d.code])) < 2e-5
    x0, y0, x1, y1 = boundary.extent()
    assert 120.2 < x0 < x1 < 120.6 and -2.6 < y0 < y1 < -2.2


def test_bps_shapefile_matched_by_bps_code_in_geographic_crs(client, alice):
    """BPS's desa map (IDDESA, names in capitals, geographic WGS 84 .prj in OGC WKT): matched
    through the BPS codes the district loaded, not the names."""
    from tumbuh.demo.bps_codes import demo_bps_codes

    client.force_login(alice)
    desa = _malili_desa()
    bps = demo_bps_codes("73.24")
    assert all(Wilayah.objects.get(code=d.code).bps_code == bps[d.code] for d in desa)  # the demo loaded them
    rings = grid([d.code for d in desa])
    rows = [(bps_record(d, "Malili", bps[d.code], NMDESA="X" + d.name.upper()), rings[d.code]) for d in desa]
    content = zipped({"desa_7324": write_shapefile(rows, BPS_FIELDS, epsg=4326, esri_wkt=False)})
    response = _post(client, content, name="desa_7324.zip", level="")
    assert response.status_code == 200
    boundary = Boundary.objects.get(level=Level.DESA)
    assert boundary.feature_count == 15 and boundary.report["matched_by"] == {"bps": 15}


def test_names_in_cp1252_with_apostrophe_and_accent_match_and_kecamatan_tells_namesakes_apart(client, alice):
    """No codes at all, a .dbf in Windows-1252 without a .cpg: "Pasi’pasi" (a typographic
    apostrophe, byte 0x92) and "Wéwangriu" match Pasi-Pasi and Wewangriu; "Baruga" exists in
    Malili and in Towuti and is told apart by WADMKC; a name that is no desa is reported."""
    client.force_login(alice)
    desa = _malili_desa()
    codes = [d.code for d in desa]
    towuti_baruga = Wilayah.objects.get(kecamatan_code="73.24.03", name="Baruga")
    rings = grid([*codes, towuti_baruga.code, "nowhere"], columns=6)
    spelled = {"Pasi-Pasi": "Pasi’pasi", "Wewangriu": "Wéwangriu", "Puncak Indah": "PUNCAK  INDAH"}
    fields = [("NAMOBJ", "C", 50), ("WADMKC", "C", 50)]
    rows = [({"NAMOBJ": spelled.get(d.name, d.name), "WADMKC": "Malili"}, rings[d.code]) for d in desa]
    rows.append(({"NAMOBJ": "Baruga", "WADMKC": "Towuti"}, rings[towuti_baruga.code]))
    rows.append(({"NAMOBJ": "Tanjung Harapan", "WADMKC": "Malili"}, rings["nowhere"]))
    files = write_shapefile(rows, fields, epsg=4326, encoding="cp1252")
    assert b"Pasi\x92pasi" in files[".dbf"] and b"W\xe9wangriu" in files[".dbf"]
    response = _post(client, zipped({"batas_desa": files}), name="batas_desa.zip", level="")
    body = response.content.decode()
    boundary = Boundary.objects.get(level=Level.DESA)
    assert boundary.feature_count == 16  # Malili's 15 and Towuti's Baruga
    stored = {f["properties"]["code"] for f in boundary.collection()["features"]}
    assert "73.24.04.2006" in stored and towuti_baruga.code in stored and "73.24.04.2014" in stored
    assert boundary.report["matched_by"] == {"name": 16}
    # On the page: the feature that matched nothing, as the file wrote it, and why
    unmatched = body.split('data-testid="unmatched-list"')[1].split("</table>")[0]
    assert "Tanjung Harapan" in unmatched and "(Malili)" in unmatched
    assert 'data-testid="by-name-list"' in body and "Pasi’pasi" in body  # decoded as written, not as mojibake
    assert 'data-testid="missing-list"' in body
    assert "Windows-1252" in body or "cp1252" in body


def test_geojson_upload_shares_the_matching_and_the_report(client, alice):
    """A GeoJSON with names only goes through the same matching and report."""
    import json

    client.force_login(alice)
    desa = _malili_desa()
    rings = grid([d.code for d in desa] + ["x"])
    features = [
        {
            "type": "Feature",
            "properties": {"DESA": d.name.upper(), "KECAMATAN": "MALILI"},
            "geometry": {"type": "Polygon", "coordinates": [list(reversed(rings[d.code]))]},
        }
        for d in desa
    ]
    features.append(
        {
            "type": "Feature",
            "properties": {"DESA": "Kampung Baru"},
            "geometry": {"type": "Polygon", "coordinates": [rings["x"]]},
        }
    )
    content = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    body = _post(client, content, name="desa.geojson", level="").content.decode()
    boundary = Boundary.objects.get(level=Level.DESA)
    assert boundary.feature_count == 15 and boundary.report["matched_by"] == {"name": 15}
    assert "Kampung Baru" in body.split('data-testid="unmatched-list"')[1]


def test_no_prj_with_longitudes_is_taken_as_wgs84_and_said_so(client, alice):
    client.force_login(alice)
    desa = _malili_desa()
    body = _post(client, _big_zip(desa, grid([d.code for d in desa]), epsg=None)).content.decode()
    assert Boundary.objects.get(level=Level.DESA).feature_count == 15
    assert "WGS 84" in body and ".prj" in body


def test_no_prj_with_metres_is_refused_in_indonesian(client, alice):
    client.force_login(alice)
    desa = _malili_desa()
    files = write_shapefile(
        [(big_record(d, "Malili"), r) for d, r in zip(desa, grid([d.code for d in desa]).values())],
        BIG_FIELDS,
        epsg=UTM_50S,
    )
    del files[".prj"]
    with translation.override("id"):
        body = _post(client, zipped({"ADMINISTRASIDESA_AR_25K": files})).content.decode()
    assert not Boundary.objects.exists()
    assert "tidak disertai berkas .prj" in body and "bukan bujur dan lintang" in body and "WGS 84" in body


def test_a_wrong_prj_is_refused():
    """Longitude/latitude with a .prj that says UTM: converted, the areas leave Indonesia."""
    desa = [Wilayah.objects.get(code="73.24.04.2010")]
    files = write_shapefile([(big_record(desa[0], "Malili"), grid(["a"])["a"])], BIG_FIELDS, epsg=4326)
    from pyproj import CRS

    files[".prj"] = CRS.from_epsg(UTM_50S).to_wkt("WKT1_ESRI").encode()
    with pytest.raises(geojson.BoundaryFileError) as caught:
        shapefiles.check_zip(zipped({"a": files}), "73.24", 4)
    assert "outside Indonesia" in str(caught.value)


def test_line_layers_are_left_out_and_the_best_polygon_layer_is_used():
    desa = _malili_desa()
    rings = grid([d.code for d in desa])
    polygons = write_shapefile([(big_record(d, "Malili"), rings[d.code]) for d in desa], BIG_FIELDS, epsg=UTM_50S)
    few = write_shapefile([(big_record(d, "Malili"), rings[d.code]) for d in desa[:3]], BIG_FIELDS, epsg=UTM_50S)
    lines = write_shapefile(
        [(big_record(d, "Malili"), rings[d.code]) for d in desa],
        BIG_FIELDS,
        epsg=UTM_50S,
        shape_type=shapefile.POLYLINE,
    )
    report = shapefiles.check_zip(
        zipped({"BATASDESA_AR": polygons, "SEBAGIAN_AR": few, "BATASDESA_LN": lines}), "73.24", None
    )
    assert report.level == Level.DESA and report.features_kept == 15
    notes = " ".join(report.note_texts())
    assert "BATASDESA_AR" in notes and "SEBAGIAN_AR" in notes and "BATASDESA_LN" in notes


def test_shared_borders_are_simplified_once():
    """Neighbouring desa that share their borders exactly (a clean coverage) still share them
    after simplification: no gap and no overlap between them."""
    desa = _malili_desa()
    rings = grid([d.code for d in desa])
    # many points along each border, so there is something to simplify
    dense = {
        c: [
            (round(x0 + (x1 - x0) * t / 20, 7), round(y0 + (y1 - y0) * t / 20, 7))
            for (x0, y0), (x1, y1) in zip(r, r[1:])
            for t in range(20)
        ]
        + [r[0]]
        for c, r in rings.items()
    }
    report = shapefiles.check_zip(
        zipped({"d": write_shapefile([(big_record(d, "Malili"), dense[d.code]) for d in desa], BIG_FIELDS, epsg=4326)}),
        "73.24",
        4,
        tolerance=0.001,
    )
    assert report.simplified_as_coverage
    assert report.vertices_after < report.vertices_before / 5
    geoms = [shape(f["geometry"]) for f in report.geojson["features"]]
    union = shapely.union_all(geoms)
    assert abs(union.area - sum(g.area for g in geoms)) < 1e-9  # no overlaps
    assert union.geom_type == "Polygon" and not list(union.interiors)  # no gaps


# ---------------------------------------------------------------- hostile and wrong files


def _members_zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for name, content in members.items():
            z.writestr(name, content)
    return buf.getvalue()


def _refused(content: bytes) -> str:
    with pytest.raises(geojson.BoundaryFileError) as caught:
        shapefiles.check_zip(content, "73.24", 4)
    return str(caught.value)


def _one_layer() -> dict[str, bytes]:
    d = Wilayah.objects.get(code="73.24.04.2010")
    return write_shapefile([(big_record(d, "Malili"), grid([d.code])[d.code])], BIG_FIELDS, epsg=4326)


def test_a_zip_bomb_is_refused_before_unpacking():
    bomb = _members_zip({"a.shp": b"\0" * (20 << 20), "a.dbf": b"\0" * 10})
    assert len(bomb) < 100_000
    assert '"zip bomb"' in _refused(bomb)


def test_a_name_climbing_out_of_the_archive_is_refused():
    files = _one_layer()
    assert "outside the archive" in _refused(_members_zip({f"../../etc/cron.d/a{e}": c for e, c in files.items()}))
    assert "outside the archive" in _refused(_members_zip({f"/tmp/a{e}": c for e, c in files.items()}))


def test_a_symbolic_link_is_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        info = zipfile.ZipInfo("a.shp")
        info.external_attr = 0o120777 << 16
        z.writestr(info, "/etc/passwd")
    assert "symbolic link" in _refused(buf.getvalue())


def test_an_encrypted_member_is_refused():
    """zipfile writes no encrypted member: the flag is set in the headers by hand."""
    data = bytearray(_members_zip({"a.shp": b"\0" * 100, "a.dbf": b"\0" * 100}, zipfile.ZIP_STORED))
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            data[start + offset] |= 0x1
            start += 4
    assert "password" in _refused(bytes(data))


def test_a_renamed_pdf_inside_the_zip_is_recognised():
    files = _one_layer()
    files[".shp"] = b"%PDF-1.7\n" + b"x" * 200
    message = _refused(zipped({"a": files}))
    assert "a.shp is not a shapefile" in message and "PDF" in message


def test_a_zip_without_a_shapefile_says_what_it_holds():
    docx = _members_zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
    assert "no shapefile" in _refused(docx) and "document.xml" in _refused(docx)


def test_a_shapefile_without_its_dbf_is_refused():
    files = _one_layer()
    del files[".dbf"]
    assert "no .dbf" in _refused(zipped({"a": files}))


def test_a_zip_inside_the_zip_is_opened_once():
    inner = zipped({"ADMINISTRASIDESA_AR_25K": _one_layer()})
    report = shapefiles.check_zip(_members_zip({"download/BATAS_DESA.zip": inner}), "73.24", 4)
    assert report.features_kept == 1


@pytest.mark.parametrize(
    "content, name, expected",
    [
        (b"%PDF-1.4 batas wilayah", "batas.zip", "dokumen PDF"),
        (b"\x89PNG\r\n\x1a\n....", "peta.geojson", "gambar"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "batas.zip", "dokumen Office"),
        (b"\0\0\x27\x0a" + b"\0" * 96, "ADMINISTRASIDESA_AR_25K.shp", "sebagai satu .zip"),
        (b"", "kosong.zip", "kosong"),
    ],
)
def test_the_page_refuses_what_is_not_a_boundary_file(client, alice, content, name, expected):
    """In Indonesian, the page's language."""
    client.force_login(alice)
    response = _post(client, content, name=name)
    assert not Boundary.objects.exists()
    assert expected in response.content.decode()


# ---------------------------------------------------------------- the shared zip guard, through the page (issue 15)


def test_the_page_refuses_a_real_shapefile_zip_bomb_in_indonesian_before_unpacking(client, alice, monkeypatch):
    from tumbuh.core.testing import zip_bomb

    files = _one_layer()
    bomb = zip_bomb({f"desa{e}": c for e, c in files.items() if e != ".dbf"}, "desa.dbf", 300 << 20)
    assert len(bomb) < 1 << 20
    read = []
    monkeypatch.setattr(shapefiles.safezip, "read", lambda *a: read.append(a))
    client.force_login(alice)
    import html

    page = html.unescape(_post(client, bomb, name="batas.zip").content.decode())
    assert 'tampak seperti "zip bomb": terurai menjadi 300 MB' in page and read == []
    assert not Boundary.objects.exists()


def test_the_page_refuses_a_name_climbing_out_of_the_archive(client, alice):
    files = _one_layer()
    client.force_login(alice)
    page = _post(client, _members_zip({f"../../tmp/desa{e}": c for e, c in files.items()}), name="batas.zip")
    assert "menunjuk ke luar arsip" in page.content.decode() and not Boundary.objects.exists()


def test_a_lying_header_in_a_shapefile_zip_is_refused():
    from tumbuh.core.testing import lying_zip

    files = _one_layer()
    files[".dbf"] += b" " * 200_000  # padding, as a .dbf has
    data = _members_zip({f"desa{e}": c for e, c in files.items()})
    assert "more than the 1000 bytes its header declares" in _refused(lying_zip(data, "desa.dbf", 1000))


def test_a_zip_in_a_zip_in_a_zip_is_refused():
    inner = zipped({"ADMINISTRASIDESA_AR_25K": _one_layer()})
    middle = _members_zip({"BATAS_DESA.zip": inner})
    assert "another archive inside" in _refused(_members_zip({"download/unduhan.zip": middle}))
