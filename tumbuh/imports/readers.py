"""Streaming rows out of XLSX and CSV files, whatever the spreadsheet program did to them.

- XLSX: openpyxl in read-only mode (rows are streamed, never the whole sheet in memory).
- CSV: UTF-8 with or without BOM, else cp1252, else latin-1; ``;``, ``,``, tab or ``|``
  delimiters, chosen by which one makes the known headers appear.
- The header row is found among the first rows (a note or title above it is fine); headers
  match case-, space- and punctuation-insensitively, with each column's common variants.

Row numbers are the ones the spreadsheet program shows (1-based, blank lines counted).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext_noop

from .cells import cell_text, header_key
from .errors import ImportFileError

#: How many rows from the top may hold notes or titles before the header row.
HEADER_SEARCH_ROWS = 20
CSV_DELIMITERS = (";", ",", "\t", "|")
_CHUNK = 1 << 16


@dataclass
class SourceInfo:
    sha256: str
    size: int
    encoding: str  # for CSV; irrelevant for XLSX
    format: str  # "xlsx" or "csv"


def inspect_source(source) -> SourceInfo:
    """One streaming pass: the SHA-256, the size, the format and (for CSV) the encoding."""
    source.seek(0)
    digest = hashlib.sha256()
    size = 0
    decoders = {name: codecs.getincrementaldecoder(name)() for name in ("utf-8-sig", "cp1252")}
    head = b""
    while chunk := source.read(_CHUNK):
        if not head:
            head = chunk[:8]
        digest.update(chunk)
        size += len(chunk)
        for name in list(decoders):
            try:
                decoders[name].decode(chunk)
            except UnicodeDecodeError:
                del decoders[name]
    for name in list(decoders):
        try:
            decoders[name].decode(b"", final=True)
        except UnicodeDecodeError:
            del decoders[name]
    source.seek(0)
    encoding = next(iter(decoders), "latin-1")
    if head.startswith(b"PK\x03\x04"):
        fmt = "xlsx"
    elif head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(gettext_noop("Old Excel (.xls) files cannot be read; save the file as .xlsx or CSV."))
    else:
        fmt = "csv"
    return SourceInfo(digest.hexdigest(), size, encoding, fmt)


# ---------------------------------------------------------------- raw rows


def iter_xlsx(source) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # a damaged or mislabelled file
        raise ImportFileError(gettext_noop("The file is not a readable XLSX workbook (%(error)s)."), error=str(exc)[:200]) from exc
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
            yield number, _trim([cell_text(v) for v in values])
    finally:
        workbook.close()


def _decoded_lines(source, encoding: str) -> Iterator[str]:
    """Lines with their line endings, decoded incrementally (for ``csv.reader``)."""
    source.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)()
    carry = ""
    while True:
        chunk = source.read(_CHUNK)
        text = carry + decoder.decode(chunk, final=not chunk)
        if not chunk:
            if text:
                yield text
            return
        lines = text.split("\n")
        carry = lines.pop()
        for line in lines:
            yield line + "\n"


def iter_csv(source, encoding: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(_decoded_lines(source, encoding), delimiter=delimiter)
    try:
        for number, values in enumerate(reader, start=1):
            yield number, _trim(values)
    except csv.Error as exc:
        raise ImportFileError(gettext_noop("The CSV file is malformed near row %(row)s (%(error)s)."), row=reader.line_num, error=str(exc)) from exc


def _trim(values: list[str]) -> list[str]:
    end = len(values)
    while end and not (values[end - 1] or "").strip():
        end -= 1
    return values[:end]


# ---------------------------------------------------------------- headers


@dataclass(frozen=True)
class HeaderSpec:
    """What an importer expects: column keys with the headers that name them."""

    names: dict[str, tuple[str, ...]]  # key -> accepted header texts (the template's first)
    required: tuple[tuple[str, ...], ...] = ()  # each group: at least one of these keys

    def lookup(self) -> dict[str, str]:
        table = {}
        for key, names in self.names.items():
            for name in names:
                table.setdefault(header_key(name), key)
        return table

    def match(self, cells: Sequence[str]) -> dict[str, int]:
        """{key: column index} for a candidate header row; the first column naming a key wins."""
        lookup = self.lookup()
        found: dict[str, int] = {}
        for index, cell in enumerate(cells):
            key = lookup.get(header_key(cell))
            if key is not None and key not in found:
                found[key] = index
        return found

    def missing(self, found: dict[str, int]) -> list[tuple[str, ...]]:
        return [group for group in self.required if not any(k in found for k in group)]


@dataclass
class Table:
    headers: list[str]
    header_row: int
    columns: dict[str, int]
    rows: Iterator[tuple[int, list[str]]] = field(repr=False)


def _find_header(rows: Iterator[tuple[int, list[str]]], spec: HeaderSpec) -> Table:
    head = list(itertools.islice(rows, HEADER_SEARCH_ROWS))
    best = None
    for position, (number, cells) in enumerate(head):
        found = spec.match(cells)
        if found and not spec.missing(found) and (best is None or len(found) > len(best[2])):
            best = (position, number, found)
    if best is None:
        expected = ", ".join(" / ".join(spec.names[k][0] for k in group) for group in spec.required)
        raise ImportFileError(
            gettext_noop("No header row found in the first %(n)s rows. Expected columns: %(columns)s."),
            n=HEADER_SEARCH_ROWS, columns=expected,
        )
    position, number, found = best
    headers = [cell_text(c).strip() for c in head[position][1]]
    return Table(headers, number, found, itertools.chain(head[position + 1 :], rows))


def _csv_delimiter(source, encoding: str, spec: HeaderSpec) -> str:
    """The delimiter under which the known headers show up best (then: most columns)."""
    best, best_score = ",", (-1, -1)
    for delimiter in CSV_DELIMITERS:
        score = (0, 0)
        try:
            for _, cells in itertools.islice(iter_csv(source, encoding, delimiter), HEADER_SEARCH_ROWS):
                score = max(score, (len(spec.match(cells)), len(cells)))
        except ImportFileError:
            continue
        if score > best_score:
            best, best_score = delimiter, score
    source.seek(0)
    return best


def open_table(source, info: SourceInfo, spec: HeaderSpec) -> Table:
    """The header and a lazy iterator over the data rows below it."""
    if info.format == "xlsx":
        rows = iter_xlsx(source)
    else:
        delimiter = _csv_delimiter(source, info.encoding, spec)
        rows = iter_csv(source, info.encoding, delimiter)
    return _find_header(rows, spec)


def as_binary(data: bytes | str | Iterable) -> io.BytesIO:
    """Test and command-line helper: bytes (or text, UTF-8) as a seekable binary file."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return io.BytesIO(bytes(data))
