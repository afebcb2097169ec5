"""The rembuk's documents hold the signatories and the figures: read back from the PDF with
pdftotext and from the DOCX with python-docx."""

import datetime as dt
import io

import docx
import pytest

from tumbuh.rembuk import actions, documents
from tumbuh.rembuk.documents import terbilang
from tumbuh.rembuk.models import Category, Invitee, RembukEvent
from tumbuh.rencana.testing import TEST_YEAR, make_activity, pdftext  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(alice):
    make_activity(
        alice,
        budget=1_234_500_000,
        desa=["73.24.04.2010"],
        sub_kegiatan="PMT lokal ibu hamil KEK",
        sub_kegiatan_code="1.02.02.2.02.0033",
        kegiatan_code="1.02.02.2.02",
        program_code="1.02.02",
    )
    make_activity(
        alice,
        opd="DP2KB",
        indicator="krs-pendampingan",
        budget=350_000_000,
        sub_kegiatan="Pendampingan KRS",
        funding_source="dana_desa",
    )
    e = RembukEvent(
        wilayah_id="73.24",
        year=TEST_YEAR,
        title="Rembuk Stunting Kabupaten Luwu Timur 2026",
        date=dt.date(2026, 4, 15),
        place="Aula Kantor Bupati Luwu Timur",
        signing_place="Malili",
        agenda="Pembukaan\nPaparan",
        decisions="Menyepakati rencana kegiatan 2026\nMenambah desa lokus Balantang",
        nomor_berita_acara="050/12/TPPS/IV/2026",
        nomor_komitmen="050/13/TPPS/IV/2026",
    )
    actions.do_save_event(alice, e, invite=True)
    bupati = e.invitees.get(category=Category.BUPATI)
    bupati.name = "Drs. H. Budiman"
    actions.do_save_participant(alice, bupati)
    actions.do_save_participant(
        alice,
        Invitee(
            event=e,
            category=Category.KEPALA_DESA,
            name="Andi Baso",
            position="Kepala Desa Balantang",
            desa_id="73.24.04.2010",
        ),
    )
    attended = list(e.invitees.values_list("pk", flat=True)[:5])
    actions.do_record_attendance(alice, e, attended)
    actions.do_freeze_materials(alice, e, now=dt.datetime(2026, 4, 15, 10, 30, tzinfo=dt.UTC))
    actions.do_agree_plan(alice, e, note="disepakati dalam rembuk")
    return e


def test_terbilang_spells_dates_as_official_documents_do():
    assert terbilang(15) == "lima belas"
    assert terbilang(30) == "tiga puluh"
    assert terbilang(2026) == "dua ribu dua puluh enam"
    assert terbilang(111) == "seratus sebelas"
    assert terbilang(1999) == "seribu sembilan ratus sembilan puluh sembilan"


def test_commitment_pdf_lists_every_signatory(event, pdftext):
    text = pdftext(documents.render_pdf_for(event, documents.COMMITMENT))
    assert "PERNYATAAN KOMITMEN" in text and "Nomor: 050/13/TPPS/IV/2026" in text
    assert f"REMBUK STUNTING KABUPATEN LUWU TIMUR TAHUN {TEST_YEAR}" in text
    assert "Drs. H. Budiman" in text and "Bupati Luwu Timur" in text
    assert "Ketua DPRD Kabupaten Luwu Timur" in text
    assert "Kepala Dinas Kesehatan" in text and "Camat Malili" in text
    assert "Andi Baso" in text and "Kepala Desa Balantang" in text
    assert "Rp 1.584.500.000" in text  # the agreed plan's budget, Indonesian format
    assert "Malili, 15 April 2026" in text


def test_berita_acara_pdf_holds_the_figures_decisions_and_signatories(event, pdftext):
    text = pdftext(documents.render_pdf_for(event, documents.BERITA_ACARA))
    assert "BERITA ACARA" in text and "Nomor: 050/12/TPPS/IV/2026" in text
    assert "hari ini Rabu tanggal lima belas bulan April tahun dua ribu dua puluh enam" in " ".join(text.split())
    assert "dihadiri oleh 5 dari" in " ".join(text.split())
    assert "Menyepakati rencana kegiatan 2026" in text
    assert "versi 1" in text and "1.234.500.000" in text and "350.000.000" in text
    assert "Dana Desa" in text and "1.02.02.2.02.0033" in text and "Balantang" in text
    assert "Drs. H. Budiman" in text  # the Bupati signs the berita acara


def test_attendance_list_pdf_has_every_invited_participant(event, pdftext):
    text = pdftext(documents.render_pdf_for(event, documents.ATTENDANCE))
    assert "DAFTAR HADIR" in text and "Rabu, 15 April 2026" in text
    assert "Andi Baso" in text and "Kepala Desa Balantang" in text and "Bupati Luwu Timur" in text
    n = event.invitees.count()
    assert f"{n}. ........" in text and f"{n + 1}. ........" not in text


def test_docx_is_the_same_content_to_edit(event):
    d = docx.Document(io.BytesIO(documents.render_docx_for(event, documents.COMMITMENT)))
    signatures = d.tables[-1]
    names = [row.cells[1].text for row in signatures.rows[1:]]
    positions = [row.cells[2].text for row in signatures.rows[1:]]
    assert "Drs. H. Budiman" in names and any(p.startswith("Camat Malili") for p in positions)
    assert len(signatures.rows) - 1 == event.invitees.filter(signs_commitment=True).count()


def test_the_document_pages_download_pdf_and_docx(client, alice, event, demo_users):
    client.force_login(alice)
    response = client.get(f"/rembuk/{event.pk}/dokumen/berita-acara.docx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    assert client.get(f"/rembuk/{event.pk}/dokumen/surat.pdf").status_code == 404
    assert client.get(f"/rembuk/{event.pk}/dokumen/berita-acara.odt").status_code == 404
    client.force_login(demo_users["admin.luwu"])
    assert client.get(f"/rembuk/{event.pk}/dokumen/berita-acara.docx").status_code == 404
