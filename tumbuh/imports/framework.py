"""The import engine: importers declare columns and check rows; ``run_import`` does the rest.

An importer is written as three small steps, so the same engine carries a list of 30
puskesmas and an e-PPGBM export of a million measurements:

- ``prepare()`` loads what rows are checked against (regions, existing records), once, and
  only within the importing user's scope;
- ``validate(row)`` turns one row into a *plan* or raises ``RowError`` with one reason;
- ``write(plans)`` writes a chunk of plans and says, per plan, ``CREATED``, ``UPDATED``,
  ``UNCHANGED`` or a ``RowError``. The organisation importers save through ``do_save`` (one
  audit record per change); a measurement importer can ``bulk_create`` the chunk instead.

``run_import`` runs a batch in two phases, so that an import never locks the site (on SQLite a
write transaction locks the whole database, and every login writes):

1. **read and check**, outside any transaction and refusing every write (``guards.reads_only``):
   ``prepare()`` and ``validate()`` of every row. The plans and the rejected rows (original
   cells + reason) wait on disk (``spool.Spool``), a chunk at a time, with what the importer set
   aside for that chunk's write (``set_aside``). Page views and logins go on meanwhile.
2. **write**, in one short transaction: each chunk's ``write()``, the rejected rows into
   ``ImportRow``, ``finish()`` and the batch's counts. If anything crashes, nothing from the
   batch stays and the batch is marked failed with the error; the batch row itself (with the
   stored file, to re-run) is written before phase 1.

Batches of one kind into one regency run one after another (``guards.one_import_at_a_time``),
so each checks its rows against what the one before it wrote. A dry run does both phases
without writing anything at all (``Importer.dry_run``: ``write()`` only works out the outcomes)
and takes no lock. Once a batch commits, ``signals.batch_imported`` tells other apps (e.g. to
recompute what the rows feed).
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import logging
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, ClassVar

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import InterfaceError, OperationalError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from tumbuh.accounts import policy
from tumbuh.audit.actions import do_save
from tumbuh.wilayah.models import Level, Wilayah

from .cells import clean_text, fold
from .errors import ImportFileError, RowError
from .guards import ImportBusy, one_import_at_a_time, reads_only
from .models import BatchStatus, ImportBatch, ImportRow
from .progress import clear_progress, write_progress
from .readers import HeaderSpec, estimate_rows, inspect_source, open_table
from .signals import announce
from .spool import Spool

log = logging.getLogger(__name__)

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the template's header, in Indonesian: it is data, not UI
    aliases: tuple[str, ...] = ()
    note: Any = ""  # a gettext_lazy help text, shown in the template
    example: str = ""
    text_format: bool = False  # codes: keep as text in the template, so Excel leaves them alone
    in_template: bool = True  # False: read when a file has it (e.g. another system's export), not offered
    used: bool = True  # False: recognised (helps find the header row) but its values are not read
    #: Some exports keep this column's header but leave its cell out of (some) data rows, so
    #: such a row is one cell short (of the header, or of the file's full rows where every row
    #: carries a cell more than the header names). ``omissible(text)`` says whether a cell looks
    #: like this column's value; a row one cell short whose cell at this position does not is
    #: realigned (the cells after it move one column right), so no later value lands in the wrong column.
    omissible: Callable[[str], bool] | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return (self.header, *self.aliases)


@dataclass(frozen=True)
class Option:
    """A value the user gives with the file, not found in it (e.g. the data year of a list
    that has no year column): a field on the upload form, ``--name`` on the command line."""

    name: str
    label: Any  # gettext_lazy
    kind: type = str  # int or str
    required: bool = True
    help: Any = ""
    minimum: int | None = None
    maximum: int | None = None

    def clean(self, value) -> Any:
        """The value as the importer uses it; raises ValueError with a reason to show."""
        if value in (None, ""):
            if self.required:
                raise ValueError(gettext("%(label)s is required.") % {"label": self.label})
            return None
        if self.kind is int:
            text = str(value).strip()
            if not text.isdigit():
                raise ValueError(gettext("%(label)s must be a whole number.") % {"label": self.label})
            number = int(text)
            if (self.minimum is not None and number < self.minimum) or (
                self.maximum is not None and number > self.maximum
            ):
                raise ValueError(
                    gettext("%(label)s must be between %(minimum)s and %(maximum)s.")
                    % {"label": self.label, "minimum": self.minimum, "maximum": self.maximum}
                )
            return number
        return str(value).strip()


@dataclass
class Row:
    number: int
    cells: list[str]  # as read, aligned with the file's headers
    values: dict[str, str]  # column key -> cleaned text ("" when absent)

    def __getitem__(self, key: str) -> str:
        return self.values.get(key, "")


@dataclass
class Plan:
    """What to do with one valid row. ``obj`` is the instance to save (new or existing)."""

    row: Row
    obj: models.Model | None = None
    m2m: dict[str, list] = field(default_factory=dict)
    changed: bool = True
    extra: dict = field(default_factory=dict)


class Importer:
    kind: ClassVar[str]
    title: ClassVar[Any]  # gettext_lazy
    model: ClassVar[type[models.Model]]
    columns: ClassVar[Sequence[Column]]
    #: Column groups of which the file must have at least one each.
    required: ClassVar[Sequence[tuple[str, ...]]] = ()
    #: Values given with the file (upload form fields, command-line options).
    options: ClassVar[Sequence[Option]] = ()
    chunk_size: ClassVar[int] = 500
    #: Types of the importer's own objects that plans point to and that must stay one object
    #: between reading and writing (kept by reference in the spool, see ``spool.py``).
    shared_types: ClassVar[tuple[type, ...]] = ()
    #: Whether ``write()`` may refuse a row (a ``RowError``): then each plan keeps its row's
    #: cells until it is written, for the rejected rows. An importer whose ``write()`` never
    #: refuses one says False, and its plans wait on disk without them.
    write_refuses: ClassVar[bool] = True
    do_not_call_in_templates = True  # templates get the class itself
    #: A dry run: ``write()`` works out each plan's outcome and writes nothing (the framework
    #: refuses any write meanwhile).
    dry_run: bool = False

    @classmethod
    def list_url(cls) -> str | None:
        """Where the imported records are listed (for "back to the list" links)."""
        return None

    @classmethod
    def pages(cls, batch: ImportBatch | None = None) -> str | None:
        """An importer with its own pages: the upload page (no batch) or the batch's page."""
        return None

    @classmethod
    def may_import(cls, user, kabupaten=None) -> bool:
        """May ``user`` import a file of this kind into ``kabupaten`` (default: their own)? The
        upload page and ``tumbuh import`` both ask this: a batch of this kind in that district,
        and the records it adds."""
        if kabupaten is None and not policy.is_global(user):
            kabupaten = importing_kabupaten(user)
            if kabupaten is None:
                return False
        batch = ImportBatch(kind=cls.kind, kabupaten=kabupaten, created_by=user)
        return policy.can(user, policy.ADD, batch) and policy.can(user, policy.ADD, cls.model)

    @classmethod
    def finding_lines(cls, batch: ImportBatch) -> list[str]:
        """What the batch found beyond its counts (``batch.findings``), as lines for the
        command line, in the active language."""
        return []

    def __init__(self, *, user, kabupaten, batch: ImportBatch):
        self.user = user
        self.kabupaten = kabupaten
        self.batch = batch
        #: The cleaned ``options`` the batch was started with (kept on the batch).
        self.option = dict(batch.options or {})
        self._seen: dict[Any, tuple[int, int]] = {}
        #: The row being read or written, for the error message if the batch crashes.
        self.current_row: int | None = None

    # -- declared shape

    @classmethod
    def header_spec(cls) -> HeaderSpec:
        return HeaderSpec({c.key: c.names for c in cls.columns}, tuple(cls.required))

    @classmethod
    def clean_options(cls, given: dict) -> dict:
        """``given`` (form or command line) checked against ``options``; ValueError if one is bad."""
        return {o.name: o.clean(given.get(o.name)) for o in cls.options}

    @classmethod
    def example(cls) -> dict[str, str]:
        return {c.key: c.example for c in cls.columns}

    @classmethod
    def is_example(cls, values: dict[str, str]) -> bool:
        """The template's example row, left in the file: skipped, and counted as such."""
        example = cls.__dict__.get("_folded_example")
        if example is None:
            example = [(k, fold(v)) for k, v in cls.example().items()]
            example.sort(key=lambda kv: not kv[1])  # a non-empty example first: most rows differ there at once
            cls._folded_example = example
        return all(fold(values.get(k, "")) == v for k, v in example)

    def header_name(self, key: str) -> str:
        return next(c.header for c in self.columns if c.key == key)

    # -- the three steps

    def prepare(self) -> None:
        """Load lookups for the batch, within ``self.user``'s scope."""

    def validate(self, row: Row) -> Plan:
        """Phase 1: no write reaches the database here, and no row is written yet (a later
        row never sees an earlier one in the database: keep what it needs in memory)."""
        raise NotImplementedError

    def set_aside(self) -> Any:
        """Phase 1, after each chunk of plans: what that chunk's ``write()`` needs besides its
        plans (e.g. the new records its rows named), forgotten here and kept on disk with the
        chunk; ``bring_back`` gets it before the chunk is written."""
        return None

    def bring_back(self, aside: Any) -> None:
        """Phase 2, before ``write()`` of a chunk: what ``set_aside`` returned for it."""

    def write(self, plans: list[Plan]) -> list[str | RowError]:
        """Phase 2, inside the batch's transaction (``self.dry_run``: write nothing, only say
        what would happen). The plans come back from disk: each row has its number and cells,
        not its ``values`` (read in ``validate``)."""
        return [self.save_audited(plan) for plan in plans]

    def finish(self) -> None:
        """After the last chunk, inside the batch's transaction (e.g. one audit record for
        the batch, findings into ``self.batch.findings``); in a dry run too, writing nothing."""

    # -- helpers for subclasses

    def in_scope(self, queryset: models.QuerySet) -> models.QuerySet:
        return policy.visible(self.user, queryset)

    def check_duplicate(self, row: Row, *keys: tuple[Any, str]) -> None:
        """Refuse a second row with the same natural key (identical, or conflicting).

        ``keys``: (key, column key) pairs; a row is registered only once all of them pass."""
        fingerprint = hash(tuple(sorted(row.values.items())))  # an int: a million keys stay small
        for key, column in keys:
            first = self._seen.get(key)
            if first is None:
                continue
            if first[1] == fingerprint:
                raise RowError(gettext_noop("Duplicate of row %(row)s in this file"), row=first[0])
            raise RowError(
                gettext_noop("Same %(column)s as row %(row)s in this file, but with different values"),
                column=self.header_name(column),
                row=first[0],
            )
        for key, _column in keys:
            self._seen[key] = (row.number, fingerprint)

    def audit_reason(self, row: Row) -> str:
        return f"impor {self.batch.file_name} baris {row.number}"

    def save_audited(self, plan: Plan) -> str | RowError:
        """Save one plan through ``do_save`` (validated, written and audited)."""
        self.current_row = plan.row.number
        if not plan.changed:
            return UNCHANGED
        obj = plan.obj
        creating = obj.pk is None
        if not policy.can(self.user, policy.ADD if creating else policy.CHANGE, obj):
            return RowError(gettext_noop("You may not change this record"))
        try:
            if self.dry_run:  # the checks ``do_save`` makes before it writes
                obj.full_clean(exclude=list(plan.m2m or {}))
            else:
                do_save(self.user, obj, m2m=plan.m2m or None, reason=self.audit_reason(plan.row))
        except ValidationError as exc:
            return RowError(gettext_noop("%(detail)s"), detail=_validation_text(obj, exc))
        return CREATED if creating else UPDATED


def assign(obj: models.Model, values: dict[str, Any]) -> bool:
    """Set fields on ``obj``; True if any value differs from what it held."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _validation_text(obj, exc: ValidationError) -> str:
    if not hasattr(exc, "error_dict"):
        return "; ".join(exc.messages)
    parts = []
    for name, errors in exc.message_dict.items():
        label = name
        try:
            label = str(obj._meta.get_field(name).verbose_name) if name != "__all__" else ""
        except FieldDoesNotExist:
            pass
        parts.append(f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    return "; ".join(parts)


def importing_kabupaten(user):
    """The regency a (non-global) user imports into: their own, or their node's."""
    node = user.wilayah if getattr(user, "wilayah_id", None) else None
    if node is None or node.level == Level.KABUPATEN:
        return node
    return Wilayah.objects.filter(code=node.kabupaten_code, level=Level.KABUPATEN).first()


# ---------------------------------------------------------------- registry

_REGISTRY: dict[str, type[Importer]] = {}


def register(cls: type[Importer]) -> type[Importer]:
    _REGISTRY[cls.kind] = cls
    return cls


def importer_for(kind: str) -> type[Importer]:
    return _REGISTRY[kind]


def kinds() -> dict[str, type[Importer]]:
    return dict(_REGISTRY)


def kind_title(kind: str) -> str:
    """An import kind as people call it ("Child measurements (e-PPGBM)" for ``eppgbm``): its
    importer's title; a kind no importer registers any more, as stored."""
    from django.utils.text import capfirst

    importer = _REGISTRY.get(kind)
    return str(capfirst(importer.title)) if importer is not None else kind


# ---------------------------------------------------------------- running a batch


def _store_source(batch: ImportBatch, source, info) -> None:
    """Keep the uploaded bytes, once per content (named by their SHA-256)."""
    ext = info.format  # xlsx, xls, html or csv: what the file is, whatever its name said
    name = f"imports/{batch.kabupaten_id}/{info.sha256[:2]}/{info.sha256}.{ext}"
    if not default_storage.exists(name):
        source.seek(0)
        name = default_storage.save(name, File(source))
        source.seek(0)
    batch.source.name = name


def create_batch(
    kind: str, *, user, kabupaten, file_name: str, status: str = BatchStatus.RUNNING, options: dict | None = None
) -> ImportBatch:
    """An unsaved batch for ``user`` importing ``file_name`` into ``kabupaten``; ``options``
    (the importer's, e.g. ``{"year": 2025}``) are checked here and kept on the batch."""
    importer = importer_for(kind)  # an unknown kind fails here
    return ImportBatch(
        kind=kind,
        kabupaten=kabupaten,
        created_by=user if getattr(user, "pk", None) else None,
        created_by_name=str(user)[:150],
        file_name=file_name[:255],
        status=status,
        options=importer.clean_options(options or {}),
    )


def store_source(batch: ImportBatch, source) -> ImportBatch:
    """Save ``batch`` as queued with its file stored: for a worker to run later
    (``run_stored``). A file that cannot be read at all fails the batch at once."""
    try:
        info = inspect_source(source)
    except ImportFileError as exc:
        return _fail(batch, exc.text(), False)
    batch.file_sha256, batch.file_size = info.sha256, info.size
    _store_source(batch, source, info)
    batch.status = BatchStatus.QUEUED
    batch.rows_total = estimate_rows(source, info)
    batch.save()
    return batch


def run_stored(batch: ImportBatch, *, progress: Callable[[int, int], None] | None = None) -> ImportBatch:
    """Run a queued batch from its stored file (the background worker's entry point)."""
    user = batch.created_by
    with batch.source.open("rb") as source:
        return process_batch(batch, source, user=user, progress=progress)


def run_import(
    kind: str,
    *,
    user,
    kabupaten,
    source,
    file_name: str,
    dry_run: bool = False,
    on_complete: Callable[[ImportBatch], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
    options: dict | None = None,
) -> ImportBatch:
    """Import ``source`` (a seekable binary file) as a list of ``kind``; return the batch.

    The batch row is written first, outside the data transaction, so that a batch that
    crashes is still on record (as failed, with the error and the stored file). With
    ``dry_run`` nothing at all is written to the database and no lock is taken. ``on_complete``
    sees the finished batch and its rejected rows (``iter_rejected``): a dry run's while they are
    still at hand, before this returns; a real run's once they are committed.
    ``progress(done, total)`` is called every few thousand rows, through both phases.
    """
    batch = create_batch(kind, user=user, kabupaten=kabupaten, file_name=file_name, options=options)
    return process_batch(batch, source, user=user, dry_run=dry_run, on_complete=on_complete, progress=progress)


def process_batch(
    batch: ImportBatch,
    source,
    *,
    user,
    dry_run: bool = False,
    on_complete: Callable[[ImportBatch], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportBatch:
    importer_cls = importer_for(batch.kind)
    batch.status = BatchStatus.RUNNING
    state: dict[str, Importer | None] = {"importer": None}
    try:
        info = inspect_source(source)
    except ImportFileError as exc:
        return _fail(batch, exc.text(), dry_run)
    batch.file_sha256, batch.file_size = info.sha256, info.size
    if not batch.rows_total:
        batch.rows_total = estimate_rows(source, info)
    if not dry_run:
        if not batch.source:
            _store_source(batch, source, info)
        batch.save()
    meter = _Meter(batch, progress)
    try:
        with contextlib.ExitStack() as stack:
            if not dry_run:
                stack.enter_context(one_import_at_a_time(batch.kind, batch.kabupaten_id, heartbeat=meter.alive))
            rejected = stack.enter_context(Spool())
            with _contained(), reads_only("Reading and checking an import's rows"):
                importer = state["importer"] = importer_cls(user=user, kabupaten=batch.kabupaten, batch=batch)
                importer.dry_run = dry_run
                plans = stack.enter_context(_read(importer, source, info, rejected, meter))
            if dry_run:
                with _contained(), reads_only("A dry run"), Spool() as late:
                    _write(importer, plans, rejected, late, meter)
                    _finished(batch)
                    if on_complete is not None:
                        batch._spooled_rejected = partial(_spooled_rejected, batch, rejected, late)
                        try:
                            on_complete(batch)
                        finally:
                            del batch._spooled_rejected
            else:
                with transaction.atomic():
                    _write(importer, plans, rejected, None, meter)
                    _finished(batch)
                    batch.save()
                    # After the commit (of an enclosing transaction too): the rows are in for good.
                    transaction.on_commit(partial(announce, importer_cls, batch, user))
    except ImportBusy:
        return _fail(
            batch,
            gettext("Another import of this kind into this regency is still running; try again when it has finished."),
            dry_run,
        )
    except ImportFileError as exc:
        return _fail(batch, exc.text(), dry_run)
    except Exception as exc:  # anything else: nothing from the batch stays
        log.exception("import batch %s (%s) failed", batch.pk, batch.file_name)
        error = f"{type(exc).__name__}: {exc}"
        row = state["importer"].current_row if state["importer"] else None
        if row:
            error = gettext("at row %(row)s: %(error)s") % {"row": row, "error": error}
        return _fail(batch, error, dry_run)
    finally:
        clear_progress(batch.pk)
    if on_complete is not None and not dry_run:
        on_complete(batch)
    return batch


def _contained():
    """No transaction of its own (it would take SQLite's write lock), but inside a caller's
    transaction a savepoint, so that a failed query here does not spoil the caller's."""
    return transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()


def _finished(batch: ImportBatch) -> None:
    batch.status = BatchStatus.DONE
    batch.finished_at = timezone.now()
    batch.rows_done = batch.total_rows + batch.skipped


def _fail(batch: ImportBatch, error: str, dry_run: bool) -> ImportBatch:
    if isinstance(sys.exc_info()[1], (OperationalError, InterfaceError)):  # the driver's words are logged, not shown
        error = gettext(
            "The database did not answer during the import (it may have been restarting or busy). Run the import again."
        )
    batch.reset_counts()
    batch.status = BatchStatus.FAILED
    batch.error = error
    batch.finished_at = timezone.now()
    if not dry_run:
        _record_failure(batch)
    return batch


#: How long a failed batch waits for its database to come back (a restart) to say so: never
#: left "running" because the connection that ran it died with the server.
RECORD_FAILURE_SECONDS = 60


def _record_failure(batch: ImportBatch) -> None:
    """Save the failed ``batch``; on a dead connection, reconnect and try again until the
    database answers (at most ``RECORD_FAILURE_SECONDS``)."""
    deadline, pause = time.monotonic() + RECORD_FAILURE_SECONDS, 0.25
    while True:
        try:
            stored = (
                ImportBatch.objects.filter(pk=batch.pk).values_list("status", flat=True).first() if batch.pk else None
            )
            if stored == BatchStatus.DONE:  # the commit got through before the connection died: its rows are in
                batch.refresh_from_db()
                return
            if batch.pk is not None and stored is None:
                batch.pk = None  # it was rolled back with the data
            batch.save()
            return
        except (OperationalError, InterfaceError):
            if connection.in_atomic_block or time.monotonic() > deadline:
                raise  # an enclosing transaction is lost anyway; or the database stays down
            log.warning("import batch %s: database unavailable, recording the failure again", batch.pk)
            connection.close()  # the next query opens a new connection
            time.sleep(pause)
            pause = min(pause * 2, 4)


#: How often (in rows) progress is reported.
PROGRESS_EVERY = 5000
#: Of the progress reported, the share of reading and checking the rows (phase 1, about three
#: quarters of a new e-PPGBM batch's time); writing them is the rest.
READ_SHARE = 0.75
#: Data rows read ahead to learn how wide a full row is (for ``Column.omissible``).
REALIGN_LOOKAHEAD = 200
#: Rejected rows per record on disk, and per INSERT.
REJECTED_CHUNK = 1000


class _Meter:
    """Progress through both phases as one count of rows (``READ_SHARE``), in the progress
    file (the batch page, and the worker's sign of life) and to the ``progress`` callback."""

    def __init__(self, batch: ImportBatch, callback: Callable[[int, int], None] | None):
        self.batch, self.callback = batch, callback
        self.written = 0

    def _report(self, done: int, total: int) -> None:
        write_progress(self.batch.pk, done, total)
        if self.callback is not None:
            self.callback(done, total)

    def alive(self) -> None:
        """Waiting for the batch before: nothing done yet."""
        self._report(0, self.batch.rows_total)

    def reading(self) -> None:
        read = self.batch.rows_done
        self._report(int(read * READ_SHARE), max(self.batch.rows_total, read))

    def writing(self, position: int, *, last: bool = False) -> None:
        """Written up to file row ``position`` (counted as rows read); reported every
        ``PROGRESS_EVERY`` rows and at the end."""
        if not last and position // PROGRESS_EVERY == self.written // PROGRESS_EVERY:
            return
        self.written = position
        total = self.batch.rows_done  # all read: the estimate is over
        self._report(int(total * READ_SHARE + min(position, total) * (1 - READ_SHARE)), total)


def _lean_row(row: Row) -> tuple:
    """A row as kept on disk: its number and cells (``values`` served ``validate``)."""
    return Row, (row.number, row.cells, {})


def _number_only(row: Row) -> tuple:
    """A row of an importer whose ``write()`` refuses none: its number (for the audit)."""
    return Row, (row.number, [], {})


def _kept_row(row: Row, error: RowError) -> tuple:
    return row.number, row.cells, error.message, error.params


@contextlib.contextmanager
def _read(importer: Importer, source, info, rejected: Spool, meter: _Meter) -> Iterator[Spool]:
    """Phase 1: every row read and checked; yields the spool of (position, plans, set aside)
    chunks, the rejected rows going to ``rejected``."""
    batch, importer_cls = importer.batch, type(importer)
    table = open_table(source, info, importer_cls.header_spec())
    batch.headers, batch.header_row = table.headers, table.header_row
    importer.prepare()
    spool = Spool(
        shared=(batch, importer.user, importer.kabupaten),
        shared_types=importer_cls.shared_types,
        reduce={Row: _lean_row if importer_cls.write_refuses else _number_only},
    )
    try:
        _read_rows(importer, table, spool, rejected, meter)
        yield spool
    finally:
        spool.close()


def _read_rows(importer: Importer, table, spool: Spool, rejected: Spool, meter: _Meter) -> None:
    batch, importer_cls = importer.batch, type(importer)
    pending: list[Plan] = []
    refused: list[tuple] = []

    def reject(row: Row, error: RowError) -> None:
        refused.append(_kept_row(row, error))
        batch.rejected += 1

    def set_aside() -> None:
        aside = importer.set_aside()
        if pending or aside is not None:
            spool.add((batch.rows_done, pending, aside))
        pending.clear()

    unused = {c.key for c in importer_cls.columns if not c.used}
    read_columns = [(key, i) for key, i in table.columns.items() if key not in unused]
    realign = _realigner(importer_cls, table)
    rows, full = table.rows, len(table.headers)
    if realign is not None:  # the width of a full row: the header's, or more where every row ends with an extra cell
        ahead = list(itertools.islice(rows, REALIGN_LOOKAHEAD))
        full = max([full, *(len(cells) for _number, cells in ahead)])
        rows = itertools.chain(ahead, rows)

    for number, cells in rows:
        batch.rows_done += 1
        if batch.rows_done % PROGRESS_EVERY == 0:
            meter.reading()
        importer.current_row = number
        if not any((c or "").strip() for c in cells):
            continue  # a blank line
        if realign is not None:
            full = max(full, len(cells))
            # One cell short of the header or of the file's full rows (some servers add a cell
            # to every row), or shorter still because a reader trimmed empty cells at the end:
            # the realigner looks at the omissible column's cell before it moves anything.
            if len(cells) < len(table.headers) or len(cells) == full - 1:
                cells = realign(cells)
        values = {key: clean_text(cells[i]) if i < len(cells) else "" for key, i in read_columns}
        if importer_cls.is_example(values):
            batch.skipped += 1
            continue
        batch.total_rows += 1
        row = Row(number, list(cells), values)
        try:
            pending.append(importer.validate(row))
        except RowError as error:
            reject(row, error)
        if len(pending) >= importer.chunk_size:
            set_aside()
        if len(refused) >= REJECTED_CHUNK:
            rejected.add(refused)
            refused.clear()
    set_aside()
    if refused:
        rejected.add(refused)
    importer.current_row = None
    meter.reading()


def _write(importer: Importer, plans: Spool, rejected: Spool, late: Spool | None, meter: _Meter) -> None:
    """Phase 2: each chunk's ``write()``, then the rejected rows and ``finish()``. ``late``: in a
    dry run, where the rows ``write()`` refuses go (else into the database with the others)."""
    batch = importer.batch
    refused: list[tuple] = []

    def keep_refused() -> None:
        if late is not None:
            late.add(list(refused))
        else:
            _insert_rejected(batch, refused)
        refused.clear()

    for position, chunk, aside in plans:
        importer.bring_back(aside)
        for plan, outcome in zip(chunk, importer.write(chunk), strict=True):
            if isinstance(outcome, RowError):
                if not importer.write_refuses:
                    raise TypeError(f"{type(importer).__name__}.write refused a row, but write_refuses is False")
                refused.append(_kept_row(plan.row, outcome))
                batch.rejected += 1
            else:
                setattr(batch, outcome, getattr(batch, outcome) + 1)
        if len(refused) >= REJECTED_CHUNK:
            keep_refused()
        meter.writing(position)
    if refused:
        keep_refused()
    if late is None:
        for record in rejected:
            _insert_rejected(batch, record)
    importer.current_row = None
    importer.finish()
    meter.writing(batch.rows_done, last=True)


def _insert_rejected(batch: ImportBatch, rows: list[tuple]) -> None:
    ImportRow.objects.bulk_create(
        [
            ImportRow(batch=batch, row_number=number, cells=cells, reason=reason, params=params)
            for number, cells, reason, params in rows
        ],
        batch_size=REJECTED_CHUNK,
    )


def _spooled_rejected(batch: ImportBatch, *spools: Spool) -> Iterator[ImportRow]:
    """A dry run's rejected rows, by row number, from its spools (each in row order)."""
    streams = [(row for record in spool for row in record) for spool in spools]
    for number, cells, reason, params in heapq.merge(*streams, key=lambda row: row[0]):
        yield ImportRow(batch=batch, row_number=number, cells=cells, reason=reason, params=params)


def _realigner(importer_cls, table) -> Callable[[list[str]], list[str]] | None:
    """For a table whose header names an ``omissible`` column: a function that puts an empty
    cell back where a row one cell short left that column out (see ``Column.omissible``)."""
    for column in importer_cls.columns:
        index = table.columns.get(column.key)
        if column.omissible is None or index is None:
            continue
        looks_right = column.omissible

        def realign(cells: list[str], index=index, looks_right=looks_right) -> list[str]:
            if index < len(cells) and looks_right(clean_text(cells[index])):
                return cells  # the cell is there: the row is short elsewhere (an empty last cell)
            return [*cells[:index], "", *cells[index:]]

        return realign
    return None


def previous_batches(batch: ImportBatch) -> models.QuerySet:
    """Earlier finished imports of the very same file (same bytes) for the same kind and district."""
    return ImportBatch.objects.filter(
        kind=batch.kind,
        kabupaten_id=batch.kabupaten_id,
        file_sha256=batch.file_sha256,
        status=BatchStatus.DONE,
        created_at__lt=batch.created_at,
    ).exclude(pk=batch.pk)


def iter_rejected(batch: ImportBatch) -> Iterable[ImportRow]:
    """The batch's rejected rows by row number: stored, or a dry run's (in ``on_complete``)."""
    spooled = getattr(batch, "_spooled_rejected", None)
    if spooled is not None:
        return spooled()
    return batch.rejected_rows.order_by("row_number").iterator(chunk_size=2000)
