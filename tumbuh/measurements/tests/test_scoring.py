import datetime as dt
from decimal import Decimal

from tumbuh.measurements.models import Child, Measurement
from tumbuh.measurements.nik import clean_nik, mask_nik, nik_problem
from tumbuh.measurements.scoring import score


def _visit(sex=1, birth=dt.date(2023, 1, 10), date=dt.date(2025, 2, 10), **kw):
    child = Child(name="Uji", sex=sex, birth_date=birth, desa_id="73.24.04.2010")
    return Measurement(child=child, date=date, desa_id="73.24.04.2010", **kw)


def test_a_stunted_boy_is_pendek():
    m = _visit(weight=Decimal("10.2"), lenhei=Decimal("80.0"), position="h")
    score([m])
    assert m.age_days == 762
    assert m.zlen < -2 and m.status_tbu in ("pendek", "sangat_pendek")
    assert m.zwei is not None and m.zwfl is not None and m.zbmi is not None
    assert m.engine_reason == ""


def test_oedema_removes_weight_based_scores_and_is_gizi_buruk():
    m = _visit(weight=Decimal("9.0"), lenhei=Decimal("82.0"), position="h", oedema=True)
    score([m])
    assert m.zwei is None and m.zwfl is None and m.zbmi is None
    assert m.zlen is not None
    assert m.status_bbtb == "gizi_buruk"
    assert "oedema" in m.engine_reason


def test_missing_values_give_a_reason_not_a_crash():
    ms = [_visit(weight=None, lenhei=Decimal("80.0"), position="x"), _visit(weight=Decimal("-1"), lenhei=None)]
    score(ms)
    assert ms[0].zwei is None and "measure_invalid" in ms[0].engine_reason
    assert ms[1].zwei is None and "weight_nonpositive" in ms[1].engine_reason


def test_nik_is_masked_and_checked():
    assert mask_nik("7324041501230012") == "7324••••••••0012"
    assert clean_nik("7.324041501230012e+15") == "7324041501230012"
    assert clean_nik(" 7324 0415 0123 0012 ") == "7324041501230012"
    assert nik_problem("7324041501230012", {"73.24.04"}) is None
    assert nik_problem("7324041501230012", {"73.17.01"}) == "nik_region_unknown"
    assert nik_problem("73240415", None) == "nik_length"
    assert nik_problem("7324045513230012", None) == "nik_birth_date"  # day 55 - 40 = 15 ok, month 13 not
    assert nik_problem("7324045501230012", None) is None  # a girl: day + 40
