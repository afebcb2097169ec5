"""The audit log in an inspector's words, read from the models' own metadata when a page of it is
shown (so rows written long ago read the same as today's):

- the object's kind by its model's ``verbose_name`` ("Posyandu", not ``organisation.posyandu``);
- each field by its ``verbose_name`` ("Aktif", not ``is_active``);
- a choice by its label, a boolean as Ya/Tidak, a date as "5 Desember 2025";
- a foreign key or many-to-many by the related object's name ("Puskesmas Malili", not 7), looked
  up once per related model for the whole page, in the viewer's area only (outside it: "#7",
  unless it belongs to no area, as a national catalogue's records; deleted since: "#7 (dihapus)");
- numbers in the language's format, but a year, a code or a row number without a thousands
  separator (``2025``, never ``2.025``);
- a JSON field as "key: value" lines, one per key that changed (a nested object inline when
  short, else as a count of its entries), with labels where the model gives them: a model may
  define a classmethod ``audit_labels(field_name) -> {key or value: label}`` for a JSON field's
  keys and values, or for a text field whose values are codes without ``choices``;
- the details of a bulk write (``BulkWrite.record``: ``written`` per model, counts, the file) by
  :data:`DETAIL_LABELS`, a model named in them by its plural verbose name.
- an operation of Tumbuh's own that is no model's row (a backup, a restore: ``core.backup``) by
  :data:`OPERATION_LABELS`.

A model or field renamed since the row was written is found under its new name:
``audit.renames.follow_rename`` rewrote the row's ``object_type`` and snapshot keys in the
migration that renamed it. A name that no model knows any more is shown as it was stored.
"""

from __future__ import annotations

import datetime
import decimal
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import cast

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime, parse_time
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tumbuh.accounts import policy
from tumbuh.accounts.policy import _wilayah_code_of

from .models import AuditAction, AuditLog

#: An empty value.
EMPTY = "—"

#: Labels of the keys that bulk writes put beside ``written`` in their audit row's ``after``
#: (``BulkWrite.record(details=…)``): the e-PPGBM import, the demo, the dashboard figures.
DETAIL_LABELS = {
    "written": _("rows written"),
    "file": _("file"),
    "sha256": _("file SHA-256"),
    "measurements_created": _("new measurements"),
    "children_created": _("new children"),
    "measurements": _("measurements"),
    "children": _("children"),
    "requested_children": _("children requested"),
    "replaced": _("figures replaced"),
    "period": _("period"),
    "seed": _("random seed"),
    "kecamatan": _("kecamatan"),
    "source": _("source"),
    "eppgbm_kecamatan": _("kecamatan imported from e-PPGBM"),
    "eppgbm_round": _("round imported from e-PPGBM"),
    # a backup and a restore (tumbuh.core.backup)
    "bytes": _("size in bytes"),
    "engine": _("database"),
    "tables": _("tables"),
    "rows": _("rows"),
    "media_files": _("uploaded files"),
    "os_user": _("operating-system user"),
    "host": _("server"),
    "tumbuh_version": _("Tumbuh version"),
    "backup_created_at": _("backup made"),
    "migrated": _("migrations applied after the restore"),
    "forced": _("existing data replaced"),
}

#: What the log records that is no model's row, by ``object_type``: Tumbuh's own operations.
OPERATION_LABELS = {
    "core.backup": _("backup of the database and uploaded files"),
    "core.restore": _("restore from a backup"),
}

#: A number named like this is an identifier or a year, written without a thousands separator.
_PLAIN_NUMBER = re.compile(
    r"(^|_)(id|pk|year|years|seed|version|rank|row|number|nomor|code|kode|quarter|semester|month)(_|$)"
)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_MODEL_LABEL = re.compile(r"^[a-z_]+\.[a-z_]+$")


# ---------------------------------------------------------------- models and their names


def model_of(object_type: str) -> type[models.Model] | None:
    """The model an audit row's ``object_type`` (``app_label.modelname``) names, if it still exists."""
    if not isinstance(object_type, str) or not _MODEL_LABEL.match(object_type):
        return None
    try:
        return apps.get_model(object_type)
    except LookupError:
        return None


def type_label(object_type: str, *, plural: bool = False) -> str:
    """ "Posyandu" for ``organisation.posyandu``; the stored text for a model that is gone."""
    model = model_of(object_type)
    if model is None:
        return str(capfirst(OPERATION_LABELS[object_type])) if object_type in OPERATION_LABELS else object_type
    return str(capfirst(model._meta.verbose_name_plural if plural else model._meta.verbose_name))


def type_choices(object_types: Iterable[str]) -> list[tuple[str, str]]:
    """(object_type, label) for the filter of the log, sorted by label."""
    return sorted(((t, type_label(t)) for t in object_types), key=lambda pair: pair[1].casefold())


def _field(model: type[models.Model] | None, name: str) -> models.Field | None:
    if model is None:
        return None
    try:
        f = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    # not a reverse relation
    return f if isinstance(f, models.Field) and (f.concrete or isinstance(f, models.ManyToManyField)) else None


def _target(f: models.Field) -> type[models.Model]:
    """The model a relation field of a loaded model points to (never "self" or None by then)."""
    return cast("type[models.Model]", f.related_model)


def _labels(model: type[models.Model] | None, name: str) -> Mapping:
    hook = getattr(model, "audit_labels", None)
    labels = hook(name) if callable(hook) else None
    return labels or {}


def _field_label(model, name: str) -> str:
    f = _field(model, name)
    if f is not None and getattr(f, "verbose_name", None):
        # A field named without a verbose_name has a plain str one ("content type"): asked of the
        # catalogues all the same (Django's own know some).
        label = f.verbose_name if not isinstance(f.verbose_name, str) else gettext(f.verbose_name)
        return str(capfirst(label))
    if name in DETAIL_LABELS:
        return str(capfirst(DETAIL_LABELS[name]))
    return name


def _hidden(f: models.Field | None) -> bool:
    """The row's own id and the write's own time (``auto_now``): the log already says which and when."""
    if f is None:
        return False
    return f.primary_key or bool(getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False))


# ---------------------------------------------------------------- values


def _yes_no(value: bool) -> str:
    return str(capfirst(gettext("yes") if value else gettext("no")))


def _number(value, name: str = "") -> str:
    if isinstance(value, bool):
        return _yes_no(value)
    if isinstance(value, int) and _PLAIN_NUMBER.search(name or ""):
        return str(value)
    if isinstance(value, float):
        value = round(value, 4)
    return formats.number_format(value, use_l10n=True, force_grouping=True)


def _date(value: datetime.date) -> str:
    return formats.date_format(value, "j F Y")


def _datetime(value: datetime.datetime) -> str:
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{formats.date_format(value, 'j F Y')} {formats.time_format(value, 'TIME_FORMAT')}"


def _text(value, name: str = "", labels: Mapping | None = None) -> str:
    """A value with no model field to read it by (a JSON value, a bulk write's detail)."""
    labels = labels or {}
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return _yes_no(value)
    if isinstance(value, (int, float, decimal.Decimal)):
        return _number(value, name)
    if isinstance(value, str):
        if value in labels:
            return str(labels[value])
        if _ISO_DATE.match(value) and (d := parse_date(value)):
            return _date(d)
        if _ISO_DATETIME.match(value):
            try:
                dt = parse_datetime(value)
            except ValueError:
                dt = None
            if dt is not None:
                return _datetime(dt)
        return value
    if isinstance(value, (list, tuple)):
        if any(isinstance(v, (dict, list, tuple)) for v in value):
            return gettext("%(n)s entries") % {"n": len(value)}
        return ", ".join(_text(v, name, labels) for v in value) or EMPTY
    if isinstance(value, dict):  # inside a JSON value: a short one inline, else how many entries
        if value and all(not isinstance(v, (dict, list, tuple)) for v in value.values()):
            return "; ".join(f"{_key_label(str(k), labels)}: {_text(v, str(k), labels)}" for k, v in value.items())
        return gettext("%(n)s entries") % {"n": len(value)} if value else EMPTY
    return str(value)


def _is_empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _key_label(key: str, labels: Mapping) -> str:
    if key in labels:
        return str(labels[key])
    if key in DETAIL_LABELS:
        return str(capfirst(DETAIL_LABELS[key]))
    if _MODEL_LABEL.match(key) and model_of(key) is not None:
        return type_label(key, plural=True)
    return key


# ---------------------------------------------------------------- what a page shows


@dataclass
class Change:
    """One line of an audit row: what changed, from what, to what (already in words)."""

    label: str
    before: str
    after: str


@dataclass
class Entry:
    log: AuditLog
    what: str
    changes: list[Change] = field(default_factory=list)

    @property
    def is_update(self) -> bool:
        return self.log.action == AuditAction.UPDATE


class _Names:
    """The names of the related objects a page of the log points at, looked up once per model."""

    def __init__(self, user):
        self.user = user
        self.wanted: dict[type[models.Model], set] = defaultdict(set)
        self.found: dict[type[models.Model], dict] = {}
        self.existing: dict[type[models.Model], set] = {}

    def want(self, f: models.Field, value) -> None:
        model = _target(f)
        values = value if isinstance(value, (list, tuple)) else [value]
        for v in values:
            pk = self._pk(model, v)
            if pk is not None:
                self.wanted[model].add(pk)

    @staticmethod
    def _pk(model, value):
        if value is None or value == "":
            return None
        try:
            return model._meta.pk.to_python(value)
        except Exception:  # a stored value that is not a key of this model any more
            return None

    def resolve(self) -> None:
        for model, pks in self.wanted.items():
            qs = self._related(model, model._base_manager.filter(pk__in=pks))
            if self.user is not None:
                try:
                    qs = policy.visible(self.user, qs)
                except TypeError:  # not scoped (a content type, a group): named to everyone who sees the log
                    pass
            self.found[model] = {obj.pk: self._name(obj) for obj in qs}
            missing = pks - set(self.found[model])
            self.existing[model] = set()
            if missing:  # not in the viewer's area: named if it belongs to no area (a national catalogue's record)
                for obj in self._related(model, model._base_manager.filter(pk__in=missing)):
                    if _area_of(obj) is None:
                        self.found[model][obj.pk] = self._name(obj)
                    else:
                        self.existing[model].add(obj.pk)

    @staticmethod
    def _related(model, qs):
        """What a name (``__str__``) reads of the objects it points to, in the same query."""
        if model is ContentType:
            return qs
        return qs.select_related(*(f.name for f in model._meta.concrete_fields if f.is_relation))

    @staticmethod
    def _name(obj) -> str:
        if isinstance(obj, ContentType):
            model = obj.model_class()
            return str(capfirst(model._meta.verbose_name)) if model else obj.model
        return str(obj)

    def name(self, f: models.Field, value) -> str:
        model = _target(f)
        pk = self._pk(model, value)
        if pk is None:
            return EMPTY if _is_empty(value) else str(value)
        if pk in self.found.get(model, {}):
            return self.found[model][pk]
        if pk in self.existing.get(model, set()):
            return f"#{pk}"  # there, but outside the viewer's area
        return gettext("#%(id)s (deleted)") % {"id": pk}


def _area_of(obj) -> str | None:
    """The region code ``obj`` is scoped by; None for a record of no area (or an unscoped model)."""
    try:
        return _wilayah_code_of(obj)
    except TypeError:
        return None


def _field_value(f: models.Field, value, names: _Names, labels: Mapping) -> str:
    if f.many_to_many:
        if _is_empty(value):
            return EMPTY
        return ", ".join(names.name(f, v) for v in value)
    if f.is_relation:
        return names.name(f, value)
    if value is None:
        return EMPTY
    if isinstance(f, models.JSONField):  # a list (a JSON object is shown key by key, see _changes)
        return _text(value, f.name, labels)
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(f, models.BooleanField):
        return _yes_no(bool(value)) if isinstance(value, bool) else str(value)
    if isinstance(value, str) and value in labels:
        return str(labels[value])
    if isinstance(f, models.DateTimeField):
        dt = parse_datetime(value) if isinstance(value, str) else None
        return _datetime(dt) if dt else str(value)
    if isinstance(f, models.DateField):
        d = parse_date(value) if isinstance(value, str) else None
        return _date(d) if d else str(value)
    if isinstance(f, models.TimeField):
        t = parse_time(value) if isinstance(value, str) else None
        return formats.time_format(t, "TIME_FORMAT") if t else str(value)
    if isinstance(f, models.DecimalField):
        try:
            return formats.number_format(decimal.Decimal(str(value)), use_l10n=True, force_grouping=True)
        except decimal.InvalidOperation:
            return str(value)
    if isinstance(f, (models.IntegerField, models.FloatField)) and isinstance(value, (int, float)):
        return _number(value, f.name)
    if isinstance(f, models.FileField):
        return str(value).rsplit("/", 1)[-1] or EMPTY
    return EMPTY if value == "" else str(value)


def _changes(log: AuditLog, model, names: _Names) -> list[Change]:
    before, after = log.before or {}, log.after or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return [Change("", _text(log.before), _text(log.after))]
    update = log.action == AuditAction.UPDATE
    out = []
    for key in [*after, *(k for k in before if k not in after)]:
        old, new = before.get(key), after.get(key)
        if update and old == new:
            continue
        f = _field(model, key)
        if _hidden(f):
            continue
        label, labels = _field_label(model, key), _labels(model, key)
        if isinstance(old, dict) or isinstance(new, dict):  # a JSON object: a line per key that differs
            old, new = (old if isinstance(old, dict) else {}), (new if isinstance(new, dict) else {})
            for inner in [*new, *(k for k in old if k not in new)]:
                a, b = old.get(inner), new.get(inner)
                if (update and a == b) or (not update and _is_empty(a) and _is_empty(b)):
                    continue
                inner = str(inner)
                out.append(
                    Change(f"{label} › {_key_label(inner, labels)}", _text(a, inner, labels), _text(b, inner, labels))
                )
            continue
        if not update and _is_empty(old) and _is_empty(new):
            continue  # a blank field of a new or deleted row says nothing
        if f is None:
            out.append(Change(label, _text(old, key, labels), _text(new, key, labels)))
        else:
            out.append(Change(label, _field_value(f, old, names, labels), _field_value(f, new, names, labels)))
    return out


def describe(logs: Sequence[AuditLog], user=None) -> list[Entry]:
    """``logs`` (a page of the log) in words; the related objects' names are looked up once per
    related model for the whole page, through ``policy.visible(user, …)`` when a user is given."""
    names = _Names(user)
    models_of: dict[str, type[models.Model] | None] = {}
    for log in logs:
        model = models_of.setdefault(log.object_type, model_of(log.object_type))
        if model is None:
            continue
        for snapshot in (log.before, log.after):
            if not isinstance(snapshot, dict):
                continue
            for key, value in snapshot.items():
                f = _field(model, key)
                if f is not None and f.related_model is not None and (f.many_to_one or f.one_to_one or f.many_to_many):
                    names.want(f, value)
    names.resolve()
    return [Entry(log, type_label(log.object_type), _changes(log, models_of[log.object_type], names)) for log in logs]
