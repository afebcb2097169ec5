"""Helpers for tests: build real XLSX and CSV files in memory."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook, load_workbook


def xlsx_bytes(rows: list[list], title: str = "Data") -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return out


def csv_bytes(rows: list[list], delimiter: str = ";", encoding: str = "utf-8-sig", newline: str = "\r\n") -> io.BytesIO:
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return io.BytesIO(text.getvalue().encode(encoding))


def read_xlsx(data) -> list[list]:
    """All rows of the first sheet, as lists of values (None for empty cells)."""
    if hasattr(data, "seek"):
        data.seek(0)
    sheet = load_workbook(data if hasattr(data, "read") else io.BytesIO(data)).worksheets[0]
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def crash_on_save(monkeypatch, importer_cls, at: int = 3, error: str = "disk full") -> list:
    """Make the import framework's ``do_save`` raise on its ``at``-th call, with chunks of two
    rows so that earlier chunks are written before the crash; returns the list of calls."""
    from . import framework

    monkeypatch.setattr(importer_cls, "chunk_size", 2)
    real_save, calls = framework.do_save, []

    def failing_save(*args, **kwargs):
        calls.append(1)
        if len(calls) == at:
            raise RuntimeError(error)
        return real_save(*args, **kwargs)

    monkeypatch.setattr(framework, "do_save", failing_save)
    return calls
