"""``tumbuh import KIND FILE`` and the per-kind commands: the upload page's checks, from the command line."""

import io

import pytest
from django.core.management import CommandError, call_command, get_commands, load_command_class
from django.core.management import base as management_base
from django.urls import reverse

from tumbuh.imports.command import ImportCommand
from tumbuh.imports.errors import RowError
from tumbuh.imports.framework import Column, Importer, Option, Plan, create_batch, kinds, register, store_source
from tumbuh.imports.models import BatchStatus, ImportBatch
from tumbuh.imports.testing import csv_bytes, read_xlsx, xlsx_bytes
from tumbuh.indikator.models import Coverage
from tumbuh.organisation.models import Opd
from tumbuh.wilayah.models import Wilayah

pytestmark = pytest.mark.django_db

SEEN: list = []


@register
class _YearProbe(Importer):
    """Reads a name per row with a year given beside the file; writes nothing."""

    kind = "test-cli"
    title = "probe"
    model = Opd  # the district admin may add these, a desa operator may not
    columns = (Column("name", "Nama"),)
    required = (("name",),)
    options = (
        Option("year", "Tahun data", int, minimum=2015, maximum=2100),
        Option("source_name", "Sumber", str, required=False),
    )

    def validate(self, row):
        if row["name"] == "tolak":
            raise RowError("refused")
        SEEN.append((self.option["year"], self.option["source_name"], row["name"]))
        return Plan(row, None, changed=False)

    def finish(self):
        self.batch.findings = {"seen": len(SEEN)}

    @classmethod
    def finding_lines(cls, batch):
        return [f"probe membaca {batch.findings['seen']} nama"]


def _file(tmp_path, name, rows) -> str:
    path = tmp_path / name
    path.write_bytes((xlsx_bytes if name.endswith(".xlsx") else csv_bytes)(rows).getvalue())
    return str(path)


def _run(*args, **kwargs) -> list[str]:
    out = io.StringIO()
    SEEN.clear()
    call_command(*args, "--no-progress", stdout=out, **kwargs)
    return out.getvalue().splitlines()


def _import_commands() -> dict[str, ImportCommand]:
    commands = {}
    for name, app in get_commands().items():
        command = load_command_class(app, name)
        if isinstance(command, ImportCommand):
            commands[name] = command
    return commands


def test_every_registered_kind_has_a_command_of_its_own():
    commands = _import_commands()
    bound: dict[str, set] = {}
    for name, command in commands.items():
        if command.kind:
            bound.setdefault(command.kind, set()).add(name)
    registered = {kind for kind, cls in kinds().items() if ".tests." not in cls.__module__}
    missing = registered - bound.keys()
    assert not missing, f"add <app>/management/commands/import-<name>.py with Command = command_for(KIND) for {missing}"
    named = {
        "krs": "import-krs",
        "jumlah-keluarga": "import-jumlah-keluarga",
        "cakupan": "import-coverage",
        "eppgbm": "import-measurements",
        "puskesmas": "import-puskesmas",
        "posyandu": "import-posyandu",
        "opd": "import-opd",
    }
    assert all(name in bound[kind] for kind, name in named.items())
    assert "import" in commands and commands["import"].kind is None
    assert set(commands["import_organisation"].offered()) == {"puskesmas", "posyandu", "opd"}


def test_help_lists_every_kind_and_each_kinds_options(capsys):
    with pytest.raises(SystemExit) as exit:
        call_command("import", "--help")
    assert exit.value.code == 0
    listing = capsys.readouterr().out
    for kind in kinds():
        assert f"\n    {kind} " in listing
    assert "--year YEAR" in listing and "[--source-name SOURCE_NAME]" in listing
    with pytest.raises(SystemExit):
        call_command("import", "test-cli", "--help")
    usage = capsys.readouterr().out
    assert "--year YEAR" in usage and "[--year" not in usage and "Tahun data (2015–2100)" in usage
    for name, command in _import_commands().items():
        with pytest.raises(SystemExit):
            call_command(name, "--help")
        text = capsys.readouterr().out
        if command.kind:
            assert "FILE" in text and "--user USER" in text and "--dry-run" in text and "--no-progress" in text, name
        else:
            assert "KIND" in text, name


OPD_ROWS = [
    ["Singkatan", "Nama OPD", "Jenis"],
    ["DISKAN-CLI", "Dinas Perikanan", "dinas"],
    ["", "Tanpa Singkatan", "dinas"],
]


def test_the_command_imports_an_opd_list_and_says_so_in_indonesian(tmp_path, alice):
    path = _file(tmp_path, "opd.xlsx", OPD_ROWS)
    lines = _run("import", "opd", path, "--user", alice.username)
    assert lines[0] == "2 baris: 1 diterima (1 baru, 0 diperbarui, 0 tidak berubah), 1 ditolak."
    assert lines[1] == f"Baris yang ditolak ditulis ke {tmp_path / 'opd-ditolak.xlsx'}"
    batch = ImportBatch.objects.get(kind="opd", file_name="opd.xlsx")
    assert lines[2] == f"Batch {batch.pk}" and batch.created_by == alice and batch.kabupaten_id == "73.24"
    assert Opd.objects.get(kabupaten_id="73.24", short_name="DISKAN-CLI").name == "Dinas Perikanan"
    rejected = read_xlsx((tmp_path / "opd-ditolak.xlsx").read_bytes())
    assert rejected[0] == ["Singkatan", "Nama OPD", "Jenis", "Alasan", "Baris Asal"]
    assert rejected[1] == [None, "Tanpa Singkatan", "dinas", "Singkatan kosong", 3]
    # The same file again changes nothing; in English on request.
    lines = _run("import-opd", path, "--user", alice.username, "--lang", "en")
    assert lines[0] == "2 rows: 1 accepted (0 new, 0 updated, 1 unchanged), 1 rejected."


def test_a_folder_it_may_not_write_the_rejected_rows_to_does_not_undo_the_import(tmp_path, alice):
    path = _file(tmp_path, "opd.xlsx", OPD_ROWS)
    (tmp_path / "opd-ditolak.xlsx").mkdir()  # the file cannot be written there
    lines = _run("import", "opd", path, "--user", alice.username)
    assert lines[0] == "2 baris: 1 diterima (1 baru, 0 diperbarui, 0 tidak berubah), 1 ditolak."
    assert lines[1].startswith(f"Baris yang ditolak tidak dapat ditulis ke {tmp_path / 'opd-ditolak.xlsx'} (")
    assert lines[1].endswith("); unduh dari halaman impor.")
    batch = ImportBatch.objects.get(kind="opd", file_name="opd.xlsx")
    assert batch.status == BatchStatus.DONE and batch.rejected_rows.count() == 1
    assert Opd.objects.filter(kabupaten_id="73.24", short_name="DISKAN-CLI").exists()


COVERAGE_ROWS = [
    ["Catatan pengisian"],
    ["Kode Desa", "Nama Desa", "Kode Indikator", "Tahun", "Pembilang", "Penyebut", "Cakupan (%)", "Catatan"],
    ["73.24.04.2010", "Balantang", "bumil-ttd-90", 2037, 17, 24, None, ""],
    ["73.24.04.2001", "", "bumil-ttd-90", 2037, 9, 12, None, ""],
    ["73.24.04.9999", "", "bumil-ttd-90", 2037, 1, 2, None, ""],  # no such desa
]


def test_coverage_imports_from_its_own_command_and_a_dry_run_saves_nothing_but_counts_the_same(tmp_path, alice):
    path = _file(tmp_path, "cakupan.xlsx", COVERAGE_ROWS)
    before = (Coverage.objects.count(), ImportBatch.objects.count())
    dry = _run("import-coverage", path, "--user", alice.username, "--dry-run")
    assert (
        dry[0]
        == "Uji coba, tidak ada yang disimpan. 3 baris: 2 diterima (2 baru, 0 diperbarui, 0 tidak berubah), 1 ditolak."
    )
    assert not any(line.startswith("Batch") for line in dry)
    assert (Coverage.objects.count(), ImportBatch.objects.count()) == before
    assert (tmp_path / "cakupan-ditolak.xlsx").exists()  # the rejected rows, to fix before the real run
    lines = _run("import", "cakupan", path, "--user", alice.username)
    assert lines[0] == "3 baris: 2 diterima (2 baru, 0 diperbarui, 0 tidak berubah), 1 ditolak."
    assert Coverage.objects.filter(year=2037, indicator__code="bumil-ttd-90").count() == 2
    assert ImportBatch.objects.count() == before[1] + 1


def test_a_missing_or_wrong_option_stops_before_the_file_is_read(tmp_path, alice):
    missing = str(tmp_path / "tidak-ada.csv")  # not even there: the option is checked first
    with pytest.raises(CommandError, match="--year"):
        _run("import", "test-cli", missing, "--user", alice.username)
    with pytest.raises(CommandError, match="^Tahun data harus antara 2015 dan 2100.$"):
        _run("import", "test-cli", missing, "--user", alice.username, "--year", "1999")
    with pytest.raises(CommandError, match="^Tahun data harus bilangan bulat.$"):
        _run("import", "test-cli", missing, "--user", alice.username, "--year", "dua ribu")
    with pytest.raises(CommandError, match="^Berkas tidak ada: "):
        _run("import", "test-cli", missing, "--user", alice.username, "--year", "2025")
    assert SEEN == [] and not ImportBatch.objects.filter(kind="test-cli").exists()


def test_the_options_reach_the_importer_and_stay_on_the_batch_with_its_findings(tmp_path, alice):
    path = _file(tmp_path, "probe.csv", [["Nama"], ["Ani"], ["tolak"], ["Budi"]])
    lines = _run("import", "test-cli", path, "--user", alice.username, "--year", "2024", "--source-name", "Verval KRS")
    assert SEEN == [(2024, "Verval KRS", "Ani"), (2024, "Verval KRS", "Budi")]
    assert lines[:2] == [
        "3 baris: 2 diterima (0 baru, 0 diperbarui, 2 tidak berubah), 1 ditolak.",
        "probe membaca 2 nama",
    ]
    assert ImportBatch.objects.get(kind="test-cli").options == {"year": 2024, "source_name": "Verval KRS"}
    # call_command's keyword form, as other code calls it
    _run("import", "test-cli", path, user=alice.username, year=2031)
    assert SEEN[0] == (2031, None, "Ani")


def test_a_user_who_may_not_import_that_kind_is_refused(tmp_path, bob, demo_users):
    path = _file(tmp_path, "opd.xlsx", OPD_ROWS)
    with pytest.raises(CommandError, match="^desa.balantang tidak boleh mengimpor OPD.$"):
        _run("import", "opd", path, "--user", bob.username)
    dinkes = demo_users["dinkes.lutim"]  # OPD staff: coverage yes (as on the page), OPD lists no
    with pytest.raises(CommandError, match="tidak boleh mengimpor"):
        _run("import-opd", path, "--user", dinkes.username)
    with pytest.raises(CommandError, match="^admin.lutim hanya mengimpor ke kabupaten sendiri.$"):
        _run("import-opd", path, "--user", "admin.lutim", "--kabupaten", "73.17")
    with pytest.raises(CommandError, match="^Tidak ada pengguna aktif tidak.ada.$"):
        _run("import-opd", path, "--user", "tidak.ada")
    assert (
        not Opd.objects.filter(short_name="DISKAN-CLI").exists() and not ImportBatch.objects.filter(kind="opd").exists()
    )
    coverage = _file(tmp_path, "cakupan.xlsx", COVERAGE_ROWS)
    assert _run("import-coverage", coverage, "--user", dinkes.username, "--dry-run")[0].startswith("Uji coba")


def test_a_failed_batch_exits_non_zero_with_the_error(tmp_path, alice, monkeypatch, capsys):
    path = tmp_path / "rusak.xlsx"
    path.write_bytes(b"PK\x03\x04 this is no workbook")
    monkeypatch.setattr(management_base.connections, "close_all", lambda: None)  # keep the test's connection
    with pytest.raises(SystemExit) as exit:
        load_command_class("tumbuh.imports", "import").run_from_argv(
            ["tumbuh", "import", "opd", str(path), "--user", alice.username, "--no-progress"]
        )
    assert exit.value.code == 1
    assert "Impor gagal, tidak ada yang disimpan" in capsys.readouterr().err
    assert ImportBatch.objects.get(kind="opd", file_name="rusak.xlsx").status == BatchStatus.FAILED


def test_the_upload_page_asks_for_the_options_and_keeps_them_on_the_batch(client, alice):
    client.force_login(alice)
    url = reverse("imports:upload", args=["test-cli"])
    page = client.get(url).content.decode()
    assert 'name="year"' in page and 'type="number"' in page and 'min="2015"' in page and 'name="source_name"' in page
    rows = [["Nama"], ["Ani"]]
    response = client.post(url, {"file": _upload("probe.csv", rows)})
    assert response.status_code == 200 and "Tahun data wajib diisi." in response.content.decode()
    response = client.post(url, {"file": _upload("probe.csv", rows), "year": "1999"})
    assert "Tahun data harus antara 2015 dan 2100." in response.content.decode()
    assert not ImportBatch.objects.filter(kind="test-cli").exists()
    SEEN.clear()
    response = client.post(url, {"file": _upload("probe.csv", rows), "year": "2025"})
    batch = ImportBatch.objects.get(kind="test-cli")
    assert response["Location"] == reverse("imports:batch", args=[batch.pk])
    assert (
        batch.status == BatchStatus.DONE and batch.options == {"year": 2025, "source_name": None} and SEEN[0][0] == 2025
    )
    shown = client.get(response["Location"]).content.decode()
    assert "Tahun data: <strong>2025</strong>" in shown and "Sumber:" not in shown


def _upload(name, rows):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, csv_bytes(rows).getvalue(), content_type="text/csv")


def test_a_queued_batch_run_later_reads_its_options_from_the_batch(alice):
    batch = create_batch(
        "test-cli",
        user=alice,
        kabupaten=Wilayah.objects.get(pk="73.24"),
        file_name="antri.csv",
        options={"year": "2026"},
    )
    batch = store_source(batch, csv_bytes([["Nama"], ["Antri"]]))
    assert batch.status == BatchStatus.QUEUED
    SEEN.clear()
    call_command("run_import", str(batch.pk), stdout=io.StringIO())
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE and SEEN == [(2026, None, "Antri")]


def test_the_eppgbm_importer_owns_its_finding_lines():
    from django.utils import translation

    from tumbuh.measurements.importers import EppgbmImporter

    batch = ImportBatch(
        findings={
            "zscore_disagreements": 3,
            "unmatched": [{"kind": "posyandu", "source_text": "Mawar 1", "rows": 4, "proposal_name": "Mawar I"}],
        }
    )
    with translation.override("id"):
        assert EppgbmImporter.finding_lines(batch) == [
            "Z-skor e-PPGBM berbeda lebih dari 0,01 dari z-skor Tumbuh pada 3 baris.",
            "Nama posyandu Mawar 1 tidak dikenal (4 baris); usulan: Mawar I",
        ]
    assert Importer.finding_lines(batch) == []


def test_the_progress_bar_ends_full_though_the_row_count_was_an_estimate(tmp_path, alice, monkeypatch):
    """The total is estimated from the file's size before reading; at the end the bar shows
    every row read as all there was (296/296, never stuck at 295/296)."""
    from tqdm import tqdm

    from tumbuh.imports import command, framework

    bars = []

    class Recorded(tqdm):
        def close(self):
            bars.append((self.n, self.total))
            super().close()

    monkeypatch.setattr(command, "tqdm", Recorded)
    monkeypatch.setattr(framework, "estimate_rows", lambda source, info: 296)  # more than the file holds
    path = _file(tmp_path, "nama.csv", [["Nama"], *([f"Nama {i}"] for i in range(295))])
    call_command(
        "import",
        "test-cli",
        path,
        "--user",
        alice.username,
        "--year",
        "2025",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    assert bars and set(bars) == {(295, 295)}  # (tqdm may close twice: on leaving and when collected)
