"""Writing coverage: ask the policy, validate, save and audit (``audit.actions``)."""

from __future__ import annotations

from decimal import Decimal

from tumbuh.accounts import policy
from tumbuh.audit.actions import do_save

from .models import Coverage, CoverageSource, Indicator, IndicatorSetting


def set_coverage(
    actor,
    indicator: Indicator,
    desa_code: str,
    year: int,
    *,
    numerator: int | None = None,
    denominator: int | None = None,
    value: Decimal | None = None,
    note: str = "",
    source: str = CoverageSource.ENTERED,
    import_batch=None,
    reason: str = "",
    permitted_by: tuple | None = None,
) -> Coverage:
    """Create or update one desa's coverage of ``indicator`` for ``year``.

    The policy decides (the responsible OPD, or the secretariat); the model validates
    (numerator ≤ denominator, a value or both counts); the write is audited. Coverage Tumbuh
    computes is never overwritten by hand: the policy is asked about the stored row too. Computed
    coverage (``source`` "computed", written only by ``computations.compute``) is audited as
    ``actor``, who asked for the computation, in the computation's right (``permitted_by``,
    e.g. ``(permissions.may_compute, kabupaten_code)``), which keeps computed rows from hand
    edits; nobody "entered" it."""
    obj = Coverage.objects.filter(indicator=indicator, desa_id=desa_code, year=year).first()
    if obj is None:
        obj = Coverage(indicator=indicator, desa_id=desa_code, year=year)
    computed = source == CoverageSource.COMPUTED
    obj.numerator, obj.denominator, obj.note = numerator, denominator, note
    obj.value = None if numerator is not None and denominator is not None else value
    obj.source = source
    obj.import_batch = import_batch
    if computed:
        obj.entered_by = None
    elif actor.pk:
        obj.entered_by = actor
    return do_save(actor, obj, reason=reason, permitted_by=permitted_by)


def save_indicator(actor, indicator: Indicator, *, reason: str = "") -> Indicator:
    """A district's own indicator (the national catalogue changes by data migration only)."""
    policy.require(actor, policy.ADD if indicator.pk is None else policy.CHANGE, indicator)
    return do_save(actor, indicator, reason=reason)


def save_setting(actor, setting: IndicatorSetting, *, reason: str = "") -> IndicatorSetting:
    """The district's responsible OPD and target for one indicator."""
    policy.require(actor, policy.ADD if setting.pk is None else policy.CHANGE, setting)
    return do_save(actor, setting, reason=reason)
