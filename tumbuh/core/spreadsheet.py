"""Values into spreadsheet cells without formula injection: the one rule every workbook and
CSV file Tumbuh writes follows.

A spreadsheet reads a cell whose text starts with ``=``, ``+``, ``-`` or ``@`` as a formula
(OWASP's CSV injection list adds tab, carriage return and line feed, which some readers strip
before they look), so a name typed as ``=HYPERLINK("http://…","klik")`` would become a live
link in a file sent to the province. Japanese Excel also takes the full-width ``＝ ＋ － ＠``
for their ASCII twins when a cell is edited; they are in the list too.

- XLSX (openpyxl): every text is written as a text cell (openpyxl would otherwise write a text
  starting with ``=`` as a formula and ``#N/A`` as an error), showing exactly what was typed;
  one starting as above also gets Excel's quote prefix, so it stays text when someone edits
  the cell. Numbers stay numbers (``-5`` is a number), dates stay dates, ``None`` stays empty.
- CSV: a field has no type, so a text starting as above gets OWASP's leading ``'``, whatever
  follows (a name typed as ``-2`` is a text, and is written ``'-2``). A number stays as it is:
  an ``int``, ``float`` or ``Decimal``, or a number the writer has already put in the reader's
  format, marked as such with :class:`Number` (``Number("-1,25")``).

Sheet names: Excel takes at most 31 characters, none of ``[ ] : * ? / \\``, no apostrophe at
either end, not the reserved ``History``, and no two alike in one workbook (case ignored).
:func:`sheet_name` makes any title into such a name that still reads as the title: a trailing
parenthesis is dropped first (``Stunting (pendek + sangat pendek)`` → ``Stunting``), then the
text is cut at a word boundary with ``…``, and a name already used gets `` (2)``, `` (3)``…
:class:`SheetNames` keeps the names of one workbook; every sheet Tumbuh creates is named
through it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable

from django.utils import timezone
from django.utils.functional import Promise
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, TIME_TYPES, Cell
from openpyxl.compat.numbers import NUMERIC_TYPES

#: A text starting with one of these is, or may become, a formula in a spreadsheet.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
#: The most characters an Excel cell holds (openpyxl cuts longer texts there too).
MAX_TEXT = 32767
_CSV_SEPARATORS = re.compile(r"([,;\t])")


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_START)


def cell_value(value):
    """``value`` as a cell may hold it: numbers, booleans, dates and ``None`` unchanged (an
    aware datetime in local time, as Excel has no time zones); a text (a lazy translation too)
    without the control characters a workbook cannot hold, cut at :data:`MAX_TEXT` characters;
    anything else is a :class:`TypeError`."""
    if value is None or isinstance(value, NUMERIC_TYPES + TIME_TYPES + (bool,)):
        if isinstance(value, dt.datetime) and timezone.is_aware(value):
            return timezone.localtime(value).replace(tzinfo=None)
        return value
    if isinstance(value, Promise):
        value = str(value)
    if not isinstance(value, str):
        raise TypeError(f"cannot write {type(value).__name__} in a spreadsheet cell")
    return ILLEGAL_CHARACTERS_RE.sub("", value)[:MAX_TEXT]


def write(cell: Cell, value) -> Cell:
    """Put ``value`` into ``cell`` (any openpyxl cell, write-only ones too): a text stays text."""
    cell.value = cell_value(value)
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if looks_like_formula(cell.value):
            cell.quotePrefix = True
    return cell


def put(ws, row: int, column: int, value) -> Cell:
    """``ws.cell(row, column, value)``, following the rule."""
    return write(ws.cell(row=row, column=column), value)


def new_cell(ws, value) -> Cell:
    """A cell for ``ws.append`` (in normal and write-only worksheets), following the rule."""
    return write(WriteOnlyCell(ws), value)


def append_row(ws, values: Iterable) -> list[Cell | None]:
    """``ws.append(values)``, following the rule; returns the row's cells (``None`` where a
    value was ``None``; a :class:`Cell` passed in is kept as it is)."""
    cells = [v if v is None or isinstance(v, Cell) else new_cell(ws, v) for v in values]
    ws.append(cells)
    return cells


#: The most characters of a sheet name, and the characters it may not hold.
MAX_SHEET_NAME = 31
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f\x7f]")
_TRAILING_PARENTHESIS = re.compile(r"\s*\([^()]*\)$")
_RESERVED_SHEET_NAMES = {"history"}


def _shorten(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters: whole, or without its trailing parenthesis, or
    cut at the last word boundary that fits, followed by ``…``."""
    if len(text) <= limit:
        return text
    bare = _TRAILING_PARENTHESIS.sub("", text).strip()
    if bare and len(bare) <= limit:
        return bare
    head = text[: limit - 1]
    if text[limit - 1] != " " and " " in head and head.rindex(" ") >= limit // 2:
        head = head[: head.rindex(" ")]
    head = head.rstrip(" ,;:-–—(+&")
    return (head or text[: limit - 1]) + "…"


def sheet_name(title, used=(), *, fallback: str = "Data") -> str:
    """A valid Excel sheet name for ``title`` (see the module's docstring), different from every
    name in ``used`` (compared without case)."""
    text = str(title) if title is not None else ""
    text = " ".join(_SHEET_FORBIDDEN.sub(" ", text).split()).strip("'").strip() or fallback
    taken = {u.lower() for u in used} | _RESERVED_SHEET_NAMES
    name = _shorten(text, MAX_SHEET_NAME)
    n = 1
    while name.lower() in taken:
        n += 1
        suffix = f" ({n})"
        name = _shorten(text, MAX_SHEET_NAME - len(suffix)).rstrip("'") + suffix
    return name


class SheetNames:
    """The sheet names of one workbook: :meth:`add` gives a valid name for a title, unique in the
    workbook. ``SheetNames(workbook)`` starts from the sheets it already has."""

    def __init__(self, workbook=None):
        self.used: list[str] = [ws.title for ws in workbook.worksheets] if workbook is not None else []

    def add(self, title, *, fallback: str = "Data") -> str:
        name = sheet_name(title, self.used, fallback=fallback)
        self.used.append(name)
        return name


class Number(str):
    """A number the writer has already written as text, in the reader's format (``-1,25``): a
    CSV field that :func:`csv_field` keeps as it is. Only a writer's own formatting of a number
    is marked so, never a text that came from a user or a file."""

    __slots__ = ()


def csv_field(value):
    """``value`` for a CSV writer: a text that a spreadsheet would read as a formula gets a
    leading ``'`` (``"-2"`` typed as a name too); numbers, :class:`Number` texts and everything
    else unchanged."""
    if isinstance(value, Number):
        return str(value)
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    return value


def csv_row(values: Iterable) -> list:
    return [csv_field(v) for v in values]


class CsvWriter:
    """The CSV writer every CSV file Tumbuh writes for people goes through: each row passes
    :func:`csv_row`, and a field holding a line break (``\r`` too, which :mod:`csv` leaves
    unquoted when the line ends in ``\n`` alone, so a spreadsheet would start a new row there,
    with whatever follows as its first cell) is always quoted, whatever ``lineterminator``."""

    def __init__(self, out, *, delimiter: str = ",", lineterminator: str = "\r\n"):
        self.out, self.lineterminator = out, lineterminator
        self._line = io.StringIO()
        self._writer = csv.writer(self._line, delimiter=delimiter, lineterminator="\r\n")

    def writerow(self, values: Iterable) -> None:
        self._line.seek(0)
        self._line.truncate()
        self._writer.writerow(csv_row(values))
        self.out.write(self._line.getvalue()[:-2] + self.lineterminator)

    def writerows(self, rows: Iterable[Iterable]) -> None:
        for values in rows:
            self.writerow(values)


def csv_writer(out, **kwargs) -> CsvWriter:
    return CsvWriter(out, **kwargs)


def csv_comment(text: str) -> str:
    """A free text for a ``# …`` comment line of a CSV file. A spreadsheet opening the file
    splits the line at each separator (``,``; ``;`` in Indonesian Excel), so each piece gets
    the rule of a field (after the spaces or quote it may start with); a line break becomes a
    space, so the comment stays one line."""
    pieces = _CSV_SEPARATORS.split(" ".join(text.splitlines()))
    for i in range(0, len(pieces), 2):
        piece = pieces[i]
        lead = len(piece) - len(piece.lstrip(' "'))
        pieces[i] = piece[:lead] + csv_field(piece[lead:])
    return "".join(pieces)
