"""A messy demo KRS export, as BKKBN's family-data dashboard writes it and people then edit it.

Title rows above the header, NIKs as number cells, desa named in capitals with a "DESA" prefix
and no code, yes/no written as "Ya", "v", "1" or left empty, a count of children under five
instead of yes/no. Then, deterministically, the mistakes real lists carry; each is declared in
:attr:`KrsExport.problems` (spreadsheet row → kind) so tests can check that each is caught:
``nik_missing``, ``nik_short``, ``unknown_desa``, ``not_yes_no`` and ``duplicate`` rows are
rejected; everything else is imported (a family with no risk factor marked too: BKKBN put it on
the list).
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field

from openpyxl import Workbook

from tumbuh.core.spreadsheet import append_row
from tumbuh.demo.names import BOYS
from tumbuh.wilayah.models import Level, Wilayah

HEADERS = [
    "No",
    "Tahun",
    "Provinsi",
    "Kabupaten",
    "Kecamatan",
    "Desa/Kelurahan",
    "RW",
    "RT",
    "No KK",
    "NIK Kepala Keluarga",
    "Nama Kepala Keluarga",
    "Baduta",
    "Balita",
    "PUS",
    "PUS Hamil",
    "Sumber Air Minum Tidak Layak",
    "Jamban Tidak Layak",
    "Rumah Tidak Layak Huni",
    "Pendidikan Ibu Dibawah SLTP",
    "Keluarga Miskin",
    "Terlalu Muda",
    "Terlalu Tua",
    "Terlalu Dekat",
    "Terlalu Banyak",
]
_RISK_SHARE = (0.35, 0.30, 0.15, 0.40, 0.30, 0.08, 0.12, 0.10, 0.18)
_YES_STYLES = ("Ya", "Ya", "v", "1", "YA")
_NO_STYLES = ("Tidak", "", "0", "Tidak", "")
PROBLEM_KINDS = ("nik_missing", "nik_short", "unknown_desa", "not_yes_no", "duplicate")


@dataclass
class KrsExport:
    content: bytes
    rows: int  # data rows
    problems: dict[int, str] = field(default_factory=dict)
    header_row: int = 4

    @property
    def expected_rejected(self) -> int:
        return len(self.problems)


def _nik(rng: random.Random, kecamatan_code: str) -> int:
    born = rng.randint(1965, 2002)
    day, month = rng.randint(1, 28), rng.randint(1, 12)
    return int(f"{kecamatan_code.replace('.', '')}{day:02d}{month:02d}{born % 100:02d}{rng.randint(1, 9999):04d}")


def krs_export(
    seed: int, kecamatan: tuple[str, ...] = ("73.24.04",), per_desa: int = 10, year: int = 2025
) -> KrsExport:
    rng = random.Random(seed)  # seeded demo data, no secret  # nosec B311
    desa = list(Wilayah.objects.filter(level=Level.DESA, kecamatan_code__in=kecamatan).order_by("code"))
    names = {w.code: w.name for w in Wilayah.objects.filter(code__in=kecamatan)}
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "KRS"
    append_row(sheet, ["DATA KELUARGA BERISIKO STUNTING"])
    append_row(sheet, [f"Sumber: Pendataan Keluarga {year}, Kabupaten Luwu Timur"])
    append_row(sheet, [])
    append_row(sheet, HEADERS)
    rows: list[list] = []
    for w in desa:
        for _i in range(per_desa):
            risks = [rng.random() < share for share in _RISK_SHARE]
            if not any(risks):
                risks[rng.randrange(len(risks))] = True
            under_fives = rng.choice([0, 1, 1, 2])
            rows.append(
                [
                    len(rows) + 1,
                    year,
                    "SULAWESI SELATAN",
                    "LUWU TIMUR",
                    names.get(w.kecamatan_code, "").upper(),
                    f"DESA {w.name.upper()}" if rng.random() < 0.7 else w.name,
                    f"{rng.randint(1, 5):03d}",
                    f"{rng.randint(1, 12):03d}",
                    str(_nik(rng, w.kecamatan_code) + 7),
                    _nik(rng, w.kecamatan_code),
                    f"{rng.choice(BOYS)} bin {rng.choice(BOYS)}",
                    rng.choice(_YES_STYLES) if under_fives and rng.random() < 0.6 else rng.choice(_NO_STYLES),
                    under_fives,
                    "Ya",
                    rng.choice(_YES_STYLES) if rng.random() < 0.15 else rng.choice(_NO_STYLES),
                    *[rng.choice(_YES_STYLES) if r else rng.choice(_NO_STYLES) for r in risks],
                ]
            )
    problems: dict[int, str] = {}
    first_data_row = 5
    victims = rng.sample(range(1, len(rows)), len(PROBLEM_KINDS) - 1)
    for index, kind in zip(victims, PROBLEM_KINDS[:-1], strict=True):
        row = rows[index]
        if kind == "nik_missing":
            row[9] = None
        elif kind == "nik_short":
            row[9] = str(row[9])[:15]
        elif kind == "unknown_desa":
            row[5] = "DESA TANAH HARAPAN BARU"
        elif kind == "not_yes_no":
            row[15] = "mungkin"
        problems[first_data_row + index] = kind
    rows.append(list(rows[0]))  # an exact copy of the first family, at the end
    problems[first_data_row + len(rows) - 1] = "duplicate"
    for row in rows:
        append_row(sheet, row)  # a desa name is typed by the admin: text, never a formula
    out = io.BytesIO()
    workbook.save(out)
    return KrsExport(out.getvalue(), len(rows), problems)
