"""Register children and record visits, and take a mistake back: ask the policy, validate,
score, write and audit.

Views call these functions and nothing else saves a Child or a Measurement. Z-scores,
flags and Permenkes categories are always computed here by the growth engine
(``scoring.score``) from the inputs; a value typed into a computed field is overwritten.

A mistake is taken back, never erased (each with a reason, audited, and undone the same way):

- a visit entered by mistake is removed (``do_remove_visit``) and can be restored
  (``do_restore_visit``); a visit's date is corrected like any of its values
  (``do_record_measurement`` on the stored visit);
- a child registered twice is merged into the right record (``plan_merge``, then
  ``do_merge_children``): its visits move there and are scored again with the survivor's sex
  and birth date; ``do_unmerge_child`` moves exactly those visits back.

Each tells the apps above (``signals.visits_changed``) which dates' figures changed.
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
from tumbuh.audit.actions import do_save, record_about, snapshot
from tumbuh.audit.models import AuditAction
from tumbuh.wilayah.models import Level, Wilayah

from . import scoring
from .models import Child, Measurement, Source
from .nik import clean_nik, nik_problem, nik_region
from .signals import send_visits_changed

#: Plain reasons for a NIK that is not structurally valid.
NIK_MESSAGES = {
    "nik_length": _("A NIK has exactly 16 digits."),
    "nik_placeholder": _("This NIK is a placeholder (zeros), not a real number."),
    "nik_birth_date": _(
        "Digits 7 to 12 of a NIK are the birth date (DDMMYY, day + 40 for girls); these are not a date."
    ),
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
    "wfl_out_of_range": _(
        "The length/height is outside the WHO weight-for-length/height table (45–110 cm lying, 65–120 cm standing)."
    ),
    "age_under_91_days": _("Arm circumference is only scored from 3 months of age."),
}

#: WHO's flags (|z| beyond these limits is biologically implausible).
FLAG_MESSAGES = {
    "flen": _(
        "Length/height-for-age is implausible (z below −6 or above +6): check the measurement and the birth date."
    ),
    "fwei": _("Weight-for-age is implausible (z below −6 or above +5): check the weight and the birth date."),
    "fwfl": _(
        "Weight-for-length/height is implausible (z below −5 or above +5): check weight and length/height, or a swap."
    ),
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
    stored = None if creating else Child.all_objects.filter(pk=child.pk).first()
    if stored is not None and stored.merged_into_id:
        raise ValidationError(_("This child was merged into another record: change that one."))
    problem = check_nik(child.nik)
    if problem:
        raise ValidationError({"nik": problem})
    for field, problem in (
        ("parent_nik", check_parent_nik(child.parent_nik, child.nik)),
        ("parent_phone", check_phone(child.parent_phone)),
    ):
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
            visits = list(Measurement.objects.filter(child=child))
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
            earlier = Measurement.objects.filter(child_id=m.child_id, date__lt=m.date)
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
        raise ValidationError(
            {"asi_months": _("Exclusive breastfeeding is recorded for months 0 to 6, each Y, T or -.")}
        )
    m.asi_months = "" if months == "-" * 7 else months


def do_record_measurement(actor, measurement: Measurement, reason: str = "", *, today: dt.date) -> Measurement:
    """Create or correct a visit entered ``today`` (audited), after the policy and the checks; the engine's
    fields are computed from the inputs every time."""
    m = measurement
    policy.require(actor, policy.VIEW, m.child)
    if m.child.merged_into_id:
        raise ValidationError(_("This child was merged into another record: record the visit there."))
    if not m.desa_id:
        m.desa_id = m.child.desa_id
    if not m.posyandu_id and m.child.posyandu_id:
        m.posyandu_id = m.child.posyandu_id
    creating = m.pk is None
    stored = None
    if not creating:
        stored = Measurement.all_objects.select_related("child").filter(pk=m.pk).first()
        if stored is not None and stored.removed_at is not None:
            raise ValidationError(_("This visit was removed: restore it first."))
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
    if m.date and Measurement.objects.filter(child_id=m.child_id, date=m.date).exclude(pk=m.pk).exists():
        raise ValidationError(
            {
                "date": _("Another visit of this child is recorded on %(date)s: correct that one instead.")
                % {"date": m.date.strftime("%d/%m/%Y")}
            }
        )
    if _unchanged(stored, m):
        policy.require(actor, policy.CHANGE, stored)  # nothing is written, but it must be theirs
        return m
    with transaction.atomic():
        do_save(actor, m, reason=reason)
        if stored is not None and stored.date != m.date:  # the old date's figures change too
            send_visits_changed([stored.date, m.date], "date_corrected", desa=[m.desa_id, m.child.desa_id])
    return m


# ---------------------------------------------------------------- taking a mistake back


def _required_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why: the reason is kept in the history.")})
    return reason


def _date_text(date: dt.date) -> str:
    return date.strftime("%d/%m/%Y")


def do_remove_visit(actor, visit: Measurement, reason: str, *, now: dt.datetime) -> Measurement:
    """Remove ``visit`` at ``now`` with ``reason`` (required): it stays stored, with who removed
    it, when and why, but no figure, list, export, chart or aggregate counts it any more
    (``Measurement.objects``). Whoever may change the visit may remove it (the policy's
    ``change``, asked by ``do_save``); ``do_restore_visit`` takes it back."""
    reason = _required_reason(reason)
    m = Measurement.all_objects.select_related("child").get(pk=visit.pk)
    if m.removed_at is not None:
        raise ValidationError(_("This visit is already removed."))
    m.removed_at, m.removed_by, m.removal_reason = now, (actor if actor.pk else None), reason
    with transaction.atomic():
        do_save(actor, m, reason=_("Visit removed (it can be restored): %(reason)s") % {"reason": reason})
        send_visits_changed([m.date], "removed", desa=[m.desa_id, m.child.desa_id])
    return m


def do_restore_visit(actor, visit: Measurement, reason: str, *, now: dt.datetime, today: dt.date) -> Measurement:
    """Restore a removed ``visit`` with ``reason`` (required), scored again with its child's
    sex and birth date as they are now (its warnings checked on ``today``). Refused while
    another visit of the child is recorded on the same date: one visit per child and date."""
    reason = _required_reason(reason)
    m = Measurement.all_objects.select_related("child").get(pk=visit.pk)
    if m.removed_at is None:
        raise ValidationError(_("This visit is not removed."))
    if m.child.merged_into_id:
        raise ValidationError(_("This child was merged into another record: undo the merge first."))
    if Measurement.objects.filter(child_id=m.child_id, date=m.date).exists():
        raise ValidationError(
            _("Another visit of this child is recorded on %(date)s: correct or remove that one first.")
            % {"date": _date_text(m.date)}
        )
    m.removed_at, m.removed_by, m.removal_reason = None, None, ""
    scoring.score([m])
    m.warnings = _warning_text(check_measurement(m, scored=True, today=today))
    with transaction.atomic():
        do_save(actor, m, reason=_("Visit restored: %(reason)s") % {"reason": reason})
        send_visits_changed([m.date], "restored", desa=[m.desa_id, m.child.desa_id])
    return m


@dataclass
class Rescored:
    """A visit whose length/height-for-age status changes when scored with another child's sex
    and birth date."""

    date: dt.date
    before: str
    after: str


@dataclass
class MergePlan:
    """What merging ``merged`` into ``survivor`` would do: the visits that move (removed ones
    too, so that they can be restored there), what the two records disagree on (``warnings``:
    the survivor's data win), the visits whose status changes, and why it cannot be done
    (``refusals``)."""

    merged: Child
    survivor: Child
    visits: list[Measurement]
    warnings: list[str]
    refusals: list[str]
    rescored: list[Rescored]

    @property
    def active_visits(self) -> int:
        return sum(1 for m in self.visits if m.removed_at is None)


def _linked_elsewhere(child: Child) -> list[str]:
    """The records of other apps that point at ``child`` (a KRS family link, a foster match…),
    as "name (count)", found from the model's relations: a merge would leave them on the
    merged record, so it is refused until they are moved."""
    found = []
    for rel in Child._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one)):
            continue
        if rel.related_model._meta.app_label == Child._meta.app_label:
            continue  # the visits move; merged records point at their survivor
        n = rel.related_model._base_manager.filter(**{rel.field.name: child.pk}).count()
        if n:
            found.append(f"{rel.related_model._meta.verbose_name_plural} ({n})")
    return found


def _status_text(code: str) -> str:
    from tumbuh.growth.classify import LABELS

    return str(LABELS["tbu"].get(code, ("—",))[0]) if code else "—"


def plan_merge(actor, merged: Child, survivor: Child, *, today: dt.date) -> MergePlan:
    """What ``do_merge_children`` would do (nothing is written). ``PermissionDenied`` unless
    ``actor`` may change both children."""
    policy.require(actor, policy.CHANGE, merged)
    policy.require(actor, policy.CHANGE, survivor)
    refusals, warnings = [], []
    if merged.pk == survivor.pk:
        refusals.append(str(_("A child cannot be merged into itself.")))
    if merged.merged_into_id:
        refusals.append(str(_("%(name)s is already merged into another record.") % {"name": merged.name}))
    if survivor.merged_into_id:
        refusals.append(
            str(_("%(name)s is itself merged into another record: choose that one.") % {"name": survivor.name})
        )
    if Child.all_objects.filter(merged_into=merged).exists():
        refusals.append(
            str(
                _(
                    "Other records were merged into %(name)s: undo those merges first, or merge "
                    "%(survivor)s into %(name)s instead."
                )
                % {"name": merged.name, "survivor": survivor.name}
            )
        )
    linked = _linked_elsewhere(merged)
    if linked:
        refusals.append(
            str(
                _("%(name)s is linked to other records: %(records)s. Link them to %(survivor)s first.")
                % {"name": merged.name, "records": ", ".join(linked), "survivor": survivor.name}
            )
        )
    visits = list(Measurement.all_objects.filter(child=merged).select_related("desa").order_by("date"))
    outside = sorted({m.desa.name for m in visits if not policy.can(actor, policy.CHANGE, m)})
    if outside:
        refusals.append(
            str(
                _(
                    "Some visits of %(name)s were recorded in a desa you may not change (%(desa)s): ask the "
                    "district admin."
                )
                % {"name": merged.name, "desa": ", ".join(outside)}
            )
        )
    taken = set(Measurement.objects.filter(child=survivor).values_list("date", flat=True))
    clashes = sorted(m.date for m in visits if m.removed_at is None and m.date in taken)
    if clashes:
        refusals.append(
            str(
                _("Both children have a visit on %(dates)s: remove the wrong one of each pair first.")
                % {"dates": ", ".join(_date_text(d) for d in clashes)}
            )
        )
    if merged.sex != survivor.sex:
        warnings.append(
            str(
                _(
                    "The sex differs (%(merged)s: %(a)s; %(survivor)s: %(b)s): %(survivor)s's is kept and the "
                    "visits are scored again with it."
                )
                % {
                    "merged": merged.name,
                    "survivor": survivor.name,
                    "a": merged.get_sex_display(),
                    "b": survivor.get_sex_display(),
                }
            )
        )
    if merged.birth_date != survivor.birth_date:
        warnings.append(
            str(
                _(
                    "The birth date differs (%(merged)s: %(a)s; %(survivor)s: %(b)s): %(survivor)s's is kept and "
                    "the visits are scored again with it."
                )
                % {
                    "merged": merged.name,
                    "survivor": survivor.name,
                    "a": _date_text(merged.birth_date),
                    "b": _date_text(survivor.birth_date),
                }
            )
        )
    if merged.nik and merged.nik != survivor.nik:
        warnings.append(
            str(
                _("%(merged)s's NIK stays with the merged record; %(survivor)s keeps %(what)s.")
                % {
                    "merged": merged.name,
                    "survivor": survivor.name,
                    "what": _("its own NIK")
                    if survivor.nik
                    else _("no NIK (enter it on its page if it is the child's)"),
                }
            )
        )
    if merged.desa_id != survivor.desa_id:
        warnings.append(
            str(
                _(
                    "The two are registered in different desa (%(a)s, %(b)s): the visits keep the desa and "
                    "posyandu where they were measured."
                )
                % {"a": merged.desa.name, "b": survivor.desa.name}
            )
        )
    rescored = []
    if merged.sex != survivor.sex or merged.birth_date != survivor.birth_date:
        copies = [
            Measurement(**{f.attname: getattr(m, f.attname) for f in Measurement._meta.concrete_fields})
            for m in visits
            if m.removed_at is None
        ]
        for c in copies:
            c.child = survivor
        scoring.score(copies)
        for before, after in zip([m for m in visits if m.removed_at is None], copies, strict=True):
            if before.status_tbu != after.status_tbu:
                rescored.append(Rescored(before.date, _status_text(before.status_tbu), _status_text(after.status_tbu)))
    return MergePlan(merged, survivor, visits, warnings, refusals, rescored)


def _merge_words(merged: Child, survivor: Child, reason: str) -> str:
    return str(
        _("%(merged)s (%(merged_id)s) merged into %(survivor)s (%(survivor_id)s): %(reason)s")
        % {
            "merged": merged.name,
            "merged_id": merged.tumbuh_id,
            "survivor": survivor.name,
            "survivor_id": survivor.tumbuh_id,
            "reason": reason,
        }
    )


def _unmerge_words(merged: Child, survivor: Child, reason: str) -> str:
    return str(
        _("Merge undone: %(merged)s (%(merged_id)s) separated again from %(survivor)s (%(survivor_id)s): %(reason)s")
        % {
            "merged": merged.name,
            "merged_id": merged.tumbuh_id,
            "survivor": survivor.name,
            "survivor_id": survivor.tumbuh_id,
            "reason": reason,
        }
    )


def _move_visits(
    actor, visits: list[Measurement], to: Child, merged_from: Child | None, words: str, *, today: dt.date
) -> None:
    """Give ``visits`` to ``to``, scored with its sex and birth date, one audited save each."""
    for m in visits:
        m.child, m.merged_from = to, merged_from
    scoring.score(visits)
    for m in visits:
        if m.removed_at is None:
            m.warnings = _warning_text(check_measurement(m, scored=True, today=today))
        do_save(actor, m, reason=words)


def do_merge_children(
    actor, merged: Child, survivor: Child, reason: str, *, now: dt.datetime, today: dt.date
) -> MergePlan:
    """Merge ``merged`` (a child registered twice) into ``survivor`` at ``now``, with ``reason``
    (required): every visit of ``merged`` moves to ``survivor`` (remembering where it came
    from) and is scored again with the survivor's sex and birth date, which win; ``merged``
    stays stored, pointing at the survivor, out of every list and figure. Refused
    (``ValidationError``) for ``plan_merge``'s refusals, ``PermissionDenied`` unless ``actor``
    may change both children and their visits. Audited: each moved visit, the merged record
    and a line in the survivor's history."""
    reason = _required_reason(reason)
    merged = Child.all_objects.get(pk=merged.pk)
    survivor = Child.all_objects.get(pk=survivor.pk)
    plan = plan_merge(actor, merged, survivor, today=today)
    if plan.refusals:
        raise ValidationError(plan.refusals)
    words = _merge_words(merged, survivor, reason)
    with transaction.atomic():
        _move_visits(actor, plan.visits, survivor, merged, words, today=today)
        merged.merged_into, merged.merged_at, merged.merged_by, merged.merge_reason = (
            survivor,
            now,
            (actor if actor.pk else None),
            reason,
        )
        do_save(actor, merged, reason=words)
        record_about(
            actor,
            AuditAction.UPDATE,
            object_type=survivor._meta.label_lower,
            object_id=str(survivor.pk),
            object_repr=str(survivor),
            wilayah_code=survivor.desa_id,
            after={"merged_from": merged.tumbuh_id, "visits_moved": len(plan.visits)},
            reason=words,
        )
        send_visits_changed(
            [m.date for m in plan.visits],
            "merged",
            desa=[merged.desa_id, survivor.desa_id, *(m.desa_id for m in plan.visits)],
        )
    return plan


def plan_unmerge(actor, merged: Child) -> list[str]:
    """Why ``merged`` cannot be separated again (empty: it can). ``PermissionDenied`` unless
    ``actor`` may change it and the record it was merged into."""
    policy.require(actor, policy.CHANGE, merged)
    if not merged.merged_into_id:
        return [str(_("This child is not merged into another record."))]
    policy.require(actor, policy.CHANGE, merged.merged_into)
    refusals = []
    holder = Child.objects.filter(nik=merged.nik).first() if merged.nik else None
    if holder is not None:
        refusals.append(
            str(
                _("Its NIK is now registered for %(name)s (%(id)s): correct that first.")
                % {"name": holder.name, "id": holder.tumbuh_id}
            )
        )
    back = Measurement.all_objects.filter(merged_from=merged, removed_at__isnull=True)
    taken = Measurement.objects.filter(child=merged, date__in=back.values("date"))
    if taken.exists():
        refusals.append(
            str(
                _("%(name)s has a visit again on %(dates)s: remove it first.")
                % {"name": merged.name, "dates": ", ".join(_date_text(m.date) for m in taken)}
            )
        )
    return refusals


def do_unmerge_child(actor, merged: Child, reason: str, *, today: dt.date) -> list[Measurement]:
    """Undo ``do_merge_children``: exactly the visits that moved (``Measurement.merged_from``)
    go back to ``merged``, scored again with its own sex and birth date (as corrected or
    removed since: their changes stay), and ``merged`` counts again. Visits entered for the
    survivor after the merge stay there. With ``reason`` (required), audited like the merge."""
    reason = _required_reason(reason)
    merged = Child.all_objects.select_related("merged_into").get(pk=merged.pk)
    refusals = plan_unmerge(actor, merged)
    if refusals:
        raise ValidationError(refusals)
    survivor = merged.merged_into
    visits = list(Measurement.all_objects.filter(merged_from=merged).order_by("date"))
    words = _unmerge_words(merged, survivor, reason)
    with transaction.atomic():
        merged.merged_into, merged.merged_at, merged.merged_by, merged.merge_reason = None, None, None, ""
        do_save(actor, merged, reason=words)
        _move_visits(actor, visits, merged, None, words, today=today)
        record_about(
            actor,
            AuditAction.UPDATE,
            object_type=survivor._meta.label_lower,
            object_id=str(survivor.pk),
            object_repr=str(survivor),
            wilayah_code=survivor.desa_id,
            before={"merged_from": merged.tumbuh_id, "visits_moved": len(visits)},
            reason=words,
        )
        send_visits_changed(
            [m.date for m in visits], "unmerged", desa=[merged.desa_id, survivor.desa_id, *(m.desa_id for m in visits)]
        )
    return visits
