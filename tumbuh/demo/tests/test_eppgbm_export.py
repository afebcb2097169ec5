"""The messy demo e-PPGBM export: its format, its declared mess, and the importer catching each problem."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter

import numpy as np
import pytest
from django.core.management import call_command
from django.utils import translation

from tumbuh.demo import children as C
from tumbuh.demo import eppgbm_export as E
from tumbuh.demo.generator import SEED
from tumbuh.growth.zscores import anthro_zscores

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def district(django_db_setup, django_db_blocker):
    """6,000 children over the whole district (in memory) and the export of their Agustus 2025 round."""
    with django_db_blocker.unblock():
        data = C.generate(C.demo_area(), 6000, seed=11)
        return data, E.build_export(data)


def _float(text) -> float:
    return float(str(text).replace(",", "."))


def test_the_export_has_eppgbm_columns_and_formats(district):
    _, ex = district
    assert ex.headers == E.HEADERS and "Pukesmas" in ex.headers and "Puskesmas" not in ex.headers
    col = E.COL
    clean = [r for n, r in enumerate(ex.rows, start=2) if n not in ex.problems]
    assert len(clean) > 1000
    for r in clean:
        assert re.fullmatch(r"\d\d/\d\d/2025", r[col["Tanggal Pengukuran"]]) and r[col["Bulan Pengukuran"]] == "Agustus"
        assert re.fullmatch(r"\d\d/\d\d/20\d\d", r[col["Tgl Lahir"]])
        assert re.fullmatch(r"\d Tahun - \d{1,2} Bulan - \d{1,2} Hari", r[col["Usia Saat Ukur"]])
        assert r[col["JK"]] in ("L", "P") and r[col["Cara Ukur"]] in ("Terlentang", "Berdiri")
        assert "." not in r[col["Berat"]] and "." not in r[col["Tinggi"]]
        assert r[col["Prov"]] == "SULAWESI SELATAN" and r[col["Kab/Kota"]] == "LUWU TIMUR"
        assert len(r) == len(E.HEADERS)
    assert any("," in r[col["Berat"]] for r in clean)  # decimal commas
    assert {r[col["Kec"]] for r in clean} == {"MALILI", "WOTU", "BURAU"}
    # "Usia Saat Ukur" agrees with the dates.
    r = clean[0]
    birth = dt.datetime.strptime(r[col["Tgl Lahir"]], "%d/%m/%Y").date()
    date = dt.datetime.strptime(r[col["Tanggal Pengukuran"]], "%d/%m/%Y").date()
    y, m, d = map(int, re.findall(r"\d+", r[col["Usia Saat Ukur"]]))
    assert abs(y * 365.25 + m * 30.4375 + d - (date - birth).days) < 3


def test_the_export_is_deterministic(district, django_db_blocker):
    data, ex = district
    again = E.build_export(data)
    assert again.rows == ex.rows and again.problems == ex.problems
    with django_db_blocker.unblock():
        other = E.build_export(C.generate(C.demo_area(), 6000, seed=12))
    assert other.rows != ex.rows


def test_the_injected_mess_is_as_declared(district):
    data, ex = district
    col = E.COL
    counts = Counter(ex.problems.values())
    assert set(counts) == set(E.EXPECTED), counts
    n = len(ex.rows)
    unit_or_swap = counts["weight_height_swapped"] + counts["weight_in_grams"] + counts["height_in_mm"]
    assert 0.007 < unit_or_swap / n < 0.015
    for number, kind in ex.problems.items():
        row = ex.rows[number - 2]
        w, h = row[col["Berat"]], row[col["Tinggi"]]
        if kind == "weight_height_swapped":
            assert _float(w) > 40 and _float(h) < 40
        elif kind == "weight_in_grams":
            assert _float(w) > 400 and "," not in w
        elif kind == "height_in_mm":
            assert _float(h) > 300 and "," not in h
        elif kind == "date_in_future":
            assert row[col["Tanggal Pengukuran"]].endswith("/2052")
        elif kind == "duplicate":
            assert row in ex.rows[: number - 2]
        elif kind == "unknown_posyandu":
            assert row[col["Posyandu"]] == E.UNKNOWN_POSYANDU
        elif kind == "misspelled_posyandu":
            assert row[col["Posyandu"]] == ex.misspelled[0]
        elif kind == "position_missing":
            assert row[col["Cara Ukur"]] == "" and h
        elif kind == "excel_serial_date":
            assert isinstance(row[col["Tanggal Pengukuran"]], int) and isinstance(row[col["Tgl Lahir"]], int)
            visit_date = data.visits["date"][ex.visit[number]].astype(object)
            assert E.EXCEL_EPOCH + dt.timedelta(days=row[col["Tanggal Pengukuran"]]) == visit_date
        elif kind == "nik_as_number":
            assert isinstance(row[col["NIK"]], int) and len(str(row[col["NIK"]])) == 16
    # The misspelt posyandu is one whole posyandu, its name close to the real one.
    typo, real = ex.misspelled
    assert typo != real.removeprefix("Posyandu ").upper() and counts["misspelled_posyandu"] >= 1
    # e-PPGBM's z-scores: WHO's to 2 decimals, except in the declared rows.
    values = [
        (number, r)
        for number, r in enumerate(ex.rows, start=2)
        if ex.problems.get(number) in (None, "zscore_differs", "excel_serial_date", "nik_as_number")
    ]
    vi = np.array([ex.visit[number] for number, _ in values])
    ours = anthro_zscores(
        sex=data.children["sex"][data.visits["child"][vi]].astype(float),
        age_days=data.visits["age_days"][vi].astype(float),
        weight=np.array([_float(r[col["Berat"]]) for _, r in values]),
        lenhei=np.array([_float(r[col["Tinggi"]]) for _, r in values]),
        measure=np.array([{"Terlentang": "l", "Berdiri": "h"}[r[col["Cara Ukur"]]] for _, r in values], dtype=object),
    )
    for k, (number, r) in enumerate(values):
        theirs = [r[col[c]] for c in ("ZS TB/U", "ZS BB/U", "ZS BB/TB")]
        diff = max(abs(_float(t) - ours[z][k]) for t, z in zip(theirs, ("zlen", "zwei", "zwfl")) if t)
        if ex.problems.get(number) == "zscore_differs":
            assert diff > 0.011, number
        else:
            assert diff <= 0.0051, number
    # Heaping: the heaped rows end in .0 or .5 (the cadre's rounding), and there are many.
    assert 0.05 < len(ex.heaped) / n < 0.2
    for number in ex.heaped[:200]:
        row = ex.rows[number - 2]
        assert any(_float(row[col[c]]) * 2 == round(_float(row[col[c]]) * 2) for c in ("Berat", "Tinggi"))


def test_the_export_writes_xlsx_and_csv(district, tmp_path):
    from openpyxl import load_workbook

    _, full = district
    serial = full.rows_of("excel_serial_date")[0]
    ex = E.EppgbmExport(headers=full.headers, rows=full.rows[:60] + [full.rows[serial - 2]])
    xlsx = ex.write(tmp_path / "x.xlsx")
    sheet = load_workbook(xlsx, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == E.HEADERS and len(rows) == len(ex.rows) + 1
    assert (
        isinstance(rows[-1][E.COL["Tanggal Pengukuran"]], int) and rows[1][E.COL["Berat"]] == ex.rows[0][E.COL["Berat"]]
    )
    text = ex.write(tmp_path / "x.csv").read_bytes().decode("utf-8-sig")
    assert text.splitlines()[0].split(";") == E.HEADERS and len(text.splitlines()) == len(ex.rows) + 1


def test_the_command_writes_the_export_and_lists_its_problems(tmp_path):
    out = io.StringIO()
    path = tmp_path / "demo.xlsx"
    call_command("load_demo", "--eppgbm-export", str(path), "--children", "3000", stdout=out)
    assert path.exists() and "weight_height_swapped (rejected)" in out.getvalue()


# --------------------------------------------------------------------------- through the importer

REASON_TEXT = {
    "weight_height_swapped": "look swapped",
    "weight_in_grams": "looks like grams",
    "height_in_mm": "looks like millimetres",
    "date_in_future": "is in the future",
    "duplicate": "Duplicate of row",
    "unknown_posyandu": "Unknown posyandu",
    "misspelled_posyandu": "did you mean",
}


@pytest.fixture
def imported(alice, tmp_path, request):
    """The test database's own demo children (Malili): their Agustus 2025 visits taken out and
    brought back through the demo export and the e-PPGBM importer."""
    if not E.importer_available():
        pytest.skip("the e-PPGBM importer is not there")
    from tumbuh.conftest import TEST_DEMO_CHILDREN, TEST_DEMO_KECAMATAN
    from tumbuh.measurements.models import Measurement

    data = C.generate(C.demo_area(TEST_DEMO_KECAMATAN), TEST_DEMO_CHILDREN, SEED)
    ex = E.build_export(data, kecamatan=TEST_DEMO_KECAMATAN)
    Measurement.objects.filter(source="demo", date__year=2025, date__month=8).delete()
    batch = E.import_demo_export(ex, path=tmp_path / f"demo.{request.param}")
    return data, ex, batch


@pytest.mark.parametrize("imported", ["xlsx", "csv"], indirect=True)
def test_importing_the_export_rejects_exactly_the_injected_problems(imported):
    from tumbuh.measurements.models import Measurement

    data, ex, batch = imported
    assert batch.status == "done", batch.error
    with translation.override("en"):
        reasons = {r.row_number: r.message % r.params if r.params else r.message for r in batch.rejected_rows.all()}
    assert set(reasons) == ex.expected(E.REJECTED), {
        n: (ex.problems.get(n), reasons.get(n)) for n in set(reasons) ^ ex.expected(E.REJECTED)
    }
    for number in ex.expected(E.REJECTED):
        assert REASON_TEXT[ex.problems[number]] in reasons[number], (number, ex.problems[number], reasons[number])
    assert batch.total_rows == len(ex.rows) and batch.created == len(ex.rows) - len(reasons)
    # Every accepted row found its demo child (by NIK, or name, birth date and desa): none created.
    assert batch.findings["children_created"] == 0
    # e-PPGBM's z-scores that differ are a finding, not a rejection: exactly the declared rows.
    assert batch.findings["zscore_disagreements"] == len(ex.rows_of("zscore_differs"))
    stored = {
        (m.child.tumbuh_id, m.date): m for m in Measurement.objects.filter(import_batch=batch).select_related("child")
    }
    for kind in ("excel_serial_date", "nik_as_number", "zscore_differs", "position_missing"):
        for number in ex.rows_of(kind):
            v = ex.visit[number]
            key = (data.children["tumbuh_id"][data.visits["child"][v]], data.visits["date"][v].astype(object))
            assert key in stored, (kind, number)
    # Accepted rows have the engine's z-scores; the clean ones are the true ones within rounding.
    for number, v in ex.visit.items():
        if number in ex.problems or number in ex.heaped:
            continue
        m = stored[(data.children["tumbuh_id"][data.visits["child"][v]], data.visits["date"][v].astype(object))]
        assert abs(m.zlen - data.visits["zlen_true"][v]) < 0.03 and abs(m.zwei - data.visits["zwei_true"][v]) < 0.15


@pytest.mark.parametrize("imported", ["csv"], indirect=True)
def test_rows_without_cara_ukur_are_kept_with_a_warning(imported):
    from tumbuh.measurements.models import Measurement

    data, ex, batch = imported
    for number in ex.rows_of("position_missing"):
        v = ex.visit[number]
        m = Measurement.objects.get(
            child__tumbuh_id=data.children["tumbuh_id"][data.visits["child"][v]],
            date=data.visits["date"][v].astype(object),
        )
        assert m.position == "" and m.warnings, number
