"""The documents Tumbuh holds for an action (``aksi.outputs``): listed on the action page above
the uploaded evidence, counted in Pantau Aksi, downloadable, and only for those who may see them."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tumbuh.aksi.models import ActionYear
from tumbuh.aksi.outputs import collect, collect_all
from tumbuh.dashboards.aggregates import latest_period
from tumbuh.documents.models import UploadedDocument
from tumbuh.documents.testing import pdf_bytes
from tumbuh.konvergensi_desa.models import DesaRoleRegulation
from tumbuh.rembuk import actions as rembuk_actions
from tumbuh.rembuk.models import RembukEvent
from tumbuh.rembuk.tests.test_rembuk import scan
from tumbuh.wilayah.models import Wilayah

pytestmark = pytest.mark.django_db

YEAR = 2026  # the demo's year: Luwu Timur's actions, its rembuk and Malili's
SIGNED = datetime.datetime(2026, 4, 20, 8, tzinfo=datetime.UTC)
CONTENT_TYPES = {
    "PDF": "application/pdf",
    "DOCX": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _aksi(number: int) -> ActionYear:
    return ActionYear.objects.get(cycle__kabupaten_id="73.24", cycle__year=YEAR, definition__number=number)


def _links(html: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)" data-testid="output-link">', html)


def test_aksi_3_page_lists_the_rembuk_documents_above_the_uploads_and_they_download(client, alice):
    events = RembukEvent.objects.filter(year=YEAR, wilayah__code__startswith="73.24")
    assert events.count() == 2  # the demo: the district's and Malili's
    client.force_login(alice)
    html = client.get(f"/aksi/{_aksi(3).pk}/").content.decode()
    links = _links(html)
    assert {int(url.split("/")[2]) for url in links} == set(events.values_list("pk", flat=True))
    assert len(links) == 6 and html.index('data-testid="outputs"') < html.index('data-testid="documents"')
    assert "Dokumen dari Tumbuh" in html and "Rembuk kecamatan (Malili)" in html  # Indonesian by default
    assert html.count("belum ditutup") == 2  # each rembuk's status once, not on each of its documents
    for url in links:
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf", url
        assert response.content.startswith(b"%PDF")


def test_pantau_counts_the_documents_from_tumbuh(client, alice):
    a3 = _aksi(3)
    lutim = Wilayah.objects.get(code="73.24")
    expected = len(collect(lutim, YEAR, alice, "rembuk")) + UploadedDocument.for_object(a3).count()
    assert expected >= 6
    client.force_login(alice)
    html = client.get(f"/aksi/?year={YEAR}").content.decode()
    row = re.search(r'<tr id="aksi-3">(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r'<td class="num">(\d+)</td>', row)[-1] == str(expected)


def test_a_closed_rembuk_shows_its_scans_and_they_tick_the_outputs_they_prove(
    client, alice, demo_users, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    event = RembukEvent.objects.get(year=YEAR, wilayah_id="73.24")
    a3 = _aksi(3)
    client.force_login(alice)
    assert (
        'data-testid="progress">1/3<' in client.get(f"/aksi/{a3.pk}/").content.decode()
    )  # the demo rembuk: attendance
    rembuk_actions.do_upload_scan(
        alice,
        event,
        file=scan("komitmen.pdf"),
        kind=rembuk_actions.SCAN_COMMITMENT,
        title="Komitmen bertanda tangan",
        now=SIGNED,
    )
    rembuk_actions.do_upload_scan(
        alice,
        event,
        file=scan("ba.pdf"),
        kind=rembuk_actions.SCAN_BERITA_ACARA,
        title="Berita acara bertanda tangan",
        now=SIGNED,
    )
    html = client.get(f"/aksi/{a3.pk}/").content.decode()
    assert "Rembuk kabupaten: " + event.title in html and 'data-testid="progress">3/3<' in html
    # every required output is proved by a record, so nothing is left to tick by hand, and no one is asked to
    assert 'data-testid="final-outputs"' not in html and 'name="done"' not in html
    scans = [url for url in _links(html) if url.startswith("/dokumen/berkas/")]
    assert len(scans) == 2 and client.get(scans[0]).status_code == 200
    assert all(f'href="{url}" data-testid="proof-link"' in html for url in scans)


def test_outside_the_district_no_document_and_no_page(client, charlie):
    lutim = Wilayah.objects.get(code="73.24")
    assert collect_all(lutim, YEAR, charlie) == {}
    client.force_login(charlie)
    assert client.get(f"/aksi/{_aksi(3).pk}/").status_code == 404


def test_aksi_4_lists_the_perbup_in_force_and_aksi_7_the_published_rounds(client, alice, bob, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    lutim = Wilayah.objects.get(code="73.24")
    client.force_login(alice)
    client.post(
        "/desa/aksi-4/perbup/baru/",
        {
            "kabupaten": "73.24",
            "kind": "perbup",
            "number": "7 Tahun 2026",
            "date": "2026-03-02",
            "title": "Peran Desa",
            "document": SimpleUploadedFile("perbup.pdf", pdf_bytes("perbup"), content_type="application/pdf"),
        },
    )
    [doc] = UploadedDocument.for_object(DesaRoleRegulation.objects.get(number="7 Tahun 2026"))
    assert [o.url for o in collect(lutim, 2025, alice, "regulasi_desa")] == []  # enacted after 2025
    [perbup] = collect(lutim, YEAR, bob, "regulasi_desa")  # the desa works under it too
    assert perbup.url == f"/dokumen/berkas/{doc.pk}/" and perbup.final and perbup.format == "PDF"
    assert f'href="/dokumen/berkas/{doc.pk}/"' in client.get(f"/aksi/{_aksi(4).pk}/").content.decode()

    period = latest_period(user=alice)
    assert collect(lutim, period.year, bob, "publik") == []  # nothing published; the recaps are district-wide
    client.post(reverse("publik:manage"), {"period": period.key, "note": "Hasil BPB"})
    [published] = collect(lutim, period.year, bob, "publik")
    assert published.final and published.url == reverse("publik:csv", args=["73.24", period.key])
    response = client.get(published.url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert published in collect(lutim, period.year, alice, "publik")  # beside the recaps of the rounds
    assert not collect(lutim, period.year + 1, alice, "publik")


@pytest.mark.parametrize(
    "year, pages",
    [
        (
            2025,
            {"quality", "publik", "analisis", "rencana", "reviu", "kpm"},
        ),  # measured rounds, the review, a scorecard
        (YEAR, {"analisis", "rencana", "rembuk"}),  # lokus chosen (the SK), the plan, two rembuk
    ],
)
def test_every_document_of_the_demo_years_downloads(client, alice, year, pages):
    """Each app's links lead to its real download, for the district admin."""
    lutim = Wilayah.objects.get(code="73.24")
    found = collect_all(lutim, year, alice)
    assert set(found) == pages
    client.force_login(alice)
    for outputs in found.values():
        for o in outputs:
            for fmt, url in ((o.format, o.url), *o.also):
                response = client.get(url)
                assert response.status_code == 200, (o.title, fmt, url)
                if fmt in ("PDF", "XLSX", "DOCX"):
                    assert response["Content-Type"] == CONTENT_TYPES[fmt], (o.title, fmt, url)
