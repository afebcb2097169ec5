"""``--engine duckdb``: z-scores bit for bit and prevalence to 1e-9 against the single-process engine.

The data are WHO's reference inputs (every edge the kernel knows: missing and odd sexes,
oedema spellings, ages in days and months, ages past 1826 days), spread over a small
hive-partitioned dataset (provinsi / kabupaten / round) with desa, kecamatan, clusters,
strata and sampling weights (some missing).
"""

from __future__ import annotations

import argparse
import os

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

duckdb = pytest.importorskip("duckdb")

from tumbuh.growth import cli as growth_cli  # noqa: E402
from tumbuh.growth import prevalence as prev  # noqa: E402
from tumbuh.growth.engines import duckdb_engine as eng  # noqa: E402

INPUTS = os.path.join(os.path.dirname(__file__), "reference", "anthro_inputs.csv")
PARTS = ["provinsi", "kabupaten", "round"]
MEASURES = ("weight", "lenhei", "headc", "armc", "triskin", "subskin")


def _dataset() -> pa.Table:
    t = pacsv.read_csv(
        INPUTS, convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in ("sex", "oedema")})
    )
    n = t.num_rows
    rng = np.random.default_rng(17)
    age = pc.cast(t.column("age"), pa.float64())
    days = pc.equal(t.column("age_unit"), "days")
    cols = {"id": t.column("id"), "sex": t.column("sex")}
    cols["age_days"] = pc.if_else(days, age, pa.scalar(None, pa.float64()))
    cols["age_months"] = pc.if_else(days, pa.scalar(None, pa.float64()), age)
    for c in MEASURES:
        cols[c] = pc.cast(t.column(c), pa.float64())
    cols["measure"] = t.column("measure")
    cols["oedema"] = t.column("oedema")
    kab = rng.choice(np.array(["73.24", "73.25", "74.01"]), n)
    cols["provinsi"] = pa.array([k[:2] for k in kab])
    cols["kabupaten"] = pa.array(kab)
    cols["round"] = pa.array(rng.choice(np.array(["2025-02", "2025-08"]), n))
    kec = rng.integers(1, 5, n)
    desa = rng.integers(1, 9, n)
    cols["kecamatan"] = pa.array([f"{k}.{c:02d}" for k, c in zip(kab, kec)])
    cols["desa"] = pa.array([f"{k}.{c:02d}.20{d:02d}" for k, c, d in zip(kab, kec, desa)])
    cluster = np.array([f"{d}/{i}" for d, i in zip(cols["desa"].to_pylist(), rng.integers(0, 3, n))], dtype=object)
    cluster[rng.random(n) < 0.002] = None  # a few rows without a PSU: excluded as in WHO's code
    cols["cluster"] = pa.array(cluster, pa.string())
    sw = np.round(rng.uniform(0.5, 4.0, n), 3)
    cols["sw"] = pa.array(sw, mask=rng.random(n) < 0.01)  # a few missing weights: counted as 0
    return pa.table(cols)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp("duckdb_engine")
    table = _dataset()
    flat = str(root / "flat.parquet")
    pq.write_table(table, flat)
    csv = str(root / "flat.csv")
    pacsv.write_csv(table, csv)
    parted = str(root / "parted")
    ds.write_dataset(
        table,
        parted,
        format="parquet",
        partitioning=ds.partitioning(pa.schema([(c, pa.string()) for c in PARTS]), flavor="hive"),
        max_rows_per_group=2048,
    )
    # the arrow engine's z-scores, used as prevalence input with z-score columns
    zs = str(root / "zscores.parquet")
    assert growth_cli.run_zscore(_zargs(flat, zs)) == 0
    zcsv = str(root / "zscores.csv")
    assert growth_cli.run_zscore(_zargs(flat, zcsv, round=True)) == 0
    return {"root": root, "table": table, "flat": flat, "csv": csv, "parted": parted, "zs": zs, "zcsv": zcsv}


def _zargs(inp, out, *, round=False, batch_size=5000):
    return argparse.Namespace(
        input=str(inp), output=str(out), round=round, batch_size=batch_size, standard="who2006", quiet=True
    )


def _pargs(inp, out, *, cluster=None, strata=None, weight=None, by=()):
    return argparse.Namespace(
        input=str(inp),
        output=str(out),
        cluster=cluster,
        strata=strata,
        weight=weight,
        by=list(by),
        age_in_months=False,
        batch_size=4096,
    )


def _read(path) -> pa.Table:
    path = str(path)
    if os.path.isdir(path):
        part = ds.partitioning(pa.schema([(c, pa.string()) for c in PARTS]), flavor="hive")
        t = ds.dataset(path, format="parquet", partitioning=part).to_table()
    elif path.endswith(".parquet"):
        t = pq.read_table(path)
    else:
        t = pacsv.read_csv(path)
    return t


def _by_id(t: pa.Table) -> pa.Table:
    ids = pc.cast(t.column("id"), pa.int64())
    return t.take(pc.sort_indices(ids))


def _same_bits(name: str, a: pa.ChunkedArray, b: pa.ChunkedArray) -> None:
    a, b = a.combine_chunks(), b.combine_chunks()
    assert a.null_count == b.null_count, name
    assert pc.is_null(a).to_pylist() == pc.is_null(b).to_pylist(), name
    if pa.types.is_floating(a.type) or pa.types.is_floating(b.type):
        x = a.to_numpy(zero_copy_only=False).astype(np.float64)
        y = b.to_numpy(zero_copy_only=False).astype(np.float64)
        assert a.type == b.type, name
        assert np.array_equal(x.view(np.int64), y.view(np.int64)), name
    else:
        if pa.types.is_dictionary(a.type):
            a = a.dictionary_decode()
        if pa.types.is_dictionary(b.type):
            b = b.dictionary_decode()
        assert a.to_pylist() == b.to_pylist(), name


def _assert_scores_equal(got: pa.Table, ref: pa.Table, inputs: list[str]) -> None:
    got, ref = _by_id(got), _by_id(ref)
    assert got.num_rows == ref.num_rows
    outputs = [c for c in ref.column_names if c not in inputs]
    assert len(outputs) > 20 and "zlen" in outputs and "fwfl" in outputs and "reason" in outputs
    for c in outputs:
        _same_bits(c, got.column(c), ref.column(c))


@pytest.mark.parametrize("kind", ["flat", "parted"])
def test_zscore_parquet_bit_for_bit(data, tmp_path, kind):
    ref = pq.read_table(data["zs"])
    out = tmp_path / ("out.parquet" if kind == "flat" else "out")
    assert eng.run_zscore(_zargs(data[kind], out)) == 0
    got = _read(out)
    _assert_scores_equal(got, ref, data["table"].column_names)
    # some rows really are scored, flagged and classified
    assert pc.sum(pc.is_valid(got.column("zlen"))).as_py() > 10_000
    assert pc.sum(pc.equal(got.column("flen"), 1)).as_py() > 0


def test_zscore_directory_is_partitioned_like_the_input(data, tmp_path):
    out = tmp_path / "out"
    assert eng.run_zscore(_zargs(data["parted"], out)) == 0
    want = {os.path.relpath(d, data["parted"]) for d, _, f in os.walk(data["parted"]) if f}
    have = {os.path.relpath(d, out) for d, _, f in os.walk(out) if f}
    assert have == want and len(have) == 6
    assert all(p.startswith("provinsi=7") and "/kabupaten=7" in p and "/round=2025-" in p for p in have)


def test_zscore_csv_bit_for_bit(data, tmp_path):
    ref_path, out = tmp_path / "ref.csv", tmp_path / "out.csv"
    assert growth_cli.run_zscore(_zargs(data["csv"], ref_path, round=True)) == 0
    assert eng.run_zscore(_zargs(data["csv"], out, round=True)) == 0
    assert open(out, "rb").read() == open(ref_path, "rb").read()


def test_zscore_rejects_an_input_without_sex(tmp_path, capsys):
    bad = tmp_path / "bad.parquet"
    pq.write_table(pa.table({"age_days": [1.0], "weight": [3.0]}), bad)
    assert eng.run_zscore(_zargs(bad, tmp_path / "o.parquet")) == 2
    assert "no 'sex' column" in capsys.readouterr().err


# --------------------------------------------------------------------------- prevalence
def _assert_prevalence_equal(got: pa.Table, ref: pa.Table) -> None:
    assert got.column_names == ref.column_names == prev.output_columns()
    assert got.column("Group").to_pylist() == ref.column("Group").to_pylist()
    checked = 0
    for c in ref.column_names[1:]:
        x = got.column(c).to_numpy(zero_copy_only=False).astype(float)
        y = ref.column(c).to_numpy(zero_copy_only=False).astype(float)
        assert np.array_equal(np.isnan(x), np.isnan(y)), c
        ok = ~np.isnan(y)
        assert np.all(np.abs(x[ok] - y[ok]) <= 1e-9 * np.maximum(1.0, np.abs(y[ok]))), c
        checked += int(ok.sum())
    assert checked > 1000


def _reference_prevalence(table: pa.Table, **kw) -> pa.Table:
    """The single-process engine, fed in batches as ``tumbuh prevalence`` feeds it."""
    acc = prev.PrevalenceAccumulator(**kw)
    for batch in table.to_batches(max_chunksize=4096):
        acc.update(prev.with_zscores(batch))
    return acc.result()


BY = ["desa", "kecamatan", "kabupaten"]


def test_prevalence_partitioned_measurements_with_design(data, tmp_path):
    design = dict(cluster="cluster", strata="kabupaten", weight="sw", by=BY)
    ref = _reference_prevalence(data["table"], **design)
    out = tmp_path / "prev.parquet"
    assert eng.run_prevalence(_pargs(data["parted"], out, **design)) == 0
    got = pq.read_table(out)
    _assert_prevalence_equal(got, ref)
    groups = got.column("Group").to_pylist()
    assert sum(g.startswith("desa: ") for g in groups) == 96
    assert sum(g.startswith("kecamatan: ") for g in groups) == 12
    assert [g for g in groups if g.startswith("kabupaten: ")] == [
        f"kabupaten: {k}" for k in ("73.24", "73.25", "74.01")
    ]


def test_prevalence_counts_and_warnings_match(data):
    design = dict(cluster="cluster", strata="kabupaten", weight="sw", by=["round"])
    acc = prev.PrevalenceAccumulator(**design)
    for batch in data["table"].to_batches(max_chunksize=4096):
        acc.update(prev.with_zscores(batch))
    _, got = eng.prevalence_file(data["parted"], **design)
    for name in ("rows_read", "rows_used", "rows_excluded_age", "rows_excluded_design", "rows_missing_weight"):
        assert getattr(got, name) == getattr(acc, name), name
    assert got.rows_excluded_age > 0 and got.rows_excluded_design > 0 and got.rows_missing_weight > 0
    assert got.warnings() == acc.warnings()
    assert got.design_info()["df"] == acc.design_info()["df"]


def test_prevalence_csv_without_design(data, tmp_path):
    ref_out, out = tmp_path / "ref.csv", tmp_path / "out.csv"
    assert prev.run(_pargs(data["csv"], ref_out, by=["desa"])) == 0
    assert eng.run_prevalence(_pargs(data["csv"], out, by=["desa"])) == 0
    _assert_prevalence_equal(pacsv.read_csv(out), pacsv.read_csv(ref_out))


@pytest.mark.parametrize("key", ["zs", "zcsv"])
def test_prevalence_of_zscores_aggregates_in_sql(data, tmp_path, key):
    """A file of z-scores (Parquet typed, CSV as text) is aggregated straight from the file."""
    design = dict(cluster="cluster", strata="provinsi", weight="sw", by=["kecamatan", "kabupaten"])
    ref_out, out = tmp_path / "ref.parquet", tmp_path / "out.parquet"
    assert prev.run(_pargs(data[key], ref_out, **design)) == 0
    assert eng.run_prevalence(_pargs(data[key], out, **design)) == 0
    _assert_prevalence_equal(pq.read_table(out), pq.read_table(ref_out))


def test_prevalence_string_flags_and_oedema(tmp_path):
    """Flags, oedema and sexes as text, z as text with a decimal comma: parsed as prevalence.py parses them."""
    rng = np.random.default_rng(3)
    n = 3000
    z = np.round(rng.normal(-1, 1.5, n), 2).astype(str)
    z[::97] = "abc"
    z[1::89] = ""
    zc = np.char.replace(z, ".", ",")
    flags = rng.choice(np.array(["0", "1", " 1", "1.0", "", "x"]), n)
    t = pa.table(
        {
            "sex": rng.choice(np.array(["1", "2", "m", "F", "laki-laki", "?", ""]), n),
            "age_days": rng.integers(0, 1900, n).astype(str),
            "oedema": rng.choice(np.array(["y", "n", " Ya ", "1", "true", ""]), n),
            **{c: zc for c in prev.Z_COLUMNS},
            **{"f" + c[1:]: flags for c in prev.Z_COLUMNS},
            "desa": rng.choice(np.array(["b", "a", " a", "", "10", "9"]), n),
        }
    )
    path = tmp_path / "z.csv"
    pacsv.write_csv(t, path)
    ref_out, out = tmp_path / "ref.csv", tmp_path / "out.csv"
    assert prev.run(_pargs(path, ref_out, by=["desa"])) == 0
    assert eng.run_prevalence(_pargs(path, out, by=["desa"])) == 0
    _assert_prevalence_equal(pacsv.read_csv(out), pacsv.read_csv(ref_out))


def test_prevalence_aggregates_on_duckdb_into_cells(data):
    """The rows reach Python only as cells: at most one per (exclusion, age, sex, stratum, PSU, desa)."""
    con = eng.connect()
    src = eng.source_sql(data["zs"])
    types = dict(eng._columns(con, src))
    sql = eng.prevalence_cells_sql(src, types, cluster=None, strata="kabupaten", weight="sw", by=["desa"])
    cells = eng._arrow_table(con.execute(sql))
    assert cells.num_rows < data["table"].num_rows / 3
    assert pc.sum(cells.column(f"s{prev._POS['one']}")).as_py() == data["table"].num_rows


def test_prevalence_missing_design_column(data, tmp_path, capsys):
    assert eng.run_prevalence(_pargs(data["flat"], tmp_path / "o.csv", cluster="nope")) == 2
    assert "cluster column 'nope'" in capsys.readouterr().err


def test_prevalence_negative_weight_is_refused(tmp_path, capsys):
    path = tmp_path / "neg.parquet"
    pq.write_table(
        pa.table({"sex": ["1", "2"], "age_days": [100.0, 200.0], "zlen": [-1.0, -2.5], "w": [1.0, -1.0]}), path
    )
    assert eng.run_prevalence(_pargs(path, tmp_path / "o.csv", weight="w")) == 2
    assert "Negative sampling weights" in capsys.readouterr().err


def test_partitioned_writer_splits_batches_and_reopens_partitions(tmp_path):
    """Rows of several partitions in one batch, and a partition met again after its file was closed."""
    out = tmp_path / "w"
    with eng.PartitionedWriter(str(out), ["kabupaten", "round"], max_open=1) as w:
        for i in range(3):
            w.write(
                pa.table(
                    {
                        "id": pa.array([10 * i + j for j in range(4)]),
                        "kabupaten": pa.array(["73.24", "73.25", "73.24", None]),
                        "round": pa.array(["2025-02"] * 4),
                    }
                )
            )
    assert w.rows == 12
    files = sorted(os.path.relpath(os.path.join(d, f), out) for d, _, fs in os.walk(out) for f in fs)
    assert files[0] == "kabupaten=73.24/round=2025-02/part-0.parquet"
    assert "kabupaten=73.24/round=2025-02/part-2.parquet" in files
    assert any(f.startswith("kabupaten=__HIVE_DEFAULT_PARTITION__/") for f in files)
    back = {}
    for f in files:
        kab = f.split("/")[0].split("=", 1)[1]
        assert pq.read_table(out / f).column_names == ["id"]
        for i in pq.read_table(out / f).column("id").to_pylist():
            back[i] = kab
    assert back == {
        10 * i + j: ["73.24", "73.25", "73.24", "__HIVE_DEFAULT_PARTITION__"][j] for i in range(3) for j in range(4)
    }
