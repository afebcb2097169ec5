"""The targeting page: stunted children of a period who are not in a KRS family of the year's
list, and KRS families with a stunted child but no TPK; per desa, scoped, NIK masked."""

import datetime as dt
import re

import pytest

from tumbuh.dashboards.periods import Period
from tumbuh.krs import targeting
from tumbuh.krs.actions import do_link_child
from tumbuh.krs.models import Tpk

from .conftest import BALANTANG, YEAR

pytestmark = pytest.mark.django_db

PERIOD = Period.round(YEAR, 2)
PAGE = f"/krs/sasaran/?period={PERIOD.key}&year={YEAR}"
SHORT, TALL = 80.0, 88.0  # at two years: pendek, normal


@pytest.fixture
def village(alice, make_child, make_family, measure, harapan_code):
    kids = {
        "alone": make_child("Stunted Tanpa Keluarga"),
        "linked": make_child("Stunted Dalam Keluarga"),
        "with_tpk": make_child("Stunted Dengan TPK"),
        "recovered": make_child("Sudah Normal"),
        "january": make_child("Pendek Bulan Januari"),
        "harapan": make_child("Stunted Di Harapan", desa=harapan_code),
    }
    kids["alone"].nik = "7324046802240001"
    kids["alone"].save()
    for key in ("alone", "linked", "with_tpk", "harapan"):
        assert measure(kids[key], dt.date(YEAR, 2, 10), SHORT).status_tbu == "pendek"
    measure(kids["recovered"], dt.date(YEAR, 2, 3), SHORT)
    assert measure(kids["recovered"], dt.date(YEAR, 2, 24), TALL).status_tbu == "normal"
    measure(kids["january"], dt.date(YEAR, 1, 15), SHORT)
    tpk = Tpk.objects.create(desa_id=BALANTANG, name="TPK Target", midwife="A", pkk_cadre="B", kb_cadre="C")
    no_tpk = make_family("7324041501900101", "Keluarga Tanpa TPK")
    has_tpk = make_family("7324041501900102", "Keluarga Dengan TPK", tpk=tpk)
    make_family("7324041501900103", "Keluarga Lain")
    do_link_child(alice, no_tpk, kids["linked"], reason="uji")
    do_link_child(alice, has_tpk, kids["with_tpk"], reason="uji")
    do_link_child(alice, has_tpk, kids["recovered"], reason="uji")
    return {"kids": kids, "no_tpk": no_tpk, "has_tpk": has_tpk}


def _row(report, code):
    return next(r for r in report.rows if r.desa.code == code)


def test_counts_per_desa(alice, village, harapan_code):
    report = targeting.build(alice, period=PERIOD, year=YEAR)
    balantang = _row(report, BALANTANG)
    assert (balantang.stunted, balantang.linked, balantang.unlinked) == (3, 2, 1)
    assert (balantang.families, balantang.families_stunted, balantang.families_stunted_no_tpk) == (3, 2, 1)
    assert (_row(report, harapan_code).stunted, _row(report, harapan_code).unlinked) == (1, 1)
    assert list(report.children) == [village["kids"]["alone"], village["kids"]["harapan"]]
    assert list(report.families) == [village["no_tpk"]]
    # Against last year's list nobody is linked: every stunted child counts as not in a family.
    last_year = targeting.build(alice, period=PERIOD, year=YEAR - 1)
    assert _row(last_year, BALANTANG).linked == 0 and village["kids"]["linked"] in list(last_year.children)


def test_the_page_lists_an_unlinked_stunted_child_and_not_a_linked_one(client, alice, village):
    client.force_login(alice)
    page = client.get(PAGE + "&within=73.24.04").content.decode()
    children = page.split('data-testid="unlinked-children"')[1].split("</table>")[0]
    assert "Stunted Tanpa Keluarga" in children and "Stunted Di Harapan" in children
    for name in ("Stunted Dalam Keluarga", "Stunted Dengan TPK", "Sudah Normal", "Pendek Bulan Januari"):
        assert name not in children, name
    assert f"/krs/anak/{village['kids']['alone'].tumbuh_id}/" in children  # where to find the family
    row = page.split(f'data-desa="{BALANTANG}"')[1].split("</tr>")[0]
    assert [int(n) for n in re.findall(r'class="num">(?:<strong>)?(\d+)', row)] == [3, 2, 1, 3, 2, 1]

    families = client.get(PAGE + "&show=families").content.decode().split('data-testid="families-without-tpk"')[1]
    families = families.split("</table>")[0]
    assert "Keluarga Tanpa TPK" in families and "Stunted Dalam Keluarga" in families
    assert "Keluarga Dengan TPK" not in families and "Keluarga Lain" not in families


def test_a_linked_child_leaves_the_list(client, alice, village):
    client.force_login(alice)
    do_link_child(alice, village["no_tpk"], village["kids"]["alone"], reason="kunjungan rumah")
    page = client.get(PAGE).content.decode().split('data-testid="unlinked-children"')[1]
    assert "Stunted Tanpa Keluarga" not in page.split("</table>")[0]


def test_the_desa_operator_sees_only_their_desa(client, bob, village, harapan_code):
    client.force_login(bob)
    page = client.get(PAGE).content.decode()
    assert (
        "Stunted Tanpa Keluarga" in page
        and "Stunted Di Harapan" not in page
        and f'data-desa="{harapan_code}"' not in page
    )
    assert client.get(PAGE + f"&within={harapan_code}").status_code == 404
    assert client.get(PAGE + f"&desa={harapan_code}").status_code == 404
    assert client.get(PAGE + "&within=73.24.04").status_code == 404  # above their node
    assert client.get(PAGE + f"&desa={BALANTANG}").status_code == 200


def test_a_desa_filter_narrows_the_lists(client, alice, village, harapan_code):
    client.force_login(alice)
    page = client.get(PAGE + f"&desa={harapan_code}").content.decode()
    children = page.split('data-testid="unlinked-children"')[1].split("</table>")[0]
    assert "Stunted Di Harapan" in children and "Stunted Tanpa Keluarga" not in children


def test_nik_is_masked_unless_the_role_may_see_it(client, demo_users, village):
    for username, full in (
        ("admin.lutim", True),
        ("desa.balantang", True),
        ("pantau.lutim", False),
        ("camat.malili", False),
    ):
        client.force_login(demo_users[username])
        page = client.get(PAGE).content.decode()
        assert ("7324046802240001" in page) is full, username
        assert ("7324••••••••0001" in page) is not full, username


def test_the_other_roles_read_it_in_their_scope(client, demo_users, village):
    for username, sees in (
        ("camat.malili", True),
        ("pkm.malili", False),
        ("dinkes.lutim", True),
        ("admin.luwu", False),
    ):
        client.force_login(demo_users[username])
        response = client.get(PAGE)
        assert response.status_code == 200, username
        assert ("Stunted Tanpa Keluarga" in response.content.decode()) is sees, username


def test_the_list_year_defaults_to_the_period_year_or_the_latest_before():
    assert targeting.default_year([2026, 2025, 2023], Period.round(2025, 8)) == 2025
    assert targeting.default_year([2026, 2023], Period.round(2025, 2)) == 2023
    assert targeting.default_year([2026], Period.round(2024, 8)) == 2026
    assert targeting.default_year([], Period.round(2024, 8)) is None


def test_the_demo_page_is_not_empty(client, alice):
    client.force_login(alice)
    page = client.get("/krs/sasaran/").content.decode()
    assert 'data-child="' in page.split('data-testid="unlinked-children"')[1]
    families = client.get("/krs/sasaran/?show=families").content.decode()
    assert 'data-family="' in families.split('data-testid="families-without-tpk"')[1]
    assert "/krs/sasaran/" in client.get("/krs/").content.decode()  # reached from the KRS list (and the menu)


# ---------------------------------------------------------------- an empty list concludes nothing (issue 14)
EVERY_CHILD = "Semua anak stunting di sini sudah masuk keluarga KRS."
EVERY_FAMILY = "Semua keluarga KRS dengan anak stunting di sini sudah didampingi TPK."


def _list(page: str) -> str:
    return page.split('data-testid="nothing-listed">')[1].split("</td>")[0]


@pytest.fixture
def one_visit_round(make_child, make_family, measure, harapan_code):
    """August 2026: one visit, of a Balantang child who is not stunted; the 2026 KRS list has a
    family in Harapan."""
    make_family("7324041501900201", "Keluarga Agustus", desa=harapan_code)
    assert measure(make_child("Satu Kunjungan"), dt.date(YEAR, 8, 3), TALL).status_tbu == "normal"


def test_a_round_with_no_stunted_child_does_not_say_every_stunted_child_is_in_a_family(client, alice, one_visit_round):
    client.force_login(alice)
    page = client.get(f"/krs/sasaran/?period=R{YEAR}-08&year={YEAR}").content.decode()
    assert EVERY_CHILD not in page
    assert _list(page) == "Tidak ada anak yang diukur di sini pada periode ini yang stunting (1 diukur)."
    families = client.get(f"/krs/sasaran/?period=R{YEAR}-08&year={YEAR}&show=families").content.decode()
    assert EVERY_FAMILY not in families
    assert _list(families) == _list(page)


def test_a_period_without_measurements_says_so(client, alice, one_visit_round):
    client.force_login(alice)
    page = client.get(f"/krs/sasaran/?period=R{YEAR + 1}-02&year={YEAR}").content.decode()
    assert EVERY_CHILD not in page
    assert _list(page).startswith("Belum ada anak di sini dengan pengukuran panjang/tinggi badan yang valid")
    families = client.get(f"/krs/sasaran/?period=R{YEAR + 1}-02&year={YEAR}&show=families").content.decode()
    assert EVERY_FAMILY not in families and _list(families) == _list(page)


def test_the_desa_table_without_rows_says_whether_anyone_was_measured(client, alice, make_child, measure):
    from tumbuh.wilayah.models import Wilayah

    desa = (
        Wilayah.objects.filter(level=4, kabupaten_code="73.24")
        .exclude(kecamatan_code="73.24.04")
        .order_by("code")
        .first()
    )
    assert measure(make_child("Di Kecamatan Lain", desa=desa.code), dt.date(YEAR, 8, 3), TALL).status_tbu == "normal"
    client.force_login(alice)
    where = f"&year={YEAR}&within={desa.kecamatan_code}"  # no KRS family there
    empty = client.get(f"/krs/sasaran/?period=R{YEAR + 1}-02{where}").content.decode()
    table = empty.split('data-testid="targeting-desa"')[1].split("</table>")[0]
    assert "Tidak ada pengukuran panjang/tinggi badan dan tidak ada keluarga KRS di wilayah dan periode ini." in table
    measured = client.get(f"/krs/sasaran/?period=R{YEAR}-08{where}").content.decode()
    table = measured.split('data-testid="targeting-desa"')[1].split("</table>")[0]
    assert "Tidak ada anak stunting maupun keluarga KRS di wilayah dan periode ini." in table


def test_stunted_children_but_no_family_linked_to_one_is_not_every_family_has_a_tpk(
    client, alice, village, harapan_code
):
    client.force_login(alice)
    families = client.get(PAGE + f"&desa={harapan_code}&show=families").content.decode()  # one stunted child, no family
    assert EVERY_FAMILY not in families
    assert _list(families).startswith("Belum ada keluarga KRS di sini yang terhubung dengan anak stunting")


def test_the_conclusions_still_stand_on_data(client, alice, village):
    client.force_login(alice)
    do_link_child(alice, village["no_tpk"], village["kids"]["alone"], reason="kunjungan rumah")
    page = client.get(PAGE + f"&desa={BALANTANG}").content.decode()
    assert _list(page) == EVERY_CHILD  # three stunted children in Balantang, all in a family
    village["no_tpk"].tpk = Tpk.objects.get(name="TPK Target")
    village["no_tpk"].save()
    families = client.get(PAGE + f"&desa={BALANTANG}&show=families").content.decode()
    assert _list(families) == EVERY_FAMILY
