"""BKKBN's Verval KRS list as downloaded: its headers, 1/0 or Ya/Tidak, no year column (the year
is chosen with the file), every row a KRS, unknown factors kept unknown, the wife's NIK masked,
accompaniment codes, warnings that keep the row, and rejected rows that come back fixed."""

import pytest
from django.utils import translation

from tumbuh.imports.framework import run_import
from tumbuh.imports.models import BatchStatus
from tumbuh.imports.testing import csv_bytes, read_xlsx, xlsx_bytes
from tumbuh.imports.xlsx import rejected_workbook
from tumbuh.krs.counts import risk_shares
from tumbuh.krs.importers import pendampingan_codes
from tumbuh.krs.models import Family
from tumbuh.wilayah.models import Wilayah

from .verval_fixtures import FLAGS, HEADERS, NOT_IN_LIST, family, verval_file, verval_rows

pytestmark = pytest.mark.django_db

BALANTANG, KEL_MALILI, PASI_PASI, BARUGA = "73.24.04.2010", "73.24.04.1003", "73.24.04.2014", "73.24.04.2006"
YEAR = 2025


@pytest.fixture
def kabupaten():
    return Wilayah.objects.get(code="73.24")


def _families() -> list[dict]:
    """Six families of Kecamatan Malili, the desa written as lists write them."""
    return [
        family(
            "7324041501850001",
            "DESA BALANTANG",
            head_name="Baharuddin",
            wife_nik="7324045203900001",
            wife_name="Sitti Aminah",
            ada_baduta=True,
            ada_pus=True,
            air_tidak_layak=True,
            terlalu_muda=True,
            empat_terlalu=True,
            jenis_pendampingan="1,3",
        ),
        family(
            "7324041501850002",
            "Balantang",
            head_name="Sudirman",
            ada_anak_24_59=True,
            ada_pus=True,
            ada_ibu_hamil=True,
            jamban_tidak_layak=True,
            terlalu_tua=True,
            terlalu_banyak=True,
            empat_terlalu=True,
            bukan_peserta_kb_modern=True,
            jenis_pendampingan="1;2;3",
        ),
        family(
            "7324041501850003",
            "Kel. Malili",
            head_name="Amiruddin",
            ada_pus=True,
            bukan_peserta_kb_modern=True,
            jenis_pendampingan="Rujukan, KIE",
        ),  # no risk factor marked: on BKKBN's list all the same
        family(
            "7324041501850004",
            "PASI PASI",
            head_name="La Ode Hamka",
            ada_baduta=True,
            ada_anak_24_59=True,
            terlalu_dekat=True,
            empat_terlalu=True,
            jenis_pendampingan="2",
        ),
        family(
            "7324041501850005",
            "Baruga",
            head_name="Andi Baso",
            ada_anak_24_59=True,
            air_tidak_layak=True,
            jamban_tidak_layak=True,
        ),  # two desa named Baruga in Luwu Timur: the kecamatan decides
        family(
            "7324041501850006",
            "desa harapan",
            kecamatan="Kec. Malili",
            head_name="Hasanuddin",
            ada_baduta=True,
            jenis_pendampingan="1 2",
        ),
    ]


EXPECTED_DESA = [BALANTANG, BALANTANG, KEL_MALILI, PASI_PASI, BARUGA, "73.24.04.2001"]


def _import(user, kabupaten, source, *, year=YEAR, file_name="verval-krs.xlsx", **kwargs):
    return run_import(
        "krs",
        user=user,
        kabupaten=kabupaten,
        source=source,
        file_name=file_name,
        options={"year": year} if year else {},
        **kwargs,
    )


def _reasons(batch):
    return {r.row_number: r.reason % r.params if r.params else r.reason for r in batch.rejected_rows.all()}


def _stored(nik: str, year: int = YEAR) -> Family:
    return Family.objects.get(year=year, nik=nik)


def test_each_bkkbn_header_names_its_own_column():
    """Matched whole after ``header_key``: "PUS 4 Terlalu" is not one of the four, "PUS" is not "PUS Hamil"."""
    from tumbuh.krs.importers import KrsImporter

    from .verval_fixtures import COLUMNS

    found = KrsImporter.header_spec().match(HEADERS)
    expected = {key: HEADERS.index(header) for header, key in COLUMNS if key}
    expected = {{"desa": "desa_name"}.get(k, k): i for k, i in expected.items()}
    assert found == expected


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "xls", "html"])
@pytest.mark.parametrize("style", ["10", "ya-tidak"])
def test_the_verval_list_imports_every_family_as_the_list_gives_it(alice, kabupaten, fmt, style):
    families = _families()
    batch = _import(alice, kabupaten, verval_file(families, fmt, style=style), file_name=f"verval.{fmt}")
    assert batch.status == BatchStatus.DONE, batch.error
    assert (batch.total_rows, batch.created, batch.rejected) == (6, 6, 0), _reasons(batch)
    assert batch.header_row == 5 and batch.options == {"year": YEAR}
    for expected, desa in zip(families, EXPECTED_DESA, strict=True):
        k = _stored(expected["nik"])
        assert k.desa_id == desa and k.year == YEAR and k.head_name == expected["head_name"]
        assert (
            k.kk_number == expected["kk_number"]
            and k.wife_name == expected["wife_name"]
            and k.wife_nik == expected["wife_nik"]
        )
        assert {f: getattr(k, f) for f in FLAGS} == {f: expected[f] for f in FLAGS}
        assert k.ada_balita is (expected["ada_baduta"] or expected["ada_anak_24_59"])
        assert all(getattr(k, f) is None for f in NOT_IN_LIST)  # not in the list: unknown, not no
    assert _stored("7324041501850003").risk_count == 0  # kept: BKKBN put the family on the list
    assert [_stored(f["nik"]).jenis_pendampingan for f in families] == ["1,3", "1,2,3", "1,3", "2", "", "1,2"]
    assert batch.findings["unknown_fields"] == list(NOT_IN_LIST)
    assert batch.findings["warned_rows"] == 0


def test_the_year_comes_from_the_option_and_without_it_the_file_is_refused_before_reading(alice, kabupaten):
    with translation.override("id"):
        batch = _import(alice, kabupaten, verval_file(_families()), year=None)
    assert batch.status == BatchStatus.FAILED and batch.error.startswith("Pilih tahun data")
    assert batch.total_rows == 0 and not Family.objects.filter(nik__startswith="73240415018500").exists()
    # Another year is another year's list: a new row per family, the first list untouched.
    _import(alice, kabupaten, verval_file(_families()), year=2024)
    again = _import(alice, kabupaten, verval_file(_families()), year=2025)
    assert again.created == 6
    assert Family.objects.filter(nik="7324041501850001").count() == 2


def test_a_year_column_still_works_and_must_agree_with_the_chosen_year(alice, kabupaten):
    rows = verval_rows(_families()[:4], titles=1)
    rows[1].insert(1, "Tahun Pendataan")
    for row, year in zip(rows[2:], ["2025", "2024", "", "2025"], strict=True):
        row.insert(1, year)
    batch = _import(alice, kabupaten, csv_bytes(rows), file_name="krs.csv")
    assert (batch.created, batch.rejected) == (3, 1)
    assert _reasons(batch) == {4: "Tahun Pendataan 2024 is not the data year chosen for this file (2025)"}
    assert _stored("7324041501850003").year == YEAR  # an empty year cell: the chosen year
    # Without a chosen year the file's column decides, row by row.
    without = _import(alice, kabupaten, csv_bytes(rows), year=None, file_name="krs.csv")
    assert (without.created, without.unchanged, without.rejected) == (1, 2, 1)
    assert _reasons(without) == {5: "Year is empty"} and _stored("7324041501850002", 2024).head_name == "Sudirman"


def test_reimport_changes_nothing_and_a_dry_run_writes_nothing(alice, kabupaten):
    dry = _import(alice, kabupaten, verval_file(_families(), "xlsx"), dry_run=True)
    assert (dry.status, dry.created) == (BatchStatus.DONE, 6)
    assert not Family.objects.filter(nik__startswith="73240415018500").exists()
    first = _import(alice, kabupaten, verval_file(_families(), "xlsx"))
    again = _import(
        alice, kabupaten, verval_file(_families(), "csv", style="ya-tidak", titles=0), file_name="again.csv"
    )
    assert (first.created, again.created, again.updated, again.unchanged) == (6, 0, 0, 6)
    assert Family.objects.filter(nik__startswith="73240415018500").count() == 6


def test_a_shorter_list_does_not_erase_what_an_earlier_list_of_the_year_said(alice, kabupaten):
    """The older family-data export carries housing and poverty; the Verval list of the same
    year leaves them as they were, and takes in the wife and the factors it carries."""
    older = [
        [
            "Tahun Pendataan",
            "NIK Kepala Keluarga",
            "Nama Kepala Keluarga",
            "Kode Desa",
            "RT",
            "RW",
            "Rumah Tidak Layak Huni",
            "Keluarga Miskin",
            "Sumber Air Minum Tidak Layak",
        ],
        ["2025", "7324041501850001", "Baharuddin", BALANTANG, "3", "2", "Ya", "Tidak", "Tidak"],
    ]
    _import(alice, kabupaten, csv_bytes(older), year=None, file_name="pk.csv")
    batch = _import(alice, kabupaten, verval_file(_families()[:1]))
    assert batch.updated == 1
    k = _stored("7324041501850001")
    assert (k.rumah_tidak_layak, k.miskin, k.pendidikan_ibu_rendah) == (True, False, None)
    assert (k.rt, k.rw, k.air_tidak_layak, k.wife_name) == ("3", "2", True, "Sitti Aminah")


def test_warnings_keep_the_row_and_are_counted(alice, kabupaten, client):
    families = _families()[:4]
    families[0]["wife_nik"] = "73240452039"  # too short
    families[1]["empat_terlalu"] = False  # although terlalu tua and terlalu banyak are marked
    families[2]["jenis_pendampingan"] = "1, 9, PMT"  # 9 and PMT: not BKKBN's codes
    families[3].update(terlalu_dekat=False, empat_terlalu=True)  # yes, but none of the four
    batch = _import(alice, kabupaten, verval_file(families, titles=2))
    assert (batch.created, batch.rejected) == (4, 0)
    f = batch.findings
    assert (f["invalid_nik_istri"], f["empat_terlalu_disagrees"], f["unknown_pendampingan"], f["warned_rows"]) == (
        1,
        2,
        1,
        4,
    )
    assert _stored("7324041501850001").wife_nik == ""
    assert _stored("7324041501850002").empat_terlalu is False  # stored as given
    assert _stored("7324041501850003").jenis_pendampingan == "1,9,PMT"
    assert _stored("7324041501850003").accompaniment() == ["rujukan", "9", "PMT"]
    client.force_login(alice)
    with translation.override("id"):
        page = client.get(f"/impor/{batch.pk}/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert 'data-testid="warnings"' in page
    assert "PUS 4 Terlalu" in page and "PUS 4 Terlalu Tua (Umur Istri 35 sd 40 Tahun)" in page
    assert "9, PMT" in page and 'data-testid="unknown-fields"' in page


@pytest.mark.parametrize(
    ("written", "stored", "unknown"),
    [
        ("1", "1", []),
        ("1,3", "1,3", []),
        ("1;2;3", "1,2,3", []),
        ("1 2", "1,2", []),
        ("3, 1", "1,3", []),
        ("Rujukan, KIE", "1,3", []),
        ("bansos dan rujukan", "1,2", []),
        ("Bantuan Sosial", "2", []),
        ("", "", []),
        ("-", "", []),
        ("1,4", "1,4", ["4"]),
        ("KIE; PMT", "3,PMT", ["PMT"]),
        # the words PENDAMPINGAN declares, and a code written with its label
        ("Komunikasi Informasi dan Edukasi", "3", []),
        ("1. Rujukan", "1", []),
        ("1 - Rujukan, 3 - KIE", "1,3", []),
        ("(2) Bansos", "2", []),
        ("3. Komunikasi Informasi dan Edukasi (KIE)", "3", []),
        ("1.3", "1,3", []),
        ("Rujukan dan Bansos PKH", "1,Bansos PKH", ["Bansos PKH"]),
    ],
)
def test_accompaniment_codes_are_normalised(written, stored, unknown):
    assert pendampingan_codes(written) == (stored, unknown)


def test_rejected_rows_are_kept_with_their_reason_and_the_corrected_file_comes_in(alice, kabupaten):
    families = _families()
    families[1]["desa"] = "BALANTAN"  # a typo: the closest desa is proposed
    families[2]["desa"] = "DESA TANAH HARAPAN BARU"
    families[3]["nik"] = "732404150185"
    families[5]["desa"] = "Baruga"  # and in no kecamatan Tumbuh knows: two desa Baruga
    families[5]["kecamatan"] = "Kecamatan Entah"
    batch = _import(alice, kabupaten, verval_file(families, "xlsx", titles=3))
    assert (batch.created, batch.rejected) == (2, 4)
    assert _reasons(batch) == {
        6: "No desa named BALANTAN in your area; did you mean Balantang?",
        7: "No desa named DESA TANAH HARAPAN BARU in your area",
        8: "NIK 732404150185 does not have 16 digits",
        10: "Desa name Baruga matches several desa in your area; give the desa code",
    }
    sheet = read_xlsx(rejected_workbook(batch))
    header, data = sheet[0], [["" if c is None else c for c in row] for row in sheet[1:]]
    assert header[: len(HEADERS)] == HEADERS and len(data) == 4
    desa, nik, kecamatan = header.index("Desa"), header.index("NIK Kepala Keluarga"), header.index("Kecamatan")
    for row in data:  # the operator corrects the sheet and sends it back
        row[desa] = {"BALANTAN": "Balantang", "DESA TANAH HARAPAN BARU": "Harapan"}.get(row[desa], row[desa])
        row[nik] = "7324041501850004" if row[nik] == "732404150185" else row[nik]
        row[kecamatan] = "Malili"
    fixed = _import(alice, kabupaten, xlsx_bytes([header, *data]), file_name="ditolak.xlsx")
    assert (fixed.created, fixed.rejected) == (4, 0), _reasons(fixed)
    assert Family.objects.filter(year=YEAR, nik__startswith="73240415018500").count() == 6
    assert _stored("7324041501850006").desa_id == BARUGA


def test_a_desa_is_looked_for_in_the_kecamatan_the_list_names(alice, kabupaten):
    families = [
        family("7324041501850001", "Balantang", kecamatan="WOTU"),  # Balantang is in Malili, not in Wotu
        family("7324041501850002", "Balantang", kecamatan="Kec. Malili"),
        family("7324041501850003", "Balantang", kecamatan="Malli"),  # no kecamatan of that name: the desa decides
    ]
    batch = _import(alice, kabupaten, verval_file(families, "csv", titles=0))
    assert (batch.created, batch.rejected) == (2, 1)
    assert _reasons(batch) == {2: "Desa Balantang is in Kecamatan Malili, not in Kecamatan WOTU"}
    assert [_stored(f["nik"]).desa_id for f in families[1:]] == [BALANTANG, BALANTANG]


def test_a_search_that_matches_no_family_says_so_rather_than_that_there_are_none(alice, kabupaten, client):
    _import(alice, kabupaten, verval_file(_families()))
    client.force_login(alice)
    listing = client.get(f"/krs/?year={YEAR}").content.decode()
    assert "Baharuddin" in listing and "Belum ada keluarga berisiko" not in listing
    for query in ("q=Tidak+Ada+Nama+Seperti+Ini", "risiko=air_tidak_layak&q=Baharuddin&tanpa_tpk=on&q=zzz"):
        empty = client.get(f"/krs/?year={YEAR}&{query}").content.decode()
        assert "Tidak ada keluarga yang cocok dengan pencarian atau saringan ini." in empty, query
        assert "Belum ada keluarga berisiko di wilayah Anda." not in empty


def test_the_wifes_nik_is_masked_for_a_viewer_and_unknown_factors_shown_as_unknown(
    alice, kabupaten, client, demo_users
):
    _import(alice, kabupaten, verval_file(_families()))
    k = _stored("7324041501850001")
    client.force_login(demo_users["pantau.lutim"])
    with translation.override("id"):
        detail = client.get(f"/krs/{k.pk}/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
        listing = client.get(f"/krs/?year={YEAR}", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    for page in (detail, listing):
        assert "7324045203900001" not in page and "7324041501850001" not in page
    assert "7324••••••••0001" in detail and "Sitti Aminah" in detail
    assert (
        "tidak diketahui" in detail
        and "rumah tidak layak" in detail.split('data-testid="risks"')[1].split("</dd>")[0].lower()
    )
    assert "ibu terlalu tua (35–40 tahun)" not in detail  # Baharuddin's wife is not 35–40 ...
    assert "rujukan" in detail.split('data-testid="accompaniment"')[1].split("</dd>")[0].lower()
    assert "tidak diketahui" in listing
    client.force_login(alice)
    assert "7324045203900001" in client.get(f"/krs/{k.pk}/").content.decode()  # the district admin may see it
    sudirman = client.get(f"/krs/{_stored('7324041501850002').pk}/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "(35–40 tahun)" in sudirman  # ... Sudirman's is


def test_a_share_is_over_the_families_whose_list_says(alice, kabupaten):
    """Poverty: only the older export carries it (1 of 1 known); water: known for all."""
    _import(alice, kabupaten, verval_file(_families()))
    older = [
        [
            "Tahun Pendataan",
            "NIK Kepala Keluarga",
            "Nama Kepala Keluarga",
            "Kode Desa",
            "Keluarga Miskin",
            "Sumber Air Minum Tidak Layak",
        ],
        ["2025", "7324041501850099", "Keluarga Lama", BALANTANG, "Ya", "Ya"],
    ]
    _import(alice, kabupaten, csv_bytes(older), year=None, file_name="pk.csv")
    shares = {s.field: s for s in risk_shares(Family.objects.filter(year=YEAR, nik__startswith="73240415018500"))}
    assert (shares["miskin"].yes, shares["miskin"].known, shares["miskin"].unknown, shares["miskin"].percent) == (
        1,
        1,
        6,
        100.0,
    )
    water = shares["air_tidak_layak"]
    assert (water.yes, water.known, water.unknown) == (3, 7, 0) and round(water.percent, 1) == 42.9
    assert shares["rumah_tidak_layak"].percent is None and shares["rumah_tidak_layak"].unknown == 7


def test_the_template_has_the_verval_columns_and_its_year_column_may_stay_empty(alice, kabupaten, client):
    client.force_login(alice)
    response = client.get("/impor/krs/templat.xlsx")
    sheet = read_xlsx(b"".join(response.streaming_content))
    header = list(sheet[1])
    for name in (
        "Tahun Pendataan",
        "NIK Istri",
        "Nama Istri",
        "Anak 24-59 Bulan",
        "PUS 4 Terlalu",
        "Bukan Peserta KB Modern",
        "Jenis Pendampingan yang Diterima",
    ):
        assert name in header
    row = dict.fromkeys(header, "")
    row.update(
        {
            "NIK Kepala Keluarga": "7324041501850077",
            "Nama Kepala Keluarga": "Dari Templat",
            "Kode Desa": BALANTANG,
            "Sumber Air Minum Tidak Layak": "Ya",
            "Jenis Pendampingan yang Diterima": "KIE",
        }
    )
    batch = _import(alice, kabupaten, xlsx_bytes([sheet[0], header, sheet[2], [row[h] for h in header]]))
    assert (batch.skipped, batch.created, batch.rejected) == (1, 1, 0), _reasons(batch)
    k = _stored("7324041501850077")
    assert (k.year, k.air_tidak_layak, k.jenis_pendampingan, k.empat_terlalu) == (YEAR, True, "3", False)


def test_the_command_takes_the_year_and_prints_the_warnings(alice, tmp_path, capsys):
    """``tumbuh import-krs FILE --user USER --year YEAR``: the same import, its summary and findings."""
    import io

    from django.core.management import CommandError, call_command

    families = _families()[:3]
    families[1]["empat_terlalu"] = False
    path = tmp_path / "verval.xlsx"
    path.write_bytes(verval_file(families, "xlsx").getvalue())

    def run(*args) -> list[str]:
        out = io.StringIO()
        call_command(
            "import-krs", str(path), "--user", alice.username, "--no-progress", "--lang", "id", *args, stdout=out
        )
        return out.getvalue().splitlines()

    with pytest.raises(CommandError) as refused:
        run()
    assert "Pilih tahun data: di formulir unggah, atau --year di baris perintah" in str(refused.value)
    with pytest.raises(SystemExit):
        call_command("import-krs", "--help")
    usage = capsys.readouterr().out
    assert "Tahun data (2015–2100)" in usage and "pilih di sini" not in usage
    assert not Family.objects.filter(nik__startswith="73240415018500").exists()
    dry = run("--year", "2025", "--dry-run")
    assert "3 baris: 3 diterima" in dry[0]
    assert not Family.objects.filter(nik__startswith="73240415018500").exists()
    lines = run("--year", "2025")
    assert "3 baris: 3 diterima" in lines[0]
    assert any(line.startswith("Tidak ada dalam berkas ini") and "keluarga miskin" in line for line in lines)
    assert any(line.startswith("baris 7: PUS 4 Terlalu bernilai tidak") for line in lines), lines
    assert Family.objects.filter(year=2025, nik__startswith="73240415018500").count() == 3


def test_the_upload_form_asks_for_the_year(alice, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(alice)
    page = client.get("/impor/krs/").content.decode()
    assert 'name="year"' in page
    # The form comes first; the long list of columns is folded away below it.
    assert page.index('name="year"') < page.index('<details data-testid="columns">') < page.index("No. Kartu Keluarga")
    assert '<label for="id_year">Tahun data:</label>' in page  # a label starts with a capital
    assert "pilih di sini" not in page
    upload = SimpleUploadedFile("Verval KRS Malili.xlsx", verval_file(_families(), "xlsx").getvalue())
    response = client.post("/impor/krs/", {"file": upload, "year": "2025"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="unknown-fields"' in page
    assert "Tahun data: <strong>2025</strong>" in page
    assert Family.objects.filter(year=YEAR, nik__startswith="73240415018500").count() == 6
