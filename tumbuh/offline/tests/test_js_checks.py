"""checks.js says what the online visit form says, word for word, in Indonesian and in English.

The oracles are the server's own functions, run on the same input:

- ``TumbuhChecks.checkVisit`` ← ``measurements.actions.check_measurement`` (the confirm step:
  ``validation.check_visit`` with the child's previous visit from the database, the growth
  engine's reasons, "nothing measured"); the ``field`` of each problem ← ``validation.check_visit``;
- ``TumbuhChecks.checkForm`` ← ``MeasurementForm(...).errors`` (the step before);
- ``statusWords``/``statusClass``/``formatZ``/``ageText`` ← the template filters ``status_label``,
  ``status_class``, ``zscore``, ``age_text``; ``formatNumber``/``formatMeasure`` ←
  ``tumbuh.core.numbers``.

The script runs under Node here (``/usr/bin/node``); ``test_js_checks_browser.py`` runs the same
grid in chromium.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation

from tumbuh.core.numbers import format_measure, format_number, round_figure
from tumbuh.core.testing import require_or_skip
from tumbuh.growth.classify import ANTHRO_INDICATORS, LABELS
from tumbuh.measurements import validation
from tumbuh.measurements.actions import check_measurement
from tumbuh.measurements.forms import MeasurementForm
from tumbuh.measurements.models import Child, Measurement
from tumbuh.measurements.scoring import COMPUTED_FIELDS
from tumbuh.measurements.templatetags.measurements import age_text, status_class, status_label, zscore
from tumbuh.offline import phone

CHECKS_JS = Path(phone.__file__).parent / "static" / "offline" / "checks.js"
NODE = shutil.which("node") or "/usr/bin/node"
TODAY = dt.date(2026, 6, 1)
DESA = "73.24.04.2010"  # Balantang, in the test database's demo district
LANGUAGES = ("id", "en")

#: Calls the script's functions: stdin {"texts": phone_texts(), "calls": [[name, args], ...]}.
RUNNER = """
const api = require(process.argv[2]);
let input = "";
process.stdin.on("data", (d) => (input += d));
process.stdin.on("end", () => {
  const job = JSON.parse(input);
  api.setMessages(job.texts);
  const out = job.calls.map(([name, args]) => {
    try { return { ok: api[name].apply(null, args) }; } catch (e) { return { error: String(e) }; }
  });
  process.stdout.write(JSON.stringify(out));
});
"""


def run_node(texts: dict, calls: list, tmp_path: Path) -> list:
    require_or_skip(Path(NODE).exists(), f"node not found at {NODE}: apt-get install nodejs")
    runner = tmp_path / "runner.js"
    runner.write_text(RUNNER)
    done = subprocess.run(
        [NODE, str(runner), str(CHECKS_JS)],
        input=json.dumps({"texts": texts, "calls": calls}),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    errors = [r["error"] for r in results if "error" in r]
    assert not errors, errors[:5]
    return [r["ok"] for r in results]


def texts_in(language: str) -> dict:
    with translation.override(language):
        return json.loads(json.dumps(phone.phone_texts()))


# ---------------------------------------------------------------- the grid of visits


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def _median(age_days: int) -> tuple[float, float]:
    """A plausible weight (kg) and length/height (cm) for an age (roughly WHO's medians)."""
    m = age_days / 30.4375
    if m < 12:
        return 3.3 + 0.55 * m, 50 + 2.1 * m
    return 9.9 + 0.2 * (m - 12), 75 + 0.72 * (m - 12)


def _case(birth, date, weight, lenhei, position="", *, sex=1, oedema=False, muac=None, headc=None, previous=None):
    return {
        "sex": sex,
        "birth_date": _iso(birth),
        "date": _iso(date),
        "weight": weight,
        "lenhei": lenhei,
        "position": position,
        "oedema": oedema,
        "muac": muac,
        "headc": headc,
        "previous": previous,
    }


def _stored(x, places: int, max_digits: int = 5):
    """A previous visit's value as the database holds it (``Measurement``'s decimal fields)."""
    if x is None:
        return None
    q = round_figure(x, places)
    return float(q) if abs(q) < 10 ** (max_digits - places) else None


def _prev(date, weight, lenhei, position=""):
    """A previous visit, as the server stores it and the package gives it to the phone."""
    return {"date": _iso(date), "weight": _stored(weight, 2), "lenhei": _stored(lenhei, 1), "position": position}


def visit_grid() -> list[dict]:
    """Hundreds of visits on ``TODAY``: good ones, missing values, implausible and unit-error
    values at and around every limit, dates in the future / before birth / at 5 years, big
    changes since the previous visit, WHO flags and the growth engine's reasons."""
    rng = random.Random(16)
    cases = []
    day = TODAY - dt.timedelta(days=3)

    def born(age_days):
        return day - dt.timedelta(days=age_days)

    # good visits, boys and girls, 0 to 59 months, some with a consistent previous visit
    for i in range(120):
        age = rng.randint(0, 1825)
        w, h = _median(age)
        w = round(w * rng.uniform(0.85, 1.15), rng.choice((1, 2)))
        h = round(h * rng.uniform(0.95, 1.05), 1)
        pos = "l" if age < 731 else "h"
        prev = None
        if i % 3 == 0 and age > 60:
            gap = rng.randint(14, min(age, 120))
            pw, ph = _median(age - gap)
            prev = _prev(day - dt.timedelta(days=gap), round(pw, 1), round(ph, 1), "l" if age - gap < 731 else "h")
        muac = round(rng.uniform(12, 17), 1) if i % 4 == 0 else None
        headc = round(rng.uniform(35, 50), 1) if i % 5 == 0 else None
        cases.append(_case(born(age), day, w, h, pos, sex=1 + i % 2, muac=muac, headc=headc, previous=prev))

    # missing values
    for w, h in ((None, 80.0), (10.5, None), (None, None)):
        for age in (100, 800):
            cases.append(_case(born(age), day, w, h, "l" if age < 731 else "h"))
    cases.append(_case(born(400), day, 9.0, 75.0, ""))  # no position: assumed from the age
    cases.append(_case(born(900), day, 12.0, 88.0, "", muac=None, headc=None))

    # weights at and around the limits, unit errors, and the rounding of what the message writes
    for w in (0.2, 0.49, 0.5, 0.51, 39.99, 40, 40.004, 40.005, 40.01, 45, 99, 150, 350, 400.5, 11200, 11235, 9500.5,
              40001, 1e5, 0, -3, 0.125, 0.0049, 12.345, 2.675):  # fmt: skip
        cases.append(_case(born(700), day, w, 80.0, "l"))
    # lengths/heights
    for h in (37.9, 38, 38.05, 130, 130.04, 130.05, 130.1, 845, 845.55, 1300, 1305, 0.845, 0.3799, 1.2, 1.3, 1.5,
              250, 301, 2000, 0, -5, 0.005):  # fmt: skip
        cases.append(_case(born(700), day, 10.0, h, "l"))
    # weight and height swapped (and nearly)
    for w, h in ((84.5, 11.2), (11.2, 84.5), (84.5, 40.5), (45, 41), (129.9, 39.9), (40.5, 38.5), (38.5, 40.5)):
        cases.append(_case(born(800), day, w, h, "h"))
    # circumferences
    for a in (6.9, 7, 30, 30.1, 69, 70, 135, 300, 301, 3000, 0.5):
        cases.append(_case(born(500), day, 9.5, 76.0, "l", muac=a))
    for c in (24.9, 25, 65, 65.01, 249, 250, 450, 650, 651, 700, 2.5):
        cases.append(_case(born(500), day, 9.5, 76.0, "l", headc=c))

    # dates: in the future, before birth, at and after 5 years, at birth
    for offset in (1, 30, 400):
        cases.append(_case(born(300), TODAY + dt.timedelta(days=offset), 8.0, 68.0, "l"))
    cases.append(_case(TODAY + dt.timedelta(days=5), TODAY + dt.timedelta(days=10), 8.0, 68.0, "l"))
    for gap in (1, 40, 400):
        cases.append(_case(day + dt.timedelta(days=gap), day, 8.0, 68.0, "l"))
    for age in (0, 1, 1824, 1825, 1826, 1827, 1900, 2000, 3000, 5000):
        w, h = _median(min(age, 1825))
        cases.append(_case(born(age), day, round(w, 1), round(h, 1), "h" if age > 730 else "l"))
    cases.append(_case(born(1900), TODAY + dt.timedelta(days=2), 18.0, 110.0, "h"))  # future and too old
    cases.append(_case(born(-3), TODAY + dt.timedelta(days=2), 3.0, 50.0, "l"))  # future and before birth

    # changes since the previous visit: height falls (with and without the position correction),
    # weight gains and losses at and beyond the limits
    for before, before_pos, after, after_pos in (
        (85.0, "l", 83.0, "h"),  # 84.3 standing → 83.0: 1.3, fine
        (85.0, "l", 82.7, "h"),  # 1.6: too much
        (85.0, "h", 83.5, "h"),  # exactly 1.5: fine
        (85.0, "h", 83.4, "h"),  # 1.6
        (85.0, "h", 83.49, "h"),
        (85.0, "", 83.0, ""),  # positions assumed from the age
        (85.0, "l", 83.4, "l"),
        (86.0, "h", 84.0, "l"),
    ):
        for age in (700, 760):
            cases.append(
                _case(
                    born(age),
                    day,
                    11.0,
                    after,
                    after_pos,
                    previous=_prev(day - dt.timedelta(days=30), 11.0, before, before_pos),
                )
            )
    for gap, w1, w2 in (
        (30, 10.0, 13.1),  # gain limit 1 + 2.1 = 3.1: exactly
        (30, 10.0, 13.11),
        (30, 10.0, 7.5),  # loss limit 1 + 1.5 = 2.5: exactly
        (30, 10.0, 7.49),
        (200, 10.0, 6.0),  # loss limit 1 + min(10, 3) = 4: exactly
        (200, 10.0, 5.99),
        (1, 10.0, 11.08),
        (1, 10.0, 8.9),
        (7, 12.345, 14.2),
        (90, 3.5, 12.0),
        (60, 39.5, 8.0),
    ):
        cases.append(_case(born(900), day, w2, 86.0, "h", previous=_prev(day - dt.timedelta(days=gap), w1, 86.0, "h")))
    # a previous visit on the same day is not a change; implausible values skip the change checks
    cases.append(_case(born(900), day, 15.0, 86.0, "h", previous=_prev(day, 10.0, 90.0, "h")))
    cases.append(_case(born(900), day, 150, 86.0, "h", previous=_prev(day - dt.timedelta(days=30), 10.0, 90.0, "h")))
    cases.append(_case(born(900), day, 15.0, 86.0, "h", previous=_prev(day - dt.timedelta(days=30), 10.0, 900, "h")))
    cases.append(_case(born(900), day, None, 80.0, "h", previous=_prev(day - dt.timedelta(days=30), 10.0, 90.0, "h")))

    # WHO flags, and the growth engine's reasons (oedema, standing under 9 months, outside the
    # weight-for-length table, arm circumference under 91 days)
    for age, w, h, pos, extra in (
        (700, 2.0, 80.0, "l", {}),
        (1500, 40.0, 100.0, "h", {}),
        (1500, 10.0, 60.0, "h", {}),
        (1200, 9.0, 130.0, "h", {}),
        (1200, 14.0, 95.0, "h", {"headc": 30.0}),
        (1200, 14.0, 95.0, "h", {"headc": 64.0}),
        (800, 11.0, 85.0, "h", {"muac": 7.0}),
        (800, 11.0, 85.0, "h", {"muac": 29.0}),
        (100, 5.5, 60.0, "h", {}),
        (100, 5.5, 60.0, "l", {"oedema": True}),
        (1000, 12.0, 90.0, "h", {"oedema": True}),
        (60, 4.5, 55.0, "l", {"muac": 10.0}),
        (40, 3.0, 44.0, "l", {}),
        (1600, 25.0, 121.0, "h", {}),
        (5, 0.6, 38.0, "l", {}),
    ):
        for sex in (1, 2):
            cases.append(_case(born(age), day, w, h, pos, sex=sex, **extra))

    # anything at all: random values of every kind
    for _ in range(260):
        age = rng.choice((rng.randint(-30, 2100), rng.randint(0, 1825), rng.randint(0, 1825)))
        date = day + dt.timedelta(days=rng.choice((0, 0, 0, 0, rng.randint(-200, 5))))
        w, h = _median(max(0, min(age, 1825)))

        def noisy(x, spread):
            kind = rng.random()
            if kind < 0.1:
                return None
            if kind < 0.15:
                return rng.choice((x * 1000, x * 10, x / 100, x * 5))
            return round(x * rng.uniform(1 - spread, 1 + spread), rng.choice((1, 2, 3)))

        weight, lenhei = noisy(w, 0.6), noisy(h, 0.25)
        prev = None
        if rng.random() < 0.5:
            gap = rng.randint(1, 200)
            pw, ph = _median(max(0, min(age - gap, 1825)))
            prev = _prev(date - dt.timedelta(days=gap), noisy(pw, 0.4), noisy(ph, 0.1), rng.choice(("l", "h", "")))
        cases.append(
            _case(
                born(age),
                date,
                weight,
                lenhei,
                rng.choice(("l", "h", "", "l", "h")),
                sex=rng.choice((1, 2)),
                oedema=rng.random() < 0.05,
                muac=noisy(14.0, 0.8) if rng.random() < 0.3 else None,
                headc=noisy(45.0, 0.6) if rng.random() < 0.3 else None,
                previous=prev,
            )
        )
    return cases


# ---------------------------------------------------------------- the oracle


def _decimal(x):
    return None if x is None else Decimal(repr(float(x)))


def _json(value):
    if value is None or isinstance(value, (bool, str, int)):
        return value
    return float(value)


def confirm_step(cases: list[dict], languages=LANGUAGES) -> dict:
    """What the confirm step lists for each case (``check_measurement``, with the previous
    visit stored in the database), per language, the engine's fields the phone gets from
    TumbuhGrowth.assess, and ``check_visit``'s field for each problem."""
    children = Child.objects.bulk_create(
        Child(name=f"Anak Uji {i}", sex=c["sex"], birth_date=dt.date.fromisoformat(c["birth_date"]), desa_id=DESA)
        for i, c in enumerate(cases)
    )
    Measurement.objects.bulk_create(
        Measurement(
            child=child,
            desa_id=DESA,
            date=dt.date.fromisoformat(c["previous"]["date"]),
            weight=_decimal(c["previous"]["weight"]),
            lenhei=_decimal(c["previous"]["lenhei"]),
            position=c["previous"]["position"],
        )
        for child, c in zip(children, cases, strict=True)
        if c["previous"] and c["previous"]["date"] < c["date"]
    )
    out = {"assessed": [], "fields": [], **{lang: [] for lang in languages}}
    for child, c in zip(children, cases, strict=True):

        def visit(child=child, c=c):
            return Measurement(
                child=child,
                desa_id=DESA,
                date=dt.date.fromisoformat(c["date"]),
                weight=_decimal(c["weight"]),
                lenhei=_decimal(c["lenhei"]),
                muac=_decimal(c["muac"]),
                headc=_decimal(c["headc"]),
                position=c["position"],
                oedema=c["oedema"],
            )

        for lang in languages:
            with translation.override(lang):
                m = visit()
                out[lang].append([[p.severity, p.code, p.message] for p in check_measurement(m, today=TODAY)])
        out["assessed"].append({f: _json(getattr(m, f)) for f in COMPUTED_FIELDS})
        previous = Measurement.objects.filter(child=child).first()
        out["fields"].append({p.code: p.field for p in validation.check_visit(m, previous, today=TODAY)})
    return out


def js_visit(case: dict) -> dict:
    return {
        k: case[k] for k in ("sex", "birth_date", "date", "weight", "lenhei", "position", "oedema", "muac", "headc")
    }


def js_previous(case: dict) -> dict | None:
    prev = case["previous"]
    if not prev or prev["date"] >= case["date"]:  # the server's previous: the latest EARLIER visit
        return None
    return {**prev, "birth_date": case["birth_date"]}


def compare_grid(cases, oracle, run) -> None:
    """``run(texts, calls)`` runs the calls in a JavaScript engine; every case, every language."""
    for lang in LANGUAGES:
        calls = [
            ["checkVisit", [js_visit(c), js_previous(c), TODAY.isoformat(), oracle["assessed"][i]]]
            for i, c in enumerate(cases)
        ]
        got = run(texts_in(lang), calls)
        mismatches = []
        for i, (case, problems) in enumerate(zip(cases, got, strict=True)):
            mine = [[p["level"], p["code"], p["message"]] for p in problems]
            if mine != oracle[lang][i]:
                mismatches.append({"case": case, "python": oracle[lang][i], "js": mine})
            for p in problems:  # the input each problem is about, as check_visit says
                if p["code"] in oracle["fields"][i] and p["field"] != oracle["fields"][i][p["code"]]:
                    mismatches.append({"case": case, "code": p["code"], "field": p["field"]})
        assert not mismatches, f"{len(mismatches)} of {len(cases)} differ in {lang}: {mismatches[:3]}"


def grid_summary(oracle) -> set[str]:
    return {code for problems in oracle["en"] for _, code, _ in problems}


@pytest.mark.django_db
def test_check_visit_says_what_the_confirm_step_says_on_hundreds_of_visits(tmp_path):
    cases = visit_grid()
    oracle = confirm_step(cases)
    assert len(cases) >= 500
    # the grid reaches every check the confirm step has for the phone's inputs
    reached = grid_summary(oracle)
    expected = set(validation.MESSAGES) - {"date_missing", "asi_month_after_age", "vitamin_a_under_6_months"}
    expected |= {"standing_under_9mo", "oedema", "wfl_out_of_range", "age_under_91_days"}
    expected |= {"nothing_measured"}
    assert expected <= reached, expected - reached
    assert sum(not problems for problems in oracle["en"]) > 100  # and plenty of good visits
    compare_grid(cases, oracle, lambda texts, calls: run_node(texts, calls, tmp_path))


def test_numbers_and_dates_are_written_as_the_server_writes_them(tmp_path):
    rng = random.Random(5)
    numbers = [0, -0.0, 0.5, 0.004, -0.004, -0.005, 0.005, 1.005, 2.675, 20.15, 20.149, 1234.5678, 1e21, 1.5e-7, -1234567.891,
               12.345, 84.555, 99.995, 999.995, 1e15 + 0.3, 123456789.125]  # fmt: skip
    numbers += [round(rng.uniform(-5000, 5000), rng.choice((0, 1, 2, 3, 4))) for _ in range(300)]
    numbers += [rng.uniform(-10, 10) for _ in range(200)]
    for lang in LANGUAGES:
        calls, expected = [], []
        with translation.override(lang):
            for x in numbers:
                for places in (0, 1, 2, 3):
                    calls.append(["formatNumber", [x, places]])
                    expected.append(format_number(x, places))
                    calls.append(["formatNumber", [x, places, {"grouping": False}]])
                    expected.append(format_number(x, places, grouping=False))
                calls.append(["formatMeasure", [x]])
                expected.append(format_measure(x))
                calls.append(["formatZ", [x]])
                expected.append(zscore(x))
            calls.append(["formatZ", [None]])
            expected.append(zscore(None))
            for days in (None, 0, 29, 30, 31, 364, 365, 366, 730, 1000, 1825, 1826, 4000):
                calls.append(["ageText", [days]])
                expected.append(age_text(days))
            for d in (dt.date(2025, 3, 1), dt.date(2024, 12, 31), dt.date(2000, 2, 29)):
                calls.append(["formatDate", [d.isoformat()]])
                expected.append(f"{d:%d/%m/%Y}")
        got = run_node(texts_in(lang), calls, tmp_path)
        diffs = [(c, e, g) for c, e, g in zip(calls, expected, got, strict=True) if e != g]
        assert not diffs, f"{len(diffs)} differ in {lang}: {diffs[:5]}"
    assert format_number(1234.5, 1, "id") == "1.234,5"  # and Indonesian it is


def test_status_words_and_classes_are_the_confirm_steps(tmp_path):
    for lang in LANGUAGES:
        calls, expected = [], []
        with translation.override(lang):
            for ind in ANTHRO_INDICATORS:
                for code in [*LABELS[ind], "", None, "no_such_code"]:
                    for field in (ind, f"status_{ind}"):
                        calls.append(["statusWords", [field, code]])
                        expected.append(status_label(code, ind))
                    calls.append(["statusClass", [code]])
                    expected.append(status_class(code))
        got = run_node(texts_in(lang), calls, tmp_path)
        assert got == expected
    assert "Pendek" in got and "Gizi buruk" in got  # the regulation's words, in both languages


# ---------------------------------------------------------------- the form, before the confirm step


def form_grid() -> list[dict]:
    birth = dt.date(2024, 5, 10)
    good = {"date": "2026-05-20", "weight": "9,5", "lenhei": "76,5", "position": "l", "muac": "", "headc": ""}
    cases = [good]
    typed = ["", " ", "9,5", "9.5", "9,50", "9,500", "09,5", "abc", "-1", "1e3", ",5", "5,", "9,5,1", " 9,5 ", "9 5",
             "0", "0,4", "0,49", "0,5", "0.00", "0,05", "99", "99,0", "99,01", "99.001", "100", "1234", "12345",
             "123456", "12.345", "29,9", "30", "30,0", "200", "200,05", "201", "4", "5", "40", "40,1", "70", "71",
             "19,9", "20", "000012,5", "1000,5", "9,99"]  # fmt: skip
    for field in ("weight", "lenhei", "muac", "headc"):
        for text in typed:
            cases.append({**good, field: text})
    cases.append({**good, "weight": "", "lenhei": ""})
    cases.append({**good, "weight": "", "lenhei": "", "muac": "12"})
    cases.append({**good, "weight": "", "lenhei": "", "date": ""})
    cases.append({**good, "weight": "abc", "lenhei": ""})
    for date in (
        "",
        "2026-06-01",
        "2026-06-02",
        "2030-01-01",
        "2024-05-10",
        "2024-05-09",
        "2020-01-01",
        "2026-02-30",
        "2026-13-01",
        "2026-5-1",
    ):  # fmt: skip (the phone's date input gives ISO dates only)
        cases.append({**good, "date": date})
    for pos in ("", "l", "h", "L", "H"):
        cases.append({**good, "position": pos})
    cases.append({"date": "", "weight": "1e3", "lenhei": "300", "position": "", "muac": "abc", "headc": "99"})
    return [{**c, "birth_date": birth.isoformat()} for c in cases]


def form_errors(case: dict) -> list[list[str]]:
    child = Child(name="Anak Uji", sex=1, birth_date=dt.date.fromisoformat(case["birth_date"]), desa_id=DESA)
    data = {k: v for k, v in case.items() if k != "birth_date"}
    data["position"] = data["position"].lower() if data["position"] in ("L", "H") else data["position"]
    form = MeasurementForm(data, instance=Measurement(child=child, desa_id=DESA), child=child, today=TODAY)
    return [[field, message] for field, messages in form.errors.items() for message in messages]


@pytest.mark.django_db
def test_check_form_says_what_the_form_says(tmp_path):
    cases = form_grid()
    for lang in LANGUAGES:
        with translation.override(lang):
            expected = [form_errors(c) for c in cases]
        got = run_node(texts_in(lang), [["checkForm", [c, TODAY.isoformat()]] for c in cases], tmp_path)
        mine = [[[p["field"], p["message"]] for p in problems] for problems in got]
        diffs = [(c, e, g) for c, e, g in zip(cases, expected, mine, strict=True) if e != g]
        assert not diffs, f"{len(diffs)} of {len(cases)} differ in {lang}: {diffs[:4]}"
        assert sum(bool(e) for e in expected) > 100 and not expected[0]


@pytest.mark.django_db
def test_check_entry_shows_the_forms_errors_first_then_the_confirm_step(tmp_path):
    texts = texts_in("id")
    case = {"birth_date": "2024-05-10", "date": "2026-06-02", "weight": "9,5", "lenhei": "76,5", "position": "l"}
    good = {**case, "date": "2026-05-20", "weight": 45, "lenhei": 76.5, "muac": None, "headc": None}
    got = run_node(
        texts,
        [
            ["checkEntry", [case, None, TODAY.isoformat(), {}]],
            ["checkEntry", [good, None, TODAY.isoformat(), {"engine_reason": ""}]],
        ],
        tmp_path,
    )
    assert [p["message"] for p in got[0]] == ["Tanggal kunjungan ada di masa depan."]
    assert [(p["code"], p["message"]) for p in got[1]] == [
        ("weight_out_of_range", "Berat 45,0 kg di luar rentang wajar 0,5–40,0 kg")
    ]


@pytest.mark.django_db
def test_dates_and_services_without_the_engine_follow_check_visit(tmp_path):
    """A visit without a date (the form never lets one through; the phone may hold one) and the
    services (vitamin A, exclusive breastfeeding) follow ``validation.check_visit`` itself."""
    birth = dt.date(2025, 12, 1)
    cases = [
        validation.Visit(date=None, birth_date=birth, weight=5.0, lenhei=55.0),
        validation.Visit(date=None, birth_date=None, weight=None, lenhei=None),
        validation.Visit(date=TODAY, birth_date=birth, weight=5.0, lenhei=55.0, vitamin_a=1),
        validation.Visit(date=TODAY, birth_date=dt.date(2026, 3, 1), weight=5.0, lenhei=55.0, vitamin_a=0, asi_months="YYYYTY-"),
        validation.Visit(date=TODAY, birth_date=birth, weight=5.0, lenhei=55.0, asi_months="yyy----"),
        validation.Visit(date=TODAY, birth_date=dt.date(2025, 1, 1), weight=9.0, lenhei=73.0, vitamin_a=2, asi_months="YYYYYYY"),
        # typed text, as check_visit reads it (float(): "9,5" is no number, "1e3" is 1000)
        validation.Visit(date=TODAY, birth_date=birth, weight="9,5", lenhei=" 55 ", muac="0x10", asi_months=" "),
        validation.Visit(date=TODAY, birth_date=birth, weight="1e3", lenhei="+38", muac="-7"),
    ]  # fmt: skip
    for lang in LANGUAGES:
        with translation.override(lang):
            expected = [
                [[p.severity, p.code, p.field, p.text()] for p in validation.check_visit(v, today=TODAY)] for v in cases
            ]
        calls = []
        for v in cases:
            visit = {**dataclasses.asdict(v), "date": _iso(v.date), "birth_date": _iso(v.birth_date)}
            calls.append(["checkVisit", [visit, None, TODAY.isoformat(), {}]])
        got = run_node(texts_in(lang), calls, tmp_path)
        mine = [
            [[p["level"], p["code"], p["field"], p["message"]] for p in problems if p["code"] != "nothing_measured"]
            for problems in got
        ]
        assert mine == expected
        assert [p["code"] for p in got[1]] == ["date_missing", "nothing_measured"]
    assert {p[1] for problems in expected for p in problems} >= {
        "date_missing",
        "vitamin_a_under_6_months",
        "asi_month_after_age",
    }


# ---------------------------------------------------------------- phone_texts()


def test_phone_texts_has_every_message_label_and_status_in_both_languages():
    """Every key checks.js reads is there, JSON-able, in the active language; each msgid has an
    Indonesian translation; and the messages carry the same placeholders as their msgids."""
    from django.utils.translation import trans_real

    id_texts, en_texts = texts_in("id"), texts_in("en")
    for texts, lang in ((id_texts, "id"), (en_texts, "en")):
        assert texts["language"] == lang
        assert set(texts) >= {"numbers", "date_format", "rules", "messages", "engine_codes", "indicators", "form",
                              "status", "status_class", "labels", "positions", "empty", "version"}  # fmt: skip
        assert set(texts["messages"]) == {*validation.MESSAGES, *texts["engine_codes"], "nothing_measured"}
        assert set(texts["indicators"]) == set(validation.FLAG_FIELDS)
        assert set(texts["labels"]) == set(phone.LABELS_MSGIDS)
        assert set(texts["status"]) == set(ANTHRO_INDICATORS)
        assert set(texts["form"]["fields"]) == set(phone.NUMBER_FIELDS)
        assert all(isinstance(v, str) and v for v in texts["messages"].values())
    assert id_texts["numbers"] == {"decimal_separator": ",", "thousand_separator": ".", "grouping": 3}
    assert en_texts["numbers"]["decimal_separator"] == "."
    assert id_texts["rules"]["weight_range"] == [0.5, 40.0] and id_texts["rules"]["max_age_days"] == 1826

    # translated: every msgid phone.py uses is in the Indonesian catalogue
    catalog = trans_real.translation("id")._catalog
    msgids = [*validation.MESSAGES.values(), *validation.FLAG_FIELDS.values(), *phone.LABELS_MSGIDS.values()]
    missing = [m for m in msgids if not catalog.get(m)]
    assert not missing, missing
    for key in ("messages", "indicators", "labels"):
        same = [k for k, v in id_texts[key].items() if v == en_texts[key][k]]
        assert len(same) <= 2, (key, same)  # e.g. "LiLA (cm)" is Indonesian already
    assert id_texts["messages"]["weight_in_grams"] == "Berat %(value)s tampaknya dalam gram: maksudnya %(fixed)s kg?"
    assert id_texts["labels"]["warning_prefix"] == "Periksa:"
    assert id_texts["status"]["tbu"]["sangat_pendek"] == "Sangat pendek"
    assert id_texts["form"]["visit_date_future"] != en_texts["form"]["visit_date_future"]
    assert "99" in id_texts["form"]["fields"]["weight"]["checks"][0]["message"]

    # the same placeholders as the English text (a translation that drops one would break the phone)
    for code, text in id_texts["messages"].items():
        assert sorted(re.findall(r"%\(\w+\)[sd]", text)) == sorted(
            re.findall(r"%\(\w+\)[sd]", en_texts["messages"][code])
        ), code


def test_validation_messages_are_the_ones_the_checks_use():
    """The refactor moved each msgid into ``validation.MESSAGES``; a problem's message is its entry."""
    visits = [
        validation.Visit(date=None),
        validation.Visit(date=TODAY + dt.timedelta(days=1), birth_date=TODAY + dt.timedelta(days=5)),
        validation.Visit(date=TODAY, birth_date=dt.date(2019, 1, 1), weight=11200, lenhei=845, muac=135),
        validation.Visit(date=TODAY, birth_date=dt.date(2025, 1, 1), weight=84.5, lenhei=11.2),
    ]
    problems = [p for v in visits for p in validation.check_visit(v, today=TODAY)]
    assert len(problems) >= 6
    for p in problems:
        assert p.message == validation.MESSAGES[p.code]


def test_the_script_is_plain_es2015_for_old_phones():
    """No eval (strict CSP), no modules or imports, no syntax newer than ES2015."""
    source = CHECKS_JS.read_text()
    code = re.sub(r"/\*.*?\*/|//[^\n]*", "", source, flags=re.S)
    for forbidden in ("eval(", "new Function", "import ", "export ", "async ", "await ", "?.", "??", "**"):
        assert forbidden not in code, forbidden
    assert "root.TumbuhChecks = api" in code and "module.exports = api" in code
