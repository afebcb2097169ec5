"""Which child a row is about: a stored child by valid NIK, else by (normalised name, birth
date, desa); else a new one. An anonymised name (``ANON_123``) is never matched or created
by name: the valid NIK alone decides. A valid NIK that belongs to a different child refuses
the row; what the row adds to a child it finds (a NIK, birth order, the parent's NIK and
phone, a real name for a placeholder) is filled in, never overwritten. The change since the
child's neighbouring visits is checked here too.

What a user took back stays taken back. A row about a child merged into another record
(``Child.merged_into``), by its NIK or its identity, is the survivor's visit: the merge said they
are one child, so the merged record's NIK leads to the survivor without the name and birth
date check (the survivor's data win) and is never given to it. A row for a visit a user
removed (same child and date, no visit counted on that date) is refused with the removal's
reason: a re-import neither brings it back nor adds it twice; restoring it is a user's
decision, on the child's page."""

from __future__ import annotations

import datetime as dt
import difflib

from django.utils.translation import gettext_noop

from tumbuh.imports.errors import RowError
from tumbuh.imports.framework import Row

from .. import validation
from ..models import Child, Measurement
from ..models import is_anonymised as _is_anonymised
from .columns import _ONE, _TWO, BASE_FIELDS, EXTRA_FIELDS, OUTSIDE_AREA, person_key

VISIT_REMOVED = gettext_noop(
    "The visit of %(date)s was removed in Tumbuh (%(reason)s): not imported again; if it is right, restore it from "
    "the list of removed visits"
)
ANONYMISED_WITHOUT_NIK = gettext_noop(
    "Name anonymised (%(name)s) and NIK empty or invalid: the child cannot be identified; fill in the NIK or the name "
    "and import again"
)


def is_anonymised(name: str) -> bool:
    """``models.is_anonymised``, after a quick look at the first letters (once per row)."""
    return name.lstrip()[:4].upper() == "ANON" and _is_anonymised(name)


class ChildRef:
    """A child known to the batch: stored (``pk``) or to be created (``obj``, its fields, until
    its chunk is set aside for writing), with its visits as {date ordinal: [measurement pk or
    None, file row or 0, fingerprint, values]} (``values``: see ``VALUE_FIELDS``) and, once
    stored or set aside, which of ``FILLABLE`` it still lacks (bits). The batch's one object
    for the child: the spool keeps a reference to it (``EppgbmImporter.shared_types``)."""

    __slots__ = ("pk", "nik", "name", "birth", "sex", "desa", "obj", "visits", "blank")

    def __init__(self, pk, nik, name, birth, sex, desa, obj=None, blank=0):
        self.pk, self.nik, self.name, self.birth, self.sex, self.desa, self.obj = pk, nik, name, birth, sex, desa, obj
        self.visits: dict[int, list] = {}
        self.blank = blank


#: Child fields an import fills when the child has none, never overwriting one: bit per field.
FILLABLE = {"birth_order": 1, "parent_nik": 2, "parent_phone": 4}


class _Values:
    """A visit's stored values, for the change checks (duck-typed like a Measurement)."""

    __slots__ = ("date", "weight", "lenhei", "position", "birth_date")

    def __init__(self, date, weight, lenhei, position, birth_date):
        self.date, self.weight, self.lenhei, self.position, self.birth_date = date, weight, lenhei, position, birth_date


class Identity:
    """The part of ``EppgbmImporter`` that keeps the children: those stored in the user's
    scope with their visits (``load_children``, once per batch) and those the file adds
    (``new_children``, written by ``Writer``). What a chunk's rows add (new children, fields
    to fill in) is set aside with the chunk (``set_aside``) and given back before it is written
    (``bring_back``); a later row completing a child of an earlier chunk fills it in as it
    would a stored one."""

    def load_children(self, kab: str) -> None:
        """The stored children in the user's scope, by pk, NIK and identity, with their visits."""
        self._extras: dict[tuple, tuple] = {}
        self.new_children: list[ChildRef] = []
        self.child_updates: dict[ChildRef, dict] = {}  # child stored or set aside -> {field: value} to fill in
        self.by_nik: dict[str, ChildRef] = {}
        self.by_identity: dict[tuple, ChildRef] = {}
        self.by_pk: dict[int, ChildRef] = {}
        children = self.in_scope(Child.objects.filter(desa__kabupaten_code=kab)).values_list(
            "pk",
            "nik",
            "name",
            "birth_date",
            "sex",
            "desa_id",
            *FILLABLE,
        )
        for pk, nik, name, birth, sex, desa, *fillable in children.iterator(chunk_size=20000):
            blank = sum(bit for bit, value in zip(FILLABLE.values(), fillable, strict=True) if value in (None, ""))
            ref = ChildRef(pk, nik, name, birth, sex, desa, blank=blank)
            self.by_pk[pk] = ref
            if nik:
                self.by_nik[nik] = ref
            if not is_anonymised(name):  # a placeholder name is never matched on
                self.by_identity.setdefault((person_key(name), birth, desa), ref)
        self._follow_merges(kab)
        self.nik_elsewhere = set(
            Child.all_objects.exclude(nik="").exclude(pk__in=children.values("pk")).values_list("nik", flat=True)
        )
        measurements = self.in_scope(Measurement.objects.filter(desa__kabupaten_code=kab)).values_list(
            "pk",
            "child_id",
            "date",
            *BASE_FIELDS[:-1],
            "posyandu_id",
            *EXTRA_FIELDS,
        )
        split = len(BASE_FIELDS)
        for pk, child_id, date, *values in measurements.iterator(chunk_size=20000):
            ref = self.by_pk.get(child_id)
            if ref is not None:
                ref.visits[date.toordinal()] = [pk, 0, None, self._values(values[:split], values[split:])]
        #: (child pk, date ordinal) -> the reason, of the visits users removed
        self.removed_visits: dict[tuple[int, int], str] = {
            (child_id, date.toordinal()): reason
            for child_id, date, reason in self.in_scope(
                Measurement.all_objects.filter(desa__kabupaten_code=kab, removed_at__isnull=False)
            ).values_list("child_id", "date", "removal_reason")
        }

    def _follow_merges(self, kab: str) -> None:
        """The NIK and identity of each child merged into another lead to the survivor (its
        last one, when that was merged again), if the user sees it."""
        self.via_merge: set[str] = set()  # NIKs of merged records: they lead to their survivor
        merged = list(
            self.in_scope(Child.all_objects.filter(desa__kabupaten_code=kab, merged_into__isnull=False)).values_list(
                "pk", "nik", "name", "birth_date", "desa_id", "merged_into_id"
            )
        )
        into = {pk: target for pk, *_rest, target in merged}
        for _pk, nik, name, birth, desa, target in merged:
            for _step in range(len(into)):
                if target not in into:
                    break
                target = into[target]
            ref = self.by_pk.get(target)
            if ref is None:
                continue  # merged into a child outside the user's area: its NIK is "elsewhere"
            if nik and nik not in self.by_nik:
                self.by_nik[nik] = ref
                self.via_merge.add(nik)
            if not is_anonymised(name):
                self.by_identity.setdefault((person_key(name), birth, desa), ref)

    def _values(self, base, extra) -> tuple:
        """A visit's values (``VALUE_FIELDS``) in the form kept per visit: ``extra`` shared."""
        extra = tuple(extra)
        return (*base, self._extras.setdefault(extra, extra))

    def _child(
        self, row: Row, nik: str, name: str, sex: int, birth: dt.date, desa: str, posyandu: int | None, anonymised: bool
    ) -> tuple[ChildRef, bool]:
        """The row's child and whether it is new. An anonymised name is never matched or
        indexed by name: such a row comes with a valid NIK, which alone decides."""
        if nik:
            ref = self.by_nik.get(nik)
            if ref is not None:
                if nik not in self.via_merge and (ref.birth != birth or not _same_name(ref.name, name)):
                    raise RowError(
                        gettext_noop("NIK %(nik)s already belongs to another child (%(name)s, born %(birth)s)"),
                        nik=nik,
                        name=ref.name,
                        birth=f"{ref.birth:%d/%m/%Y}",
                    )
                return ref, False
            if nik in self.nik_elsewhere:
                raise RowError(OUTSIDE_AREA)  # the words of a desa outside the area: no NIK confirmed
        identity = None if anonymised else (person_key(name), birth, desa)
        ref = self.by_identity.get(identity) if identity else None
        if ref is not None:
            if nik and ref.nik and ref.nik != nik:
                raise RowError(
                    gettext_noop("This child is registered with a different NIK (%(nik)s)"),
                    nik=ref.nik,
                )
            return ref, False
        obj = {
            "nik": nik,
            "name": name[:150],
            "sex": sex,
            "birth_date": birth,
            "desa_id": desa,
            "posyandu_id": posyandu,
            "birth_weight": self._birth_value(row, "birth_weight", _TWO, 0.3, 7.0),
            "birth_length": self._birth_value(row, "birth_length", _ONE, 25, 65),
            "parent_name": row["parent_name"][:150],
            "rt": row["rt"][:4],
            "rw": row["rw"][:4],
            "address": row["address"][:200],
            "birth_order": None,
            "parent_nik": "",
            "parent_phone": "",
        }
        ref = ChildRef(None, nik, name, birth, sex, desa, obj)
        if identity:
            self.by_identity[identity] = ref
        if nik:
            self.by_nik[nik] = ref
        self.new_children.append(ref)
        return ref, True

    def set_aside(self) -> tuple[list, dict]:
        """The chunk's new children (with their fields) and the fields its rows fill in."""
        new = []
        for ref in self.new_children:
            new.append((ref, ref.obj))
            ref.blank = sum(bit for field, bit in FILLABLE.items() if ref.obj[field] in (None, ""))
            ref.obj = None  # keep memory small: the fields wait on disk
        aside = (new, self.child_updates)
        self.new_children, self.child_updates = [], {}
        return aside

    def bring_back(self, aside: tuple[list, dict]) -> None:
        new, self.child_updates = aside
        for ref, obj in new:
            ref.obj = obj
        self.new_children = [ref for ref, _obj in new]

    def _fill_child(self, ref: ChildRef, found: dict) -> None:
        """Give the child what the row has and the child lacks; never overwrite."""
        for field, value in found.items():
            if ref.obj is not None:
                if ref.obj[field] in (None, ""):
                    ref.obj[field] = value
            elif ref.blank & FILLABLE[field]:
                ref.blank &= ~FILLABLE[field]
                self.child_updates.setdefault(ref, {})[field] = value

    def _replace_placeholder(self, ref: ChildRef, name: str) -> None:
        """A child known by an anonymised placeholder gets the real name the row gives."""
        ref.name = name
        self.by_identity.setdefault((person_key(name), ref.birth, ref.desa), ref)
        if ref.obj is not None:
            ref.obj["name"] = name[:150]
        else:
            self.child_updates.setdefault(ref, {})["name"] = name[:150]
        self.names_replaced += 1

    def _give_nik(self, ref: ChildRef, nik: str) -> None:
        if nik in self.via_merge:
            return  # the merged record's NIK stays with it
        ref.nik = nik
        self.by_nik[nik] = ref
        if ref.obj is not None:
            ref.obj["nik"] = nik
        else:
            self.child_updates.setdefault(ref, {})["nik"] = nik

    def _check_change(self, ref: ChildRef, ordinal: int, date, weight, lenhei, position) -> None:
        """``validation.check_change`` against the child's nearest visits before and after
        (a quick arithmetic screen first: most rows pass it and need no more)."""
        if not ref.visits:
            return
        earlier = later = None
        for o in ref.visits:
            if o < ordinal:
                if earlier is None or o > earlier:
                    earlier = o
            elif o > ordinal and (later is None or o < later):
                later = o
        birth = ref.birth.toordinal()
        h = float(lenhei) if lenhei is not None else None
        w = float(weight) if weight is not None else None
        for other in (earlier, later):
            if other is None:
                continue
            ow, oh, opos = ref.visits[other][3][:3]
            if not _suspicious(ordinal, w, h, position, other, ow, oh, opos, birth):
                continue
            previous = _Values(dt.date.fromordinal(other), ow, oh, opos, ref.birth)
            problems = validation.check_change(_Values(date, weight, lenhei, position, ref.birth), previous, ref.birth)
            if problems:
                raise RowError(problems[0].message, **problems[0].params)


def _suspicious(d1, w1, h1, p1, d2, w2, h2, p2, birth) -> bool:
    """A cheap, generous screen for ``validation.check_change`` (which has the final word)."""
    if h1 is not None and h2 is not None:
        s1 = h1 - (0.7 if (p1 == "l" or (not p1 and d1 - birth < 731)) else 0)
        s2 = float(h2) - (0.7 if (p2 == "l" or (not p2 and d2 - birth < 731)) else 0)
        if (s2 - s1 if d1 < d2 else s1 - s2) < -1.4:
            return True
    if w1 is not None and w2 is not None:
        change = abs(w1 - float(w2))
        lowest_limit = validation.WEIGHT_TOLERANCE + min(
            validation.WEIGHT_LOSS_PER_DAY * abs(d1 - d2), validation.WEIGHT_LOSS_MAX_SHARE * min(w1, float(w2))
        )
        if change > lowest_limit - 0.1:
            return True
    return False


def _same_name(a: str, b: str) -> bool:
    """Could these be the same child's name? An anonymised name could be anyone's: the birth
    date and the NIK decide."""
    a, b = person_key(a), person_key(b)
    if a == b or is_anonymised(a) or is_anonymised(b):
        return True
    return difflib.SequenceMatcher(None, a, b).ratio() >= 0.85
