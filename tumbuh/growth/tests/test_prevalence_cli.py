"""``tumbuh prevalence`` and ``tumbuh quality`` on CSV and Parquet files."""

from __future__ import annotations

import json
import os

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from tumbuh.growth import prevalence as prev_mod
from tumbuh.growth import quality as quality_mod
from tumbuh.growth.prevalence import output_columns, prevalence

REF = os.path.join(os.path.dirname(__file__), "reference", "prevalence")


def growth_cli(argv):
    """The command as users run it, through the kernel's dispatcher when it is there."""
    try:
        from tumbuh.growth.cli import main
    except ImportError:  # pragma: no cover - dispatcher not landed: call our run() directly
        import argparse

        mod = prev_mod if argv[0] == "prevalence" else quality_mod
        p = argparse.ArgumentParser()
        mod.add_arguments(p)
        return mod.run(p.parse_args(argv[1:]))
    return main(argv)


def read(path):
    path = str(path)
    if path.endswith(".parquet"):
        return pq.read_table(path)
    return pacsv.read_csv(path)


def write(table, path):
    if str(path).endswith(".parquet"):
        pq.write_table(table, path)
    else:
        pacsv.write_csv(table, path)


@pytest.fixture(scope="module")
def survey():
    types = {c: pa.string() for c in ("sex", "desa", "cluster", "strata", "oedema")}
    return pacsv.read_csv(os.path.join(REF, "input.csv"), convert_options=pacsv.ConvertOptions(column_types=types))


@pytest.mark.parametrize("src,dst", [("csv", "csv"), ("parquet", "parquet"), ("csv", "parquet")])
def test_prevalence_command_writes_who_columns(tmp_path, survey, src, dst):
    inp, out = tmp_path / f"in.{src}", tmp_path / f"out.{dst}"
    write(survey, inp)
    argv = [
        "prevalence",
        str(inp),
        str(out),
        "--cluster",
        "cluster",
        "--strata",
        "strata",
        "--weight",
        "sw",
        "--by",
        "desa",
    ]
    assert growth_cli(argv) == 0
    got = read(out)
    assert got.column_names == output_columns()
    expected = prevalence(survey, cluster="cluster", strata="strata", weight="sw", by=["desa"])
    assert got.column("Group").to_pylist() == expected.column("Group").to_pylist()
    for name in ("HA_2_r", "HA_2_se", "HA_2_ll", "WH_2_r", "HA_r", "HA_stdev", "HAZ_pop"):
        np.testing.assert_allclose(
            np.asarray(got.column(name).to_pylist(), dtype=float),
            np.asarray(expected.column(name).to_pylist(), dtype=float),
            rtol=1e-12,
        )


def test_prevalence_command_from_raw_measurements(tmp_path):
    pytest.importorskip("tumbuh.growth.zscores")
    raw = pa.table(
        {
            "sex": ["1", "2", "2", "1", "1", "2"],
            "age_days": ["400", "800", "1000", "300", "1500", "20"],
            "weight": ["9,5", "10.2", "11.0", "7.0", "14.5", "3.2"],
            "lenhei": ["74.0", "80.0", "85.5", "63.0", "95.0", "50.0"],
            "measure": ["l", "h", "h", "l", "h", "l"],
            "oedema": ["n", "n", "n", "n", "n", "n"],
            "desa": ["A", "A", "B", "B", "B", "A"],
        }
    )
    inp, out = tmp_path / "raw.csv", tmp_path / "out.csv"
    write(raw, inp)
    assert growth_cli(["prevalence", str(inp), str(out), "--by", "desa"]) == 0
    got = read(out).to_pylist()
    assert got[0]["Group"] == "All"
    assert got[0]["HAZ_unwpop"] == 6
    assert got[-1]["Group"] == "desa: B"


def test_prevalence_command_reports_a_missing_column(tmp_path, survey, capsys):
    inp, out = tmp_path / "in.csv", tmp_path / "out.csv"
    write(survey, inp)
    assert growth_cli(["prevalence", str(inp), str(out), "--cluster", "psu"]) == 2
    assert "psu" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("ext", ["csv", "parquet", "json"])
def test_quality_command(tmp_path, survey, ext):
    inp, out = tmp_path / "in.parquet", tmp_path / f"q.{ext}"
    write(survey, inp)
    assert growth_cli(["quality", str(inp), str(out), "--by", "desa"]) == 0
    if ext == "json":
        with open(out) as fh:
            res = json.load(fh)
        assert list(res)[:2] == ["All", "desa: D01"]
        assert res["All"]["zscores"]["HA"]["n_flagged"] > 0
        return
    table = read(out)
    assert table.column_names == ["group", "section", "item", "statistic", "value", "rating", "note"]
    rows = [r for r in table.to_pylist() if r["group"] == "All" and r["statistic"] == "pct_flagged"]
    assert {r["item"] for r in rows} == {"HA", "WA", "BMI", "WH"}
