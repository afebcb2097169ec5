"""The WHO tables the phone's growth engine needs, as one compact JSON-able dict.

``tumbuh/offline/static/offline/growth.js`` computes z-scores on the phone. It needs the WHO
Child Growth Standards 2006 tables of the indicators the visit form stores (length/height-,
weight-, BMI-, head- and arm-circumference-for-age, weight-for-length and -for-height). They
are built here from :mod:`tumbuh.growth.tables`, the very arrays the Python engine uses; there is
no second copy of the data.

Encoding (kept small for 2G/3G: about 15 KB gzipped). For each table::

    {"start": first key, "stop": last key (inclusive), "plain_l1": bool,
     "sexes": [{"L": col, "M": col, "S": col}, {...}]}   # boys (sex 1), then girls (sex 2)

Keys are whole days of age, or millimetres (round(10·cm)) for ``wfl`` and ``wfh``. A column
``col`` is either one number (every row has that value, e.g. L = 1) or
``{"d": decimals, "v": [first, delta, delta, ...]}``: the table's values printed with their own
number of decimals ``d`` as integers, first the first one and then the differences from row to
row. Decoding: a running sum ``n`` of ``v``, each value ``n / 10**d``. Integers below 2**53 and
10**d are exact doubles and IEEE division rounds correctly, so the decoded double is exactly
the one Python's ``float()`` read from the CSV (checked when the dict is built).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
from decimal import Decimal
from typing import Any

import numpy as np

from . import tables

#: The tables the phone needs: the ``Measurement`` fields zlen, zwei, zwfl, zbmi, zac, zhc.
PHONE_TABLES = ("len", "wei", "bmi", "hc", "ac", "wfl", "wfh")
FORMAT = 1


def _decimals(value: float) -> int:
    exponent = Decimal(repr(value)).as_tuple().exponent
    if not isinstance(exponent, int):  # "n", "N" or "F": not a finite number
        raise ValueError(f"not a finite number: {value!r}")
    return max(0, -exponent)


def encode_column(values: np.ndarray) -> float | dict[str, Any]:
    """One column of a table (finite floats) → a number or ``{"d": decimals, "v": deltas}``."""
    floats = [float(v) for v in values.tolist()]
    if not floats or any(v != v or v in (float("inf"), float("-inf")) for v in floats):
        raise ValueError("a WHO column must be non-empty and finite")
    if all(v == floats[0] for v in floats):
        return floats[0]
    d = max(_decimals(v) for v in floats)
    scale = 10**d
    ints = [int(Decimal(repr(v)).scaleb(d)) for v in floats]
    for i, v in zip(ints, floats):
        if abs(i) >= 2**53 or i / scale != v:  # int / int: correctly rounded, like JavaScript's
            raise ValueError(f"{v!r} does not survive the integer encoding with {d} decimals")
    return {"d": d, "v": [ints[0]] + [b - a for a, b in zip(ints, ints[1:])]}


def decode_column(col: float | dict[str, Any], n: int) -> list[float]:
    """The inverse of :func:`encode_column` (what growth.js does), for tests and tools."""
    if not isinstance(col, dict):
        return [float(col)] * n
    scale = 10 ** col["d"]
    out, acc = [], 0
    for step in col["v"]:
        acc += step
        out.append(acc / scale)
    return out


def _table(name: str) -> dict[str, Any]:
    tab = tables.who2006(name)
    n = tab.stop - tab.start + 1
    sexes = []
    for sex in (1, 2):
        lo = sex * tab.stride
        sexes.append({c: encode_column(getattr(tab, c)[lo : lo + n]) for c in "LMS"})
    return {"start": tab.start, "stop": tab.stop, "plain_l1": tab.plain_l1, "sexes": sexes}


@functools.cache
def phone_tables() -> dict[str, Any]:
    """The dict growth.js's ``TumbuhGrowth.setTables`` takes (do not mutate: it is cached)."""
    return {
        "format": FORMAT,
        "standard": "WHO Child Growth Standards 2006",
        "tables": {name: _table(name) for name in PHONE_TABLES},
    }


@functools.cache
def json_bytes() -> bytes:
    """:func:`phone_tables` as compact JSON (sorted keys: the same bytes on every machine)."""
    return json.dumps(phone_tables(), separators=(",", ":"), sort_keys=True, allow_nan=False).encode("ascii")


@functools.cache
def gzip_bytes() -> bytes:
    """:func:`json_bytes` gzipped (deterministic: no file name, mtime 0)."""
    return gzip.compress(json_bytes(), compresslevel=9, mtime=0)


@functools.cache
def content_hash() -> str:
    """The first 16 hex digits of the SHA-256 of :func:`json_bytes` (names the URL)."""
    return hashlib.sha256(json_bytes()).hexdigest()[:16]
