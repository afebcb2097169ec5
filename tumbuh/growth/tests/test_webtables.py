"""The WHO tables for the phone (webtables.py): the Python engine's own arrays, exactly, small."""

import dataclasses
import gzip
import hashlib
import json

import numpy as np
import pytest

from tumbuh.growth import tables, webtables


def test_every_value_decodes_to_the_engines_own_double():
    data = json.loads(webtables.json_bytes())
    assert data == webtables.phone_tables()
    assert set(data["tables"]) == set(webtables.PHONE_TABLES)
    for name, t in data["tables"].items():
        tab = tables.who2006(name)
        assert (t["start"], t["stop"], t["plain_l1"]) == (tab.start, tab.stop, tab.plain_l1)
        n = tab.stop - tab.start + 1
        for sex, cols in zip((1, 2), t["sexes"]):
            for c in "LMS":
                want = getattr(tab, c)[sex * tab.stride : sex * tab.stride + n]
                got = np.array(webtables.decode_column(cols[c], n))
                assert np.array_equal(got, want), (name, sex, c)  # bit for bit


def test_the_ranges_the_phone_needs():
    t = webtables.phone_tables()["tables"]
    assert {k: (v["start"], v["stop"]) for k, v in t.items()} == {
        "len": (0, 1826),
        "wei": (0, 1826),
        "bmi": (0, 1826),
        "hc": (0, 1826),
        "ac": (91, 1826),
        "wfl": (450, 1100),
        "wfh": (650, 1200),
    }
    assert t["len"]["sexes"][0]["L"] == 1.0  # a constant column is one number
    assert t["wei"]["sexes"][1]["M"]["d"] == 4  # the table's own 4 decimals


def test_small_on_the_wire():
    assert len(webtables.gzip_bytes()) < 40_000  # about 15 KB
    assert len(webtables.json_bytes()) < 250_000
    assert gzip.decompress(webtables.gzip_bytes()) == webtables.json_bytes()
    assert webtables.gzip_bytes() == gzip.compress(webtables.json_bytes(), 9, mtime=0)  # deterministic


def test_the_hash_is_of_the_bytes():
    digest = webtables.content_hash()
    assert len(digest) == 16 and int(digest, 16) >= 0
    assert digest == hashlib.sha256(webtables.json_bytes()).hexdigest()[:16]


def test_built_from_the_engines_tables_not_a_copy(monkeypatch):
    # Change one value in the engine's weight-for-age table: the served tables and their hash follow.
    real = tables.who2006
    wei = real("wei")
    M = wei.M.copy()
    M[1 * wei.stride + 100] = 9.9999

    def patched(name):
        return dataclasses.replace(wei, M=M) if name == "wei" else real(name)

    before = webtables.content_hash()
    for f in (webtables.phone_tables, webtables.json_bytes, webtables.gzip_bytes, webtables.content_hash):
        f.cache_clear()
    monkeypatch.setattr(tables, "who2006", patched)
    try:
        col = webtables.phone_tables()["tables"]["wei"]["sexes"][0]["M"]
        assert webtables.decode_column(col, wei.stop - wei.start + 1)[100] == 9.9999
        assert webtables.content_hash() != before
    finally:
        monkeypatch.undo()
        for f in (webtables.phone_tables, webtables.json_bytes, webtables.gzip_bytes, webtables.content_hash):
            f.cache_clear()
    assert webtables.content_hash() == before


def test_encode_column_refuses_what_it_cannot_carry_exactly():
    assert webtables.encode_column(np.array([1.0, 1.0])) == 1.0
    assert webtables.encode_column(np.array([0.5, 0.25, 1.125])) == {"d": 3, "v": [500, -250, 875]}
    with pytest.raises(ValueError):
        webtables.encode_column(np.array([1.0, np.nan]))
    with pytest.raises(ValueError):
        webtables.encode_column(np.array([0.1, 1e-30]))  # 10^31 · 0.1 is beyond 2^53
