"""The evidence pack (``aksi.evidence``): one zip per action and year, or per year, holding every
document Tumbuh has for it, named as Aksi Bangda names the action, with an index in Indonesian;
only for those who may view the action, and only what they may see."""

import datetime
import hashlib
import io
import re
import types
import zipfile
from html.parser import HTMLParser

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from tumbuh.aksi import actions as aksi_actions
from tumbuh.aksi import outputs as aksi_outputs
from tumbuh.aksi.evidence import safe_name
from tumbuh.aksi.models import ActionYear
from tumbuh.aksi.outputs import GENERATED, Output, collect
from tumbuh.core.focus import SESSION_KEY
from tumbuh.documents.models import UploadedDocument
from tumbuh.documents.official import indonesian_date
from tumbuh.documents.testing import image_bytes, pdf_bytes
from tumbuh.rembuk import actions as rembuk_actions
from tumbuh.rembuk import documents as rembuk_documents
from tumbuh.rembuk.models import RembukEvent
from tumbuh.wilayah.models import Wilayah

pytestmark = pytest.mark.django_db

YEAR = 2026
SIGNED = datetime.datetime(2026, 4, 20, 8, tzinfo=datetime.UTC)
OWN_UPLOADS = "Dokumen yang diunggah pada halaman aksi"


def _aksi(number: int) -> ActionYear:
    return ActionYear.objects.get(cycle__kabupaten_id="73.24", cycle__year=YEAR, definition__number=number)


class _Tables(HTMLParser):
    """The rows of each ``<table class=…>`` of the index, as lists of cell texts."""

    def __init__(self, html: str):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table = self._row = self._cell = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._table = self.tables.setdefault(dict(attrs).get("class", ""), [])
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._row and self._row[0] != "No":
                self._table.append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _download(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "application/zip"
    return response, zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def _expected(user, action: ActionYear) -> set[tuple[str, str, str]]:
    """(title, group, format) of each file the action's documents come in, in Indonesian."""
    lutim = Wilayah.objects.get(code="73.24")
    with translation.override("id"):
        listed = collect(lutim, YEAR, user, action.definition.page)
    found = {(o.title, o.group, fmt) for o in listed for fmt, _url in ((o.format, o.url), *o.also)}
    for d in UploadedDocument.for_object(action):
        found.add((d.title, OWN_UPLOADS, d.file.name.rsplit(".", 1)[-1].upper()))
    return found


def _check_pack(archive: zipfile.ZipFile, expected: set) -> tuple[dict, list]:
    """Every document listed once (in the pack or not included), every file there with the
    SHA-256 the index states and the format it claims. Returns the files by path, and the rows
    of the documents not included."""
    index = archive.read("index.html").decode()
    tables = _Tables(index).tables
    files, omitted = tables.get("files", []), tables.get("omitted", [])
    files = [row for row in files if len(row) == 11]
    assert {(row[2], row[3], row[5]) for row in files} | {(row[1], row[2], row[3]) for row in omitted} == expected
    assert len(files) + len(omitted) == len(expected)
    paths = {row[1]: row for row in files}
    assert set(archive.namelist()) == set(paths) | {"index.html"}
    for path, row in paths.items():
        body = archive.read(path)
        assert hashlib.sha256(body).hexdigest() == row[10], path
        assert row[4] in ("dibuat Tumbuh", "unggahan") and row[7] in ("ya", "tidak")
        assert re.fullmatch(
            r"\d{1,2} (Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November|"
            r"Desember) \d{4}",
            row[8],
        ), row[8]
        if row[5] == "PDF":
            assert body.startswith(b"%PDF"), path
        if row[5] in ("DOCX", "XLSX"):
            assert "[Content_Types].xml" in zipfile.ZipFile(io.BytesIO(body)).namelist(), path
    assert f"Disusun oleh Tumbuh pada {indonesian_date(timezone.localdate())}" in index
    return paths, omitted


def test_aksi_3_pack_holds_the_rembuk_documents_and_the_signed_scans_as_uploaded(client, alice, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    event = RembukEvent.objects.get(year=YEAR, wilayah_id="73.24")
    signed = pdf_bytes("berita acara bertanda tangan")
    rembuk_actions.do_upload_scan(
        alice,
        event,
        file=SimpleUploadedFile("ba.pdf", signed, content_type="application/pdf"),
        kind=rembuk_actions.SCAN_BERITA_ACARA,
        title="Berita acara bertanda tangan",
        now=SIGNED,
    )
    a3 = _aksi(3)
    client.force_login(alice)
    assert f'href="{reverse("aksi:evidence_pack", args=(a3.pk,))}"' in client.get(f"/aksi/{a3.pk}/").content.decode()
    response, archive = _download(client, reverse("aksi:evidence_pack", args=(a3.pk,)))
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="Bukti Aksi 3 Rembuk Stunting 2026 - Kab Luwu Timur.zip"'
    )
    expected = _expected(alice, a3)
    assert len(expected) == 13  # two rembuk × three documents × PDF and DOCX, and the scan
    paths, omitted = _check_pack(archive, expected)
    assert omitted == []
    assert all(path.startswith("Aksi 3 - Rembuk Stunting/") for path in paths)
    [scan] = [path for path, row in paths.items() if row[4] == "unggahan"]
    assert archive.read(scan) == signed and scan.endswith(".pdf")
    index = archive.read("index.html").decode()
    assert "Kabupaten Luwu Timur" in index and "Deklarasi komitmen ditandatangani" in index  # the checklist
    checklist = {row[1]: row[2:] for row in _Tables(index).tables["checklist"]}
    # as on the action page: the records decide; the demo rembuk was held with attendance, the scan proves the berita acara
    assert {label: row[0] for label, row in checklist.items()} == {
        "Undangan dan daftar hadir": "✓ sudah",
        "Deklarasi komitmen ditandatangani": "✗ belum",
        "Berita acara rembuk stunting": "✓ sudah",
    }
    ba = checklist["Berita acara rembuk stunting"]
    assert ba[1].startswith("Terbukti oleh: Berita acara bertanda tangan") and ba[2] == "Tumbuh, dari catatannya"
    document = UploadedDocument.for_object(event).get(kind=rembuk_actions.SCAN_BERITA_ACARA)
    assert (
        f'href="http://testserver/dokumen/berkas/{document.pk}/"' in index
    )  # a full address: the index is opened outside
    assert checklist["Deklarasi komitmen ditandatangani"][1].startswith("Tercentang sendiri setelah ")


def test_aksi_1_pack_has_the_workbook_the_decree_and_the_evidence_uploaded_on_the_action_page(
    client, alice, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    a1 = _aksi(1)
    photo = image_bytes("JPEG")
    aksi_actions.attach_evidence(
        alice,
        a1,
        file=SimpleUploadedFile("foto.jpg", photo, content_type="image/jpeg"),
        title="Foto: rapat analisis situasi",
    )
    client.force_login(alice)
    response, archive = _download(client, reverse("aksi:evidence_pack", args=(a1.pk,)))
    assert response["Content-Disposition"].endswith(
        'filename="Bukti Aksi 1 Analisis Situasi 2026 - Kab Luwu Timur.zip"'
    )
    expected = _expected(alice, a1)
    assert {fmt for _title, _group, fmt in expected} == {"XLSX", "PDF", "DOCX", "JPG"}
    paths, omitted = _check_pack(archive, expected)
    assert omitted == []
    [own] = [path for path, row in paths.items() if row[3] == OWN_UPLOADS]
    assert own == "Aksi 1 - Analisis Situasi/03 Foto - rapat analisis situasi.jpg" and archive.read(own) == photo
    [workbook] = [path for path in paths if path.endswith(".xlsx")]
    assert openpyxl.load_workbook(io.BytesIO(archive.read(workbook)), read_only=True).sheetnames


def _fake_app(outputs):
    return types.SimpleNamespace(
        __name__="fake.aksi_outputs",
        outputs=lambda kabupaten, year, user: outputs,
        PROVES={},
        proofs=lambda kabupaten, year, user, today: [],
    )


def test_a_failing_document_is_listed_as_not_included_and_names_are_made_safe(client, alice, monkeypatch):
    event = RembukEvent.objects.get(year=YEAR, wilayah_id="73.24")
    working = reverse("rembuk:document", args=(event.pk, rembuk_documents.ATTENDANCE, "pdf"))
    extra = [
        Output("rembuk", "../../etc/passwd: CON?", working, GENERATED, "PDF"),
        Output("rembuk", "Rembuk yang tidak ada", "/rembuk/999999/dokumen/komitmen.pdf", GENERATED, "PDF"),
        Output("rembuk", "Tautan ke mana-mana", "/tidak-ada-di-tumbuh/", GENERATED, "PDF"),
        Output("rembuk", "Halaman publik", "/", GENERATED, "HTML"),
    ]
    original = aksi_outputs._modules
    monkeypatch.setattr(aksi_outputs, "_modules", lambda: (*original(), _fake_app(extra)))
    real_build = rembuk_documents.build

    def build(e, kind):
        if kind == rembuk_documents.BERITA_ACARA and e.pk == event.pk:
            raise RuntimeError("the template broke")
        return real_build(e, kind)

    monkeypatch.setattr(rembuk_documents, "build", build)
    a3 = _aksi(3)
    client.force_login(alice)
    _response, archive = _download(client, reverse("aksi:evidence_pack", args=(a3.pk,)))
    paths, omitted = _check_pack(archive, _expected(alice, a3))
    reasons = {(row[1], row[3]): row[4] for row in omitted}
    assert reasons[("Berita acara", "PDF")].startswith("gagal dibuat karena galat")
    assert reasons[("Berita acara", "DOCX")].startswith("gagal dibuat karena galat")
    assert "HTTP 404" in reasons[("Rembuk yang tidak ada", "PDF")]
    assert reasons[("Tautan ke mana-mana", "PDF")] == "tautannya tidak menuju halaman Tumbuh mana pun"
    assert reasons[("Halaman publik", "HTML")].startswith("halaman web")
    assert len(omitted) == 2 + 3  # the district's berita acara in both formats, and the three extras
    [unsafe] = [path for path, row in paths.items() if row[2] == "../../etc/passwd: CON?"]
    assert unsafe == "Aksi 3 - Rembuk Stunting/01 etc-passwd - CON.pdf"  # no group: listed first
    assert archive.read(unsafe).startswith(b"%PDF")  # still there, under a safe name
    # the Malili rembuk's berita acara still came through
    assert any(row[2] == "Berita acara" and "Malili" in row[3] for row in paths.values())


@pytest.mark.parametrize(
    "text, name",
    [
        ("../../x", "x"),
        ("a/b\\c:d", "a-b-c -d"),
        ('Laporan <final> "2026"? *|', "Laporan final 2026"),
        ("CON", "_CON"),
        ("nul.txt", "_nul.txt"),
        ("  ...  ", "dokumen"),
        ("Peraturan Bupati/Wali Kota tentang Peran Desa", "Peraturan Bupati-Wali Kota tentang Peran Desa"),
        ("baris\nbaru\ttab", "baris baru tab"),
    ],
)
def test_safe_names(text, name):
    assert safe_name(text) == name


def test_safe_names_are_short_enough():
    assert len(safe_name("a" * 500)) == 100


def _desa_codes(book_bytes: bytes) -> set[str]:
    book = openpyxl.load_workbook(io.BytesIO(book_bytes), read_only=True)
    return {
        m
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        for m in re.findall(r"\b73\.\d\d\.\d\d\.\d{4}\b", str(cell or ""))
    }


def test_a_desa_operator_gets_only_what_they_may_see(client, alice, bob):
    a1 = _aksi(1)
    client.force_login(bob)
    assert client.get(f"/aksi/{a1.pk}/").status_code == 200  # bob may view Pantau Aksi's pages
    _response, archive = _download(client, reverse("aksi:evidence_pack", args=(a1.pk,)))
    expected = _expected(bob, a1)
    assert expected < _expected(alice, a1)  # no SK lokus draft for a desa operator
    paths, omitted = _check_pack(archive, expected)
    assert not [path for path in paths if path.endswith(".xlsx")]  # the Master Ansit is the district's: not his
    client.force_login(alice)
    _response, archive = _download(client, reverse("aksi:evidence_pack", args=(a1.pk,)))
    [workbook] = [path for path in archive.namelist() if path.endswith(".xlsx")]
    assert len(_desa_codes(archive.read(workbook))) > 1


def test_a_superuser_focused_elsewhere_gets_the_actions_district(client, django_user_model):
    root = django_user_model.objects.create_superuser("akar.bukti", password="x-very-long-password")
    client.force_login(root)
    session = client.session
    session[SESSION_KEY] = "73.17"  # looking at Luwu in the region picker
    session.save()
    _response, archive = _download(client, reverse("aksi:evidence_pack", args=(_aksi(1).pk,)))
    [workbook] = [path for path in archive.namelist() if path.endswith(".xlsx")]
    codes = _desa_codes(archive.read(workbook))
    assert codes and all(code.startswith("73.24.") for code in codes)  # Luwu Timur's, the action's district
    assert client.session[SESSION_KEY] == "73.17"  # the picker is left as it was


def test_another_district_gets_404(client, charlie):
    client.force_login(charlie)
    assert client.get(reverse("aksi:evidence_pack", args=(_aksi(3).pk,))).status_code == 404
    client.logout()
    assert client.get(reverse("aksi:evidence_pack", args=(_aksi(3).pk,))).status_code == 302  # to the login


def test_the_year_pack_has_a_folder_per_action(client, alice):
    client.force_login(alice)
    html = client.get(f"/aksi/?year={YEAR}").content.decode()
    url = f"{reverse('aksi:evidence_year')}?year={YEAR}"
    assert f'href="{url}"' in html
    response, archive = _download(client, url)
    assert response["Content-Disposition"].endswith('filename="Bukti Aksi Konvergensi 2026 - Kab Luwu Timur.zip"')
    expected = set().union(*(_expected(alice, _aksi(n)) for n in range(1, 9)))
    paths, _omitted = _check_pack(archive, expected)
    folders = {path.split("/")[0] for path in paths}
    assert folders == {"Aksi 1 - Analisis Situasi", "Aksi 2 - Rencana Kegiatan", "Aksi 3 - Rembuk Stunting"}
    index = archive.read("index.html").decode()
    for number in range(1, 9):
        assert f'<section id="aksi-{number}">' in index
    assert "Aksi 4 - Peraturan Bupati-Wali Kota tentang Peran Desa" in index  # listed, with its checklist
    assert client.get(f"{reverse('aksi:evidence_year')}?year=2040").status_code == 404  # no such year opened
