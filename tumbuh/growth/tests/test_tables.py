"""The shipped WHO tables are the ones documented in data/README.md, and load correctly."""

from __future__ import annotations

import hashlib
import re

import numpy as np

from tumbuh.growth import tables

README = tables.DATA_DIR / "README.md"


def _documented_checksums() -> dict[str, str]:
    text = README.read_text(encoding="utf-8")
    return dict((path, digest) for digest, path in re.findall(r"^([0-9a-f]{64})  (\S+)$", text, re.M))


def test_every_shipped_table_has_a_documented_checksum_that_matches():
    documented = _documented_checksums()
    shipped = sorted(p.relative_to(tables.DATA_DIR).as_posix() for p in tables.DATA_DIR.glob("who200*/*.csv"))
    assert shipped == sorted(documented)
    assert len(shipped) == 12
    for rel in shipped:
        digest = hashlib.sha256((tables.DATA_DIR / rel).read_bytes()).hexdigest()
        assert digest == documented[rel], rel


def test_checksums_match_the_shared_source_readmes():
    # The same digests as published beside the shared tables (copied text, no reformatting).
    documented = _documented_checksums()
    assert (
        documented["who2006/length_height_for_age.csv"]
        == "8746601cb8abda640492d6edcd2a711b4e16b3cf0c3af86c1ab4ca867f393307"
    )
    assert (
        documented["who2007/height_for_age.csv"] == "9322d9a5b5a360c89dc73c579477249e11dc3d82cb6f428911241a0480f2f318"
    )


def test_age_tables_are_dense_by_day_and_sex():
    for name, start in [("len", 0), ("wei", 0), ("bmi", 0), ("hc", 0), ("ac", 91), ("ts", 91), ("ss", 91)]:
        t = tables.who2006(name)
        assert (t.start, t.stop) == (start, 1826)
        for sex in (1, 2):
            block = t.M[sex * t.stride : (sex + 1) * t.stride]
            assert np.isfinite(block[:-1]).all() and np.isnan(block[-1])
        assert np.isnan(t.M[: t.stride]).all()  # sex 0: no row


def test_length_and_head_circumference_have_l_equal_to_one():
    assert tables.who2006("len").plain_l1 and tables.who2006("hc").plain_l1
    assert not tables.who2006("wei").plain_l1


def test_weight_for_length_rows_are_keyed_by_millimetre():
    t = tables.who2006("wfl")
    assert (t.start, t.stop) == (450, 1100)
    # Boys, 45.0 cm: L=-0.3521 M=2.441 S=0.09182 (first row of the CSV).
    i = 1 * t.stride + 0
    assert (t.L[i], t.M[i], t.S[i]) == (-0.3521, 2.441, 0.09182)
    h = tables.who2006("wfh")
    assert (h.start, h.stop) == (650, 1200)


def test_who2007_tables_cover_60_to_229_months():
    assert (tables.who2007("hfa").start, tables.who2007("hfa").stop) == (60, 229)
    assert (tables.who2007("bfa").start, tables.who2007("bfa").stop) == (60, 229)
    assert (tables.who2007("wfa").start, tables.who2007("wfa").stop) == (60, 121)


def test_tables_are_cached_and_read_only():
    assert tables.who2006("wei") is tables.who2006("wei")
    assert not tables.who2006("wei").M.flags.writeable


def test_the_tables_hold_the_files_numbers_bit_for_bit():
    # numpy's parser gives what Python's float() gives for every number in every file
    import csv

    for path in sorted(tables.DATA_DIR.glob("who200*/*.csv")):
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        names = ("sex", rows[0][1], "L", "M", "S")
        want = np.array([[float(r[rows[0].index(n)]) for n in names] for r in rows[1:] if r])
        got = tables._read_columns(path, names)
        assert got.shape == want.shape, path.name
        assert np.array_equal(got.view(np.int64), want.view(np.int64)), path.name
