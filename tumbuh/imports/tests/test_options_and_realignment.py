"""Values given with a file (``Option``) and rows that leave an ``omissible`` cell out."""

import pytest

from tumbuh.imports.errors import RowError
from tumbuh.imports.framework import Column, Importer, Option, Plan, register, run_import
from tumbuh.imports.models import BatchStatus
from tumbuh.imports.testing import csv_bytes
from tumbuh.wilayah.models import Wilayah

pytestmark = pytest.mark.django_db

SEEN: list = []


@register
class _Probe(Importer):
    """Keeps what it read, writes nothing."""

    kind = "test-probe"
    title = "probe"
    model = Wilayah
    columns = (
        Column("name", "Nama"),
        Column("count", "Jumlah", omissible=lambda text: text == "" or text.isdigit()),
        Column("age", "Usia"),
        Column("date", "Tanggal"),
    )
    required = (("name",),)
    options = (Option("year", "Tahun", int, minimum=2015, maximum=2100),)

    def validate(self, row):
        if row["name"] == "tolak":
            raise RowError("refused")
        SEEN.append((self.option["year"], row["name"], row["count"], row["age"], row["date"]))
        return Plan(row, None, changed=False)


def _run(user, rows, **options):
    SEEN.clear()
    return run_import(
        "test-probe",
        user=user,
        kabupaten=Wilayah.objects.get(pk="73.24"),
        source=csv_bytes(rows),
        file_name="probe.csv",
        options=options,
    )


def test_a_row_one_cell_short_is_realigned_where_the_omissible_cell_is_missing(alice):
    batch = _run(
        alice,
        [
            ["Nama", "Jumlah", "Usia", "Tanggal"],
            ["Ani", "3", "2 Tahun", "2026-02-10"],  # complete
            ["Budi", "1 Tahun", "2026-02-11"],  # "Jumlah" left out: the rest stays under its header
            ["Cici", "2", "3 Tahun"],  # short at the end (an empty last cell): not shifted
        ],
        year="2025",
    )
    assert batch.status == BatchStatus.DONE, batch.error
    assert SEEN == [
        (2025, "Ani", "3", "2 Tahun", "2026-02-10"),
        (2025, "Budi", "", "1 Tahun", "2026-02-11"),
        (2025, "Cici", "2", "3 Tahun", ""),
    ]
    assert batch.options == {"year": 2025}


def test_options_are_checked_before_anything_is_read(alice):
    with pytest.raises(ValueError, match="Tahun"):
        _run(alice, [["Nama"], ["Ani"]])
    with pytest.raises(ValueError, match="2015"):
        _run(alice, [["Nama"], ["Ani"]], year="1999")
    assert SEEN == []


def test_rows_carrying_one_cell_more_than_the_header_still_realign_the_short_ones(alice):
    # Every data row ends with a cell the header does not name (a second action link, say), so a
    # full row has 5 cells under 4 headers and one without "Jumlah" has 4, as many as the header.
    batch = _run(
        alice,
        [
            ["Nama", "Jumlah", "Usia", "Tanggal"],
            ["Budi", "1 Tahun", "2026-02-11", "Hapus"],  # "Jumlah" left out, first: before any full row
            ["Ani", "3", "2 Tahun", "2026-02-10", "Hapus"],
            ["Cici", "2 Tahun", "2026-02-12", ""],  # "Jumlah" left out, an empty last cell
        ],
        year="2025",
    )
    assert batch.status == BatchStatus.DONE, batch.error
    assert SEEN == [
        (2025, "Budi", "", "1 Tahun", "2026-02-11"),
        (2025, "Ani", "3", "2 Tahun", "2026-02-10"),
        (2025, "Cici", "", "2 Tahun", "2026-02-12"),
    ]
