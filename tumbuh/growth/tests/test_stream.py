"""iter_batches / BatchWriter: batch sizes, column selection, formats by extension."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tumbuh.growth.stream import BatchWriter, column_names, file_format, iter_batches, write_batches


@pytest.fixture
def csv_file(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("a,b,c\n" + "".join(f"{i},x{i},{i / 2}\n" for i in range(1000)))
    return p


def test_batches_never_exceed_the_batch_size_and_keep_every_row(csv_file):
    sizes = [b.num_rows for b in iter_batches(csv_file, batch_size=64)]
    assert sum(sizes) == 1000 and max(sizes) == 64 and all(s == 64 for s in sizes[:-1])


def test_column_selection_and_order(csv_file):
    b = next(iter_batches(csv_file, columns=["c", "a"], batch_size=10))
    assert b.schema.names == ["c", "a"]
    with pytest.raises(KeyError):
        next(iter_batches(csv_file, columns=["nope"]))


def test_strings_mode_keeps_text_exactly(tmp_path):
    p = tmp_path / "nik.csv"
    p.write_text('nik,berat\n0012345,"9,5"\n')
    b = next(iter_batches(p, strings=True))
    assert b.to_pydict() == {"nik": ["0012345"], "berat": ["9,5"]}


def test_parquet_round_trip_and_format_by_extension(csv_file, tmp_path):
    out = tmp_path / "t.parquet"
    assert write_batches(out, iter_batches(csv_file, batch_size=100)) == 1000
    assert pq.ParquetFile(out).metadata.num_rows == 1000
    assert [b.num_rows for b in iter_batches(out, columns=["b"], batch_size=300)] == [300, 300, 300, 100]
    assert column_names(out) == ["a", "b", "c"]
    assert file_format("x.PARQUET") == "parquet" and file_format("x.tsv") == "csv"
    with pytest.raises(ValueError):
        file_format("x.xlsx")


def test_writer_casts_later_batches_to_the_first_schema(tmp_path):
    out = tmp_path / "o.parquet"
    with BatchWriter(out) as w:
        w.write(pa.record_batch({"x": pa.array([1.5])}))
        w.write(pa.record_batch({"x": pa.array([None], pa.float64())}))
    assert pq.read_table(out).column("x").to_pylist() == [1.5, None]


def test_tsv(tmp_path):
    p = tmp_path / "t.tsv"
    p.write_text("a\tb\n1\t2\n")
    assert next(iter_batches(p)).to_pydict() == {"a": [1], "b": [2]}
