"""Nutritional status categories of Permenkes 2/2020 (Standar Antropometri Anak), vectorised.

Each indicator maps a z-score to a stable code; :data:`LABELS` gives the Indonesian label
(as the regulation words it) and an English one.

Cut-offs are applied to the z-score rounded to 2 decimals with R's rule (as WHO's software
prints it and as WHO's prevalence counts it), so a child at z = −2.004 is "normal", like in
WHO Anthro. A flagged (implausible) z gets the code ``implausible`` instead of a category,
and a missing z gets ``None``. With ``oedema``, weight-based indicators classify an oedema
case as the most severe category, as WHO's prevalence counts it (z = −3.1).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .zscores import r_round

IMPLAUSIBLE = "implausible"

# indicator → list of (code, lower bound, lower inclusive?) from the bottom up; the first
# category has no lower bound. Bounds follow the regulation's wording:
# "< −3", "−3 to < −2", "−2 to +1" (inclusive), "> +1 to +2", "> +2 to +3", "> +3".
_BINS: dict[str, list[tuple[str, float | None, bool]]] = {
    # TB/U or PB/U: length/height-for-age, 0–60 months
    "tbu": [
        ("sangat_pendek", None, False),
        ("pendek", -3.0, True),
        ("normal", -2.0, True),
        ("tinggi", 3.0, False),
    ],
    # BB/TB or BB/PB: weight-for-length/height, 0–60 months
    "bbtb": [
        ("gizi_buruk", None, False),
        ("gizi_kurang", -3.0, True),
        ("gizi_baik", -2.0, True),
        ("berisiko_gizi_lebih", 1.0, False),
        ("gizi_lebih", 2.0, False),
        ("obesitas", 3.0, False),
    ],
    # BB/U: weight-for-age, 0–60 months
    "bbu": [
        ("bb_sangat_kurang", None, False),
        ("bb_kurang", -3.0, True),
        ("bb_normal", -2.0, True),
        ("risiko_bb_lebih", 1.0, False),
    ],
    # IMT/U: BMI-for-age, 5–18 years (WHO 2007 reference)
    "imtu_5_18": [
        ("gizi_buruk", None, False),
        ("gizi_kurang", -3.0, True),
        ("gizi_baik", -2.0, True),
        ("gizi_lebih", 1.0, False),
        ("obesitas", 2.0, False),
    ],
}
# IMT/U, 0–60 months, has the cut-offs and names of BB/TB; TB/U 5–18 years those of 0–60 months.
_BINS["imtu"] = _BINS["bbtb"]
_BINS["tbu_5_18"] = _BINS["tbu"]

#: Which WHO z column each indicator classifies.
Z_COLUMN = {"tbu": "zlen", "bbtb": "zwfl", "bbu": "zwei", "imtu": "zbmi", "imtu_5_18": "zbfa", "tbu_5_18": "zhfa"}
FLAG_COLUMN = {k: "f" + v[1:] for k, v in Z_COLUMN.items()}
WEIGHT_BASED = {"bbtb", "bbu", "imtu", "imtu_5_18"}

#: Output column name of each indicator's category in files (Indonesian abbreviations).
CATEGORY_COLUMN = {
    "tbu": "status_tbu",
    "bbtb": "status_bbtb",
    "bbu": "status_bbu",
    "imtu": "status_imtu",
    "imtu_5_18": "status_imtu",
    "tbu_5_18": "status_tbu",
}

#: indicator → code → (Indonesian label, English label)
LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "tbu": {
        "sangat_pendek": ("Sangat pendek", "Severely stunted"),
        "pendek": ("Pendek", "Stunted"),
        "normal": ("Normal", "Normal"),
        "tinggi": ("Tinggi", "Tall"),
    },
    "bbtb": {
        "gizi_buruk": ("Gizi buruk", "Severely wasted"),
        "gizi_kurang": ("Gizi kurang", "Wasted"),
        "gizi_baik": ("Gizi baik (normal)", "Normal"),
        "berisiko_gizi_lebih": ("Berisiko gizi lebih", "Possible risk of overweight"),
        "gizi_lebih": ("Gizi lebih", "Overweight"),
        "obesitas": ("Obesitas", "Obese"),
    },
    "bbu": {
        "bb_sangat_kurang": ("Berat badan sangat kurang", "Severely underweight"),
        "bb_kurang": ("Berat badan kurang", "Underweight"),
        "bb_normal": ("Berat badan normal", "Normal weight"),
        "risiko_bb_lebih": ("Risiko berat badan lebih", "Risk of overweight"),
    },
    "imtu": {
        "gizi_buruk": ("Gizi buruk", "Severely wasted"),
        "gizi_kurang": ("Gizi kurang", "Wasted"),
        "gizi_baik": ("Gizi baik (normal)", "Normal"),
        "berisiko_gizi_lebih": ("Berisiko gizi lebih", "Possible risk of overweight"),
        "gizi_lebih": ("Gizi lebih", "Overweight"),
        "obesitas": ("Obesitas", "Obese"),
    },
    "imtu_5_18": {
        "gizi_buruk": ("Gizi buruk", "Severely thinness"),
        "gizi_kurang": ("Gizi kurang", "Thinness"),
        "gizi_baik": ("Gizi baik (normal)", "Normal"),
        "gizi_lebih": ("Gizi lebih", "Overweight"),
        "obesitas": ("Obesitas", "Obese"),
    },
    "tbu_5_18": {
        "sangat_pendek": ("Sangat pendek", "Severely stunted"),
        "pendek": ("Pendek", "Stunted"),
        "normal": ("Normal", "Normal"),
        "tinggi": ("Tinggi", "Tall"),
    },
}
for _labels in LABELS.values():
    _labels[IMPLAUSIBLE] = ("Di luar batas wajar (perlu diukur ulang)", "Implausible value (flagged; re-measure)")

INDICATORS = tuple(_BINS)
ANTHRO_INDICATORS = ("tbu", "bbtb", "bbu", "imtu")
ANTHROPLUS_INDICATORS = ("tbu_5_18", "imtu_5_18")


def categories(indicator: str) -> list[str]:
    """The codes of an indicator, from the most severe up, then ``implausible``."""
    return [c for c, _, _ in _BINS[indicator]] + [IMPLAUSIBLE]


def _rounded_near_bounds(z: np.ndarray, bounds: list[float], digits: int = 2) -> np.ndarray:
    """``z`` with R's ``round(z, digits)`` where it can change a comparison with a bound.

    Rounding moves z by at most half a unit of the last digit, so a z farther than one unit
    (10^-digits) from every bound is on the same side of each bound as its rounded value,
    and is never equal to one: comparisons give what they give on ``r_round(z)``. Only the
    rows within a unit of a bound (a few percent) are rounded, instead of every row.
    """
    eps = 10.0**-digits
    with np.errstate(invalid="ignore"):
        if all(float(b).is_integer() for b in bounds):  # the cut-offs: −3, −2, 1, 2, 3
            near = np.abs(z - np.rint(z)) <= eps
        else:
            near = np.zeros(z.shape, dtype=bool)
            for b in bounds:
                near |= np.abs(z - b) <= eps
    idx = np.flatnonzero(near)
    if idx.size == 0:
        return z
    out = z.copy()
    out.flat[idx] = r_round(z.flat[idx], digits)
    return out


def classify_index(z: Any, indicator: str, flags: Any = None, oedema: Any = None) -> np.ndarray:
    """Like :func:`classify`, as int8 positions in :func:`categories` (−1 = missing)."""
    if indicator not in _BINS:
        raise ValueError(f"unknown indicator {indicator!r}; one of {', '.join(_BINS)}")
    bins = _BINS[indicator]
    zr = _rounded_near_bounds(np.asarray(z, dtype=np.float64), [b for _, b, _ in bins[1:] if b is not None])
    pos = np.zeros(zr.shape, dtype=np.int8)
    with np.errstate(invalid="ignore"):
        for _, lower, inclusive in bins[1:]:
            pos += (zr >= lower) if inclusive else (zr > lower)
    pos[np.isnan(zr)] = -1
    if flags is not None:
        pos[np.asarray(flags, dtype=np.float64) == 1] = len(bins)
    if oedema is not None and indicator in WEIGHT_BASED:
        pos[np.asarray(oedema, dtype=bool)] = 0
    return pos


def classify(
    z: Any,
    indicator: str,
    flags: Any = None,
    oedema: Any = None,
) -> np.ndarray:
    """Category codes (object array; None where z is missing) for one indicator.

    ``z``: WHO z-scores (full precision or already rounded). ``flags``: WHO's flag column
    (1 → ``implausible``). ``oedema``: boolean array; an oedema case is put in the most
    severe category of a weight-based indicator even though its z is missing.
    """
    pos = classify_index(z, indicator, flags, oedema)
    codes = np.array(categories(indicator) + [None], dtype=object)
    return codes[pos]  # −1 picks the trailing None


def label(codes: Any, indicator: str, lang: str = "id") -> np.ndarray:
    """Labels for codes (``lang`` ``"id"`` or ``"en"``); None stays None."""
    k = 0 if lang == "id" else 1
    table = LABELS[indicator]
    uniq, inverse = np.unique(np.asarray(codes, dtype=object).astype(str), return_inverse=True)
    mapped = np.array([table[u][k] if u in table else None for u in uniq.tolist()], dtype=object)
    return mapped[inverse.reshape(-1)]


def classify_anthro(
    result: Mapping[str, np.ndarray], oedema: Any = None, as_index: bool = False
) -> dict[str, np.ndarray]:
    """Categories for an :func:`~tumbuh.growth.zscores.anthro_zscores` result:
    ``status_tbu``, ``status_bbtb``, ``status_bbu``, ``status_imtu``.

    Oedema cases are detected from the result's reason codes unless ``oedema`` is given.
    """
    if oedema is None and "reason_mask" in result:
        from .zscores import _BIT

        oedema = (result["reason_mask"] & _BIT["oedema"]) != 0
    return {
        CATEGORY_COLUMN[ind]: (classify_index if as_index else classify)(
            result[Z_COLUMN[ind]], ind, result[FLAG_COLUMN[ind]], oedema
        )
        for ind in ANTHRO_INDICATORS
    }


def classify_anthroplus(
    result: Mapping[str, np.ndarray], oedema: Any = None, as_index: bool = False
) -> dict[str, np.ndarray]:
    """Categories for an :func:`~tumbuh.growth.zscores.anthroplus_zscores` result."""
    if oedema is None and "reason_mask" in result:
        from .zscores import _BIT

        oedema = (result["reason_mask"] & _BIT["oedema"]) != 0
    return {
        CATEGORY_COLUMN[ind]: (classify_index if as_index else classify)(
            result[Z_COLUMN[ind]], ind, result[FLAG_COLUMN[ind]], oedema
        )
        for ind in ANTHROPLUS_INDICATORS
    }
