"""The village convergence scorecard: Y ÷ (items − TS), checked by hand, TS items included."""

import datetime as dt
from fractions import Fraction

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tumbuh.audit.models import AuditLog
from tumbuh.imports.testing import read_xlsx
from tumbuh.konvergensi_desa import scorecard
from tumbuh.konvergensi_desa.actions import do_record_target
from tumbuh.konvergensi_desa.models import ScorecardTarget
from tumbuh.konvergensi_desa.progress import district_quarter, quarter_levels
from tumbuh.measurements.models import Child, Measurement

BALANTANG = "73.24.04.2010"
IH, A023, A26 = scorecard.IBU_HAMIL, scorecard.ANAK_0_23, scorecard.ANAK_2_6


def _answers(group, *values):
    codes = [i.code for i in scorecard.items(group)]
    assert len(values) == len(codes)
    return dict(zip(codes, values, strict=True))


# Hand-checked example: a desa with two pregnant women, one baby and three PAUD-age children.
#   Ibu A: Y Y T TS Y Y T Y          → Y 5, items − TS 7
#   Ibu B: Y Y Y Y TS Y Y TS         → Y 6, items − TS 6
#   pregnant women                   → 11 / 13 = 84.6 %
#   Baby C: Y Y Y T TS Y Y T Y Y     → 7 / 9  = 77.8 %
#   PAUD D: TS (counts in neither), E: Y, F: T → 1 / 2 = 50 %
#   desa total                       → (11 + 7 + 1) / (13 + 9 + 2) = 19 / 24 = 79.2 %
EXAMPLE = {
    IH: [_answers(IH, "Y", "Y", "T", "TS", "Y", "Y", "T", "Y"), _answers(IH, "Y", "Y", "Y", "Y", "TS", "Y", "Y", "TS")],
    A023: [_answers(A023, "Y", "Y", "Y", "T", "TS", "Y", "Y", "T", "Y", "Y")],
    A26: [_answers(A26, "TS"), _answers(A26, "Y"), _answers(A26, "T")],
}


def test_the_level_is_y_over_items_minus_ts_per_group_and_in_total():
    per, total = scorecard.levels(EXAMPLE)
    assert scorecard.person_counts(IH, EXAMPLE[IH][0]) == (5, 7)
    assert scorecard.person_counts(IH, EXAMPLE[IH][1]) == (6, 6)
    assert per[IH].fraction == Fraction(11, 13) and round(per[IH].percent, 1) == 84.6
    assert per[A023].fraction == Fraction(7, 9) and round(per[A023].percent, 1) == 77.8
    assert per[A26].fraction == Fraction(1, 2) and per[A26].people == 3
    assert total.fraction == Fraction(19, 24) and round(total.percent, 1) == 79.2 and total.people == 6


def test_all_ts_and_empty_groups_have_no_level():
    per, total = scorecard.levels({A26: [_answers(A26, "TS")]})
    assert per[A26].fraction is None and per[A26].percent is None and per[IH].people == 0
    assert total.applicable == 0 and total.percent is None


def test_a_missing_or_unknown_answer_is_an_error():
    with pytest.raises(ValueError):
        scorecard.person_counts(A26, {"paud": "ya"})
    with pytest.raises(ValueError):
        scorecard.person_counts(A26, {})


@pytest.mark.django_db
def test_the_example_recorded_in_a_desa_gives_the_same_levels_and_excel_tables(client, bob):
    for group, people in EXAMPLE.items():
        for n, answers in enumerate(people):
            do_record_target(
                bob, ScorecardTarget(desa_id=BALANTANG, year=2026, quarter=1, group=group, name=f"{group} {n}"), answers
            )
    per, total = quarter_levels(BALANTANG, 2026, 1)
    assert (per[IH].fraction, per[A023].fraction, per[A26].fraction, total.fraction) == (
        Fraction(11, 13),
        Fraction(7, 9),
        Fraction(1, 2),
        Fraction(19, 24),
    )
    [row] = [r for r in district_quarter(bob, 2026, 1)]
    assert row["total"].fraction == Fraction(19, 24)
    ids = [str(pk) for pk in ScorecardTarget.objects.filter(year=2026, quarter=1).values_list("pk", flat=True)]
    assert (
        AuditLog.objects.filter(object_type="konvergensi_desa.scorecardtarget", object_id__in=ids, actor=bob).count()
        == 6
    )

    client.force_login(bob)
    page = client.get(f"/desa/kartu-skor/{BALANTANG}/2026/1/").content.decode()
    assert "79,2%" in page and "84,6%" in page  # Indonesian decimal comma
    response = client.get(f"/desa/kartu-skor/{BALANTANG}/2026/1/kartu-skor.xlsx")
    workbook = b"".join(response.streaming_content)
    summary = read_xlsx(workbook)
    # The levels as the page shows them (84,6 %, 77,8 %, 50,0 %, 79,2 %): the rounded value under a
    # one-decimal percentage format, so Excel shows the page's digits (the one rounding rule).
    assert [r[1:5] for r in summary[3:7]] == [[2, 11, 13, 0.846], [1, 7, 9, 0.778], [3, 1, 2, 0.5], [6, 19, 24, 0.792]]
    import io

    from openpyxl import load_workbook

    formats = [
        r[4].number_format
        for r in load_workbook(io.BytesIO(workbook))["Tabel 4 Tingkat Konvergensi"].iter_rows(min_row=4, max_row=7)
    ]
    assert formats == ["0.0%"] * 4

    sheets = load_workbook(io.BytesIO(workbook)).sheetnames
    assert sheets == [
        "Tabel 4 Tingkat Konvergensi",
        "Tabel 1 Ibu Hamil",
        "Tabel 2 Anak 0-23 Bulan",
        "Tabel 3 Anak 2-6 Tahun",
    ]
    pregnant = [
        list(r) for r in load_workbook(io.BytesIO(workbook))["Tabel 1 Ibu Hamil"].iter_rows(min_row=4, values_only=True)
    ]
    assert pregnant[0][2:10] == ["Y", "Y", "T", "TS", "Y", "Y", "T", "Y"] and pregnant[0][10:12] == [5, 7]


@pytest.mark.django_db
def test_an_incomplete_or_unknown_answer_is_refused(bob):
    incomplete = _answers(IH, "Y", "Y", "T", "TS", "Y", "Y", "T", "Y")
    del incomplete["jkn"]
    with pytest.raises(ValidationError):
        do_record_target(
            bob, ScorecardTarget(desa_id=BALANTANG, year=2026, quarter=2, group=IH, name="Ibu X"), incomplete
        )
    with pytest.raises(ValidationError):
        do_record_target(
            bob,
            ScorecardTarget(desa_id=BALANTANG, year=2026, quarter=2, group=A26, name="Anak X"),
            {"paud": "Y", "posyandu": "Y"},
        )
    assert not ScorecardTarget.objects.filter(year=2026, quarter=2).exists()


# ---------------------------------------------------------------- items Tumbuh fills


def _child(birth, visits, desa=BALANTANG):
    child = Child.objects.create(name="Bayi Uji", sex=2, birth_date=birth, desa_id=desa)
    for day, weight, length, tbu, bbu in visits:
        Measurement.objects.create(
            child=child, date=day, desa_id=desa, weight=weight, lenhei=length, status_tbu=tbu, status_bbu=bbu
        )
    return child


@pytest.mark.django_db
def test_weighed_monthly_and_length_twice_a_year_come_from_the_measurements(bob):
    monthly = _child(
        dt.date(2025, 3, 1),
        [
            (dt.date(2025, 9, 10), 7.1, 66.0, "normal", "bb_normal"),
            (dt.date(2025, 10, 8), 7.4, None, "", ""),
            (dt.date(2025, 11, 12), 7.6, None, "", ""),
            (dt.date(2025, 12, 9), 7.9, 69.5, "normal", "bb_normal"),
        ],
    )
    answers = _answers(A023, "Y", "T", "T", "Y", "Y", "Y", "Y", "Y", "Y", "T")  # typed; Tumbuh overrides its own items
    target = do_record_target(
        bob,
        ScorecardTarget(desa_id=BALANTANG, year=2025, quarter=4, group=A023, name="Bayi Uji", child=monthly),
        answers,
    )
    assert target.filled_by_tumbuh == ["kunjungan_gizi", "timbang", "ukur_panjang"]
    assert (target.answers["timbang"], target.answers["ukur_panjang"], target.answers["kunjungan_gizi"]) == (
        "Y",
        "Y",
        "TS",
    )
    assert target.counts() == (8, 9)


@pytest.mark.django_db
def test_a_missed_month_a_single_length_and_a_stunted_child(bob):
    stunted = _child(
        dt.date(2024, 6, 1),
        [
            (dt.date(2025, 10, 8), 8.0, 70.0, "pendek", "bb_kurang"),
            (dt.date(2025, 12, 9), 8.2, None, "", ""),  # November missed
        ],
    )
    typed = _answers(A023, "Y", "", "", "T", "T", "Y", "Y", "Y", "Y", "T")
    target = do_record_target(
        bob,
        ScorecardTarget(desa_id=BALANTANG, year=2025, quarter=4, group=A023, name="Anak Pendek", child=stunted),
        typed,
    )
    assert (target.answers["timbang"], target.answers["ukur_panjang"]) == ("T", "T")
    assert (
        target.answers["kunjungan_gizi"] == "T"
    )  # stunted: Tumbuh does not know about home visits, the KPM's answer stays
    assert "kunjungan_gizi" not in target.filled_by_tumbuh
    newborn = _child(dt.date(2025, 11, 20), [(dt.date(2025, 12, 2), 3.6, 51.0, "normal", "bb_normal")])
    baby = do_record_target(
        bob,
        ScorecardTarget(desa_id=BALANTANG, year=2025, quarter=4, group=A023, name="Bayi Baru", child=newborn),
        typed,
    )
    # born in November: weighed in December but not in November → T; too young for two lengths → TS
    assert (baby.answers["timbang"], baby.answers["ukur_panjang"]) == ("T", "TS")


@pytest.mark.django_db
def test_the_services_a_visit_records_answer_no_scorecard_item(bob):
    """Kelas ibu balita is neither nutrition counselling nor BKB's parenting class; vitamin A,
    the KIA book and MBG are not items; weight gain does not say the child was weighed monthly."""
    from tumbuh.konvergensi_desa.autofill import child_answers

    child = _child(dt.date(2025, 3, 1), [(dt.date(2025, 10, 8), 7.4, None, "", "")])
    Measurement.objects.filter(child=child).update(
        vitamin_a=1, kia_book=True, kelas_ibu_balita=True, mbg=True, weight_gain="N", kpsp="Sesuai"
    )
    answers = child_answers(child, 2025, 4)
    assert set(answers) == {"timbang", "ukur_panjang"} and answers["timbang"] == "T"  # November and December missing
    assert {i.code for i in scorecard.items(A023) if i.automatic} == {"timbang", "ukur_panjang", "kunjungan_gizi"}
    typed = _answers(A023, "Y", "", "", "T", "T", "Y", "Y", "Y", "Y", "T")
    target = do_record_target(
        bob,
        ScorecardTarget(desa_id=BALANTANG, year=2025, quarter=4, group=A023, name="Anak Layanan", child=child),
        typed,
    )
    assert (target.answers["konseling"], target.answers["kelas_pengasuhan"]) == ("T", "T")  # the KPM's answers stay
    assert "konseling" not in target.filled_by_tumbuh and "kelas_pengasuhan" not in target.filled_by_tumbuh


# ---------------------------------------------------------------- who records


@pytest.mark.django_db
def test_a_desa_operator_records_only_their_villages_scorecard(client, bob):
    from tumbuh.wilayah.models import Wilayah

    other = Wilayah.objects.filter(level=4, kecamatan_code="73.24.04").exclude(code=BALANTANG).order_by("code").first()
    with pytest.raises(PermissionDenied):
        do_record_target(
            bob, ScorecardTarget(desa_id=other.code, year=2026, quarter=1, group=A26, name="X"), {"paud": "Y"}
        )
    client.force_login(bob)
    assert client.get(f"/desa/kartu-skor/{other.code}/2026/1/").status_code == 404
    assert (
        client.post(f"/desa/kartu-skor/{other.code}/2026/1/anak_2_6/baru/", {"name": "X", "item_paud": "Y"}).status_code
        == 404
    )
    response = client.post(
        f"/desa/kartu-skor/{BALANTANG}/2026/1/anak_2_6/baru/", {"name": "Anak PAUD", "item_paud": "Y"}
    )
    assert response.status_code == 302
    assert ScorecardTarget.objects.get(desa_id=BALANTANG, name="Anak PAUD").answers == {"paud": "Y"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "username, records, sees",
    [
        ("admin.lutim", True, True),
        ("dinkes.lutim", False, True),
        ("camat.malili", False, True),
        ("pkm.malili", False, False),
        ("desa.balantang", True, True),
        ("pantau.lutim", False, True),
        ("admin.luwu", False, False),
    ],
)
def test_each_role_on_the_scorecard(client, demo_users, username, records, sees):
    client.force_login(demo_users[username])
    page = client.get(f"/desa/kartu-skor/{BALANTANG}/2026/1/")
    assert page.status_code == (200 if sees else 404)
    response = client.post(
        f"/desa/kartu-skor/{BALANTANG}/2026/1/anak_2_6/baru/", {"name": f"Anak {username}", "item_paud": "T"}
    )
    assert response.status_code == (302 if records else 403 if sees else 404)
    assert ScorecardTarget.objects.filter(name=f"Anak {username}").exists() is records


@pytest.mark.django_db
def test_names_typed_by_the_desa_reach_the_excel_tables_as_text_never_a_formula(client, bob):
    import io

    from openpyxl import load_workbook

    from tumbuh.core.testing import formula_cells

    names = ["=1+2", "@SUM(A1)", "+62 812 3456 7890", '-=HYPERLINK("http://x.invalid","klik")']
    for name in names:
        do_record_target(
            bob, ScorecardTarget(desa_id=BALANTANG, year=2026, quarter=3, group=A26, name=name), _answers(A26, "Y")
        )
    client.force_login(bob)
    response = client.get(f"/desa/kartu-skor/{BALANTANG}/2026/3/kartu-skor.xlsx")
    workbook = b"".join(response.streaming_content)
    assert formula_cells(workbook) == []
    sheet = load_workbook(io.BytesIO(workbook))["Tabel 3 Anak 2-6 Tahun"]
    written = {sheet.cell(r, 2).value: sheet.cell(r, 2).data_type for r in range(4, sheet.max_row + 1)}
    assert written == {name: "s" for name in names}
