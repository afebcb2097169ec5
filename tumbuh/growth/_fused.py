"""Fused single-pass z-score kernel (numba), bit-identical to the numpy kernel in ``zscores``.

The numpy kernel in :mod:`tumbuh.growth.zscores` is the reference implementation. This
module computes the same ``anthro_zscores`` outputs in one compiled loop over the rows:
every value goes through the same IEEE operations in the same order (no fastmath, so no
reassociation and no FMA contraction), and ``(y/M)^L`` is C's ``pow`` (``math.pow`` in
numba lowers to the C library's ``pow``, which is what R and numpy's ``power`` call). The
test ``tests/test_fused.py`` checks bit-identity of every output column against the numpy
kernel on WHO's reference rows and on random (hypothesis) inputs.

Only imported once a process has scored enough rows for it to pay off
(``zscores.FUSED_LOAD_ROWS``; calls below ``FUSED_MIN_ROWS`` always use numpy), so a web
request scoring one child never imports numba. Without numba, or when compilation fails,
``zscores`` falls back to the numpy kernel.

Compiled code is cached (``cache=True``: next to this file in ``__pycache__``, or, when the
package is installed read-only, in numba's user-wide cache directory,
``NUMBA_CACHE_DIR`` or ``~/.cache/numba``); when no cache location is writable it compiles
without a cache (a few seconds at the first call of each process).

Constants (reason bit positions, table limits) are literals in this file or arguments, never
globals from another module: numba's cache is invalidated only when *this* file changes.
"""

from __future__ import annotations

import functools
import math
import warnings

import numpy as np
from numba import njit

from . import tables

# Indicator slots, in WHO's column order.
LEN, WEI, WFL, BMI, HC, AC, TS, SS = range(8)
INDICATORS = ("len", "wei", "wfl", "bmi", "hc", "ac", "ts", "ss")
AGE_TABLES = ("len", "wei", "bmi", "hc", "ac", "ts", "ss")  # rows of the packed age tables
_AGE_ROW = {name: i for i, name in enumerate(AGE_TABLES)}

# Reason codes the kernel sets, by position in ``bits`` (the uint32 bit of each is passed in).
REASON_ORDER = (
    "sex_missing", "sex_unknown", "age_missing", "age_invalid", "age_negative", "age_out_of_range",
    "weight_missing", "weight_invalid", "weight_nonpositive",
    "lenhei_missing", "lenhei_invalid", "lenhei_nonpositive",
    "measure_invalid", "standing_under_9mo", "oedema_invalid", "oedema", "wfl_out_of_range",
    "headc_invalid", "headc_nonpositive", "armc_invalid", "armc_nonpositive",
    "triskin_invalid", "triskin_nonpositive", "subskin_invalid", "subskin_nonpositive",
    "age_under_91_days",
)  # fmt: skip
(R_SEX_MISSING, R_SEX_UNKNOWN, R_AGE_MISSING, R_AGE_INVALID, R_AGE_NEGATIVE, R_AGE_OOR,
 R_W_MISSING, R_W_INVALID, R_W_NONPOS, R_L_MISSING, R_L_INVALID, R_L_NONPOS,
 R_MEASURE_INVALID, R_STANDING_9MO, R_OEDEMA_INVALID, R_OEDEMA, R_WFL_OOR,
 R_HC_INVALID, R_HC_NONPOS, R_AC_INVALID, R_AC_NONPOS, R_TS_INVALID, R_TS_NONPOS,
 R_SS_INVALID, R_SS_NONPOS, R_UNDER_91) = range(26)  # fmt: skip


def _jit(fn=None, *, inline=False):
    """njit with a disk cache when some cache location is writable, without one otherwise.

    ``error_model="numpy"``: x/0 gives ±inf/NaN as in numpy instead of raising.
    ``inline``: inline at numba IR level (helpers called once per row: no call, and no
    reference counting of the arrays they are given).
    """
    if fn is None:
        return lambda f: _jit(f, inline=inline)
    opts = dict(fastmath=False, nogil=True, error_model="numpy")
    if inline:
        return njit(inline="always", **opts)(fn)  # compiled into (and cached with) the caller
    try:
        return njit(cache=True, **opts)(fn)
    except RuntimeError:  # "cannot cache function ...: no locator available"
        warnings.warn("numba cache not writable: the fused z-score kernel compiles in each process", stacklevel=2)
        return njit(cache=False, **opts)(fn)


# ---------------------------------------------------------------------------------------
# Scalar pieces, each the per-element form of the numpy kernel's vectorised code

#: Rows per block. C's pow has a long latency (~35 ns here) but a shorter reciprocal
#: throughput (~15–19 ns): the kernel first queues every (y/M, L) of a block, then calls
#: pow on the whole queue in a tight loop (independent calls overlap), then finishes the
#: z-scores. A block's queue and rows stay in L1/L2.
BLOCK_ROWS = 256


@_jit(inline=True)
def _finish(p, y, L, M, S, restricted):
    """zscores.lms_z after the pow: p = (y/M)^L; WHO's restricted form beyond ±3 SD."""
    z = p - 1.0
    z = z / (S * L)
    if restricted:
        if z > 3.0:
            ls = L * S
            inv = 1.0 / L
            sd3 = M * math.pow(1.0 + ls * 3.0, inv)
            sd2 = M * math.pow(1.0 + ls * 2.0, inv)
            z = 3.0 + (y - sd3) / (sd3 - sd2)
        elif z < -3.0:
            ls = L * S
            inv = 1.0 / L
            sd3 = M * math.pow(1.0 + ls * -3.0, inv)
            sd2 = M * math.pow(1.0 + ls * -2.0, inv)
            z = -3.0 + (y - sd3) / (sd2 - sd3)
    return z


@_jit(inline=True)
def _r_round(x, p10, big):
    """zscores.r_round for one value, digits > 0 (p10 = 10^digits, big = R's cut-off)."""
    ax = abs(x)
    x10 = ax * p10
    i10 = np.floor(x10)
    xd = i10 / p10
    xu = np.ceil(x10) / p10
    du = xu - ax
    dd = ax - xd
    up = du < dd
    if du == dd:
        up = np.fmod(i10, 2.0) == 1.0
    res = xu if up else xd
    if ax >= big:
        res = ax
    return -res if x < 0 else res


@_jit(inline=True)
def _flag(z, lo, hi, lo_m, lo_p, hi_m, hi_p, p10, big):
    """zscores.flag for one value: lo_m, lo_p, hi_m, hi_p = lo − eps, lo + eps, hi − eps, hi + eps."""
    if math.isnan(z):
        return np.nan
    lt = z < lo_m
    if not lt and z < lo_p:
        lt = _r_round(z, p10, big) < lo
    gt = z > hi_p
    if not gt and z > hi_m:
        gt = _r_round(z, p10, big) > hi
    return 1.0 if (lt or gt) else 0.0


@_jit(inline=True)
def _age_row(y, s, day, age_ok, start, stop, stride, offset):
    """zscores._age_indicator's look-up for one value: the flat table index, or −1 where
    the z is missing (measure <= 0 or missing, age not valid or outside the table, no sex)."""
    if not (y > 0.0) or not age_ok or not (day >= start) or not (day <= stop) or s == 0:
        return -1
    return offset + s * stride + (np.int64(day) - start)


@_jit(inline=True)
def _measure(x, inv, reason, bit_inv, bit_nonpos):
    """The measurement() step: (value with <= 0 → NaN, nonpositive?, reason)."""
    nonpos = x <= 0.0
    if inv:
        reason |= bit_inv
    if nonpos:
        reason |= bit_nonpos
        x = np.nan
    return x, nonpos, reason


# ---------------------------------------------------------------------------------------
# The kernel


@_jit
def anthro_kernel(
    sex_c, sex_miss, sex_inv,
    ad, ad_inv, am, am_inv, has_am,
    wt_in, wt_inv, has_w, lh_in, lh_inv, has_l,
    hc_in, hc_inv, has_hc, ac_in, ac_inv, has_ac, ts_in, ts_inv, has_ts, ss_in, ss_inv, has_ss,
    mcode_in, m_inv, oed, oed_inv,
    A, apar, aplain, arestr,
    W, wbase, wstart,
    flim, fthr, p10, big, bits,
    clen_out, c9_out, cbmi_out, csex_out, mcode_out, reasons, Z, F, slot,
):  # fmt: skip
    n = sex_c.shape[0]
    nan = np.nan
    # Z row of each age table (len wei bmi hc ac ts ss), −1 if not computed.
    aslot = np.empty(7, dtype=np.int64)
    aslot[0] = slot[LEN]
    aslot[1] = slot[WEI]
    aslot[2] = slot[BMI]
    aslot[3] = slot[HC]
    aslot[4] = slot[AC]
    aslot[5] = slot[TS]
    aslot[6] = slot[SS]
    yv = np.empty(7)
    # The pow queue of one block: up to 7 LMS per row (6 age tables + WFL; len/hc need none).
    cap = BLOCK_ROWS * 7
    qb = np.empty(cap)  # y/M
    qy = np.empty(cap)
    qL = np.empty(cap)
    qM = np.empty(cap)
    qS = np.empty(cap)
    qrow = np.empty(cap, dtype=np.int64)
    qi = np.empty(cap, dtype=np.int64)
    qres = np.empty(cap, dtype=np.bool_)
    # Per block: y and table row (−1: no z) of each age table (0–6) and of WFL/WFH (7).
    yb = np.empty((8, BLOCK_ROWS))
    jb = np.empty((8, BLOCK_ROWS), dtype=np.int64)
    wup = np.empty(BLOCK_ROWS, dtype=np.int64)
    wfrac = np.empty(BLOCK_ROWS)
    for b0 in range(0, n, BLOCK_ROWS):
        b1 = min(n, b0 + BLOCK_ROWS)
        q = 0
        for i in range(b0, b1):
            k = i - b0
            reason = np.uint32(0)
            s = np.int64(sex_c[i])
            if sex_miss[i]:
                reason |= bits[R_SEX_MISSING]
            if sex_inv[i]:
                reason |= bits[R_SEX_UNKNOWN]
            csex_out[i] = np.float64(s) if s > 0 else nan

            # Age: days rounded half up for the tables; unrounded months for the limits.
            a_d = ad[i]
            if has_am:
                use_days = not math.isnan(a_d)
                a_m = am[i]
                if use_days:
                    days_f = a_d
                    months = a_d / 30.4375
                else:
                    days_f = a_m * 30.4375
                    months = a_m
                bad_age = (ad_inv[i] and not use_days and math.isnan(a_m)) or (am_inv[i] and not use_days)
            else:
                days_f = a_d
                months = a_d / 30.4375
                bad_age = ad_inv[i]
            neg = days_f < 0.0
            if neg:
                days_f = nan
                months = nan
            f = np.floor(days_f)
            day = f + 1.0 if days_f - f >= 0.5 else f
            day_na = math.isnan(day)
            age_ok = months < 60.0
            if bad_age:
                reason |= bits[R_AGE_INVALID]
            if neg:
                reason |= bits[R_AGE_NEGATIVE]
            if day_na and not neg and not bad_age:
                reason |= bits[R_AGE_MISSING]
            if not math.isnan(months) and not age_ok:
                reason |= bits[R_AGE_OOR]

            wt = nan
            lh = nan
            if has_w:
                wt, nonpos, reason = _measure(wt_in[i], wt_inv[i], reason, bits[R_W_INVALID], bits[R_W_NONPOS])
                if math.isnan(wt) and not wt_inv[i] and not nonpos:
                    reason |= bits[R_W_MISSING]
            if has_l:
                lh, nonpos, reason = _measure(lh_in[i], lh_inv[i], reason, bits[R_L_INVALID], bits[R_L_NONPOS])
                if math.isnan(lh) and not lh_inv[i] and not nonpos:
                    reason |= bits[R_L_MISSING]
            mc = mcode_in[i]
            oe = oed[i]
            if m_inv[i]:
                reason |= bits[R_MEASURE_INVALID]
            if oed_inv[i]:
                reason |= bits[R_OEDEMA_INVALID]
            c9 = mc == 2 and months < 9.0
            if c9:
                mc = np.int8(0)
                reason |= bits[R_STANDING_9MO]
            c9_out[i] = np.int8(1) if c9 else np.int8(0)
            mcode_out[i] = mc

            if has_l:
                if day < 731.0 and mc == 2:
                    clen = lh + 0.7
                elif day >= 731.0 and mc == 1:
                    clen = lh - 0.7
                else:
                    clen = lh
            else:
                clen = nan
            h = clen / 100.0
            bmi = wt / (h * h) if has_w else nan
            clen_out[i] = clen
            cbmi_out[i] = bmi

            has_oedema = oe == 1
            if has_w and has_oedema and not math.isnan(wt):
                reason |= bits[R_OEDEMA]

            # Age-based indicators: the row of (sex, day) in each table (looked up below).
            yv[0] = clen
            yv[1] = nan if has_oedema else wt
            yv[2] = nan if has_oedema else bmi
            young = False
            if has_hc:
                yv[3], _, reason = _measure(hc_in[i], hc_inv[i], reason, bits[R_HC_INVALID], bits[R_HC_NONPOS])
            if has_ac:
                yv[4], _, reason = _measure(ac_in[i], ac_inv[i], reason, bits[R_AC_INVALID], bits[R_AC_NONPOS])
                young = young or not math.isnan(yv[4])
            if has_ts:
                yv[5], _, reason = _measure(ts_in[i], ts_inv[i], reason, bits[R_TS_INVALID], bits[R_TS_NONPOS])
                young = young or not math.isnan(yv[5])
            if has_ss:
                yv[6], _, reason = _measure(ss_in[i], ss_inv[i], reason, bits[R_SS_INVALID], bits[R_SS_NONPOS])
                young = young or not math.isnan(yv[6])
            if young and day < 91.0:
                reason |= bits[R_UNDER_91]
            for r in range(7):
                if aslot[r] >= 0:
                    yb[r, k] = yv[r]
                    jb[r, k] = _age_row(yv[r], s, day, age_ok, apar[r, 1], apar[r, 2], apar[r, 3], apar[r, 0])

            # Weight-for-length/height: table by age, then by measure, then 87 cm.
            if has_w and has_l:
                x = clen
                x_ok = not math.isnan(x)
                on_l = (not day_na and day < 731.0) or (day_na and mc == 1) or (day_na and mc == 0 and x_ok and x < 87.0)
                on_h = (not day_na and day >= 731.0) or (day_na and mc == 2) or (day_na and mc == 0 and x_ok and x >= 87.0)
                in_l = on_l and x >= 45.0 and x <= 110.0
                in_h = not on_l and on_h and x >= 65.0 and x <= 120.0
                valid = (in_l or in_h) and oe == 0 and (day_na or day <= 1856.0) and not (months >= 60.0) and s > 0
                jb[7, k] = -1
                if valid and wt > 0.0:
                    t = 1 if in_h else 0
                    mm_lo = np.trunc(x * 10.0)
                    mm_up = np.trunc(x * 10.0 + 1.0)
                    base = wbase[t, s] - wstart[t]
                    yb[7, k] = wt
                    jb[7, k] = base + np.int64(mm_lo)
                    wup[k] = base + np.int64(mm_up)
                    wfrac[k] = (x - mm_lo / 10.0) / 0.1
                if not (in_l or in_h) and x_ok and (on_l or on_h) and not math.isnan(wt):
                    reason |= bits[R_WFL_OOR]
            reasons[i] = reason

        # Table look-ups, one table at a time over the block: independent loads, so cache
        # misses overlap. Plain LMS (L = 1) finished here; the others queued for pow.
        for r in range(7):
            zr = aslot[r]
            if zr < 0:
                continue
            plain = aplain[r]
            restricted = arestr[r]
            for i in range(b0, b1):
                k = i - b0
                j = jb[r, k]
                if j < 0:
                    Z[zr, i] = nan
                    continue
                L = A[j, 0]
                M = A[j, 1]
                S = A[j, 2]
                y = yb[r, k]
                if math.isnan(L) or math.isnan(M) or math.isnan(S):
                    Z[zr, i] = nan
                elif plain:  # L = 1: (y/M)^1 is y/M, S·1 is S; plain tables are not restricted
                    z = y / M
                    z = z - 1.0
                    z = z / S
                    Z[zr, i] = z
                else:
                    qb[q] = y / M
                    qy[q] = y
                    qL[q] = L
                    qM[q] = M
                    qS[q] = S
                    qrow[q] = zr
                    qi[q] = i
                    qres[q] = restricted
                    q += 1
        if has_w and has_l:
            zr = slot[WFL]
            for i in range(b0, b1):
                k = i - b0
                j = jb[7, k]
                if j < 0:
                    Z[zr, i] = nan
                    continue
                L = W[j, 0]
                M = W[j, 1]
                S = W[j, 2]
                frac = wfrac[k]
                if frac > 0.0:  # between 0.1 cm rows
                    up = wup[k]
                    L = L + frac * (W[up, 0] - L)
                    M = M + frac * (W[up, 1] - M)
                    S = S + frac * (W[up, 2] - S)
                if math.isnan(L) or math.isnan(M) or math.isnan(S):
                    Z[zr, i] = nan
                    continue
                y = yb[7, k]
                qb[q] = y / M
                qy[q] = y
                qL[q] = L
                qM[q] = M
                qS[q] = S
                qrow[q] = zr
                qi[q] = i
                qres[q] = True
                q += 1

        # C's pow over the block's queue (independent calls), then the rest of the LMS.
        for t in range(q):
            qb[t] = math.pow(qb[t], qL[t])
        for t in range(q):
            Z[qrow[t], qi[t]] = _finish(qb[t], qy[t], qL[t], qM[t], qS[t], qres[t])

        # Flags on WHO's rounded z.
        for k in range(8):
            zr = slot[k]
            if zr < 0:
                continue
            lo = flim[k, 0]
            hi = flim[k, 1]
            lo_m = fthr[k, 0]
            lo_p = fthr[k, 1]
            hi_m = fthr[k, 2]
            hi_p = fthr[k, 3]
            for i in range(b0, b1):
                F[zr, i] = _flag(Z[zr, i], lo, hi, lo_m, lo_p, hi_m, hi_p, p10, big)


@_jit
def pow_probe(a, b, out):
    """C pow as the kernel calls it (to check it against math.pow once per process)."""
    for i in range(a.shape[0]):
        out[i] = math.pow(a[i], b[i])


@_jit
def numeric_codes(v, keys, vals, codes, missing, invalid):
    """zscores' to_codes for a numeric array, in one pass: value == keys[k] → vals[k]."""
    for i in range(v.shape[0]):
        x = np.float64(v[i])
        c = np.int8(0)
        known = False
        for k in range(keys.shape[0]):
            if x == keys[k]:
                c = vals[k]
                known = True
        codes[i] = c
        m = math.isnan(x)
        missing[i] = m
        invalid[i] = not known and not m


@_jit
def byte_codes(offsets, data, lut_code, lut_missing, lut_known, codes, missing, invalid):
    """One-character strings (Arrow offsets + data buffer) → codes via 256-entry tables.
    Returns False (and leaves the outputs partial) if some value is not one byte long."""
    n = codes.shape[0]
    for i in range(n):
        if offsets[i + 1] - offsets[i] != 1:
            return False
    for i in range(n):
        b = data[offsets[i]]
        codes[i] = lut_code[b]
        missing[i] = lut_missing[b]
        invalid[i] = not lut_known[b] and not lut_missing[b]
    return True


# ---------------------------------------------------------------------------------------
# Python glue (not compiled)


def _ro(a: np.ndarray, dtype) -> np.ndarray:
    """C-contiguous, exact dtype, read-only view: one numba signature for every caller."""
    a = np.ascontiguousarray(a, dtype=dtype)
    if a.flags.writeable:
        a = a.view()
        a.flags.writeable = False
    return a


_EMPTY_F = _ro(np.empty(0), np.float64)
_EMPTY_B = _ro(np.empty(0, dtype=np.bool_), np.bool_)


@functools.cache
def packed_tables():
    """The seven age-indexed tables in one flat L/M/S each, plus WFL/WFH as in tables.py."""
    from .zscores import RESTRICTED

    Ls, Ms, Ss = [], [], []
    apar = np.zeros((len(AGE_TABLES), 4), dtype=np.int64)  # offset, start, stop, stride
    aplain = np.zeros(len(AGE_TABLES), dtype=np.bool_)
    arestr = np.array([RESTRICTED[name] for name in AGE_TABLES], dtype=np.bool_)
    if np.any(aplain & arestr):
        raise ValueError("a plain (L = 1) table is restricted: the kernel computes plain LMS unrestricted")
    off = 0
    for r, name in enumerate(AGE_TABLES):
        t = tables.who2006(name)
        Ls.append(t.L)
        Ms.append(t.M)
        Ss.append(t.S)
        apar[r] = (off, t.start, t.stop, t.stride)
        aplain[r] = t.plain_l1
        off += len(t.L)
    w = tables.weight_for_lenhei()
    f8, i8 = np.float64, np.int64
    return (
        _interleave(np.concatenate(Ls), np.concatenate(Ms), np.concatenate(Ss)),
        _ro(apar, i8), _ro(aplain, np.bool_), _ro(arestr, np.bool_),
        _interleave(w.L, w.M, w.S), _ro(w.base, i8), _ro(w.start, i8),
    )  # fmt: skip


def _interleave(L, M, S) -> np.ndarray:
    """[row, (L, M, S, pad)]: one 32-byte, 32-byte-aligned entry per row, so a look-up
    touches one cache line instead of three (the tables are bigger than L1, and the days
    of consecutive rows are random)."""
    raw = np.empty(len(L) * 4 + 4)
    start = (-raw.ctypes.data % 32) // 8
    out = raw[start : start + len(L) * 4].reshape(len(L), 4)
    out[:, 0], out[:, 1], out[:, 2], out[:, 3] = L, M, S, np.nan
    return _ro(out, np.float64)


@functools.cache
def _reason_bits() -> np.ndarray:
    from .zscores import REASONS

    return _ro(np.array([1 << REASONS.index(name) for name in REASON_ORDER], dtype=np.uint32), np.uint32)


@functools.cache
def _flag_params(digits: int):
    from .zscores import FLAG_LIMITS, _r_round_big

    eps = 10.0**-digits  # as zscores._rounded_lt/_gt compute it
    flim = np.array([FLAG_LIMITS[k] for k in INDICATORS], dtype=np.float64)
    fthr = np.array([(lo - eps, lo + eps, hi - eps, hi + eps) for lo, hi in flim.tolist()], dtype=np.float64)
    return _ro(flim, np.float64), _ro(fthr, np.float64), float(10**digits), _r_round_big(digits)


def libm_pow_ok() -> bool:
    """Is the kernel's pow the C library's pow (math.pow) bit for bit? Checked once."""
    rng = np.random.default_rng(20240521)
    base = np.concatenate([rng.uniform(0.3, 3.0, 4096), rng.uniform(1e-3, 50.0, 1024)])
    expo = np.concatenate([rng.uniform(-1.5, 1.5, 4096), rng.uniform(-12.0, 12.0, 1024)])
    out = np.empty_like(base)
    pow_probe(base, expo, out)
    return all(math.pow(b, e) == o for b, e, o in zip(base.tolist(), expo.tolist(), out.tolist()))


# --- fast conversion of categorical columns (same results as _inputs.to_codes) ---


@functools.cache
def _numeric_lut(items: tuple) -> tuple[np.ndarray, np.ndarray]:
    keys = np.array([k for k, _ in items], dtype=np.float64)
    vals = np.array([v for _, v in items], dtype=np.int8)
    return _ro(keys, np.float64), _ro(vals, np.int8)


@functools.cache
def _byte_lut(items: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from ._inputs import _NA_WORDS

    text_map = dict(items)
    codes = np.zeros(256, dtype=np.int8)
    known = np.zeros(256, dtype=np.bool_)
    missing = np.zeros(256, dtype=np.bool_)
    for ch in range(128):
        c = chr(ch).strip().lower()
        if c in text_map:
            codes[ch] = text_map[c]
            known[ch] = True
        elif c in _NA_WORDS:
            missing[ch] = True
    return _ro(codes, np.int8), _ro(missing, np.bool_), _ro(known, np.bool_)


def fast_codes(x, n: int, text_map: dict, numeric_map: dict | None):
    """``to_codes`` for the two common big-batch cases in one compiled pass: a numeric
    numpy array, or an Arrow string array of one-character codes without nulls
    ('L'/'P', 'l'/'h', 'y'/'n'). Anything else: None (the caller uses to_codes)."""
    import pyarrow as pa

    if isinstance(x, pa.ChunkedArray) and x.num_chunks == 1:
        x = x.chunk(0)
    codes = np.empty(n, dtype=np.int8)
    missing = np.empty(n, dtype=np.bool_)
    invalid = np.empty(n, dtype=np.bool_)
    if isinstance(x, np.ndarray) and x.ndim == 1 and len(x) == n and x.dtype.kind in "fiub":
        v = x if x.dtype in (np.float64, np.int64) else x.astype(np.float64)
        keys, vals = _numeric_lut(tuple(sorted((numeric_map or {}).items())))
        numeric_codes(_ro(v, v.dtype), keys, vals, codes, missing, invalid)
        return codes, missing, invalid
    if isinstance(x, pa.Array) and pa.types.is_string(x.type) and len(x) == n and n and not x.null_count:
        buf = x.buffers()
        if buf[2] is None:
            return None
        offsets = np.frombuffer(buf[1], dtype=np.int32, count=n + 1, offset=x.offset * 4)
        data = np.frombuffer(buf[2], dtype=np.uint8)
        lut = _byte_lut(tuple(sorted(text_map.items())))
        if byte_codes(offsets, data, *lut, codes, missing, invalid):
            return codes, missing, invalid
    return None


def run_anthro(n, sex, ages, meas, mcode_in, m_inv, oed, oed_inv, digits):
    """Run the kernel on converted inputs (as zscores.anthro_zscores prepares them).

    ``sex`` = (codes, missing, invalid); ``ages`` = (ad, ad_inv, am or None, am_inv);
    ``meas`` = {name: (values, invalid)} for the measurements given.
    Returns (clenhei, c9mo_flag, cbmi, csex, mcode, reasons, {indicator: z}, {indicator: flag}).
    """
    f8, b1 = np.float64, np.bool_
    ad, ad_inv, am, am_inv = ages
    has_am = am is not None

    def m(name):
        if name in meas:
            v, inv = meas[name]
            return _ro(v, f8), _ro(inv, b1), True
        return _EMPTY_F, _EMPTY_B, False

    has = {"len": "lenhei" in meas, "wei": "weight" in meas, "hc": "headc" in meas, "ac": "armc" in meas,
           "ts": "triskin" in meas, "ss": "subskin" in meas}  # fmt: skip
    has["bmi"] = has["wfl"] = has["len"] and has["wei"]
    slot = np.full(8, -1, dtype=np.int64)
    k = 0
    for j, name in enumerate(INDICATORS):
        if has[name]:
            slot[j] = k
            k += 1
    Z = np.empty((k, n))
    F = np.empty((k, n))
    clen, c9 = np.empty(n), np.empty(n, dtype=np.int8)
    cbmi, csex = np.empty(n), np.empty(n)
    mcode, reasons = np.empty(n, dtype=np.int8), np.empty(n, dtype=np.uint32)
    flim, fthr, p10, big = _flag_params(digits)
    anthro_kernel(
        _ro(sex[0], np.int8), _ro(sex[1], b1), _ro(sex[2], b1),
        _ro(ad, f8), _ro(ad_inv, b1),
        _ro(am, f8) if has_am else _EMPTY_F, _ro(am_inv, b1) if has_am else _EMPTY_B, has_am,
        *m("weight"), *m("lenhei"), *m("headc"), *m("armc"), *m("triskin"), *m("subskin"),
        _ro(mcode_in, np.int8), _ro(m_inv, b1), _ro(oed, np.int8), _ro(oed_inv, b1),
        *packed_tables(),
        flim, fthr, p10, big, _reason_bits(),
        clen, c9, cbmi, csex, mcode, reasons, Z, F, slot,
    )  # fmt: skip
    z = {name: Z[slot[j]] for j, name in enumerate(INDICATORS) if slot[j] >= 0}
    f = {name: F[slot[j]] for j, name in enumerate(INDICATORS) if slot[j] >= 0}
    return clen, c9, cbmi, csex, mcode, reasons, z, f
