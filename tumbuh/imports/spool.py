"""A batch's checked rows, kept on disk between reading them and writing them.

An import reads and checks every row first, outside any write transaction, and writes them
afterwards in one short one (``framework.process_batch``). In between, the plans wait here, so
that a million rows do not sit in memory: pickled records in an anonymous temporary file under
``VAR_DIR/import-spool`` (unlinked at once, so nothing stays on disk after the batch, even if
its process is killed).

Some objects in a plan are the batch's own and must stay one object: the batch, the importing
user and regency, and the importer's ``shared_types`` (the e-PPGBM importer's children, which a
later chunk's ``write()`` finds with the ids an earlier one gave them). Those are written as a
reference to the live object, never copied.
"""

from __future__ import annotations

import contextlib
import copyreg
import gc
import io
import itertools
import pickle  # nosec B403: only this process's own records, in a file only it can open
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings

_live: dict[int, dict[int, Any]] = {}  # spool token -> {id(obj): obj}, while the spool is open
_tokens = itertools.count(1)


def _shared(token: int, key: int) -> Any:
    """The live object a spooled reference stands for (called by the unpickler)."""
    return _live[token][key]


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """No garbage collection while a chunk is (un)pickled: loading one makes thousands of small
    containers, and each pass of the collector would walk every object the batch holds (the
    e-PPGBM importer's children and their visits): that doubled a chunk's load time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class Spool:
    """Records appended in order (``add``) and read back in that order (iterating)."""

    def __init__(
        self,
        *,
        shared: Iterable[Any] = (),
        shared_types: tuple[type, ...] = (),
        reduce: dict[type, Callable[[Any], tuple]] | None = None,
    ):
        folder = Path(settings.VAR_DIR) / "import-spool"
        folder.mkdir(parents=True, exist_ok=True)
        self.file = tempfile.TemporaryFile(dir=folder)  # noqa: SIM115 (closed by close())
        self.records = 0
        self.token = next(_tokens)
        live = _live[self.token] = {}
        shared = [obj for obj in shared if obj is not None]
        by_identity = {id(obj) for obj in shared}

        def by_reference(obj):
            live[id(obj)] = obj
            return _shared, (self.token, id(obj))

        def maybe_by_reference(obj):
            if id(obj) in by_identity:
                return by_reference(obj)
            return obj.__reduce_ex__(pickle.HIGHEST_PROTOCOL)

        # A dispatch table, not ``reducer_override``: it is looked up in C, so the many numbers,
        # dates and texts of a million rows cost no Python call each.
        self.table = copyreg.dispatch_table.copy()
        self.table.update(reduce or {})
        for obj in shared:
            self.table[type(obj)] = maybe_by_reference
        for cls in shared_types:
            self.table[cls] = by_reference

    def add(self, record: Any) -> None:
        buffer = io.BytesIO()
        pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
        pickler.dispatch_table = self.table
        with _collector_paused():
            pickler.dump(record)
        self.file.seek(0, io.SEEK_END)
        self.file.write(buffer.getbuffer())
        self.records += 1

    def __iter__(self) -> Iterator[Any]:
        self.file.flush()
        self.file.seek(0)
        for _ in range(self.records):
            with _collector_paused():
                record = pickle.load(self.file)  # nosec B301: written by this process above
            yield record

    def close(self) -> None:
        self.file.close()
        _live.pop(self.token, None)

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
