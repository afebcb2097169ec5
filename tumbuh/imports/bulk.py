"""Inserting many ready-made rows at once, without model instances: the one bulk write of the
importers and the demo (a million visits go in in seconds, not minutes).

``insert_rows(model, fields, rows)``: each row holds the values of ``fields`` in their stored
form (``Decimal``, ``date`` or ISO text on SQLite, adapted datetimes); fields not given (added
to the model later, say) get their default, prepared once. SQLite takes the rows through
``executemany``; PostgreSQL through ``COPY``, one stream without per-statement parsing. The
caller audits the batch (one audit row for the whole write, see the e-PPGBM importer).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection


def insert_rows(model, fields: Sequence[str], rows: Iterable[Sequence]) -> None:
    meta, qn = model._meta, connection.ops.quote_name
    given = [meta.get_field(name) for name in fields]
    others = [f for f in meta.concrete_fields if not f.primary_key and f not in given]
    defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in others)
    rows = [tuple(r) + defaults for r in rows] if defaults else list(rows)
    if not rows:
        return
    columns = ", ".join(qn(f.column) for f in given + others)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {qn(meta.db_table)} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        placeholders = ", ".join(["%s"] * (len(given) + len(others)))
        sql = f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES ({placeholders})"
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start : start + 5000])
