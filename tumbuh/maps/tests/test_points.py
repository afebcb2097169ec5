"""Posyandu as points: located posyandu on the map's JSON, page and exports with the dashboards'
posyandu figures, scoped by the policy; and a public map's points suppressed by the public
page's own rule."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tumbuh.accounts import policy
from tumbuh.audit.actions import do_save
from tumbuh.dashboards.aggregates import indicator_table, latest_period
from tumbuh.dashboards.tests.test_pdf import pdf_text, pdf_tools  # noqa: F401  (fixture)
from tumbuh.maps import points
from tumbuh.organisation.models import Posyandu

from .test_views import _media  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def locate(queryset, lat0=-2.50, lon0=121.00, step=0.01) -> list[Posyandu]:
    """Give each posyandu of ``queryset`` a location, through the audited action."""
    out = []
    for i, p in enumerate(queryset.order_by("pk")):
        p.latitude, p.longitude = Decimal(f"{lat0 - i * step:.6f}"), Decimal(f"{lon0 + i * step:.6f}")
        do_save(policy.SYSTEM, p, reason="uji lokasi")
        out.append(p)
    return out


@pytest.fixture
def malili_located(db):
    return locate(Posyandu.objects.filter(desa__kecamatan_code="73.24.04"))


def test_map_json_has_the_located_posyandu_with_the_dashboards_figures(client, alice, malili_located):
    client.force_login(alice)
    period = latest_period(user=alice)
    data = client.get(reverse("maps:data"), {"within": "73.24.04", "level": "desa", "period": period.key}).json()
    assert len(data["points"]) == len(malili_located) > 0
    rows = {
        r.code: r
        for r in indicator_table(
            user=alice, within_code="73.24.04", level="posyandu", period=period, indicator="stunting"
        )
    }
    with_figures = [p for p in data["points"] if str(p["id"]) in rows and rows[str(p["id"])].n_measured]
    assert with_figures, "the test demo measures children at Malili's posyandu"
    for p in data["points"]:
        row = rows.get(str(p["id"]))
        if row is None or not row.n_measured:
            assert p["value"] is None and p["n"] == 0
            continue
        assert p["n"] == row.n_measured and p["cases"] == row.cases and p["value"] == round(row.r, 1)
        assert p["color"].startswith("#") and p["desa"]
    located = {p.pk: p for p in malili_located}
    first = data["points"][0]
    assert (first["lat"], first["lon"]) == (float(located[first["id"]].latitude), float(located[first["id"]].longitude))


def test_points_are_scoped_like_everything_else(client, bob, charlie, malili_located):
    client.force_login(bob)  # the Balantang operator: only Balantang's posyandu
    data = client.get(reverse("maps:data"), {"within": "73.24", "level": "desa"}).json()
    ids = {p["id"] for p in data["points"]}
    assert ids == {p.pk for p in malili_located if p.desa_id == "73.24.04.2010"} and ids
    client.force_login(charlie)  # another district's admin: none
    assert client.get(reverse("maps:data"), {"level": "desa"}).json()["points"] == []


def test_map_page_counts_located_posyandu_and_draws_them_without_boundaries(client, alice, malili_located):
    client.force_login(alice)
    missing = Posyandu.objects.filter(desa__kabupaten_code="73.24", is_active=True, latitude__isnull=True).count()
    r = client.get(reverse("maps:map"), {"within": "73.24", "level": "desa"})
    body = r.content.decode()
    assert 'data-testid="posyandu-located"' in body
    located_line = body.split('data-testid="posyandu-located">')[1].split("</p>")[0]
    assert f"{len(malili_located)} posyandu punya lokasi" in located_line and f"{missing} belum punya" in located_line
    assert 'id="choropleth"' not in body  # no boundaries: the tile grid by default …
    r = client.get(reverse("maps:map"), {"within": "73.24", "level": "desa", "view": "map"})
    assert 'id="choropleth"' in r.content.decode()  # … and the points alone on request
    assert "Peta (posyandu saja)" in r.content.decode()


def test_map_xlsx_has_a_posyandu_sheet(client, alice, malili_located):
    client.force_login(alice)
    period = latest_period(user=alice)
    r = client.get(reverse("maps:xlsx"), {"within": "73.24.04", "level": "desa", "period": period.key})
    workbook = load_workbook(io.BytesIO(r.content))
    assert workbook.sheetnames == ["Peta", "Posyandu"]
    cells = [[c.value for c in row] for row in workbook["Posyandu"].iter_rows()]
    header_at = next(i for i, row in enumerate(cells) if row[0] == "Posyandu" and row[1] == "Kode")
    assert cells[header_at][4:6] == ["Lintang", "Bujur"]
    rows = cells[header_at + 1 :]
    by_name = {(row[0], row[2]): row for row in rows if row[0]}
    shown = client.get(reverse("maps:data"), {"within": "73.24.04", "level": "desa", "period": period.key}).json()[
        "points"
    ]
    assert len(by_name) == len(shown) == len(malili_located)
    for p in shown:
        row = by_name[(p["name"], p["desa"])]
        assert (row[4], row[5]) == (p["lat"], p["lon"]) and row[6] == p["n"]


def test_map_pdf_draws_and_lists_the_posyandu(client, alice, malili_located, pdf_tools, tmp_path):  # noqa: F811
    client.force_login(alice)
    period = latest_period(user=alice)
    r = client.get(reverse("maps:pdf"), {"within": "73.24.04", "level": "desa", "period": period.key})
    assert r.status_code == 200
    text = re.sub(r"[ \t]+", " ", pdf_text(r.content, tmp_path))
    shown = client.get(reverse("maps:data"), {"within": "73.24.04", "level": "desa", "period": period.key}).json()[
        "points"
    ]
    for p in shown:
        assert p["name"] in text
    assert "-2,5" in text and "121,0" in text  # the locations, decimal comma


def test_the_chart_puts_a_circle_per_posyandu():
    from tumbuh.maps import charts

    pts = [
        points.Point(1, "Posyandu Mawar", "", "73.24.04.2010", "Balantang", "Malili", -2.5, 121.0, 12, 3, 25.0),
        points.Point(2, "Posyandu Melati", "", "73.24.04.2011", "Atue", "Malili", -2.51, 121.01),
    ]
    spec = charts.choropleth([], [], "uji", posyandu=pts)
    layer = spec["layer"][-1]
    assert layer["mark"]["type"] == "circle" and len(layer["data"]["values"]) == 2
    assert layer["data"]["values"][0]["value"] == "25,0 %" and layer["data"]["values"][1]["value"] == "–"
    assert "<circle" in charts.svg(spec) or "<path" in charts.svg(spec)
