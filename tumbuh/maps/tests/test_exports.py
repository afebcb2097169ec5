"""The map's Excel and PDF exports (the choropleth as Vega-Lite, or the tile grid), and any
period the dashboards offer (round, month, year)."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from tumbuh.core.numbers import excel_value
from tumbuh.dashboards.aggregates import indicator_table, latest_period
from tumbuh.dashboards.periods import Period
from tumbuh.dashboards.tests.test_pdf import A4_POINTS, pdf_pages, pdf_text, pdf_tools  # noqa: F401  (fixture)
from tumbuh.maps import charts

from .geo import collection, district_codes, grid_features
from .test_views import _media, _upload  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def _one_decimal_id(v: float) -> str:
    return f"{v:.1f}".replace(".", ",")


def _cells(content: bytes) -> list[list]:
    ws = load_workbook(io.BytesIO(content)).active
    return [[c.value for c in row] for row in ws.iter_rows()]


@pytest.mark.parametrize("period_key", [None, "Y2025", "M2025-08"])
def test_map_xlsx_has_the_values_shown(client, alice, period_key):
    client.force_login(alice)
    period = Period.parse(period_key) if period_key else latest_period(user=alice)
    r = client.get(
        reverse("maps:xlsx"), {"within": "73.24", "level": "kecamatan", "indicator": "stunting", "period": period.key}
    )
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    cells = _cells(r.content)
    flat = [v for row in cells for v in row if isinstance(v, str)]
    assert "Luwu Timur" in " ".join(flat) and period.label in flat
    rows = indicator_table(user=alice, within_code="73.24", level="kecamatan", period=period, indicator="stunting")
    assert rows  # the test demo measures Malili only
    by_code = {row[0]: row for row in cells if row and isinstance(row[0], str) and row[0].startswith("73.24.")}
    assert len(by_code) == 11  # every kecamatan, those without data empty
    assert all(by_code[c][5] is None and by_code[c][3] == 0 for c in set(by_code) - {row.code for row in rows})
    for row in rows:
        got = by_code[row.code]
        assert got[1] == row.name and got[3] == row.n_measured and got[4] == row.cases
        # the figures as the map and the PDF show them (tumbuh.core.numbers), not the unrounded values
        assert got[5:8] == [excel_value(row.r, 1), excel_value(row.ll, 1), excel_value(row.ul, 1)]


def test_map_xlsx_small_area_estimate_and_scope(client, alice, bob):
    client.force_login(alice)
    period = latest_period(user=alice)
    r = client.get(
        reverse("maps:xlsx"),
        {"within": "73.24.04", "level": "desa", "indicator": "wasting", "estimate": "eb", "period": period.key},
    )
    rows = {
        row.code: row
        for row in indicator_table(user=alice, within_code="73.24.04", level="desa", period=period, indicator="wasting")
    }
    got = {
        row[0]: row for row in _cells(r.content) if row and isinstance(row[0], str) and row[0].startswith("73.24.04.")
    }
    assert set(got) == set(rows)
    for code, row in rows.items():
        assert got[code][5] == excel_value(row.eb_r, 1) and got[code][2] == "Malili"
    client.force_login(bob)  # a desa operator's export holds their village only
    for within in ("73.24.04.2010", "73.24"):  # asking for the district gives their village only, as on the map
        r = client.get(reverse("maps:xlsx"), {"within": within, "level": "desa", "period": period.key})
        assert [
            row[0] for row in _cells(r.content) if row and isinstance(row[0], str) and row[0].startswith("73.24.")
        ] == ["73.24.04.2010"]
    assert client.get(reverse("maps:xlsx"), {"within": "73.24.04.2001", "level": "desa"}).status_code == 404
    assert client.get(reverse("maps:pdf"), {"within": "73.24.04.2001", "level": "desa"}).status_code == 404


def test_map_pdf_tile_grid_has_the_figures(client, alice, pdf_tools, tmp_path):  # noqa: F811
    client.force_login(alice)
    client.cookies["django_language"] = "en"  # the handout is Indonesian all the same
    period = latest_period(user=alice)
    r = client.get(reverse("maps:pdf"), {"within": "73.24.04", "level": "desa", "period": period.key})
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    pages, size = pdf_pages(r.content, tmp_path)
    assert size == A4_POINTS
    text = pdf_text(r.content, tmp_path)
    flat = re.sub(r"\s+", " ", text)
    for label in ("Peta", "Kabupaten Luwu Timur", "Sumber data", "WITA", "Halaman 1 dari", "Periode", "tidak ada data"):
        assert label in flat, label
    with translation.override("id"):
        assert period.label in flat
    assert "Belum ada file batas wilayah" in flat or "petak" in flat  # the tile-grid fallback is said
    rows = indicator_table(user=alice, within_code="73.24.04", level="desa", period=period, indicator="stunting")
    assert len(rows) > 5
    for row in rows:
        line = next((ln for ln in text.splitlines() if re.match(rf"\s*{re.escape(row.name)}\s+Malili\s+\d", ln)), None)
        assert line is not None, row.name  # the table row: desa, kecamatan, measured, cases, prevalence, interval
        assert re.search(
            rf"\s{row.n_measured}\s+{row.cases}\s+{_one_decimal_id(row.r)}\s+{_one_decimal_id(row.ll)}–", line
        ), line


def test_map_pdf_draws_the_choropleth_from_boundaries(client, alice, pdf_tools, tmp_path):  # noqa: F811
    client.force_login(alice)
    _upload(client, district_codes(), level="3")
    period = latest_period(user=alice)
    params = {"within": "73.24", "level": "kecamatan", "period": period.key, "indicator": "underweight"}
    r = client.get(reverse("maps:pdf"), params)
    assert r.status_code == 200
    text = re.sub(r"\s+", " ", pdf_text(r.content, tmp_path))
    assert "Belum ada file batas" not in text
    rows = indicator_table(user=alice, within_code="73.24", level="kecamatan", period=period, indicator="underweight")
    for row in rows:
        assert row.name in text and _one_decimal_id(row.r) in text
    # the chart itself: one geoshape path per kecamatan, in the class colours, labelled
    from tumbuh.maps.models import Boundary

    features = Boundary.objects.get(kabupaten_id="73.24", level=3).collection()["features"]
    shown = client.get(reverse("maps:map"), params).context["areas"]  # every kecamatan, those without data grey
    spec = charts.choropleth(features, shown, "uji")
    assert spec["layer"][0]["mark"]["type"] == "geoshape" and len(spec["layer"][0]["data"]["values"]) == 11
    with translation.override("id"):
        svg = charts.svg(spec)
    assert svg.count("<path") >= 11
    assert all(a.colour.lower() in svg.lower() for a in shown)
    assert "Malili" in svg


def test_d3_winding_makes_exterior_rings_clockwise():
    import shapely.geometry

    ccw = grid_features(["73.24.04"])[0]["geometry"]
    assert shapely.geometry.shape(ccw).exterior.is_ccw
    assert not shapely.geometry.shape(charts.d3_winding(ccw)).exterior.is_ccw


def test_map_offers_months_and_years(client, alice):
    client.force_login(alice)
    r = client.get(reverse("maps:map"), {"within": "73.24", "level": "kecamatan", "period": "Y2025"})
    assert r.status_code == 200
    body = r.content.decode()
    assert 'value="Y2025" selected' in body and 'value="M2025-08"' in body and 'value="R2025-08"' in body
    data = client.get(reverse("maps:data"), {"within": "73.24", "level": "kecamatan", "period": "M2025-03"}).json()
    rows = indicator_table(
        user=alice, within_code="73.24", level="kecamatan", period=Period.parse("M2025-03"), indicator="stunting"
    )
    assert data["period"] == "M2025-03"
    assert {c: a["n"] for c, a in data["areas"].items() if a["n"]} == {
        row.code: row.n_measured for row in rows if row.n_measured
    }
    # a bad key falls back to the latest round
    assert client.get(reverse("maps:map"), {"period": "X"}).context["q"].period.kind == "round"


def test_boundaries_fixture_is_a_collection():
    assert b"FeatureCollection" in collection(grid_features(["73.24.04"]))


def test_new_strings_come_from_the_apps_own_catalogue(client, alice):
    """Strings added after the shared catalogue live in tumbuh/maps/locale; Django finds them
    there (installed apps' locale directories) and the Indonesian page shows them."""
    from pathlib import Path

    from django.utils.translation import gettext

    po = Path(__file__).resolve().parents[1] / "locale" / "id" / "LC_MESSAGES" / "django.po"
    assert 'msgid "Colour class"' in po.read_text(encoding="utf-8")
    shared = Path(__file__).resolve().parents[2] / "locale" / "id" / "LC_MESSAGES" / "django.po"
    assert 'msgid "Colour class"' not in shared.read_text(encoding="utf-8")
    with translation.override("id"):
        assert gettext("Colour class") == "Kelas warna"
    client.force_login(alice)  # Indonesian is the UI's default language
    r = client.get(reverse("maps:xlsx"), {"within": "73.24", "level": "kecamatan"})
    header = next(row for row in _cells(r.content) if row and row[0] == "Kode")
    assert "Kelas warna" in header and "Nilai (%)" in header


def test_map_says_how_fresh_its_figures_are(client, alice, settings):
    import datetime as dt

    # A stale period is recomputed on request once its figures are older than this: however
    # long ago the test database was built, this test sees "stale, not yet recomputed".
    settings.TUMBUH_AGGREGATE_MAX_AGE = 10**9

    from tumbuh.dashboards.tests.conftest import make_child, measure

    client.force_login(alice)
    period = latest_period(user=alice)
    r = client.get(reverse("maps:map"), {"within": "73.24", "period": period.key})
    assert r.context["fresh"].computed_at is not None and not r.context["fresh"].stale
    assert 'data-testid="freshness"' in r.content.decode()
    measure(
        make_child("73.24.04.2001", "Baru", birth=dt.date(2024, 1, 1)), period.start + dt.timedelta(days=3), zlen=-2.5
    )
    r = client.get(reverse("maps:map"), {"within": "73.24", "period": period.key})
    assert r.context["fresh"].stale and r.context["fresh"].pending == 1
