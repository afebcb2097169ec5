"""The places a row names (Kec, Desa/Kel, Puskesmas, Posyandu), matched to Tumbuh's within the
importing user's district: exactly after normalising, else through a confirmed
``NameMapping``, else refused with a proposal that the batch page offers to confirm
(``confirm_mapping``)."""

from __future__ import annotations

from collections import defaultdict

from django.utils.translation import gettext_noop

from tumbuh.accounts import policy
from tumbuh.audit.actions import do_save
from tumbuh.imports.errors import RowError
from tumbuh.imports.framework import Row
from tumbuh.organisation.models import Posyandu, Puskesmas
from tumbuh.wilayah.models import Level, Wilayah

from ..matching import name_key, propose
from ..models import NameKind, NameMapping
from .columns import OUTSIDE_AREA

#: Reasons for names that are not (yet) matched: re-running the batch after confirming a
#: mapping may accept these rows.
NAME_REASONS = {
    "kecamatan": gettext_noop("Unknown kecamatan %(name)s"),
    "desa": gettext_noop("Unknown desa %(name)s in kecamatan %(parent)s"),
    "puskesmas": gettext_noop("Unknown puskesmas %(name)s"),
    "posyandu": gettext_noop("Unknown posyandu %(name)s in desa %(parent)s"),
}
NAME_REASONS_PROPOSED = {
    "kecamatan": gettext_noop("Unknown kecamatan %(name)s; did you mean %(proposal)s? Confirm it on the import page"),
    "desa": gettext_noop(
        "Unknown desa %(name)s in kecamatan %(parent)s; did you mean %(proposal)s? Confirm it on the import page"
    ),
    "puskesmas": gettext_noop("Unknown puskesmas %(name)s; did you mean %(proposal)s? Confirm it on the import page"),
    "posyandu": gettext_noop(
        "Unknown posyandu %(name)s in desa %(parent)s; did you mean %(proposal)s? Confirm it on the import page"
    ),
}
ALL_NAME_REASONS = set(NAME_REASONS.values()) | set(NAME_REASONS_PROPOSED.values())


class Names:
    """The district's names, loaded once per batch, and the file's names not matched yet
    (``unmatched``: the batch page's proposals)."""

    def __init__(self, kabupaten, user):
        self.kabupaten = kabupaten
        self.user = user
        kab = kabupaten.code
        # Names: regions are public reference data; whether the user may import into one is
        # decided by ``policy`` (outside your area).
        self.kecamatan = {}
        self.kecamatan_names = {}
        self.desa = defaultdict(dict)  # kecamatan code -> {key: desa code}
        self.desa_names = {}
        for code, name, level, kec in Wilayah.objects.filter(
            kabupaten_code=kab, level__in=[Level.KECAMATAN, Level.DESA]
        ).values_list("code", "name", "level", "kecamatan_code"):
            if level == Level.KECAMATAN:
                self.kecamatan[name_key("kecamatan", name)] = code
                self.kecamatan_names[code] = name
            else:
                self.desa[kec][name_key("desa", name)] = code
                self.desa_names[code] = name
        self.visible_desa = set(
            policy.visible(self.user, Wilayah.objects.filter(kabupaten_code=kab, level=Level.DESA)).values_list(
                "code", flat=True
            )
        )
        self.posyandu = defaultdict(dict)  # desa code -> {key: posyandu id}
        self.posyandu_names = {}
        for pk, name, desa in Posyandu.objects.filter(desa__kabupaten_code=kab).values_list("pk", "name", "desa_id"):
            self.posyandu[desa][name_key("posyandu", name)] = pk
            self.posyandu_names[pk] = name
        self.puskesmas = {}
        self.puskesmas_names = {}
        for pk, name in Puskesmas.objects.filter(kecamatan__kabupaten_code=kab).values_list("pk", "name"):
            self.puskesmas[name_key("puskesmas", name)] = pk
            self.puskesmas_names[pk] = name
        self.mappings = {
            (m.kind, m.parent, m.source): m.target for m in NameMapping.objects.filter(kabupaten=self.kabupaten)
        }
        self.unmatched: dict[tuple, dict] = {}
        self._name_cache: dict[tuple, object] = {}
        self._raw_cache: dict[tuple, tuple] = {}

    def _name(self, kind: str, text: str, parent: str, parent_label: str, candidates: dict, labels: dict):
        raw = self._raw_cache.get((kind, parent, text))  # the same spelling again: no normalising
        key = raw[0] if raw else name_key(kind, text)
        cache_key = (kind, parent, key)
        hit = raw[1] if raw else self._name_cache.get(cache_key)
        if hit is not None:
            self._raw_cache[(kind, parent, text)] = (key, hit)
            if isinstance(hit, RowError):
                self.unmatched[cache_key]["rows"] += 1
                raise hit
            return hit
        target = candidates.get(key)
        if target is None:
            mapped = self.mappings.get(cache_key)
            if mapped is not None:
                target = int(mapped) if kind in ("posyandu", "puskesmas") else mapped
                if target not in labels:
                    target = None
        if target is not None:
            self._name_cache[cache_key] = target
            return target
        proposal = propose(key, candidates)
        entry = self.unmatched.setdefault(
            cache_key,
            {
                "kind": kind,
                "parent": parent,
                "parent_name": parent_label,
                "source": key,
                "source_text": text,
                "proposal": str(proposal) if proposal is not None else "",
                "proposal_name": labels.get(proposal, "") if proposal is not None else "",
                "rows": 0,
            },
        )
        entry["rows"] += 1
        if proposal is not None:
            error = RowError(NAME_REASONS_PROPOSED[kind], name=text, parent=parent_label, proposal=labels[proposal])
        else:
            error = RowError(NAME_REASONS[kind], name=text, parent=parent_label)
        self._name_cache[cache_key] = error
        raise error

    def places(self, row: Row) -> tuple[str, int | None]:
        """The row's desa (in the user's area) and posyandu (None when the row names none)."""
        kab = self.kabupaten.code
        if not row["kecamatan"]:
            raise RowError(gettext_noop("Kecamatan is empty"))
        if not row["desa"]:
            raise RowError(gettext_noop("Desa is empty"))
        kecamatan = self._name(
            "kecamatan", row["kecamatan"], kab, self.kabupaten.name, self.kecamatan, self.kecamatan_names
        )
        desa = self._name(
            "desa", row["desa"], kecamatan, self.kecamatan_names[kecamatan], self.desa[kecamatan], self.desa_names
        )
        if desa not in self.visible_desa:
            raise RowError(OUTSIDE_AREA)  # as a NIK registered outside the area: the same words
        posyandu = None
        if row["puskesmas"]:
            self._name("puskesmas", row["puskesmas"], kab, self.kabupaten.name, self.puskesmas, self.puskesmas_names)
        if row["posyandu"]:
            posyandu = self._name(
                "posyandu", row["posyandu"], desa, self.desa_names[desa], self.posyandu[desa], self.posyandu_names
            )
        return desa, posyandu


# ---------------------------------------------------------------- confirming names


def confirm_mapping(user, batch, kind: str, parent: str, source: str, source_text: str, target: str) -> NameMapping:
    """Remember that ``source`` (a normalised name in ``parent``) means ``target``."""
    labels = _target_labels(batch.kabupaten, kind, parent)
    if target not in labels:
        raise ValueError(target)
    mapping = NameMapping.objects.filter(kabupaten=batch.kabupaten, kind=kind, parent=parent, source=source).first()
    mapping = mapping or NameMapping(
        kabupaten=batch.kabupaten, kind=kind, parent=parent, source=source, created_by=user
    )
    mapping.source_text = source_text[:150]
    mapping.target = target
    mapping.target_name = labels[target][:150]
    # Confirming a name is part of the import the user ran (a puskesmas officer's own batch).
    do_save(user, mapping, reason=f"impor {batch.file_name}: nama dikonfirmasi", permitted_by=(policy.ADD, batch))
    return mapping


def _target_labels(kabupaten, kind: str, parent: str) -> dict[str, str]:
    """What a name of ``kind`` within ``parent`` may be mapped to: {target: label}."""
    if kind == NameKind.KECAMATAN:
        qs = Wilayah.objects.filter(kabupaten_code=kabupaten.code, level=Level.KECAMATAN)
        return dict(qs.values_list("code", "name"))
    if kind == NameKind.DESA:
        return dict(Wilayah.objects.filter(kecamatan_code=parent, level=Level.DESA).values_list("code", "name"))
    if kind == NameKind.PUSKESMAS:
        qs = Puskesmas.objects.filter(kecamatan__kabupaten_code=kabupaten.code)
        return {str(pk): name for pk, name in qs.values_list("pk", "name")}
    return {str(pk): name for pk, name in Posyandu.objects.filter(desa_id=parent).values_list("pk", "name")}


def target_choices(kabupaten, kind: str, parent: str) -> list[tuple[str, str]]:
    return sorted(_target_labels(kabupaten, kind, parent).items(), key=lambda kv: kv[1])
