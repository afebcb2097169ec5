"""``tumbuh zscore`` / ``tumbuh prevalence`` on directories of Parquet files (hive-partitioned),
and the ``--engine`` hand-over to the DuckDB/Spark modules."""

from __future__ import annotations

import os
import sys
import types

import numpy as np
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from tumbuh.growth import cli, stream
from tumbuh.growth.cli import main
from tumbuh.growth.prevalence import prevalence

# Two provinces, three districts: "73.10" must stay text (as a number it would be 73.1).
AREAS = [("73", "73.10", "2025-08"), ("73", "73.24", "2025-08"), ("73", "73.24", "2026-02"), ("74", "74.01", "2025-08")]
KEYS = ["provinsi", "kabupaten", "round"]


def children(n: int, seed: int = 3) -> pa.Table:
    rng = np.random.default_rng(seed)
    area = rng.integers(0, len(AREAS), n)
    age = rng.integers(0, 1826, n).astype(float)
    lenhei = np.round(50 + age / 1826 * 60 + rng.normal(-3, 4, n), 1)
    weight = np.round(3 + age / 1826 * 14 + rng.normal(-0.5, 1.2, n), 2)
    return pa.table(
        {
            "id": np.arange(n),
            "sex": rng.integers(1, 3, n),
            "age_days": age,
            "weight": weight,
            "lenhei": lenhei,
            "measure": pa.array(np.where(age < 731, "l", "h").astype(object)),
            "oedema": pa.array(np.where(rng.uniform(size=n) < 0.01, "y", "n").astype(object)),
            **{k: pa.array([AREAS[a][i] for a in area.tolist()]) for i, k in enumerate(KEYS)},
        }
    )


def write_hive(table: pa.Table, root) -> None:
    ds.write_dataset(
        table,
        root,
        format="parquet",
        partitioning=ds.partitioning(pa.schema([(k, pa.string()) for k in KEYS]), flavor="hive"),
        basename_template="part-{i}.parquet",
        max_rows_per_group=700,
    )


@pytest.fixture
def dataset(tmp_path):
    table = children(3000)
    root = tmp_path / "measurements"
    write_hive(table, root)
    (root / "manifest.json").write_text("{}")  # not Parquet: ignored
    return table, root


def by_id(table: pa.Table) -> pa.Table:
    return table.sort_by("id")


def test_a_directory_is_read_with_partition_keys_as_text(dataset):
    table, root = dataset
    assert stream.is_dataset(root) and stream.partition_names(root) == KEYS
    assert stream.count_rows(root) == 3000
    got = pa.Table.from_batches(list(stream.iter_batches(root, batch_size=500)))
    assert max(b.num_rows for b in stream.iter_batches(root, batch_size=500)) <= 500
    assert got.schema.field("kabupaten").type == pa.string()
    assert sorted(set(got.column("kabupaten").to_pylist())) == ["73.10", "73.24", "74.01"]
    assert by_id(got).select(table.column_names).equals(by_id(table))
    # The same order every time (files in path order).
    again = pa.Table.from_batches(list(stream.iter_batches(root, batch_size=500)))
    assert again.column("id").equals(got.column("id"))


def test_zscore_directory_to_directory_keeps_the_partitioning_and_the_results(dataset, tmp_path):
    table, root = dataset
    single = tmp_path / "all.parquet"
    pq.write_table(table, single)
    assert main(["zscore", str(single), str(tmp_path / "all_z.parquet"), "--quiet"]) == 0
    want = by_id(pq.read_table(tmp_path / "all_z.parquet"))

    out = tmp_path / "scored"
    assert main(["zscore", str(root), str(out), "--quiet", "--batch-size", "400"]) == 0
    parts = sorted(os.path.relpath(d, out) for d, _, files in os.walk(out) if files)
    assert parts == sorted(os.path.join(*(f"{k}={v}" for k, v in zip(KEYS, a))) for a in AREAS)
    # The partition keys live in the directory names, not in the files.
    one = next(os.path.join(d, f) for d, _, files in os.walk(out) for f in files)
    assert not set(KEYS) & set(pq.read_schema(one).names)
    got = by_id(pa.Table.from_batches(list(stream.iter_batches(out))))
    assert got.num_rows == 3000
    for name in want.column_names:
        assert got.column(name).to_pylist() == want.column(name).to_pylist(), name


def test_zscore_directory_to_one_file_and_file_to_directory(dataset, tmp_path):
    table, root = dataset
    out = tmp_path / "one.parquet"
    assert main(["zscore", str(root), str(out), "--quiet"]) == 0
    t = pq.read_table(out)
    assert t.num_rows == 3000 and t.schema.field("kabupaten").type == pa.string()
    assert set(t.column("kabupaten").to_pylist()) == {"73.10", "73.24", "74.01"}
    # One file in, a directory out: one unpartitioned part.
    d = tmp_path / "from_file"
    assert main(["zscore", str(out), str(d) + "/", "--quiet"]) == 0
    assert os.listdir(d) == ["part-0.parquet"]
    assert pq.read_table(d / "part-0.parquet").column("zlen").equals(t.column("zlen"))


def test_prevalence_by_a_partition_key_equals_the_same_rows_in_one_file(dataset, tmp_path):
    table, root = dataset
    out_dir = tmp_path / "prev_dir.parquet"
    assert main(["prevalence", str(root), str(out_dir), "--by", "kabupaten"]) == 0
    single = tmp_path / "all.parquet"
    pq.write_table(table, single)
    out_file = tmp_path / "prev_file.parquet"
    assert main(["prevalence", str(single), str(out_file), "--by", "kabupaten"]) == 0
    a, b = pq.read_table(out_dir), pq.read_table(out_file)
    assert a.num_rows == b.num_rows and a.num_rows > 3
    assert_close(a, b)  # the rows come in another order: sums to the last bits only
    groups = [str(v) for v in a.column("Group").to_pylist()]
    assert any("73.10" in g for g in groups), groups
    # Prevalence written to a directory: one Parquet file in it.
    d = tmp_path / "prev_out"
    assert main(["prevalence", str(root), str(d), "--by", "kabupaten"]) == 0
    assert_close(pq.read_table(d / "part-0.parquet"), b)
    assert prevalence(table, by=["kabupaten"]).num_rows == a.num_rows


def assert_close(a: pa.Table, b: pa.Table) -> None:
    assert a.column_names == b.column_names
    for name in a.column_names:
        x, y = a.column(name).to_pylist(), b.column(name).to_pylist()
        if pa.types.is_floating(a.schema.field(name).type):
            np.testing.assert_allclose(np.array(x, dtype=float), np.array(y, dtype=float), rtol=0, atol=1e-9)
        else:
            assert x == y, name


def test_bad_paths_are_reported(dataset, tmp_path, capsys):
    table, root = dataset
    full = tmp_path / "full"
    full.mkdir()
    (full / "x.txt").write_text("x")
    assert main(["zscore", str(root), str(full), "--quiet"]) == 2
    assert "not empty" in capsys.readouterr().err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["zscore", str(empty), str(tmp_path / "o.parquet"), "--quiet"]) == 2
    assert "no Parquet files" in capsys.readouterr().err
    assert main(["prevalence", str(tmp_path / "nowhere"), str(tmp_path / "o.csv")]) == 2


def test_dataset_writer_splits_mixed_batches_and_names_null_keys(tmp_path):
    t = pa.table({"k": pa.array(["a", "b", None, "a/b"]), "v": [1, 2, 3, 4]})
    with stream.DatasetWriter(tmp_path / "o", ["k"], max_open=1) as w:
        w.write(t)
        w.write(t.slice(0, 1))  # "a" again after its file was closed: a second part
    got = ds.dataset(
        tmp_path / "o", format="parquet", partitioning=ds.partitioning(pa.schema([("k", pa.string())]), flavor="hive")
    )
    rows = sorted(got.to_table().to_pylist(), key=lambda r: r["v"])
    assert [(r["k"], r["v"]) for r in rows] == [("a", 1), ("a", 1), ("b", 2), (None, 3), ("a/b", 4)]
    assert sorted(os.listdir(tmp_path / "o" / "k=a")) == ["part-0.parquet", "part-1.parquet"]
    assert os.path.isdir(tmp_path / "o" / f"k={stream.HIVE_NULL}")
    assert stream.partition_names(tmp_path / "o") == ["k"]


def test_background_writer_raises_the_writers_error():
    class Broken:
        rows = 0

        def write(self, batch):
            raise OSError("disk full")

        def close(self):
            pass

    w = stream.BackgroundWriter(Broken())
    w.write(pa.table({"a": [1]}))
    with pytest.raises(OSError, match="disk full"):
        w.close()


# --- --engine ---


def test_engine_module_missing_is_a_clear_error(monkeypatch, dataset, tmp_path, capsys):
    _, root = dataset
    monkeypatch.setitem(cli.ENGINE_MODULES, "duckdb", "tumbuh.growth.engines.not_there")
    assert main(["zscore", str(root), str(tmp_path / "o.parquet"), "--engine", "duckdb"]) == 2
    err = capsys.readouterr().err
    assert "--engine duckdb is not available" in err and "not_there" in err


@pytest.mark.parametrize("engine", ["duckdb", "spark"])
def test_engine_gets_the_documented_arguments(monkeypatch, dataset, tmp_path, engine):
    _, root = dataset
    seen = {}
    fake = types.ModuleType("fake_engine")
    fake.run_zscore = lambda args: seen.setdefault("zscore", args) and 0
    fake.run_prevalence = lambda args: seen.setdefault("prevalence", args) and 3
    monkeypatch.setitem(sys.modules, "fake_engine", fake)
    monkeypatch.setitem(cli.ENGINE_MODULES, engine, "fake_engine")
    out = str(tmp_path / "z")
    argv = ["zscore", str(root), out, "--engine", engine, "--batch-size", "500", "--round", "--master", "local[2]"]
    assert main(argv) == 0
    a = seen["zscore"]
    assert (a.command, a.input, a.output, a.batch_size, a.engine) == ("zscore", str(root), out, 500, engine)
    assert (a.round, a.standard, a.quiet, a.master) == (True, "who2006", False, "local[2]")
    argv = ["prevalence", str(root), str(tmp_path / "p.csv"), "--engine", engine, "--by", "kabupaten", "desa"]
    assert main(argv) == 3
    p = seen["prevalence"]
    assert (p.command, p.by, p.cluster, p.strata, p.weight, p.age_in_months) == (
        "prevalence",
        ["kabupaten", "desa"],
        None,
        None,
        None,
        False,
    )
    assert p.batch_size > 0 and p.engine == engine and p.master is None


def test_scoring_threads_give_the_same_file(monkeypatch, dataset, tmp_path):
    _, root = dataset
    outs = []
    for threads in (1, 3):
        monkeypatch.setattr(cli, "SCORE_THREADS", threads)
        out = tmp_path / f"t{threads}.parquet"
        assert main(["zscore", str(root), str(out), "--quiet", "--batch-size", "250"]) == 0
        outs.append(pq.read_table(out))
    assert outs[0].equals(outs[1])
