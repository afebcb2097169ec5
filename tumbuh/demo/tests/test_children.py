"""The demo children: deterministic, realistic, and with a truth the growth engine recovers."""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
import pytest
from django.db.models import F

from tumbuh.demo import children as C
from tumbuh.growth.zscores import anthro_zscores
from tumbuh.measurements.nik import nik_problem

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def full(django_db_setup, django_db_blocker):
    """The full demo (25,000 children), generated in memory (not written) from the test database's posyandu."""
    with django_db_blocker.unblock():
        area = C.demo_area()
    data = C.generate(area, C.FULL_CHILDREN, seed=2026)
    return data, C.score_visits(data)


@pytest.fixture(scope="module")
def malili(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return C.demo_area(["73.24.04"])


# --------------------------------------------------------------------------- determinism


def _fingerprint(data: C.DemoData) -> tuple:
    ch, vis = data.children, data.visits
    return (
        tuple(ch["name"].tolist()), tuple(ch["nik"].tolist()), tuple(ch["birth"].astype(str).tolist()),
        tuple(ch["tumbuh_id"].tolist()), tuple(vis["date"].astype(str).tolist()), tuple(np.nan_to_num(vis["weight"]).tolist()),
        tuple(np.nan_to_num(vis["lenhei"]).tolist()),
    )  # fmt: skip


def test_same_seed_gives_the_same_data_and_another_seed_other_data(malili):
    a = C.generate(malili, 200, seed=7)
    b = C.generate(malili, 200, seed=7)
    c = C.generate(malili, 200, seed=8)
    assert _fingerprint(a) == _fingerprint(b)
    assert a.n_visits == b.n_visits
    fa, fc = _fingerprint(a), _fingerprint(c)
    assert all(x != y for x, y in zip(fa, fc))


# --------------------------------------------------------------------------- size and shape


def test_the_full_demo_has_about_25000_children_and_realistic_rounds(full):
    data, z = full
    vis, ch = data.visits, data.children
    assert data.n_children == 25_000
    months = vis["date"].astype("datetime64[M]")
    rounds = sorted(set(months[vis["is_round"]].tolist()))
    assert [f"{m:%Y-%m}" for m in rounds] == ["2023-02", "2023-08", "2024-02", "2024-08", "2025-02", "2025-08"]
    per_round = [int((months == np.datetime64(m, "M")).sum()) for m in rounds]
    assert all(14_000 < n < 17_000 for n in per_round), per_round  # ~15,600 under-fives, 96 % come
    # Everyone in a round is weighed and measured; monthly visits are mostly weight only.
    assert np.all(~np.isnan(vis["lenhei"][vis["is_round"]])) and np.all(~np.isnan(vis["weight"]))
    monthly = ~vis["is_round"]
    assert monthly.sum() > 100_000
    assert np.isnan(vis["lenhei"][monthly]).mean() > 0.9
    # Ages 0–59 months; at most one visit per child and date; each desa's children in proportion to its posyandu.
    assert vis["age_days"].min() >= 0 and vis["age_days"].max() < 1826
    key = vis["child"].astype(np.int64) * 100_000 + (vis["date"] - np.datetime64("2020-01-01")).astype(np.int64)
    assert len(np.unique(key)) == data.n_visits
    feb = months == np.datetime64("2025-02", "M")
    per_posyandu = np.bincount(ch["posyandu"][vis["child"][feb]], minlength=len(data.area))
    assert 35 < per_posyandu.mean() < 60 and per_posyandu.min() > 5
    # Position: lying under 24 months, standing after, with a few in the other position.
    measured = ~np.isnan(vis["lenhei"])
    lying = vis["position"] == "l"
    expected_lying = vis["age_days"] < 731
    other = measured & (lying != expected_lying)
    assert 0.015 < other.sum() / measured.sum() < 0.045
    assert np.all(vis["age_days"][other & ~lying] >= 274)  # never standing before 9 months
    # Plausible: no WHO flag anywhere, few extreme values.
    for f in ("flen", "fwei", "fwfl", "fac"):
        assert np.nansum(z[f]) == 0, f


def test_names_addresses_and_birth_data_look_real(full):
    data, _ = full
    ch = data.children
    assert all(n and p for n, p in zip(ch["name"].tolist(), ch["parent"].tolist()))
    assert len(set(ch["name"].tolist())) > 5_000
    assert any(n.startswith("Andi ") for n in ch["name"].tolist()) and any(
        n.startswith("Ni ") for n in ch["name"].tolist()
    )
    assert set(ch["rt"].tolist()) <= set(range(1, 7)) and set(ch["rw"].tolist()) <= set(range(1, 5))
    assert 0.49 < np.mean(ch["sex"] == 1) < 0.53
    bw = ch["birth_weight"]
    assert 3.0 < np.nanmean(bw) < 3.3 and 0.04 < np.nanmean(bw[~np.isnan(bw)] < 2.5) < 0.12
    assert len(set(ch["tumbuh_id"].tolist())) == data.n_children


def test_nik_structure_is_valid_for_those_who_have_one(full):
    data, _ = full
    ch = data.children
    nik = ch["nik"]
    has = nik != ""
    assert 0.83 < has.mean() < 0.87
    known = set(C.KECAMATAN_PREVALENCE)
    assert all(nik_problem(n, known) is None for n in nik[has].tolist())
    assert len(set(nik[has].tolist())) == has.sum()  # unique
    births = ch["birth"][has].astype(object)
    for n, sex, b in zip(nik[has].tolist()[:2000], ch["sex"][has].tolist()[:2000], births[:2000]):
        assert (
            int(n[6:8]) == b.day + (40 if sex == 2 else 0)
            and n[8:10] == f"{b.month:02d}"
            and n[10:12] == f"{b.year % 100:02d}"
        )
    # Mostly registered in the child's own kecamatan.
    own = np.array([n[:6] for n in nik[has].tolist()]) == np.array(
        [k.replace(".", "") for k in data.area.kecamatan[ch["posyandu"][has]].tolist()]
    )
    assert 0.93 < own.mean() < 0.98


# --------------------------------------------------------------------------- the truth


def _engine(data, idx, weight, lenhei, position):
    ci = data.visits["child"][idx]
    return anthro_zscores(
        sex=data.children["sex"][ci].astype(float),
        age_days=data.visits["age_days"][idx].astype(float),
        weight=weight,
        lenhei=lenhei,
        measure=position,
    )


def test_the_engine_recovers_the_true_z_scores(full):
    data, z = full
    vis = data.visits
    # 1. The inverse LMS is exact: the engine on the unrounded true values gives back the sampled z.
    idx = np.arange(data.n_visits)
    expected = np.where(vis["age_days"] < 731, "l", "h").astype(object)
    exact = _engine(data, idx, vis["weight_true"], vis["lenhei_true"], expected)
    assert np.nanmax(np.abs(exact["zlen"] - vis["zlen_true"])) < 1e-9
    assert np.nanmax(np.abs(exact["zwei"] - vis["zwei_true"])) < 1e-9
    assert np.array_equal(np.isnan(exact["zlen"]), np.isnan(vis["zlen_true"]))
    # 2. From the recorded values (0.1 kg, 0.1 cm, either position), the engine is within the
    #    rounding: between the z-scores of the true value ± 0.05.
    for name, true, _recorded in (
        ("zwei", vis["weight_true"], vis["weight"]),
        ("zlen", vis["lenhei_true"], vis["lenhei"]),
    ):
        w_lo = _engine(
            data,
            idx,
            true - 0.05 if name == "zwei" else vis["weight_true"],
            true - 0.05 if name == "zlen" else vis["lenhei_true"],
            expected,
        )[name]
        w_hi = _engine(
            data,
            idx,
            true + 0.05 if name == "zwei" else vis["weight_true"],
            true + 0.05 if name == "zlen" else vis["lenhei_true"],
            expected,
        )[name]
        got = z[name]
        ok = ~np.isnan(vis[name + "_true"])
        assert np.all((got[ok] >= w_lo[ok] - 1e-9) & (got[ok] <= w_hi[ok] + 1e-9)), name
        assert np.array_equal(np.isnan(got), ~ok)
    # How close, in z: length within 0.03, weight within 0.15 (a newborn's 0.05 kg is a lot).
    assert np.nanmax(np.abs(z["zlen"] - vis["zlen_true"])) < 0.03
    assert np.nanmax(np.abs(z["zwei"] - vis["zwei_true"])) < 0.15
    assert np.nanmean(np.abs(z["zwei"] - vis["zwei_true"])) < 0.03
    assert np.nanmax(np.abs(z["zac"] - vis["zac_true"])) < 0.06
    # Weight-for-length/height follows from both and stays realistic.
    whz = z["zwfl"][vis["is_round"]]
    assert -0.6 < np.nanmean(whz) < -0.2 and 0.85 < np.nanstd(whz) < 1.15


def _round_mask(vis, ym: str) -> np.ndarray:
    return vis["is_round"] & (vis["date"].astype("datetime64[M]") == np.datetime64(ym, "M"))


ROUNDS = ["2023-02", "2023-08", "2024-02", "2024-08", "2025-02", "2025-08"]


def test_prevalence_per_kecamatan_is_near_the_intended_level_and_falls(full):
    data, z = full
    vis = data.visits
    kec = data.area.kecamatan[data.children["posyandu"][vis["child"]]]
    stunted = np.isin(z["status_tbu"], ["pendek", "sangat_pendek"])
    # The 2022 levels average the district's SSGI 22.6 % (weighted by posyandu, i.e. by children).
    weights = {k: (data.area.kecamatan == k).sum() for k in C.KECAMATAN_PREVALENCE}
    mean2022 = sum(C.KECAMATAN_PREVALENCE[k][0] * w for k, w in weights.items()) / sum(weights.values())
    assert abs(mean2022 - 22.6) < 0.1
    district = []
    for ym in ROUNDS:
        r = _round_mask(vis, ym)
        day = vis["date"][r][0]
        for k in C.KECAMATAN_PREVALENCE:
            sel = r & (kec == k)
            n, p = sel.sum(), C.intended_prevalence(k, day)
            observed = stunted[sel].mean()
            assert abs(observed - p) < 3.5 * np.sqrt(p * (1 - p) / n) + 0.005, (ym, k, observed, p, n)
        district.append(stunted[r].mean())
    district = np.array(district)
    intended = np.array(
        [
            sum(C.intended_prevalence(k, np.datetime64(ym + "-15")) * w for k, w in weights.items())
            / sum(weights.values())
            for ym in ROUNDS
        ]
    )
    assert np.all(np.abs(district - intended) < 0.01), (district, intended)
    # Falls: about one point a year over the six rounds.
    slope = np.polyfit(np.arange(6) / 2.0, district * 100, 1)[0]
    assert -1.6 < slope < -0.6, slope
    assert district[-1] < district[0] - 0.015
    # Kecamatan differ: the highest well above the lowest.
    feb23 = _round_mask(vis, "2023-02")
    per_kec = {k: stunted[feb23 & (kec == k)].mean() for k in C.KECAMATAN_PREVALENCE}
    assert max(per_kec.values()) - min(per_kec.values()) > 0.07


# --------------------------------------------------------------------------- in the database


def test_the_test_database_has_demo_children_in_malili_with_scored_visits():
    from tumbuh.audit.models import AuditLog
    from tumbuh.conftest import TEST_DEMO_CHILDREN
    from tumbuh.measurements.models import Child, Measurement
    from tumbuh.measurements.scoring import COMPUTED_FIELDS, score

    kids = Child.objects.filter(desa__kecamatan_code="73.24.04")
    assert kids.count() == TEST_DEMO_CHILDREN
    assert kids.filter(desa_id="73.24.04.2010").count() >= 5  # Balantang
    assert kids.filter(desa_id="73.24.04.2001").count() >= 5  # Harapan
    assert not Child.objects.exclude(desa__kecamatan_code="73.24.04").exists()
    visits = Measurement.objects.filter(source="demo")
    assert visits.count() > 10 * TEST_DEMO_CHILDREN
    assert not visits.exclude(desa_id=F("child__desa_id")).exists()
    # The stored z-scores are what scoring.score computes.
    sample = list(visits.select_related("child").order_by("id")[::7][:300])
    stored = [tuple(getattr(m, f) for f in COMPUTED_FIELDS) for m in sample]
    score(sample)
    assert stored == [tuple(getattr(m, f) for f in COMPUTED_FIELDS) for m in sample]
    # One audit record for the whole load.
    log = AuditLog.objects.get(object_type="measurements.measurement", object_id=C.AUDIT_OBJECT_ID)
    assert log.reason.startswith("data demo") and f"{TEST_DEMO_CHILDREN} anak" in log.reason
    assert log.after["children"] == TEST_DEMO_CHILDREN and log.after["measurements"] == visits.count()
    assert AuditLog.objects.filter(object_type="measurements.child").count() == 0


def test_a_second_build_adds_nothing_and_is_quick():
    from tumbuh.audit.models import AuditLog
    from tumbuh.conftest import TEST_DEMO_CHILDREN, TEST_DEMO_KECAMATAN
    from tumbuh.demo.generator import build_demo
    from tumbuh.measurements.models import Child, Measurement

    counts = (Child.objects.count(), Measurement.objects.count(), AuditLog.objects.count())
    start = time.perf_counter()
    summary = build_demo(children=TEST_DEMO_CHILDREN, kecamatan=TEST_DEMO_KECAMATAN)
    seconds = time.perf_counter() - start
    assert (Child.objects.count(), Measurement.objects.count(), AuditLog.objects.count()) == counts
    assert summary.children == TEST_DEMO_CHILDREN and not summary.children_created
    # Even asking for the full demo finds the earlier load and writes nothing.
    assert build_demo(children=C.FULL_CHILDREN).children == TEST_DEMO_CHILDREN
    assert Child.objects.count() == counts[0]
    assert seconds < 10


# --------------------------------------------------------------------------- the second district


def test_luwu_gets_children_of_its_own_once():
    """Kabupaten Luwu's demo children (``make demo``: 6,000): its own seed, audit record and
    prevalence (higher than Luwu Timur's), Tumbuh IDs that clash with none of Luwu Timur's, and
    a second load adds nothing."""
    from tumbuh.audit.models import AuditLog
    from tumbuh.measurements.models import Child, Measurement
    from tumbuh.organisation.models import Posyandu

    kecamatan = Posyandu.objects.filter(desa__kabupaten_code=C.SECOND_KABUPATEN).order_by("desa_id").first()
    kecamatan = kecamatan.desa.kecamatan_code
    before = Child.objects.count()
    summary = C.load_demo_children(seed=2026 + C.SECOND_SEED_OFFSET, children=150, kecamatan=[kecamatan],
                                   kabupaten=C.SECOND_KABUPATEN)  # fmt: skip
    assert summary.created and summary.children == 150 and summary.batch is None  # no e-PPGBM import
    assert Child.objects.filter(desa__kabupaten_code=C.SECOND_KABUPATEN).count() == 150
    assert Child.objects.count() == before + 150
    assert Measurement.objects.filter(desa__kabupaten_code=C.SECOND_KABUPATEN).count() == summary.measurements > 150
    assert Child.objects.values("tumbuh_id").distinct().count() == Child.objects.count()
    log = C.existing_load(C.SECOND_KABUPATEN)
    assert log.wilayah_code == C.SECOND_KABUPATEN and "(Luwu, 2023–2025)" in log.reason
    assert C.existing_load().pk != log.pk
    again = C.load_demo_children(seed=2026 + C.SECOND_SEED_OFFSET, children=150, kecamatan=[kecamatan],
                                 kabupaten=C.SECOND_KABUPATEN)  # fmt: skip
    assert not again.created and Child.objects.count() == before + 150
    assert AuditLog.objects.filter(object_id="demo:" + C.SECOND_KABUPATEN).count() == 1
    assert C.intended_prevalence(kecamatan, dt.date(2024, 7, 1)) > C.intended_prevalence(
        "73.24.04", dt.date(2024, 7, 1)
    )


def test_the_second_district_draws_other_children():
    from tumbuh.organisation.models import Posyandu

    kecamatan = Posyandu.objects.filter(desa__kabupaten_code=C.SECOND_KABUPATEN).order_by("desa_id").first()
    area = C.demo_area([kecamatan.desa.kecamatan_code], C.SECOND_KABUPATEN)
    assert set(area.desa.tolist()) and all(d.startswith(C.SECOND_KABUPATEN + ".") for d in area.desa.tolist())
    a = C.generate(area, 200, seed=2026 + C.SECOND_SEED_OFFSET)
    b = C.generate(area, 200, seed=2026)
    assert a.children["name"].tolist() != b.children["name"].tolist()
