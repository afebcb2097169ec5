"""Demo children and visits for Luwu Timur, 2023–2025, with the truth known.

A deterministic, seeded (numpy ``Generator(PCG64(seed))``), vectorised generator:

- **Children.** About 25,000 children under five over the period, born from 2018 to 2025,
  each in a posyandu of the demo (so each desa's under-five population is proportional to
  its posyandu count, with some variation between posyandu). Plausible Bugis/Luwu and
  Indonesian names (``names.py``), the mother's name, RT/RW and address; a structurally
  valid NIK for about 85 % (the 6-digit code of the kecamatan of registration, the birth
  date as DDMMYY with 40 added to the day for girls, and a 4-digit serial).
- **Visits.** Each posyandu meets on a fixed day of the month (moved to the next working day).
  February and August are the *Bulan Penimbangan* rounds: nearly everyone present (under five)
  is weighed and measured. In the other months a share of children (the regular attenders,
  more of them under two) is weighed only; length is rarely measured outside the rounds.
  The services recorded with a visit (vitamin A, KIA book, weight gain …) are ``services.py``'s.
- **The truth.** Each child has a latent trajectory: length/height-for-age z (HAZ) = kecamatan
  level at the visit's date + a common age pattern (z falls over the first two years) + the
  child's own intercept and slope + a small measurement noise; weight-for-age z (WAZ) likewise,
  correlated with HAZ. The kecamatan level is set so that the share of children with HAZ < −2
  matches :data:`KECAMATAN_PREVALENCE` (around the district's SSGI 2022 figure of 22.6 %) and
  falls by about one point a year. Lengths and weights are sampled **through the inverse LMS**
  of the WHO tables at the child's age in days and sex: ``value = M·(1 + L·S·z)^(1/L)`` (with
  WHO's linear extension beyond ±3 SD for weight and arm circumference), so the engine
  recovers the true z-scores up to the rounding of the recorded 0.1 kg / 0.1 cm. Weight-for-
  length follows from the sampled weight and length, hence is consistent with both.
- **Position.** Lying under 24 months, standing after; about 3 % of lengths are taken in the
  other position (from 9 months on) and recorded with WHO's 0.7 cm difference (lying is 0.7 cm
  longer), which the engine corrects.

``generate()`` is pure (numpy, no database writes) and returns the children, the visits and
the true z-scores; ``load_demo_children()`` writes them in bulk (``audit.bulk.BulkWrite``, as
``policy.SYSTEM``), z-scores computed in one vectorised call to the growth engine,
``source="demo"`` and one audit record for the whole load. Running it again is a single indexed look-up.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from numpy.random import PCG64, Generator
from scipy.special import ndtr

from tumbuh.growth import tables
from tumbuh.growth.classify import classify_anthro
from tumbuh.growth.zscores import anthro_zscores

from . import names as N
from .services import service_columns, visit_services

KABUPATEN = "73.24"
FULL_CHILDREN = 25_000
#: The second demo district (Kabupaten Luwu): fewer children, its own seed and prevalence, so the
#: province has two districts to compare.
SECOND_KABUPATEN = "73.17"
SECOND_CHILDREN = 6_000
SECOND_SEED_OFFSET = 17
PERIOD = (dt.date(2023, 1, 1), dt.date(2025, 12, 31))
ROUND_MONTHS = (2, 8)  # Bulan Penimbangan Balita: February and August
FIRST_BIRTH = dt.date(2018, 1, 1)
LAST_BIRTH = dt.date(2025, 12, 20)
REFERENCE_DATE = dt.date(2022, 7, 1)  # SSGI 2022: the year's prevalence is placed mid-year
MAX_AGE_DAYS = 1826  # from this day on a child is 60 months old: no longer a balita
AUDIT_OBJECT_ID = "demo:" + KABUPATEN
DISTRICT_NAMES = {KABUPATEN: "Luwu Timur", SECOND_KABUPATEN: "Luwu"}

#: Stunting prevalence (%, HAZ < −2) per kecamatan in mid-2022 and its fall per year (points).
#: Weighted by each kecamatan's posyandu count (its share of the district's children) the 2022
#: figures average 22.6 %, Luwu Timur's SSGI 2022 prevalence. The differences are made up but
#: plausible: the mining towns (Nuha/Sorowako, Wasuponda) and the capital (Malili) lower, the
#: remote highland and transmigrant kecamatan (Towuti, Kalaena, Burau) higher.
KECAMATAN_PREVALENCE: dict[str, tuple[float, float]] = {
    "73.24.01": (23.0, 1.0),  # Mangkutana
    "73.24.02": (15.5, 0.8),  # Nuha
    "73.24.03": (26.0, 1.2),  # Towuti
    "73.24.04": (18.5, 0.9),  # Malili
    "73.24.05": (23.0, 1.0),  # Angkona
    "73.24.06": (21.5, 1.1),  # Wotu
    "73.24.07": (25.0, 1.0),  # Burau
    "73.24.08": (21.0, 0.9),  # Tomoni
    "73.24.09": (23.5, 1.2),  # Tomoni Timur
    "73.24.10": (25.5, 1.0),  # Kalaena
    "73.24.11": (19.5, 0.8),  # Wasuponda
}
DEFAULT_PREVALENCE = (22.6, 1.0)
#: A district's level where its kecamatan have none of their own: Luwu higher than Luwu Timur
#: and falling faster (made up, plausible for the province's districts).
DISTRICT_PREVALENCE: dict[str, tuple[float, float]] = {SECOND_KABUPATEN: (27.5, 1.4)}


def _prevalence_of(kecamatan: str) -> tuple[float, float]:
    found = KECAMATAN_PREVALENCE.get(kecamatan)
    return found if found else DISTRICT_PREVALENCE.get(kecamatan[:5], DEFAULT_PREVALENCE)


# The latent model (z units). HAZ = mu_h(date, kecamatan) + shape_h(age) + u + v·(age_y − 2) + e.
SD_U = 0.95  # between children, HAZ intercept
SD_V = 0.12  # between children, HAZ slope per year of age
SD_EH = 0.06  # visit to visit (measurement) noise, HAZ
SD_G = 0.95  # between children, WAZ intercept
RHO_UG = 0.75  # correlation of the HAZ and WAZ intercepts
SD_EW = 0.15  # visit to visit noise, WAZ
WAZ_FROM_HAZ = (-0.20, 0.75)  # mu_w = a + b·mu_h

P_ROUND = 0.96  # attendance at a February/August round
P_REGULAR = 0.45  # share of children weighed (almost) every month
P_MONTHLY_REGULAR, P_MONTHLY_INFANT, P_MONTHLY_OTHER = 0.85, 0.20, 0.03
P_LENGTH_MONTHLY = 0.08  # length measured at a monthly visit under two years
P_WRONG_POSITION = 0.03
P_MUAC = 0.30  # LiLA taken at a round visit from 6 months
P_NIK = 0.85
P_NIK_OTHER_KECAMATAN = 0.05


def shape_h(age_months: np.ndarray) -> np.ndarray:
    """The common age pattern of HAZ: near the reference at birth, about 0.7 lower by two years."""
    return 0.55 * np.exp(-age_months / 10.0) - 0.15


def shape_w(age_months: np.ndarray) -> np.ndarray:
    return 0.40 * np.exp(-age_months / 8.0) - 0.05


def _sd_h(age_years: np.ndarray) -> np.ndarray:
    return np.sqrt(SD_U**2 + (SD_V * (age_years - 2.0)) ** 2 + SD_EH**2)


def prevalence_for_mu(mu: np.ndarray) -> np.ndarray:
    """Expected share with HAZ < −2 among under-fives of uniform age, for a level ``mu``."""
    months = (np.arange(60) + 0.5)[None, :]
    return ndtr((-2.0 - mu[:, None] - shape_h(months)) / _sd_h(months / 12.0)).mean(axis=1)


_MU_GRID = np.linspace(-3.0, 1.5, 4501)
_P_GRID = prevalence_for_mu(_MU_GRID)  # decreasing in mu


def mu_for_prevalence(p: np.ndarray) -> np.ndarray:
    """The HAZ level that gives prevalence ``p`` (a share, 0–1)."""
    return np.interp(p, _P_GRID[::-1], _MU_GRID[::-1])


def intended_prevalence(kecamatan: str, date: dt.date | np.ndarray) -> np.ndarray:
    """The intended stunting share (0–1) in a kecamatan at a date (or dates)."""
    p2022, fall = _prevalence_of(kecamatan)
    years = _years_since_reference(np.asarray(date, dtype="datetime64[D]"))
    return (p2022 - fall * years) / 100.0


def _years_since_reference(dates: np.ndarray) -> np.ndarray:
    return (dates - np.datetime64(REFERENCE_DATE, "D")).astype(np.float64) / 365.25


# --------------------------------------------------------------------------- the LMS


def lms_at(name: str, sex: np.ndarray, day: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """WHO 2006 L, M, S of an age-indexed table at (sex, whole day); NaN out of range."""
    tab = tables.who2006(name)
    day = np.asarray(day, dtype=np.int64)
    valid = (day >= tab.start) & (day <= tab.stop)
    idx = tab.index(np.asarray(sex, dtype=np.intp), np.where(valid, day, 0), valid)
    return tab.L.take(idx), tab.M.take(idx), tab.S.take(idx)


def inverse_lms(z: np.ndarray, L: np.ndarray, M: np.ndarray, S: np.ndarray, restricted: bool) -> np.ndarray:
    """The measurement whose z-score is ``z``: ``M·(1 + L·S·z)^(1/L)``; with ``restricted``,
    WHO's linear extension beyond ±3 SD (the inverse of the engine's restricted LMS)."""

    def sd(k):
        return M * np.power(1.0 + L * S * k, 1.0 / L)

    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        y = sd(z)
        if restricted:
            sd3, sd2, sdm3, sdm2 = sd(3.0), sd(2.0), sd(-3.0), sd(-2.0)
            y = np.where(z > 3.0, sd3 + (z - 3.0) * (sd3 - sd2), y)
            y = np.where(z < -3.0, sdm3 + (z + 3.0) * (sdm2 - sdm3), y)
    return y


# --------------------------------------------------------------------------- the area


@dataclass
class Area:
    """The posyandu children are drawn into, in code order (so the draw is deterministic)."""

    posyandu_id: np.ndarray  # int
    posyandu_name: np.ndarray  # object
    desa: np.ndarray  # object, desa code
    desa_name: np.ndarray  # object
    kecamatan: np.ndarray  # object, kecamatan code
    puskesmas_name: np.ndarray  # object

    def __len__(self) -> int:
        return len(self.posyandu_id)


def demo_area(kecamatan: list[str] | tuple[str, ...] | None = None, kabupaten: str = KABUPATEN) -> Area:
    """The demo's posyandu in Luwu Timur, or ``kabupaten`` (optionally only some kecamatan), from
    the database."""
    from tumbuh.organisation.models import Posyandu

    qs = Posyandu.objects.filter(desa__kabupaten_code=kabupaten)
    if kecamatan:
        qs = qs.filter(desa__kecamatan_code__in=list(kecamatan))
    rows = list(
        qs.order_by("desa_id", "code", "name").values_list(
            "id", "name", "desa_id", "desa__name", "desa__kecamatan_code", "puskesmas__name"
        )
    )
    if not rows:
        raise ValueError(f"no demo posyandu in {kabupaten}: build the demo organisation first")
    cols = list(zip(*rows))
    return Area(
        posyandu_id=np.array(cols[0], dtype=np.int64),
        posyandu_name=np.array(cols[1], dtype=object),
        desa=np.array(cols[2], dtype=object),
        desa_name=np.array(cols[3], dtype=object),
        kecamatan=np.array(cols[4], dtype=object),
        puskesmas_name=np.array(cols[5], dtype=object),
    )


# --------------------------------------------------------------------------- generation


@dataclass
class DemoData:
    seed: int
    area: Area
    children: dict[str, np.ndarray] = field(default_factory=dict)  # one row per child
    visits: dict[str, np.ndarray] = field(default_factory=dict)  # one row per visit; "child" indexes children

    @property
    def n_children(self) -> int:
        return len(self.children["sex"])

    @property
    def n_visits(self) -> int:
        return len(self.visits["child"])


def _months() -> list[tuple[int, int]]:
    start, stop = PERIOD
    out, (y, m) = [], (start.year, start.month)
    while (y, m) <= (stop.year, stop.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _pick(rng: Generator, options: list[str], n: int) -> np.ndarray:
    return np.array(options, dtype=object)[rng.integers(0, len(options), n)]


def _prefixes(rng: Generator, table: list[tuple[str, float]], n: int) -> np.ndarray:
    u = rng.random(n)
    out = np.full(n, "", dtype=object)
    lo = 0.0
    for text, p in table:
        out[(u >= lo) & (u < lo + p)] = text
        lo += p
    return out


def _names(rng: Generator, sex: np.ndarray, kecamatan: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = len(sex)
    boy = sex == 1
    given = np.where(boy, _pick(rng, N.BOYS, n), _pick(rng, N.GIRLS, n))
    second = np.where(boy, _pick(rng, N.BOYS, n), _pick(rng, N.GIRLS, n))
    has_second = (rng.random(n) < 0.55) & (second != given)
    prefix = np.where(boy, _prefixes(rng, N.BOY_PREFIX, n), _prefixes(rng, N.GIRL_PREFIX, n))
    name = prefix + given + np.where(has_second, " " + second, "")
    mother = _pick(rng, N.MOTHERS, n)
    # Transmigrant villages: Javanese and Balinese names.
    share = np.array([N.TRANSMIGRANT_SHARE.get(k, (0.0, 0.0)) for k in kecamatan.tolist()]).reshape(n, 2)
    u = rng.random(n)
    java = u < share[:, 0]
    bali = (u >= share[:, 0]) & (u < share[:, 0] + share[:, 1])
    jname = np.where(boy, _pick(rng, N.JAVANESE_BOYS, n), _pick(rng, N.JAVANESE_GIRLS, n))
    jsecond = np.where(boy, _pick(rng, N.JAVANESE_BOYS, n), _pick(rng, N.JAVANESE_GIRLS, n))
    jname = jname + np.where(jsecond != jname, " " + jsecond, "")
    bname = np.where(boy, _pick(rng, N.BALINESE_BOY_PREFIX, n), _pick(rng, N.BALINESE_GIRL_PREFIX, n)) + _pick(
        rng, N.BALINESE_NAMES, n
    )
    name = np.where(java, jname, np.where(bali, bname, name))
    mother = np.where(
        java, _pick(rng, N.JAVANESE_MOTHERS, n), np.where(bali, _pick(rng, N.BALINESE_MOTHERS, n), mother)
    )
    return name, mother


def _niks(rng: Generator, birth: np.ndarray, sex: np.ndarray, kecamatan: np.ndarray) -> np.ndarray:
    """Structurally valid NIK for about 85 %; '' for the others."""
    n = len(sex)
    has = rng.random(n) < P_NIK
    codes = sorted(set(KECAMATAN_PREVALENCE) | set(kecamatan.tolist()))
    other = np.array(codes, dtype=object)[rng.integers(0, len(codes), n)]
    region = np.where(rng.random(n) < P_NIK_OTHER_KECAMATAN, other, kecamatan)
    region = np.array([r.replace(".", "") for r in region.tolist()], dtype=object)
    ymd = birth.astype("datetime64[D]").astype(object)
    day = np.array([d.day for d in ymd]) + np.where(sex == 2, 40, 0)
    stem = np.array([f"{r}{dd:02d}{d.month:02d}{d.year % 100:02d}" for r, dd, d in zip(region, day, ymd)], dtype=object)
    # Serials: sequential among the people sharing a stem (region + coded birth date), from a
    # starting number that differs per stem (so the demo rarely takes 0001, which tests use).
    order = np.lexsort((np.arange(n), stem))
    sorted_stem = stem[order]
    first = np.r_[True, sorted_stem[1:] != sorted_stem[:-1]]
    group = np.cumsum(first) - 1
    start_of_group = np.flatnonzero(first)
    rank = np.arange(n) - start_of_group[group]
    offset = rng.integers(1, 300, len(start_of_group))
    serial = np.empty(n, dtype=np.int64)
    serial[order] = offset[group] + rank
    nik = np.array([f"{s}{k:04d}" for s, k in zip(stem.tolist(), serial.tolist())], dtype=object)
    return np.where(has, nik, "")


_ID_ALPHABET = np.array(list("ABCDEFGHJKLMNPQRSTUVWXYZ23456789"), dtype=object)


def _tumbuh_ids(rng: Generator, n: int) -> np.ndarray:
    chars = _ID_ALPHABET[rng.integers(0, len(_ID_ALPHABET), (n, 8))]
    return np.array(["TB-" + "".join(r[:4]) + "-" + "".join(r[4:]) for r in chars.tolist()], dtype=object)


def generate(area: Area, n_children: int = FULL_CHILDREN, seed: int = 2026) -> DemoData:
    """Children and visits for ``area`` (deterministic in ``seed``, ``n_children`` and the area)."""
    rng = Generator(PCG64(seed))
    n, P = int(n_children), len(area)
    data = DemoData(seed=seed, area=area)

    # --- children: posyandu (sizes vary around the mean), sex, birth date
    size = rng.gamma(8.0, 1.0 / 8.0, P)
    pos = np.sort(rng.choice(P, size=n, p=size / size.sum()))
    sex = np.where(rng.random(n) < 0.512, 1, 2).astype(np.int64)  # about 105 boys per 100 girls
    span = (LAST_BIRTH - FIRST_BIRTH).days
    birth = np.datetime64(FIRST_BIRTH, "D") + rng.integers(0, span + 1, n).astype("timedelta64[D]")
    kec = area.kecamatan[pos]
    name, mother = _names(rng, sex, kec)
    nik = _niks(rng, birth, sex, kec)
    rw = rng.integers(1, 5, n)
    rt = rng.integers(1, 7, n)
    kelurahan = np.array([d.split(".")[-1].startswith("1") for d in area.desa[pos].tolist()])
    address = np.where(kelurahan, "Lingkungan ", "Dusun ") + np.array(N.ROMAN, dtype=object)[rw - 1]

    # --- the child's latent trajectory
    u = rng.normal(0.0, SD_U, n)
    v = rng.normal(0.0, SD_V, n)
    g = RHO_UG * (u / SD_U) * SD_G + np.sqrt(1 - RHO_UG**2) * SD_G * rng.normal(0.0, 1.0, n)
    regular = rng.random(n) < P_REGULAR

    # --- birth weight and length (recorded at birth, to 0.1 kg and 0.5 cm; sometimes missing)
    zbw = -0.50 + 0.5 * g / SD_G + np.sqrt(0.75) * rng.normal(0.0, 1.0, n)
    zbl = -0.30 + 0.5 * u / SD_U + np.sqrt(0.75) * rng.normal(0.0, 1.0, n)
    bw = np.round(inverse_lms(zbw, *lms_at("wei", sex, np.zeros(n)), restricted=True), 1)
    bl = np.round(inverse_lms(zbl, *lms_at("len", sex, np.zeros(n)), restricted=False) * 2.0) / 2.0
    bw[rng.random(n) < 0.06] = np.nan
    bl[rng.random(n) < 0.12] = np.nan

    data.children = {
        "tumbuh_id": _tumbuh_ids(rng, n), "posyandu": pos, "sex": sex, "birth": birth, "name": name,
        "parent": mother, "nik": nik, "rt": rt, "rw": rw, "address": address, "birth_weight": bw,
        "birth_length": bl, "u": u, "v": v, "g": g, "regular": regular,
    }  # fmt: skip

    # --- visits: every (child, month) where the child is under five and comes
    months = _months()
    first_of_month = np.array([np.datetime64(f"{y}-{m:02d}-01", "D") for y, m in months])
    meeting_day = rng.integers(5, 25, P)  # each posyandu meets on a fixed day of the month
    day_pm = np.busday_offset(
        first_of_month[None, :] + (meeting_day[:, None] - 1).astype("timedelta64[D]"), 0, roll="forward"
    )  # P × months
    is_round_month = np.array([m in ROUND_MONTHS for _, m in months])
    visit_date = day_pm[pos]  # n × months
    age = (visit_date - birth[:, None]).astype(np.int64)
    present = (age >= 5) & (age < MAX_AGE_DAYS)
    p_month = np.where(regular[:, None], P_MONTHLY_REGULAR, np.where(age < 731, P_MONTHLY_INFANT, P_MONTHLY_OTHER))
    p = np.where(is_round_month[None, :], P_ROUND, p_month)
    comes = present & (rng.random(age.shape) < p)
    ci, mi = np.nonzero(comes)  # child-major: each child's visits in date order
    date = visit_date[ci, mi]
    age_d = age[ci, mi]
    m = len(ci)
    is_round = is_round_month[mi]
    vsex = sex[ci]

    # --- the true z-scores at each visit
    years = _years_since_reference(date)
    k_codes = kec[ci]
    p2022 = np.array([_prevalence_of(k)[0] for k in k_codes.tolist()])
    fall = np.array([_prevalence_of(k)[1] for k in k_codes.tolist()])
    mu_h = mu_for_prevalence((p2022 - fall * years) / 100.0)
    age_m = age_d / 30.4375
    age_y = age_d / 365.25
    haz = mu_h + shape_h(age_m) + u[ci] + v[ci] * (age_y - 2.0) + rng.normal(0.0, SD_EH, m)
    mu_w = WAZ_FROM_HAZ[0] + WAZ_FROM_HAZ[1] * mu_h
    waz = mu_w + shape_w(age_m) + g[ci] + rng.normal(0.0, SD_EW, m)

    length_taken = is_round | ((age_d < 731) & (rng.random(m) < P_LENGTH_MONTHLY))
    len_true = inverse_lms(haz, *lms_at("len", vsex, age_d), restricted=False)  # lying <731 d, standing after
    wei_true = inverse_lms(waz, *lms_at("wei", vsex, age_d), restricted=True)
    expected = np.where(age_d < 731, "l", "h").astype(object)
    wrong = length_taken & (age_d >= 274) & (rng.random(m) < P_WRONG_POSITION)
    position = np.where(wrong, np.where(expected == "l", "h", "l"), expected).astype(object)
    # Lying gives 0.7 cm more than standing (WHO): what the other position would have read.
    recorded_len = len_true + np.where(wrong, np.where(expected == "h", 0.7, -0.7), 0.0)
    lenhei = np.where(length_taken, np.round(recorded_len, 1), np.nan)
    position = np.where(length_taken, position, None)
    weight = np.round(wei_true, 1)

    # Weight-for-length/height: follows from the true weight and length.
    truth = anthro_zscores(
        sex=vsex.astype(np.float64),
        age_days=age_d.astype(np.float64),
        weight=wei_true,
        lenhei=np.where(length_taken, len_true, np.nan),
        measure=expected,
    )
    zwfl_true = truth["zwfl"]
    muac_taken = is_round & (age_d >= 183) & (rng.random(m) < P_MUAC) & ~np.isnan(zwfl_true)
    zac_true = np.where(muac_taken, 0.25 + 0.7 * np.nan_to_num(zwfl_true) + 0.55 * rng.normal(0.0, 1.0, m), np.nan)
    muac = np.round(inverse_lms(zac_true, *lms_at("ac", vsex, age_d), restricted=True), 1)

    data.visits = {
        "child": ci, "date": date, "age_days": age_d, "is_round": is_round, "weight": weight, "lenhei": lenhei,
        "position": position, "muac": muac, "zlen_true": np.where(length_taken, haz, np.nan), "zwei_true": waz,
        "zwfl_true": zwfl_true, "zac_true": zac_true, "weight_true": wei_true,
        "lenhei_true": np.where(length_taken, len_true, np.nan),
    }  # fmt: skip
    data.visits.update(visit_services(data))  # vitamin A, KIA book, weight gain …: a stream of their own
    return data


def score_visits(data: DemoData, index: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """The growth engine's z-scores, flags and categories for the recorded visits (vectorised)."""
    vis = data.visits
    idx = np.arange(data.n_visits) if index is None else index
    ci = vis["child"][idx]
    result = anthro_zscores(
        sex=data.children["sex"][ci].astype(np.float64),
        age_days=vis["age_days"][idx].astype(np.float64),
        weight=vis["weight"][idx],
        lenhei=vis["lenhei"][idx],
        measure=vis["position"][idx],
        oedema=np.full(len(idx), "n", dtype=object),
        armc=vis["muac"][idx],
    )
    result.update(classify_anthro(result))
    return result


# --------------------------------------------------------------------------- writing


@dataclass
class ChildrenSummary:
    children: int = 0
    measurements: int = 0
    seconds: float = 0.0
    created: bool = False
    batch: object = None  # the demo's e-PPGBM import batch, when this run imported it


def _decimal(x: float, places: int) -> Decimal | None:
    return None if x != x else Decimal(f"{x:.{places}f}")


def write(bulk, data: DemoData, skip: np.ndarray | None = None, chunk: int = 20_000, progress=None) -> ChildrenSummary:
    """Write the children and (except where ``skip``) their visits through ``bulk`` (an
    ``audit.bulk.BulkWrite``), in chunks; the audit row is the caller's (see
    :func:`load_demo_children`). Z-scores, flags and categories come from one vectorised call
    to the growth engine per chunk, exactly what ``scoring.score`` computes one by one."""
    from tumbuh.measurements.models import Child, Measurement, Source
    from tumbuh.measurements.scoring import COMPUTED_FIELDS

    start = time.perf_counter()
    ch, area = data.children, data.area
    pos = ch["posyandu"]
    children = {
        "tumbuh_id": ch["tumbuh_id"].tolist(), "nik": ch["nik"].tolist(), "name": ch["name"].tolist(),
        "sex": ch["sex"].tolist(), "birth_date": ch["birth"].astype(object).tolist(),
        "birth_weight": [_decimal(x, 2) for x in ch["birth_weight"].tolist()],
        "birth_length": [_decimal(x, 1) for x in ch["birth_length"].tolist()], "parent_name": ch["parent"].tolist(),
        "desa": area.desa[pos].tolist(), "posyandu": area.posyandu_id[pos].tolist(),
        "rt": [f"{x:03d}" for x in ch["rt"].tolist()], "rw": [f"{x:03d}" for x in ch["rw"].tolist()],
        "address": ch["address"].tolist(),
    }  # fmt: skip
    pks: list[int] = []
    for s in range(0, len(pos), chunk):
        pks += bulk.insert(Child, {name: values[s : s + chunk] for name, values in children.items()}, ids=True)
    child_pk = np.array(pks, dtype=np.int64)

    vis = data.visits
    keep = np.arange(data.n_visits) if skip is None else np.flatnonzero(~skip)
    same = {
        "headc": None,
        "oedema": False,
        "source": Source.DEMO.value,
        "import_batch": None,
        "entered_by": None,
        "warnings": "",
    }
    written = 0
    for s in range(0, len(keep), chunk):
        idx = keep[s : s + chunk]
        z = score_visits(data, idx)
        ci = vis["child"][idx]
        p = pos[ci]
        columns = {
            "child": child_pk[ci].tolist(), "date": vis["date"][idx].astype(object).tolist(),
            "weight": [_decimal(x, 2) for x in vis["weight"][idx].tolist()],
            "lenhei": [_decimal(x, 1) for x in vis["lenhei"][idx].tolist()],
            "position": [x or "" for x in vis["position"][idx].tolist()],
            "muac": [_decimal(x, 1) for x in vis["muac"][idx].tolist()],
            "desa": area.desa[p].tolist(), "posyandu": area.posyandu_id[p].tolist(),
        }  # fmt: skip
        for f in COMPUTED_FIELDS:
            if f == "age_days":
                columns[f] = vis["age_days"][idx].tolist()
            elif f == "engine_reason":
                columns[f] = [str(r)[:300] for r in z["reason"].tolist()]
            elif f.startswith("status_"):
                columns[f] = [c or "" for c in z[f].tolist()]
            elif f.startswith("z"):
                columns[f] = [None if x != x else x for x in z[f].tolist()]
            else:  # flags
                columns[f] = [None if x != x else bool(x) for x in z[f].tolist()]
        columns.update(service_columns(vis, idx))
        bulk.insert(Measurement, columns, same=same)
        written += len(idx)
        if progress:
            progress(written, len(keep))
    return ChildrenSummary(children=len(pos), measurements=written, seconds=time.perf_counter() - start, created=True)


def existing_load(kabupaten: str = KABUPATEN):
    """The audit record of an earlier demo load of ``kabupaten`` (None if there is none): one
    indexed look-up."""
    from tumbuh.audit.models import AuditLog

    return AuditLog.objects.filter(object_type="measurements.measurement", object_id="demo:" + kabupaten).first()


def _without_clashes(data: DemoData) -> None:
    """Draw again the Tumbuh IDs of ``data`` that a stored child already holds (a second
    district's children are drawn after the first's)."""
    from tumbuh.measurements.models import Child

    ids = data.children["tumbuh_id"]
    rng = Generator(PCG64(data.seed + 1))
    for _ in range(5):
        taken = set()
        values = ids.tolist()
        for s in range(0, len(values), 500):
            taken |= set(
                Child.all_objects.filter(tumbuh_id__in=values[s : s + 500]).values_list("tumbuh_id", flat=True)
            )
        clash = np.array([v in taken for v in values], dtype=bool)
        if not clash.any():
            return
        ids[clash] = _tumbuh_ids(rng, int(clash.sum()))
    raise RuntimeError("demo Tumbuh IDs keep clashing")


def load_demo_children(
    seed: int = 2026,
    children: int = FULL_CHILDREN,
    kecamatan: list[str] | None = None,
    eppgbm: bool = False,
    reason: str = "data demo",
    progress=None,
    kabupaten: str = KABUPATEN,
) -> ChildrenSummary:
    """Generate and write the demo children and visits of ``kabupaten`` (Luwu Timur unless
    told), once.

    With ``eppgbm``, one round (Agustus 2025) of a few kecamatan is not written directly: the
    demo writes it as a messy e-PPGBM export (``eppgbm_export``) and imports that file through
    the e-PPGBM importer, so the demo shows an import batch with its rejected rows (Luwu
    Timur's only)."""
    from django.db import transaction

    from tumbuh.accounts import policy
    from tumbuh.audit.bulk import BulkWrite
    from tumbuh.measurements.models import Measurement

    from . import eppgbm_export as E

    done = existing_load(kabupaten)
    if done is not None:
        after = done.after or {}
        summary = ChildrenSummary(children=after.get("children", 0), measurements=after.get("measurements", 0))
        if after.get("eppgbm_kecamatan") and E.demo_batch() is None:
            # Children written, their export not imported yet (an earlier run stopped): import it now.
            data = generate(
                demo_area(after.get("kecamatan")), after.get("requested_children", children), after.get("seed", seed)
            )
            summary.batch = E.import_demo_export(E.build_export(data, kecamatan=after["eppgbm_kecamatan"]))
        return summary
    if children <= 0:
        return ChildrenSummary()
    start = time.perf_counter()
    data = generate(demo_area(kecamatan, kabupaten), children, seed)
    if kabupaten != KABUPATEN:
        _without_clashes(data)
    export_kecamatan = None
    mask = None
    if eppgbm and kabupaten == KABUPATEN and E.importer_available():
        present = set(data.area.kecamatan.tolist())
        export_kecamatan = [k for k in E.DEFAULT_KECAMATAN if k in present] or sorted(present)[:1]
        mask = E.round_mask(data, kecamatan=export_kecamatan)
    with transaction.atomic():
        bulk = BulkWrite(policy.SYSTEM)
        summary = write(bulk, data, mask, progress=progress)
        bulk.record(
            f"{reason}: {summary.children} anak dan {summary.measurements} pengukuran "
            f"({DISTRICT_NAMES.get(kabupaten, kabupaten)}, 2023–2025)"
            + (f"; Agustus 2025 di {len(export_kecamatan)} kecamatan lewat impor e-PPGBM" if export_kecamatan else ""),
            about=Measurement, object_id="demo:" + kabupaten, wilayah_code=kabupaten,
            object_repr=f"Data demo: {summary.children} anak, {summary.measurements} pengukuran",
            details={"children": summary.children, "measurements": summary.measurements, "seed": seed,
                     "requested_children": children, "kecamatan": sorted(kecamatan) if kecamatan else None,
                     "period": [PERIOD[0].isoformat(), PERIOD[1].isoformat()], "source": "demo",
                     "eppgbm_kecamatan": export_kecamatan, "eppgbm_round": E.DEFAULT_ROUND if export_kecamatan else None},
        )  # fmt: skip
    if export_kecamatan:
        summary.batch = E.import_demo_export(E.build_export(data, kecamatan=export_kecamatan))
    summary.seconds = time.perf_counter() - start
    return summary
