"""``core.arrow_io``: a queryset's rows read through PostgreSQL's COPY into Arrow are the very
rows (and values) Django gives row by row, in order, however many blocks the CSV takes."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from django.db import connection

from tumbuh.core import arrow_io
from tumbuh.wilayah.models import Wilayah

TYPES = {"code": pa.string(), "name": pa.string(), "level": pa.int64(), "parent_id": pa.string()}


def _regions(n: int) -> None:
    Wilayah.objects.create(code="79", name="Provinsi Uji", level=1, kind="provinsi", provinsi_code="79")
    Wilayah.objects.bulk_create(
        Wilayah(
            code=f"79.{i:02d}",
            name=f'Kab. "Uji", {i} \u00e9',  # quotes, a comma and a non-ASCII letter: CSV quoting
            level=2,
            kind="kabupaten",
            parent_id="79",
            provinsi_code="79",
            kabupaten_code=f"79.{i:02d}",
        )
        for i in range(1, n + 1)
    )


@pytest.mark.django_db
def test_not_postgresql_gives_none():
    if connection.vendor == "postgresql":
        pytest.skip("the other databases' answer")
    assert arrow_io.rows_as_arrow(Wilayah.objects.all(), TYPES) is None


@pytest.mark.django_db
def test_rows_in_many_blocks_are_the_querysets_rows(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("COPY … TO STDOUT is PostgreSQL's")
    _regions(99)
    monkeypatch.setattr(arrow_io, "BLOCK_SIZE", 256)  # many CSV blocks, each parsed as it comes
    qs = Wilayah.objects.filter(code__startswith="79").order_by("-code")
    table = arrow_io.rows_as_arrow(qs, TYPES)
    assert table.num_rows == 100
    assert table.column("code").num_chunks > 1
    expected = list(qs.values_list(*TYPES))
    got = list(zip(*(table.column(c).to_pylist() for c in TYPES)))
    assert got == [tuple("" if v is None and c == "parent_id" else v for v, c in zip(row, TYPES)) for row in expected]
    level = arrow_io.arrow_numbers(table, "level", dtype=np.int64)
    assert level.dtype == np.int64 and level.tolist() == [r[2] for r in expected]


@pytest.mark.django_db
def test_nulls_and_no_rows():
    if connection.vendor != "postgresql":
        pytest.skip("COPY … TO STDOUT is PostgreSQL's")
    _regions(2)
    qs = Wilayah.objects.filter(code__startswith="79").order_by("code")
    table = arrow_io.rows_as_arrow(qs, {"code": pa.string(), "parent_id": pa.float64()})
    assert np.isnan(arrow_io.arrow_numbers(table, "parent_id")[0])  # the province has no parent
    assert arrow_io.arrow_numbers(table, "parent_id", null=-1.0)[0] == -1.0
    empty = arrow_io.rows_as_arrow(Wilayah.objects.filter(code="nowhere"), TYPES)
    assert empty.num_rows == 0 and empty.schema == pa.schema(list(TYPES.items()))


@pytest.mark.django_db
def test_batches_come_a_block_at_a_time(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("COPY … TO STDOUT is PostgreSQL's")
    _regions(99)
    monkeypatch.setattr(arrow_io, "BLOCK_SIZE", 512)
    qs = Wilayah.objects.filter(code__startswith="79").order_by("code")
    tables = list(arrow_io.rows_as_arrow(qs, TYPES, batches=True))
    assert len(tables) > 2 and all(t.schema == pa.schema(list(TYPES.items())) for t in tables)
    assert pa.concat_tables(tables).column("code").to_pylist() == list(qs.values_list("code", flat=True))
    assert list(arrow_io.rows_as_arrow(qs.filter(code="nowhere"), TYPES, batches=True)) == []
