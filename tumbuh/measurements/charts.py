"""WHO growth charts as Vega-Lite specs, drawn from the growth engine's own LMS tables.

Vega-Lite is Tumbuh's one chart grammar: the spec built here is rendered to SVG on the
server (``vl-convert-python``, no JavaScript in the browser, no CDN) for the child's page and
the parent's summary, and the same spec can go into a PDF later.

The −3, −2, 0, +2 and +3 SD curves come from the inverse of the LMS transformation,
``value = M·(1 + L·S·z)^(1/L)`` (``M·exp(S·z)`` when L = 0), row by row of the WHO 2006 tables
that the engine scores with; the child's visits are drawn on top.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tumbuh.growth import tables

from .models import Child, Measurement, Position, Sex

DAYS_PER_MONTH = 30.4375
SD_LINES = (-3, -2, 0, 2, 3)
SD_NAMES = {-3: "-3", -2: "-2", 0: "0", 2: "+2", 3: "+3"}
SD_COLOURS = {-3: "#7f1d1d", -2: "#dc2626", 0: "#15803d", 2: "#dc2626", 3: "#7f1d1d"}
CHILD_COLOUR = "#1e3a8a"
POINT_SIZE = 45  # the area of a visit's point, in square pixels (Vega's symbol size)

#: chart kind → (engine table, x is age?)
KINDS = {"lhfa": "len", "wfa": "wei", "wfl": "wfl", "wfh": "wfh"}


def sd_value(L: np.ndarray, M: np.ndarray, S: np.ndarray, z: float) -> np.ndarray:
    """Inverse LMS: the measurement at z-score ``z``."""
    L, M, S = (np.asarray(a, dtype=np.float64) for a in (L, M, S))
    with np.errstate(invalid="ignore", divide="ignore"):
        box_cox = M * np.power(1.0 + L * S * z, 1.0 / np.where(L == 0, 1.0, L))
    return np.where(L == 0, M * np.exp(S * z), box_cox)


def _lms(table: str, sex: int, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    tab = tables.who2006(table)
    keys = np.asarray(keys, dtype=np.int64)
    idx = sex * tab.stride + (keys - tab.start)
    return tab.L[idx], tab.M[idx], tab.S[idx]


def curve_rows(kind: str, sex: int, x_max: float | None = None) -> list[dict]:
    """The SD curves of one chart as rows ``{"x", "y", "sd"}`` (x in months or cm)."""
    return list(_curve_rows(kind, sex, x_max))


@functools.lru_cache(maxsize=32)
def _curve_rows(kind: str, sex: int, x_max: float | None) -> tuple[dict, ...]:
    # The same few curves for every child: computed once (their rows are never changed).
    table = KINDS[kind]
    tab = tables.who2006(table)
    if kind in ("lhfa", "wfa"):
        months = np.arange(0, (x_max or 60) + 0.01, 0.5)
        days = {min(round(m * DAYS_PER_MONTH), tab.stop) for m in months}
        if kind == "lhfa" and (x_max or 60) >= 24:
            days |= {730, 731}  # the step where length (lying) becomes height (standing)
        keys = np.array(sorted(days))
        xs = keys / DAYS_PER_MONTH
    else:
        keys = np.arange(tab.start, tab.stop + 1, 5)  # every 0.5 cm
        xs = keys / 10.0
    L, M, S = _lms(table, sex, keys)
    rows = []
    for z in SD_LINES:
        ys = sd_value(L, M, S, z)
        rows.extend({"x": round(float(x), 3), "y": round(float(y), 3), "sd": SD_NAMES[z]} for x, y in zip(xs, ys))
    return tuple(rows)


def corrected_lenhei(m: Measurement) -> float | None:
    """Length/height as the engine uses it: +0.7 cm for standing under 24 months, −0.7 cm
    for lying from 24 months (WHO)."""
    if m.lenhei is None:
        return None
    value = float(m.lenhei)
    days = (m.date - m.child.birth_date).days
    if days < 731 and m.position == Position.STANDING:
        value += 0.7
    elif days >= 731 and m.position == Position.LYING:
        value -= 0.7
    return round(value, 1)


def wflh_kind(m: Measurement) -> str:
    """WHO: weight-for-length under 24 months, weight-for-height from 24 months."""
    return "wfl" if (m.date - m.child.birth_date).days < 731 else "wfh"


def point_rows(kind: str, child: Child, measurements: Sequence[Measurement]) -> list[dict]:
    """The child's visits that belong on this chart, as rows ``{"x", "y", "date"}``."""
    rows = []
    for m in sorted(measurements, key=lambda v: v.date):
        m.child = child
        days = (m.date - child.birth_date).days
        if days < 0 or days > 1856:
            continue
        lenhei = corrected_lenhei(m)
        weight = None if m.weight is None else float(m.weight)
        if kind == "lhfa":
            x, y = days / DAYS_PER_MONTH, lenhei
        elif kind == "wfa":
            x, y = days / DAYS_PER_MONTH, None if m.oedema else weight
        else:
            if wflh_kind(m) != kind:
                continue
            x, y = lenhei, None if m.oedema else weight
        if x is None or y is None:
            continue
        rows.append({"x": round(x, 2), "y": round(y, 2), "date": m.date.strftime("%d/%m/%Y")})
    return rows


def _tick_increment(start: float, stop: float, count: int) -> float:
    # d3-array's tickIncrement: a step of 1, 2 or 5 × 10^k giving about ``count`` ticks (negative
    # numbers stand for 1/step, as d3 keeps them exact).
    step = (stop - start) / max(0, count)
    power = math.floor(math.log10(step))
    error = step / 10**power
    factor = 10 if error >= math.sqrt(50) else 5 if error >= math.sqrt(10) else 2 if error >= math.sqrt(2) else 1
    return factor * 10**power if power >= 0 else -(10**-power) / factor


def nice_domain(start: float, stop: float, count: int = 10) -> list[float]:
    """The domain Vega gives a linear scale with ``nice: true`` (d3-scale's ``nice(10)``)."""
    if stop <= start:
        return [start, stop]
    previous = None
    for _attempt in range(10):
        step = _tick_increment(start, stop, count)
        if step == previous:
            break
        if step > 0:
            start, stop = math.floor(start / step) * step, math.ceil(stop / step) * step
        elif step < 0:
            start, stop = math.ceil(start * step) / step, math.floor(stop * step) / step
        else:
            break
        previous = step
    return [int(v) if float(v).is_integer() else v for v in (start, stop)]


@dataclass(frozen=True)
class Chart:
    kind: str
    title: str
    spec: dict

    @property
    def points(self) -> int:
        return len(self.spec["datasets"]["child"])

    def svg(self) -> str:
        return render_growth_svg(self.spec)


def _titles(kind: str, sex: int) -> tuple[str, str, str]:
    boy = sex == Sex.MALE
    if kind == "lhfa":
        title = _("Length/height-for-age (boys)") if boy else _("Length/height-for-age (girls)")
        return title, _("Age (months)"), _("Length/height (cm)")
    if kind == "wfa":
        title = _("Weight-for-age (boys)") if boy else _("Weight-for-age (girls)")
        return title, _("Age (months)"), _("Weight (kg)")
    if kind == "wfl":
        title = _("Weight-for-length, 0–2 years (boys)") if boy else _("Weight-for-length, 0–2 years (girls)")
        return title, _("Length, lying (cm)"), _("Weight (kg)")
    title = _("Weight-for-height, 2–5 years (boys)") if boy else _("Weight-for-height, 2–5 years (girls)")
    return title, _("Height, standing (cm)"), _("Weight (kg)")


def build_spec(
    kind: str, child: Child, measurements: Sequence[Measurement], width: int = 520, height: int = 320
) -> dict:
    """The Vega-Lite spec of one WHO chart for ``child`` with its visits on top."""
    points = point_rows(kind, child, measurements)
    if kind in ("lhfa", "wfa"):
        oldest = max((p["x"] for p in points), default=0)
        x_max = 24 if oldest < 21 else 60
        x_domain = [0, x_max]
        ticks = list(range(0, x_max + 1, 3 if x_max == 24 else 6))
    else:
        tab = tables.who2006(KINDS[kind])
        x_max = None
        x_domain = [tab.start / 10, tab.stop / 10]
        ticks = list(range(math.ceil(x_domain[0] / 5) * 5, int(x_domain[1]) + 1, 5))
    curves = curve_rows(kind, child.sex, x_max)
    if x_max is not None:
        curves = [r for r in curves if r["x"] <= x_max + 1e-9]
    last_x = max(r["x"] for r in curves)
    labels = [dict(r) for r in curves if r["x"] == last_x]
    title, x_title, y_title = _titles(kind, child.sex)
    x = {
        "field": "x",
        "type": "quantitative",
        "title": x_title,
        "scale": {"domain": x_domain, "nice": False},
        "axis": {"values": ticks, "grid": True},
    }
    # The y domain is explicit (Vega's own "nice" domain of the curves and the points), so that the
    # chart without the child's visits is the same for every child whose points fit in it: drawn
    # once and kept (see ``render_svg``).
    y_domain = nice_domain(
        min([r["y"] for r in curves] + [p["y"] for p in points]),
        max([r["y"] for r in curves] + [p["y"] for p in points]),
    )
    y = {
        "field": "y",
        "type": "quantitative",
        "title": y_title,
        "scale": {"domain": y_domain, "nice": False, "zero": False},
    }
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "description": f"{title}: WHO 2006, {len(points)}",
        "title": {"text": title, "anchor": "start", "fontSize": 14},
        "width": width,
        "height": height,
        "background": "white",
        "config": {
            "axis": {"labelFontSize": 11, "titleFontSize": 12, "gridColor": "#e5e7eb"},
            "view": {"stroke": "#9ca3af"},
        },
        "datasets": {"curves": curves, "labels": labels, "child": points},
        "layer": [
            {
                "data": {"name": "curves"},
                "mark": {"type": "line", "strokeWidth": 1.5, "clip": True},
                "encoding": {
                    "x": x,
                    "y": y,
                    "color": {
                        "field": "sd",
                        "type": "nominal",
                        "legend": None,
                        "scale": {
                            "domain": [SD_NAMES[z] for z in SD_LINES],
                            "range": [SD_COLOURS[z] for z in SD_LINES],
                        },
                    },
                    "strokeDash": {
                        "condition": {"test": "abs(toNumber(datum.sd)) == 3", "value": [5, 3]},
                        "value": [1, 0],
                    },
                },
            },
            {
                "data": {"name": "labels"},
                "mark": {"type": "text", "align": "left", "dx": 4, "fontSize": 10, "clip": False},
                "encoding": {
                    "x": {"field": "x", "type": "quantitative"},
                    "y": {"field": "y", "type": "quantitative"},
                    "text": {"field": "sd"},
                    "color": {"value": "#374151"},
                },
            },
            {
                "data": {"name": "child"},
                "mark": {"type": "line", "color": CHILD_COLOUR, "strokeWidth": 2, "clip": True},
                "encoding": {"x": {"field": "x", "type": "quantitative"}, "y": {"field": "y", "type": "quantitative"}},
            },
            {
                "data": {"name": "child"},
                "mark": {
                    "type": "point",
                    "filled": True,
                    "size": POINT_SIZE,
                    "color": CHILD_COLOUR,
                    "opacity": 1,
                    "clip": True,
                },
                "encoding": {
                    "x": {"field": "x", "type": "quantitative"},
                    "y": {"field": "y", "type": "quantitative"},
                    "tooltip": [{"field": "date", "title": _("Date")}, {"field": "y", "title": y_title}],
                },
            },
        ],
    }


def child_charts(
    child: Child, measurements: Sequence[Measurement], width: int = 520, height: int = 320, *, today: dt.date
) -> list[Chart]:
    """The charts of a child's page: length/height-for-age, weight-for-age, then
    weight-for-length (visits under 24 months) and/or weight-for-height (from 24 months);
    with no visit yet, the one that fits the child's age ``today``."""
    kinds = ["lhfa", "wfa"]
    for m in measurements:
        m.child = child
    wflh = [k for k in ("wfl", "wfh") if any(wflh_kind(m) == k for m in measurements)]
    if not wflh:
        wflh = ["wfl" if (today - child.birth_date).days < 731 else "wfh"]
    charts = []
    for kind in kinds + wflh:
        spec = build_spec(kind, child, measurements, width, height)
        charts.append(Chart(kind, spec["title"]["text"], spec))
    return charts


def render_svg(spec: dict) -> str:
    """The chart as SVG in the active language's number format.

    A screen reader hears the chart's title (its ``description``), not Vega's own English
    description of every axis and point ("X-axis titled … for a linear scale with values
    from 45 to 110"): guides and marks are left out of the accessibility tree."""
    locale = "id" if (get_language() or "id").startswith("id") else "en-US"
    title = spec.get("title")
    spec = {
        **spec,
        "description": spec.get("description") or (title.get("text") if isinstance(title, dict) else title) or "",
        "config": {**spec.get("config", {}), "aria": False},
    }
    return _render(json.dumps(spec, sort_keys=True), locale)


def render_growth_svg(spec: dict) -> str:
    """A growth chart as ``render_svg`` draws it, at a fraction of the cost.

    Vega renders the WHO curves, axes and labels of the spec without the child's visits: the same
    for every child of that sex, chart and age range (the y domain is explicit), so it is rendered
    once per process and kept. The child's line and points are then drawn into Vega's own empty
    layers with Vega's scales, paths and symbols, so the SVG equals what Vega draws for the whole
    spec (``tests/test_charts.py`` compares them). Rendering one spec costs 25–50 ms of CPU (a
    JavaScript engine); a child's page has three or four charts (docs/performance.md, Load)."""
    points = spec["datasets"]["child"]
    # Named by the title alone (the same for every child); the whole description goes in after.
    title = spec["title"]["text"]
    encoding = spec["layer"][0]["encoding"]
    # What tells one background from another: the title (chart, sex, language), the axes' domains
    # (the age range; the curves follow from these), the size and the number format.
    key = (
        title,
        tuple(encoding["x"]["scale"]["domain"]),
        tuple(encoding["y"]["scale"]["domain"]),
        spec["width"],
        spec["height"],
        get_language() or "",
    )
    svg = _BACKGROUNDS.get(key)
    if svg is None:
        svg = render_svg({**spec, "datasets": {**spec["datasets"], "child": []}, "description": title})
        if len(_BACKGROUNDS) >= 512:
            _BACKGROUNDS.clear()
        _BACKGROUNDS[key] = svg
    svg = svg.replace(f'aria-label="{escape(title)}"', f'aria-label="{escape(spec["description"])}"', 1)
    if not points:
        return svg
    line, symbols = _child_marks(spec, points)
    svg = CHILD_LINE_GROUP.sub(lambda m: f"{m.group(1)}>{line}</g>", svg, count=1)
    return CHILD_POINT_GROUP.sub(lambda m: f"{m.group(1)}>{symbols}</g>", svg, count=1)


#: Growth charts without a child, by what tells them apart (see ``render_growth_svg``); a few dozen.
_BACKGROUNDS: dict[tuple, str] = {}

#: The empty groups of the layers of ``build_spec`` that draw the child (the third and fourth), clipped
#: to the plot like the curves.
CHILD_LINE_GROUP = re.compile(r'(<g class="mark-line role-mark layer_2_marks"(?: clip-path="url\(#clip\d+\)")?)/>')
CHILD_POINT_GROUP = re.compile(r'(<g class="mark-symbol role-mark layer_3_marks"(?: clip-path="url\(#clip\d+\)")?)/>')


def _js_number(value: float) -> str:
    # How JavaScript prints a number (Vega's SVG attributes): the shortest repr, no ".0".
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _round3(value: float) -> float:
    # d3-path's rounding of coordinates (Math.round(x · 1000) / 1000: halves go up).
    return math.floor(value * 1000 + 0.5) / 1000


def _scale(domain: Sequence[float], lo: float, hi: float):
    # d3-scale's linear scale: normalise, then d3-interpolate's a·(1 − t) + b·t.
    d0, d1 = float(domain[0]), float(domain[1])
    span = d1 - d0
    return lambda v: lo * (1 - (t := (float(v) - d0) / span if span else 0.5)) + hi * t


def _child_marks(spec: dict, points: list[dict]) -> tuple[str, str]:
    layer = spec["layer"][0]["encoding"]
    x = _scale(layer["x"]["scale"]["domain"], 0.0, float(spec["width"]))
    y = _scale(layer["y"]["scale"]["domain"], float(spec["height"]), 0.0)
    xy = [(x(p["x"]), y(p["y"])) for p in points]
    # Vega-Lite's line joins the points in the order of x (a stable sort), at 3 decimals; one point
    # is a closed move. Its symbols stay in data order.
    path = "L".join(f"{_js_number(_round3(a))},{_js_number(_round3(b))}" for a, b in sorted(xy, key=lambda p: p[0]))
    path = f"M{path}Z" if len(xy) == 1 else f"M{path}"
    line = f'<path d="{path}" stroke="{CHILD_COLOUR}" stroke-width="2"/>'
    r = _js_number(_round3(math.sqrt(POINT_SIZE) / 2))  # Vega's circle symbol: its size is its area
    circle = f"M{r},0A{r},{r},0,1,1,-{r},0A{r},{r},0,1,1,{r},0"
    symbols = "".join(
        f'<path transform="translate({_js_number(a)},{_js_number(b)})" d="{circle}" fill="{CHILD_COLOUR}" '
        'stroke-width="2" opacity="1"/>'
        for a, b in xy
    )
    return line, symbols


#: d3-format's number locale for Indonesian (decimal comma, dot for thousands).
ID_NUMBER_LOCALE = {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["Rp", ""]}


@functools.lru_cache(maxsize=512)
def _render(spec_json: str, locale: str) -> str:
    import vl_convert as vlc

    svg = vlc.vegalite_to_svg(spec_json, format_locale=ID_NUMBER_LOCALE if locale == "id" else locale)
    # Vega describes each part in English ("Title text …", "group mark container"); the chart
    # is one image to a screen reader, named by its title in the page's language.
    svg = VEGA_ARIA.sub("", svg)
    label = escape(json.loads(spec_json).get("description", ""))
    # Scale with its container (the page, or an A4 sheet) instead of a fixed pixel size.
    return svg.replace(
        'class="marks"',
        f'class="marks growth-chart" preserveAspectRatio="xMinYMin meet" role="img" aria-label="{label}"',
        1,
    )


VEGA_ARIA = re.compile(r'\s(?:aria-roledescription|aria-label|aria-hidden|role)="[^"]*"')
