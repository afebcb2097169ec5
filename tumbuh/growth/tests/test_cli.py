"""``tumbuh zscore`` on real CSV and Parquet files, streamed in batches."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from tumbuh.cli import main as tumbuh_main
from tumbuh.growth.cli import main
from tumbuh.growth.zscores import ANTHRO_COLUMNS, anthro_zscores, r_round

from ._reference import REF, anthro_pair, num

CATEGORY_COLUMNS = ["status_tbu", "status_bbtb", "status_bbu", "status_imtu"]


def read_out(path):
    return pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(strings_can_be_null=True))


SMALL_CSV = """id,sex,age_days,weight,lenhei,measure,oedema,headc
1,L,400,9.5,75.2,terlentang,tidak,45.1
2,P,1000,"11,2",85,berdiri,,
3,x,abc,0,80,?,maybe,
4,2,200,6.1,62.3,l,y,41
"""


@pytest.fixture
def small_csv(tmp_path):
    p = tmp_path / "posyandu.csv"
    p.write_text(SMALL_CSV)
    return p


def test_zscore_csv_to_csv_keeps_input_and_adds_who_columns(small_csv, tmp_path):
    out = tmp_path / "out.csv"
    assert tumbuh_main(["zscore", str(small_csv), str(out), "--quiet"]) == 0
    t = read_out(out)
    assert t.column_names == [
        "id",
        "sex",
        "age_days",
        "weight",
        "lenhei",
        "measure",
        "oedema",
        "headc",
        *ANTHRO_COLUMNS,
        *CATEGORY_COLUMNS,
        "reason",
    ]
    d = t.to_pydict()
    assert d["id"] == [1, 2, 3, 4]
    assert d["csex"] == [1, 2, None, 2]
    assert d["cmeasure"] == ["l", "h", None, "l"]
    expected = anthro_zscores(
        sex=["L", "P"],
        age_days=[400, 1000],
        weight=[9.5, 11.2],
        lenhei=[75.2, 85.0],
        measure=["l", "h"],
        headc=[45.1, np.nan],
    )
    assert d["zlen"][:2] == expected["zlen"].tolist()
    assert d["zwei"][:2] == expected["zwei"].tolist()
    assert d["zhc"][0] == expected["zhc"][0] and d["zhc"][1] is None
    assert d["status_tbu"][:2] == ["normal", "pendek"]
    assert d["reason"][2] == "sex_unknown;age_invalid;weight_nonpositive;measure_invalid;oedema_invalid"
    assert d["zwei"][3] is None and d["reason"][3] == "oedema"
    assert d["status_bbtb"][3] == "gizi_buruk"  # oedema counts as the most severe


def test_zscore_round_option_and_parquet_output(small_csv, tmp_path):
    out = tmp_path / "out.parquet"
    assert main(["zscore", str(small_csv), str(out), "--round", "--quiet"]) == 0
    t = pq.read_table(out)
    assert t.schema.field("fwei").type == pa.int8()
    z = t.column("zwei").to_numpy(zero_copy_only=False)
    assert (r_round(z[:2], 2) == z[:2]).all()


def test_parquet_input_streams_in_small_batches_and_matches_who(tmp_path):
    # The WHO reference rows (days only), through Parquet, 997 rows per batch.
    inp, who, _ = anthro_pair()
    days = inp["age_unit"] == "days"
    cols = {
        k: pa.array([v or None for v in inp[k][days]], pa.string())
        for k in ("id", "sex", "weight", "lenhei", "measure", "oedema", "headc", "armc", "triskin", "subskin")
    }
    cols["age_days"] = pa.array(num(inp["age"])[days], from_pandas=True)
    src = tmp_path / "in.parquet"
    pq.write_table(pa.table(cols), src, row_group_size=5000)
    out = tmp_path / "out.parquet"
    assert main(["zscore", str(src), str(out), "--batch-size", "997", "--round", "--quiet"]) == 0
    t = pq.read_table(out)
    assert t.num_rows == int(days.sum())
    assert t.column("id").to_pylist() == inp["id"][days].tolist()
    for z in ("zlen", "zwei", "zwfl", "zbmi", "zhc", "zac", "zts", "zss"):
        ours = t.column(z).to_numpy(zero_copy_only=False)
        ref = num(who[z])[days]
        assert np.array_equal(ours, ref, equal_nan=True), z
        f = t.column("f" + z[1:]).to_numpy(zero_copy_only=False).astype(float)
        assert np.array_equal(f, num(who["f" + z[1:]])[days], equal_nan=True), z


def test_csv_streaming_gives_the_same_result_for_any_batch_size(tmp_path):
    src = REF / "anthro_inputs.csv"
    # age_unit/age → age_days / age_months columns the CLI understands
    t = pacsv.read_csv(src, convert_options=pacsv.ConvertOptions(column_types={"age": pa.string()}))
    months = pa.compute.equal(t.column("age_unit"), "months")
    t = t.append_column("age_days", pa.compute.if_else(months, None, t.column("age")))
    t = t.append_column("age_months", pa.compute.if_else(months, t.column("age"), None))
    t = t.drop_columns(["age", "age_unit"])
    csv_in = tmp_path / "in.csv"
    pacsv.write_csv(t, csv_in)
    outs = []
    for bs in (100_000, 333):
        out = tmp_path / f"out_{bs}.csv"
        assert main(["zscore", str(csv_in), str(out), "--batch-size", str(bs), "--quiet"]) == 0
        outs.append(pacsv.read_csv(out))
    assert outs[0].equals(outs[1])
    assert outs[0].num_rows == t.num_rows


def test_birth_and_visit_dates_give_the_age(tmp_path):
    p = tmp_path / "dates.csv"
    p.write_text(
        "sex,birth_date,visit_date,weight\n1,2024-01-01,2025-02-04,9.9\n2,01/01/2024,04/02/2025,9.9\n1,2024-13-45,2025-01-01,9.9\n"
    )
    out = tmp_path / "o.csv"
    assert main(["zscore", str(p), str(out), "--quiet"]) == 0
    d = read_out(out).to_pydict()
    assert d["zwei"][0] == anthro_zscores(sex=1, age_days=400, weight=9.9)["zwei"][0]
    assert d["zwei"][1] == anthro_zscores(sex=2, age_days=400, weight=9.9)["zwei"][0]
    assert d["zwei"][2] is None and d["reason"][2] == "age_invalid"


def test_who2007_standard(tmp_path):
    p = tmp_path / "school.csv"
    p.write_text("sex,age_months,weight,height\nf,60.32,18.7,113.8\n")
    out = tmp_path / "o.csv"
    assert main(["zscore", str(p), str(out), "--standard", "who2007", "--round", "--quiet"]) == 0
    d = read_out(out).to_pydict()
    assert (d["zhfa"], d["zwfa"], d["zbfa"]) == ([0.96], [0.21], [-0.58])
    assert d["status_imtu"] == ["gizi_baik"]


def test_errors_are_reported_not_raised(tmp_path, small_csv, capsys):
    assert main(["zscore", str(tmp_path / "missing.csv"), str(tmp_path / "o.csv")]) == 2
    assert main(["zscore", str(small_csv), str(tmp_path / "o.xlsx")]) == 2
    nosex = tmp_path / "nosex.csv"
    nosex.write_text("age_days,weight\n100,5\n")
    assert main(["zscore", str(nosex), str(tmp_path / "o.csv")]) == 2
    assert "no 'sex' column" in capsys.readouterr().err


def test_header_only_input_gives_header_only_output(tmp_path):
    p = tmp_path / "empty.csv"
    p.write_text("sex,age_days,weight\n")
    out = tmp_path / "o.csv"
    assert main(["zscore", str(p), str(out), "--quiet"]) == 0
    t = pacsv.read_csv(out)
    assert t.num_rows == 0 and "zwei" in t.column_names


def test_missing_optional_command_says_not_available(monkeypatch, capsys):
    import tumbuh.growth.cli as cli

    monkeypatch.setitem(cli.OPTIONAL_COMMANDS, "quality", ("tumbuh.growth.does_not_exist", "x"))
    assert main(["quality", "a.csv", "b.csv"]) == 2
    assert "not available yet" in capsys.readouterr().err


def test_the_tumbuh_command_runs_zscore(small_csv, tmp_path):
    out = tmp_path / "o.csv"
    r = subprocess.run(
        [sys.executable, "-m", "tumbuh.cli", "zscore", str(small_csv), str(out)], capture_output=True, text=True
    )
    assert r.returncode == 0, r.stderr
    assert "4 rows" in r.stderr
