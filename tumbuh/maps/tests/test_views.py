"""Uploading boundaries (audited, admin only), the map's JSON (scoped by the policy) and the
tile grid shown while a district has no boundaries."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tumbuh.audit.models import AuditLog
from tumbuh.core.numbers import excel_value, format_number
from tumbuh.dashboards.aggregates import latest_period
from tumbuh.maps.models import Boundary

from .geo import collection, district_codes, grid_features

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    from tumbuh.maps.models import _read_collection

    _read_collection.cache_clear()


def _upload(client, level_codes, level="", repair=False, name="batas.geojson", **kwargs):
    data = {
        "file": SimpleUploadedFile(name, collection(grid_features(level_codes, **kwargs)), "application/geo+json"),
        "level": level,
        "tolerance": "0.0003",
        "reason": "batas dari Bappeda",
    }
    if repair:
        data["repair"] = "on"
    return client.post(reverse("maps:boundaries"), data)


def test_admin_uploads_boundaries_and_the_upload_is_audited(client, alice):
    client.force_login(alice)
    response = _upload(client, district_codes(), level="3")
    assert response.status_code == 200
    boundary = Boundary.objects.get(kabupaten_id="73.24", level=3)
    assert boundary.feature_count == 11 and boundary.missing_count == 0
    assert boundary.size_after < boundary.size_before
    assert boundary.uploaded_by == alice
    entry = AuditLog.objects.get(object_type="maps.boundary", object_id=str(boundary.pk), action="create")
    assert entry.reason == "batas dari Bappeda" and entry.wilayah_code == "73.24"
    assert "coordinates" not in str(entry.after)  # the log names the file, it does not copy it
    assert len(boundary.collection()["features"]) == 11

    # A second upload replaces it, audited as a change.
    _upload(client, district_codes()[:10], level="3")
    boundary.refresh_from_db()
    assert boundary.feature_count == 10 and boundary.missing_count == 1
    assert AuditLog.objects.filter(object_type="maps.boundary", object_id=str(boundary.pk), action="update").exists()


def test_invalid_geometry_is_reported_and_nothing_is_saved_until_repaired(client, alice):
    client.force_login(alice)
    codes = district_codes()
    response = _upload(client, codes, invalid=("73.24.05",))
    assert not Boundary.objects.exists()
    body = response.content.decode()
    assert 'data-testid="invalid-list"' in body and "Self-intersection" in body
    response = _upload(client, codes, invalid=("73.24.05",), repair=True)
    assert Boundary.objects.get(level=3).repaired_count == 1
    assert 'data-testid="repaired-list"' in response.content.decode()


def test_report_lists_unknown_codes_and_missing_areas(client, alice):
    client.force_login(alice)
    response = _upload(client, [*district_codes()[1:], "73.17.01"])
    body = response.content.decode()
    assert 'data-testid="unmatched-list"' in body and "73.17.01" in body
    assert 'data-testid="missing-list"' in body and "73.24.01" in body
    assert Boundary.objects.get(level=3).unknown_count == 1


def test_only_the_district_admin_uploads(client, demo_users):
    for username in ["dinkes.lutim", "camat.malili", "desa.balantang", "pantau.lutim"]:
        client.force_login(demo_users[username])
        assert client.get(reverse("maps:boundaries")).status_code == 403
        assert _upload(client, district_codes()).status_code == 403
    assert not Boundary.objects.exists()


def test_removing_boundaries_is_audited_and_the_grid_returns(client, alice, charlie):
    client.force_login(alice)
    _upload(client, district_codes(), level="3")
    boundary = Boundary.objects.get()
    client.force_login(charlie)  # another district's admin cannot even find it
    assert client.post(reverse("maps:boundary_delete", args=[boundary.pk])).status_code == 404
    client.force_login(alice)
    assert client.post(reverse("maps:boundary_delete", args=[boundary.pk]), {"reason": "salah file"}).status_code == 302
    assert not Boundary.objects.exists()
    assert AuditLog.objects.get(object_type="maps.boundary", action="delete").reason == "salah file"


def _period(user):
    period = latest_period(user=user)
    assert period is not None, "the test demo has measurements in rounds"
    return period


def test_map_data_is_scoped_by_the_policy(client, alice, bob, charlie):
    client.force_login(alice)
    _upload(client, district_codes(level=4), level="4", columns=12, size=0.02)
    period = _period(alice)
    url = reverse("maps:data")

    data = client.get(url, {"within": "73.24", "level": "desa", "period": period.key}).json()
    assert len(data["boundaries"]["features"]) == 128
    assert len(data["areas"]) == 128
    malili = [a for c, a in data["areas"].items() if c.startswith("73.24.04.") and a["n"]]
    assert malili and all(a["value"] is not None and a["color"].startswith("#") for a in malili)
    assert [c["label"] for c in data["classes"]][0].startswith("<")

    client.force_login(charlie)  # Luwu's admin: Luwu Timur does not exist for them
    assert client.get(url, {"within": "73.24", "level": "desa", "period": period.key}).status_code == 404
    assert client.get(url, {"within": "73.24.04", "level": "desa", "period": period.key}).status_code == 404
    own = client.get(url, {"level": "desa", "period": period.key}).json()
    assert own["within"] == "73.17" and not any(c.startswith("73.24") for c in own["areas"])
    assert own["boundaries"] is None  # Luwu has uploaded none

    client.force_login(bob)  # a desa operator sees only their village, even asking for the district
    data = client.get(url, {"within": "73.24", "level": "desa", "period": period.key}).json()
    assert list(data["areas"]) == ["73.24.04.2010"]
    assert [f["properties"]["code"] for f in data["boundaries"]["features"]] == ["73.24.04.2010"]


def test_map_data_values_are_the_dashboards_figures(client, alice):
    from tumbuh.dashboards.aggregates import indicator_table

    client.force_login(alice)
    period = _period(alice)
    data = client.get(
        reverse("maps:data"),
        {"within": "73.24.04", "level": "desa", "period": period.key, "indicator": "wasting", "estimate": "eb"},
    ).json()
    rows = indicator_table(user=alice, within_code="73.24.04", level="desa", period=period, indicator="wasting")
    assert rows
    for row in rows:
        area = data["areas"][row.code]
        assert area["n"] == row.n_measured and area["value"] == excel_value(row.eb_r, 1)
        assert area["value_text"] == format_number(row.eb_r, 1, "id")  # what the popup shows


def test_tile_grid_fallback_without_boundaries(client, alice):
    client.force_login(alice)
    response = client.get(reverse("maps:map"), {"within": "73.24", "level": "desa"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="no-boundaries"' in body and 'id="choropleth"' not in body
    assert body.count('class="tile') >= 128
    assert "Kecamatan Malili" in body and "Balantang" in body
    codes = [a.code for a in response.context["areas"]]
    assert len(codes) == 128 and codes == sorted(codes)
    # Ordered by name on request, one tile per kecamatan at that level.
    response = client.get(reverse("maps:map"), {"within": "73.24", "level": "kecamatan", "order": "name"})
    names = [a.name for _, tiles in response.context["groups"] for a in tiles]
    assert len(names) == 11 and names == sorted(names, key=str.lower)


def test_map_page_draws_leaflet_when_boundaries_exist(client, alice):
    client.force_login(alice)
    _upload(client, district_codes(), level="3")
    body = client.get(reverse("maps:map"), {"within": "73.24", "level": "kecamatan"}).content.decode()
    assert 'id="choropleth"' in body and "vendor/leaflet/leaflet.js" in body
    assert "://" not in body.split('id="choropleth"')[1].split("</script>")[0].replace("data-url", "")  # no CDN
    assert 'data-testid="map-legend"' in body


def test_tile_grid_says_how_to_get_a_real_map(client, alice, demo_users):
    """Without boundaries the page says where to download them, what to upload and who uploads."""
    client.force_login(alice)
    body = client.get(reverse("maps:map"), {"within": "73.24", "level": "desa"}).content.decode()
    how = body.split('data-testid="how-to-get-a-map"')[1].split("</div>")[0]
    assert "tanahair.indonesia.go.id" in how and "BPS" in how  # where
    assert ".zip seperti saat diunduh" in how and ".prj" in how  # what
    assert 'data-testid="upload-boundaries-link"' in how and reverse("maps:boundaries") in how  # the admin uploads
    client.force_login(demo_users["camat.malili"])
    body = client.get(reverse("maps:map"), {"within": "73.24.04", "level": "desa"}).content.decode()
    how = body.split('data-testid="how-to-get-a-map"')[1].split("</div>")[0]
    assert 'data-testid="ask-admin"' in how and "admin kabupaten (sekretariat TPPS)" in how
    assert "upload-boundaries-link" not in how
    _upload(client, district_codes(level=4), level="4", columns=12, size=0.02)  # the camat cannot upload: 403
    client.force_login(alice)
    _upload(client, district_codes(level=4), level="4", columns=12, size=0.02)
    body = client.get(reverse("maps:map"), {"within": "73.24", "level": "desa"}).content.decode()
    assert 'data-testid="how-to-get-a-map"' not in body  # with boundaries, the map itself
