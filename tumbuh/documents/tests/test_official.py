"""Official documents: the same content in the PDF (read back with pdftotext) and the DOCX."""

import datetime as dt
import io
import shutil
import subprocess

import docx
import pytest

from tumbuh.core.testing import require_or_skip
from tumbuh.dashboards.pdf import weasyprint_error
from tumbuh.documents.models import Letterhead
from tumbuh.documents.official import (
    Heading,
    ItemList,
    Kop,
    OfficialDocument,
    Paragraph,
    Signatory,
    Table,
    indonesian_date,
    indonesian_number,
    render_docx,
    render_pdf,
)


def _doc(**kw) -> OfficialDocument:
    return OfficialDocument(
        kop=Kop(
            "Pemerintah Kabupaten Luwu Timur", "Badan Perencanaan Pembangunan Daerah", "Jl. Soekarno Hatta, Malili"
        ),
        title="Berita Acara Rembuk Stunting",
        nomor="050/123/BAPPEDA/XI/2026",
        blocks=[
            Heading("Keputusan"),
            Paragraph("Pada hari ini para pihak menyepakati rencana kegiatan."),
            ItemList(["Menetapkan 10 desa lokus.", "Mengalokasikan Dana Desa."]),
            Table(
                ["Desa", "Balita diukur", "Prevalensi (%)"],
                [["Balantang", 1234, 21.45], ["Malili", 88, 9.0]],
                numeric=[1, 2],
                footer=["Jumlah", 1322, None],
            ),
        ],
        place="Malili",
        date=dt.date(2026, 11, 30),
        signatories=[
            Signatory("Bupati Luwu Timur", "Ir. H. Irwan Bachri Syam", ""),
            Signatory("Ketua DPRD", "Aripin", "19700101 199001 1 001"),
        ],
        **kw,
    )


def test_indonesian_formats():
    assert indonesian_date(dt.date(2026, 8, 17)) == "17 Agustus 2026"
    assert indonesian_number(1234567) == "1.234.567"
    assert indonesian_number(21.45, 1) == "21,5"  # rounded half up, not cut off
    assert indonesian_number(9.0, 1) == "9,0"


def test_docx_holds_kop_title_number_table_and_signatories():
    d = docx.Document(io.BytesIO(render_docx(_doc())))
    text = "\n".join(p.text for p in d.paragraphs)
    assert "PEMERINTAH KABUPATEN LUWU TIMUR" in text
    assert "BERITA ACARA REMBUK STUNTING" in text and "Nomor: 050/123/BAPPEDA/XI/2026" in text
    assert "1. Menetapkan 10 desa lokus." in text
    data = d.tables[0]
    assert [c.text for c in data.rows[1].cells] == ["Balantang", "1.234", "21,5"]
    assert [c.text for c in data.rows[-1].cells][:2] == ["Jumlah", "1.322"]
    signatures = "\n".join(c.text for row in d.tables[1].rows for c in row.cells)
    assert "Malili, 30 November 2026" in signatures
    assert "Ir. H. Irwan Bachri Syam" in signatures and "NIP. 19700101 199001 1 001" in signatures


def test_docx_signature_table_for_long_lists():
    doc = _doc(signature_style="table")
    doc.signatories = [Signatory("Kepala Desa", f"Kades {i}", organisation=f"Desa {i}") for i in range(1, 31)]
    d = docx.Document(io.BytesIO(render_docx(doc)))
    sign = d.tables[-1]
    assert len(sign.rows) == 31  # header + 30
    assert sign.rows[30].cells[1].text == "Kades 30" and "Desa 30" in sign.rows[30].cells[2].text


@pytest.fixture
def pdftext(tmp_path):
    require_or_skip(weasyprint_error() is None, f"WeasyPrint cannot load: {weasyprint_error()}")
    require_or_skip(shutil.which("pdftotext") is not None, "pdftotext not found: apt-get install poppler-utils")

    def read(pdf: bytes) -> str:
        path = tmp_path / "doc.pdf"
        path.write_bytes(pdf)
        return subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout

    return read


def test_pdf_holds_the_same_content(pdftext):
    text = pdftext(render_pdf(_doc()))
    assert "PEMERINTAH KABUPATEN LUWU TIMUR" in text
    assert "Nomor: 050/123/BAPPEDA/XI/2026" in text
    assert "Balantang" in text and "1.234" in text and "1.322" in text
    assert "Malili, 30 November 2026" in text
    assert "Ir. H. Irwan Bachri Syam" in text and "NIP. 19700101 199001 1 001" in text
    assert "Halaman 1 dari 1" in text


def test_pdf_signature_table_spans_pages(pdftext):
    doc = _doc(signature_style="table")
    doc.signatories = [Signatory("Kepala Desa", f"Kades {i}", organisation=f"Desa {i}") for i in range(1, 61)]
    text = pdftext(render_pdf(doc))
    assert "Kades 1 " in text and "Kades 60" in text
    assert "dari 3" in text or "dari 4" in text


@pytest.mark.django_db
def test_kop_defaults_to_the_district_name_until_an_admin_sets_one(alice):
    kop = Letterhead.kop_for("73.24")
    assert kop.government == "PEMERINTAH KABUPATEN LUWU TIMUR"
    Letterhead.objects.create(kabupaten_id="73.24", government="PEMERINTAH KABUPATEN LUWU TIMUR", office="BAPPEDA")
    assert Letterhead.kop_for("73.24").office == "BAPPEDA"
