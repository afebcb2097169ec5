"""The indicator catalogue is data: seeded, idempotent, with targets and a lower-is-better case."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from tumbuh.indikator.catalogue import CATALOGUE
from tumbuh.indikator.models import Category, Computation, Indicator, IndicatorSetting
from tumbuh.organisation.models import Opd

pytestmark = pytest.mark.django_db


def test_the_perpres_targets_and_essential_indicators_are_seeded():
    national = Indicator.objects.national()
    assert national.count() == len(CATALOGUE)
    assert national.filter(category=Category.TARGET).count() == 17
    assert national.get(code="bumil-ttd-90").national_target == Decimal("80.00")
    assert national.get(code="remaja-putri-ttd").national_target == Decimal("58.00")
    assert national.get(code="kehamilan-tidak-diinginkan").lower_is_better
    assert national.get(code="balita-dipantau").computed_from == Computation.GROWTH_MONITORED
    assert national.filter(category=Category.ESSENTIAL, national_target__isnull=True).exists()


def test_reloading_the_catalogue_adds_nothing():
    before = Indicator.objects.count()
    call_command("load_indicators", stdout=open("/dev/null", "w"))
    assert Indicator.objects.count() == before


def test_gap_respects_direction():
    ttd = Indicator.objects.get(code="bumil-ttd-90", kabupaten=None)
    ktd = Indicator.objects.get(code="kehamilan-tidak-diinginkan", kabupaten=None)
    assert ttd.gap(Decimal("65"), ttd.national_target) == Decimal("15.0")
    assert ttd.gap(Decimal("95"), ttd.national_target) == Decimal("0.0")
    assert ktd.gap(Decimal("20"), ktd.national_target) == Decimal("4.5")
    assert ktd.gap(None, ktd.national_target) is None


def test_responsible_opd_and_target_per_district():
    ttd = Indicator.objects.get(code="bumil-ttd-90", kabupaten=None)
    dinkes = Opd.objects.get(kabupaten_id="73.24", short_name="DINKES")
    assert ttd.responsible_opd_id_for("73.24") == dinkes.pk  # from the catalogue's lead hint
    dp2kb = Opd.objects.get(kabupaten_id="73.24", short_name="DP2KB")
    IndicatorSetting.objects.create(kabupaten_id="73.24", indicator=ttd, responsible_opd=dp2kb, target=Decimal("85"))
    ttd = Indicator.objects.get(pk=ttd.pk)
    assert ttd.responsible_opd_id_for("73.24") == dp2kb.pk
    assert ttd.target_for("73.24") == Decimal("85")
    assert ttd.target_for("73.17") == Decimal("80.00")


def test_a_district_indicator_cannot_shadow_a_national_code():
    ind = Indicator(kabupaten_id="73.24", code="asi-eksklusif", name="x", short_name="x", kind="spesifik")
    with pytest.raises(ValidationError) as e:
        ind.full_clean()
    assert "code" in e.value.message_dict
