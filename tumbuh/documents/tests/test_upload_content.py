"""Uploads are judged by their content, not their name (issue 15): an HTML page named .pdf
must not pass for a signed scan and close a rembuk."""

import datetime as dt
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tumbuh.documents.actions import do_attach
from tumbuh.documents.forms import UploadForm
from tumbuh.documents.models import UploadedDocument
from tumbuh.documents.testing import docx_bytes, image_bytes, odt_bytes, pdf_bytes, pdf_upload
from tumbuh.documents.validators import validate_upload
from tumbuh.imports.testing import xlsx_bytes

pytestmark = pytest.mark.django_db

HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script>%PDF-1.4 ditandatangani</body></html>"


def _rembuk(alice):
    from tumbuh.rembuk import actions
    from tumbuh.rembuk.models import RembukEvent

    event = RembukEvent(
        wilayah_id="73.24",
        year=2026,
        title="Rembuk Uji Unggahan",
        date=dt.date(2026, 4, 15),
        place="Aula",
        signing_place="Malili",
        agenda="Pembukaan",
    )
    return actions.do_save_event(alice, event, reason="uji", invite=False)


def _post_scan(client, event, kind, upload):
    return client.post(f"/rembuk/{event.pk}/unggah/", {"kind": kind, "title": upload.name, "file": upload}, follow=True)


def test_an_html_file_named_pdf_is_refused_and_the_rembuk_stays_open(client, demo_users, settings, tmp_path):
    from tumbuh.rembuk import actions

    settings.MEDIA_ROOT = tmp_path
    alice = demo_users["admin.lutim"]
    event = _rembuk(alice)
    client.force_login(alice)
    assert _post_scan(client, event, actions.SCAN_COMMITMENT, pdf_upload("komitmen.pdf")).status_code == 200
    page = _post_scan(
        client, event, actions.SCAN_BERITA_ACARA, SimpleUploadedFile("berita-acara.pdf", HTML, "application/pdf")
    ).content.decode()
    assert "Berkas ini bukan PDF yang sah" in page
    event.refresh_from_db()
    assert not event.is_closed
    assert list(UploadedDocument.for_object(event).values_list("kind", flat=True)) == [actions.SCAN_COMMITMENT]
    assert not list(tmp_path.rglob("berita-acara*"))  # nothing stored

    # The real berita acara closes it.
    _post_scan(client, event, actions.SCAN_BERITA_ACARA, pdf_upload("berita-acara.pdf", note="ba"))
    event.refresh_from_db()
    assert event.is_closed


def test_the_action_refuses_a_disguised_file_even_without_the_form(alice, settings, tmp_path):
    """Every upload field (aksi evidence, TPPS decree, rapat evidence, genting help, perbup) files
    through do_attach, whose model check judges the content too."""
    settings.MEDIA_ROOT = tmp_path
    from tumbuh.wilayah.models import Wilayah

    district = Wilayah.objects.get(pk="73.24")
    with pytest.raises(ValidationError) as caught:
        do_attach(
            alice, district, file=SimpleUploadedFile("sk.pdf", HTML), kind="sk", title="palsu", wilayah_code="73.24"
        )
    assert "file" in caught.value.message_dict
    assert not UploadedDocument.objects.filter(title="palsu").exists()
    doc = do_attach(
        alice, district, file=pdf_upload("sk.pdf", note="sk"), kind="sk", title="asli", wilayah_code="73.24"
    )
    assert doc.file.read() == pdf_bytes("sk")  # stored whole, from its first byte


def test_a_real_pdf_made_by_weasyprint_is_accepted():
    from weasyprint import HTML as Page

    real = Page(string="<p>Berita acara</p>").write_pdf()
    validate_upload(SimpleUploadedFile("ba.pdf", real))
    validate_upload(SimpleUploadedFile("BA-TTD.PDF", real))  # the extension's case does not matter


def test_a_pdf_without_its_trailer_or_under_another_name_is_refused():
    with pytest.raises(ValidationError, match="bukan PDF yang sah"):
        validate_upload(SimpleUploadedFile("ba.pdf", pdf_bytes()[:-200]))  # cut off: no %%EOF
    with pytest.raises(ValidationError, match="bukan gambar"):
        validate_upload(SimpleUploadedFile("foto.PNG", pdf_bytes()))  # a PDF is not a picture


@pytest.mark.parametrize("name, fmt", [("foto.jpg", "JPEG"), ("foto.JPEG", "JPEG"), ("foto.png", "PNG")])
def test_real_images_are_accepted_where_images_are_allowed(name, fmt):
    form = UploadForm(data={"title": "Foto kegiatan"}, files={"file": SimpleUploadedFile(name, image_bytes(fmt))})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["file"].read() == image_bytes(fmt)  # left at its start


@pytest.mark.parametrize(
    "name, content",
    [
        ("foto.jpg", b"\xff\xd8\xff jpeg and nothing more"),  # magic bytes alone are not a picture
        ("foto.png", HTML),
        ("foto.jpg", image_bytes("PNG")),  # a PNG named .jpg would be served as the wrong kind
        ("rekap.xlsx", HTML),
        ("surat.docx", b"PK\x03\x04 not really a zip"),
    ],
)
def test_disguised_files_are_refused_by_the_form(name, content):
    from django.utils import translation

    with translation.override("id"):
        form = UploadForm(data={"title": "x"}, files={"file": SimpleUploadedFile(name, content)})
        assert not form.is_valid()
        assert "Berkas ini bukan" in form.errors["file"][0]


def test_office_files_made_by_their_programs_pass():
    validate_upload(SimpleUploadedFile("surat.docx", docx_bytes()))
    validate_upload(SimpleUploadedFile("rekap.xlsx", xlsx_bytes([["Desa", "Jumlah"], ["Balantang", 12]]).getvalue()))
    validate_upload(SimpleUploadedFile("notulen.odt", odt_bytes()))


def test_a_zip_that_is_not_the_kind_its_name_says_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")  # no [Content_Types].xml: no Word file
    with pytest.raises(ValidationError, match="bukan dokumen Word"):
        validate_upload(SimpleUploadedFile("surat.docx", out.getvalue()))
    with pytest.raises(ValidationError, match="bukan dokumen Word"):
        validate_upload(SimpleUploadedFile("rekap.xlsx", docx_bytes()))  # a Word document named .xlsx
    with pytest.raises(ValidationError, match="bukan dokumen Word"):
        validate_upload(SimpleUploadedFile("surat.odt", docx_bytes()))


#: Upload fields that take data files read by their own importers, not scans or documents.
DATA_IMPORTS = {
    ("tumbuh.imports.forms", "file"),
    ("tumbuh.indikator.forms", "file"),
    ("tumbuh.maps.forms", "file"),
    (
        "tumbuh.penilaian.forms",
        "file",
    ),  # a rubric as TOML text, size-capped and parsed by tomllib (penilaian/rubric.py)
}


def test_every_scan_or_document_upload_field_checks_the_content():
    """Each form field that files a scan or a document (rembuk scans, aksi evidence, TPPS decree,
    rapat evidence, genting help, perbup) runs the one validator, so the form says why at once."""
    import importlib
    import pkgutil

    from django import forms

    import tumbuh

    found = []
    for app in pkgutil.iter_modules(tumbuh.__path__):
        try:
            module = importlib.import_module(f"tumbuh.{app.name}.forms")
        except ModuleNotFoundError:
            continue
        for form in vars(module).values():
            if not (isinstance(form, type) and issubclass(form, forms.BaseForm)) or form.__module__ != module.__name__:
                continue
            for name, field in form.base_fields.items():
                if isinstance(field, forms.FileField) and (module.__name__, name) not in DATA_IMPORTS:
                    found.append(f"{module.__name__}.{form.__name__}.{name}")
                    assert validate_upload in field.validators, f"{module.__name__}.{form.__name__}.{name}"
    assert {
        "tumbuh.documents.forms.UploadForm.file",
        "tumbuh.rembuk.forms.ScanForm.file",
        "tumbuh.tpps.forms.DecreeForm.file",
        "tumbuh.aksi.forms.EvidenceForm.file",
        "tumbuh.rapat.forms.ProgressForm.file",
        "tumbuh.genting.forms.HelpForm.evidence",
        "tumbuh.konvergensi_desa.forms.RegulationForm.document",
    } <= set(found)
