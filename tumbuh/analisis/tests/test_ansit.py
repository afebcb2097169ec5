"""The Master Ansit workbook, opened with openpyxl as the secretariat's spreadsheet program would:
the cover sheet and Aksi Bangda's 15 sheets in order, Data Sasaran equal to what Aksi 1 and the
KRS app hold, both codes on every desa row, the sector sheets from the declared table, the TPPS,
the plan, blank cells named in the cover's list of what is missing, and who may download it."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from tumbuh.analisis import situation
from tumbuh.analisis.ansit import COVER_MISSING, COVER_SHEETS, COVER_SOURCES, FORMATS, IDENTITY
from tumbuh.analisis.ansit_sheets import SHEETS, sector_sheet
from tumbuh.wilayah.models import Level, Wilayah

pytestmark = pytest.mark.django_db

BALANTANG = "73.24.04.2010"
SHEET_NAMES = [
    "Data Sasaran",
    "Data Cakupan Layanan",
    "Sosial",
    "Tim Koordinasi",
    "Kesehatan",
    "PMD 1",
    "PMD 2",
    "KOMINFO",
    "Pendidikan 1",
    "Pendidikan 2",
    "Agama",
    "KB 1",
    "KB 2",
    "Badan POM",
    "Pemetaan Program",
]


def _download(client, user, year: int = 2026):
    client.force_login(user)
    response = client.get(f"/analisis/master-ansit.xlsx?year={year}")
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def _rows(ws) -> dict[str, dict]:
    """A desa sheet's rows by Kemendagri code, each as {header: value} (down to the first blank row)."""
    headers = [c.value for c in ws[1]]
    found = {}
    for r in ws.iter_rows(min_row=2, values_only=True):
        if not any(r):
            break
        found[r[1]] = dict(zip(headers, r))
    return found


def _section(workbook, title: str) -> list[tuple]:
    """The rows of a cover-sheet section (below its title and header), up to the next blank row."""
    rows = list(workbook["Keterangan"].iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] == title) + 2
    found = []
    for r in rows[start:]:
        if not any(r):
            break
        found.append(r)
    return found


def test_the_workbook_has_the_cover_and_aksi_bangda_s_15_sheets_in_order(client, alice):
    workbook = _download(client, alice)
    assert [s.name for s in SHEETS] == SHEET_NAMES
    assert workbook.sheetnames == ["Keterangan", *SHEET_NAMES]
    cover = list(workbook["Keterangan"].iter_rows(values_only=True))
    lines = {r[0]: r[1] for r in cover}
    assert (
        lines["Kabupaten/Kota"] == "Kabupaten Luwu Timur"
        and lines["Tahun rencana"] == 2026
        and lines["Tahun data"] == 2025
    )
    assert lines["Periode pengukuran"] == "Putaran Agustus 2025"
    assert [r[0] for r in _section(workbook, COVER_SHEETS)] == SHEET_NAMES  # what each sheet holds, in order
    for name in SHEET_NAMES:
        ws = workbook[name]
        assert ws.freeze_panes and all(c.font.bold for c in ws[1] if c.value)


def test_data_sasaran_holds_the_situation_s_figures_and_both_codes(client, alice):
    from tumbuh.krs.counts import krs_count
    from tumbuh.krs.models import FamilyCount

    workbook = _download(client, alice)
    rows = _rows(workbook["Data Sasaran"])
    s = situation.build(alice, Wilayah.objects.get(pk="73.24"), 2026)
    b = next(r for r in s.rows if r.desa.code == BALANTANG)
    row = rows[BALANTANG]
    assert row["Jumlah Keluarga"] == FamilyCount.objects.get(desa_id=BALANTANG, year=2025).families == b.families
    assert row["Jumlah Keluarga Berisiko Stunting (KRS)"] == krs_count(BALANTANG, 2025) == b.krs > 0
    assert b.measured_length > 0
    assert row["Jumlah Balita Diukur"] == b.measured_length
    assert row["Jumlah Balita Sangat Pendek"] == b.sangat_pendek
    assert row["Jumlah Balita Pendek"] == b.pendek
    assert row["Prevalensi Stunting (%)"] == round(b.prevalence, 2)
    desa = Wilayah.objects.filter(level=Level.DESA, kabupaten_code="73.24")
    assert set(rows) == set(desa.values_list("code", flat=True))
    assert all(rows[w.code]["Kode BPS"] == w.bps_code and len(w.bps_code) == 10 for w in desa)
    assert row["Desa/Kelurahan"] == "Balantang" and row["Kecamatan"] == "Malili"
    ws = workbook["Data Sasaran"]
    cells = {c.value: c.column for c in ws[1]}
    balantang = next(r for r in ws.iter_rows(min_row=2) if r[1].value == BALANTANG)
    assert balantang[cells["Jumlah Keluarga"] - 1].number_format == FORMATS["int"]
    assert balantang[cells["Jumlah Keluarga"] - 1].data_type == "n"
    assert balantang[cells["Kode BPS"] - 1].number_format == "@"
    # A desa without a child measured in the round: blank, not zero.
    unmeasured = next(r for r in s.rows if r.children_measured == 0)
    assert rows[unmeasured.desa.code]["Jumlah Balita Diukur"] is None
    assert rows[unmeasured.desa.code]["Jumlah Balita Pendek"] is None


def test_another_district_s_desa_carry_no_bps_code_until_it_loads_them(client, charlie):
    workbook = _download(client, charlie)
    rows = _rows(workbook["Data Sasaran"])
    assert rows and all(code.startswith("73.17.") for code in rows)
    assert all(r["Kode BPS"] is None for r in rows.values())
    missing = {(r[0], r[1]): r for r in _section(workbook, COVER_MISSING)}
    assert missing[("Semua lembar per desa", "Kode BPS")][2] == "belum dimuat"


def test_a_sector_sheet_shows_the_coverage_entered_for_its_indicator(client, alice):
    from tumbuh.indikator.actions import set_coverage
    from tumbuh.indikator.models import Indicator

    bansos = Indicator.objects.get(kabupaten=None, code="bansos-1000hpk")
    assert bansos.lead_opd == "DINSOS"
    before = _download(client, alice)
    assert ("Sosial", "Bansos keluarga 1000 HPK (%)") in {(r[0], r[1]) for r in _section(before, COVER_MISSING)}
    set_coverage(alice, bansos, BALANTANG, 2025, numerator=41, denominator=50, reason="data Dinsos")
    workbook = _download(client, alice)
    rows = _rows(workbook["Sosial"])
    assert rows[BALANTANG]["Bansos keluarga 1000 HPK (%)"] == 82.0
    assert all(r["Bansos keluarga 1000 HPK (%)"] is None for code, r in rows.items() if code != BALANTANG)
    assert "Jaminan kesehatan 1000 HPK (%)" in rows[BALANTANG]  # the sheet's other indicator, still empty
    assert _rows(workbook["Data Cakupan Layanan"])[BALANTANG]["Bansos keluarga 1000 HPK (%)"] == 82.0
    missing = {(r[0], r[1]): r for r in _section(workbook, COVER_MISSING)}
    assert ("Sosial", "Bansos keluarga 1000 HPK (%)") not in missing
    assert missing[("Sosial", "Jaminan kesehatan 1000 HPK (%)")][3] == "Dinas Sosial Kabupaten Luwu Timur (DINSOS)"
    sources = {(r[0], r[1]): r[2] for r in _section(workbook, COVER_SOURCES)}
    assert "terisi untuk 1 dari 128 desa" in sources[("Data Cakupan Layanan", "Bansos keluarga 1000 HPK (%)")]
    ws = workbook["Sosial"]
    col = [c.value for c in ws[1]].index("Bansos keluarga 1000 HPK (%)")
    cell = next(r for r in ws.iter_rows(min_row=2) if r[1].value == BALANTANG)[col]
    assert cell.number_format == FORMATS["pct"]


def test_the_cover_says_which_values_tumbuh_computed_and_which_were_entered(client, alice):
    """A computed indicator may hold numbers entered or imported in the desa where Tumbuh has no
    records (the demo imports ASI eksklusif; vitamin A is computed from the visits): the cover
    says where each column's numbers come from, not "computed" for numbers an OPD typed."""
    from tumbuh.indikator.actions import set_coverage
    from tumbuh.indikator.models import CoverageSource, Indicator

    asi = Indicator.objects.get(kabupaten=None, code="asi-eksklusif")
    assert asi.is_computed
    rows = situation.build(alice, Wilayah.objects.get(code="73.24"), 2026).rows
    assert {r.coverage["asi-eksklusif"].source for r in rows if r.coverage["asi-eksklusif"].value is not None} == {
        CoverageSource.IMPORTED
    }
    vit = Indicator.objects.get(kabupaten=None, code="balita-vitamin-a")
    set_coverage(alice, vit, "73.24.01.2011", 2025, numerator=40, denominator=50, reason="laporan puskesmas")
    sources = {(r[0], r[1]): r[2] for r in _section(_download(client, alice), COVER_SOURCES)}
    imported = sources[("Data Cakupan Layanan", "ASI eksklusif (%)")]
    assert "dihitung Tumbuh" not in imported and "diisi atau diimpor Dinas Kesehatan" in imported
    mixed = sources[("Data Cakupan Layanan", "Vitamin A balita (%)")]
    assert (
        "dihitung Tumbuh dari pengukuran di 15 desa" in mixed and "diisi atau diimpor" in mixed and "di 1 desa" in mixed
    )
    computed = sources[("Data Cakupan Layanan", "Balita dipantau (%)")]
    assert "dihitung Tumbuh dari pengukuran (Indikator" in computed and "diisi" not in computed


def test_a_sheet_tumbuh_holds_nothing_for_is_blank_and_named_in_the_missing_list(client, alice):
    workbook = _download(client, alice)
    ws = workbook["Badan POM"]
    assert [c.value for c in ws[1]] == [c.header for c in IDENTITY]
    assert (
        ws.max_column == len(IDENTITY)
        and ws.max_row == 1 + Wilayah.objects.filter(level=4, kabupaten_code="73.24").count()
    )
    missing = {(r[0], r[1]): r for r in _section(workbook, COVER_MISSING)}
    pom = missing[("Badan POM", "seluruh lembar")]
    assert "pengawasan keamanan pangan" in pom[2] and pom[3] == "Balai/Loka POM"
    assert "Dinas Pendidikan Kabupaten Luwu Timur (DISDIK)" == missing[("Pendidikan 2", "seluruh lembar")][3]
    status = {r[0]: r[2] for r in _section(workbook, COVER_SHEETS)}
    assert status["Badan POM"].startswith("kosong") and status["Data Sasaran"] == "terisi"
    assert status["Kesehatan"].startswith("sebagian")
    # a blank column is blank in every row, never a zero
    sosial = _rows(workbook["Sosial"])
    assert all(r["Jaminan kesehatan 1000 HPK (%)"] is None for r in sosial.values())


def test_an_indicator_the_district_does_not_use_is_not_asked_for(client, alice):
    """Indikator → settings "used in this district" off: the sheets and the missing list leave it
    out (no OPD is asked for numbers the district decided not to track), unless it holds some."""
    from tumbuh.audit.actions import do_save
    from tumbuh.indikator.actions import set_coverage
    from tumbuh.indikator.models import Indicator, IndicatorSetting

    bansos = Indicator.objects.get(kabupaten=None, code="bansos-1000hpk")
    do_save(alice, IndicatorSetting(kabupaten_id="73.24", indicator=bansos, is_active=False))
    workbook = _download(client, alice)
    assert "Bansos keluarga 1000 HPK (%)" not in [c.value for c in workbook["Sosial"][1]]
    assert "Jaminan kesehatan 1000 HPK (%)" in [c.value for c in workbook["Sosial"][1]]  # still used: still asked for
    missing = {(r[0], r[1]) for r in _section(workbook, COVER_MISSING)}
    assert ("Sosial", "Bansos keluarga 1000 HPK (%)") not in missing
    assert ("Sosial", "Jaminan kesehatan 1000 HPK (%)") in missing
    set_coverage(alice, bansos, BALANTANG, 2025, numerator=41, denominator=50, reason="data Dinsos")
    assert _rows(_download(client, alice)["Sosial"])[BALANTANG]["Bansos keluarga 1000 HPK (%)"] == 82.0  # held: shown


def test_indicators_go_on_the_sheet_the_declared_table_says():
    assert sector_sheet("bumil-ttd-90", "DINKES") == "Kesehatan"
    assert sector_sheet("posyandu-aktif", "DPMD") == "PMD 1" and sector_sheet("dana-desa-stunting", "dpmd") == "PMD 2"
    assert (
        sector_sheet("kb-pasca-persalinan", "DP2KB") == "KB 1" and sector_sheet("krs-pendampingan", "DP2KB") == "KB 2"
    )
    assert sector_sheet("paud", "DP3A") == "Pendidikan 1"  # a listed code wins over the OPD
    assert sector_sheet("catin-periksa-kesehatan", "KEMENAG") == "Agama"
    assert sector_sheet("air-minum-layak", "DPUPR") is None  # on Data Cakupan Layanan only
    assert sector_sheet("x", "") is None


def test_the_sheets_follow_the_district_s_responsible_opd(client, alice):
    """A district that makes Dinas Sosial answer for birth certificates finds them on "Sosial"."""
    from tumbuh.audit.actions import do_save
    from tumbuh.indikator.models import Indicator, IndicatorSetting
    from tumbuh.organisation.models import Opd

    akta = Indicator.objects.get(kabupaten=None, code="akta-kelahiran")
    workbook = _download(client, alice)
    assert ("Data Cakupan Layanan", "Akta kelahiran balita (%)") in {
        (r[0], r[1]) for r in _section(workbook, COVER_MISSING)
    }
    do_save(
        alice,
        IndicatorSetting(
            kabupaten_id="73.24",
            indicator=akta,
            responsible_opd=Opd.objects.get(kabupaten_id="73.24", short_name="DINSOS"),
        ),
    )
    workbook = _download(client, alice)
    assert "Akta kelahiran balita (%)" in [c.value for c in workbook["Sosial"][1]]


def test_tim_koordinasi_has_the_desa_teams_and_the_district_team_on_the_day(client, alice):
    workbook = _download(client, alice)
    ws = workbook["Tim Koordinasi"]
    rows = _rows(ws)
    balantang = rows[BALANTANG]
    assert balantang["TPPS Desa"] == "TPPS Desa Balantang" and balantang["Nomor SK TPPS Desa"] == "04/SK/DS-BLT/IV/2025"
    assert balantang["Tanggal SK TPPS Desa"] == dt.datetime(2025, 4, 7) and balantang["Jumlah Anggota TPPS Desa"] == 5
    assert balantang["Nomor SK TPPS Kecamatan"] == "141/07/KEC-MLL/III/2025"
    other = (
        rows["73.24.06.2001"]
        if "73.24.06.2001" in rows
        else next(r for c, r in rows.items() if not c.startswith("73.24.04"))
    )
    assert other["TPPS Desa"] is None and other["Jumlah Anggota TPPS Desa"] is None
    date_col = [c.value for c in ws[1]].index("Tanggal SK TPPS Desa")
    assert (
        next(r for r in ws.iter_rows(min_row=2) if r[1].value == BALANTANG)[date_col].number_format == FORMATS["date"]
    )
    below = [r for r in ws.iter_rows(min_row=len(rows) + 2, values_only=True) if any(r)]
    names = {r[1] for r in below}
    assert below[0][0] == "TPPS Kabupaten Luwu Timur"
    assert "Hj. Puspawati Husler" in names and "Ir. Andi Mahmud" not in names  # the chair since 20 February 2025
    text = " ".join(str(v) for r in ws.iter_rows(values_only=True) for v in r if v is not None)
    assert "08114" not in text  # members' phone numbers stay out
    missing = {(r[0], r[1]): r for r in _section(workbook, COVER_MISSING)}
    assert "127 dari 128 desa" in missing[("Tim Koordinasi", "TPPS Desa")][2]
    assert "10 TPPS kecamatan tanpa SK" in missing[("Tim Koordinasi", "SK TPPS Kecamatan")][2]  # all but Malili's


def test_pemetaan_program_is_the_plan_of_the_year(client, alice):
    from tumbuh.rencana.models import Activity

    workbook = _download(client, alice)
    ws = workbook["Pemetaan Program"]
    headers = [c.value for c in ws[1]]
    rows = [dict(zip(headers, r)) for r in ws.iter_rows(min_row=2, values_only=True)]
    activities = Activity.objects.filter(kabupaten_id="73.24", year=2026)
    assert len(rows) == activities.count() > 0
    assert sum(r["Pagu (Rp)"] for r in rows) == sum(int(a.budget) for a in activities)
    targeted = next(r for r in rows if r["Kode Kemendagri Desa"])
    codes = targeted["Kode Kemendagri Desa"].split("; ")
    assert targeted["Kode BPS Desa"].split("; ") == [Wilayah.objects.get(code=c).bps_code for c in codes]
    budget_col = headers.index("Pagu (Rp)")
    assert ws.cell(row=2, column=budget_col + 1).number_format == FORMATS["rp"]


def test_text_that_looks_like_a_formula_stays_text(client, alice):
    from tumbuh.audit.actions import do_save
    from tumbuh.core.testing import formula_cells
    from tumbuh.tpps.models import Tpps

    typed = {
        "73.24.04.2001": '=HYPERLINK("http://x.example","klik")',
        "73.24.04.2002": "@SUM(A1)",
        "73.24.04.2004": "+62 812 3456 7890",
    }
    for code, name in typed.items():
        do_save(alice, Tpps(wilayah_id=code, name=name))
    client.force_login(alice)
    content = b"".join(client.get("/analisis/master-ansit.xlsx?year=2026").streaming_content)
    assert formula_cells(content) == []
    ws = openpyxl.load_workbook(io.BytesIO(content))["Tim Koordinasi"]
    column = [c.value for c in ws[1]].index("TPPS Desa")
    written = {
        r[1].value: (r[column].value, r[column].data_type) for r in ws.iter_rows(min_row=2) if r[1].value in typed
    }
    assert written == {code: (name, "s") for code, name in typed.items()}


def test_the_cover_says_when_it_was_made_and_the_day_of_the_tpps(alice, settings):
    from tumbuh.analisis.ansit import master_ansit

    settings.TIME_ZONE = "Asia/Makassar"
    s = situation.build(alice, Wilayah.objects.get(code="73.24"), 2026)
    made = dt.datetime(2026, 3, 4, 9, 4, tzinfo=dt.UTC)
    cover = openpyxl.load_workbook(master_ansit(s, alice, dt.date(2026, 2, 28), now=made))["Keterangan"]
    lines = {r[0]: r[1] for r in cover.iter_rows(max_col=2, values_only=True) if r[0]}
    assert lines["Dibuat oleh Tumbuh"] == "4 Maret 2026 17:04" and lines["TPPS per tanggal"] == "28 Februari 2026"


def test_a_year_without_data_leaves_every_figure_blank_and_says_why(client, alice):
    workbook = _download(client, alice, 2031)  # data year 2030: nothing
    rows = _rows(workbook["Data Sasaran"])
    figures = [
        "Jumlah Keluarga",
        "Jumlah Keluarga Berisiko Stunting (KRS)",
        "Jumlah Balita Diukur",
        "Jumlah Balita Sangat Pendek",
        "Jumlah Balita Pendek",
        "Prevalensi Stunting (%)",
    ]
    assert all(r[f] is None for r in rows.values() for f in figures)
    assert all(r["Kode Kemendagri"] and r["Kode BPS"] for r in rows.values())
    missing = {(r[0], r[1]): r for r in _section(workbook, COVER_MISSING)}
    assert missing[("Data Sasaran", "Jumlah Keluarga")][2].startswith("jumlah keluarga tahun 2030")
    assert "Dinas Pengendalian Penduduk" in missing[("Data Sasaran", "Jumlah Keluarga")][3]
    assert (
        "belum ada pengukuran balita tahun 2030"
        in missing[("Data Sasaran", "Balita diukur, sangat pendek, pendek, prevalensi")][2]
    )
    assert ("Data Cakupan Layanan", "seluruh lembar") in missing and ("Pemetaan Program", "seluruh lembar") in missing
    assert workbook["Pemetaan Program"].max_row == 1
    lines = {r[0]: r[1] for r in workbook["Keterangan"].iter_rows(values_only=True)}
    assert lines["Periode pengukuran"] == "belum ada pengukuran tahun 2030"


def test_the_families_entered_fill_jumlah_keluarga_and_a_cleared_one_goes_blank(client, alice):
    from tumbuh.krs.actions import do_clear_family_count, do_set_family_count
    from tumbuh.krs.models import FamilyCount

    other = FamilyCount.objects.filter(year=2025, desa__kabupaten_code="73.24").exclude(desa_id=BALANTANG).first()
    do_set_family_count(alice, BALANTANG, 2025, families=1234, families_with_under_five=321, reason="PK 2025")
    do_clear_family_count(alice, other, reason="angka salah, menunggu DP2KB")
    workbook = _download(client, alice)
    rows = _rows(workbook["Data Sasaran"])
    assert rows[BALANTANG]["Jumlah Keluarga"] == 1234
    assert rows[other.desa_id]["Jumlah Keluarga"] is None  # not entered: empty, not 0
    stored = dict(
        FamilyCount.objects.filter(year=2025, desa__kabupaten_code="73.24").values_list("desa_id", "families")
    )
    assert {code: r["Jumlah Keluarga"] for code, r in rows.items() if r["Jumlah Keluarga"] is not None} == stored
    sources = {(r[0], r[1]): r[2] for r in _section(workbook, COVER_SOURCES)}
    assert "Pendataan Keluarga BKKBN tahun 2025" in sources[("Data Sasaran", "Jumlah Keluarga")]
    assert f"{len(stored)} dari {len(rows)} desa" in sources[("Data Sasaran", "Jumlah Keluarga")]
    missing = {(r[0], r[1]): r for r in _section(workbook, COVER_MISSING)}
    assert "belum ada untuk 1 desa" in missing[("Data Sasaran", "Jumlah Keluarga")][2]


@pytest.mark.parametrize(
    "username, status",
    [
        ("admin.lutim", 200),
        ("dinkes.lutim", 200),
        ("pantau.lutim", 200),
        ("camat.malili", 403),
        ("pkm.malili", 403),
        ("desa.balantang", 403),
    ],
)
def test_only_those_who_see_the_whole_district_download_it(client, demo_users, username, status):
    client.force_login(demo_users[username])
    assert client.get("/analisis/master-ansit.xlsx?year=2026").status_code == status
    html = client.get("/analisis/?year=2026").content.decode()
    assert ('data-testid="ansit-link"' in html) == (status == 200)


def test_another_district_s_admin_gets_their_own_district_only(client, charlie):
    workbook = _download(client, charlie)
    for name in ("Data Sasaran", "Tim Koordinasi", "Sosial"):
        assert not any(code.startswith("73.24") for code in _rows(workbook[name]))
    assert "Luwu Timur" not in " ".join(
        str(v) for r in workbook["Tim Koordinasi"].iter_rows(values_only=True) for v in r if v
    )
    assert not any(r[1] for r in workbook["Pemetaan Program"].iter_rows(min_row=2, values_only=True))


def test_the_aksi_1_page_lists_it_for_the_district_only(alice, bob):
    from tumbuh.aksi.outputs import collect

    lutim = Wilayah.objects.get(code="73.24")
    [ansit] = [o for o in collect(lutim, 2026, alice, "analisis") if o.format == "XLSX"]
    assert ansit.url == reverse("analisis:ansit") + "?year=2026" and "15" in ansit.title
    assert collect(lutim, 2026, bob, "analisis") == []


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/analisis/master-ansit.xlsx?year=2026")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_decimal_coverage_is_written_as_a_number(client, alice):
    from tumbuh.indikator.actions import set_coverage
    from tumbuh.indikator.models import Indicator

    set_coverage(
        alice, Indicator.objects.get(kabupaten=None, code="paud"), BALANTANG, 2025, value=Decimal("66.67"), reason="uji"
    )
    rows = _rows(_download(client, alice)["Pendidikan 1"])
    assert rows[BALANTANG]["Anak 2–6 di PAUD (%)"] == 66.67


def test_data_cakupan_layanan_lists_every_indicator_the_district_uses_blank_where_none_is_held(client, alice):
    """The same columns every year: a column without data is blank (never dropped) and named as
    missing with who supplies it, on this sheet or on its sector sheet."""
    from tumbuh.audit.actions import do_save
    from tumbuh.indikator.models import Indicator, IndicatorSetting

    bansos = Indicator.objects.get(kabupaten=None, code="bansos-1000hpk")
    do_save(alice, IndicatorSetting(kabupaten_id="73.24", indicator=bansos, is_active=False))  # not used here
    used = [f"{i.short_name} (%)" for i in Indicator.objects.for_kabupaten("73.24") if i.pk != bansos.pk]
    for year in (2026, 2031):  # data year 2025 (demo coverage) and 2030 (nothing)
        workbook = _download(client, alice, year)
        ws = workbook["Data Cakupan Layanan"]
        headers = [c.value for c in ws[1]]
        assert headers == [c.header for c in IDENTITY] + used
        missing = {r[1]: r for r in _section(workbook, COVER_MISSING)}
        rows = _rows(ws)
        blank = [column for column in used if all(r[column] is None for r in rows.values())]
        assert blank and all(missing[column][3] for column in blank), year  # named, with who supplies it
        assert "Bansos keluarga 1000 HPK (%)" not in missing
    assert len(blank) == len(used)  # 2030: every column blank, none dropped
    assert _rows(workbook["Data Cakupan Layanan"])[BALANTANG]["Akta kelahiran balita (%)"] is None
