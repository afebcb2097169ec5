"""The declared e-PPGBM upload layout: the shipped file, a district's own file, and broken ones."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tumbuh.measurements.eppgbm_export import check_reimport
from tumbuh.measurements.upload_layout import (
    DEFAULT_PATH,
    FIELDS,
    LayoutError,
    clear_cache,
    layout_path,
    load_layout,
    parse_layout,
)

MINIMAL = """
[[column]]
header = "Nama Balita"
field = "name"
[[column]]
header = "JK"
field = "sex"
[[column]]
header = "Tanggal Lahir"
field = "birth_date"
[[column]]
header = "Kecamatan"
field = "kecamatan"
[[column]]
header = "Desa/Kelurahan"
field = "desa"
[[column]]
header = "Tgl Ukur"
field = "date"
[[column]]
header = "BB"
field = "weight"
"""


def test_the_shipped_layout_carries_every_field_the_issue_names_and_reimports():
    layout = load_layout()
    assert layout.path == DEFAULT_PATH == layout_path()
    assert {
        "nik",
        "name",
        "sex",
        "birth_date",
        "birth_order",
        "birth_weight",
        "birth_length",
        "parent_name",
        "parent_nik",
        "parent_phone",
        "address",
        "rt",
        "rw",
        "date",
        "weight",
        "lenhei",
        "position",
        "muac",
        "headc",
        "oedema",
        *(f"asi_{m}" for m in range(7)),
        "vita",
        "kelas_ibu",
        "mbg",
    } <= set(layout.fields)
    assert layout.headers[0] == "NIK Anak" and layout.sheet == "Data Pengukuran"
    check_reimport(layout)  # every header is read back by the e-PPGBM importer as its own field


def test_a_minimal_layout_gets_the_defaults():
    layout = parse_layout(MINIMAL)
    assert layout.fields == ["name", "sex", "birth_date", "kecamatan", "desa", "date", "weight"]
    assert (layout.dates, layout.yes_no, layout.positions, layout.sexes) == (
        "iso",
        ("Ya", "Tidak"),
        ("Terlentang", "Berdiri"),
        ("L", "P"),
    )
    assert layout.import_aliases()["weight"] == ("BB",)


def test_values_are_written_as_the_layout_says():
    layout = parse_layout(
        'dates = "dmy"\nyes_no = ["Y", "T"]\npositions = ["PB", "TB"]\nsexes = ["Laki-laki", "Perempuan"]\n' + MINIMAL
    )
    assert layout.date_text(dt.date(2026, 8, 5)) == "05/08/2026" and layout.date_text(None) == ""
    assert (layout.yes_no_text(True), layout.yes_no_text(False), layout.yes_no_text(None)) == ("Y", "T", "")
    assert (layout.position_text("l"), layout.position_text("h"), layout.position_text("")) == ("PB", "TB", "")
    assert (layout.sex_text(1), layout.sex_text(2)) == ("Laki-laki", "Perempuan")
    assert parse_layout(MINIMAL).date_text(dt.date(2026, 8, 5)) == "2026-08-05"


@pytest.mark.parametrize(
    "text, message",
    [
        ("sheet = [", "not valid TOML"),
        ('dates = "mdy"\n' + MINIMAL, 'dates must be "iso"'),
        ('date = "iso"\n' + MINIMAL, "unknown settings date"),
        ('sheet = "Data/Ukur"\n' + MINIMAL, "not a possible Excel sheet name"),
        ('sheet = "' + "x" * 32 + '"\n' + MINIMAL, "not a possible Excel sheet name"),
        ('yes_no = ["Ya"]\n' + MINIMAL, "yes_no must be two texts"),
        ('sexes = ["L", "l"]\n' + MINIMAL, "the two texts of sexes must differ"),
        (MINIMAL + '[[column]]\nheader = "Berat"\nfield = "berat"\n', "'berat' is not one"),
        (MINIMAL + '[[column]]\nheader = "bb"\nfield = "lenhei"\n', "column 8 (bb) repeats a field or a header"),
        (MINIMAL + '[[column]]\nheader = "Nama Ibu"\nfield = "name"\n', "repeats a field or a header"),
        (MINIMAL + '[[column]]\nheader = 12\nfield = "muac"\n', "written in quotes"),
        (MINIMAL + '[[column]]\nheader = "LiLA"\nfield = "muac"\nformat = "0.0"\n', "unknown keys format"),
        (MINIMAL.replace('field = "desa"', 'field = "posyandu"'), "must carry desa"),
        (MINIMAL.replace('field = "weight"', 'field = "muac"'), "must carry weight or lenhei"),
        ('column = "NIK"\n', "[[column]] tables"),
    ],
)
def test_a_broken_layout_says_what_is_wrong_and_where(text, message):
    with pytest.raises(LayoutError) as error:
        parse_layout(text, Path("/etc/tumbuh/layout.toml"))
    assert message in str(error.value) and str(error.value).startswith("/etc/tumbuh/layout.toml: ")


def test_the_district_points_the_environment_at_its_own_file(tmp_path, monkeypatch):
    own = tmp_path / "kabupaten.toml"
    own.write_text('sheet = "Upload"\n' + MINIMAL, encoding="utf-8")
    monkeypatch.setenv("TUMBUH_EPPGBM_UPLOAD_LAYOUT", str(own))
    assert load_layout().sheet == "Upload" and load_layout().path == own
    own.write_text('sheet = "Diubah"\n' + MINIMAL, encoding="utf-8")
    assert load_layout().sheet == "Upload"  # read once...
    clear_cache()
    assert load_layout().sheet == "Diubah"  # ...until the cache is cleared (in production: a restart)
    monkeypatch.setenv("TUMBUH_EPPGBM_UPLOAD_LAYOUT", str(tmp_path / "missing.toml"))
    with pytest.raises(LayoutError, match="missing.toml: cannot be read"):
        load_layout()
    (tmp_path / "latin1.toml").write_bytes('sheet = "Pengukuran Balita é"\n'.encode("latin-1") + MINIMAL.encode())
    monkeypatch.setenv("TUMBUH_EPPGBM_UPLOAD_LAYOUT", str(tmp_path / "latin1.toml"))
    with pytest.raises(LayoutError, match="not UTF-8"):
        load_layout()


def test_a_header_the_importer_reads_as_another_column_is_refused_before_any_export():
    layout = parse_layout(MINIMAL + '[[column]]\nheader = "Nama"\nfield = "parent_name"\n', Path("lokal.toml"))
    with pytest.raises(
        LayoutError, match="'Nama' \\(field parent_name\\) would be read back by the e-PPGBM importer as name"
    ):
        check_reimport(layout)


def test_every_field_is_documented_in_the_shipped_file():
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    documented = text.split("# Fields:", 1)[1].split("\n\n", 1)[0]
    for field in FIELDS:
        base = field if not field.startswith("asi_") else "asi_0"
        assert base in documented, field
