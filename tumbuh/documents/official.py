"""Official documents (naskah dinas) as plain data, rendered to PDF and to editable DOCX.

Every document Tumbuh produces for signing or filing — the lokus decree draft, the Rembuk
commitment and berita acara, attendance lists, meeting invitations and minutes, reports — is
an :class:`OfficialDocument`: a letterhead (kop surat), a title, a number and date, a list of
blocks (headings, paragraphs, tables, lists) and the signature blocks. A domain app builds
one; :func:`render_pdf` (WeasyPrint) and :func:`render_docx` (python-docx) draw the same
content, so the PDF to print and the DOCX to edit never disagree. Dates are written the
Indonesian way ("30 November 2026") whatever the reader's UI language.

This module has no models and no views: it is the extension point apps call.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.formats import date_format

from tumbuh.core.numbers import format_number, to_decimal

#: The language of official documents.
LANGUAGE = "id"


@dataclass
class Kop:
    """The letterhead: government, office, address and contact lines."""

    government: str  # "PEMERINTAH KABUPATEN LUWU TIMUR"
    office: str = ""  # "BADAN PERENCANAAN PEMBANGUNAN DAERAH"
    address: str = ""
    contact: str = ""


@dataclass
class Heading:
    text: str
    level: int = 1


@dataclass
class Paragraph:
    text: str
    bold: bool = False
    align: str = "justify"  # justify | left | center


@dataclass
class ItemList:
    items: list[str]
    ordered: bool = True


@dataclass
class Table:
    headers: list[str]
    rows: list[list]
    #: Relative column widths (any positive numbers); equal when empty.
    widths: list[float] = field(default_factory=list)
    #: Column indexes that hold numbers (right-aligned, Indonesian number format).
    numeric: list[int] = field(default_factory=list)
    #: An optional last row, printed bold (e.g. totals).
    footer: list | None = None
    #: Row height in millimetres, e.g. to leave room for a signature in an attendance list.
    row_height_mm: float | None = None


@dataclass
class PageBreak:
    pass


Block = Heading | Paragraph | ItemList | Table | PageBreak


@dataclass
class Signatory:
    """One signature block: the position, then room to sign, then the name and NIP."""

    position: str
    name: str = ""
    nip: str = ""
    organisation: str = ""


@dataclass
class OfficialDocument:
    kop: Kop
    title: str
    nomor: str = ""
    subtitle: str = ""
    blocks: list[Block] = field(default_factory=list)
    #: Where and when it is signed ("Malili, 30 November 2026").
    place: str = ""
    date: dt.date | None = None
    signatories: list[Signatory] = field(default_factory=list)
    #: "blocks": side by side with room to sign; "table": a numbered table with a signature
    #: column (for long lists such as a commitment signed by every village head).
    signature_style: str = "blocks"
    #: The file name without extension ("berita-acara-rembuk-2026").
    filename: str = "dokumen"
    landscape: bool = False

    @property
    def place_and_date(self) -> str:
        parts = [self.place] if self.place else []
        if self.date:
            parts.append(indonesian_date(self.date))
        return ", ".join(parts)


def indonesian_date(value: dt.date) -> str:
    """'30 November 2026', whatever the active language."""
    with translation.override(LANGUAGE):
        return date_format(value, "j F Y")


def indonesian_number(value, decimals: int | None = None) -> str:
    """'1.234,5': Indonesian digit grouping and decimal comma, whatever the active language.
    ``decimals`` rounds by the one rule (:func:`tumbuh.core.numbers.format_number`); without it
    the number is written with the decimals it has (``1234`` → ``1.234``, ``2.25`` → ``2,25``)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return value
    if decimals is None:
        d = to_decimal(value)
        if d is None:
            return ""
        decimals = max(0, -d.as_tuple().exponent)
    return format_number(value, decimals, LANGUAGE)


def rupiah(value) -> str:
    """'Rp 1.234.567': an amount in whole rupiah, as official documents write it."""
    return f"Rp {indonesian_number(int(value or 0))}"


def _cell(value, numeric: bool) -> str:
    if value is None:
        return ""
    if numeric and isinstance(value, (int, float)) and not isinstance(value, bool):
        return indonesian_number(value, 0 if isinstance(value, int) else 1)
    if hasattr(value, "__float__") and numeric and not isinstance(value, str):
        return indonesian_number(float(value), 1)
    if isinstance(value, dt.date):
        return indonesian_date(value)
    return str(value)


def _table_rows(table: Table) -> tuple[list[list[str]], list[str] | None]:
    rows = [[_cell(v, i in table.numeric) for i, v in enumerate(row)] for row in table.rows]
    footer = [_cell(v, i in table.numeric) for i, v in enumerate(table.footer)] if table.footer else None
    return rows, footer


def _widths(table: Table) -> list[float]:
    n = len(table.headers)
    widths = table.widths if len(table.widths) == n else [1.0] * n
    total = sum(widths)
    return [w / total for w in widths]


# ---------------------------------------------------------------- PDF


def render_html(doc: OfficialDocument) -> str:
    blocks = []
    for block in doc.blocks:
        entry = {"kind": type(block).__name__, "block": block}
        if isinstance(block, Table):
            entry["rows"], entry["footer"] = _table_rows(block)
            entry["widths"] = [round(w * 100, 2) for w in _widths(block)]
        blocks.append(entry)
    with translation.override(LANGUAGE):
        return render_to_string("documents/official.html", {"doc": doc, "blocks": blocks})


def render_pdf(doc: OfficialDocument) -> bytes:
    """The document as an A4 PDF (WeasyPrint; needs pango)."""
    import weasyprint

    return weasyprint.HTML(string=render_html(doc)).write_pdf()


# ---------------------------------------------------------------- DOCX


def render_docx(doc: OfficialDocument) -> bytes:
    """The document as an editable Word file (python-docx), A4, Times New Roman 12 pt."""
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Mm, Pt

    d = docx.Document()
    section = d.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    if doc.landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin = section.bottom_margin = Cm(2)
    style = d.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(12)
    usable = section.page_width - section.left_margin - section.right_margin

    def para(text="", bold=False, align=WD_ALIGN_PARAGRAPH.LEFT, size=None, underline=False, space_after=4):
        p = d.add_paragraph()
        p.alignment = align
        p.paragraph_format.space_after = Pt(space_after)
        if text:
            run = p.add_run(text)
            run.bold, run.underline = bold, underline
            if size:
                run.font.size = Pt(size)
        return p

    center = WD_ALIGN_PARAGRAPH.CENTER
    # Kop surat, ruled off below.
    para(doc.kop.government.upper(), bold=True, align=center, size=14, space_after=0)
    if doc.kop.office:
        para(doc.kop.office.upper(), bold=True, align=center, size=16, space_after=0)
    for line in (doc.kop.address, doc.kop.contact):
        if line:
            para(line, align=center, size=10, space_after=0)
    rule = para("_" * 78, align=center, space_after=12)
    rule.runs[0].font.size = Pt(8)

    para(doc.title.upper(), bold=True, align=center, underline=bool(doc.nomor), space_after=0)
    if doc.nomor:
        para(f"Nomor: {doc.nomor}", align=center, space_after=0)
    if doc.subtitle:
        para(doc.subtitle, bold=True, align=center, space_after=0)
    para(space_after=6)

    aligns = {"justify": WD_ALIGN_PARAGRAPH.JUSTIFY, "left": WD_ALIGN_PARAGRAPH.LEFT, "center": center}
    for block in doc.blocks:
        if isinstance(block, Heading):
            para(block.text, bold=True, size=13 if block.level == 1 else 12, space_after=6)
        elif isinstance(block, Paragraph):
            para(block.text, bold=block.bold, align=aligns.get(block.align, WD_ALIGN_PARAGRAPH.JUSTIFY), space_after=8)
        elif isinstance(block, ItemList):
            for i, item in enumerate(block.items, 1):
                p = para(f"{i}. {item}" if block.ordered else f"• {item}", align=WD_ALIGN_PARAGRAPH.JUSTIFY)
                p.paragraph_format.left_indent = Cm(0.75)
                p.paragraph_format.first_line_indent = Cm(-0.5)
        elif isinstance(block, PageBreak):
            d.add_page_break()
        elif isinstance(block, Table):
            rows, footer = _table_rows(block)
            table = d.add_table(rows=1, cols=len(block.headers))
            table.style = "Table Grid"
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            widths = [int(usable * w) for w in _widths(block)]
            for cells, bold in [
                (block.headers, True),
                *((r, False) for r in rows),
                *([(footer, True)] if footer else []),
            ]:
                row = table.rows[0] if bold and cells is block.headers else table.add_row()
                if block.row_height_mm and cells is not block.headers:
                    row.height = Mm(block.row_height_mm)
                for i, value in enumerate(cells):
                    cell = row.cells[i]
                    cell.width = widths[i]
                    cell.text = ""
                    run = cell.paragraphs[0].add_run(str(value))
                    run.bold = bold
                    run.font.size = Pt(10)
                    if i in block.numeric and cells is not block.headers:
                        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
            para(space_after=6)

    if doc.place_and_date or doc.signatories:
        _docx_signatures(d, doc, para, usable)
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def _docx_signatures(d, doc: OfficialDocument, para, usable) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    center = WD_ALIGN_PARAGRAPH.CENTER
    if doc.signature_style == "table" and doc.signatories:
        if doc.place_and_date:
            para(doc.place_and_date, align=WD_ALIGN_PARAGRAPH.RIGHT)
        table = d.add_table(rows=1, cols=4)
        table.style = "Table Grid"
        for i, h in enumerate(["No", "Nama", "Jabatan / Instansi", "Tanda Tangan"]):
            table.rows[0].cells[i].text = h
        for n, s in enumerate(doc.signatories, 1):
            row = table.add_row()
            row.height = Mm(12)
            position = s.position + (f" — {s.organisation}" if s.organisation else "")
            for i, value in enumerate([str(n), s.name, position, f"{n}. ......................"]):
                row.cells[i].text = value
        return
    # Signature blocks, two per row, the first of a single one on the right.
    if doc.place_and_date and not doc.signatories:
        para(doc.place_and_date, align=WD_ALIGN_PARAGRAPH.RIGHT)
        return
    sigs = doc.signatories
    table = d.add_table(rows=0, cols=2)
    if doc.place_and_date:
        header = table.add_row().cells[1]
        header.text = doc.place_and_date
        header.paragraphs[0].alignment = center
    for start in range(0, len(sigs), 2):
        pair = sigs[start : start + 2]
        row = table.add_row()
        columns = [1] if len(pair) == 1 else [0, 1]
        for column, s in zip(columns, pair):
            cell = row.cells[column]
            cell.text = ""
            p = cell.paragraphs[0]
            p.alignment = center
            p.add_run(s.position + (f" {s.organisation}" if s.organisation else ""))
            sign = cell.add_paragraph("\n\n\n")
            sign.alignment = center
            name = cell.add_paragraph()
            name.alignment = center
            run = name.add_run(s.name or "(....................................)")
            run.bold, run.underline = True, bool(s.name)
            if s.nip:
                nip = cell.add_paragraph(f"NIP. {s.nip}")
                nip.alignment = center
            for para_ in cell.paragraphs:
                for r in para_.runs:
                    r.font.size = Pt(11)


# ---------------------------------------------------------------- responses

PDF, DOCX = "pdf", "docx"
CONTENT_TYPES = {
    PDF: "application/pdf",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def document_response(doc: OfficialDocument, fmt: str):
    """An HTTP download of ``doc`` as ``pdf`` or ``docx`` (404 for another format)."""
    from django.http import Http404, HttpResponse

    if fmt not in CONTENT_TYPES:
        raise Http404
    body = render_pdf(doc) if fmt == PDF else render_docx(doc)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{doc.filename}.{fmt}"'
    return response
