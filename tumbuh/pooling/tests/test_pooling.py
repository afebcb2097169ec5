"""Pooled exports: what leaves the district (no name, no NIK), that a child's visits link within
an export and not across keys, the manifest, and the provincial import (checked, idempotent)."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import stat
from collections import defaultdict
from pathlib import Path

import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tumbuh.accounts import policy
from tumbuh.audit.models import AuditLog
from tumbuh.measurements.models import Child, Measurement
from tumbuh.pooling.export import MANIFEST, SCHEMA, child_key, export_parquet, pooling_key, sha256_of
from tumbuh.pooling.load import check_export, do_import_parquet
from tumbuh.pooling.models import PooledImport, PooledVisit

KEY = "k" * 40
NOW = dt.datetime(2026, 12, 5, 8, 0, tzinfo=dt.UTC)
pytestmark = pytest.mark.django_db


@pytest.fixture
def pooling_settings(settings, tmp_path):
    settings.TUMBUH_POOLING_KEY = KEY
    settings.TUMBUH_INSTANCE_NAME = "tumbuh-lutim"
    return settings


@pytest.fixture
def exported(pooling_settings, tmp_path) -> Path:
    out = tmp_path / "ekspor"
    call_command("export_parquet", str(out), "--no-progress", "--chunk-size", "97")
    return out


def _manifest(out: Path) -> dict:
    return json.loads((out / MANIFEST).read_text())


def _dataset(out: Path):
    return ds.dataset(out, format="parquet", partitioning="hive").to_table()


def test_export_is_hive_partitioned_and_holds_every_visit(exported):
    visits = Measurement.objects.count()
    assert visits > 100  # the test district has its demo visits
    table = _dataset(exported)
    assert table.num_rows == visits
    names = set(table.column_names)
    assert {"provinsi", "kabupaten", "year", "month"} <= names  # the hive partitions
    assert set(SCHEMA.names) <= names
    assert not {"name", "nik", "birth_date", "parent_name", "parent_nik", "address", "tumbuh_id"} & names
    # one file per kabupaten and month, each under its own partition values
    for f in _manifest(exported)["files"]:
        t = pq.read_table(exported / f["path"])
        kab = f["path"].split("kabupaten=")[1].split("/")[0]
        year = int(f["path"].split("year=")[1].split("/")[0])
        month = int(f["path"].split("month=")[1].split("/")[0])
        assert set(t.column("kabupaten_code").to_pylist()) == {kab}
        assert {(d.year, d.month) for d in t.column("visit_date").to_pylist()} == {(year, month)}
    # the zipped-up ages are the visit's: visit date minus birth date, the birth date itself absent
    m = Measurement.objects.select_related("child").order_by("id").first()
    rows = table.filter(
        (ds.field("child_key") == child_key(KEY.encode(), m.child.tumbuh_id)) & (ds.field("visit_date") == m.date)
    ).to_pylist()
    assert len(rows) == 1
    row = rows[0]
    assert row["age_days"] == (m.date - m.child.birth_date).days
    assert row["sex"] == m.child.sex
    assert row["desa_code"] == m.desa_id and row["kecamatan_code"] == m.desa_id.rsplit(".", 1)[0]
    assert row["weight"] == pytest.approx(float(m.weight)) if m.weight is not None else row["weight"] is None
    assert row["zlen"] == pytest.approx(m.zlen) if m.zlen is not None else row["zlen"] is None
    assert row["status_tbu"] == (m.status_tbu or None)


def test_manifest_counts_and_checksums(exported):
    manifest = _manifest(exported)
    assert manifest["schema_version"] == 1
    assert manifest["exporter"]["instance"] == "tumbuh-lutim"
    assert manifest["generated_at"]
    assert len(manifest["key_id"]) == 16 and KEY not in json.dumps(manifest)
    assert manifest["rows"] == Measurement.objects.count() == sum(f["rows"] for f in manifest["files"])
    on_disk = sorted(str(p.relative_to(exported)) for p in exported.rglob("*.parquet"))
    assert on_disk == sorted(f["path"] for f in manifest["files"])
    for f in manifest["files"]:
        assert sha256_of(exported / f["path"]) == f["sha256"]
        assert pq.ParquetFile(exported / f["path"]).metadata.num_rows == f["rows"]
    assert check_export(exported).kabupaten == ["73.24"]
    assert AuditLog.objects.filter(object_type="pooling.export", object_id=manifest["key_id"]).exists()


def test_no_name_and_no_nik_in_the_bytes(pooling_settings, tmp_path):
    """Uncompressed, so that a string written anywhere in a file is in its bytes as it is."""
    out = tmp_path / "plain"
    export_parquet(out, key=KEY.encode(), now=NOW, compression="none")
    blob = b"".join(p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file())
    # the scan sees what is there: a desa code and a status are written as text
    assert Measurement.objects.first().desa_id.encode() in blob
    children = list(Child.objects.filter(measurements__isnull=False).distinct())
    assert len(children) > 50
    secrets = set()
    for c in children:
        secrets |= {c.name, c.nik, c.parent_name, c.parent_nik, c.tumbuh_id, c.address, c.parent_phone}
    secrets = {s for s in secrets if s and len(s) >= 6}
    assert any(c.nik for c in children) and any(c.name for c in children)
    found = [s for s in secrets if s.encode("utf-8") in blob]
    assert found == []
    # nor as the decoded values of any column
    values = {str(v) for col in _dataset(out).columns for v in col.to_pylist()}
    assert not (values & secrets)


def test_a_childs_visits_link_within_the_export(exported):
    table = _dataset(exported)
    by_key = defaultdict(set)
    for k, d in zip(table.column("child_key").to_pylist(), table.column("visit_date").to_pylist()):
        by_key[k].add(d)
    expected = defaultdict(set)
    for tid, d in Measurement.objects.values_list("child__tumbuh_id", "date"):
        expected[child_key(KEY.encode(), tid)].add(d)
    assert by_key == expected
    assert len(by_key) == Child.objects.filter(measurements__isnull=False).distinct().count()


def test_another_key_gives_unlinkable_keys(pooling_settings, tmp_path):
    a = export_parquet(tmp_path / "a", key=b"a" * 32, now=NOW)
    b = export_parquet(tmp_path / "b", key=b"b" * 32, now=NOW)
    keys_a = set(_dataset(a.path).column("child_key").to_pylist())
    keys_b = set(_dataset(b.path).column("child_key").to_pylist())
    assert len(keys_a) == len(keys_b) > 50
    assert not keys_a & keys_b
    assert a.manifest["key_id"] != b.manifest["key_id"]
    # the same key again: the same keys (a district's exports link with each other)
    again = export_parquet(tmp_path / "a2", key=b"a" * 32, now=NOW)
    assert set(_dataset(again.path).column("child_key").to_pylist()) == keys_a


def test_key_file_made_on_first_use(settings, tmp_path):
    settings.TUMBUH_POOLING_KEY = ""
    settings.TUMBUH_POOLING_KEY_FILE = tmp_path / "var" / "pooling.key"
    first = pooling_key()
    assert len(first) == 64
    assert stat.S_IMODE(os.stat(settings.TUMBUH_POOLING_KEY_FILE).st_mode) == 0o600
    assert pooling_key() == first
    settings.TUMBUH_POOLING_KEY = "short"
    with pytest.raises(Exception, match="32"):
        pooling_key()


def test_import_loads_everything_once(exported):
    said = io.StringIO()
    call_command("import_parquet", str(exported), "--no-progress", stdout=said)
    n = Measurement.objects.count()
    grouped = f"{n:,}".replace(",", ".")  # Indonesian thousands
    assert f"{grouped} kunjungan, {grouped} baru, 0 sudah ada" in said.getvalue()
    assert sha256_of(exported / MANIFEST) in said.getvalue()
    assert PooledVisit.objects.count() == n
    first = PooledImport.objects.get()
    assert (first.rows, first.added, first.updated, first.kabupaten_codes) == (n, n, 0, "73.24")
    call_command("import-parquet", str(exported), "--no-progress")
    assert PooledVisit.objects.count() == n
    second = PooledImport.objects.latest("id")
    assert (second.added, second.updated) == (0, n)
    # the values are the district's
    m = Measurement.objects.select_related("child").exclude(zlen=None).order_by("id").first()
    pooled = PooledVisit.objects.get(child_key=child_key(KEY.encode(), m.child.tumbuh_id), visit_date=m.date)
    assert pooled.zlen == pytest.approx(m.zlen)
    assert pooled.status_tbu == m.status_tbu
    assert pooled.wilayah_code == m.desa_id and pooled.age_days == (m.date - m.child.birth_date).days
    assert pooled.oedema == m.oedema and pooled.measure == m.position
    assert AuditLog.objects.filter(object_type="pooling.pooledimport").count() == 2


def test_only_tumbuh_itself_loads_and_each_sees_their_districts_pooled_visits(exported, charlie, alice):
    for user in (charlie, alice):  # another district's admin; the district's own admin, not the province
        with pytest.raises(PermissionError):
            do_import_parquet(user, exported, now=timezone.now())
    assert PooledVisit.objects.count() == 0
    with pytest.raises(CommandError, match="tidak berwenang"):
        call_command("import_parquet", str(exported), "--user", charlie.username, "--no-progress")
    do_import_parquet(policy.SYSTEM, exported, now=timezone.now())
    assert policy.visible(alice, PooledVisit.objects.all()).count() == PooledVisit.objects.count()
    assert policy.visible(charlie, PooledVisit.objects.all()).count() == 0
    assert policy.visible(alice, PooledImport.objects.all()).count() == 1
    assert policy.visible(charlie, PooledImport.objects.all()).count() == 0


def _first_file(out: Path) -> Path:
    return out / _manifest(out)["files"][0]["path"]


def _refused(out: Path) -> str:
    with pytest.raises(CommandError) as info:
        call_command("import_parquet", str(out), "--no-progress")
    assert PooledVisit.objects.count() == 0 and PooledImport.objects.count() == 0
    return str(info.value)


def test_a_changed_file_is_refused(exported):
    f = _first_file(exported)
    data = bytearray(f.read_bytes())
    data[len(data) // 2] ^= 0xFF
    f.write_bytes(bytes(data))
    message = _refused(exported)
    assert message.startswith("Ekspor ditolak, tidak ada yang dimuat")
    assert "checksum SHA-256" in message and str(f.relative_to(exported)) in message


def test_a_changed_count_is_refused(exported):
    manifest = _manifest(exported)
    manifest["files"][0]["rows"] += 1
    (exported / MANIFEST).write_text(json.dumps(manifest))
    assert "baris" in _refused(exported)


def test_an_unlisted_file_and_a_missing_file_are_refused(exported, tmp_path):
    f = _first_file(exported)
    extra = f.with_name("part-1.parquet")
    extra.write_bytes(f.read_bytes())
    assert "tidak ada dalam manifest" in _refused(exported)
    extra.unlink()
    f.unlink()
    assert "tidak ada" in _refused(exported)


def test_a_file_outside_the_export_is_refused(exported):
    manifest = _manifest(exported)
    manifest["files"][0]["path"] = "../../etc/passwd"
    (exported / MANIFEST).write_text(json.dumps(manifest))
    assert "di luar" in _refused(exported)


def test_a_manifest_without_its_date_is_refused(exported):
    manifest = _manifest(exported)
    manifest["generated_at"] = "kemarin"
    (exported / MANIFEST).write_text(json.dumps(manifest))
    assert "kapan" in _refused(exported)


def test_no_manifest_is_refused(exported):
    (exported / MANIFEST).unlink()
    assert "_manifest.json" in _refused(exported)


def test_one_kabupaten_and_an_existing_directory(pooling_settings, tmp_path):
    out = tmp_path / "lain"
    call_command("export_parquet", str(out), "--kabupaten", "73.17", "--no-progress")
    assert _manifest(out)["rows"] == Measurement.objects.filter(desa__kabupaten_code="73.17").count()
    with pytest.raises(CommandError, match="sudah ada"):
        call_command("export_parquet", str(out), "--no-progress")
    with pytest.raises(CommandError, match="99.99"):
        call_command("export_parquet", str(tmp_path / "x"), "--kabupaten", "99.99", "--no-progress")
    assert not (tmp_path / "x").exists()


def test_the_growth_engine_reads_an_export_file(exported, tmp_path):
    """``tumbuh zscore`` takes a pooled file as it is (WHO's column names) and gives its z-scores."""
    from tumbuh.growth.cli import main

    f = _first_file(exported)
    out = tmp_path / "z.parquet"
    assert main(["zscore", str(f), str(out), "--quiet"]) == 0
    ours, again = pq.read_table(f), pq.read_table(out)
    assert again.num_rows == ours.num_rows
    for a, b in zip(ours.column("zlen").to_pylist(), again.column("zlen").to_pylist()):
        assert (a is None and b is None) or a == pytest.approx(b, abs=1e-9)


def test_replace_drops_what_the_district_no_longer_holds(exported, pooling_settings, tmp_path):
    call_command("import_parquet", str(exported), "--no-progress")
    n = Measurement.objects.count()
    gone = Measurement.objects.order_by("id").first()
    Measurement.objects.filter(pk=gone.pk).update(removed_at=timezone.now())  # removed in the district
    newer = tmp_path / "baru"
    call_command("export_parquet", str(newer), "--no-progress")
    call_command("import_parquet", str(newer), "--no-progress")
    assert PooledVisit.objects.count() == n  # the removed visit stays without --replace
    call_command("import_parquet", str(newer), "--replace", "--no-progress")
    assert PooledVisit.objects.count() == n - 1
    assert PooledImport.objects.latest("id").deleted == n
    assert not PooledVisit.objects.filter(
        child_key=child_key(KEY.encode(), gone.child.tumbuh_id), visit_date=gone.date
    ).exists()


def test_a_new_key_and_replace_leave_only_the_new_keys(exported, pooling_settings, tmp_path):
    call_command("import_parquet", str(exported), "--no-progress")
    pooling_settings.TUMBUH_POOLING_KEY = "n" * 40
    rotated = tmp_path / "kunci-baru"
    call_command("export_parquet", str(rotated), "--no-progress")
    assert _manifest(rotated)["key_id"] != _manifest(exported)["key_id"]
    with pytest.raises(CommandError, match="kunci lain"):  # without --replace: each child twice
        call_command("import_parquet", str(rotated), "--no-progress")
    call_command("import_parquet", str(rotated), "--replace", "--no-progress")
    new_keys = set(_dataset(rotated).column("child_key").to_pylist())
    assert set(PooledVisit.objects.values_list("child_key", flat=True).distinct()) == new_keys


def test_the_same_visit_twice_is_refused(exported):
    import pyarrow as pa

    manifest = _manifest(exported)
    entry = manifest["files"][0]
    f = exported / entry["path"]
    table = pq.read_table(f)
    pq.write_table(pa.concat_tables([table, table]), f)  # a forged file with consistent checksums
    entry["rows"], entry["sha256"] = 2 * table.num_rows, sha256_of(f)
    manifest["rows"] += table.num_rows
    (exported / MANIFEST).write_text(json.dumps(manifest))
    assert "dua kali" in _refused(exported)


def test_the_export_reads_in_chunks(pooling_settings, tmp_path):
    seen: list[int] = []
    result = export_parquet(tmp_path / "potongan", key=KEY.encode(), now=NOW, chunk_size=250, progress=seen.append)
    assert len(seen) > 5 and max(seen) == 250 and sum(seen) == result.rows == Measurement.objects.count()
