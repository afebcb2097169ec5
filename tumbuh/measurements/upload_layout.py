"""The e-PPGBM bulk-upload layout, declared in one file (``eppgbm_upload.toml``, or the file
``TUMBUH_EPPGBM_UPLOAD_LAYOUT`` names): which header each field gets, in which order, and how
dates, yes/no, positions and sex are written.

Two users: the export of visits in that layout (``eppgbm_export``), and the e-PPGBM importer,
which reads the layout's headers as aliases of its own columns, so a file exported by Tumbuh
re-imports as is. The file is read when the importer is loaded, i.e. at startup: a broken file
stops Tumbuh with a :class:`LayoutError` that names the file and what is wrong in it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DEFAULT_PATH = Path(__file__).with_name("eppgbm_upload.toml")

#: Every field a layout column may hold; the keys are the e-PPGBM importer's column keys.
FIELDS = (
    "nik",
    "name",
    "sex",
    "birth_date",
    "birth_order",
    "birth_weight",
    "birth_length",
    "parent_name",
    "parent_nik",
    "parent_phone",
    "address",
    "rt",
    "rw",
    "kecamatan",
    "desa",
    "posyandu",
    "date",
    "weight",
    "lenhei",
    "position",
    "muac",
    "headc",
    "oedema",
    *(f"asi_{m}" for m in range(7)),
    "vita",
    "kelas_ibu",
    "mbg",
    "kia",
    "naik",
    "kpsp",
)
#: Fields a re-import cannot do without.
REQUIRED_FIELDS = ("name", "sex", "birth_date", "date", "desa", "kecamatan")
#: How dates may be written: "iso" 2026-08-15, "dmy" 15/08/2026.
DATE_FORMATS = {"iso": "%Y-%m-%d", "dmy": "%d/%m/%Y"}
_KEYS = {"sheet", "dates", "yes_no", "positions", "sexes", "column"}
_COLUMN_KEYS = {"header", "field"}
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


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

    @property
    def fields(self) -> list[str]:
        return [c.field for c in self.columns]

    def import_aliases(self) -> dict[str, tuple[str, ...]]:
        """{importer column key: (this layout's header,)}."""
        return {c.field: (c.header,) for c in self.columns}

    # How values are written (the export; pure, so the tests pin them).

    def date_text(self, value: dt.date | None) -> str:
        return value.strftime(DATE_FORMATS[self.dates]) if value else ""

    def yes_no_text(self, value: bool | None) -> str:
        """``True`` → "Ya", ``False`` → "Tidak", ``None`` (not recorded) → empty."""
        return "" if value is None else self.yes_no[0 if value else 1]

    def position_text(self, position: str) -> str:
        """Tumbuh's ``l`` (lying, length) and ``h`` (standing, height); empty if not given."""
        return {"l": self.positions[0], "h": self.positions[1]}.get(position or "", "")

    def sex_text(self, sex: int) -> str:
        """Tumbuh's 1 (male) and 2 (female)."""
        return {1: self.sexes[0], 2: self.sexes[1]}.get(sex, "")


def layout_path() -> Path:
    return Path(os.environ.get("TUMBUH_EPPGBM_UPLOAD_LAYOUT") or DEFAULT_PATH)


def _pair(data: dict, key: str, default: tuple[str, str], path: Path) -> tuple[str, str]:
    value = data.get(key, list(default))
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) and v.strip() for v in value)):
        raise LayoutError(f"{path}: {key} must be two texts, e.g. {list(default)}")
    first, second = value[0].strip(), value[1].strip()
    if first.casefold() == second.casefold():
        raise LayoutError(f"{path}: the two texts of {key} must differ (both are {first!r})")
    return first, second


def _sheet(data: dict, path: Path) -> str:
    sheet = data.get("sheet", "Data Pengukuran")
    if not isinstance(sheet, str) or not sheet.strip():
        raise LayoutError(f'{path}: sheet must be a text, e.g. "Data Pengukuran"')
    sheet = sheet.strip()
    if len(sheet) > 31 or _SHEET_FORBIDDEN.search(sheet):
        raise LayoutError(
            f"{path}: sheet {sheet!r} is not a possible Excel sheet name (at most 31 characters, none of [ ] : * ? / \\)"
        )
    return sheet


def _columns(data: dict, path: Path) -> tuple[LayoutColumn, ...]:
    entries = data.get("column", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise LayoutError(f"{path}: columns are written as [[column]] tables, each with a header and a field")
    columns, seen_fields, seen_headers = [], set(), set()
    for n, entry in enumerate(entries, start=1):
        unknown = set(entry) - _COLUMN_KEYS
        if unknown:
            raise LayoutError(
                f"{path}: column {n} has unknown keys {', '.join(sorted(unknown))} (only header and field)"
            )
        header, field = entry.get("header", ""), entry.get("field", "")
        if not isinstance(header, str) or not isinstance(field, str):
            raise LayoutError(f'{path}: column {n}: header and field are written in quotes, e.g. header = "NIK Anak"')
        header, field = header.strip(), field.strip()
        if not header or field not in FIELDS:
            raise LayoutError(
                f"{path}: column {n} ({header or 'no header'}) needs a header and one of the fields "
                f"{', '.join(FIELDS)}; {field!r} is not one"
            )
        if field in seen_fields or header.casefold() in seen_headers:
            raise LayoutError(f"{path}: column {n} ({header}) repeats a field or a header")
        seen_fields.add(field)
        seen_headers.add(header.casefold())
        columns.append(LayoutColumn(header, field))
    missing = [f for f in REQUIRED_FIELDS if f not in seen_fields]
    if missing:
        raise LayoutError(f"{path}: the layout must carry {', '.join(missing)} (a re-import needs them)")
    if "weight" not in seen_fields and "lenhei" not in seen_fields:
        raise LayoutError(
            f"{path}: the layout must carry weight or lenhei (a visit without either is not a measurement)"
        )
    return tuple(columns)


def parse_layout(text: str, path: Path = DEFAULT_PATH) -> Layout:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LayoutError(f"{path}: not valid TOML: {exc}") from None
    unknown = set(data) - _KEYS
    if unknown:
        raise LayoutError(f"{path}: unknown settings {', '.join(sorted(unknown))} (known: {', '.join(sorted(_KEYS))})")
    dates = data.get("dates", "iso")
    if dates not in DATE_FORMATS:
        raise LayoutError(f'{path}: dates must be "iso" (2026-08-15) or "dmy" (15/08/2026), not {dates!r}')
    return Layout(
        path=path,
        sheet=_sheet(data, path),
        columns=_columns(data, path),
        dates=dates,
        yes_no=_pair(data, "yes_no", ("Ya", "Tidak"), path),
        positions=_pair(data, "positions", ("Terlentang", "Berdiri"), path),
        sexes=_pair(data, "sexes", ("L", "P"), path),
    )


@cache
def _load(path: Path) -> Layout:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise LayoutError(
            f"{path}: cannot be read ({exc.strerror or exc}); check TUMBUH_EPPGBM_UPLOAD_LAYOUT"
        ) from None
    except UnicodeDecodeError:
        raise LayoutError(f"{path}: is not UTF-8 text; save it as UTF-8") from None
    return parse_layout(text, path)


def load_layout() -> Layout:
    """The layout in force (the district's file when ``TUMBUH_EPPGBM_UPLOAD_LAYOUT`` is set)."""
    return _load(layout_path())


def clear_cache() -> None:
    """Forget the layouts read so far (a test that edits a layout file in place)."""
    _load.cache_clear()
