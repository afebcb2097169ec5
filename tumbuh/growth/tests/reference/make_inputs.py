"""Generate the deterministic input rows sent to WHO's R packages (see README.md here).

Run: .venv/bin/python tumbuh/growth/tests/reference/make_inputs.py
Writes anthro_inputs.csv and anthroplus_inputs.csv beside this file.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from tumbuh.growth import tables

HERE = Path(__file__).resolve().parent
RNG = np.random.default_rng(20260521)


def _inverse(tab, sex, key, z):
    i = tab.index(sex, key, np.ones(len(key), bool))
    L, M, S = tab.L[i], tab.M[i], tab.S[i]
    with np.errstate(invalid="ignore"):
        return M * np.power(1 + L * S * z, 1 / L)


def _fmt(v, nd):
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    return f"{round(float(v), nd):.{nd}f}".rstrip("0").rstrip(".") if nd else str(int(v))


def anthro_rows(n=20000):
    rows = []
    sex_txt = np.array(["1", "2", "m", "f", "M", "F"])
    sex = RNG.choice(sex_txt, n, p=[0.35, 0.35, 0.08, 0.08, 0.07, 0.07])
    sexn = np.where(np.isin(sex, ["1", "m", "M"]), 1, 2)
    kind = RNG.choice(["days", "days_frac", "months"], n, p=[0.7, 0.2, 0.1])
    days = RNG.uniform(0, 1860, n)
    days = np.where(kind == "days", np.floor(days), np.round(days, 2))
    months = np.round(RNG.uniform(0, 61, n), 4)
    eff_days = np.where(kind == "months", months * 30.4375, days)
    key = np.clip(np.floor(eff_days + 0.5), 0, 1826).astype(int)
    ztrue = RNG.standard_t(6, (6, n)) * 1.6
    lh_tab, wt_tab = tables.who2006("len"), tables.who2006("wei")
    lenhei = _inverse(lh_tab, sexn, key, ztrue[0])
    weight = _inverse(wt_tab, sexn, key, ztrue[1])
    # Weight near the child's length, too, so weight-for-length spans its whole range.
    headc = _inverse(tables.who2006("hc"), sexn, key, ztrue[2])
    k91 = np.maximum(key, 91)
    armc = _inverse(tables.who2006("ac"), sexn, k91, ztrue[3])
    tri = _inverse(tables.who2006("ts"), sexn, k91, ztrue[4])
    sub = _inverse(tables.who2006("ss"), sexn, k91, ztrue[5])
    lh_dec = RNG.choice([1, 2, 3], n, p=[0.7, 0.2, 0.1])
    wt_dec = RNG.choice([1, 2, 3], n, p=[0.5, 0.4, 0.1])
    right = np.where(eff_days < 731, "l", "h")
    wrong = np.where(eff_days < 731, "h", "l")
    pick = RNG.uniform(size=n)
    measure = np.where(pick < 0.75, right, np.where(pick < 0.9, wrong, ""))
    measure = np.where((pick > 0.9) & (pick < 0.95), np.char.upper(right), measure)
    oed = RNG.choice(["n", "y", "1", "2", "N", "Y", ""], n, p=[0.8, 0.03, 0.01, 0.02, 0.02, 0.01, 0.11])
    for i in range(n):
        miss = RNG.uniform(size=8)
        rows.append(
            {
                "sex": "" if miss[0] < 0.01 else sex[i],
                "age_unit": "months" if kind[i] == "months" else "days",
                "age": "" if miss[1] < 0.02 else (_fmt(months[i], 4) if kind[i] == "months" else _fmt(days[i], 2)),
                "weight": "" if miss[2] < 0.03 else _fmt(weight[i] if miss[2] > 0.035 else -weight[i], int(wt_dec[i])),
                "lenhei": "" if miss[3] < 0.03 else _fmt(lenhei[i], int(lh_dec[i])),
                "measure": measure[i],
                "oedema": oed[i],
                "headc": "" if miss[4] < 0.4 else _fmt(headc[i], 1),
                "armc": "" if miss[5] < 0.4 else _fmt(armc[i], 1),
                "triskin": "" if miss[6] < 0.5 else _fmt(tri[i], 1),
                "subskin": "" if miss[7] < 0.5 else _fmt(sub[i], 1),
            }
        )
    return rows


def anthro_edge_rows():
    rows = []

    def r(**kw):
        base = dict(
            sex="1",
            age_unit="days",
            age="",
            weight="",
            lenhei="",
            measure="",
            oedema="",
            headc="",
            armc="",
            triskin="",
            subskin="",
        )
        base.update({k: str(v) for k, v in kw.items()})
        rows.append(base)

    # 24 months: 730.5 days rounds to 731 (height basis); 730.49 stays 730.
    for age in [
        "730",
        "730.49",
        "730.5",
        "731",
        "0",
        "0.5",
        "90.49",
        "90.5",
        "91",
        "1826",
        "1826.24",
        "1826.25",
        "1826.3",
        "1856",
    ]:
        for m in ["l", "h", ""]:
            for sex in ["1", "2"]:
                r(
                    sex=sex,
                    age=age,
                    weight="10.3",
                    lenhei="84.6",
                    measure=m,
                    headc="47.1",
                    armc="15.2",
                    triskin="8.1",
                    subskin="6.3",
                )
    # months input: standing under 9 months, 24 months, 60 months.
    for mo in ["8.99", "9", "23.99", "24", "59.99", "59.999", "60", "60.01"]:
        for m in ["l", "h"]:
            r(age_unit="months", age=mo, weight="9.1", lenhei="74.3", measure=m, headc="45.5", armc="14.9")
    # Weight-for-length/height table edges, with age and without age.
    for x in [
        "44.9",
        "44.99",
        "45",
        "45.01",
        "64.99",
        "65",
        "86.9",
        "86.99",
        "87",
        "109.99",
        "110",
        "110.01",
        "119.99",
        "120",
        "120.01",
    ]:
        for m in ["l", "h", ""]:
            r(weight="11.2", lenhei=x, measure=m)  # age missing: measure, then 87 cm, decide
            r(age="400", weight="11.2", lenhei=x, measure=m)
            r(age="1000", weight="11.2", lenhei=x, measure=m)
    # Interpolation at 0.1 cm: values whose 10·x sits at or next to an integer, after ±0.7.
    for x in ["70", "70.05", "70.1", "70.15", "70.3", "70.95", "69.3", "80.25", "99.99", "100.01", "73.0000001"]:
        for m, age in [("l", "300"), ("h", "300"), ("l", "900"), ("h", "900")]:
            r(sex="2", age=age, weight="9.87", lenhei=x, measure=m)
    # Oedema in every coding.
    for o in ["y", "Y", "1", "n", "N", "2", ""]:
        r(age="500", weight="9.2", lenhei="78.1", measure="l", oedema=o, headc="46", armc="14")
    # Extreme measurements: far beyond ±3, ±5 and ±6 SD.
    for w in ["1.1", "2.5", "30", "45"]:
        for x in ["50", "80", "105"]:
            r(age="600", weight=w, lenhei=x, measure="l")
    # Restricted LMS boundaries: exactly at SD3/SD2 for a few ages (weight-for-age).
    tab = tables.who2006("wei")
    for day in [0, 100, 365, 731, 1500, 1826]:
        for sex in (1, 2):
            i = sex * tab.stride + day
            L, M, S = tab.L[i], tab.M[i], tab.S[i]
            for k in (-3, -2, 2, 3):
                y = M * (1 + L * S * k) ** (1 / L)
                for nd in (3, 4, 6):
                    r(sex=str(sex), age=str(day), weight=f"{y:.{nd}f}")
    return rows


def anthroplus_rows(n=5000):
    rows = []
    sex = RNG.choice(["1", "2", "m", "f"], n)
    sexn = np.where(np.isin(sex, ["1", "m"]), 1, 2)
    months = np.round(RNG.uniform(55, 235, n), 2)
    key = np.clip(np.trunc(months), 60, 228).astype(int)
    z = RNG.standard_t(6, (2, n)) * 1.6
    height = _inverse(tables.who2007("hfa"), sexn, key, z[0])
    bmi = _inverse(tables.who2007("bfa"), sexn, key, z[1])
    weight = bmi * (height / 100) ** 2
    oed = RNG.choice(["n", "y", "1", "2", ""], n, p=[0.85, 0.03, 0.02, 0.02, 0.08])
    for i in range(n):
        miss = RNG.uniform(size=3)
        rows.append(
            {
                "sex": "" if miss[0] < 0.01 else sex[i],
                "age_months": _fmt(months[i], 2),
                "weight": "" if miss[1] < 0.03 else _fmt(weight[i], 1),
                "height": "" if miss[2] < 0.03 else _fmt(height[i], 1),
                "oedema": oed[i],
            }
        )
    for age in [
        "59.99",
        "60",
        "60.0001",
        "61",
        "119.99",
        "120",
        "120.01",
        "121",
        "227.99",
        "228",
        "228.01",
        "228.5",
        "229",
        "229.5",
    ]:
        for sex in ["1", "2"]:
            rows.append({"sex": sex, "age_months": age, "weight": "25.3", "height": "130.2", "oedema": "n"})
    return rows


def write(path: Path, rows: list[dict]) -> None:
    with open(path, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["id", *rows[0].keys()], lineterminator="\n")
        w.writeheader()
        for i, row in enumerate(rows, 1):
            w.writerow({"id": i, **row})


if __name__ == "__main__":
    write(HERE / "anthro_inputs.csv", anthro_edge_rows() + anthro_rows())
    write(HERE / "anthroplus_inputs.csv", anthroplus_rows())
