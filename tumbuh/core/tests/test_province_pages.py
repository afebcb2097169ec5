"""The province user (``prov.sulsel``) walks every page it is shown, at the province and with each
district picked, over a demo with children in two districts (Luwu Timur's from the test
database, Luwu's loaded here): no child's name, parent, NIK or Tumbuh ID appears anywhere; the
pages of children and families answer 403 with the policy's reason; the pages about one
district open once a district is picked. ``core/tests/test_every_page.py`` walks it too, for
the language and the numbers."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from lxml import html as lxml_html

from tumbuh.accounts import policy
from tumbuh.core.focus import PICK_A_DISTRICT
from tumbuh.core.tests.test_every_page import walk
from tumbuh.demo.children import SECOND_KABUPATEN, SECOND_SEED_OFFSET, load_demo_children
from tumbuh.demo.generator import SEED
from tumbuh.measurements.models import Child

pytestmark = pytest.mark.django_db

DISTRICTS = ("73.24", "73.17")


@pytest.fixture
def luwu_children(db):
    from tumbuh.organisation.models import Posyandu

    kecamatan = (
        Posyandu.objects.filter(desa__kabupaten_code=SECOND_KABUPATEN).order_by("desa_id").first().desa.kecamatan_code
    )
    load_demo_children(seed=SEED + SECOND_SEED_OFFSET, children=80, kecamatan=[kecamatan], kabupaten=SECOND_KABUPATEN)
    assert Child.objects.filter(desa__kabupaten_code=SECOND_KABUPATEN).count() == 80
    return kecamatan


@pytest.fixture
def province_client(client, demo_users):
    client.force_login(demo_users["prov.sulsel"])
    client.post("/i18n/setlang/", {"language": "id", "next": "/"})
    return client


def _focus(client, code: str):
    response = client.post("/fokus/", {"wilayah": code, "next": "/"})
    assert response.status_code == 302


def _personal_strings() -> set[str]:
    """What would give a child away: names (two words or more), parents' names, NIKs, Tumbuh IDs."""
    found = set()
    for name, parent, nik, parent_nik, tid in Child.all_objects.values_list(
        "name", "parent_name", "nik", "parent_nik", "tumbuh_id"
    ):
        found |= {v for v in (nik, parent_nik, tid) if v}
        found |= {v for v in (name, parent) if v and len(v.split()) >= 2}
    return found


def _text(page: str) -> str:
    return " ".join(lxml_html.fromstring(page).xpath("//body//text()|//body//@value|//body//@title"))


def test_no_child_appears_on_any_page_the_province_opens(province_client, luwu_children):
    assert {c[:5] for c in Child.objects.values_list("desa_id", flat=True)} >= set(DISTRICTS)
    pages = walk(province_client, "/")
    for code in DISTRICTS:
        _focus(province_client, code)
        pages.update({f"{code} {p}": html for p, html in walk(province_client, "/").items()})
    assert len(pages) > 60, sorted(pages)
    personal = _personal_strings()
    nik = re.compile(r"(?<!\d)\d{16}(?!\d)")
    for path, page in pages.items():
        text = _text(page)
        leaked = [s for s in personal if s in text]
        assert not leaked, f"{path}: {leaked[:5]}"
        assert not nik.search(text), f"{path}: a 16-digit number"


def test_the_menu_links_no_page_of_children_or_families(province_client):
    home = province_client.get("/").content.decode()
    for path in ("/anak/", "/krs/", "/krs/sasaran/", "/genting/", "/anak/kunjungan/", "/anak/kunjungan/luring/"):
        assert f'href="{path}"' not in home, path
    assert 'href="/dasbor/"' in home and 'href="/rapat/"' in home


def test_pages_of_children_and_families_answer_403_with_the_reason(province_client, luwu_children):
    from tumbuh.genting.models import FosterMatch
    from tumbuh.imports.models import ImportBatch
    from tumbuh.krs.models import Family
    from tumbuh.rapat.models import Rapat

    child = Child.objects.filter(desa__kabupaten_code=SECOND_KABUPATEN).first()
    family = Family.objects.first()
    match = FosterMatch.objects.first()
    batch = ImportBatch.objects.first()
    rapat = Rapat.objects.first()
    with translation.override("id"):
        reason = str(policy.PERSONAL_REFUSED)
    for path in [
        "/anak/", f"/anak/{child.tumbuh_id}/", f"/anak/kunjungan/{child.tumbuh_id}/", "/anak/kunjungan/",
        "/anak/kunjungan/dihapus/", "/anak/kunjungan/luring/", f"/krs/anak/{child.tumbuh_id}/", "/krs/",
        f"/krs/{family.pk}/", "/krs/sasaran/", "/krs/tpk/", "/genting/", f"/genting/asuhan/{match.pk}/",
        "/genting/usulan/", f"/impor/{batch.pk}/", f"/impor/pengukuran/{batch.pk}/", "/desa/aksi-5/", "/audit/",
        "/akun/pengguna/", f"/rapat/{rapat.pk}/peserta/", f"/rapat/{rapat.pk}/kartu-qr/",
        f"/rapat/{rapat.pk}/dokumen/daftar-hadir.xlsx",
    ]:  # fmt: skip
        response = province_client.get(path)
        assert response.status_code == 403, path
        assert reason in response.content.decode(), path
    for path in ("/anak/unggah-eppgbm/", "/impor/", "/anak/kunjungan/luring/konflik/"):
        assert province_client.get(path).status_code == 403, path


def test_a_page_about_one_district_opens_once_a_district_is_picked(province_client):
    with translation.override("id"):
        pick = str(PICK_A_DISTRICT)
    pages = ("/aksi/", "/analisis/", "/rencana/", "/reviu/", "/indikator/", "/indikator/cakupan/", "/peta/")
    for path in pages:
        response = province_client.get(path)
        assert response.status_code == 403 and pick in response.content.decode(), path
    for code in DISTRICTS:
        _focus(province_client, code)
        for path in pages:
            assert province_client.get(path).status_code == 200, (code, path)


def test_the_home_page_and_the_dashboard_open_at_the_province_with_its_districts(province_client, luwu_children):
    home = province_client.get("/").content.decode()
    table = lxml_html.fromstring(home).xpath('//table[@data-testid="province-districts"]')[0]
    assert {"Kabupaten Luwu Timur", "Kabupaten Luwu"} <= {a.text_content().strip() for a in table.xpath(".//a")}
    dashboard = lxml_html.fromstring(province_client.get("/dasbor/").content.decode())
    text = dashboard.text_content()
    assert "Luwu Timur" in text and "Kabupaten Luwu" in text.replace("Kabupaten Luwu Timur", "")


def test_with_the_switch_on_the_province_reads_children_but_never_a_full_nik(province_client, settings):
    settings.TUMBUH_PROVINCE_CHILD_ROWS = True
    child = Child.objects.exclude(nik="").first()
    assert province_client.get("/anak/").status_code == 200
    page = province_client.get(f"/anak/{child.tumbuh_id}/")
    assert page.status_code == 200 and child.name in page.content.decode()
    assert child.nik not in page.content.decode()
    assert province_client.post(f"/anak/{child.tumbuh_id}/ubah/", {"name": "X"}).status_code in (403, 405)
