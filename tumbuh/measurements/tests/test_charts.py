"""WHO growth charts: SD curves from the engine's LMS tables, the child's points on top."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import numpy as np
import pytest

from tumbuh.growth.zscores import anthro_zscores
from tumbuh.measurements import charts
from tumbuh.measurements.models import Child, Measurement


def _child(sex=2, birth=dt.date(2023, 3, 1)):
    return Child(name="Grafik", sex=sex, birth_date=birth, desa_id="73.24.04.2010")


def _visits(child):
    rows = [(30, "4.1", "53.0", "l"), (180, "6.8", "64.0", "l"), (400, "8.5", "72.0", "l"), (800, "10.4", "83.0", "h")]
    return [
        Measurement(
            child=child, date=child.birth_date + dt.timedelta(days=d), weight=Decimal(w), lenhei=Decimal(h), position=p
        )
        for d, w, h, p in rows
    ]


@pytest.mark.parametrize("kind", ["lhfa", "wfa", "wfl", "wfh"])
def test_curves_are_the_inverse_of_the_engines_z_scores(kind):
    rows = charts.curve_rows(kind, 1)
    assert {r["sd"] for r in rows} == {"-3", "-2", "0", "+2", "+3"}
    for row in rows[:: max(1, len(rows) // 40)]:
        z = {"-3": -3, "-2": -2, "0": 0, "+2": 2, "+3": 3}[row["sd"]]
        if kind in ("lhfa", "wfa"):
            days = round(row["x"] * charts.DAYS_PER_MONTH)
            kw = {"age_days": np.array([float(days)])}
            if kind == "lhfa":
                kw |= {"lenhei": np.array([row["y"]]), "measure": np.array(["l" if days < 731 else "h"], dtype=object)}
                column = "zlen"
            else:
                kw |= {"weight": np.array([row["y"]])}
                column = "zwei"
        else:
            kw = {
                "age_days": np.array([300.0 if kind == "wfl" else 1000.0]),
                "weight": np.array([row["y"]]),
                "lenhei": np.array([row["x"]]),
                "measure": np.array(["l" if kind == "wfl" else "h"], dtype=object),
            }
            column = "zwfl"
        result = anthro_zscores(sex=np.array([1.0]), **kw)
        assert result[column][0] == pytest.approx(z, abs=0.01), (kind, row)


def test_median_is_the_tables_m():
    from tumbuh.growth import tables

    tab = tables.who2006("len")
    rows = [r for r in charts.curve_rows("lhfa", 2) if r["sd"] == "0" and r["x"] == 0]
    assert rows[0]["y"] == pytest.approx(tab.M[2 * tab.stride + 0], abs=1e-3)  # girls, day 0: 49.1 cm


def test_the_childs_page_has_three_kinds_of_chart_with_the_visits():
    child = _child()
    visits = _visits(child)
    kinds = {c.kind: c for c in charts.child_charts(child, visits, today=dt.date(2026, 6, 1))}
    assert set(kinds) == {"lhfa", "wfa", "wfl", "wfh"}  # visits before and after 24 months
    assert kinds["lhfa"].points == 4 and kinds["wfa"].points == 4
    assert kinds["wfl"].points == 3 and kinds["wfh"].points == 1
    assert kinds["lhfa"].spec["datasets"]["child"][3]["y"] == 83.0  # standing from 24 months: as measured
    assert kinds["wfl"].spec["datasets"]["child"][0]["x"] == 53.0
    layers = kinds["wfa"].spec["layer"]
    assert [layer["data"]["name"] for layer in layers] == ["curves", "labels", "child", "child"]
    assert layers[0]["encoding"]["color"]["scale"]["domain"] == ["-3", "-2", "0", "+2", "+3"]


def test_position_correction_on_the_length_chart():
    child = _child()
    m = Measurement(
        child=child,
        date=child.birth_date + dt.timedelta(days=400),
        weight=Decimal("8.5"),
        lenhei=Decimal("71.3"),
        position="h",
    )  # standing under 24 months: +0.7 cm
    assert charts.point_rows("lhfa", child, [m])[0]["y"] == 72.0


def test_the_svg_has_five_sd_curves_and_one_symbol_per_visit():
    child = _child(sex=1)
    chart = charts.child_charts(child, _visits(child), today=dt.date(2026, 6, 1))[0]
    svg = chart.svg()
    assert svg.startswith("<svg") and 'class="marks growth-chart"' in svg
    curves = re.search(r'<g class="mark-line role-mark layer_0_marks".*?</g>', svg, re.S)
    assert curves and svg.count('class="mark-line role-mark layer_0_marks"') == 5  # one line per SD
    symbols = re.search(r'<g class="mark-symbol role-mark layer_3_marks"[^>]*>(.*?)</g>', svg, re.S).group(1)
    assert symbols.count("<path ") == 4
    for sd in ("-3", "-2", "+2", "+3"):
        assert f">{sd}</text>" in svg


def test_a_screen_reader_hears_the_chart_title_in_the_page_language():
    # Vega describes every axis and point in English ("X-axis titled … for a linear scale");
    # the chart is one image named by its title.
    from django.utils import translation

    child = _child(sex=1)
    with translation.override("id"):
        chart = charts.child_charts(child, _visits(child), today=dt.date(2026, 6, 1))[0]
        svg = chart.svg()
    assert f'role="img" aria-label="{chart.title}' in svg
    assert "aria-roledescription" not in svg and "axis titled" not in svg and svg.count("aria-label") == 1


def test_no_visit_yet_still_draws_the_curves():
    child = _child(birth=dt.date(2026, 1, 1))
    kinds = [c.kind for c in charts.child_charts(child, [], today=dt.date(2026, 4, 11))]
    assert kinds == ["lhfa", "wfa", "wfl"]
    assert all(c.points == 0 for c in charts.child_charts(child, [], today=dt.date(2026, 4, 11)))
    # Two years on, the child is measured standing: the weight-for-height chart.
    assert [c.kind for c in charts.child_charts(child, [], today=dt.date(2028, 1, 2))] == ["lhfa", "wfa", "wfh"]


def _same_clip_ids(svg: str) -> str:
    # vl-convert numbers clip paths across the whole process (clip1, clip2 …): renumber by appearance.
    ids: dict[str, str] = {}
    return re.sub(r"clip\d+", lambda m: ids.setdefault(m.group(0), f"clip{len(ids)}"), svg)


def _random_children(n: int, seed: int = 11):
    import random

    rnd = random.Random(seed)
    for _ in range(n):
        birth = dt.date(2021, 1, 1) + dt.timedelta(days=rnd.randint(0, 1500))
        child = _child(sex=rnd.choice([1, 2]), birth=birth)
        days = sorted(rnd.sample(range(0, 1856), rnd.choice([1, 2, 3, 7, 15])))
        visits = [
            Measurement(
                child=child,
                date=birth + dt.timedelta(days=d),
                weight=Decimal(str(round((3 + d / 30.4 * 0.22) * rnd.uniform(0.5, 1.6), 2))),
                lenhei=Decimal(str(round((50 + d / 30.4 * 0.9) * rnd.uniform(0.85, 1.12), 1))),
                position=rnd.choice(["l", "h"]),
            )
            for d in days
        ]
        yield child, visits


def test_the_fast_chart_is_the_svg_vega_draws_for_the_whole_spec():
    # The child's page draws the WHO curves once per process and adds the child's line and points
    # itself; the result must be Vega's own drawing of the whole spec, to the character. The
    # random children include one-visit charts, visits on the same x, lengths outside the
    # weight-for-length range (clipped) and weights far outside the curves (the y axis grows).
    compared = 0
    for child, visits in _random_children(25):
        visits.append(
            Measurement(child=child, date=visits[-1].date + dt.timedelta(days=1), weight=Decimal("31.5"), lenhei=None)
        )
        for chart in charts.child_charts(child, visits, today=child.birth_date + dt.timedelta(days=1856)):
            assert _same_clip_ids(chart.svg()) == _same_clip_ids(charts.render_svg(chart.spec)), chart.kind
            compared += 1
    assert compared >= 75


def test_the_curves_are_drawn_once_per_chart_kind_and_not_per_child(monkeypatch):
    import vl_convert

    calls = []
    real = vl_convert.vegalite_to_svg
    monkeypatch.setattr(vl_convert, "vegalite_to_svg", lambda *a, **k: calls.append(1) or real(*a, **k))
    monkeypatch.setattr(charts, "_BACKGROUNDS", {})
    girls = [
        c
        for c in _random_children(40, seed=3)
        if c[0].sex == 2 and c[1][-1].date - c[0].birth_date > dt.timedelta(days=700)
    ]
    svgs = []
    for child, visits in girls[:6]:
        for chart in charts.child_charts(child, visits, today=child.birth_date + dt.timedelta(days=1856)):
            if chart.kind == "lhfa":
                svgs.append(chart.svg())
    assert len(svgs) == 6 and len(set(svgs)) == 6  # each child's own points
    assert len(calls) < 6  # a background per y range, not a Vega run per child


def test_the_y_axis_is_vegas_nice_domain():
    assert charts.nice_domain(44.2, 123.7) == [40, 130]
    assert charts.nice_domain(2.1, 27.3) == [2, 28]
    assert charts.nice_domain(1.92, 2.37) == [1.9, 2.4]
    # The explicit domain draws what Vega draws when left to find it ("zero": false, nice).
    child, visits = next(_random_children(1, seed=5))
    for chart in charts.child_charts(child, visits, today=child.birth_date + dt.timedelta(days=1856)):
        spec = json.loads(json.dumps(chart.spec))
        spec["layer"][0]["encoding"]["y"]["scale"] = {"zero": False}
        assert _same_clip_ids(charts.render_svg(spec)) == _same_clip_ids(charts.render_svg(chart.spec)), chart.kind
