"""Writing a chunk of plans: new children and visits in bulk (``audit.bulk``: no model
instances, one audit row for the batch), z-scores over the whole chunk in one engine call,
changed visits and the children a row completes through ``do_save`` (one audit row each).
In a dry run the same, up to the writes: the findings (z-score disagreements, warnings, new
children) are counted as a real run counts them."""

from __future__ import annotations

import numpy as np

from tumbuh.audit.actions import do_save
from tumbuh.imports.errors import RowError
from tumbuh.imports.framework import CREATED, UNCHANGED, UPDATED, Plan

from .. import ids, validation
from ..models import Child, Measurement, Source
from ..scoring import score, score_columns
from .columns import VALUE_FIELDS
from .identity import FILLABLE, is_anonymised

#: e-PPGBM's z-scores and Tumbuh's differ when they are this far apart (a data-quality finding).
Z_TOLERANCE = 0.01


class Writer:
    """The part of ``EppgbmImporter`` that writes a chunk of plans: new rows through the
    batch's ``BulkWrite`` (``self.bulk``), changed ones through ``do_save``."""

    def write(self, plans: list[Plan]) -> list[str | RowError]:
        """New children and visits in bulk (``BulkWrite``: no model instances, a million rows
        stay fast); changed visits one by one through ``do_save`` (audited)."""
        outcomes: list[str | RowError] = [UNCHANGED] * len(plans)
        new_children = [ref for ref in self.new_children if ref.pk is None]
        if new_children:
            given = [ref.obj for ref in new_children]
            columns = {field: [f[field] for f in given] for field in given[0]}

            def insert(tumbuh_ids: list[str]) -> list[int]:
                return self.bulk.insert(Child, {**columns, "tumbuh_id": tumbuh_ids}, ids=True)

            # The chunk's Tumbuh IDs allocated at once: none held by a stored child (earlier
            # chunks' included) or twice in the chunk; a blind draw per row could clash. A dry
            # run writes nothing, so its new children have no pk (nor an ID).
            pks = [None] * len(given) if self.dry_run else ids.insert_with_ids(insert, ids.allocate(len(given)))
            for pk, ref in zip(pks, new_children, strict=True):
                ref.pk = pk
                ref.blank = sum(bit for field, bit in FILLABLE.items() if ref.obj[field] in (None, ""))
                ref.obj = None  # keep memory small: the ref is enough from now on
                if pk is not None:
                    self.by_pk[pk] = ref
            self.children_created += len(new_children)
        self.new_children = []
        if self.dry_run:
            self.child_updates = {}
        else:
            self._update_children()

        creates = [i for i, p in enumerate(plans) if p.changed and p.extra["pk"] is None]
        updates = [i for i, p in enumerate(plans) if p.changed and p.extra["pk"] is not None]
        self.years.update(plans[i].extra["date"].year for i in (*creates, *updates))
        if creates:
            self._insert_measurements([plans[i] for i in creates])
            for i in creates:
                outcomes[i] = CREATED
        if updates:
            existing = Measurement.objects.select_related("child").in_bulk([plans[i].extra["pk"] for i in updates])
            for i in updates:
                self._fill(existing[plans[i].extra["pk"]], plans[i])
            score(list(existing.values()))
            for i in updates:
                plan = plans[i]
                m = existing[plan.extra["pk"]]
                self._finish_measurement(m, plan)
                self.current_row = plan.row.number
                if not self.dry_run:
                    m.import_batch = self.batch
                    do_save(self.user, m, reason=self.audit_reason(plan.row), validate=False)
                outcomes[i] = UPDATED
        return outcomes

    def _update_children(self) -> None:
        """Stored children (or new ones of an earlier chunk) this chunk's rows complete: a NIK,
        birth order, the parent's NIK or phone where the child had none, a real name for a
        placeholder. One audited save each."""
        if not self.child_updates:
            return
        updates = {ref.pk: fields for ref, fields in self.child_updates.items()}
        for child in Child.objects.filter(pk__in=list(updates)).order_by("pk"):
            fields = updates[child.pk]
            changed = []
            for field, value in fields.items():
                current = getattr(child, field)
                if field == "name" and not is_anonymised(current):
                    continue  # someone gave the child a name meanwhile: theirs stays
                if field != "name" and current not in (None, ""):
                    continue
                setattr(child, field, value)
                changed.append(_CHILD_FIELD_LABELS[field])
            if changed:
                do_save(self.user, child, reason=f"impor {self.batch.file_name}: {', '.join(changed)}")
        self.child_updates = {}

    def _insert_measurements(self, plans: list[Plan]) -> None:
        x = [p.extra for p in plans]
        refs = [e["ref"] for e in x]
        v = [e["values"] for e in x]  # BASE_FIELDS, then the EXTRA_FIELDS tuple
        extra = [e[-1] for e in v]
        z = score_columns(
            sex=np.fromiter((r.sex for r in refs), dtype=np.float64, count=len(refs)),
            birth=np.fromiter((r.birth.toordinal() for r in refs), dtype=np.int64, count=len(refs)),
            visit=np.fromiter((e["date"].toordinal() for e in x), dtype=np.int64, count=len(x)),
            weight=_nan_floats(e[0] for e in v),
            lenhei=_nan_floats(e[1] for e in v),
            position=np.array([e[2] or None for e in v], dtype=object),
            oedema=np.fromiter((e[1] for e in extra), dtype=bool, count=len(extra)),
            muac=_nan_floats(e[3] for e in v),
            headc=_nan_floats(e[0] for e in extra),
        )
        theirs = {
            k: _nan_floats(e[4 + i] for e in v) for i, k in enumerate(("eppgbm_zlen", "eppgbm_zwei", "eppgbm_zwfl"))
        }
        differs = np.zeros(len(x), dtype=bool)
        for ours, key in (("zlen", "eppgbm_zlen"), ("zwei", "eppgbm_zwei"), ("zwfl", "eppgbm_zwfl")):
            a, b = z[ours], theirs[key]
            with np.errstate(invalid="ignore"):
                differs |= ~np.isnan(b) & (np.isnan(a) | (np.abs(a - b) > Z_TOLERANCE))
        self.zscore_disagreements += int(differs.sum())
        flagged = {name: z[name] == 1 for name in validation.FLAG_FIELDS}
        warnings = []
        for i, e in enumerate(x):
            codes = list(e["warnings"])
            for name, mask in flagged.items():
                if mask[i]:
                    codes.append(f"who_flag_{name[1:]}")
            warnings.append(";".join(codes)[:300])
            if codes:
                self.warned_rows += 1
        if self.dry_run:
            return
        columns = {
            "age_days": z["age_days"].astype(np.int64).tolist(),
            **{f: _none_for_nan(z[f]) for f in ("zlen", "zwei", "zwfl", "zbmi", "zac", "zhc")},
            **{f: _flags(z[f]) for f in validation.FLAG_FIELDS},
            **{f: [v or "" for v in z[f].tolist()] for f in ("status_tbu", "status_bbu", "status_bbtb", "status_imtu")},
            "engine_reason": [str(v or "")[:300] for v in z["engine_reason"].tolist()],
        }
        *base, extras = zip(*v)
        self.bulk.insert(
            Measurement,
            {
                "child": [e["ref"].pk for e in x],
                "date": [e["date"] for e in x],
                "desa": [e["desa"] for e in x],
                **dict(zip(VALUE_FIELDS, (*base, *zip(*extras)), strict=True)),
                **columns,
                "warnings": warnings,
            },
            same={"source": Source.IMPORT, "import_batch": self.batch.pk, "entered_by": getattr(self.user, "pk", None)},
        )

    @staticmethod
    def _fill(m: Measurement, plan: Plan) -> None:
        x = plan.extra
        m.date, m.desa_id = x["date"], x["desa"]
        *base, extra = x["values"]
        for name, value in zip(VALUE_FIELDS, (*base, *extra), strict=True):
            setattr(m, "posyandu_id" if name == "posyandu" else name, value)

    def _finish_measurement(self, m: Measurement, plan: Plan) -> None:
        warnings = list(plan.extra["warnings"]) + [p.code for p in validation.check_flags(m)]
        m.warnings = ";".join(warnings)[:300]
        if warnings:
            self.warned_rows += 1
        for ours, theirs in (("zlen", "eppgbm_zlen"), ("zwei", "eppgbm_zwei"), ("zwfl", "eppgbm_zwfl")):
            a, b = getattr(m, ours), getattr(m, theirs)
            if b is not None and (a is None or abs(a - b) > Z_TOLERANCE):
                self.zscore_disagreements += 1
                break


#: How the audit reason names the child fields an import fills in.
_CHILD_FIELD_LABELS = {
    "nik": "NIK",
    "name": "nama",
    "birth_order": "anak ke",
    "parent_nik": "NIK orang tua",
    "parent_phone": "no HP orang tua",
}


def _nan_floats(values) -> np.ndarray:
    return np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)


def _none_for_nan(array: np.ndarray) -> list:
    out = array.astype(object)
    out[np.isnan(array)] = None
    return out.tolist()


def _flags(array: np.ndarray) -> list:
    return [None if v != v else bool(v) for v in array.tolist()]
