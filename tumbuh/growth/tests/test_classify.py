"""Permenkes 2/2020 categories: cut-offs, boundaries, flags, oedema, labels."""

from __future__ import annotations

import numpy as np
import pytest

from tumbuh.growth.classify import IMPLAUSIBLE, LABELS, classify, classify_anthro, label
from tumbuh.growth.zscores import anthro_zscores


def test_tbu_stunting_boundaries():
    z = [-3.01, -3.0, -2.01, -2.0, 0.0, 3.0, 3.01, np.nan]
    assert classify(z, "tbu").tolist() == [
        "sangat_pendek", "pendek", "pendek", "normal", "normal", "normal", "tinggi", None,
    ]  # fmt: skip


def test_bbtb_has_six_categories():
    z = [-3.5, -2.5, -2.0, 1.0, 1.01, 2.0, 2.01, 3.0, 3.01]
    assert classify(z, "bbtb").tolist() == [
        "gizi_buruk", "gizi_kurang", "gizi_baik", "gizi_baik", "berisiko_gizi_lebih",
        "berisiko_gizi_lebih", "gizi_lebih", "gizi_lebih", "obesitas",
    ]  # fmt: skip


def test_bbu_and_imtu():
    assert classify([-3.2, -2.5, 1.0, 1.5], "bbu").tolist() == [
        "bb_sangat_kurang",
        "bb_kurang",
        "bb_normal",
        "risiko_bb_lebih",
    ]
    assert classify([-2.5, 1.5, 2.5, 3.5], "imtu").tolist() == [
        "gizi_kurang",
        "berisiko_gizi_lebih",
        "gizi_lebih",
        "obesitas",
    ]
    assert classify([1.5, 2.5], "imtu_5_18").tolist() == ["gizi_lebih", "obesitas"]


def test_cut_offs_apply_to_the_z_rounded_like_who():
    # −2.004 prints as −2.00 in WHO's software: normal, not stunted; −2.006 prints as −2.01: stunted.
    assert classify([-2.004, -2.006], "tbu").tolist() == ["normal", "pendek"]


def test_flagged_z_is_implausible_and_oedema_is_most_severe():
    assert classify([-7.0, 0.0], "tbu", flags=[1, 0]).tolist() == [IMPLAUSIBLE, "normal"]
    assert classify([np.nan, 0.0], "bbtb", oedema=[True, False]).tolist() == ["gizi_buruk", "gizi_baik"]
    assert classify([np.nan], "tbu", oedema=[True]).tolist() == [None]  # not weight-based


def test_labels_in_indonesian_and_english():
    codes = classify([-2.5, np.nan], "tbu")
    assert label(codes, "tbu").tolist() == ["Pendek", None]
    assert label(codes, "tbu", "en").tolist() == ["Stunted", None]
    for table in LABELS.values():
        assert all(isinstance(i, str) and isinstance(e, str) for i, e in table.values())


def test_classify_anthro_uses_flags_and_oedema_from_the_result():
    r = anthro_zscores(sex=[1, 1], age_days=500, weight=[9.5, 9.5], lenhei=[78.0, 78.0], measure="l", oedema=["n", "y"])
    cats = classify_anthro(r)
    assert set(cats) == {"status_tbu", "status_bbtb", "status_bbu", "status_imtu"}
    assert cats["status_bbtb"][1] == "gizi_buruk" and cats["status_bbu"][1] == "bb_sangat_kurang"
    assert cats["status_bbtb"][0] in LABELS["bbtb"]


def test_unknown_indicator():
    with pytest.raises(ValueError):
        classify([0.0], "xyz")
