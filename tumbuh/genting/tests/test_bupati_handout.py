"""The Bupati's page as a meeting handout (PDF and DOCX): the same aggregate figures under the
district's kop, read back with pdftotext and python-docx; nothing outside the reader's scope,
no child's name or NIK."""

import datetime as dt
import io

import docx
import pytest

from tumbuh.documents.official import indonesian_number
from tumbuh.documents.tests.test_official import pdftext  # noqa: F401  (the PDF reader fixture)
from tumbuh.genting.actions import do_match, do_record_help
from tumbuh.genting.models import FosterParent, HelpKind
from tumbuh.genting.summary import summary

pytestmark = pytest.mark.django_db
START = dt.date(2025, 1, 1)


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def matched(alice, parent, parent2, make_family, make_child):
    a = do_match(alice, parent, family=make_family("7324041501960071", name="Keluarga Rahasia"), start_date=START)
    b = do_match(alice, parent2, child=make_child("Anak Rahasia", [(0, -2.5)]), start_date=START)
    do_record_help(alice, a, kind="jamban", value=6_500_000, date=dt.date(2025, 2, 1))
    do_record_help(alice, b, kind="pangan", value=500_000, date=dt.date(2025, 2, 1))
    return a, b


def test_the_pdf_holds_the_pages_figures_under_the_district_kop(client, alice, matched, pdftext):
    s = summary(alice)
    client.force_login(alice)
    page = client.get("/genting/ringkasan/").content.decode()
    assert 'href="/genting/ringkasan.pdf"' in page and 'href="/genting/ringkasan.docx"' in page
    response = client.get("/genting/ringkasan.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _flat(pdftext(response.content))
    assert "PEMERINTAH KABUPATEN LUWU TIMUR" in text
    assert "RINGKASAN UNTUK BUPATI" in text  # the title, in Indonesian
    assert f"Orang tua asuh aktif {indonesian_number(s.foster_parents)}" in text
    assert f"Keluarga terjangkau {indonesian_number(s.families)}" in text
    assert f"Anak terjangkau {indonesian_number(s.children)}" in text
    assert f"Desa terjangkau {indonesian_number(s.villages)}" in text
    assert f"Bantuan diberikan (Rp) {indonesian_number(s.help_total)}" in text
    assert s.help_total >= 7_000_000 and "." in indonesian_number(s.help_total)  # 7.000.000, not 7,000,000
    _label, times, value = s.help_by_kind[list(HelpKind.values).index("jamban")]
    assert f"jamban {times} {indonesian_number(value)}" in text
    assert "Uraian Jumlah Orang tua asuh aktif" in text
    for row in s.per_kecamatan:
        assert row["name"] in text
    # Aggregates only: the names and the NIK of the families and children are not in it.
    assert "Rahasia" not in text and "7324041501960071" not in text


def test_the_docx_holds_the_same_figures(client, alice, matched):
    s = summary(alice)
    client.force_login(alice)
    response = client.get("/genting/ringkasan.docx")
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = [[c.text for c in r.cells] for t in document.tables for r in t.rows]
    assert "PEMERINTAH KABUPATEN LUWU TIMUR" in text
    assert ["Bantuan diberikan (Rp)", indonesian_number(s.help_total)] in cells
    assert ["Keluarga terjangkau", indonesian_number(s.families)] in cells
    assert "Rahasia" not in text + str(cells)


def test_another_district_gets_its_own_figures_only(client, charlie, matched, pdftext):
    """Like the page, the handout of Luwu's admin counts Luwu's foster parents and matches only."""
    FosterParent.objects.create(kabupaten_id=charlie.wilayah_id, name="PT Luwu Peduli", kind="perusahaan")
    s = summary(charlie)
    assert s.foster_parents == FosterParent.objects.filter(kabupaten_id=charlie.wilayah_id, is_active=True).count()
    client.force_login(charlie)
    text = _flat(pdftext(client.get("/genting/ringkasan.pdf").content))
    assert "PEMERINTAH KABUPATEN LUWU" in text and "LUWU TIMUR" not in text
    assert f"Orang tua asuh aktif {indonesian_number(s.foster_parents)}" in text
    assert "Malili" not in text  # no kecamatan of Luwu Timur


def test_a_camat_handout_covers_the_kecamatan(client, demo_users, matched, pdftext):
    camat = demo_users["camat.malili"]
    s = summary(camat)
    client.force_login(camat)
    text = _flat(pdftext(client.get("/genting/ringkasan.pdf").content))
    assert "PEMERINTAH KABUPATEN LUWU TIMUR" in text and "Kecamatan Malili" in text
    assert f"Bantuan diberikan (Rp) {indonesian_number(s.help_total)}" in text
    assert [r["name"] for r in s.per_kecamatan] == ["Malili"]


def test_who_gets_no_handout(client, django_user_model):
    assert client.get("/genting/ringkasan.pdf").status_code == 302  # to the login page
    nobody = django_user_model.objects.create_user("tanpa.peran", password="x")
    client.force_login(nobody)
    assert client.get("/genting/ringkasan/").status_code == 403
    assert client.get("/genting/ringkasan.pdf").status_code == 403
    root = django_user_model.objects.create_superuser("akar", password="x")
    client.force_login(root)
    assert client.get("/genting/ringkasan.pdf").status_code == 404  # no district in focus: which kop?
