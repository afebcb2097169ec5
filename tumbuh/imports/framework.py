"""The import engine: importers declare columns and check rows; ``run_import`` does the rest.

An importer is written as three small steps, so the same engine carries a list of 30
puskesmas and an e-PPGBM export of a million measurements:

- ``prepare()`` loads what rows are checked against (regions, existing records), once, and
  only within the importing user's scope;
- ``validate(row)`` turns one row into a *plan* or raises ``RowError`` with one reason;
- ``write(plans)`` writes a chunk of plans and says, per plan, ``CREATED``, ``UPDATED``,
  ``UNCHANGED`` or a ``RowError``. The organisation importers save through ``do_save`` (one
  audit record per change); a measurement importer can ``bulk_create`` the chunk instead.

``run_import`` streams the rows, keeps every rejected row (original cells + reason) in
``ImportRow``, stores the uploaded file, and runs the whole batch in one transaction: if
anything crashes, nothing from the batch stays and the batch is marked failed with the error.
Once a batch commits, ``signals.batch_imported`` tells other apps (e.g. to recompute what the
rows feed).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, ClassVar

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from tumbuh.accounts import policy
from tumbuh.audit.actions import do_save
from tumbuh.wilayah.models import Level, Wilayah

from .cells import clean_text, fold
from .errors import ImportFileError, RowError
from .models import BatchStatus, ImportBatch, ImportRow
from .progress import clear_progress, write_progress
from .readers import HeaderSpec, estimate_rows, inspect_source, open_table
from .signals import announce

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
            if (self.minimum is not None and number < self.minimum) or (self.maximum is not None and number > self.maximum):
                raise ValueError(gettext("%(label)s must be between %(minimum)s and %(maximum)s.")
                                 % {"label": self.label, "minimum": self.minimum, "maximum": self.maximum})
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
    do_not_call_in_templates = True  # templates get the class itself

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
        raise NotImplementedError

    def write(self, plans: list[Plan]) -> list[str | RowError]:
        return [self.save_audited(plan) for plan in plans]

    def finish(self) -> None:
        """After the last chunk, inside the batch's transaction (e.g. one audit record for
        the batch, findings into ``self.batch.findings``)."""

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
                column=self.header_name(column), row=first[0],
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


def create_batch(kind: str, *, user, kabupaten, file_name: str, status: str = BatchStatus.RUNNING,
                 options: dict | None = None) -> ImportBatch:
    """An unsaved batch for ``user`` importing ``file_name`` into ``kabupaten``; ``options``
    (the importer's, e.g. ``{"year": 2025}``) are checked here and kept on the batch."""
    importer = importer_for(kind)  # an unknown kind fails here
    return ImportBatch(
        kind=kind, kabupaten=kabupaten, created_by=user if getattr(user, "pk", None) else None,
        created_by_name=str(user)[:150], file_name=file_name[:255], status=status,
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
    ``dry_run`` nothing at all stays in the database; ``on_complete`` sees the finished batch
    (and its rejected rows) before the rollback. ``progress(done, total)`` is called every
    few thousand rows.
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
    kabupaten = batch.kabupaten
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
    try:
        with transaction.atomic():
            if dry_run:
                batch.save()
            _process(importer_cls, batch, source, info, user, kabupaten, state, progress)
            batch.status = BatchStatus.DONE
            batch.finished_at = timezone.now()
            batch.rows_done = batch.total_rows + batch.skipped
            batch.save()
            if on_complete is not None:
                on_complete(batch)
            if dry_run:
                transaction.set_rollback(True)
            else:  # after the commit (of an enclosing transaction too): the rows are in for good
                transaction.on_commit(partial(announce, importer_cls, batch, user))
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
    return batch


def _fail(batch: ImportBatch, error: str, dry_run: bool) -> ImportBatch:
    batch.reset_counts()
    batch.status = BatchStatus.FAILED
    batch.error = error
    batch.finished_at = timezone.now()
    if not dry_run:
        if batch.pk is not None and not ImportBatch.objects.filter(pk=batch.pk).exists():
            batch.pk = None  # it was rolled back with the data
        batch.save()
    return batch


#: How often (in rows) progress is reported.
PROGRESS_EVERY = 5000
#: Data rows read ahead to learn how wide a full row is (for ``Column.omissible``).
REALIGN_LOOKAHEAD = 200


def _process(importer_cls, batch, source, info, user, kabupaten, state, progress=None) -> None:
    table = open_table(source, info, importer_cls.header_spec())
    batch.headers, batch.header_row = table.headers, table.header_row
    importer = state["importer"] = importer_cls(user=user, kabupaten=kabupaten, batch=batch)
    importer.prepare()
    pending: list[Plan] = []
    rejected: list[ImportRow] = []

    def reject(row: Row, error: RowError) -> None:
        rejected.append(ImportRow(batch=batch, row_number=row.number, cells=row.cells, reason=error.message, params=error.params))
        batch.rejected += 1

    def flush_plans() -> None:
        for plan, outcome in zip(pending, importer.write(pending), strict=True):
            if isinstance(outcome, RowError):
                reject(plan.row, outcome)
            else:
                setattr(batch, outcome, getattr(batch, outcome) + 1)
        pending.clear()

    def flush_rejected() -> None:
        ImportRow.objects.bulk_create(rejected, batch_size=1000)
        rejected.clear()

    unused = {c.key for c in importer_cls.columns if not c.used}
    read_columns = [(key, i) for key, i in table.columns.items() if key not in unused]
    realign = _realigner(importer_cls, table)
    rows, full = table.rows, len(table.headers)
    if realign is not None:  # the width of a full row: the header's, or more where every row ends with an extra cell
        ahead = list(itertools.islice(rows, REALIGN_LOOKAHEAD))
        full = max([full, *(len(cells) for _number, cells in ahead)])
        rows = itertools.chain(ahead, rows)

    def report() -> None:
        write_progress(batch.pk, batch.rows_done, batch.rows_total)
        if progress is not None:
            progress(batch.rows_done, batch.rows_total)

    for number, cells in rows:
        batch.rows_done += 1
        if batch.rows_done % PROGRESS_EVERY == 0:
            report()
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
            flush_plans()
        if len(rejected) >= 1000:
            flush_rejected()
    flush_plans()
    flush_rejected()
    importer.current_row = None
    importer.finish()
    report()


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
        kind=batch.kind, kabupaten_id=batch.kabupaten_id, file_sha256=batch.file_sha256, status=BatchStatus.DONE,
        created_at__lt=batch.created_at,
    ).exclude(pk=batch.pk)


def iter_rejected(batch: ImportBatch) -> Iterable[ImportRow]:
    return batch.rejected_rows.order_by("row_number").iterator(chunk_size=2000)
