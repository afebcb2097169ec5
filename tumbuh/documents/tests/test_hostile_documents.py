"""Word, Excel and ODT uploads are zip containers, judged as every upload's zip is (issue 15):
a zip bomb, a lying header, a name climbing out of the archive or an archive hidden inside is
refused by the form with the reason in Indonesian, and nothing is stored."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from tumbuh.core.testing import lying_zip, zip_bomb
from tumbuh.documents.forms import UploadForm
from tumbuh.documents.models import UploadedDocument
from tumbuh.documents.testing import ODT_MIMETYPE, docx_bytes, odt_bytes
from tumbuh.imports.testing import xlsx_bytes

pytestmark = pytest.mark.django_db


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {n: archive.read(n) for n in archive.namelist()}


def _form_error(name: str, data: bytes) -> str:
    with translation.override("id"):
        form = UploadForm(data={"title": "Bukti"}, files={"file": SimpleUploadedFile(name, data)})
        assert not form.is_valid()
        return form.errors["file"][0]


def test_a_docx_bomb_is_refused_by_the_form():
    parts = _parts(docx_bytes())
    del parts["word/document.xml"]
    bomb = zip_bomb(
        parts, "word/document.xml", 300 << 20, prefix=b'<?xml version="1.0"?><w:document><w:body><w:p><w:t>'
    )
    assert len(bomb) < 1 << 20
    message = _form_error("laporan.docx", bomb)
    assert 'tampak seperti "zip bomb": terurai menjadi 300 MB' in message and "word/document.xml" in message


def test_an_odt_bomb_is_refused_by_the_form():
    bomb = zip_bomb({"mimetype": ODT_MIMETYPE, "META-INF/manifest.xml": b"<manifest/>"}, "content.xml", 200 << 20)
    assert "zip bomb" in _form_error("notulen.odt", bomb)


def test_a_document_larger_than_its_limit_is_refused(settings):
    settings.TUMBUH_DOCUMENT_MAX_UNPACKED_BYTES = 1 << 20
    import random

    parts = _parts(docx_bytes())
    parts["word/media/image1.png"] = random.Random(15).randbytes(2 << 20)  # a photo: does not compress
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    assert "lebih dari batas 1 MB" in _form_error("laporan.docx", out.getvalue())


def test_a_lying_header_in_a_docx_is_refused():
    real = docx_bytes("Laporan " * 5000)
    assert "yang dinyatakan di kepala berkasnya" in _form_error(
        "laporan.docx", lying_zip(real, "word/document.xml", 500)
    )


def test_a_name_climbing_out_and_a_nested_archive_are_refused():
    parts = _parts(docx_bytes())
    for extra, expected in (
        ({"../../../var/www/shell.php": b"<?php ?>"}, "menunjuk ke luar arsip"),
        ({"word/media/foto.jpg": docx_bytes()}, "arsip lain di dalamnya"),
    ):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, content in {**parts, **extra}.items():
                archive.writestr(name, content)
        assert expected in _form_error("laporan.docx", out.getvalue())


def test_real_office_files_pass_including_a_word_report_with_an_embedded_chart_workbook():
    """No false positives: Word keeps a chart's data as an .xlsx in word/embeddings/."""
    chart = xlsx_bytes([["Desa", "Prevalensi"], ["Balantang", 21.5]]).getvalue()
    for name, data in (("laporan.docx", docx_bytes(embed=chart)), ("notulen.odt", odt_bytes()), ("rekap.xlsx", chart)):
        with translation.override("id"):
            form = UploadForm(data={"title": "Bukti"}, files={"file": SimpleUploadedFile(name, data)})
            assert form.is_valid(), form.errors


def test_the_rembuk_page_refuses_a_bomb_and_stores_nothing(client, alice, settings, tmp_path):
    """Through a real upload page (the rembuk's signed documents share this form)."""
    import datetime as dt

    from tumbuh.rembuk import actions
    from tumbuh.rembuk.models import RembukEvent

    settings.MEDIA_ROOT = tmp_path
    event = actions.do_save_event(
        alice,
        RembukEvent(
            wilayah_id="73.24",
            year=2026,
            title="Rembuk Uji Bom",
            date=dt.date(2026, 4, 15),
            place="Aula",
            signing_place="Malili",
            agenda="Pembukaan",
        ),
        reason="uji",
        invite=False,
    )
    parts = _parts(docx_bytes())
    del parts["word/document.xml"]
    bomb = zip_bomb(parts, "word/document.xml", 300 << 20)
    client.force_login(alice)
    page = client.post(
        f"/rembuk/{event.pk}/unggah/",
        {
            "kind": actions.SCAN_BERITA_ACARA,
            "title": "Berita acara",
            "file": SimpleUploadedFile("berita-acara.docx", bomb),
        },
        follow=True,
    ).content.decode()
    assert "zip bomb" in page
    assert not UploadedDocument.for_object(event).exists() and not list(tmp_path.rglob("berita-acara*"))
