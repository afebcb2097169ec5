"""TPK teams, visits, NIK masking and who may do what with KRS families, role by role."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tumbuh.accounts import policy
from tumbuh.audit.models import AuditLog
from tumbuh.krs.actions import do_assign_tpk, do_log_visit, do_save_tpk
from tumbuh.krs.models import Family, Tpk, TpkVisit
from tumbuh.wilayah.models import Wilayah

pytestmark = pytest.mark.django_db

BALANTANG = "73.24.04.2010"


@pytest.fixture
def harapan():
    return Wilayah.objects.filter(level=4, kecamatan_code="73.24.04").exclude(code=BALANTANG).order_by("code").first()


def _family(desa_code, nik, name="Keluarga Uji"):
    return Family.objects.create(
        year=2026, desa_id=desa_code, nik=nik, head_name=name, air_tidak_layak=True, ada_balita=True
    )


def _tpk(desa_code, name="TPK Uji"):
    return Tpk.objects.create(desa_id=desa_code, name=name, midwife="Bidan A", pkk_cadre="B", kb_cadre="C")


def test_the_desa_operator_assigns_a_tpk_and_the_visit_is_logged_and_audited(bob, demo_users):
    family, tpk = _family(BALANTANG, "7324041501900001"), _tpk(BALANTANG)
    do_assign_tpk(bob, family, tpk)
    visit = do_log_visit(
        bob, family, date=dt.date(2026, 3, 2), activity="penyuluhan", notes="KIE gizi", today=dt.date(2026, 3, 2)
    )
    assert Family.objects.get(pk=family.pk).tpk == tpk and visit.tpk == tpk
    assert AuditLog.objects.filter(object_type="krs.family", object_id=str(family.pk), actor=bob).exists()
    assert AuditLog.objects.filter(object_type="krs.tpkvisit", object_id=str(visit.pk)).exists()


def test_a_visit_needs_a_team_of_the_desa_and_a_past_date(bob, harapan):
    family = _family(BALANTANG, "7324041501900002")
    with pytest.raises(ValidationError) as no_team:
        do_log_visit(bob, family, date=dt.date(2026, 1, 5), activity="pemantauan", today=dt.date(2026, 1, 5))
    assert list(no_team.value.error_dict) == ["tpk"]
    family.tpk = _tpk(BALANTANG)
    with pytest.raises(ValidationError) as future:
        do_log_visit(bob, family, date=dt.date(2026, 1, 8), activity="pemantauan", today=dt.date(2026, 1, 5))
    assert list(future.value.error_dict) == ["date"]
    elsewhere = _tpk(harapan.code, "TPK Tetangga")
    with pytest.raises(ValidationError):
        do_log_visit(
            bob, family, date=dt.date(2026, 1, 5), activity="pemantauan", tpk=elsewhere, today=dt.date(2026, 1, 5)
        )
    assert not TpkVisit.objects.filter(family=family).exists()
    assert do_log_visit(
        bob, family, date=dt.date(2026, 1, 8), activity="pemantauan", today=dt.date(2026, 1, 8)
    ).pk  # that day itself


def test_a_tpk_of_another_desa_is_refused(alice, harapan):
    family = _family(BALANTANG, "7324041501900003")
    with pytest.raises(ValidationError):
        do_assign_tpk(alice, family, _tpk(harapan.code))
    assert Family.objects.get(pk=family.pk).tpk is None


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
    family = _family(BALANTANG, "7324041501900004")
    family.tpk = _tpk(BALANTANG)
    assert policy.is_visible(user, family) is view
    assert policy.can(user, policy.CHANGE, family) is assign
    assert policy.can(user, policy.ADD, Tpk(desa_id=BALANTANG)) is add_tpk
    assert policy.can(user, policy.ADD, TpkVisit(family=family, tpk=family.tpk)) is visit
    assert policy.can(user, policy.DELETE, family) is (username == "admin.lutim")


def test_the_puskesmas_officer_logs_visits_in_the_desa_it_serves(demo_users):
    pkm = demo_users["pkm.malili"]
    served = pkm.puskesmas.desa_codes()[0]
    family = _family(served, "7324041501900011")
    family.tpk = _tpk(served)
    visit = do_log_visit(pkm, family, date=dt.date(2026, 3, 2), activity="rujukan", today=dt.date(2026, 3, 2))
    assert visit.recorded_by == pkm
    with pytest.raises(PermissionDenied):
        do_assign_tpk(pkm, family, None)


def test_the_desa_operator_sees_only_their_desa(client, bob, harapan):
    mine, theirs = (
        _family(BALANTANG, "7324041501900005", "Keluarga Saya"),
        _family(harapan.code, "7324041501900006", "Keluarga Lain"),
    )
    client.force_login(bob)
    page = client.get("/krs/?year=2026").content.decode()
    assert "Keluarga Saya" in page and "Keluarga Lain" not in page
    assert client.get(f"/krs/{theirs.pk}/").status_code == 404
    assert client.get(f"/krs/{mine.pk}/").status_code == 200
    with pytest.raises(PermissionDenied):
        do_save_tpk(bob, Tpk(desa=harapan, name="x", midwife="a", pkk_cadre="b", kb_cadre="c"))


def test_nik_is_masked_unless_the_role_may_see_it(client, demo_users):
    family = _family(BALANTANG, "7324041501900007")
    for username, full in (
        ("admin.lutim", True),
        ("desa.balantang", True),
        ("pantau.lutim", False),
        ("camat.malili", False),
        ("dinkes.lutim", False),
    ):
        client.force_login(demo_users[username])
        detail = client.get(f"/krs/{family.pk}/").content.decode()
        listing = client.get("/krs/?year=2026").content.decode()
        assert ("7324041501900007" in detail + listing) is full, username
        assert "7324••••••••0007" in (detail if not full else family.nik_masked), username


def test_search_by_nik_only_for_roles_that_see_it(client, demo_users):
    _family(BALANTANG, "7324041501900008", "Dicari Lewat NIK")
    client.force_login(demo_users["admin.lutim"])
    assert "Dicari Lewat NIK" in client.get("/krs/?year=2026&q=7324041501900008").content.decode()
    client.force_login(demo_users["pantau.lutim"])
    assert "Dicari Lewat NIK" not in client.get("/krs/?year=2026&q=7324041501900008").content.decode()


def test_pages_assign_and_log_a_visit(client, bob):
    family, tpk = _family(BALANTANG, "7324041501900009"), _tpk(BALANTANG, "TPK Halaman")
    client.force_login(bob)
    response = client.post(f"/krs/{family.pk}/tpk/", {"tpk": tpk.pk})
    assert response.status_code == 302
    response = client.post(
        f"/krs/{family.pk}/kunjungan/", {"date": "2026-02-10", "activity": "rujukan", "notes": "ke PKM"}
    )
    assert response.status_code == 302
    page = client.get(f"/krs/{family.pk}/").content.decode()
    assert "TPK Halaman" in page and "ke PKM" in page
    assert client.get("/krs/tpk/").status_code == 200


def test_the_viewer_cannot_post(client, demo_users):
    family, tpk = _family(BALANTANG, "7324041501900010"), _tpk(BALANTANG)
    client.force_login(demo_users["pantau.lutim"])
    assert client.post(f"/krs/{family.pk}/tpk/", {"tpk": tpk.pk}).status_code == 403


def test_the_demo_has_luwu_timur_krs_with_tpk_visits():
    assert Family.objects.filter(desa__kecamatan_code="73.24.04", year=2025).count() > 100
    assert TpkVisit.objects.filter(family__desa_id=BALANTANG).exists()
    assert Tpk.objects.filter(desa_id=BALANTANG).count() == 2


def test_the_desa_operator_adds_a_tpk_on_the_page(client, bob):
    client.force_login(bob)
    response = client.post(
        "/krs/tpk/baru/",
        {
            "desa": BALANTANG,
            "name": "TPK Mawar",
            "midwife": "Bidan Ani",
            "pkk_cadre": "Ira",
            "kb_cadre": "Uli",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    tpk = Tpk.objects.get(desa_id=BALANTANG, name="TPK Mawar")
    assert AuditLog.objects.filter(object_type="krs.tpk", object_id=str(tpk.pk), actor=bob).exists()


def test_links_with_the_older_indonesian_query_names_still_work(client, alice):
    """``?tahun=``, ``?risiko=``, ``?tanpa_tpk=`` (now ``year``, ``risk``, ``without_tpk``) and
    ``?show=keluarga`` (now ``families``) keep working for bookmarks and older links."""
    _family(BALANTANG, "7324041501900012", "Dicari Dengan Tautan Lama")
    assisted = _family(BALANTANG, "7324041501900013", "Sudah Punya TPK")
    assisted.tpk = _tpk(BALANTANG)
    assisted.save()
    client.force_login(alice)
    for query in ("year=2026&risk=air_tidak_layak&without_tpk=on", "tahun=2026&risiko=air_tidak_layak&tanpa_tpk=on"):
        page = client.get(f"/krs/?{query}").content.decode()
        assert "Dicari Dengan Tautan Lama" in page and "Sudah Punya TPK" not in page, query
    for query in ("year=2025", "tahun=2025"):
        assert "Dicari Dengan Tautan Lama" not in client.get(f"/krs/?{query}").content.decode(), query
    for show in ("families", "keluarga"):
        page = client.get(f"/krs/sasaran/?show={show}").content.decode()
        assert 'data-testid="families-without-tpk"' in page and 'data-testid="unlinked-children"' not in page, show
