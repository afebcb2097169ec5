"""Coverage per desa per year: validated, audited, entered only by the responsible OPD or the
secretariat, scoped to the user's node."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tumbuh.accounts import policy
from tumbuh.audit.models import AuditLog
from tumbuh.indikator.actions import set_coverage
from tumbuh.indikator.models import Coverage, CoverageSource, Indicator

pytestmark = pytest.mark.django_db

BALANTANG = "73.24.04.2010"
YEAR = 2031  # a year the demo data leaves empty


def _ind(code):
    return Indicator.objects.get(code=code, kabupaten=None)


def test_value_is_computed_from_counts_and_audited(alice):
    cov = set_coverage(alice, _ind("bumil-ttd-90"), BALANTANG, YEAR, numerator=17, denominator=24, reason="laporan PKM")
    assert cov.value == Decimal("70.83")
    log = AuditLog.objects.get(object_type="indikator.coverage", object_id=str(cov.pk))
    assert log.actor == alice and log.reason == "laporan PKM" and log.after["numerator"] == 17
    cov = set_coverage(alice, _ind("bumil-ttd-90"), BALANTANG, YEAR, numerator=20, denominator=24)
    assert Coverage.objects.filter(desa_id=BALANTANG, year=YEAR).count() == 1 and cov.value == Decimal("83.33")


@pytest.mark.parametrize(
    "counts", [dict(numerator=30, denominator=24), dict(numerator=3, denominator=0), dict(numerator=3), dict()]
)
def test_bad_counts_are_refused(alice, counts):
    with pytest.raises(ValidationError):
        set_coverage(alice, _ind("bumil-ttd-90"), BALANTANG, YEAR, **counts)
    assert not Coverage.objects.filter(year=YEAR).exists()


@pytest.mark.parametrize(
    "username, indicator, allowed",
    [
        ("admin.lutim", "air-minum-layak", True),  # the secretariat: all indicators
        ("dinkes.lutim", "bumil-ttd-90", True),  # DINKES answers for it
        ("dinkes.lutim", "air-minum-layak", False),  # DPUPR's indicator
        ("camat.malili", "bumil-ttd-90", False),
        ("pkm.malili", "bumil-ttd-90", False),
        ("desa.balantang", "bumil-ttd-90", False),
        ("pantau.lutim", "bumil-ttd-90", False),
        ("admin.luwu", "bumil-ttd-90", False),  # another district
    ],
)
def test_who_may_enter_coverage(demo_users, username, indicator, allowed):
    user = demo_users[username]
    if allowed:
        assert set_coverage(user, _ind(indicator), BALANTANG, YEAR, value=Decimal("50")).pk
    else:
        with pytest.raises(PermissionDenied):
            set_coverage(user, _ind(indicator), BALANTANG, YEAR, value=Decimal("50"))


def test_computed_coverage_is_not_edited_by_hand(alice, demo_users):
    ind = _ind("balita-dipantau")
    set_coverage(policy.SYSTEM, ind, BALANTANG, YEAR, numerator=5, denominator=10, source=CoverageSource.COMPUTED)
    for user in (alice, demo_users["dinkes.lutim"]):
        with pytest.raises(PermissionDenied):
            set_coverage(user, ind, BALANTANG, YEAR, numerator=9, denominator=10)


def test_coverage_is_seen_only_inside_the_node(alice, demo_users):
    set_coverage(alice, _ind("asi-eksklusif"), BALANTANG, YEAR, value=Decimal("60"))
    other = "73.24.01.2001"
    set_coverage(alice, _ind("asi-eksklusif"), other, YEAR, value=Decimal("40"))
    qs = Coverage.objects.filter(year=YEAR)
    assert policy.visible(demo_users["desa.balantang"], qs).count() == 1
    assert policy.visible(demo_users["camat.malili"], qs).count() == 1
    assert policy.visible(demo_users["dinkes.lutim"], qs).count() == 2
    assert policy.visible(demo_users["admin.luwu"], qs).count() == 0
