"""Bulk writes: the one named exception to "every write goes through ``do_save``".

Importing a million e-PPGBM visits, seeding the demo or storing the precomputed dashboard
figures through ``do_save`` would cost a model instance, a validation, an INSERT and an audit
row per row: hours instead of seconds. A ``BulkWrite`` adds new rows of a model without model
instances, and keeps what ``do_save`` promises once per batch instead of once per row:

- **the policy is asked once**: ``add`` on each model class, the first time the batch writes
  it, or the step the whole batch belongs to (``permitted_by=(action, target)``: adding the
  import batch, say), as ``do_save`` does. Never skipped: ``None`` is not an actor.
- **the columns come from the model**: callers give the values per field *name*
  (``{"weight": [...], "date": [...]}``, a foreign key by its id) and ``insert`` puts them in
  the order of the model's concrete fields. A field not given gets its default (a callable
  default is called per row), ``auto_now``/``auto_now_add`` fields the time of the write; a
  name the model does not have is an error.
- **ids come from the database**: rows go in without an id (SQLite's AUTOINCREMENT,
  PostgreSQL's sequence). A caller that needs the new ids (to point other rows at them) asks
  ``ids=True`` and gets a range ``reserve_ids`` takes inside the transaction: never an id
  another write holds, never one a deleted row had.
- **one audit row** for the batch (``record``): who, which models and how many rows of each
  (``after["written"]``), and why, filed under the object the batch belongs to.

Values are given as the database driver takes them: numbers, text, booleans, ``None``,
``date`` and ``Decimal``; datetimes and JSON are prepared here. ``insert_objects`` takes
unsaved model instances instead and prepares every value as ``bulk_create`` does (for a few
hundred rows). SQLite takes the rows through ``executemany``, PostgreSQL through ``COPY``
(one stream without per-statement parsing).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence

from django.db import connection, models, transaction

from tumbuh.accounts import policy

from .actions import record
from .models import AuditAction, AuditLog

#: Rows per ``executemany`` call on SQLite.
CHUNK = 5000


def reserve_ids(model: type[models.Model], n: int) -> list[int]:
    """``n`` new primary keys of ``model``, taken from the database's own counter inside the
    current transaction: PostgreSQL's sequence (``nextval``), SQLite's AUTOINCREMENT counter
    (``sqlite_sequence``, moved on by ``n`` at once, so a second reservation or an ordinary
    INSERT in the same transaction gets the ids after these, and an id a deleted row had never
    comes back)."""
    if n <= 0:
        return []
    meta = model._meta
    table, pk = meta.db_table, meta.pk.column
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, pk, n])
            return [row[0] for row in cursor.fetchall()]
        qn = connection.ops.quote_name
        # Only the model's own table and column names, quoted, go into the SQL text.
        highest = f"(SELECT COALESCE(MAX({qn(pk)}), 0) FROM {qn(table)})"  # nosec B608
        # The UPDATE takes the write lock before anything is read.
        cursor.execute(f"UPDATE sqlite_sequence SET seq = MAX(seq, {highest}) + %s WHERE name = %s", [n, table])  # nosec B608
        if cursor.rowcount == 0:  # the table never had a row
            cursor.execute(f"INSERT INTO sqlite_sequence (name, seq) SELECT %s, {highest} + %s", [table, n])
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        last = cursor.fetchone()[0]
    return list(range(last - n + 1, last + 1))


def _prepare(field: models.Field):
    """How a given value of ``field`` becomes what the driver takes (None: as it is)."""
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(field, (models.JSONField, models.UUIDField, models.TimeField)):
        return lambda value: field.get_db_prep_save(value, connection)
    return None


class BulkWrite:
    """New rows of one or more models written at once by ``actor`` (a user or
    ``policy.SYSTEM``), asked of the policy once and audited as one (see the module)."""

    def __init__(self, actor, *, permitted_by: tuple[str, object] | None = None):
        if actor is None:
            raise TypeError("a bulk write needs an actor: a user, or policy.SYSTEM for Tumbuh itself")
        self.actor = actor
        self.permitted_by = permitted_by
        #: Rows written so far, per model.
        self.written: dict[type[models.Model], int] = {}
        if permitted_by is not None:
            policy.require(actor, *permitted_by)

    def _allow(self, model: type[models.Model]) -> None:
        if model not in self.written:
            if self.permitted_by is None:
                policy.require(self.actor, policy.ADD, model)
            self.written[model] = 0

    def insert(
        self,
        model: type[models.Model],
        columns: Mapping[str, Sequence],
        *,
        same: Mapping | None = None,
        ids: bool = False,
    ) -> list[int]:
        """Add one row per position of ``columns`` ({field name: values}, all of one length),
        each also holding the values of ``same`` ({field name: value}); the new ids in row
        order with ``ids``, else []."""
        return self._insert(model, columns, same or {}, ids, prepared=False)

    def insert_objects(self, model: type[models.Model], objs: Iterable[models.Model]) -> int:
        """Add unsaved instances of ``model`` (ids from the database), every value prepared as
        ``bulk_create`` prepares it; returns how many."""
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        objs = list(objs)
        for obj in objs:
            for field in fields:
                field.pre_save(obj, True)  # auto_now fields: the time of the write
        columns = {f.name: [f.get_db_prep_save(getattr(obj, f.attname), connection) for obj in objs] for f in fields}
        self._insert(model, columns, {}, False, prepared=True)
        return len(objs)

    def _insert(self, model, columns: Mapping[str, Sequence], same: Mapping, ids: bool, prepared: bool) -> list[int]:
        meta = model._meta
        stored = [f for f in meta.concrete_fields if ids or not f.primary_key]
        by_name = {name: f for f in stored if not f.primary_key for name in (f.name, f.attname)}
        unknown = sorted(name for name in itertools.chain(columns, same) if name not in by_name)
        if unknown:
            raise ValueError(f"{meta.label}: not a stored field here: {unknown}")
        given = {by_name[name]: values for name, values in columns.items()}
        constant = {by_name[name]: value for name, value in same.items()}
        lengths = {len(values) for values in given.values()}
        if len(lengths) != 1:
            raise ValueError(f"{meta.label}: columns of different lengths, or none: {sorted(lengths)}")
        (n,) = lengths
        self._allow(model)
        if n == 0:
            return []
        template = now = None
        pks: list[int] = []
        sources: list[Iterable] = []
        with transaction.atomic():
            for field in stored:
                prepare = None if prepared else _prepare(field)
                if field.primary_key:
                    pks = reserve_ids(model, n)
                    sources.append(pks)
                elif field in given:
                    sources.append(given[field] if prepare is None else [prepare(v) for v in given[field]])
                elif field in constant:
                    value = constant[field]
                    sources.append(itertools.repeat(value if prepare is None else prepare(value), n))
                elif field.has_default() and callable(field.default):  # e.g. a unique code: one per row
                    sources.append([field.get_db_prep_save(field.get_default(), connection) for _ in range(n)])
                else:  # its default, or auto_now's time of the write (one for all the write's fields)
                    template = model() if template is None else template
                    if isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add):
                        now = field.pre_save(template, True) if now is None else now
                        value = now
                    else:
                        value = field.pre_save(template, True)
                    sources.append(itertools.repeat(field.get_db_prep_save(value, connection), n))
            self._write(meta, stored, zip(*sources))
        self.written[model] += n
        return pks

    @staticmethod
    def _write(meta, fields: list[models.Field], rows: Iterable[tuple]) -> None:
        qn = connection.ops.quote_name
        names = ", ".join(qn(f.column) for f in fields)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {qn(meta.db_table)} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                return
            # The model's own table and column names, quoted; the values go as parameters.
            sql = f"INSERT INTO {qn(meta.db_table)} ({names}) VALUES ({', '.join(['%s'] * len(fields))})"  # nosec B608
            rows = iter(rows)
            while chunk := list(itertools.islice(rows, CHUNK)):
                cursor.executemany(sql, chunk)

    def record(
        self,
        reason: str,
        *,
        about,
        object_id: str = "",
        object_repr: str = "",
        wilayah_code: str = "",
        details: dict | None = None,
    ) -> AuditLog | None:
        """The batch's one audit row, once everything is written: ``actor`` created
        ``after["written"]`` ({model label: rows}, beside ``details``) because of ``reason``.
        ``about`` is the object the batch belongs to (an import batch), or a model class with
        ``object_id``, ``object_repr`` and ``wilayah_code`` naming the rows (the demo's visits).
        Nothing written: no row."""
        written = {model._meta.label_lower: n for model, n in self.written.items() if n}
        if not written:
            return None
        after = {**(details or {}), "written": written}
        if isinstance(about, models.Model):
            return record(self.actor, AuditAction.CREATE, about, None, after, reason)
        return AuditLog.objects.create(
            actor=self.actor if getattr(self.actor, "pk", None) else None,
            actor_name=str(self.actor)[:150],
            action=AuditAction.CREATE,
            object_type=about._meta.label_lower,
            object_id=object_id[:64],
            object_repr=(object_repr or f"{sum(written.values())} {about._meta.verbose_name_plural}")[:200],
            wilayah_code=wilayah_code,
            before=None,
            after=after,
            reason=reason,
        )
