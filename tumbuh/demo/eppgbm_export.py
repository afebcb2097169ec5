"""A messy demo e-PPGBM export: one round (Agustus 2025) of a few kecamatan, as e-PPGBM writes it.

The rows are the demo children's visits of that round (``children.generate``), written with
e-PPGBM's Indonesian headers (the health-centre column spelt "Pukesmas", as real exports do),
dd/mm/yyyy dates, decimal commas, "2 Tahun - 3 Bulan - 5 Hari", L/P, Terlentang/Berdiri, and
e-PPGBM's own z-score and status columns. Then the mess that real exports carry is put in,
deterministically, and every problem is declared (:attr:`EppgbmExport.problems`: spreadsheet
row number → kind) so that tests and the importer's author can check that each is caught.

Kinds (:data:`EXPECTED` says what the importer should do with each):

- ``weight_height_swapped``, ``weight_in_grams``, ``height_in_mm`` (together about 1 % of rows),
  ``date_in_future`` (a year typed 2052 for 2025), ``duplicate`` (an exact copy of an earlier
  row), ``unknown_posyandu`` (a posyandu that Tumbuh does not know), ``misspelled_posyandu``
  (all rows of one posyandu, its name misspelt: the importer proposes the right one) — rejected;
- ``position_missing`` (Cara Ukur empty) — kept, and should be warned about;
- ``zscore_differs`` (e-PPGBM's ZS columns computed with the age in completed months, as
  e-PPGBM does, so they differ from WHO's by more than 0.01) — kept, counted as a finding;
- ``excel_serial_date`` (dates as Excel serial numbers), ``nik_as_number`` (the NIK as a number
  cell) — kept, read correctly.

Heaping (weights and heights rounded to .0 or .5 by the cadre, about 12 % of rows) is a data-
quality pattern rather than a row error: those rows are listed in :attr:`EppgbmExport.heaped`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.random import PCG64, Generator

from tumbuh.core.spreadsheet import append_row
from tumbuh.growth.classify import classify_anthro, label
from tumbuh.growth.zscores import anthro_zscores

from .children import DemoData

HEADERS = [
    "NIK", "Nama", "JK", "Tgl Lahir", "BB Lahir", "TB Lahir", "Nama Ortu", "Prov", "Kab/Kota", "Kec", "Pukesmas",
    "Desa/Kel", "Posyandu", "RT", "RW", "Alamat", "Usia Saat Ukur", "Tanggal Pengukuran", "Bulan Pengukuran", "Berat",
    "Tinggi", "Cara Ukur", "LiLA", "BB/U", "ZS BB/U", "TB/U", "ZS TB/U", "BB/TB", "ZS BB/TB", "Naik Berat Badan",
    "PMT Diterima (kg)", "Jml Vit A", "KPSP", "KIA", "Detail Status", "status desa",
]  # fmt: skip
COL = {h: i for i, h in enumerate(HEADERS)}

BULAN = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November",
         "Desember"]  # fmt: skip
DEFAULT_ROUND = "2025-08"
DEFAULT_KECAMATAN = ("73.24.04", "73.24.06", "73.24.07")  # Malili, Wotu, Burau
FUTURE_YEAR = 2052  # "2025" typed "2052": in the future until then

REJECTED, WARNED, FINDING, ACCEPTED = "rejected", "warned", "finding", "accepted"
EXPECTED = {
    "weight_height_swapped": REJECTED,
    "weight_in_grams": REJECTED,
    "height_in_mm": REJECTED,
    "date_in_future": REJECTED,
    "duplicate": REJECTED,
    "unknown_posyandu": REJECTED,
    "misspelled_posyandu": REJECTED,
    "position_missing": WARNED,
    "zscore_differs": FINDING,
    "excel_serial_date": ACCEPTED,
    "nik_as_number": ACCEPTED,
}
#: Share of rows per kind (at least one row of each kind in any export).
RATES = {
    "weight_height_swapped": 0.004, "weight_in_grams": 0.003, "height_in_mm": 0.003, "date_in_future": 0.002,
    "duplicate": 0.005, "unknown_posyandu": 0.003, "position_missing": 0.02, "zscore_differs": 0.03,
    "excel_serial_date": 0.03, "nik_as_number": 0.01,
}  # fmt: skip
HEAPING = 0.12
UNKNOWN_POSYANDU = "SEHATI"
EXCEL_EPOCH = dt.date(1899, 12, 30)


@dataclass
class EppgbmExport:
    headers: list[str]
    rows: list[list]  # cells: text, or int for Excel serial dates / a NIK typed as a number
    problems: dict[int, str] = field(default_factory=dict)  # spreadsheet row number (header = 1) → kind
    heaped: list[int] = field(default_factory=list)
    visit: dict[int, int] = field(default_factory=dict)  # row number → index into data.visits
    misspelled: tuple[str, str] = ("", "")  # (name in the file, the posyandu's name)

    def rows_of(self, kind: str) -> list[int]:
        return sorted(r for r, k in self.problems.items() if k == kind)

    def expected(self, outcome: str) -> set[int]:
        return {r for r, k in self.problems.items() if EXPECTED[k] == outcome}

    def csv_bytes(self) -> bytes:
        out = io.StringIO()
        # e-PPGBM's CSV, as Excel in Indonesia writes it, for Tumbuh's importer to read: the cells as
        # e-PPGBM has them (a quote before a negative z-score would change the data read back).
        writer = csv.writer(out, delimiter=";")
        writer.writerow(self.headers)
        writer.writerows([["" if c is None else c for c in row] for row in self.rows])
        return out.getvalue().encode("utf-8-sig")

    def xlsx_bytes(self) -> bytes:
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Data Pengukuran")
        append_row(ws, self.headers)
        for row in self.rows:
            append_row(ws, row)  # names from the database: text, never a formula
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()

    def write(self, path: str | Path) -> Path:
        """Write as XLSX or CSV, by the file's extension."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self.csv_bytes() if path.suffix.lower() == ".csv" else self.xlsx_bytes())
        return path


def round_mask(data: DemoData, round_month: str = DEFAULT_ROUND, kecamatan=DEFAULT_KECAMATAN) -> np.ndarray:
    """The visits of ``data`` that the export holds (a round's visits in those kecamatan)."""
    vis = data.visits
    kec = data.area.kecamatan[data.children["posyandu"][vis["child"]]]
    in_month = vis["date"].astype("datetime64[M]") == np.datetime64(round_month, "M")
    return vis["is_round"] & in_month & np.isin(kec, list(kecamatan))


def _age_text(birth: dt.date, date: dt.date) -> str:
    years = date.year - birth.year
    months = date.month - birth.month
    days = date.day - birth.day
    if days < 0:
        months -= 1
        prev = date.replace(day=1) - dt.timedelta(days=1)
        days += prev.day
    if months < 0:
        years -= 1
        months += 12
    return f"{years} Tahun - {months} Bulan - {days} Hari"


def _num(x: float, places: int = 1) -> str:
    """e-PPGBM's decimal comma: 9.5 → "9,5"; 11.0 → "11"."""
    if x != x:
        return ""
    text = f"{x:.{places}f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _z(x: float) -> str:
    return "" if x != x else f"{x:.2f}".replace(".", ",")


def _misspell(name: str, taken: set[str], rng: Generator) -> str:
    """A typo that no posyandu in the desa has: a letter doubled, or one dropped."""
    for _ in range(50):
        i = int(rng.integers(1, len(name)))
        typo = name[:i] + name[i - 1] + name[i:] if rng.random() < 0.6 else name[:i] + name[i + 1 :]
        if typo.lower() not in taken and typo != name and len(typo) >= 4:
            return typo
    return name + "H"


def build_export(
    data: DemoData, round_month: str = DEFAULT_ROUND, kecamatan=DEFAULT_KECAMATAN, seed: int | None = None
) -> EppgbmExport:
    """The export of one round for ``kecamatan`` from the demo ``data``, with its mess declared."""
    rng = Generator(PCG64((data.seed if seed is None else seed) + 4_000_004))
    vis, ch, area = data.visits, data.children, data.area
    idx = np.flatnonzero(round_mask(data, round_month, kecamatan))
    if idx.size == 0:
        raise ValueError(f"no visits in {round_month} for {', '.join(kecamatan)}")
    ci = vis["child"][idx]
    pos = ch["posyandu"][ci]
    # e-PPGBM's order: kecamatan, desa, posyandu, name.
    order = np.lexsort((ch["name"][ci], area.posyandu_name[pos], area.desa_name[pos], area.kecamatan[pos]))
    idx, ci, pos = idx[order], ci[order], pos[order]
    n = len(idx)

    # Heaping: the cadre rounds to .0 or .5.
    weight = vis["weight"][idx].copy()
    lenhei = vis["lenhei"][idx].copy()
    heap_w = rng.random(n) < HEAPING
    heap_h = rng.random(n) < HEAPING
    weight = np.where(heap_w, np.round(weight * 2) / 2, weight)
    lenhei = np.where(heap_h, np.round(lenhei * 2) / 2, lenhei)
    heaped = (heap_w & (weight != vis["weight"][idx])) | (heap_h & (lenhei != vis["lenhei"][idx]))
    position = vis["position"][idx]

    # e-PPGBM's z-scores: from the values in the file.
    sex = ch["sex"][ci].astype(np.float64)
    age = vis["age_days"][idx].astype(np.float64)
    z = anthro_zscores(sex=sex, age_days=age, weight=weight, lenhei=lenhei, measure=position)
    # ... and with the age in completed months (how e-PPGBM differs), for some rows.
    months_age = np.floor(age / 30.4375) * 30.4375
    zm = anthro_zscores(sex=sex, age_days=months_age, weight=weight, lenhei=lenhei, measure=position)
    status = classify_anthro(z)

    # Which rows get which problem: disjoint sets, none in the misspelt posyandu.
    misspelt_p = int(pos[int(rng.integers(0, n))])
    in_misspelt = pos == misspelt_p
    free = np.flatnonzero(~in_misspelt)
    rng.shuffle(free)
    taken: dict[int, str] = {}

    def take(kind: str, ok=None) -> list[int]:
        want = max(1, int(round(RATES[kind] * n)))
        got = []
        for i in free.tolist():
            if len(got) == want:
                break
            if i not in taken and (ok is None or ok(i)):
                got.append(i)
                taken[i] = kind
        return got

    has_len = ~np.isnan(lenhei)
    swapped = take("weight_height_swapped", lambda i: has_len[i] and lenhei[i] > 45 and weight[i] < 38)
    grams = take("weight_in_grams")
    mm = take("height_in_mm", lambda i: has_len[i])
    future = take("date_in_future")
    unknown = take("unknown_posyandu")
    # (in rows measured in the position expected for the age, so e-PPGBM's z-scores still agree)
    usual = np.where(age < 731, "l", "h")
    no_position = take("position_missing", lambda i: has_len[i] and position[i] == usual[i])
    differs = take(
        "zscore_differs",
        lambda i: any(
            abs(round(zm[k][i], 2) - round(z[k][i], 2)) > 0.015 for k in ("zlen", "zwei", "zwfl") if z[k][i] == z[k][i]
        ),
    )
    serial = take("excel_serial_date")
    nik_number = take("nik_as_number", lambda i: bool(ch["nik"][ci[i]]))
    duplicates = take("duplicate")

    # Which posyandu names are in the desa of the misspelt one (a typo must not match another).
    misspelt_name = area.posyandu_name[misspelt_p].removeprefix("Posyandu ").upper()
    siblings = {
        p.removeprefix("Posyandu ").lower() for p in area.posyandu_name[area.desa == area.desa[misspelt_p]].tolist()
    }
    typo = _misspell(misspelt_name, siblings, rng)

    # Naik berat badan (KMS): N up, T not up, O not weighed last month, B first visit.
    same_child = idx > 0
    prev_idx = np.where(same_child, idx - 1, 0)
    prev = np.where(same_child & (vis["child"][prev_idx] == ci), prev_idx, -1)
    lokus = {d: rng.random() < 0.3 for d in sorted(set(area.desa.tolist()))}

    rows: list[list] = []
    for i in range(n):
        v, c, p = int(idx[i]), int(ci[i]), int(pos[i])
        birth = ch["birth"][c].astype(object)
        date = vis["date"][v].astype(object)
        w, h = float(weight[i]), float(lenhei[i])
        pos_text = {"l": "Terlentang", "h": "Berdiri"}.get(position[i] or "", "")
        zrow = zm if i in differs else z
        stats = [status["status_bbu"][i], status["status_tbu"][i], status["status_bbtb"][i]]
        detail = [
            t
            for t, s in zip(("Underweight", "Stunting", "Wasting"), stats)
            if s in ("bb_kurang", "bb_sangat_kurang", "pendek", "sangat_pendek", "gizi_kurang", "gizi_buruk")
        ]
        if prev[i] < 0:
            naik = "B"
        elif (vis["date"][v].astype("datetime64[M]") - vis["date"][prev[i]].astype("datetime64[M]")).astype(int) != 1:
            naik = "O"
        else:
            naik = "N" if vis["weight"][v] > vis["weight"][prev[i]] else "T"
        underweight = stats[0] in ("bb_kurang", "bb_sangat_kurang") or stats[2] in ("gizi_kurang", "gizi_buruk")
        row = [
            ch["nik"][c], ch["name"][c].upper(), "L" if ch["sex"][c] == 1 else "P", f"{birth:%d/%m/%Y}",
            _num(ch["birth_weight"][c]), _num(ch["birth_length"][c]), ch["parent"][c].upper(), "SULAWESI SELATAN",
            "LUWU TIMUR", _kec_name(area, p), area.puskesmas_name[p].removeprefix("Puskesmas ").upper(),
            area.desa_name[p].upper(), area.posyandu_name[p].removeprefix("Posyandu ").upper(), f"{ch['rt'][c]:03d}",
            f"{ch['rw'][c]:03d}", f"{ch['address'][c]}, {area.desa_name[p]}".upper(), _age_text(birth, date),
            f"{date:%d/%m/%Y}", BULAN[date.month - 1], _num(w), _num(h), pos_text, _num(vis["muac"][v]),
            _label(stats[0], "bbu"), _z(zrow["zwei"][i]), _label(stats[1], "tbu"), _z(zrow["zlen"][i]),
            _label(stats[2], "bbtb"), _z(zrow["zwfl"][i]), naik, "1,5" if underweight and rng.random() < 0.6 else "0",
            "1" if vis["age_days"][v] >= 183 and rng.random() < 0.95 else "0",
            ["Sesuai", "Sesuai", "Sesuai", "Meragukan", ""][int(rng.integers(0, 5))] if vis["age_days"][v] >= 90 else "",
            "Ya" if rng.random() < 0.8 else "Tidak", ", ".join(detail) or "Normal",
            "Lokus" if lokus[area.desa[p]] else "Non Lokus",
        ]  # fmt: skip
        rows.append(row)

    # The mess.
    for i in swapped:
        rows[i][COL["Berat"]], rows[i][COL["Tinggi"]] = rows[i][COL["Tinggi"]], rows[i][COL["Berat"]]
    for i in grams:
        rows[i][COL["Berat"]] = str(int(round(float(weight[i]) * 1000)))
    for i in mm:
        rows[i][COL["Tinggi"]] = str(int(round(float(lenhei[i]) * 10)))
    for i in future:
        d = vis["date"][int(idx[i])].astype(object)
        rows[i][COL["Tanggal Pengukuran"]] = f"{d:%d/%m}/{FUTURE_YEAR}"
    for i in unknown:
        rows[i][COL["Posyandu"]] = UNKNOWN_POSYANDU
    for i in no_position:
        rows[i][COL["Cara Ukur"]] = ""
    for i in serial:
        d = vis["date"][int(idx[i])].astype(object)
        b = ch["birth"][int(ci[i])].astype(object)
        rows[i][COL["Tanggal Pengukuran"]] = (d - EXCEL_EPOCH).days
        rows[i][COL["Tgl Lahir"]] = (b - EXCEL_EPOCH).days
    for i in nik_number:
        rows[i][COL["NIK"]] = int(rows[i][COL["NIK"]])
    for i in np.flatnonzero(in_misspelt).tolist():
        rows[i][COL["Posyandu"]] = typo

    # Duplicates: an exact copy right after the row, or a few rows later.
    kinds = {i: k for i, k in taken.items() if k != "duplicate"}
    kinds.update({int(i): "misspelled_posyandu" for i in np.flatnonzero(in_misspelt)})
    dup_at: dict[int, list[int]] = {}
    for i in duplicates:
        dup_at.setdefault(min(n - 1, i + int(rng.integers(0, 4))), []).append(i)
    out = EppgbmExport(headers=list(HEADERS), rows=[], misspelled=(typo, area.posyandu_name[misspelt_p]))
    for i in range(n):
        number = len(out.rows) + 2
        out.rows.append(rows[i])
        out.visit[number] = int(idx[i])
        if i in kinds:
            out.problems[number] = kinds[i]
        elif heaped[i]:
            out.heaped.append(number)
        for j in dup_at.get(i, []):
            number = len(out.rows) + 2
            out.rows.append(list(rows[j]))
            out.visit[number] = int(idx[j])
            out.problems[number] = "duplicate"
    # The originals of duplicates are clean rows (accepted, not a problem); heaping is kept out
    # of the problem list: it is a pattern, not an error.
    out.heaped = sorted(set(out.heaped))
    return out


def _label(code, indicator: str) -> str:
    if not code:
        return ""
    return str(label(np.array([code], dtype=object), indicator, "id")[0] or "")


def _kec_name(area, p: int) -> str:
    from tumbuh.wilayah.models import Wilayah

    code = area.kecamatan[p]
    cache = _kec_name.__dict__.setdefault("cache", {})
    if code not in cache:
        cache[code] = Wilayah.objects.filter(code=code).values_list("name", flat=True).first() or code
    return cache[code].upper()


def demo_export(
    seed: int = 2026, children: int | None = None, kecamatan=DEFAULT_KECAMATAN, round_month: str = DEFAULT_ROUND
) -> tuple[DemoData, EppgbmExport]:
    """Generate the demo (as ``load_demo`` would) and its export of one round."""
    from .children import FULL_CHILDREN, demo_area, generate

    data = generate(demo_area(), FULL_CHILDREN if children is None else children, seed)
    return data, build_export(data, round_month, kecamatan)


DEMO_FILE_NAME = "eppgbm-luwu-timur-agustus-2025.xlsx"
DEMO_IMPORTER = "admin.lutim"


def importer_available() -> bool:
    """Is the e-PPGBM importer (``tumbuh.measurements.importers``, kind ``eppgbm``) there?"""
    try:
        from tumbuh.imports.framework import importer_for

        importer_for("eppgbm")
    except Exception:
        return False
    return True


def demo_batch():
    from tumbuh.imports.models import ImportBatch

    return ImportBatch.objects.filter(kind="eppgbm", kabupaten_id="73.24", file_name=DEMO_FILE_NAME).first()


def demo_file_path() -> Path:
    from django.conf import settings

    return Path(settings.VAR_DIR) / "demo" / DEMO_FILE_NAME


def import_demo_export(export: EppgbmExport, path: str | Path | None = None):
    """Write the export (to ``var/demo/`` unless ``path``) and import it as the district's
    admin through the e-PPGBM importer; the finished batch (None if there is no importer)."""
    if not importer_available():
        return None
    from tumbuh.accounts.models import User
    from tumbuh.imports.framework import run_import
    from tumbuh.wilayah.models import Wilayah

    path = export.write(path or demo_file_path())
    user = User.objects.get(username=DEMO_IMPORTER)
    with open(path, "rb") as source:
        return run_import(
            "eppgbm", user=user, kabupaten=Wilayah.objects.get(code="73.24"), source=source, file_name=DEMO_FILE_NAME
        )
