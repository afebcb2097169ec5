"""The phone's growth engine (static/offline/growth.js) gives the server's results.

Run under Node (``/usr/bin/node``); where Node is missing, in chromium through Playwright (and
``test_js_growth_browser.py`` runs the same checks in chromium in the browser part of the suite).
Without either, the tests skip, except in CI (``TUMBUH_REQUIRE_BROWSER``), where they fail.

1. Every WHO reference row the Python engine's agreement test uses
   (tumbuh/growth/tests/reference, WHO's own R code): the same z-scores rounded to 2 decimals,
   flags, cleaned columns, Permenkes categories and reason codes on every row.
2. A few thousand random visits, heavy on the edges (ages 0, 90/91, 273/274, 730/731, 1826/1827,
   1856/1857 days; lengths at the ends of the WFL/WFH tables after the ±0.7 cm correction;
   oedema; missing values), against ``tumbuh.measurements.scoring.score_columns``: every
   computed field of a Measurement.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from tumbuh.core.testing import require_or_skip
from tumbuh.growth import classify, tables, webtables
from tumbuh.growth.tests._reference import REF, num, read_csv_text
from tumbuh.growth.zscores import anthro_zscores, r_round

GROWTH_JS = Path(__file__).resolve().parents[1] / "static" / "offline" / "growth.js"
NODE = shutil.which("node")
Z = ("len", "wei", "wfl", "bmi", "hc", "ac")

#: Runs in Node and in the browser: ``run(G, payload)`` → results (NaN becomes null in JSON).
RUNNER = """
function run(G, p) {
  var before = {loaded: G.tablesLoaded(), errors: []};
  try { G.assess({sex: 1}); } catch (e) { before.errors.push(e.message); }
  try { G.setTables({format: 2}); } catch (e) { before.errors.push(e.message); }
  G.setTables(p.tables);
  var names = ["len", "wei", "wfl", "bmi", "hc", "ac"];
  var anthro = p.anthro.map(function (row) {
    var r = G.anthro(row);
    var out = {reason: r.reason, clenhei: r.clenhei, cmeasure: r.cmeasure, c9mo_flag: r.c9mo_flag,
               cbmi: r.cbmi, csex: r.csex};
    names.forEach(function (n) {
      out["z" + n] = r["z" + n];
      out["r" + n] = G.rRound2(r["z" + n]);
      out["f" + n] = r["f" + n];
    });
    var st = G.statuses(r, r.reasons.indexOf("oedema") >= 0);
    for (var k in st) out[k] = st[k];
    return out;
  });
  var assess = p.assess.map(function (v) {
    var a = G.assess(v);
    names.forEach(function (n) { a["r" + n] = a["z" + n] === null ? null : G.rRound2(a["z" + n]); });
    return a;
  });
  var rounded = p.round.map(function (x) { return G.rRound2(x); });
  return {anthro: anthro, assess: assess, round: rounded, loaded: G.tablesLoaded(), before: before};
}
"""
NODE_MAIN = """
var G = require(process.argv[1]);
var input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", function (c) { input += c; });
process.stdin.on("end", function () {
  process.stdout.write(JSON.stringify(run(G, JSON.parse(input))));
});
"""


def run_js(request, payload: dict, *, engine: str | None = None) -> dict:
    """Run growth.js on ``payload`` ({"anthro": rows, "assess": visits}) with the served tables,
    under Node, or in chromium (``engine="chromium"``, or when Node is missing)."""
    payload = {"tables": webtables.phone_tables(), "anthro": [], "assess": [], "round": [], **payload}
    if engine is None:
        engine = "node" if NODE else "chromium"
    if engine == "node":
        require_or_skip(bool(NODE), "node not found (apt-get install nodejs)")
        done = subprocess.run(  # noqa: S603 (our own script, no shell)
            [str(NODE), "-e", RUNNER + NODE_MAIN, str(GROWTH_JS)],
            input=json.dumps(payload),
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)
    browser = request.getfixturevalue("browser")  # skips without chromium, fails in CI
    page = browser.new_page()
    try:
        page.add_script_tag(content=GROWTH_JS.read_text())
        return page.evaluate("(p) => { " + RUNNER + " return run(window.TumbuhGrowth, p); }", payload)
    finally:
        page.close()


def _none(x: float) -> float | None:
    return None if x != x else float(x)


def _nan(values) -> np.ndarray:
    return np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)


def _same(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a == b) | (np.isnan(a) & np.isnan(b))


def _flags(values) -> np.ndarray:
    return np.array([np.nan if v is None else float(v) for v in values])


# ---------------------------------------------------------------- 1. WHO's reference rows


def reference_rows():
    """WHO's input rows, as the phone engine's ``anthro`` takes them, and the Python engine's
    own answer for them (with the indicators the phone has)."""
    inp = read_csv_text(REF / "anthro_inputs.csv")
    who = read_csv_text(REF / "anthro_who.csv.gz")
    assert (who["id"] == inp["id"]).all()
    months = inp["age_unit"] == "months"
    age = num(inp["age"])
    cols = {k: num(inp[k]) for k in ("weight", "lenhei", "headc", "armc")}
    rows = [
        {
            "sex": inp["sex"][i],
            "age_days": None if months[i] else _none(age[i]),
            "age_months": _none(age[i]) if months[i] else None,
            "measure": inp["measure"][i],
            "oedema": inp["oedema"][i],
            **{k: _none(v[i]) for k, v in cols.items()},
        }
        for i in range(len(age))
    ]
    ours = anthro_zscores(
        sex=inp["sex"],
        age_days=np.where(months, np.nan, age),
        age_months=np.where(months, age, np.nan),
        weight=cols["weight"],
        lenhei=cols["lenhei"],
        measure=inp["measure"],
        oedema=inp["oedema"],
        headc=cols["headc"],
        armc=cols["armc"],
    )
    return inp, who, rows, ours


@pytest.fixture(scope="module")
def reference(request):
    inp, who, rows, ours = reference_rows()
    got = run_js(request, {"anthro": rows})
    return inp, who, ours, got["anthro"]


def check_reference(inp, who, ours, got) -> None:
    """Every check of part 1 (shared with the chromium run)."""
    assert len(got) == len(inp["id"]) > 20_000

    def col(name):
        return np.array([np.nan if r[name] is None else r[name] for r in got], dtype=np.float64)

    def report(bad):
        return [{k: inp[k][i] for k in inp} for i in bad[:5]]

    for z in Z:
        want = num(who["z" + z])
        assert np.isfinite(want).sum() > 2_000, z  # the rows exercise every indicator
        bad = np.flatnonzero(~_same(col("r" + z), want))  # the JS's own rounding (R's rule)
        assert bad.size == 0, (z, report(bad))
        bad = np.flatnonzero(~_same(r_round(col("z" + z), 2), want))
        assert bad.size == 0, (z, report(bad))
        bad = np.flatnonzero(~_same(col("f" + z), num(who["f" + z])))
        assert bad.size == 0, ("f" + z, report(bad))
        full = num(who["z" + z + "_full"])
        assert np.nanmax(np.abs(col("z" + z) - full)) <= 1e-9, z
    for c in ("clenhei", "csex", "c9mo_flag"):
        bad = np.flatnonzero(~_same(col(c), num(who[c])))
        assert bad.size == 0, (c, report(bad))
    assert [r["cmeasure"] or "" for r in got] == list(who["cmeasure"])
    weight = num(inp["weight"])
    cbmi_bad = ~_same(col("cbmi"), num(who["cbmi"]))
    assert (weight[cbmi_bad] < 0).all()  # WHO's BMI of a negative weight; ours is missing, as in Python
    # Reason codes and Permenkes categories: the Python engine's, row by row.
    reasons = ours["reason"]
    bad = [i for i in range(len(got)) if got[i]["reason"] != reasons[i]]
    assert not bad, [(inp["id"][i], got[i]["reason"], reasons[i]) for i in bad[:5]]
    status = classify.classify_anthro(ours)
    for column, codes in status.items():
        bad = [i for i in range(len(got)) if got[i][column] != codes[i]]
        assert not bad, (column, [(inp["id"][i], got[i][column], codes[i]) for i in bad[:5]])
        assert len(set(codes.tolist())) >= 5, column  # categories, implausible and None all occur
    # The Python categories are those of WHO's own rounded z and flags.
    oedema = (ours["reason_mask"] & (1 << 15)) != 0
    for ind in classify.ANTHRO_INDICATORS:
        zc = classify.Z_COLUMN[ind]
        want = classify.classify(num(who[zc]), ind, num(who["f" + zc[1:]]), oedema)
        assert (want == status[classify.CATEGORY_COLUMN[ind]]).all(), ind


def test_js_matches_who_and_the_python_engine_on_every_reference_row(reference):
    check_reference(*reference)


def test_reference_rows_reach_the_edges(reference):
    inp, who, ours, got = reference
    reasons = {code for r in got for code in r["reason"].split(";") if code}
    for code in ("oedema", "wfl_out_of_range", "standing_under_9mo", "age_out_of_range", "age_under_91_days"):
        assert code in reasons, code
    for z in Z:
        assert sum(1 for r in got if r["f" + z] == 1) > 5, z
        assert sum(1 for r in got if r["z" + z] is not None and abs(r["z" + z]) > 3) > 50, z


# ---------------------------------------------------------------- 2. random visits vs score_columns

EDGE_AGES = [0, 1, 90, 91, 92, 273, 274, 729, 730, 731, 732, 1825, 1826, 1827, 1855, 1856, 1857, 1900]
EDGE_LENGTHS = [44.3, 44.9, 45.0, 45.1, 45.7, 64.3, 64.9, 65.0, 65.6, 86.3, 86.9, 87.0]
EDGE_LENGTHS += [109.3, 109.95, 110.0, 110.1, 110.7, 119.3, 120.0, 120.1, 120.7]


def _median(name: str, sex: np.ndarray, age: np.ndarray, column: str = "M") -> np.ndarray:
    tab = tables.who2006(name)
    day = np.clip(age, tab.start, tab.stop)
    return getattr(tab, column)[sex * tab.stride + (day - tab.start)]


def random_visits(n: int = 4000, seed: int = 16):
    """Visits as the phone sends them to assess(), and the same as score_columns' columns."""
    rng = np.random.default_rng(seed)
    sex = rng.integers(1, 3, n)
    birth = dt.date(2019, 1, 1).toordinal() + rng.integers(0, 2400, n)
    age = np.where(rng.random(n) < 0.4, rng.choice(EDGE_AGES, n), rng.integers(0, 1901, n))
    visit = birth + age

    def heavy(scale):  # z-like spread with heavy tails: many |z| > 3, some beyond the flag limits
        return rng.standard_t(3, n) * scale

    lenhei = np.round(_median("len", sex, age) * (1 + 0.04 * heavy(1.3)), 1)
    edge = rng.random(n) < 0.15
    lenhei[edge] = rng.choice(EDGE_LENGTHS, edge.sum())
    weight = np.round(_median("wei", sex, age) * np.exp(0.13 * heavy(1.4)), 2)
    muac = np.round(_median("ac", sex, age) * (1 + 0.09 * heavy(1.3)), 1)
    headc = np.round(_median("hc", sex, age) * (1 + 0.035 * heavy(1.3)), 1)
    position = rng.choice(np.array(["l", "h", None], dtype=object), n, p=[0.45, 0.45, 0.10])
    oedema = rng.random(n) < 0.05
    for arr, p in ((weight, 0.05), (lenhei, 0.05), (muac, 0.4), (headc, 0.4)):
        arr[rng.random(n) < p] = np.nan
    weight[rng.random(n) < 0.003] = 0.0  # the engine's "nonpositive" reasons (never from the form)
    muac[rng.random(n) < 0.003] = -1.0
    columns = {
        "sex": sex.astype(np.float64),
        "birth": birth,
        "visit": visit,
        "weight": weight,
        "lenhei": lenhei,
        "position": position,
        "oedema": oedema,
        "muac": muac,
        "headc": headc,
    }
    upper = rng.random(n) < 0.5  # the phone may send "L"/"H"
    visits = [
        {
            "sex": int(sex[i]),
            "birth_date": dt.date.fromordinal(int(birth[i])).isoformat(),
            "date": dt.date.fromordinal(int(visit[i])).isoformat(),
            "weight": _none(weight[i]),
            "lenhei": _none(lenhei[i]),
            "position": "" if position[i] is None else (position[i].upper() if upper[i] else position[i]),
            "oedema": bool(oedema[i]),
            "muac": _none(muac[i]),
            "headc": _none(headc[i]),
        }
        for i in range(n)
    ]
    return visits, columns


@pytest.fixture(scope="module")
def visits(request):
    from tumbuh.measurements.scoring import score_columns

    phone, columns = random_visits()
    server = score_columns(**columns)
    got = run_js(request, {"assess": phone})
    assert got["loaded"] is True
    return phone, server, got["assess"]


def check_visits(phone, server, got) -> None:
    from tumbuh.measurements.scoring import COMPUTED_FIELDS, FLAG_FIELDS, STATUS_FIELDS, Z_FIELDS

    n = len(phone)
    assert len(got) == n
    assert set(got[0]) >= set(COMPUTED_FIELDS)
    assert [g["age_days"] for g in got] == server["age_days"].astype(int).tolist()
    for field in Z_FIELDS:
        js = _nan(g[field] for g in got)
        py = server[field]
        assert (np.isnan(js) == np.isnan(py)).all(), field
        bad = np.flatnonzero(~_same(r_round(js, 2), r_round(py, 2)))
        assert bad.size == 0, (field, [phone[i] for i in bad[:3]])
        bad = np.flatnonzero(~_same(_nan(g["r" + field[1:]] for g in got), r_round(py, 2)))
        assert bad.size == 0, (field, [phone[i] for i in bad[:3]])
        assert np.nanmax(np.abs(js - py)) <= 1e-9, field
    for field in FLAG_FIELDS:
        bad = np.flatnonzero(~_same(_flags(g[field] for g in got), server[field]))
        assert bad.size == 0, (field, [phone[i] for i in bad[:3]])
        assert all(g[field] in (True, False, None) for g in got)
    for field in STATUS_FIELDS + ("engine_reason",):
        bad = [i for i in range(n) if got[i][field] != server[field][i]]
        assert not bad, (field, [(phone[i], got[i][field], server[field][i]) for i in bad[:3]])


def test_js_assess_equals_score_columns_on_random_visits(visits):
    check_visits(*visits)


def test_random_visits_cover_the_edges(visits):
    phone, server, got = visits
    reasons = {code for r in got for code in r["engine_reason"].split(";") if code}
    for code in (
        "oedema",
        "weight_missing",
        "lenhei_missing",
        "weight_nonpositive",
        "armc_nonpositive",
        "wfl_out_of_range",
        "standing_under_9mo",
        "age_out_of_range",
        "age_under_91_days",
    ):
        assert code in reasons, code
    for column, ind in (("status_tbu", "tbu"), ("status_bbu", "bbu"), ("status_bbtb", "bbtb"), ("status_imtu", "imtu")):
        assert {g[column] for g in got} == set(classify.categories(ind)) | {None}, column
    ages = {g["age_days"] for g in got}
    assert set(EDGE_AGES) <= ages
    # Both tables of weight-for-length/height are used right up to their ends.
    assert any(g["age_days"] < 731 and v["lenhei"] == 110.0 and g["zwfl"] is not None for v, g in zip(phone, got))
    assert any(g["age_days"] >= 731 and v["lenhei"] == 120.0 and g["zwfl"] is not None for v, g in zip(phone, got))


# ---------------------------------------------------------------- the small cases, by hand


def test_js_rounds_like_r_on_its_ties_and_their_neighbours(request):
    # reference/r_round.csv: what R's round(x, 2) gave for exact .xx5 ties, their float
    # neighbours and random values (the Python engine's test of r_round uses the same file).
    d = np.loadtxt(REF / "r_round.csv", delimiter=",", skiprows=1)
    x = np.concatenate([d[:, 0], -d[:, 0], [-5.985, -5.7250000000000005, 0.0, 2.0**43 + 0.5]])
    want = np.concatenate([d[:, 1], -d[:, 1], [-5.98, -5.73, 0.0, 2.0**43 + 0.5]])
    got = np.array(run_js(request, {"round": x.tolist()})["round"])
    bad = np.flatnonzero(got != want)
    assert len(x) > 24_000 and bad.size == 0, list(zip(x[bad][:5], got[bad][:5], want[bad][:5]))


def test_a_hand_made_visit_and_what_a_missing_table_does(request):
    visit = {
        "sex": 1,
        "birth_date": "2023-01-15",
        "date": "2024-03-02",
        "weight": 9.1,
        "lenhei": 74.2,
        "position": "L",
        "oedema": False,
        "muac": 13.5,
        "headc": 45.2,
    }
    oedema = {**visit, "oedema": True, "birth_date": "2024-02-30", "position": "x", "weight": "9,1"}
    got = run_js(request, {"assess": [visit, oedema]})["assess"]
    assert got[0]["age_days"] == 412 and got[0]["engine_reason"] == ""
    assert (got[0]["rlen"], got[0]["rwei"], got[0]["rwfl"]) == (-1.36, -0.85, -0.31)
    assert got[0]["status_tbu"] == "normal" and got[0]["status_bbtb"] == "gizi_baik"
    # A date that does not exist is a missing age; oedema puts the weight-based indicators at
    # their most severe category even without a z; an unknown position is dropped (and said so).
    assert got[1]["age_days"] is None and got[1]["zlen"] is None
    assert got[1]["engine_reason"] == "age_missing;measure_invalid;oedema"
    assert (got[1]["status_bbu"], got[1]["status_bbtb"], got[1]["status_tbu"]) == (
        "bb_sangat_kurang",
        "gizi_buruk",
        None,
    )


def test_growth_js_is_plain_old_javascript():
    """Old phones: ES5 syntax (no arrow functions, let/const, classes, template strings,
    optional chaining, modules), no eval, no dependencies, no network."""
    src = GROWTH_JS.read_text()
    code = re.sub(r"/\*.*?\*/|//[^\n]*", "", src, flags=re.S)
    for pattern in (r"=>", r"\blet\s", r"\bconst\s", r"\bclass\s", "`", r"\?\.", r"\?\?", r"\bimport\b", r"\bexport\b"):
        assert not re.search(pattern, code), pattern
    for forbidden in ("eval(", "Function(", "require(", "fetch(", "XMLHttpRequest", "setTimeout("):
        assert forbidden not in code, forbidden
    assert len(src.encode()) < 30_000


def test_assess_before_the_tables_are_loaded_fails_loudly(request):
    got = run_js(request, {})
    assert got["before"] == {
        "loaded": False,
        "errors": ["TumbuhGrowth: call setTables first", "unknown WHO tables format"],
    }
    assert got["loaded"] is True
