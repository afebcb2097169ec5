"""Taking a target person off a quarter's scorecard: confirmed, with a reason, audited, by the
desa operator who records it; the convergence levels are counted again without them."""

from fractions import Fraction

import pytest
from django.core.exceptions import PermissionDenied

from tumbuh.audit.models import AuditAction, AuditLog
from tumbuh.konvergensi_desa import scorecard
from tumbuh.konvergensi_desa.actions import do_record_target, do_remove_target
from tumbuh.konvergensi_desa.models import ScorecardTarget
from tumbuh.konvergensi_desa.progress import district_quarter, quarter_levels

pytestmark = pytest.mark.django_db
BALANTANG = "73.24.04.2010"
YEAR, Q = 2031, 2  # a quarter the demo leaves empty
IH, A26 = scorecard.IBU_HAMIL, scorecard.ANAK_2_6


@pytest.fixture
def quarter(bob):
    """Ibu A: Y 5 of 7; Ibu B: Y 6 of 6; PAUD E: Y; PAUD F: T."""
    codes = [i.code for i in scorecard.items(IH)]
    rows = {}
    for name, group, answers in (
        ("Ibu A", IH, dict(zip(codes, ["Y", "Y", "T", "TS", "Y", "Y", "T", "Y"]))),
        ("Ibu B", IH, dict(zip(codes, ["Y", "Y", "Y", "Y", "TS", "Y", "Y", "TS"]))),
        ("Anak E", A26, {"paud": "Y"}),
        ("Anak F", A26, {"paud": "T"}),
    ):
        rows[name] = do_record_target(
            bob, ScorecardTarget(desa_id=BALANTANG, year=YEAR, quarter=Q, group=group, name=name), answers
        )
    return rows


def _url(s):
    return f"/desa/kartu-skor/{BALANTANG}/{YEAR}/{Q}/{s.group}/{s.pk}/hapus/"


def test_the_desa_operator_removes_a_person_and_the_levels_follow(client, bob, quarter):
    per, total = quarter_levels(BALANTANG, YEAR, Q)
    assert per[IH].fraction == Fraction(11, 13) and total.fraction == Fraction(12, 15)
    ibu_b = quarter["Ibu B"]
    client.force_login(bob)
    edit = client.get(f"/desa/kartu-skor/{BALANTANG}/{YEAR}/{Q}/{IH}/{ibu_b.pk}/").content.decode()
    assert f'href="{_url(ibu_b)}"' in edit
    confirm = client.get(_url(ibu_b))  # the confirmation step deletes nothing
    assert confirm.status_code == 200 and "Ibu B" in confirm.content.decode()
    assert client.post(_url(ibu_b), {"reason": "  "}).status_code == 200  # a reason is required
    assert ScorecardTarget.objects.filter(pk=ibu_b.pk).exists()
    response = client.post(_url(ibu_b), {"reason": "Tercatat dua kali"})
    assert response.status_code == 302 and response["Location"] == f"/desa/kartu-skor/{BALANTANG}/{YEAR}/{Q}/"
    assert not ScorecardTarget.objects.filter(pk=ibu_b.pk).exists()
    log = AuditLog.objects.get(
        object_type="konvergensi_desa.scorecardtarget", object_id=str(ibu_b.pk), action=AuditAction.DELETE
    )
    assert log.reason == "Tercatat dua kali" and log.actor == bob and log.before["name"] == "Ibu B"
    # Ibu A alone: 5 / 7; the desa: (5 + 1) / (7 + 2) = 6 / 9.
    per, total = quarter_levels(BALANTANG, YEAR, Q)
    assert per[IH].fraction == Fraction(5, 7) and per[IH].people == 1
    assert total.fraction == Fraction(6, 9)
    [row] = [r for r in district_quarter(bob, YEAR, Q) if r["code"] == BALANTANG]
    assert row["total"].fraction == Fraction(6, 9)
    page = client.get(f"/desa/kartu-skor/{BALANTANG}/{YEAR}/{Q}/").content.decode()
    assert "(6 / 9)" in page and "Ibu B dihapus dari kartu skor" in page and ">Ibu B</a>" not in page


@pytest.mark.parametrize(
    "username, status",
    [
        ("admin.lutim", 302),
        ("camat.malili", 403),  # sees the desa's scorecard, does not record it
        ("dinkes.lutim", 403),
        ("pantau.lutim", 403),
        ("pkm.malili", 404),  # Balantang is served by another puskesmas
        ("admin.luwu", 404),
    ],
)
def test_who_may_remove(client, demo_users, quarter, username, status):
    person = quarter["Anak F"]
    user = demo_users[username]
    client.force_login(user)
    assert client.get(_url(person)).status_code == (200 if status == 302 else status)
    assert client.post(_url(person), {"reason": "uji"}).status_code == status
    assert ScorecardTarget.objects.filter(pk=person.pk).exists() is (status != 302)
    if status != 302:
        with pytest.raises(PermissionDenied):
            do_remove_target(user, person, reason="uji")


def test_another_desa_operator_gets_404(client, bob, quarter, django_user_model):
    from tumbuh.accounts.models import Role
    from tumbuh.wilayah.models import Wilayah

    other = Wilayah.objects.filter(level=4, kecamatan_code="73.24.04").exclude(code=BALANTANG).order_by("code").first()
    neighbour = django_user_model.objects.create_user("desa.tetangga", password="x", role=Role.DESA, wilayah=other)
    client.force_login(neighbour)
    assert client.post(_url(quarter["Anak E"]), {"reason": "uji"}).status_code == 404
    assert ScorecardTarget.objects.filter(pk=quarter["Anak E"].pk).exists()
