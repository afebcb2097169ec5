"""The growth engine on Apache Spark (local[2]) equals the single-process engine.

A small hive-partitioned Parquet dataset (``provinsi=…/kabupaten=…/``) is built here, scored and
aggregated on Spark, and compared with the arrow path on the same rows: z-scores and flags bit
for bit, categories equal, prevalence and its intervals to 1e-9.

Needs a Java runtime and PySpark: missing, the tests skip, except in CI (``TUMBUH_REQUIRE_SPARK``)
where they fail. Marker ``spark``: one session for the module (it starts in seconds).
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import os
import shutil

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from tumbuh.growth.cli import score_batch
from tumbuh.growth.prevalence import PrevalenceAccumulator, output_columns, with_zscores

pytestmark = pytest.mark.spark

PARTITIONS = ["provinsi", "kabupaten"]


def _needs(condition: bool, why: str) -> None:
    if not condition:
        if os.environ.get("TUMBUH_REQUIRE_SPARK"):
            pytest.fail(why)
        pytest.skip(why)


@pytest.fixture(scope="module")
def spark():
    _needs(shutil.which("java") is not None or bool(os.environ.get("JAVA_HOME")), "no Java runtime for Spark")
    _needs(importlib.util.find_spec("pyspark") is not None, "PySpark is not installed")
    from tumbuh.growth.engines.spark_engine import spark_session

    session = spark_session("local[2]")
    yield session
    session.stop()


def _children(n: int, seed: int) -> pa.Table:
    """Visits with the awkward cases: missing and unparseable values, oedema, old children."""
    rng = np.random.default_rng(seed)
    age = rng.integers(0, 1900, n).astype(float)
    age[rng.uniform(size=n) < 0.02] = np.nan
    weight = np.round(3.3 + age / 1826 * 13 + rng.normal(0, 1.8, n), 2)
    weight[rng.uniform(size=n) < 0.03] = np.nan
    lenhei = np.round(50 + age / 1826 * 58 + rng.normal(-2, 4.5, n), 1)
    lenhei[rng.uniform(size=n) < 0.03] = np.nan
    sex = rng.choice(np.array(["1", "2", "L", "P", "", "x"], dtype=object), n, p=[0.4, 0.4, 0.08, 0.08, 0.02, 0.02])
    measure = rng.choice(np.array(["l", "h", "", "L"], dtype=object), n)
    oedema = np.where(rng.uniform(size=n) < 0.01, "y", "n").astype(object)
    kabupaten = rng.choice(np.array(["73.24", "73.10", "74.01"], dtype=object), n)
    provinsi = np.array([k.split(".")[0] for k in kabupaten], dtype=object)
    return pa.table(
        {
            "visit_id": np.arange(n, dtype=np.int64) + seed * 1_000_000,
            "sex": pa.array(sex, pa.string()),
            "age_days": age,
            "weight": weight,
            "lenhei": lenhei,
            "measure": pa.array(measure, pa.string()),
            "oedema": pa.array(oedema, pa.string()),
            "posyandu": pa.array(rng.integers(0, 12, n).astype(str).astype(object), pa.string()),
            "desa": pa.array(rng.choice(np.array(["Malili", "Wotu", "Nuha", ""], dtype=object), n), pa.string()),
            "bobot": np.round(rng.uniform(0.5, 3.0, n), 3),
            "provinsi": pa.array(provinsi, pa.string()),
            "kabupaten": pa.array(kabupaten, pa.string()),
        }
    )


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    """Two rounds of visits written as ``provinsi=…/kabupaten=…/part-….parquet``."""
    root = tmp_path_factory.mktemp("spark") / "visits"
    tables = [_children(1500, 1), _children(900, 2)]
    for i, table in enumerate(tables):
        pq.write_to_dataset(
            table, root, partition_cols=PARTITIONS, basename_template=f"round{i}-{{i}}.parquet", row_group_size=400
        )
    return root, pa.concat_tables(tables)


def _read_back(path) -> pa.Table:
    """A Spark output directory, partition values as text, rows in visit order."""
    part = ds.partitioning(pa.schema([(c, pa.string()) for c in PARTITIONS]), flavor="hive")
    table = ds.dataset(str(path), format="parquet", partitioning=part).to_table()
    return table.sort_by("visit_id")


def _same_bits(a: pa.ChunkedArray | pa.Array, b: pa.ChunkedArray | pa.Array) -> bool:
    x = np.asarray(pc.fill_null(a, np.nan).to_numpy(zero_copy_only=False), dtype=np.float64)
    y = np.asarray(pc.fill_null(b, np.nan).to_numpy(zero_copy_only=False), dtype=np.float64)
    return x.shape == y.shape and np.array_equal(x.view(np.int64), y.view(np.int64))


@pytest.mark.parametrize("reader", ["arrow", "jvm"])
def test_zscores_on_spark_equal_the_arrow_engine_bit_for_bit(spark, dataset, tmp_path, monkeypatch, reader):
    """Both readers: the tasks' own (pyarrow, the default) and Spark's JVM reader (TUMBUH_SPARK_READER=jvm)."""
    from tumbuh.growth.engines.spark_engine import run_zscore

    monkeypatch.setenv("TUMBUH_SPARK_READER", reader)
    root, rows = dataset
    out = tmp_path / "scored"
    args = argparse.Namespace(
        input=str(root), output=str(out), batch_size=500, round=False, standard="who2006", quiet=True
    )
    assert run_zscore(args) == 0

    # partitioned like the input
    assert sorted(p.name for p in (out / "provinsi=73").iterdir()) == ["kabupaten=73.10", "kabupaten=73.24"]
    assert [p.name for p in (out / "provinsi=74").iterdir()] == ["kabupaten=74.01"]

    got = _read_back(out)
    expected = score_batch(rows.sort_by("visit_id"))
    assert got.num_rows == expected.num_rows == rows.num_rows
    _assert_same_scores(got, expected)
    zlen = expected.column("zlen").to_numpy(zero_copy_only=False)
    assert np.isfinite(zlen).sum() > 1000 and np.isnan(zlen).sum() > 50  # both kinds of row were compared
    assert 0 < pc.sum(got.column("flen")).as_py() < rows.num_rows  # some flagged, not all
    assert len({v for v in got.column("status_tbu").to_pylist() if v}) >= 3


def _assert_same_scores(got: pa.Table, expected: pa.Table) -> None:
    """z-scores bit for bit, every other column equal (categories decoded), rows in the same order."""
    assert set(got.column_names) == set(expected.column_names)
    floats = [f.name for f in expected.schema if pa.types.is_floating(f.type)]
    assert {"zlen", "zwei", "zwfl", "zbmi"} <= set(floats)
    assert {"flen", "fwei", "fwfl", "fbmi", "status_tbu", "reason"} <= set(expected.column_names)
    for name in floats:
        assert _same_bits(got.column(name), expected.column(name)), name
    for f in expected.schema:
        if f.name in floats:
            continue
        want = expected.column(f.name)
        if pa.types.is_dictionary(want.type):
            want = want.cast(want.type.value_type)
        have = got.column(f.name)
        if pa.types.is_dictionary(have.type):
            have = have.cast(have.type.value_type)
        assert have.cast(want.type).to_pylist() == want.to_pylist(), f.name


def _assert_close(got: pa.Table, want: pa.Table) -> None:
    assert got.column_names == want.column_names == output_columns()
    assert got.column("Group").to_pylist() == want.column("Group").to_pylist()
    for name in want.column_names[1:]:
        a = np.asarray(got.column(name).to_numpy(zero_copy_only=False), dtype=float)
        b = np.asarray(want.column(name).to_numpy(zero_copy_only=False), dtype=float)
        assert np.array_equal(np.isnan(a), np.isnan(b)), name
        ok = ~np.isnan(b)
        assert np.allclose(a[ok], b[ok], rtol=1e-9, atol=1e-9), name


@pytest.mark.parametrize(
    "design",
    [
        {"by": ["kabupaten", "desa"]},
        {"cluster": "posyandu", "strata": "kabupaten", "weight": "bobot", "by": ["provinsi", "desa"]},
    ],
    ids=["routine", "survey"],
)
def test_prevalence_on_spark_equals_the_single_process_estimator(spark, dataset, design):
    from tumbuh.growth.engines.spark_engine import prevalence_job

    root, rows = dataset
    got, acc = prevalence_job(spark, str(root), batch_size=700, **design)

    single = PrevalenceAccumulator(**design)
    for batch in rows.to_batches(max_chunksize=700):
        single.update(with_zscores(batch))
    want = single.result()
    _assert_close(got, want)
    assert acc.rows_used == single.rows_used < rows.num_rows  # old children dropped on both
    assert acc.rows_excluded_age == single.rows_excluded_age > 0
    assert acc.design_info()["df"] == single.design_info()["df"]
    groups = got.column("Group").to_pylist()
    assert "desa: Malili" in groups and not any(g == "desa: " for g in groups)
    stunted = got.column("HA_2_r").to_pylist()[0]
    assert 0 < stunted < 100 and math.isfinite(got.column("HA_2_ul").to_pylist()[0])


def test_prevalence_command_on_spark_writes_the_table(spark, dataset, tmp_path, capsys):
    from tumbuh.growth.engines.spark_engine import run_prevalence

    root, rows = dataset
    out = tmp_path / "prev.parquet"
    args = argparse.Namespace(
        input=str(root), output=str(out), cluster=None, strata=None, weight=None, by=["kabupaten"], batch_size=1000
    )
    assert run_prevalence(args) == 0
    table = pq.read_table(out)
    assert [g for g in table.column("Group").to_pylist() if g.startswith("kabupaten")] == [
        "kabupaten: 73.10",
        "kabupaten: 73.24",
        "kabupaten: 74.01",
    ]
    args.weight = "no_such_column"
    assert run_prevalence(args) == 2
    assert "no_such_column" in capsys.readouterr().err


def test_zscores_on_spark_from_csv_equal_the_arrow_engine(spark, dataset, tmp_path):
    """CSV cells reach the kernel as text on both engines (empty cells missing)."""
    import pyarrow.csv as pacsv

    from tumbuh.growth.engines.spark_engine import zscore_job
    from tumbuh.growth.stream import iter_batches

    _, rows = dataset
    src = tmp_path / "visits.csv"
    pacsv.write_csv(rows.slice(0, 800).drop_columns(["provinsi", "kabupaten"]), src)
    out = tmp_path / "scored.csv"
    assert zscore_job(spark, str(src), str(out), batch_size=300) == 800

    got = pa.concat_tables(
        pacsv.read_csv(p, convert_options=pacsv.ConvertOptions(column_types={"visit_id": pa.int64()}))
        for p in sorted(out.glob("part-*.csv"))
    ).sort_by("visit_id")
    expected = pa.concat_tables(score_batch(b) for b in iter_batches(src, batch_size=300, strings=True))
    expected = pa.Table.from_batches(
        pacsv.read_csv(
            _csv_bytes(expected), convert_options=pacsv.ConvertOptions(column_types={"visit_id": pa.int64()})
        ).to_batches()
    ).sort_by("visit_id")
    assert got.num_rows == expected.num_rows == 800
    assert got.column_names == expected.column_names
    for name in expected.column_names:
        assert got.column(name).to_pylist() == expected.column(name).to_pylist(), name


def _csv_bytes(table: pa.Table) -> pa.BufferReader:
    import pyarrow.csv as pacsv

    sink = pa.BufferOutputStream()
    pacsv.write_csv(table, sink)
    return pa.BufferReader(sink.getvalue())


# --------------------------------------------------------------------------- the pyarrow reader's splits
def _arrow_engine_scores(src, out) -> pa.Table:
    """``tumbuh zscore`` on the single-process engine, read back in visit order."""
    from tumbuh.growth.cli import main

    assert main(["zscore", str(src), str(out), "--quiet", "--batch-size", "250"]) == 0
    return _read_back(out)


def _areas(n: int, seed: int) -> pa.Table:
    """Visits with the four area levels: desa and kecamatan columns, kabupaten and provinsi (partition keys)."""
    table = _children(n, seed)
    kab = table.column("kabupaten").to_pylist()
    desa = table.column("desa").to_pylist()
    kecamatan = [f"{k}.{len(d) % 3 + 1:02d}" for k, d in zip(kab, desa)]
    return table.append_column("kecamatan", pa.array(kecamatan, pa.string()))


@pytest.fixture(scope="module")
def areas(tmp_path_factory):
    """``provinsi=…/kabupaten=…/`` files, several row groups each, a missing kabupaten
    (``__HIVE_DEFAULT_PARTITION__``) and an empty file in a partition of its own."""
    root = tmp_path_factory.mktemp("areas") / "visits"
    tables = [_areas(1200, 3), _areas(700, 4)]
    kab = tables[1].column("kabupaten").to_pylist()
    kab[:40] = [None] * 40
    tables[1] = tables[1].set_column(tables[1].schema.get_field_index("kabupaten"), "kabupaten", pa.array(kab))
    for i, table in enumerate(tables):
        pq.write_to_dataset(
            table, root, partition_cols=PARTITIONS, basename_template=f"round{i}-{{i}}.parquet", row_group_size=150
        )
    empty = root / "provinsi=73" / "kabupaten=73.24" / "round9-0.parquet"
    pq.write_table(tables[0].schema.empty_table().drop_columns(PARTITIONS), empty)
    return root, pa.concat_tables(tables)


def test_the_splits_cover_every_row_group_once(areas):
    """Small files share a split, a file bigger than a split is cut at row-group boundaries."""
    from tumbuh.growth.engines.spark_engine import plan

    root, rows = areas
    whole, few = plan(str(root), 2)
    assert len(few) == 2 and all(groups is None for split in few for _, groups in split)  # whole files, 2 tasks
    files = sorted(str(p) for p in root.rglob("*.parquet"))
    assert sorted(f for split in few for f, _ in split) == files
    assert whole.partitions == ("provinsi", "kabupaten")
    assert whole.schema.field("kabupaten").type == pa.string()

    _, many = plan(str(root), 2, max_split_bytes=1)  # every row group its own split
    pieces = [(f, g) for split in many for f, groups in split for g in (groups or [None])]
    expected = []
    for f in files:
        count = pq.ParquetFile(f).metadata.num_row_groups
        expected += [(f, g) for g in range(count)] if count else [(f, None)]
    assert sorted(pieces, key=str) == sorted(expected, key=str)
    assert len(many) > len(files)


def test_split_by_row_group_hive_input_equals_the_arrow_engine(spark, areas, tmp_path):
    """Row-group splits, an empty split, a null partition key, URIs (file://) in and out."""
    from tumbuh.growth.engines.spark_engine import zscore_job

    root, rows = areas
    out = tmp_path / "scored"
    n = zscore_job(spark, f"file://{root}", f"file://{out}", batch_size=100, max_split_bytes=1)
    assert n == rows.num_rows
    expected = _arrow_engine_scores(root, tmp_path / "arrow")
    got = _read_back(out)
    assert got.num_rows == expected.num_rows == rows.num_rows
    _assert_same_scores(got, expected)
    assert got.column("kabupaten").null_count == 40
    assert (out / "provinsi=74" / "kabupaten=__HIVE_DEFAULT_PARTITION__").is_dir()
    assert (out / "_SUCCESS").exists()
    # several files a partition (one a split), none for the empty split
    assert len(list((out / "provinsi=73" / "kabupaten=73.24").iterdir())) > 2
    assert all(pq.ParquetFile(p).metadata.num_rows > 0 for p in out.rglob("*.parquet"))


def _bad_rows(n: int, seed: int) -> pa.Table:
    """Measurements as text, as an import leaves them; some rows unusable."""
    table = _children(n, seed)
    text = {c: pc.cast(table.column(c), pa.string()) for c in ("age_days", "weight", "lenhei")}
    for c, col in text.items():
        table = table.set_column(table.schema.get_field_index(c), c, col)
    return table


def test_a_split_with_bad_rows_equals_the_arrow_engine(spark, tmp_path):
    from tumbuh.growth.engines.spark_engine import prevalence_job, zscore_job

    good = _bad_rows(600, 5)
    bad = _bad_rows(60, 6)
    junk = ["abc", "9,5", "-3", "", " ", "1e400", "nan", None, "12..5", "0"]
    for c in ("age_days", "weight", "lenhei"):
        values = bad.column(c).to_pylist()
        values[: len(junk)] = junk
        values[len(junk) : 2 * len(junk)] = list(reversed(junk))
        bad = bad.set_column(bad.schema.get_field_index(c), c, pa.array(values, pa.string()))
    sex = bad.column("sex").to_pylist()
    sex[:6] = ["x", None, "", "3", "laki", "P "]
    bad = bad.set_column(bad.schema.get_field_index("sex"), "sex", pa.array(sex, pa.string()))
    root = tmp_path / "visits"
    for name, table in (("good", good), ("bad", bad)):
        pq.write_to_dataset(table, root, partition_cols=PARTITIONS, basename_template=f"{name}-{{i}}.parquet")

    out = tmp_path / "scored"
    assert zscore_job(spark, str(root), str(out), batch_size=64, max_split_bytes=1) == 660
    expected = _arrow_engine_scores(root, tmp_path / "arrow")
    got = _read_back(out)
    _assert_same_scores(got, expected)
    reasons = got.filter(pc.field("visit_id") >= 6_000_000).column("reason").to_pylist()
    assert sum(1 for r in reasons if r) >= 20  # the bad rows were scored, as unusable

    design = {"by": ["kabupaten"]}
    result, acc = prevalence_job(spark, str(root), batch_size=64, max_split_bytes=1, **design)
    single = PrevalenceAccumulator(**design)
    from tumbuh.growth.stream import iter_batches

    for batch in iter_batches(root, batch_size=64, strings=True):
        single.update(with_zscores(batch))
    _assert_close(result, single.result())
    assert acc.rows_read == single.rows_read == 660


LEVELS = ["provinsi", "kabupaten", "kecamatan", "desa"]


@pytest.mark.parametrize(
    "design",
    [{"by": LEVELS}, {"cluster": "posyandu", "strata": "kabupaten", "weight": "bobot", "by": LEVELS}],
    ids=["routine", "survey"],
)
def test_prevalence_by_every_area_level_equals_the_single_process_engine(spark, areas, tmp_path, design):
    """``tumbuh prevalence --by provinsi kabupaten kecamatan desa``, arrow engine against Spark's tasks."""
    from tumbuh.growth.cli import main
    from tumbuh.growth.engines.spark_engine import prevalence_job

    root, rows = areas
    argv = ["prevalence", str(root), str(tmp_path / "arrow.parquet"), "--by", *LEVELS]
    for role in ("cluster", "strata", "weight"):
        if role in design:
            argv += [f"--{role}", design[role]]
    assert main(argv) == 0
    want = pq.read_table(tmp_path / "arrow.parquet")
    got, acc = prevalence_job(spark, str(root), batch_size=200, max_split_bytes=1, **design)
    _assert_close(got, want)
    groups = got.column("Group").to_pylist()
    for level in LEVELS:
        assert sum(1 for g in groups if g.startswith(f"{level}: ")) >= 2, level
    assert acc.rows_read == rows.num_rows


def test_prevalence_of_a_spark_dataframe_equals_the_split_reader(spark, areas):
    """The JVM reader (a table or DataFrame, e.g. on Databricks) gives the same prevalence."""
    from tumbuh.growth.engines.spark_engine import prevalence_dataframe, prevalence_job

    root, _ = areas
    design = {"cluster": "posyandu", "by": ["kabupaten", "desa"]}
    df = spark.read.parquet(str(root))
    got, acc = prevalence_dataframe(df, **design)
    want, single = prevalence_job(spark, str(root), **design)
    _assert_close(got, want)
    assert acc.rows_used == single.rows_used


def test_a_missing_input_is_reported(spark, tmp_path, capsys):
    from tumbuh.growth.engines.spark_engine import run_zscore

    args = argparse.Namespace(
        input=str(tmp_path / "nowhere"),
        output=str(tmp_path / "out"),
        batch_size=10,
        round=False,
        standard="who2006",
        quiet=True,
    )
    assert run_zscore(args) == 2
    assert "no such file" in capsys.readouterr().err


def test_the_cli_hands_uris_to_the_spark_engine(spark, dataset, tmp_path):
    """``tumbuh zscore --engine spark`` takes URIs (s3://, gs://, hdfs://, here file://): the CLI
    leaves them to the engine's own listing instead of refusing them as missing local paths."""
    from tumbuh.growth import cli

    root, table = dataset
    out = tmp_path / "from-cli"
    assert cli.main(["zscore", f"file://{root}", f"file://{out}", "--engine", "spark", "--quiet"]) == 0
    assert _read_back(out).num_rows == table.num_rows
    # a local path that does not exist is still refused before Spark starts
    assert cli.main(["zscore", str(tmp_path / "nowhere"), str(tmp_path / "o2"), "--engine", "spark"]) == 2
