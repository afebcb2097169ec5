"""The public map of a published round: anonymous, from the published snapshot only, and never
showing a figure the public table hides (one suppression decision for the table, the CSV and
the map, with the posyandu as the children of their desa)."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tumbuh.accounts import policy
from tumbuh.audit.actions import do_save
from tumbuh.dashboards.aggregates import compute_rows, latest_period
from tumbuh.dashboards.periods import Period
from tumbuh.demo.boundaries import build_demo_map
from tumbuh.demo.generator import SEED
from tumbuh.measurements.models import Measurement
from tumbuh.organisation.models import Posyandu
from tumbuh.publik.data import MAP_INDICATOR, compute_snapshot, public_table
from tumbuh.publik.models import PublishedRound
from tumbuh.publik.suppression import MIN_N

pytestmark = pytest.mark.django_db

MALILI = "73.24.04"
SMALL_TEXT = f"&lt;{MIN_N} anak diukur"  # the table's words, as HTML writes them
COMPLEMENTARY_TEXT = "disembunyikan agar wilayah kecil tidak dapat dihitung"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    from tumbuh.maps.models import _read_collection

    _read_collection.cache_clear()


@pytest.fixture
def mapped(media):
    """Luwu Timur with the demo's synthetic desa boundaries and every posyandu located."""
    build_demo_map(SEED)


def _publish(alice, period: Period, snapshot: dict | None = None) -> PublishedRound:
    return PublishedRound.objects.create(
        kabupaten_id="73.24",
        period=period.key,
        published_at=timezone.now(),
        by=alice,
        figures=snapshot or compute_snapshot("73.24", period),
    )


def _map(client, period: Period) -> dict:
    response = client.get(reverse("publik:map_data", args=["73.24", period.key]))
    assert response.status_code == 200
    assert "public" in response["Cache-Control"] and not response.cookies
    return response.json()


def _row_html(body: str, code: str) -> str:
    match = re.search(rf'<tr data-code="{re.escape(code)}">(.*?)</tr>', body, re.S)
    assert match, code
    return match.group(1)


def _no_figure(item: dict) -> bool:
    return all(item[k] is None for k in ("n", "cases", "value", "ll", "ul")) and not any(
        item[k] for k in ("value_text", "ll_text", "ul_text")
    )


def test_the_snapshot_keeps_the_located_posyandu_with_their_figures(alice, mapped):
    period = latest_period(user=alice)
    snapshot = compute_snapshot("73.24", period)
    located = Posyandu.objects.filter(desa__kabupaten_code="73.24", is_active=True, latitude__isnull=False)
    assert len(snapshot["posyandu"]) == located.count() > 300 and snapshot["posyandu_unlocated"] == 0
    by_code = {p["code"]: p for p in snapshot["posyandu"]}
    one = located.filter(desa__kecamatan_code=MALILI).first()
    assert (
        by_code[f"posyandu:{one.pk}"]["lat"] == float(one.latitude)
        and by_code[f"posyandu:{one.pk}"]["desa"] == one.desa_id
    )
    live = compute_rows(
        Measurement.objects.filter(desa__kabupaten_code="73.24"),
        period=period,
        level="posyandu",
        indicator=MAP_INDICATOR,
    )
    assert live, "the test demo measures children at Malili's posyandu"
    for row in live:
        assert snapshot["figures"][MAP_INDICATOR][f"posyandu:{row.code}"][:2] == [row.n_measured, row.cases]
    # Only the map's indicator has posyandu figures: the other tables are decided as before.
    assert not any(k.startswith("posyandu:") for k in snapshot["figures"]["wasting"])


def test_anonymous_visitors_get_the_map_with_nothing_the_table_hides(client, alice, mapped):
    """A desa or posyandu with fewer than 10 children measured has no figure in the page's HTML
    nor in the JSON the map draws from; the map hides exactly what the table hides."""
    period = latest_period(user=alice)
    published = _publish(alice, period)
    page = client.get(reverse("publik:round", args=["73.24", period.key]))
    assert page.status_code == 200 and not page.cookies
    body = page.content.decode()
    assert 'data-testid="public-map"' in body and reverse("publik:map_data", args=["73.24", period.key]) in body
    assert re.findall(r'<script src="([^"]+)"', body) == ["/static/vendor/leaflet/leaflet.js", "/static/maps/map.js"]
    assert not re.search(r'(?:src|href)="https?://', body)  # nothing from a CDN
    assert "batas desa ini sintetis" in body  # the demo's boundaries say what they are

    data = _map(client, period)
    table = public_table(published.figures)
    desa = {d.code: d.cells[MAP_INDICATOR] for d in table.desa()}
    assert set(data["areas"]) == set(desa) and len(data["boundaries"]["features"]) == 128
    small_desa = [c for c, cell in desa.items() if 0 < cell.n < MIN_N]
    assert small_desa, "the test demo has a desa with few children measured in the round"
    for code, cell in desa.items():
        area = data["areas"][code]
        assert bool(area["suppressed"]) == cell.hidden, code
        if cell.hidden:
            assert _no_figure(area) and area["suppressed_text"] in (f"<{MIN_N} anak diukur", COMPLEMENTARY_TEXT)
            row = _row_html(body, code)
            assert 'data-suppressed="small"' in row or 'data-suppressed="complementary"' in row
        elif cell.n:
            assert area["n"] == cell.n and area["value"] == float(
                Decimal(repr(cell.r)).quantize(Decimal("0.1"), rounding="ROUND_HALF_UP")
            )
    for code in small_desa:
        assert _no_figure(data["areas"][code]) and data["areas"][code]["suppressed"] == "small"
        row = _row_html(body, code)
        assert SMALL_TEXT in row and "%" not in row.split("</td>", 2)[1]  # the stunting cell: words, no figure

    # The posyandu: what the rule hides has no figure, the rest their published one.
    snapshot_figures = published.figures["figures"][MAP_INDICATOR]
    points = {(p["name"], p["desa"], p["lat"], p["lon"]): p for p in data["points"]}
    assert len(points) == len(published.figures["posyandu"])
    small = shown = 0
    for p in published.figures["posyandu"]:
        point = points[(p["name"], data["areas"][p["desa"]]["name"], p["lat"], p["lon"])]
        n = (snapshot_figures.get(p["code"]) or [0])[0]
        if 0 < n < MIN_N:
            small += 1
            assert (
                _no_figure(point)
                and point["suppressed"] == "small"
                and point["suppressed_text"] == f"<{MIN_N} anak diukur"
            )
        elif point["suppressed"]:
            assert _no_figure(point) and point["suppressed"] == "complementary"
        elif n:
            shown += 1
            assert point["n"] == n and point["value"] is not None
    assert small and shown, "the test demo has both small and shown posyandu"
    # The JSON says nothing about a posyandu but its name, desa, place and its figure or why it has none.
    assert set(data["points"][0]) == {
        "id",
        "name",
        "desa",
        "lat",
        "lon",
        "n",
        "cases",
        "value",
        "ll",
        "ul",
        "value_text",
        "ll_text",
        "ul_text",
        "color",
        "class",
        "suppressed",
        "suppressed_text",
    }


def _crafted(alice, period: Period) -> PublishedRound:
    """Malili with four desa. Laskap (2002) has 4 children measured: hidden. Manurung (2004),
    the next smallest, is hidden so that Laskap cannot be worked out from Malili's total; its one
    posyandu measured the same 12 children, so that posyandu must be hidden too, or it would give
    Manurung away. In Atue (2001), one of two posyandu measured 3 children: hidden, and the other
    with it (Atue's total would give it away). Wewangriu (2005) has a single posyandu with 6 of its
    30: hidden, and with no second posyandu to hide, Wewangriu itself, in the table as well."""
    snapshot = compute_snapshot("73.24", period)
    posyandu = {
        p.desa_id: list(p_ for p_ in Posyandu.objects.filter(desa_id=p.desa_id).order_by("pk"))
        for p in Posyandu.objects.filter(desa_id__in=["73.24.04.2001", "73.24.04.2004", "73.24.04.2005"])
    }
    atue1, atue2 = posyandu["73.24.04.2001"][:2]
    manurung, wewangriu = posyandu["73.24.04.2004"][0], posyandu["73.24.04.2005"][0]
    snapshot["posyandu"] = [
        {"code": f"posyandu:{p.pk}", "name": p.name, "desa": p.desa_id, "lat": -2.6, "lon": 121.0 + i / 100}
        for i, p in enumerate([atue1, atue2, manurung, wewangriu])
    ]
    desa = {"73.24.04.2001": (25, 5), "73.24.04.2002": (4, 3), "73.24.04.2004": (12, 3), "73.24.04.2005": (30, 6)}
    figures = {}
    for indicator in ("stunting", "wasting", "underweight"):
        per = {code: [n, c, 100 * c / n, 1.0, 60.0] for code, (n, c) in desa.items()}
        per[MALILI] = [71, 17, 100 * 17 / 71, 15.0, 35.0]
        per["73.24.06"] = [200, 40, 20.0, 15.0, 26.0]
        per["73.24"] = [271, 57, 21.03, 17.0, 26.0]
        figures[indicator] = per
    figures["stunting"].update(
        {
            f"posyandu:{atue1.pk}": [3, 1, 33.3, 1.0, 80.0],
            f"posyandu:{atue2.pk}": [22, 4, 18.2, 7.0, 40.0],
            f"posyandu:{manurung.pk}": [12, 3, 25.0, 8.0, 55.0],
            f"posyandu:{wewangriu.pk}": [6, 1, 16.7, 1.0, 60.0],
        }
    )
    snapshot["figures"] = figures
    return _publish(alice, period, snapshot), {
        "atue1": atue1,
        "atue2": atue2,
        "manurung": manurung,
        "wewangriu": wewangriu,
    }


def test_one_decision_for_table_csv_and_map(client, alice, media):
    period = Period.round(2025, 8)
    published, p = _crafted(alice, period)
    data = _map(client, period)
    by_name = {(q["name"], q["desa"], q["lon"]): q for q in data["points"]}

    def point(key):
        snap = next(s for s in published.figures["posyandu"] if s["code"] == f"posyandu:{p[key].pk}")
        return by_name[(snap["name"], p[key].desa.name, snap["lon"])]

    assert data["areas"]["73.24.04.2002"]["suppressed"] == "small"
    assert data["areas"]["73.24.04.2004"]["suppressed"] == "complementary"
    # Manurung's posyandu measured Manurung's 12 children: shown, it would undo the table's hiding.
    assert point("manurung")["suppressed"] == "complementary" and _no_figure(point("manurung"))
    assert point("atue1")["suppressed"] == "small" and point("atue2")["suppressed"] == "complementary"
    assert data["areas"]["73.24.04.2001"]["n"] == 25  # Atue itself stays
    assert point("wewangriu")["suppressed"] == "small"
    assert data["areas"]["73.24.04.2005"]["suppressed"] == "complementary"
    # The table and the CSV agree with the map.
    body = client.get(reverse("publik:round", args=["73.24", period.key])).content.decode()
    assert COMPLEMENTARY_TEXT in _row_html(body, "73.24.04.2005").split("</td>", 2)[1]
    csv_text = client.get(reverse("publik:csv", args=["73.24", period.key])).content.decode()
    rows = {
        r["kode_wilayah"]: r
        for r in csv.DictReader(
            io.StringIO("\n".join(line for line in csv_text.splitlines() if not line.startswith("#")))
        )
    }
    assert (
        rows["73.24.04.2005"]["stunting_n_diukur"] == ""
        and rows["73.24.04.2005"]["stunting_keterangan"] == COMPLEMENTARY_TEXT
    )
    assert rows["73.24.04.2005"]["wasting_n_diukur"] == "30"  # the other indicators have no posyandu on the map
    # No sum of the published figures (district, kecamatan, desa, posyandu) has exactly one hidden figure.
    table = public_table(published.figures)
    cells = [a.cells[MAP_INDICATOR] for a in table.all_areas()] + [q.cell for q in table.posyandu]
    by_parent: dict[str, list] = {}
    for cell in cells:
        by_parent.setdefault(cell.parent_code, []).append(cell)
    for parent in cells:
        members = [parent, *by_parent.get(parent.code, [])]
        if len(members) > 1:
            assert sum(c.hidden for c in members) != 1, parent.code


def test_the_map_shows_what_was_published_not_what_is_live(client, alice, mapped):
    period = latest_period(user=alice)
    _publish(alice, period)
    before = _map(client, period)
    moved = Posyandu.objects.filter(desa__kecamatan_code=MALILI).order_by("pk").first()
    moved.latitude, moved.longitude = Decimal("-2.700000"), Decimal("121.100000")
    do_save(policy.SYSTEM, moved, reason="uji")
    Measurement.objects.filter(desa__kecamatan_code=MALILI, date__gte=period.start, date__lte=period.end).delete()
    after = _map(client, period)
    assert after["points"] == before["points"] and after["areas"] == before["areas"]


def test_a_round_published_before_posyandu_shows_the_desa_and_says_so(client, alice, mapped):
    period = latest_period(user=alice)
    snapshot = compute_snapshot("73.24", period)
    for key in ("posyandu", "posyandu_unlocated"):
        del snapshot[key]
    snapshot["version"] = 2
    for code in [c for c in snapshot["figures"]["stunting"] if c.startswith("posyandu:")]:
        del snapshot["figures"]["stunting"][code]
    _publish(alice, period, snapshot)
    body = client.get(reverse("publik:round", args=["73.24", period.key])).content.decode()
    assert 'data-testid="map-without-posyandu"' in body and "sebelum posyandu dimasukkan" in body
    data = _map(client, period)
    assert data["points"] == [] and len(data["areas"]) == 128 and data["boundaries"]["features"]


def test_without_boundaries_or_located_posyandu_the_page_is_its_tables(client, alice, media):
    period = latest_period(user=alice)
    _publish(alice, period)
    body = client.get(reverse("publik:round", args=["73.24", period.key])).content.decode()
    assert "public-map" not in body and "<script" not in body
    assert 'data-testid="table-desa"' in body


def test_only_located_posyandu_are_published_and_the_page_counts_the_rest(client, alice, media):
    located = list(Posyandu.objects.filter(desa__kecamatan_code=MALILI).order_by("pk")[:3])
    for i, p in enumerate(located):
        p.latitude, p.longitude = Decimal(f"-2.6{i}0000"), Decimal("121.050000")
        do_save(policy.SYSTEM, p, reason="uji")
    period = latest_period(user=alice)
    published = _publish(alice, period)
    rest = Posyandu.objects.filter(desa__kabupaten_code="73.24", is_active=True).count() - 3
    assert published.figures["posyandu_unlocated"] == rest
    body = client.get(reverse("publik:round", args=["73.24", period.key])).content.decode()
    assert 'data-testid="map-no-areas"' in body and f"{rest} posyandu belum punya lokasi" in body
    data = _map(client, period)
    assert len(data["points"]) == 3 and data["boundaries"] is None


def test_a_withdrawn_or_unpublished_round_has_no_map(client, alice, mapped):
    period = latest_period(user=alice)
    assert client.get(reverse("publik:map_data", args=["73.24", period.key])).status_code == 404
    published = _publish(alice, period)
    published.withdrawn_at = timezone.now()
    published.save()
    assert client.get(reverse("publik:map_data", args=["73.24", period.key])).status_code == 404
    assert client.get(reverse("publik:map_data", args=["73.99", period.key])).status_code == 404


def test_the_map_json_speaks_the_visitors_language(client, alice, mapped):
    period = latest_period(user=alice)
    _publish(alice, period)
    data = _map(client, period)
    texts = [a["value_text"] for a in data["areas"].values() if a["value_text"]]
    assert texts and all("," in t and "." not in t for t in texts if len(t) > 1)
    assert json.dumps(data, ensure_ascii=False).count("anak diukur") >= 1
