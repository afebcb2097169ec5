"""Conversion at the door: anything array-like → clean numpy arrays plus "invalid" masks.

Accepts numpy arrays, pyarrow Arrays/ChunkedArrays, pandas Series (without importing
pandas), python lists and scalars. Text is parsed vectorised with pyarrow.compute, so a
stray ``"abc"`` or ``"9,5"`` never raises: it becomes NaN plus an ``invalid`` flag (or,
for a decimal comma, the number 9.5).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa


class _Compute:
    """``pyarrow.compute``, imported at its first use. Numbers read from Parquet never need
    it, and its import is ~20 ms of a fresh ``tumbuh zscore`` (it builds a Python wrapper for
    each of Arrow's ~300 functions)."""

    def __getattr__(self, name: str) -> Any:
        import pyarrow.compute

        return getattr(pyarrow.compute, name)


pc: Any = _Compute()

_NUMBER_RE = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"
_NA_WORDS = ["", "na", "nan", "null", "none", "n/a", "-", "."]


def _length(x: Any) -> int | None:
    if x is None or np.isscalar(x) or isinstance(x, (str, bytes)):
        return None
    try:
        return len(x)
    except TypeError:
        return None


def common_length(*values: Any) -> int:
    """Length of the array arguments (scalars broadcast); they must agree."""
    lengths = {n for n in (_length(v) for v in values) if n is not None}
    if len(lengths) > 1:
        raise ValueError(f"input arrays have different lengths: {sorted(lengths)}")
    return lengths.pop() if lengths else 1


def _to_arrow_or_numpy(x: Any) -> np.ndarray | pa.Array:
    """Unwrap containers to a numpy array or a pyarrow Array (not copied where avoidable)."""
    if isinstance(x, pa.ChunkedArray):
        return x.combine_chunks() if x.num_chunks != 1 else x.chunk(0)
    if isinstance(x, pa.Array):
        return x
    if hasattr(x, "to_numpy") and hasattr(x, "dtype") and not isinstance(x, np.ndarray):
        # pandas Series / Index (nullable extension dtypes included)
        dt = str(x.dtype)
        if dt in ("Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64", "Float32", "Float64"):
            return x.to_numpy(dtype="float64", na_value=np.nan)
        if dt == "boolean":
            return x.to_numpy(dtype="object", na_value=None)
        return x.to_numpy()
    return np.asarray(x)


def _object_to_arrow_strings(a: np.ndarray) -> pa.Array:
    """Object/str numpy array → pyarrow string array (None/NaN → null)."""
    a = a.ravel()
    if a.dtype.kind in "US":
        # via object: much faster in pyarrow than converting fixed-width UTF-32 directly
        return pa.array(a.astype(object), type=pa.string())
    try:
        arr = pa.array(a, from_pandas=True)
        if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
            return arr.cast(pa.string())
        if pa.types.is_null(arr.type):
            return pa.nulls(len(a), pa.string())
        return pc.cast(arr, pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        pass
    # Mixed python types: str() each value, keep missing as null.
    missing = np.fromiter((v is None or (isinstance(v, float) and v != v) for v in a), bool, len(a))
    text = a.astype(str)
    return pa.array(text, type=pa.string(), mask=missing)


def _clean_text(arr: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """Trim and lower-case; return (text, missing mask) with NA-words treated as missing."""
    s = pc.utf8_lower(pc.utf8_trim_whitespace(arr))
    missing = pc.or_kleene(pc.is_null(s), pc.is_in(s, value_set=pa.array(_NA_WORDS)))
    missing_np = np.asarray(pc.fill_null(missing, True).to_numpy(zero_copy_only=False), dtype=bool)
    return s, missing_np


def to_float(x: Any, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Return (float64 values with NaN for missing/invalid, invalid mask)."""
    no_invalid = np.zeros(n, dtype=bool)
    if x is None:
        return np.full(n, np.nan), no_invalid
    if _length(x) is None:  # scalar
        vals, inv = to_float([x], 1)
        return np.full(n, vals[0]), np.full(n, inv[0])
    a = _to_arrow_or_numpy(x)
    if isinstance(a, np.ndarray):
        if a.dtype.kind == "f":
            return a.astype(np.float64, copy=False).ravel(), no_invalid
        if a.dtype.kind in "iub":
            return a.astype(np.float64).ravel(), no_invalid
        a = _object_to_arrow_strings(a)
    t = a.type
    if pa.types.is_floating(t) or pa.types.is_integer(t):
        # Arrow's own to_numpy: floats as they are, nulls as NaN; the same values as a cast.
        vals = a.to_numpy(zero_copy_only=False)
        return np.asarray(vals, dtype=np.float64), no_invalid
    if pa.types.is_boolean(t) or pa.types.is_decimal(t):
        vals = pc.cast(a, pa.float64()).to_numpy(zero_copy_only=False)
        return np.asarray(vals, dtype=np.float64), no_invalid
    if pa.types.is_null(t):
        return np.full(n, np.nan), no_invalid
    if not (pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_dictionary(t)):
        a = pc.cast(a, pa.string())
    if pa.types.is_dictionary(a.type):
        a = a.dictionary_decode()
    # Fast path for clean text ("9.5", "12"): Arrow's own parser. Anything it rejects
    # (spaces, "9,5", "abc") or reads as ±inf goes through the tolerant path below.
    try:
        fast = np.asarray(pc.cast(a, pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)
        if not np.isinf(fast).any():
            return fast, no_invalid
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    s, missing = _clean_text(a)
    s = pc.replace_substring(s, ",", ".")  # decimal comma, e.g. "9,5"
    ok = pc.fill_null(pc.match_substring_regex(s, _NUMBER_RE), False)
    vals = pc.cast(pc.if_else(ok, s, pa.scalar(None, pa.string())), pa.float64())
    vals_np = np.asarray(vals.to_numpy(zero_copy_only=False), dtype=np.float64)
    ok_np = np.asarray(ok.to_numpy(zero_copy_only=False), dtype=bool)
    invalid = ~ok_np & ~missing
    return vals_np, invalid


def to_codes(
    x: Any,
    n: int,
    text_map: dict[str, int],
    numeric_map: dict[float, int] | None = None,
    default_missing: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Map categorical input to small int codes.

    Returns (codes int8, missing mask, invalid mask). Missing → ``default_missing``;
    invalid (present but not recognised) → also ``default_missing`` with invalid=True.
    """
    if x is None:
        return (
            np.full(n, default_missing, dtype=np.int8),
            np.ones(n, dtype=bool),
            np.zeros(n, dtype=bool),
        )
    if _length(x) is None:
        c, m, i = to_codes([x], 1, text_map, numeric_map, default_missing)
        return np.full(n, c[0], dtype=np.int8), np.full(n, m[0]), np.full(n, i[0])
    a = _to_arrow_or_numpy(x)
    numeric_map = numeric_map or {}
    if isinstance(a, np.ndarray) and a.dtype.kind in "fiub":
        v = a.astype(np.float64).ravel()
        missing = np.isnan(v)
        codes = np.full(n, default_missing, dtype=np.int8)
        known = np.zeros(n, dtype=bool)
        for num, code in numeric_map.items():
            hit = v == num
            codes[hit] = code
            known |= hit
        return codes, missing, ~known & ~missing
    if isinstance(a, np.ndarray):
        a = _object_to_arrow_strings(a)
    if pa.types.is_dictionary(a.type):
        a = a.dictionary_decode()
    if pa.types.is_floating(a.type) or pa.types.is_integer(a.type) or pa.types.is_boolean(a.type):
        return to_codes(
            np.asarray(pc.cast(a, pa.float64()).to_numpy(zero_copy_only=False)),
            n,
            text_map,
            numeric_map,
            default_missing,
        )
    if not (pa.types.is_string(a.type) or pa.types.is_large_string(a.type)):
        a = pc.cast(a, pa.string())
    fast = _single_char_codes(a, text_map, default_missing)
    if fast is not None:
        return fast
    # Categorical text has few distinct values: clean and map the dictionary, not the rows.
    enc = pc.dictionary_encode(a)
    dictionary, indices = enc.dictionary, enc.indices
    d_clean, d_missing = _clean_text(dictionary)
    keys = list(text_map)
    pos = pc.index_in(d_clean, value_set=pa.array(keys, type=pa.string()))
    d_pos = np.asarray(pc.fill_null(pos, len(keys)).to_numpy(zero_copy_only=False), dtype=np.intp)
    d_codes = np.array([text_map[k] for k in keys] + [default_missing], dtype=np.int8)[d_pos]
    d_codes[d_missing] = default_missing
    d_invalid = (d_pos == len(keys)) & ~d_missing
    # One extra slot for null rows: missing.
    d_codes = np.append(d_codes, np.int8(default_missing))
    d_missing = np.append(d_missing, True)
    d_invalid = np.append(d_invalid, False)
    idx = np.asarray(pc.fill_null(indices, len(dictionary)).to_numpy(zero_copy_only=False), dtype=np.intp)
    return d_codes[idx], d_missing[idx], d_invalid[idx]


def _single_char_codes(
    a: pa.Array, text_map: dict[str, int], default_missing: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Fast path for the common case of one-character codes ('l'/'h', 'y'/'n', 'L'/'P'):
    read the bytes straight from the Arrow buffer and map them with a 256-entry table."""
    if a.null_count or len(a) == 0 or not pa.types.is_string(a.type):
        return None
    offsets = np.frombuffer(a.buffers()[1], dtype=np.int32, count=len(a) + 1, offset=a.offset * 4)
    if offsets[-1] - offsets[0] != len(a) or not (np.diff(offsets) == 1).all():
        return None
    data = np.frombuffer(a.buffers()[2], dtype=np.uint8, count=len(a), offset=int(offsets[0]))
    codes = np.full(256, default_missing, dtype=np.int8)
    known = np.zeros(256, dtype=bool)
    missing = np.zeros(256, dtype=bool)
    for ch in range(128):
        c = chr(ch).strip().lower()
        if c in text_map:
            codes[ch] = text_map[c]
            known[ch] = True
        elif c in _NA_WORDS:
            missing[ch] = True
    return codes[data], missing[data], ~known[data] & ~missing[data]
