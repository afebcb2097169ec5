"""Aksi 4 (Perbup and village policies), Aksi 5's KPM roster, and OPD Pembina Desa."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tumbuh.accounts import policy
from tumbuh.documents.models import UploadedDocument
from tumbuh.documents.testing import pdf_bytes
from tumbuh.konvergensi_desa.actions import do_log_mentoring, do_save_checked
from tumbuh.konvergensi_desa.models import DesaMentor, DesaPolicy, DesaRoleRegulation, Kpm, KpmTraining, MentorVisit
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
    response = client.post(
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
    assert response.status_code == 302
    regulation = DesaRoleRegulation.objects.get(number="7 Tahun 2026")
    [doc] = UploadedDocument.for_object(regulation)
    assert doc.kind == "perbup"
    assert client.get(f"/dokumen/berkas/{doc.pk}/").status_code == 200
    client.force_login(bob)  # the desa sees the district's regulation (the file is scoped to the district's node)
    assert "7 Tahun 2026" in client.get("/desa/aksi-4/").content.decode()
    assert (
        client.post(
            "/desa/aksi-4/perbup/baru/",
            {"kabupaten": "73.24", "kind": "perbup", "number": "x", "date": "2026-03-02", "title": "x"},
        ).status_code
        == 403
    )


def test_village_policies_are_counted_per_year(alice, bob, malili):
    do_save_checked(
        bob,
        DesaPolicy(
            desa_id=BALANTANG,
            year=2026,
            perdes_number="3 Tahun 2026",
            perdes_date=dt.date(2026, 2, 1),
            dana_desa=40_000_000,
        ),
    )
    do_save_checked(alice, DesaPolicy(desa=malili[0], year=2026, dana_desa=10_000_000))
    rows, counts = aksi4_table(alice, 2026, "73.24.04")
    assert counts == {"desa": len(malili), "regulation": 1, "dana_desa": 2, "dana_desa_total": 50_000_000}
    assert len(rows) == len(malili)
    _, own = aksi4_table(bob, 2026)
    assert own == {"desa": 1, "regulation": 1, "dana_desa": 1, "dana_desa_total": 40_000_000}
    with pytest.raises(PermissionDenied):  # another desa's policy
        do_save_checked(bob, DesaPolicy(desa=malili[0], year=2027))
    with pytest.raises(ValidationError):  # one per desa and year
        do_save_checked(bob, DesaPolicy(desa_id=BALANTANG, year=2026))
    with pytest.raises(ValidationError):  # a regulation date needs its number
        do_save_checked(bob, DesaPolicy(desa_id=BALANTANG, year=2027, perdes_date=dt.date(2027, 1, 5)))


def test_kpm_roster_and_training(client, bob, demo_users):
    kpm = do_save_checked(bob, Kpm(desa_id=BALANTANG, name="Nurhayati", since_year=2023))
    dpmd = demo_users["dinkes.lutim"]  # OPD staff give trainings
    training = do_save_checked(dpmd, KpmTraining(kpm=kpm, date=dt.date(2026, 4, 2), title="Kartu skor", hours=16))
    assert list(kpm.trainings.all()) == [training]
    client.force_login(bob)
    assert "Nurhayati" in client.get("/desa/aksi-5/").content.decode()
    response = client.post(
        f"/desa/kpm/{kpm.pk}/", {"date": "2026-05-02", "title": "e-HDW", "organiser": "P3MD", "hours": "8"}
    )
    assert response.status_code == 302 and kpm.trainings.count() == 2
    client.force_login(demo_users["pantau.lutim"])
    assert client.post(f"/desa/kpm/{kpm.pk}/", {"date": "2026-05-03", "title": "x"}).status_code == 403


def test_the_district_sees_villages_without_a_mentor_and_mentors_who_have_not_visited(alice, malili):
    visited = do_save_checked(alice, DesaMentor(opd=_opd("DINSOS"), desa_id=BALANTANG, year=2027))
    idle = do_save_checked(alice, DesaMentor(opd=_opd("DPUPR"), desa=malili[0], year=2027))
    do_log_mentoring(alice, MentorVisit(mentor=visited, date=dt.date(2027, 3, 1), activity="Monitoring posyandu"))
    without = list(villages_without_mentor(alice, 2027, "73.24.04"))
    assert BALANTANG not in [d.code for d in without] and malili[0] not in without and len(without) == len(malili) - 2
    assert list(mentors_without_visits(alice, 2027)) == [idle]
    with pytest.raises(ValidationError):  # one mentor per desa and year
        do_save_checked(alice, DesaMentor(opd=_opd("DPUPR"), desa_id=BALANTANG, year=2027))
    with pytest.raises(ValidationError):  # an agency of another district
        do_save_checked(alice, DesaMentor(opd=_opd("DINKES", "73.17"), desa=malili[1], year=2027))


def test_an_opd_logs_visits_only_for_its_own_assignments(alice, demo_users, malili):
    dinkes = demo_users["dinkes.lutim"]
    own = do_save_checked(alice, DesaMentor(opd=dinkes.opd, desa=malili[2], year=2027))
    other = do_save_checked(alice, DesaMentor(opd=_opd("DPMD"), desa=malili[3], year=2027))
    visit = do_log_mentoring(
        dinkes, MentorVisit(mentor=own, date=dt.date(2027, 5, 1), activity="Kelas ibu hamil", support="PMT 20 paket")
    )
    assert visit.recorded_by == dinkes
    with pytest.raises(PermissionDenied):
        do_log_mentoring(dinkes, MentorVisit(mentor=other, date=dt.date(2027, 5, 1), activity="x"))
    with pytest.raises(ValidationError):  # outside the assignment's year
        do_log_mentoring(dinkes, MentorVisit(mentor=own, date=dt.date(2026, 12, 30), activity="x"))
    with pytest.raises(PermissionDenied):  # only the district assigns
        do_save_checked(dinkes, DesaMentor(opd=dinkes.opd, desa=malili[4], year=2027))


@pytest.mark.parametrize(
    "username, policy_, kpm, assign, see_pembina",
    [
        ("admin.lutim", True, True, True, True),
        ("dinkes.lutim", False, False, False, True),
        ("camat.malili", False, True, False, True),
        ("pkm.malili", False, False, False, False),
        ("desa.balantang", True, True, False, True),
        ("pantau.lutim", False, False, False, True),
        ("admin.luwu", False, False, False, False),
    ],
)
def test_each_role(demo_users, alice, username, policy_, kpm, assign, see_pembina):
    user = demo_users[username]
    assignment = do_save_checked(alice, DesaMentor(opd=_opd("DKP"), desa_id=BALANTANG, year=2028))
    assert policy.can(user, policy.ADD, DesaPolicy(desa_id=BALANTANG, year=2028)) is policy_
    assert policy.can(user, policy.ADD, Kpm(desa_id=BALANTANG, name="x", since_year=2020)) is kpm
    assert policy.can(user, policy.CHANGE, assignment) is assign
    assert policy.is_visible(user, assignment) is see_pembina
    assert policy.can(user, policy.ADD, DesaRoleRegulation) is (username in ("admin.lutim", "admin.luwu"))


def test_pages_render(client, demo_users):
    for username in ("admin.lutim", "desa.balantang", "pantau.lutim", "camat.malili", "dinkes.lutim"):
        client.force_login(demo_users[username])
        for url in (
            "/desa/aksi-4/",
            "/desa/aksi-5/?year=2025&quarter=3",
            "/desa/pembina/?year=2025",
            f"/desa/kartu-skor/{BALANTANG}/2025/3/",
        ):
            assert client.get(url).status_code == 200, (username, url)
    response = client.get(f"/desa/aksi-5/?year=2025&quarter=3&desa={BALANTANG}")
    assert response.status_code == 302 and response.url.endswith(f"/desa/kartu-skor/{BALANTANG}/2025/3/")


def test_the_demo_has_a_scorecard_quarter_and_mentors():
    from tumbuh.konvergensi_desa.models import ScorecardTarget
    from tumbuh.konvergensi_desa.progress import quarter_levels

    per, total = quarter_levels(BALANTANG, 2025, 3)
    assert total.people >= 11 and 0 < total.percent < 100
    assert (
        ScorecardTarget.objects.filter(desa_id=BALANTANG, year=2025, quarter=3, child__isnull=False)
        .exclude(filled_by_tumbuh=[])
        .exists()
    )
    assert DesaMentor.objects.filter(year=2025, desa__kecamatan_code="73.24.04").exists()
    assert DesaRoleRegulation.objects.filter(kabupaten_id="73.24").exists()
    assert Kpm.objects.filter(desa_id=BALANTANG).exists()
