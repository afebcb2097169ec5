"""e-PPGBM downloads as districts get them, written from their published description (issue 12
and DOMAIN.md), never copied from a real file: the corpus of the importer's tests.

A fixture is a list of *visits* (dicts holding what Tumbuh should end up storing, see
:func:`visit`) and a :class:`Style` (how e-PPGBM, or whoever re-saved the file, wrote them).
:func:`table` turns both into the file's rows and :func:`write` into the file itself, in any of
:data:`FORMATS`: the format is a parameter, so the same visits are checked as CSV, XLSX, legacy
BIFF ``.xls`` and the HTML table saved as ``.xls`` that e-PPGBM serves.
:func:`corpus` names fixtures with the counts an import of each must give.

What the current download looks like: a title row (sometimes more), then 37 headers (No, NIK,
Nama, ... Total Pengukuran, Usia Saat Ukur, Tanggal Pengukuran, ... Naik Berat Badan, Jml Vit A,
KPSP, KIA, Kelas Ibu Balita, MBG, Detail), dates YYYY-MM-DD, data rows that sometimes leave the
Total Pengukuran cell out (36 cells under 37 headers), ``<br>``, ``&nbsp;`` and entities in
cells, some names anonymised (``ANON_123``). The older layout has no No, Total Pengukuran, Kelas
Ibu Balita or MBG, but Bulan Pengukuran, PMT Diterima (kg), Detail Status and status desa, and
dd/mm/yyyy dates. Upload-style columns (head circumference, oedema, ASI months, birth order,
the parent's NIK and phone) can be added to either.
"""

from __future__ import annotations

import datetime as dt
import html
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from tumbuh.imports import testing

from .import_files import BULAN, age_text
from .import_files import HEADERS as OLDER_HEADERS  # the older layout, as the demo writes it

HEADERS = [
    "No", "NIK", "Nama", "JK", "Tgl Lahir", "BB Lahir", "TB Lahir", "Nama Ortu", "Prov", "Kab/Kota", "Kec", "Pukesmas",
    "Desa/Kel", "Posyandu", "RT", "RW", "Alamat", "Total Pengukuran", "Usia Saat Ukur", "Tanggal Pengukuran", "Berat",
    "Tinggi", "Cara Ukur", "LiLA", "BB/U", "ZS BB/U", "TB/U", "ZS TB/U", "BB/TB", "ZS BB/TB", "Naik Berat Badan",
    "Jml Vit A", "KPSP", "KIA", "Kelas Ibu Balita", "MBG", "Detail",
]  # fmt: skip
#: Columns of e-PPGBM's upload that a file may carry besides the download's.
UPLOAD_HEADERS = ["Anak Ke", "NIK Ortu", "No HP Ortu", "Lingkar Kepala", "Edema", *(f"ASI Bulan {m}" for m in range(7))]
TITLE = "Daftar Anak Berdasarkan Status Gizi"
#: Other names the same columns go by (re-saved files, other exports, Tumbuh's upload layout).
ALIASES = {
    "Nama": "Nama Anak", "JK": "Jenis Kelamin", "Tgl Lahir": "Tanggal Lahir", "Pukesmas": "Puskesmas", "Desa/Kel": "Desa",
    "Tanggal Pengukuran": "Tgl Pengukuran", "Berat": "BB", "Tinggi": "TB", "Cara Ukur": "Posisi", "Jml Vit A": "Vitamin A",
    "Kelas Ibu Balita": "Kelas Ibu", "KIA": "Buku KIA", "Naik Berat Badan": "Naik BB", "Kec": "Kecamatan",
    "Lingkar Kepala": "LK", "Edema": "Pitting Edema", "NIK Ortu": "NIK Ibu", "No HP Ortu": "No HP",
}  # fmt: skip
#: The places of the test database's demo (Kecamatan Malili, Luwu Timur).
PLACE = {"kec": "Malili", "pkm": "Malili", "desa": "Harapan", "posyandu": "Melati"}
NAIK_WORDS = {"N": "Naik", "T": "Tidak Naik", "O": "Tidak Ditimbang", "B": "Baru"}


def _plain(markup: str) -> str:
    """What a cell written with HTML markup says: ``<br>`` a line break, entities decoded."""
    return html.unescape(markup.replace("<br>", "\n"))


def _workbook(builder):
    """A workbook builder: titles above the table, and the data behind a cover sheet if asked."""

    def build(rows: list[list], titles: list[str], cover: bool) -> io.BytesIO:
        table = [[t] for t in titles] + rows
        if cover:
            return builder(sheets=[("Petunjuk", testing.COVER_ROWS), ("Data Anak", table)])
        return builder(table)

    return build


#: name -> function(rows from the header on, title lines, cover sheet?) -> the file.
FORMATS: dict[str, Callable[[list[list], list[str], bool], io.BytesIO]] = {
    "csv": lambda rows, titles, cover: testing.csv_bytes([[t] for t in titles] + rows),
    "xlsx": _workbook(testing.xlsx_bytes),
    "xls": _workbook(testing.xls_bytes),  # legacy BIFF, as Excel 97–2003 saves it
    "html": lambda rows, titles, cover: testing.html_xls_bytes(rows, title_rows=titles),  # e-PPGBM's download
}
#: Formats whose cells hold markup (``<br>``, ``&nbsp;``, entities) as the download does.
MARKUP_FORMATS = {"html"}


def nik(birth: dt.date, sex: str, serial: int, region: str = "732404") -> str:
    """A structurally valid NIK: region, birth date (day + 40 for girls), serial (from 9000 on,
    which the demo's children never have)."""
    day = birth.day + (40 if sex == "P" else 0)
    return f"{region}{day:02d}{birth.month:02d}{birth.year % 100:02d}{9000 + serial % 1000:04d}"


def visit(**values) -> dict:
    """One visit as Tumbuh should store it (services in their stored form). ``cells`` may
    override what is written in a column (``{"KIA": "Mungkin"}``): the visit's own value is
    then what Tumbuh should make of that text."""
    v = {
        "nik": "", "name": "Ahmad Fauzan", "sex": "L", "birth": dt.date(2023, 1, 10), "date": dt.date(2025, 2, 10),
        "weight": Decimal("11.20"), "lenhei": Decimal("84.5"), "position": "h", "muac": None, "total": 1,
        "parent_name": "Siti Aminah", "rt": "001", "rw": "002", "address": "Dusun Harapan", **PLACE,
        "weight_gain": "N", "vitamin_a": 1, "kpsp": "Sesuai", "kia_book": True, "kelas_ibu_balita": None, "mbg": None,
        "zs": (None, None, None),  # e-PPGBM's own z-scores: TB/U, BB/U, BB/TB
        # upload-style columns, written when the style has them
        "headc": None, "oedema": False, "asi_months": "", "birth_order": None, "parent_nik": "", "parent_phone": "",
        "cells": {},
    }  # fmt: skip
    v.update(values)
    return v


def child_visits(
    name: str, birth: dt.date, sex: str = "L", n: int = 2, first: dt.date = dt.date(2024, 8, 12), **values
) -> list[dict]:
    """``n`` visits of one child a month apart, growing as children do."""
    out = []
    for i in range(n):
        date = dt.date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, first.day)
        months = (date - birth).days / 30.4375
        lenhei = Decimal(f"{60 + months * 1.0:.1f}")
        weight = Decimal(f"{6 + months * 0.2:.2f}")
        out.append(
            visit(
                name=name,
                birth=birth,
                sex=sex,
                date=date,
                lenhei=lenhei,
                weight=weight,
                position="l" if months < 24 else "h",
                total=i + 1,
                **values,
            )
        )
    return out


@dataclass(frozen=True)
class Style:
    layout: str = "current"  # "current" (37 headers) or "older" (36, with Bulan Pengukuran)
    titles: tuple[str, ...] = (TITLE,)
    short: frozenset[int] = frozenset()  # visits written without their Total Pengukuran cell
    dates: str = "iso"  # "iso" (e-PPGBM today), "dmy" (the older layout) or "typed" (date cells)
    comma: bool = True  # decimal commas (9,5), else points
    markup: bool = False  # <br>, &nbsp; and entities in cells (in CSV/XLSX: what they stand for)
    yes_no: tuple[str, str] = ("Ya", "Tidak")
    naik_words: bool = False  # "Naik"/"Tidak Naik" instead of N/T
    upload_columns: bool = False  # add UPLOAD_HEADERS
    renamed: tuple[str, ...] = ()  # headers written by their ALIASES name
    pad_left: int = 0  # empty columns before the table
    extra: tuple[tuple[int, str], ...] = ()  # unknown columns: (position, header)
    cover: bool = False  # workbooks: the data on a second sheet, behind a sheet of instructions


def headers(style: Style) -> list[str]:
    out = list(HEADERS if style.layout == "current" else OLDER_HEADERS)
    if style.upload_columns:
        at = out.index("LiLA") + 1
        out[at:at] = UPLOAD_HEADERS
    return out


def _number(value, style: Style) -> str:
    if value is None:
        return ""
    text = format(Decimal(str(value)).normalize(), "f")
    return text.replace(".", ",") if style.comma else text


def _date(value: dt.date, style: Style):
    if style.dates == "typed":
        return value
    return value.isoformat() if style.dates == "iso" else f"{value:%d/%m/%Y}"


def _cells(number: int, v: dict, style: Style, fmt: str) -> dict[str, object]:
    """The visit's cells by header (the current layout's names)."""
    yes, no = style.yes_no

    def yn(value):
        return "" if value is None else (yes if value else no)

    def markup(text: str):
        if not style.markup:
            return _plain(text)
        return testing.RawHTML(text) if fmt in MARKUP_FORMATS else _plain(text)

    age = age_text(v["birth"], v["date"])
    name = v["name"]
    if style.markup and " " in name:
        name = markup(name.replace(" ", "&nbsp;", 1))
    cells = {
        "No": str(number), "NIK": v["nik"], "Nama": name, "JK": v["sex"], "Tgl Lahir": _date(v["birth"], style),
        "BB Lahir": _number(Decimal("3.1"), style), "TB Lahir": "49",
        "Nama Ortu": markup("Siti &amp; Aminah") if style.markup else v["parent_name"],
        "Prov": "SULAWESI SELATAN", "Kab/Kota": "LUWU TIMUR", "Kec": v["kec"], "Pukesmas": v["pkm"],
        "Desa/Kel": v["desa"], "Posyandu": v["posyandu"], "RT": v["rt"], "RW": v["rw"],
        "Alamat": markup(f"Jl. Mawar &amp; Melati<br>{v['address']}") if style.markup else v["address"],
        "Total Pengukuran": str(v["total"]),
        "Usia Saat Ukur": markup(age.replace(" - ", "<br>")) if style.markup else age,
        "Tanggal Pengukuran": _date(v["date"], style), "Bulan Pengukuran": BULAN[v["date"].month],
        "Berat": _number(v["weight"], style), "Tinggi": _number(v["lenhei"], style),
        "Cara Ukur": {"l": "Terlentang", "h": "Berdiri", "": ""}[v["position"]], "LiLA": _number(v["muac"], style),
        "BB/U": "Berat Badan Normal", "TB/U": "Normal", "BB/TB": "Gizi Baik",
        "ZS TB/U": _number(v["zs"][0], style), "ZS BB/U": _number(v["zs"][1], style), "ZS BB/TB": _number(v["zs"][2], style),
        "Naik Berat Badan": NAIK_WORDS.get(v["weight_gain"], "") if style.naik_words else v["weight_gain"],
        "PMT Diterima (kg)": "", "Jml Vit A": "" if v["vitamin_a"] is None else str(v["vitamin_a"]), "KPSP": v["kpsp"],
        "KIA": yn(v["kia_book"]), "Kelas Ibu Balita": yn(v["kelas_ibu_balita"]), "MBG": yn(v["mbg"]),
        "Detail": "Detail", "Detail Status": "Normal", "status desa": "Lokus",
        "Anak Ke": "" if v["birth_order"] is None else str(v["birth_order"]), "NIK Ortu": v["parent_nik"],
        "No HP Ortu": v["parent_phone"], "Lingkar Kepala": _number(v["headc"], style), "Edema": yn(v["oedema"]),
        **{f"ASI Bulan {m}": {"Y": yes, "T": no}.get(c, "") for m, c in enumerate(v["asi_months"])},
    }  # fmt: skip
    if style.dates == "typed":  # a re-saved workbook: numbers as number cells too
        for key, value in (("Berat", v["weight"]), ("Tinggi", v["lenhei"])):
            if value is not None:
                cells[key] = float(value)
    cells.update(v["cells"])
    return cells


def table(visits: list[dict], style: Style = Style(), fmt: str = "csv") -> tuple[list[str], list[list]]:
    """(title lines, rows from the header on) of the file the style writes for ``visits``."""
    names = headers(style)
    for position, header in sorted(style.extra):
        names.insert(min(position, len(names)), header)
    rows = [[ALIASES[h] if h in style.renamed else h for h in names]]
    for i, v in enumerate(visits):
        cells = {**{header: f"catatan {i}" for _, header in style.extra}, **_cells(i + 1, v, style, fmt)}
        row = [cells.get(h, "") for h in names]
        if i in style.short and "Total Pengukuran" in names:
            del row[names.index("Total Pengukuran")]
        rows.append(row)
    if style.pad_left:
        rows = [[""] * style.pad_left + row for row in rows]
    return list(style.titles), rows


def write(visits: list[dict], style: Style = Style(), fmt: str = "csv") -> io.BytesIO:
    titles, rows = table(visits, style, fmt)
    return FORMATS[fmt](rows, titles, style.cover)


def stored_fields(v: dict, style: Style = Style()) -> dict:
    """What the stored visit should hold for ``v`` (as ``Measurement`` fields)."""
    return {
        "date": v["date"], "weight": v["weight"], "lenhei": v["lenhei"], "position": v["position"], "muac": v["muac"],
        "weight_gain": v["weight_gain"], "vitamin_a": v["vitamin_a"], "kia_book": v["kia_book"], "kpsp": v["kpsp"],
        "kelas_ibu_balita": v["kelas_ibu_balita"] if style.layout == "current" else None,
        "mbg": v["mbg"] if style.layout == "current" else None,
        **{k: None if z is None else float(z) for k, z in zip(("eppgbm_zlen", "eppgbm_zwei", "eppgbm_zwfl"), v["zs"])},
        **({"headc": v["headc"], "oedema": v["oedema"], "asi_months": v["asi_months"].strip("-") and v["asi_months"]}
           if style.upload_columns else {"headc": None, "oedema": False, "asi_months": ""}),
    }  # fmt: skip


def stored_child_fields(v: dict, style: Style = Style()) -> dict:
    """What the visit's child should hold for ``v`` (the first visit of a new child)."""
    if not style.upload_columns:
        return {"birth_order": None, "parent_nik": "", "parent_phone": ""}
    return {"birth_order": v["birth_order"], "parent_nik": v["parent_nik"], "parent_phone": v["parent_phone"]}


# ---------------------------------------------------------------- the corpus


@dataclass
class Fixture:
    name: str
    visits: list[dict]
    style: Style
    #: Counts an import into an empty district must give: rows, accepted, created (visits),
    #: rejected, children (created), warned (rows kept with a warning), anonymised,
    #: service_unreadable (cells).
    expected: dict
    #: Rejected visits: index -> a piece of the (English) reason.
    rejected: dict[int, str] = field(default_factory=dict)


def _counts(rows, children, rejected=0, warned=0, anonymised=0, service_unreadable=0) -> dict:
    return {
        "rows": rows,
        "accepted": rows - rejected,
        "created": rows - rejected,
        "rejected": rejected,
        "children": children,
        "warned": warned,
        "anonymised": anonymised,
        "service_unreadable": service_unreadable,
    }


def corpus() -> list[Fixture]:
    """Named downloads with their expected counts (names unique to each fixture)."""
    b1, b2, b3 = dt.date(2023, 1, 10), dt.date(2022, 6, 3), dt.date(2024, 2, 20)
    fixtures = []

    three = (
        child_visits("Korpus Satu", b1)
        + child_visits("Korpus Dua", b2, "P", kia_book=False, kelas_ibu_balita=True)
        + child_visits("Korpus Tiga", b3, mbg=True, weight_gain="B", vitamin_a=0, kpsp="Meragukan")
    )
    fixtures.append(Fixture("current download, one title row", three, Style(), _counts(6, 3)))

    # (rows 0 and 3 also end in empty cells, which a workbook reader trims: still realigned)
    shortened = [
        dict(v, name=v["name"].replace("Korpus", "Pendek"), cells={"Detail": ""} if i in (0, 3) else {})
        for i, v in enumerate(three)
    ]
    fixtures.append(
        Fixture(
            "36-cell rows under 37 headers, two title rows",
            shortened,
            Style(titles=(TITLE, "Kabupaten Luwu Timur"), short=frozenset({0, 2, 3, 5})),
            _counts(6, 3),
        )
    )

    anon_nik = nik(b2, "P", 61)
    anonymised = [
        *child_visits("Rina Lestari", b2, "P", nik=anon_nik, n=1),
        visit(
            name="ANON_7",
            nik=anon_nik,
            sex="P",
            birth=b2,
            date=dt.date(2024, 9, 12),
            weight=Decimal("10.8"),
            lenhei=Decimal("87.5"),
        ),
        visit(name="ANON_8", birth=b1, date=dt.date(2025, 3, 1)),  # no NIK: rejected
        visit(name="ANON_9", nik="12345", birth=b1, date=dt.date(2025, 3, 2)),  # an invalid NIK: rejected
        visit(
            name="ANON_101",
            nik=nik(b3, "L", 62),
            birth=b3,
            date=dt.date(2025, 3, 3),
            weight=Decimal("9.1"),
            lenhei=Decimal("73.0"),
            position="l",
        ),
    ]
    fixtures.append(
        Fixture(
            "anonymised names",
            anonymised,
            Style(),
            _counts(5, 2, rejected=2, warned=2, anonymised=2),
            rejected={2: "Name anonymised", 3: "Name anonymised"},
        )
    )

    marked = [dict(v, name=v["name"].replace("Korpus", "Markah")) for v in three]
    fixtures.append(
        Fixture(
            "markup in cells, three title rows, 36-cell rows",
            marked,
            Style(titles=(TITLE, "Kabupaten Luwu Timur", "Periode 2024-2025"), markup=True, short=frozenset({1, 4})),
            _counts(6, 3),
        )
    )

    covered = [dict(v, name=v["name"].replace("Korpus", "Sampul")) for v in three]
    fixtures.append(
        Fixture("data on a second sheet behind a cover sheet (workbooks)", covered, Style(cover=True), _counts(6, 3))
    )

    older = [dict(v, name=v["name"].replace("Korpus", "Lama"), kelas_ibu_balita=None, mbg=None) for v in three]
    fixtures.append(
        Fixture("older 36-column layout, dd/mm/yyyy", older, Style(layout="older", dates="dmy"), _counts(6, 3))
    )

    unreadable = [
        visit(
            name="Sulit Dibaca",
            birth=b1,
            date=dt.date(2024, 12, 2),
            weight=Decimal("10.9"),
            lenhei=Decimal("83.0"),
            kia_book=None,
            vitamin_a=None,
            cells={"KIA": "Mungkin", "Jml Vit A": "satu?"},
        ),
        visit(
            name="Sulit Dibaca",
            birth=b1,
            date=dt.date(2025, 1, 6),
            weight=Decimal("11.0"),
            lenhei=Decimal("83.6"),
            weight_gain="",
            cells={"Naik Berat Badan": "Naik turun"},
        ),
        visit(
            name="Mudah Dibaca",
            birth=b3,
            date=dt.date(2025, 1, 6),
            weight=Decimal("9.0"),
            lenhei=Decimal("72.0"),
            position="l",
            vitamin_a=1,
            kia_book=True,
            mbg=False,
            cells={"Jml Vit A": "Biru", "KIA": "Ada", "MBG": "0"},
        ),
    ]
    fixtures.append(
        Fixture("unreadable service cells", unreadable, Style(), _counts(3, 2, warned=2, service_unreadable=3))
    )

    upload = [
        visit(
            name="Unggah Satu",
            birth=b1,
            date=dt.date(2024, 12, 2),
            weight=Decimal("10.9"),
            lenhei=Decimal("83.0"),
            headc=Decimal("46.5"),
            asi_months="YYYYYYT",
            birth_order=2,
            parent_nik=nik(dt.date(1995, 4, 5), "P", 7),
            parent_phone="08123456789",
            cells={"No HP Ortu": "0812-3456-789"},
        ),
        visit(
            name="Unggah Dua",
            birth=b3,
            date=dt.date(2025, 1, 6),
            weight=Decimal("7.0"),
            lenhei=Decimal("72.0"),
            position="l",
            oedema=True,
            asi_months="YYY----",
            birth_order=1,
        ),
    ]
    fixtures.append(Fixture("download with upload-style columns", upload, Style(upload_columns=True), _counts(2, 2)))
    return fixtures
