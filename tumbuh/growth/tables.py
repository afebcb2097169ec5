"""WHO LMS tables as dense numpy arrays for O(1) vectorised look-up.

The CSV files in ``data/`` are byte-identical copies of the WHO tables (see
``data/README.md``). They are parsed once, on first use, and cached.

Layout: every table is three flat float64 arrays ``L``, ``M``, ``S``. The row of key ``k``
(a day, a month, or a length in mm = round(10·cm)) for sex ``s`` (1 or 2) is at
``s * stride + (k - start)``. Sex 0 (missing/unknown) is a block of NaN, and the last slot
of every block is NaN too, so an out-of-range key can be sent to ``stride - 1`` and yields
NaN without a branch.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DATA_DIR = Path(__file__).resolve().parent / "data"
WHO2006_DIR = DATA_DIR / "who2006"
WHO2007_DIR = DATA_DIR / "who2007"

#: File name of each indicator's table (WHO Child Growth Standards 2006, 0–5 years).
WHO2006_FILES = {
    "len": "length_height_for_age.csv",
    "wei": "weight_for_age.csv",
    "bmi": "bmi_for_age.csv",
    "hc": "head_circumference_for_age.csv",
    "ac": "arm_circumference_for_age.csv",
    "ts": "triceps_skinfold_for_age.csv",
    "ss": "subscapular_skinfold_for_age.csv",
    "wfl": "weight_for_length.csv",
    "wfh": "weight_for_height.csv",
}

#: WHO Growth Reference 2007 (5–19 years), keyed by whole months.
WHO2007_FILES = {
    "hfa": "height_for_age.csv",
    "wfa": "weight_for_age.csv",
    "bfa": "bmi_for_age.csv",
}


@dataclass(frozen=True)
class LMSTable:
    """One indicator's LMS parameters in a dense [sex, key] layout (flattened)."""

    name: str
    start: int  # first key (day, month, or mm)
    stop: int  # last key, inclusive
    stride: int  # slots per sex block = (stop - start + 1) + 1 NaN slot
    L: np.ndarray
    M: np.ndarray
    S: np.ndarray
    plain_l1: bool  # every L == 1: (y/M)^L is y/M exactly

    @property
    def nan_slot(self) -> int:
        return self.stride - 1

    def index(self, sex: np.ndarray, key: np.ndarray, valid: np.ndarray) -> np.ndarray:
        """Flat index for integer-valued ``key`` (float or int array); invalid → NaN slot.

        ``sex`` must be 0/1/2 (int); ``valid`` says where key is in range and present.
        """
        off = np.where(valid, key - self.start, self.nan_slot)
        return sex.astype(np.intp) * self.stride + off.astype(np.intp)

    def in_range(self, key: np.ndarray) -> np.ndarray:
        return (key >= self.start) & (key <= self.stop)


def _read_columns(path: Path, names: tuple[str, ...]) -> np.ndarray:
    """The columns ``names`` of a table's CSV as float64, one row per line (numpy's C parser,
    correctly rounded as Python's ``float``; ~3× quicker than the csv module)."""
    with open(path, encoding="utf-8") as fh:
        header = fh.readline().strip().split(",")
        return np.loadtxt(fh, delimiter=",", usecols=[header.index(n) for n in names], ndmin=2)


def _build(name: str, path: Path, key_col: str, scale: int) -> LMSTable:
    cols = _read_columns(path, ("sex", key_col, "L", "M", "S"))
    sexes = cols[:, 0].astype(np.int64)
    # Keys: whole days/months (scale 1) or 0.1 cm steps (scale 10 → integer mm), rounded
    # half to even as Python's round().
    keys = np.rint(cols[:, 1] * scale).astype(np.int64)
    L, M, S = (np.ascontiguousarray(cols[:, i]) for i in (2, 3, 4))
    start, stop = int(keys.min()), int(keys.max())
    n = stop - start + 1
    stride = n + 1
    out = {k: np.full(3 * stride, np.nan) for k in "LMS"}
    seen = np.zeros(3 * stride, dtype=bool)
    for sex in (1, 2):
        sel = sexes == sex
        pos = sex * stride + (keys[sel] - start)
        if len(pos) != n or np.any(seen[pos]):
            raise ValueError(f"{path.name}: sex {sex} does not have one row per key {start}..{stop}")
        seen[pos] = True
        out["L"][pos], out["M"][pos], out["S"][pos] = L[sel], M[sel], S[sel]
    for arr in out.values():
        arr.setflags(write=False)
    return LMSTable(
        name=name,
        start=start,
        stop=stop,
        stride=stride,
        L=out["L"],
        M=out["M"],
        S=out["S"],
        plain_l1=bool(np.all(L == 1.0)),
    )


@functools.cache
def who2006(name: str) -> LMSTable:
    """The WHO 2006 table for ``name`` (``len wei bmi hc ac ts ss wfl wfh``), cached."""
    fname = WHO2006_FILES[name]
    if name == "wfl":
        return _build(name, WHO2006_DIR / fname, "length_cm", 10)
    if name == "wfh":
        return _build(name, WHO2006_DIR / fname, "height_cm", 10)
    return _build(name, WHO2006_DIR / fname, "age_days", 1)


@functools.cache
def who2007(name: str) -> LMSTable:
    """The WHO 2007 reference table for ``name`` (``hfa wfa bfa``), cached."""
    return _build(name, WHO2007_DIR / WHO2007_FILES[name], "age_months", 1)


@dataclass(frozen=True)
class WeightForLenHei:
    """WFL (45–110 cm) and WFH (65–120 cm) stacked into one flat array.

    Index of the row at ``mm`` (= trunc(10·x)) for sex ``s`` in table ``t`` (0 = length,
    1 = height): ``base[t, s] + mm - start[t]``. Each sex block has trailing NaN slots so
    that the "upper" neighbour of the last row reads NaN, like WHO's failed join.
    """

    L: np.ndarray
    M: np.ndarray
    S: np.ndarray
    start: np.ndarray  # [2] first mm of each table (450, 650)
    stop: np.ndarray  # [2] last mm (1100, 1200)
    base: np.ndarray  # [2, 3] flat offset of each (table, sex) block; sex 0 → NaN block
    nan_slot: int


@functools.cache
def weight_for_lenhei() -> WeightForLenHei:
    wfl, wfh = who2006("wfl"), who2006("wfh")
    parts_l: list[np.ndarray] = [np.full(2, np.nan)]  # slot 0..1: NaN for sex 0 / no table
    parts_m: list[np.ndarray] = [np.full(2, np.nan)]
    parts_s: list[np.ndarray] = [np.full(2, np.nan)]
    base = np.zeros((2, 3), dtype=np.intp)
    pos = 2
    for t, tab in enumerate((wfl, wfh)):
        base[t, 0] = 0  # sex 0 → NaN slot region (index 0 + offset is clipped to 0 by caller)
        for sex in (1, 2):
            lo = sex * tab.stride
            hi = lo + tab.stride  # includes the table's own trailing NaN slot
            parts_l.append(tab.L[lo:hi])
            parts_m.append(tab.M[lo:hi])
            parts_s.append(tab.S[lo:hi])
            base[t, sex] = pos
            pos += tab.stride
    L = np.concatenate(parts_l)
    M = np.concatenate(parts_m)
    S = np.concatenate(parts_s)
    for arr in (L, M, S):
        arr.setflags(write=False)
    return WeightForLenHei(
        L=L,
        M=M,
        S=S,
        start=np.array([wfl.start, wfh.start]),
        stop=np.array([wfl.stop, wfh.stop]),
        base=base,
        nan_slot=0,
    )


def load_all() -> None:
    """Parse every table now (e.g. before forking workers or timing)."""
    for name in WHO2006_FILES:
        who2006(name)
    for name in WHO2007_FILES:
        who2007(name)
    weight_for_lenhei()
