"""Register children and record visits: ask the policy, validate, score, write and audit.

Views call these two functions and nothing else saves a Child or a Measurement. Z-scores,
flags and Permenkes categories are always computed here by the growth engine
(``scoring.score``) from the inputs; a value typed into a computed field is overwritten.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from tumbuh.accounts import policy
from tumbuh.audit.actions import do_save, snapshot
from tumbuh.wilayah.models import Level, Wilayah

from . import scoring
from .models import Child, Measurement, Source
from .nik import clean_nik, nik_problem, nik_region

#: Plain reasons for a NIK that is not structurally valid.
NIK_MESSAGES = {
    "nik_length": _("A NIK has exactly 16 digits."),
    "nik_placeholder": _("This NIK is a placeholder (zeros), not a real number."),
    "nik_birth_date": _("Digits 7 to 12 of a NIK are the birth date (DDMMYY, day + 40 for girls); these are not a date."),
    "nik_region_unknown": _("The first 6 digits of a NIK are the kecamatan of registration; no such kecamatan exists."),
}

#: Plain reasons for the growth engine's codes (why a z-score is missing or was adjusted).
ENGINE_MESSAGES = {
    "age_negative": _("The visit date is before the birth date."),
    "age_out_of_range": _("The child is 60 months or older: the WHO 0–5 year standard does not apply."),
    "weight_missing": _("No weight: weight-based z-scores cannot be computed."),
    "weight_nonpositive": _("The weight must be more than 0."),
    "lenhei_missing": _("No length/height: length-based z-scores cannot be computed."),
    "lenhei_nonpositive": _("The length/height must be more than 0."),
    "measure_invalid": _("The position (lying or standing) was not given; assumed from the age."),
    "standing_under_9mo": _("A child under 9 months cannot be measured standing; measure lying down."),
    "oedema": _("Oedema: weight-based z-scores are not computed and the child counts as severely wasted."),
    "wfl_out_of_range": _("The length/height is outside the WHO weight-for-length/height table (45–110 cm lying, 65–120 cm standing)."),
    "age_under_91_days": _("Arm circumference is only scored from 3 months of age."),
}

#: WHO's flags (|z| beyond these limits is biologically implausible).
FLAG_MESSAGES = {
    "flen": _("Length/height-for-age is implausible (z below −6 or above +6): check the measurement and the birth date."),
    "fwei": _("Weight-for-age is implausible (z below −6 or above +5): check the weight and the birth date."),
    "fwfl": _("Weight-for-length/height is implausible (z below −5 or above +5): check weight and length/height, or a swap."),
    "fbmi": _("BMI-for-age is implausible (z below −5 or above +5)."),
    "fhc": _("Head circumference-for-age is implausible (z below −5 or above +5)."),
    "fac": _("Arm circumference-for-age is implausible (z below −5 or above +5)."),
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong or doubtful about a visit: ``severity`` is ``error`` (it is not saved)
    or ``warning`` (it is saved and marked)."""

    code: str
    severity: str
    message: str


def check_nik(nik: str) -> str | None:
    """The plain reason why ``nik`` (already cleaned) is not a valid NIK, or None. Empty is fine:
    many children have no NIK yet."""
    if not nik:
        return None
    known = set()
    if len(nik) >= 6 and Wilayah.objects.filter(code=nik_region(nik), level=Level.KECAMATAN).exists():
        known.add(nik_region(nik))
    code = nik_problem(nik, known)
    return str(NIK_MESSAGES.get(code, code)) if code else None


def check_parent_nik(nik: str, child_nik: str = "") -> str | None:
    """Like ``check_nik``, and the parent's NIK is not the child's own."""
    if nik and nik == child_nik:
        return str(_("The parent's NIK is the same as the child's."))
    return check_nik(nik)


_PHONE_PUNCTUATION = re.compile(r"[\s().\-/]")


def clean_phone(value) -> str:
    """``+62 812-3456-7890`` → ``+6281234567890``: digits, and a leading + if there was one."""
    return _PHONE_PUNCTUATION.sub("", str(value or "").strip())


def check_phone(phone: str) -> str | None:
    """Why ``phone`` (already cleaned) is not a phone number, or None; empty is fine."""
    if phone and not re.fullmatch(r"\+?\d{8,15}", phone):
        return str(_("Enter a phone number of 8 to 15 digits, e.g. 0812 3456 7890."))
    return None


def _quantize(obj) -> None:
    """Decimal inputs at their stored precision, so that the audit's "before" (read back from
    the database) and "after" compare alike: 9.7 kg is stored and logged as 9.70."""
    for field in obj._meta.concrete_fields:
        if isinstance(field, models.DecimalField):
            value = getattr(obj, field.attname)
            if value is not None:
                try:
                    setattr(obj, field.attname, Decimal(str(value)).quantize(Decimal(1).scaleb(-field.decimal_places)))
                except InvalidOperation:
                    raise ValidationError({field.name: _("Enter a number, e.g. 9,5.")}) from None


def _unchanged(stored, obj) -> bool:
    """Nothing but the timestamps would change: no write, no audit row."""
    if stored is None:
        return False
    ignore = {"created_at", "updated_at"}
    before, after = snapshot(stored), snapshot(obj)
    return {k: v for k, v in before.items() if k not in ignore} == {k: v for k, v in after.items() if k not in ignore}


def do_register_child(actor, child: Child, reason: str = "", *, today: dt.date) -> Child:
    """Create or change ``child`` (audited). Changing the birth date or sex scores the child's
    visits again, each audited too (their warnings checked on ``today``)."""
    child.nik = clean_nik(child.nik)
    child.parent_nik = clean_nik(child.parent_nik)
    child.parent_phone = clean_phone(child.parent_phone)
    _quantize(child)
    creating = child.pk is None
    stored = None if creating else Child.objects.filter(pk=child.pk).first()
    problem = check_nik(child.nik)
    if problem:
        raise ValidationError({"nik": problem})
    for field, problem in (("parent_nik", check_parent_nik(child.parent_nik, child.nik)),
                           ("parent_phone", check_phone(child.parent_phone))):
        if problem:
            raise ValidationError({field: problem})
    if child.posyandu_id and child.posyandu.desa_id != child.desa_id:
        raise ValidationError({"posyandu": _("This posyandu is in another desa.")})
    if _unchanged(stored, child):
        policy.require(actor, policy.CHANGE, stored)  # nothing is written, but it must be theirs
        return child
    with transaction.atomic():
        do_save(actor, child, reason=reason)
        if stored is not None and (stored.birth_date != child.birth_date or stored.sex != child.sex):
            visits = list(child.measurements.all())
            for m in visits:
                m.child = child
            scoring.score(visits)
            for m in visits:
                m.warnings = _warning_text(check_measurement(m, scored=True, today=today))
                do_save(actor, m, reason=_("Birth date or sex of the child changed: z-scores recomputed."))
    return child


def _validation_module():
    try:
        from . import validation
    except ImportError:
        return None
    return validation


def check_measurement(m: Measurement, scored: bool = False, *, today: dt.date) -> list[Problem]:
    """Errors and warnings for one visit entered ``today``: the import validator's checks (``validation.py``:
    dates, ranges, unit errors, swaps, change since the previous visit, WHO flags), then the
    growth engine's own reasons (position, oedema, table ranges)."""
    if not scored:
        scoring.score([m])
    problems: list[Problem] = []
    validation = _validation_module()
    check = getattr(validation, "check_visit", None)
    if check is not None:
        previous = None
        if m.child_id:
            earlier = m.child.measurements.filter(date__lt=m.date)
            if m.pk:
                earlier = earlier.exclude(pk=m.pk)
            previous = earlier.order_by("-date").first()
        for p in check(m, previous=previous, today=today):
            text = p.text() if hasattr(p, "text") else str(p.message)
            problems.append(Problem(p.code, p.severity, text))
    else:  # without the validator: the engine's flags and the basic date checks
        for field, message in FLAG_MESSAGES.items():
            if getattr(m, field):
                problems.append(Problem(field, "warning", str(message)))
        if m.date and m.date > today:
            problems.append(Problem("date_future", "error", str(_("The visit date is in the future."))))
    seen = {p.code for p in problems}
    dates_checked = check is not None
    for code in filter(None, (m.engine_reason or "").split(";")):
        if code not in ENGINE_MESSAGES or code in seen:
            continue
        if code in ("age_negative", "age_out_of_range"):
            if not dates_checked:
                problems.append(Problem(code, "error", str(ENGINE_MESSAGES[code])))
        elif code not in ("weight_missing", "lenhei_missing", "weight_nonpositive", "lenhei_nonpositive"):
            problems.append(Problem(code, "warning", str(ENGINE_MESSAGES[code])))
    if m.weight is None and m.lenhei is None:
        problems.append(Problem("nothing_measured", "error", str(_("Enter the weight, the length/height, or both."))))
    return problems


def _warning_text(problems: list[Problem]) -> str:
    return ";".join(p.code for p in problems if p.severity != "error")[:300]


def _clean_services(m: Measurement) -> None:
    """``asi_months``: seven of Y (yes), T (no), - (not recorded), or empty when nothing is."""
    months = (m.asi_months or "").upper()
    if months and not re.fullmatch(r"[YT-]{7}", months):
        raise ValidationError({"asi_months": _("Exclusive breastfeeding is recorded for months 0 to 6, each Y, T or -.")})
    m.asi_months = "" if months == "-" * 7 else months


def do_record_measurement(actor, measurement: Measurement, reason: str = "", *, today: dt.date) -> Measurement:
    """Create or correct a visit entered ``today`` (audited), after the policy and the checks; the engine's
    fields are computed from the inputs every time."""
    m = measurement
    policy.require(actor, policy.VIEW, m.child)
    if not m.desa_id:
        m.desa_id = m.child.desa_id
    if not m.posyandu_id and m.child.posyandu_id:
        m.posyandu_id = m.child.posyandu_id
    creating = m.pk is None
    stored = None
    if not creating:
        stored = Measurement.objects.select_related("child").filter(pk=m.pk).first()
    if creating:
        m.entered_by = actor if actor.pk else None
        if not m.source:
            m.source = Source.FORM
    _quantize(m)
    _clean_services(m)
    problems = check_measurement(m, today=today)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ValidationError([p.message for p in errors])
    m.warnings = _warning_text(problems)
    if _unchanged(stored, m):
        policy.require(actor, policy.CHANGE, stored)  # nothing is written, but it must be theirs
        return m
    return do_save(actor, m, reason=reason)
