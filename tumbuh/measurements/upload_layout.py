"""The e-PPGBM bulk-upload layout, declared in one file (``eppgbm_upload.toml``, or the file
``TUMBUH_EPPGBM_UPLOAD_LAYOUT`` names): which header each field gets, in which order, and how
dates, yes/no, positions and sex are written.

Two users: the export of visits in that layout, and the e-PPGBM importer, which reads the
layout's headers as aliases of its own columns, so a file exported by Tumbuh re-imports as is.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DEFAULT_PATH = Path(__file__).with_name("eppgbm_upload.toml")

#: Every field a layout column may hold; the keys are the e-PPGBM importer's column keys.
FIELDS = (
    "nik", "name", "sex", "birth_date", "birth_order", "birth_weight", "birth_length", "parent_name", "parent_nik",
    "parent_phone", "address", "rt", "rw", "kecamatan", "desa", "posyandu", "date", "weight", "lenhei", "position",
    "muac", "headc", "oedema", *(f"asi_{m}" for m in range(7)), "vita", "kelas_ibu", "mbg", "kia", "naik", "kpsp",
)


class LayoutError(ValueError):
    """The layout file is not usable; the message says where."""


@dataclass(frozen=True)
class LayoutColumn:
    header: str
    field: str


@dataclass(frozen=True)
class Layout:
    path: Path
    sheet: str
    columns: tuple[LayoutColumn, ...]
    dates: str = "iso"  # "iso" or "dmy"
    yes_no: tuple[str, str] = ("Ya", "Tidak")
    positions: tuple[str, str] = ("Terlentang", "Berdiri")
    sexes: tuple[str, str] = ("L", "P")

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def import_aliases(self) -> dict[str, tuple[str, ...]]:
        """{importer column key: (this layout's header,)}."""
        return {c.field: (c.header,) for c in self.columns}


def layout_path() -> Path:
    return Path(os.environ.get("TUMBUH_EPPGBM_UPLOAD_LAYOUT") or DEFAULT_PATH)


def _pair(data: dict, key: str, default: tuple[str, str], path: Path) -> tuple[str, str]:
    value = data.get(key, list(default))
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) and v for v in value)):
        raise LayoutError(f"{path}: {key} must be two texts, e.g. {list(default)}")
    return value[0], value[1]


def parse_layout(text: str, path: Path = DEFAULT_PATH) -> Layout:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LayoutError(f"{path}: {exc}") from None
    columns, seen_fields, seen_headers = [], set(), set()
    for n, entry in enumerate(data.get("column", []), start=1):
        header, field = str(entry.get("header", "")).strip(), str(entry.get("field", "")).strip()
        if not header or field not in FIELDS:
            raise LayoutError(f"{path}: column {n} needs a header and one of the fields {', '.join(FIELDS)}")
        if field in seen_fields or header.casefold() in seen_headers:
            raise LayoutError(f"{path}: column {n} ({header}) repeats a field or a header")
        seen_fields.add(field)
        seen_headers.add(header.casefold())
        columns.append(LayoutColumn(header, field))
    missing = {"name", "sex", "birth_date", "date", "desa", "kecamatan"} - seen_fields
    if missing:
        raise LayoutError(f"{path}: the layout must carry {', '.join(sorted(missing))} (a re-import needs them)")
    dates = data.get("dates", "iso")
    if dates not in ("iso", "dmy"):
        raise LayoutError(f"{path}: dates must be \"iso\" or \"dmy\"")
    return Layout(
        path=path, sheet=str(data.get("sheet", "Data Pengukuran"))[:31], columns=tuple(columns), dates=dates,
        yes_no=_pair(data, "yes_no", ("Ya", "Tidak"), path), positions=_pair(data, "positions", ("Terlentang", "Berdiri"), path),
        sexes=_pair(data, "sexes", ("L", "P"), path),
    )


@cache
def _load(path: Path) -> Layout:
    return parse_layout(path.read_text(encoding="utf-8"), path)


def load_layout() -> Layout:
    """The layout in force (the district's file when ``TUMBUH_EPPGBM_UPLOAD_LAYOUT`` is set)."""
    return _load(layout_path())
