"""Streaming rows out of the files districts actually download, whatever made them.

- XLSX: openpyxl in read-only mode (rows are streamed, never the whole sheet in memory). The
  zip's central directory is checked first (a zip bomb or a zip that is no workbook is refused).
- XLS (BIFF, the legacy Excel format): xlrd; dates become ISO text like XLSX's.
- HTML: a table saved with an ``.xls`` name (e-PPGBM's download) is read with lxml's streaming
  parser, one ``<tr>`` at a time, each cleared once read, the parser renewed every megabyte:
  memory stays flat for any size.
- CSV: UTF-8 with or without BOM, UTF-16 or UTF-32 with BOM (Excel's "Unicode text" is
  UTF-16 LE), else cp1252, else latin-1; UTF-16/32 without a BOM (NULs between the letters) or
  broken is refused with "save it as CSV UTF-8"; ``;``, ``,``, tab or ``|`` delimiters, chosen
  by which one makes the known headers appear.
- The format is told by the content, never by the name. PDFs, images and other binary files are
  refused with a clear reason instead of being read as CSV.
- In a workbook the sheet whose header row matches best is read (a cover sheet first is fine).
- The header row is found among the first rows (a note or title above it is fine); headers
  match case-, space- and punctuation-insensitively, with each column's common variants.
- Data rows of CSV and HTML keep their true width (trailing empty cells included), so a row one
  cell short of the header can be told from a full one. XLSX and XLS rows are trimmed.

Row numbers are the ones the spreadsheet program shows (1-based, blank lines counted); in HTML,
the position of the ``<tr>`` in the document.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import itertools
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext_noop

from tumbuh.core import safezip

from .cells import cell_text, header_key
from .errors import ImportFileError

#: How many rows from the top may hold notes or titles before the header row.
HEADER_SEARCH_ROWS = 20
CSV_DELIMITERS = (";", ",", "\t", "|")
FORMATS = ("xlsx", "xls", "html", "csv")
_CHUNK = 1 << 16
#: The most a workbook may unpack to (``TUMBUH_UPLOAD_MAX_UNPACKED_BYTES``): a 200,000-row
#: e-PPGBM list written by openpyxl unpacks to about 380 MB (docs/performance.md, "Uploads").
MAX_UNZIPPED_BYTES = 1 << 30
MAX_ZIP_MEMBERS = 10_000
#: The most rows one file may hold (``TUMBUH_IMPORT_MAX_ROWS``), blank ones counted: more is
#: no list of one district, and a file of empty lines costs time all the same.
MAX_ROWS = 2_000_000
#: The longest cell (``TUMBUH_IMPORT_MAX_CELL_CHARS``). Excel holds at most 32,767 characters
#: in a cell and no field Tumbuh imports is longer than a few hundred (an address); a longer
#: cell is a paste gone wrong or a hostile file. The file is refused with the row and column:
#: cutting the cell would change the data unseen, and a rejected row would keep it whole.
MAX_CELL_CHARS = 10_000
#: A CSV line longer than this without a line break is no list (a cell is capped anyway).
MAX_LINE_CHARS = 1 << 22
#: The largest legacy .xls (``TUMBUH_IMPORT_MAX_XLS_BYTES``). xlrd reads a sheet whole, in
#: memory; BIFF holds at most 65,536 rows, which take a few tens of MB.
MAX_XLS_BYTES = 64 << 20
#: A colspan larger than this (HTML's own limit) counts as this.
MAX_COLSPAN = 1000

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_UTF32_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)  # checked first: UTF-32 LE's starts as UTF-16 LE's
#: A text file in an encoding Tumbuh does not read (UTF-16/32 without a byte order mark, or broken).
NOT_UTF8 = gettext_noop(
    'This file is not a UTF-8 CSV: save it as CSV UTF-8 (in Excel: Save As, "CSV UTF-8 (Comma delimited)") '
    "and upload it again."
)
_IMAGES = (b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*")
_HTML_MARKS = ("<html", "<table", "<!doctype html", "<meta", "<head", "<body", "<tr")
_SPREADSHEET_ML = "urn:schemas-microsoft-com:office:spreadsheet"


@dataclass
class SourceInfo:
    sha256: str
    size: int
    encoding: str  # for CSV and HTML; "" for workbooks
    format: str  # one of FORMATS


def inspect_source(source) -> SourceInfo:
    """One streaming pass: the SHA-256, the size, the format and (for text) the encoding.

    Refuses, with a reason, what no reader can take: an empty file, a PDF, an image, other
    binary data, a zip that is not an Excel workbook, a zip bomb, a web page without a table."""
    source.seek(0)
    digest = hashlib.sha256()
    first = source.read(_CHUNK)
    fmt, candidates = _sniff(first)
    decoders = {name: codecs.getincrementaldecoder(name)() for name in candidates}
    table_mark = "<table".encode("utf-16-le") if candidates[:1] == ["utf-16"] else b"<table"
    saw_table, tail = fmt != "html", b""
    size, chunk = 0, first
    while chunk:
        digest.update(chunk)
        size += len(chunk)
        for name in list(decoders):
            try:
                decoders[name].decode(chunk)
            except UnicodeDecodeError:
                del decoders[name]
        if not saw_table:
            lowered = tail + chunk.lower()
            saw_table, tail = table_mark in lowered, lowered[-len(table_mark) :]
        chunk = source.read(_CHUNK)
    for name in list(decoders):
        try:
            decoders[name].decode(b"", final=True)
        except UnicodeDecodeError:
            del decoders[name]
    source.seek(0)
    if fmt == "xlsx":
        _check_zip(source)
    if fmt == "xls" and size > _setting("TUMBUH_IMPORT_MAX_XLS_BYTES", MAX_XLS_BYTES):
        raise ImportFileError(
            gettext_noop(
                "The .xls workbook is %(size)s MB, more than the %(max)s MB Tumbuh reads from a legacy Excel file: save it "
                "as .xlsx or CSV and upload it again."
            ),
            size=-(-size >> 20),
            max=-(-_setting("TUMBUH_IMPORT_MAX_XLS_BYTES", MAX_XLS_BYTES) >> 20),
        )
    if not saw_table:
        raise ImportFileError(gettext_noop("The file is a web page (HTML) without a table."))
    if candidates[:1] in (["utf-16"], ["utf-32"]) and not decoders:
        raise ImportFileError(NOT_UTF8)  # a byte order mark, then bytes that are no UTF-16/32
    encoding = next(iter(decoders), "latin-1") if candidates else ""
    return SourceInfo(digest.hexdigest(), size, encoding, fmt)


def _sniff(head: bytes) -> tuple[str, list[str]]:
    """The format from the first bytes, and the encodings to try for a text format."""
    if not head.lstrip(b" \t\r\n\xef\xbb\xbf\xff\xfe"):
        raise ImportFileError(gettext_noop("The file is empty."))
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "xlsx", []
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "xls", []
    if head.startswith(b"%PDF"):
        raise ImportFileError(
            gettext_noop("The file is a PDF document, not a table. Upload the .xlsx, .xls or CSV file itself.")
        )
    if head.startswith(_IMAGES) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        raise ImportFileError(
            gettext_noop("The file is an image, not a table. Upload the .xlsx, .xls or CSV file itself.")
        )
    if head.startswith(_UTF32_BOMS):
        candidates = ["utf-32"]
    elif head.startswith(_UTF16_BOMS):
        candidates = ["utf-16"]
    elif b"\x00" in head[:1024]:
        if _wide_text(head[:1024]):
            raise ImportFileError(NOT_UTF8)
        raise ImportFileError(
            gettext_noop(
                "The file holds binary data, not a spreadsheet or a text table. Upload the .xlsx, .xls or CSV file itself."
            )
        )
    else:
        candidates = ["utf-8-sig", "cp1252"]
    text = head[:4096].decode(candidates[0], errors="replace").lstrip("\ufeff \t\r\n").lower()
    if text.startswith("<?xml") and _SPREADSHEET_ML in text:
        raise ImportFileError(
            gettext_noop("Excel 2003 XML spreadsheets cannot be read; save the file as .xlsx or CSV.")
        )
    if (text.startswith("<") and any(mark in text for mark in _HTML_MARKS)) or ("<table" in text and "<td" in text):
        declared = _declared_charset(text)
        if declared and candidates[0] not in ("utf-16", "utf-32"):
            candidates.insert(1, declared)
        return "html", candidates
    return "csv", candidates


def _wide_text(head: bytes) -> bool:
    """Whether bytes with NULs are text in UTF-16 or UTF-32 without a byte order mark: NULs
    between the letters (at least a quarter of the bytes), and nearly all of it printable Latin
    letters, digits and punctuation in one of those encodings."""
    if head.count(0) * 4 < len(head):
        return False
    for name, width in (("utf-32-le", 4), ("utf-32-be", 4), ("utf-16-le", 2), ("utf-16-be", 2)):
        text = head[: len(head) - len(head) % width].decode(name, errors="replace")
        latin = sum(ord(c) < 0x250 and (c.isprintable() or c in "\t\r\n") for c in text)
        if text and latin >= 0.9 * len(text):
            return True
    return False


def _declared_charset(text: str) -> str | None:
    """The ``charset=`` of a ``<meta>`` in the page's head, if Python knows that encoding."""
    start = text.find("charset=")
    if start < 0:
        return None
    start += len("charset=")
    while start < len(text) and text[start] in "\"' ":
        start += 1
    end = start
    while end < len(text) and (text[end].isalnum() or text[end] in "-_.:"):
        end += 1
    name = text[start:end]
    try:
        python_name = codecs.lookup(name).name
    except LookupError:
        return None
    return None if python_name.startswith(("utf-16", "utf-32")) else name  # only a BOM says UTF-16


def zip_limits() -> safezip.Limits:
    """What a workbook may unpack to (``tumbuh.core.safezip``)."""
    return safezip.Limits(
        max_unpacked=_setting("TUMBUH_UPLOAD_MAX_UNPACKED_BYTES", MAX_UNZIPPED_BYTES),
        max_ratio=safezip.upload_ratio(),
        max_members=MAX_ZIP_MEMBERS,
    )


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _open_zip(source) -> zipfile.ZipFile:
    """The workbook's zip after the central directory's checks (``safezip.open_archive``)."""
    try:
        return safezip.open_archive(source, zip_limits())
    except safezip.UnsafeArchive as exc:
        source.seek(0)
        raise ImportFileError(exc.message, **exc.params) from None
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        source.seek(0)
        raise ImportFileError(
            gettext_noop("The file is not a readable XLSX workbook (%(error)s)."), error=str(exc)[:200]
        ) from exc


def _check_zip(source) -> None:
    """Refuse a zip that is not an Excel workbook, or that would unpack to far too much.

    Only the central directory is read (cheap, for the request); the members' actual sizes are
    checked when the workbook is read (``iter_xlsx``), in the worker."""
    archive = _open_zip(source)
    try:
        names = {m.filename.lower() for m in archive.infolist()}
        if "mimetype" in names and b"opendocument.spreadsheet" in _small_member(archive, "mimetype"):
            raise ImportFileError(
                gettext_noop("OpenDocument spreadsheets (.ods) cannot be read; save the file as .xlsx or CSV.")
            )
        if "xl/workbook.bin" in names:
            raise ImportFileError(
                gettext_noop("Excel binary workbooks (.xlsb) cannot be read; save the file as .xlsx or CSV.")
            )
        if "[content_types].xml" not in names or not any(n.endswith("workbook.xml") for n in names):
            raise ImportFileError(
                gettext_noop(
                    "The file is a zip archive but not an Excel workbook (a Word document or "
                    "another file renamed?). Upload the .xlsx, .xls or CSV file itself."
                )
            )
    finally:
        archive.close()
        source.seek(0)


def _small_member(archive: zipfile.ZipFile, name: str) -> bytes:
    info = archive.getinfo(name)
    return safezip.head(archive, info, 200) if info.file_size < 1000 else b""


def _verify_zip(source) -> None:
    """Unpack every member once, as a stream, before openpyxl parses any: each must unpack to
    what its header declares (``safezip.verify``: the time zipfile takes to read it, in the worker)."""
    archive = _open_zip(source)
    try:
        safezip.verify(archive)
    except safezip.UnsafeArchive as exc:
        raise ImportFileError(exc.message, **exc.params) from None
    finally:
        archive.close()
        source.seek(0)


# ---------------------------------------------------------------- raw rows

Rows = Iterator[tuple[int, list[str]]]


@dataclass
class Sheet:
    """One sheet of a workbook: its name and its rows (lazy)."""

    name: str
    rows: Rows


def iter_xlsx(source) -> tuple[list[Sheet], Callable[[], None]]:
    """The workbook's sheets (rows streamed, trimmed) and a function that closes the workbook."""
    from openpyxl import load_workbook

    _verify_zip(source)
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # a damaged or mislabelled file
        raise ImportFileError(
            gettext_noop("The file is not a readable XLSX workbook (%(error)s)."), error=str(exc)[:200]
        ) from exc
    return [Sheet(sheet.title, _xlsx_rows(sheet)) for sheet in workbook.worksheets], workbook.close


def _xlsx_rows(sheet) -> Rows:
    sheet.reset_dimensions()  # some writers declare a wrong size; read what is there
    rows = (
        (number, _trim([cell_text(v) for v in values]))
        for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1)
    )
    yield from guarded(rows)


def iter_xls(source) -> tuple[list[Sheet], Callable[[], None]]:
    """The legacy workbook's sheets (rows trimmed) and a function that releases it.

    BIFF files hold at most 65,536 rows, and xlrd reads a sheet whole: a sheet is loaded
    only when its rows are first asked for."""
    import xlrd

    source.seek(0)
    data = source.read()
    try:
        # ragged_rows: a row holds the cells it has. Without it xlrd fills every row to the
        # widest one, and one cell at IV65536 turns a 6 KB file into 16 million cells (150 MB).
        book = xlrd.open_workbook(file_contents=data, on_demand=True, ragged_rows=True)
    except Exception as exc:
        if "encrypted" in str(exc).lower() or "find workbook" in str(exc).lower():
            raise ImportFileError(
                gettext_noop(
                    "The file is an Office document without a readable workbook in it (a Word document renamed, or a "
                    "workbook protected with a password?). Upload the .xlsx, .xls or CSV file itself."
                )
            ) from exc
        raise ImportFileError(
            gettext_noop("The file is not a readable Excel (.xls) workbook (%(error)s)."), error=str(exc)[:200]
        ) from exc
    return [
        Sheet(name, _xls_rows(book, index)) for index, name in enumerate(book.sheet_names())
    ], book.release_resources


def _xls_rows(book, index: int) -> Rows:
    import xlrd

    try:
        sheet = book.sheet_by_index(index)
    except Exception as exc:
        raise ImportFileError(
            gettext_noop("The file is not a readable Excel (.xls) workbook (%(error)s)."), error=str(exc)[:200]
        ) from exc

    def text(cell) -> str:
        kind = cell.ctype
        if kind == xlrd.XL_CELL_TEXT:
            return cell.value
        if kind == xlrd.XL_CELL_DATE:
            try:
                return cell_text(xlrd.xldate_as_datetime(cell.value, book.datemode))
            except (ValueError, OverflowError, xlrd.xldate.XLDateError):
                return cell_text(cell.value)
        if kind == xlrd.XL_CELL_BOOLEAN:
            return cell_text(bool(cell.value))
        if kind == xlrd.XL_CELL_ERROR:
            return xlrd.error_text_from_code.get(cell.value, "")
        return cell_text(cell.value) if kind == xlrd.XL_CELL_NUMBER else ""

    try:
        yield from guarded(
            (number + 1, _trim([text(cell) for cell in sheet.row(number)])) for number in range(sheet.nrows)
        )
    finally:
        book.unload_sheet(index)


#: libxml2's HTML push parser keeps all the input it was given until it is closed. So that memory
#: stays flat, the document goes to a fresh parser about every ``HTML_SEGMENT`` bytes, cut just
#: after a ``</tr>`` where no comment, script, style or other raw text is open; the fresh parser
#: starts inside a ``<table>``. A document where no such place comes (no ``</tr>`` end tags, a
#: comment that never ends) is read by one parser, as a whole.
HTML_SEGMENT = 1 << 20
_RAW_TEXT = (
    (b"<!--", b"-->"),
    (b"<script", b"</script"),
    (b"<style", b"</style"),
    (b"<textarea", b"</textarea"),
    (b"<title", b"</title"),
    (b"<xmp", b"</xmp"),
    (b"<plaintext", b"<\0"),
)


def iter_html(source, encoding: str) -> Rows:
    """Every ``<tr>`` of an HTML document (see ``_html_rows``), within the row and cell caps."""
    return guarded(_html_rows(source, encoding))


def _html_rows(source, encoding: str) -> Rows:
    """Every ``<tr>`` of an HTML document, in order, as its cells' text (untrimmed).

    lxml's HTML parser builds the document as it reads; each row is cleared (with the rows
    before it) as soon as it is read, and the parser is renewed now and then (``HTML_SEGMENT``),
    so memory stays flat. In a cell, ``<br>`` and block elements become a space, entities are
    decoded and whitespace (``&nbsp;`` too) collapses as a browser shows it. A cell spanning N
    columns gives its text and N-1 empty cells. A row of an outer layout table that holds a
    nested table is skipped (its inner rows are read)."""
    source.seek(0)
    stream = source if encoding in ("utf-8", "utf-8-sig") else _Utf8Stream(source, encoding)
    reader = _HtmlRows()
    seen: bytearray | None = bytearray()  # lower-cased input since the last cut, to find the next
    next_try = HTML_SEGMENT
    while chunk := stream.read(_CHUNK):
        cut = -1
        if seen is not None:
            seen += chunk.lower()
            if len(seen) >= next_try:
                cut = _safe_cut(seen, len(seen) - len(chunk), depth=0 if reader.renewed else 1)
                if cut < 0:
                    next_try = len(seen) + HTML_SEGMENT
                    if len(seen) > 4 * HTML_SEGMENT:
                        seen = None  # no safe place in sight: one parser reads it all
        if cut < 0:
            yield from reader.feed(chunk)
            continue
        at = cut - (len(seen) - len(chunk))
        yield from reader.feed(chunk[:at])
        yield from reader.renew()
        yield from reader.feed(chunk[at:])
        del seen[:cut]
        next_try = HTML_SEGMENT
    yield from reader.close()


def _safe_cut(seen: bytearray, start: int, depth: int) -> int:
    """A position in ``seen`` after ``start``, just after a ``</tr>``, where no raw text is open
    and the tables open are ``depth`` (a row of a nested table is no place to cut)."""
    end = seen.rfind(b"</tr>", max(0, start - 4))
    if end < 0:
        return -1
    end += len(b"</tr>")
    for opener, closer in _RAW_TEXT:
        at = seen.rfind(opener, 0, end)
        if at >= 0 and seen.find(closer, at + len(opener), end) < 0:
            return -1
    if seen.count(b"<table", 0, end) - seen.count(b"</table", 0, end) != depth:
        return -1
    return end


class _HtmlRows:
    """The rows lxml's HTML pull parser finds in what it is fed, numbered across renewals."""

    def __init__(self):
        self.number = 0
        self.renewed = 0
        self.parser = self._parser()

    @staticmethod
    def _parser():
        from lxml import etree

        return etree.HTMLPullParser(
            events=("end",), tag="tr", encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True
        )

    def feed(self, data: bytes) -> Rows:
        self.parser.feed(data)
        return self._rows()

    def renew(self) -> Rows:
        """Close the parser (at a row's end) and go on with a fresh one, inside a table."""
        yield from self.close()
        self.renewed += 1
        self.parser = self._parser()
        self.parser.feed(b"<table>")

    def close(self) -> Rows:
        self.parser.close()
        yield from self._rows()
        fatal = self.parser.feed_error_log.filter_from_fatals()
        if fatal:  # libxml2 gave up (e.g. absurdly deep nesting): rows after this point would be lost
            raise ImportFileError(
                gettext_noop("The HTML file cannot be read after row %(row)s (%(error)s)."),
                row=self.number,
                error=fatal[0].message[:200],
            )

    def _rows(self) -> Rows:
        for _, row in self.parser.read_events():
            self.number += 1
            cells, layout = _html_cells(row)
            row.clear(keep_tail=False)
            parent = row.getparent()
            if parent is not None:
                while row.getprevious() is not None:
                    del parent[0]
            if not layout:
                yield self.number, cells


_BREAKS = ("br", "p", "div", "li", "tr")


def _html_cells(row) -> tuple[list[str], bool]:
    cells: list[str] = []
    for cell in row.iterchildren("td", "th"):
        if len(cell):  # child elements: line breaks, bold, links...
            if cell.find(".//table") is not None:
                return [], True
            for element in cell.iter(_BREAKS):
                element.tail = " " + element.tail if element.tail else " "
            text = "".join(cell.itertext())
        else:
            text = cell.text or ""
        cells.append(" ".join(text.split()))
        span = cell.get("colspan")
        if span:
            try:
                extra = min(int(span.strip()), MAX_COLSPAN) - 1
            except ValueError:
                extra = 0
            if extra > 0:
                cells.extend([""] * extra)
    return cells, False


class _Utf8Stream(io.RawIOBase):
    """A binary file in another encoding, read as UTF-8 (for lxml, which then needs to know
    only one encoding, whatever the page declares)."""

    def __init__(self, source, encoding: str):
        self.source = source
        self.decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        self.pending = b""

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        while not self.pending:
            chunk = self.source.read(_CHUNK)
            self.pending = self.decoder.decode(chunk, final=not chunk).encode("utf-8")
            if not chunk:
                break
        if size is None or size < 0:
            size = len(self.pending)
        out, self.pending = self.pending[:size], self.pending[size:]
        return out


_LINE_END = re.compile(r"(\r\n|\r|\n)")


def _decoded_lines(source, encoding: str) -> Iterator[str]:
    """Lines with their line endings (LF, CR LF, or a bare CR as Excel for Mac writes), decoded
    incrementally (for ``csv.reader``, as a file opened with ``newline=""`` gives them)."""
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
        held = "\r" if text.endswith("\r") else ""  # its LF may come with the next chunk
        parts = _LINE_END.split(text[: len(text) - len(held)])
        carry = parts.pop() + held
        if len(carry) > MAX_LINE_CHARS:  # no line break in sight: memory would grow with the file
            raise LimitError(
                gettext_noop(
                    "The file holds a line of more than %(max)s characters without a line break: it is not a CSV list. "
                    "Upload the .xlsx, .xls or CSV file itself."
                ),
                max=MAX_LINE_CHARS,
            )
        for i in range(0, len(parts), 2):
            yield parts[i] + parts[i + 1]


def iter_csv(source, encoding: str, delimiter: str) -> Rows:
    """The records of a CSV file, untrimmed (a trailing empty cell is a cell)."""
    reader = csv.reader(_decoded_lines(source, encoding), delimiter=delimiter)
    try:
        yield from guarded(enumerate(reader, start=1))
    except csv.Error as exc:
        if "field limit" in str(exc):  # the csv module's own cap (131,072 characters), past ours
            raise _long_cell(reader.line_num, None, f"> {csv.field_size_limit()}") from None
        raise ImportFileError(
            gettext_noop("The CSV file is malformed near row %(row)s (%(error)s)."), row=reader.line_num, error=str(exc)
        ) from exc


class LimitError(ImportFileError):
    """The file goes past one of the caps (rows, cell length, line length)."""


def guarded(rows: Rows) -> Rows:
    """``rows``, refused (``ImportFileError``) past ``MAX_ROWS`` rows or at a cell longer than
    ``MAX_CELL_CHARS``: every reader's rows go through here."""
    max_rows = _setting("TUMBUH_IMPORT_MAX_ROWS", MAX_ROWS)
    max_cell = _setting("TUMBUH_IMPORT_MAX_CELL_CHARS", MAX_CELL_CHARS)
    count = 0
    for number, cells in rows:
        count += 1
        if count > max_rows:
            raise LimitError(
                gettext_noop(
                    "The file holds more than %(max)s rows, more than one import takes. Split it into smaller files (e.g. "
                    "one per kecamatan) and upload them one by one."
                ),
                max=max_rows,
            )
        if cells and max(map(len, cells)) > max_cell:
            column = next(i for i, cell in enumerate(cells) if len(cell) > max_cell)
            raise _long_cell(number, column, len(cells[column]), max_cell)
        yield number, cells


def _long_cell(row: int, column: int | None, length: int | str, max_cell: int | None = None) -> LimitError:
    from openpyxl.utils import get_column_letter

    return LimitError(
        gettext_noop(
            "Row %(row)s holds a cell%(column)s of more than %(max)s characters (%(n)s): no list has values that long. "
            "Check that cell (text pasted by mistake?), correct it and upload the file again."
        ),
        row=row,
        column="" if column is None else f" ({get_column_letter(column + 1)})",
        n=length,
        max=max_cell if max_cell is not None else _setting("TUMBUH_IMPORT_MAX_CELL_CHARS", MAX_CELL_CHARS),
    )


def _trim(values: list[str]) -> list[str]:
    end = len(values)
    while end and not (values[end - 1] or "").strip():
        end -= 1
    return values[:end]


def estimate_rows(source, info: SourceInfo) -> int:
    """About how many data rows the file has, cheaply (for a progress bar, and in the request:
    nothing is parsed): the largest sheet's declared size for a workbook, the ``<tr>`` tags of
    HTML, the lines of a CSV."""
    source.seek(0)
    try:
        if info.format == "xlsx":
            return max(0, _xlsx_rows_declared(source) - 1)
        if info.format == "xls":
            return max(0, _xls_rows_declared(source) - 1)
        if info.format == "html":
            mark = "<tr".encode("utf-16-le") if info.encoding.startswith("utf-16") else b"<tr"
            return max(0, _count(source, mark, lower=True) - 1)
        return max(0, _count(source, b"\n") - 1)
    except Exception:
        return 0
    finally:
        source.seek(0)


_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"[A-Z]+\d+(?::[A-Z]+(\d+))?\"")
_ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s>]")
_SHEET_PART = re.compile(r"xl/worksheets/[^/]+\.xml", re.IGNORECASE)
_XLSX_HEAD = 1 << 18


def _xlsx_rows_declared(source) -> int:
    """The rows of the largest sheet: its ``<dimension>`` (which Excel writes near the top), or,
    where there is none (openpyxl's write-only mode), the rows in the sheet's first 256 KB
    scaled to its size. Only the head of each sheet is unpacked."""
    archive = _open_zip(source)
    try:
        best = 0
        for member in archive.infolist():
            if not _SHEET_PART.fullmatch(member.filename):
                continue
            head = safezip.head(archive, member, _XLSX_HEAD)
            found = _DIMENSION.search(head)
            if found:
                rows = int(found.group(1) or 1)
            else:
                rows = len(_ROW_TAG.findall(head))
                if len(head) < member.file_size and head:
                    rows = rows * member.file_size // len(head)
            best = max(best, rows)
        return best
    finally:
        archive.close()


def _xls_rows_declared(source) -> int:
    """The rows of the largest sheet, from each sheet's DIMENSIONS record (xlrd finds where
    each sheet starts; the sheets themselves are not read)."""
    import struct

    import xlrd

    book = xlrd.open_workbook(file_contents=source.read(), on_demand=True, ragged_rows=True)
    try:
        best = 0
        for start in getattr(book, "_sh_abs_posn", []):
            position, end = start, len(book.mem)
            while position + 4 <= end:
                code, length = struct.unpack_from("<HH", book.mem, position)
                if code == 0x0200 and length >= 14:  # DIMENSIONS, BIFF8: first row, last row + 1 (32-bit)
                    best = max(best, struct.unpack_from("<II", book.mem, position + 4)[1])
                    break
                if code == 0x000A:  # EOF of the sheet
                    break
                position += 4 + length
        return best
    finally:
        book.release_resources()


def _count(source, mark: bytes, lower: bool = False) -> int:
    """Occurrences of ``mark`` in the file, read in chunks (a mark split by a chunk's end counts)."""
    count, tail = 0, b""
    while chunk := source.read(1 << 20):
        if lower:
            chunk = chunk.lower()
        text = tail + chunk
        count += text.count(mark)
        tail = text[1 - len(mark) :]  # too short to hold a whole mark: nothing counted twice
    return count


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
    headers: list[str]  # the whole header row, as read
    header_row: int
    columns: dict[str, int]
    rows: Iterator[tuple[int, list[str]]] = field(repr=False)
    sheet: str = ""  # the sheet read, for a workbook


@dataclass
class _Header:
    position: int  # in the rows read ahead
    number: int
    columns: dict[str, int]
    head: list[tuple[int, list[str]]]


def _best_header(rows: Rows, spec: HeaderSpec) -> _Header | None:
    """The row among the first ones that names every required group and most columns."""
    head = list(itertools.islice(rows, HEADER_SEARCH_ROWS))
    best = None
    for position, (number, cells) in enumerate(head):
        found = spec.match(cells)
        if found and not spec.missing(found) and (best is None or len(found) > len(best.columns)):
            best = _Header(position, number, found, head)
    return best


def _no_header(spec: HeaderSpec) -> ImportFileError:
    expected = ", ".join(" / ".join(spec.names[k][0] for k in group) for group in spec.required)
    return ImportFileError(
        gettext_noop("No header row found in the first %(n)s rows. Expected columns: %(columns)s."),
        n=HEADER_SEARCH_ROWS,
        columns=expected,
    )


def _table(found: _Header, rest: Rows, sheet: str = "") -> Table:
    header_cells = found.head[found.position][1]
    headers = [cell_text(c).strip() for c in header_cells]
    return Table(headers, found.number, found.columns, itertools.chain(found.head[found.position + 1 :], rest), sheet)


def _find_header(rows: Rows, spec: HeaderSpec) -> Table:
    found = _best_header(rows, spec)
    if found is None:
        raise _no_header(spec)
    return _table(found, rows)


def _pick_sheet(sheets: list[Sheet], close: Callable[[], None], spec: HeaderSpec) -> Table:
    """The sheet whose header row matches best (the first such sheet on a tie)."""
    best: tuple[_Header, Sheet] | None = None
    try:
        for sheet in sheets:
            found = _best_header(sheet.rows, spec)
            if found is not None and (best is None or len(found.columns) > len(best[0].columns)):
                best = (found, sheet)
        for sheet in sheets:
            if best is None or sheet is not best[1]:
                sheet.rows.close()
    except BaseException:
        close()
        raise
    if best is None:
        close()
        raise _no_header(spec)
    found, sheet = best
    return _table(found, _closing(sheet.rows, close), sheet.name)


def _closing(rows: Rows, close: Callable[[], None]) -> Rows:
    try:
        yield from rows
    finally:
        close()


def _without_repeated(rows: Rows, header: list[str]) -> Rows:
    """Rows, without the header row repeated (a paged HTML export repeats it per table)."""
    for number, cells in rows:
        if cells != header:
            yield number, cells


def _csv_delimiter(source, encoding: str, spec: HeaderSpec) -> str:
    """The delimiter under which the known headers show up best (then: most columns)."""
    best, best_score = ",", (-1, -1)
    for delimiter in CSV_DELIMITERS:
        score = (0, 0)
        try:
            for _, cells in itertools.islice(iter_csv(source, encoding, delimiter), HEADER_SEARCH_ROWS):
                score = max(score, (len(spec.match(cells)), len(cells)))
        except LimitError:
            pass  # a row past a cap, whatever the delimiter: judge it by the rows before
        except ImportFileError:
            continue
        if score > best_score:
            best, best_score = delimiter, score
    source.seek(0)
    return best


def open_table(source, info: SourceInfo, spec: HeaderSpec) -> Table:
    """The header and a lazy iterator over the data rows below it."""
    if info.format == "xlsx":
        return _pick_sheet(*iter_xlsx(source), spec)
    if info.format == "xls":
        return _pick_sheet(*iter_xls(source), spec)
    if info.format == "html":
        table = _find_header(iter_html(source, info.encoding), spec)
        table.rows = _without_repeated(table.rows, table.headers)
        return table
    delimiter = _csv_delimiter(source, info.encoding, spec)
    return _find_header(iter_csv(source, info.encoding, delimiter), spec)


def as_binary(data: bytes | str | Iterable) -> io.BytesIO:
    """Test and command-line helper: bytes (or text, UTF-8) as a seekable binary file."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return io.BytesIO(bytes(data))
