"""Aksi 4 (Perbup and village policies), Aksi 5's KPM roster, and OPD Pembina Desa."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tumbuh.accounts import policy
from tumbuh.documents.models import UploadedDocument
from tumbuh.konvergensi_desa.actions import do_log_mentoring, do_save_checked
from tumbuh.konvergensi_desa.models import (KebijakanDesa, Kpm, KunjunganPembina, PelatihanKpm, PembinaDesa, RegulasiPeranDesa)
from tumbuh.konvergensi_desa.progress import aksi4_table, mentors_without_visits, villages_without_mentor
from tumbuh.organisation.models import Opd
from tumbuh.wilayah.models import Wilayah

pytestmark = pytest.mark.django_db
BALANTANG = "73.24.04.2010"


@pytest.fixture
def malili():
    return list(Wilayah.objects.filter(level=4, kecamatan_code="73.24.04").order_by("code"))


def _opd(short, kabupaten="73.24"):
    return Opd.objects.get(kabupaten_id=kabupaten, short_name=short)


def test_the_perbup_is_recorded_with_its_document_and_seen_from_the_desa(client, alice, bob, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(alice)
    response = client.post("/desa/aksi-4/perbup/baru/", {
        "kabupaten": "73.24", "jenis": "perbup", "nomor": "7 Tahun 2026", "tanggal": "2026-03-02", "judul": "Peran Desa",
        "document": SimpleUploadedFile("perbup.pdf", b"%PDF-1.4 perbup", content_type="application/pdf")})
    assert response.status_code == 302
    regulation = RegulasiPeranDesa.objects.get(nomor="7 Tahun 2026")
    [doc] = UploadedDocument.for_object(regulation)
    assert doc.kind == "perbup"
    assert client.get(f"/dokumen/berkas/{doc.pk}/").status_code == 200
    client.force_login(bob)  # the desa sees the district's regulation (the file is scoped to the district's node)
    assert "7 Tahun 2026" in client.get("/desa/aksi-4/").content.decode()
    assert client.post("/desa/aksi-4/perbup/baru/", {"kabupaten": "73.24", "jenis": "perbup", "nomor": "x", "tanggal": "2026-03-02",
                                                     "judul": "x"}).status_code == 403


def test_village_policies_are_counted_per_year(alice, bob, malili):
    do_save_checked(bob, KebijakanDesa(desa_id=BALANTANG, tahun=2026, perdes_nomor="3 Tahun 2026", perdes_tanggal=dt.date(2026, 2, 1),
                                       dana_desa=40_000_000))
    do_save_checked(alice, KebijakanDesa(desa=malili[0], tahun=2026, dana_desa=10_000_000))
    rows, counts = aksi4_table(alice, 2026, "73.24.04")
    assert counts == {"desa": len(malili), "regulation": 1, "dana_desa": 2, "dana_desa_total": 50_000_000}
    assert len(rows) == len(malili)
    _, own = aksi4_table(bob, 2026)
    assert own == {"desa": 1, "regulation": 1, "dana_desa": 1, "dana_desa_total": 40_000_000}
    with pytest.raises(PermissionDenied):  # another desa's policy
        do_save_checked(bob, KebijakanDesa(desa=malili[0], tahun=2027))
    with pytest.raises(ValidationError):  # one per desa and year
        do_save_checked(bob, KebijakanDesa(desa_id=BALANTANG, tahun=2026))
    with pytest.raises(ValidationError):  # a regulation date needs its number
        do_save_checked(bob, KebijakanDesa(desa_id=BALANTANG, tahun=2027, perdes_tanggal=dt.date(2027, 1, 5)))


def test_kpm_roster_and_training(client, bob, demo_users):
    kpm = do_save_checked(bob, Kpm(desa_id=BALANTANG, nama="Nurhayati", mulai=2023))
    dpmd = demo_users["dinkes.lutim"]  # OPD staff give trainings
    training = do_save_checked(dpmd, PelatihanKpm(kpm=kpm, tanggal=dt.date(2026, 4, 2), judul="Kartu skor", jam=16))
    assert list(kpm.pelatihan.all()) == [training]
    client.force_login(bob)
    assert "Nurhayati" in client.get("/desa/aksi-5/").content.decode()
    response = client.post(f"/desa/kpm/{kpm.pk}/", {"tanggal": "2026-05-02", "judul": "e-HDW", "penyelenggara": "P3MD", "jam": "8"})
    assert response.status_code == 302 and kpm.pelatihan.count() == 2
    client.force_login(demo_users["pantau.lutim"])
    assert client.post(f"/desa/kpm/{kpm.pk}/", {"tanggal": "2026-05-03", "judul": "x"}).status_code == 403


def test_the_district_sees_villages_without_a_mentor_and_mentors_who_have_not_visited(alice, malili):
    visited = do_save_checked(alice, PembinaDesa(opd=_opd("DINSOS"), desa_id=BALANTANG, tahun=2027))
    idle = do_save_checked(alice, PembinaDesa(opd=_opd("DPUPR"), desa=malili[0], tahun=2027))
    do_log_mentoring(alice, KunjunganPembina(pembina=visited, tanggal=dt.date(2027, 3, 1), kegiatan="Monitoring posyandu"))
    without = list(villages_without_mentor(alice, 2027, "73.24.04"))
    assert BALANTANG not in [d.code for d in without] and malili[0] not in without and len(without) == len(malili) - 2
    assert list(mentors_without_visits(alice, 2027)) == [idle]
    with pytest.raises(ValidationError):  # one mentor per desa and year
        do_save_checked(alice, PembinaDesa(opd=_opd("DPUPR"), desa_id=BALANTANG, tahun=2027))
    with pytest.raises(ValidationError):  # an agency of another district
        do_save_checked(alice, PembinaDesa(opd=_opd("DINKES", "73.17"), desa=malili[1], tahun=2027))


def test_an_opd_logs_visits_only_for_its_own_assignments(alice, demo_users, malili):
    dinkes = demo_users["dinkes.lutim"]
    own = do_save_checked(alice, PembinaDesa(opd=dinkes.opd, desa=malili[2], tahun=2027))
    other = do_save_checked(alice, PembinaDesa(opd=_opd("DPMD"), desa=malili[3], tahun=2027))
    visit = do_log_mentoring(dinkes, KunjunganPembina(pembina=own, tanggal=dt.date(2027, 5, 1), kegiatan="Kelas ibu hamil",
                                                       dukungan="PMT 20 paket"))
    assert visit.dicatat_oleh == dinkes
    with pytest.raises(PermissionDenied):
        do_log_mentoring(dinkes, KunjunganPembina(pembina=other, tanggal=dt.date(2027, 5, 1), kegiatan="x"))
    with pytest.raises(ValidationError):  # outside the assignment's year
        do_log_mentoring(dinkes, KunjunganPembina(pembina=own, tanggal=dt.date(2026, 12, 30), kegiatan="x"))
    with pytest.raises(PermissionDenied):  # only the district assigns
        do_save_checked(dinkes, PembinaDesa(opd=dinkes.opd, desa=malili[4], tahun=2027))


@pytest.mark.parametrize("username, policy_, kpm, assign, see_pembina", [
    ("admin.lutim", True, True, True, True),
    ("dinkes.lutim", False, False, False, True),
    ("camat.malili", False, True, False, True),
    ("pkm.malili", False, False, False, False),
    ("desa.balantang", True, True, False, True),
    ("pantau.lutim", False, False, False, True),
    ("admin.luwu", False, False, False, False),
])
def test_each_role(demo_users, alice, username, policy_, kpm, assign, see_pembina):
    user = demo_users[username]
    assignment = do_save_checked(alice, PembinaDesa(opd=_opd("DKP"), desa_id=BALANTANG, tahun=2028))
    assert policy.can(user, policy.ADD, KebijakanDesa(desa_id=BALANTANG, tahun=2028)) is policy_
    assert policy.can(user, policy.ADD, Kpm(desa_id=BALANTANG, nama="x", mulai=2020)) is kpm
    assert policy.can(user, policy.CHANGE, assignment) is assign
    assert policy.is_visible(user, assignment) is see_pembina
    assert policy.can(user, policy.ADD, RegulasiPeranDesa) is (username in ("admin.lutim", "admin.luwu"))


def test_pages_render(client, demo_users):
    for username in ("admin.lutim", "desa.balantang", "pantau.lutim", "camat.malili", "dinkes.lutim"):
        client.force_login(demo_users[username])
        for url in ("/desa/aksi-4/", "/desa/aksi-5/?tahun=2025&triwulan=3", "/desa/pembina/?tahun=2025",
                    f"/desa/kartu-skor/{BALANTANG}/2025/3/"):
            assert client.get(url).status_code == 200, (username, url)
    response = client.get(f"/desa/aksi-5/?tahun=2025&triwulan=3&buka={BALANTANG}")
    assert response.status_code == 302 and response.url.endswith(f"/desa/kartu-skor/{BALANTANG}/2025/3/")


def test_the_demo_has_a_scorecard_quarter_and_mentors():
    from tumbuh.konvergensi_desa.models import SasaranScorecard
    from tumbuh.konvergensi_desa.progress import quarter_levels

    per, total = quarter_levels(BALANTANG, 2025, 3)
    assert total.people >= 11 and 0 < total.percent < 100
    assert SasaranScorecard.objects.filter(desa_id=BALANTANG, tahun=2025, triwulan=3, anak__isnull=False).exclude(otomatis=[]).exists()
    assert PembinaDesa.objects.filter(tahun=2025, desa__kecamatan_code="73.24.04").exists()
    assert RegulasiPeranDesa.objects.filter(kabupaten_id="73.24").exists()
    assert Kpm.objects.filter(desa_id=BALANTANG).exists()
