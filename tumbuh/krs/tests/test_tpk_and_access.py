"""TPK teams, visits, NIK masking and who may do what with KRS families, role by role."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tumbuh.accounts import policy
from tumbuh.audit.models import AuditLog
from tumbuh.krs.actions import do_assign_tpk, do_log_visit, do_save_tpk
from tumbuh.krs.models import Keluarga, KunjunganTpk, TimPendampingKeluarga
from tumbuh.wilayah.models import Wilayah

pytestmark = pytest.mark.django_db

BALANTANG = "73.24.04.2010"


@pytest.fixture
def harapan():
    return Wilayah.objects.filter(level=4, kecamatan_code="73.24.04").exclude(code=BALANTANG).order_by("code").first()


def _family(desa_code, nik, name="Keluarga Uji"):
    return Keluarga.objects.create(tahun=2026, desa_id=desa_code, nik=nik, nama_kepala=name, air_tidak_layak=True, ada_balita=True)


def _tpk(desa_code, nama="TPK Uji"):
    return TimPendampingKeluarga.objects.create(desa_id=desa_code, nama=nama, bidan="Bidan A", kader_pkk="B", kader_kb="C")


def test_the_desa_operator_assigns_a_tpk_and_the_visit_is_logged_and_audited(bob, demo_users):
    keluarga, tpk = _family(BALANTANG, "7324041501900001"), _tpk(BALANTANG)
    do_assign_tpk(bob, keluarga, tpk)
    visit = do_log_visit(bob, keluarga, tanggal=dt.date(2026, 3, 2), kegiatan="penyuluhan", catatan="KIE gizi",
                         today=dt.date(2026, 3, 2))
    assert Keluarga.objects.get(pk=keluarga.pk).tpk == tpk and visit.tpk == tpk
    assert AuditLog.objects.filter(object_type="krs.keluarga", object_id=str(keluarga.pk), actor=bob).exists()
    assert AuditLog.objects.filter(object_type="krs.kunjungantpk", object_id=str(visit.pk)).exists()


def test_a_visit_needs_a_team_of_the_desa_and_a_past_date(bob, harapan):
    keluarga = _family(BALANTANG, "7324041501900002")
    with pytest.raises(ValidationError) as no_team:
        do_log_visit(bob, keluarga, tanggal=dt.date(2026, 1, 5), kegiatan="pemantauan", today=dt.date(2026, 1, 5))
    assert list(no_team.value.error_dict) == ["tpk"]
    keluarga.tpk = _tpk(BALANTANG)
    with pytest.raises(ValidationError) as future:
        do_log_visit(bob, keluarga, tanggal=dt.date(2026, 1, 8), kegiatan="pemantauan", today=dt.date(2026, 1, 5))
    assert list(future.value.error_dict) == ["tanggal"]
    elsewhere = _tpk(harapan.code, "TPK Tetangga")
    with pytest.raises(ValidationError):
        do_log_visit(bob, keluarga, tanggal=dt.date(2026, 1, 5), kegiatan="pemantauan", tpk=elsewhere, today=dt.date(2026, 1, 5))
    assert not KunjunganTpk.objects.filter(keluarga=keluarga).exists()
    assert do_log_visit(bob, keluarga, tanggal=dt.date(2026, 1, 8), kegiatan="pemantauan", today=dt.date(2026, 1, 8)).pk  # that day itself


def test_a_tpk_of_another_desa_is_refused(alice, harapan):
    keluarga = _family(BALANTANG, "7324041501900003")
    with pytest.raises(ValidationError):
        do_assign_tpk(alice, keluarga, _tpk(harapan.code))
    assert Keluarga.objects.get(pk=keluarga.pk).tpk is None


@pytest.mark.parametrize(
    "username, view, assign, add_tpk, visit",
    [
        ("admin.lutim", True, True, True, True),
        ("dinkes.lutim", True, False, False, False),
        ("camat.malili", True, False, True, False),
        ("pkm.malili", False, False, False, False),  # Balantang is served by Puskesmas Lakawali
        ("desa.balantang", True, True, True, True),
        ("pantau.lutim", True, False, False, False),
        ("admin.luwu", False, False, False, False),
    ],
)
def test_each_role(demo_users, username, view, assign, add_tpk, visit):
    user = demo_users[username]
    keluarga = _family(BALANTANG, "7324041501900004")
    keluarga.tpk = _tpk(BALANTANG)
    assert policy.is_visible(user, keluarga) is view
    assert policy.can(user, policy.CHANGE, keluarga) is assign
    assert policy.can(user, policy.ADD, TimPendampingKeluarga(desa_id=BALANTANG)) is add_tpk
    assert policy.can(user, policy.ADD, KunjunganTpk(keluarga=keluarga, tpk=keluarga.tpk)) is visit
    assert policy.can(user, policy.DELETE, keluarga) is (username == "admin.lutim")


def test_the_puskesmas_officer_logs_visits_in_the_desa_it_serves(demo_users):
    pkm = demo_users["pkm.malili"]
    served = pkm.puskesmas.desa_codes()[0]
    keluarga = _family(served, "7324041501900011")
    keluarga.tpk = _tpk(served)
    visit = do_log_visit(pkm, keluarga, tanggal=dt.date(2026, 3, 2), kegiatan="rujukan", today=dt.date(2026, 3, 2))
    assert visit.dicatat_oleh == pkm
    with pytest.raises(PermissionDenied):
        do_assign_tpk(pkm, keluarga, None)


def test_the_desa_operator_sees_only_their_desa(client, bob, harapan):
    mine, theirs = _family(BALANTANG, "7324041501900005", "Keluarga Saya"), _family(harapan.code, "7324041501900006", "Keluarga Lain")
    client.force_login(bob)
    page = client.get("/krs/?tahun=2026").content.decode()
    assert "Keluarga Saya" in page and "Keluarga Lain" not in page
    assert client.get(f"/krs/{theirs.pk}/").status_code == 404
    assert client.get(f"/krs/{mine.pk}/").status_code == 200
    with pytest.raises(PermissionDenied):
        do_save_tpk(bob, TimPendampingKeluarga(desa=harapan, nama="x", bidan="a", kader_pkk="b", kader_kb="c"))


def test_nik_is_masked_unless_the_role_may_see_it(client, demo_users):
    keluarga = _family(BALANTANG, "7324041501900007")
    for username, full in (("admin.lutim", True), ("desa.balantang", True), ("pantau.lutim", False), ("camat.malili", False),
                           ("dinkes.lutim", False)):
        client.force_login(demo_users[username])
        detail = client.get(f"/krs/{keluarga.pk}/").content.decode()
        listing = client.get("/krs/?tahun=2026").content.decode()
        assert ("7324041501900007" in detail + listing) is full, username
        assert "7324••••••••0007" in (detail if not full else keluarga.nik_masked), username


def test_search_by_nik_only_for_roles_that_see_it(client, demo_users):
    _family(BALANTANG, "7324041501900008", "Dicari Lewat NIK")
    client.force_login(demo_users["admin.lutim"])
    assert "Dicari Lewat NIK" in client.get("/krs/?tahun=2026&q=7324041501900008").content.decode()
    client.force_login(demo_users["pantau.lutim"])
    assert "Dicari Lewat NIK" not in client.get("/krs/?tahun=2026&q=7324041501900008").content.decode()


def test_pages_assign_and_log_a_visit(client, bob):
    keluarga, tpk = _family(BALANTANG, "7324041501900009"), _tpk(BALANTANG, "TPK Halaman")
    client.force_login(bob)
    response = client.post(f"/krs/{keluarga.pk}/tpk/", {"tpk": tpk.pk})
    assert response.status_code == 302
    response = client.post(f"/krs/{keluarga.pk}/kunjungan/", {"tanggal": "2026-02-10", "kegiatan": "rujukan", "catatan": "ke PKM"})
    assert response.status_code == 302
    page = client.get(f"/krs/{keluarga.pk}/").content.decode()
    assert "TPK Halaman" in page and "ke PKM" in page
    assert client.get("/krs/tpk/").status_code == 200


def test_the_viewer_cannot_post(client, demo_users):
    keluarga, tpk = _family(BALANTANG, "7324041501900010"), _tpk(BALANTANG)
    client.force_login(demo_users["pantau.lutim"])
    assert client.post(f"/krs/{keluarga.pk}/tpk/", {"tpk": tpk.pk}).status_code == 403


def test_the_demo_has_luwu_timur_krs_with_tpk_visits():
    assert Keluarga.objects.filter(desa__kecamatan_code="73.24.04", tahun=2025).count() > 100
    assert KunjunganTpk.objects.filter(keluarga__desa_id=BALANTANG).exists()
    assert TimPendampingKeluarga.objects.filter(desa_id=BALANTANG).count() == 2


def test_the_desa_operator_adds_a_tpk_on_the_page(client, bob):
    client.force_login(bob)
    response = client.post("/krs/tpk/baru/", {"desa": BALANTANG, "nama": "TPK Mawar", "bidan": "Bidan Ani", "kader_pkk": "Ira",
                                               "kader_kb": "Uli", "aktif": "on"})
    assert response.status_code == 302
    tpk = TimPendampingKeluarga.objects.get(desa_id=BALANTANG, nama="TPK Mawar")
    assert AuditLog.objects.filter(object_type="krs.timpendampingkeluarga", object_id=str(tpk.pk), actor=bob).exists()
