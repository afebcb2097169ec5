"""Text files in the encodings Excel and Windows tools write: read when they can be told apart
(a byte order mark), refused in Indonesian with what to do when they cannot, never with
Python's own words."""

import codecs
import csv
import io

import pytest
from django.utils import translation

from tumbuh.imports.framework import run_import
from tumbuh.imports.models import BatchStatus
from tumbuh.measurements.models import Child
from tumbuh.wilayah.models import Wilayah

from .import_files import export, row

pytestmark = pytest.mark.django_db

SAVE_AS_UTF8 = 'Berkas ini bukan CSV UTF-8: simpan sebagai CSV UTF-8 (di Excel: Simpan Sebagai, "CSV UTF-8 (Comma delimited)") lalu unggah lagi.'


def _text(name: str, delimiter: str = "\t") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(export(row(name=name)))
    return out.getvalue()


def _run(user, data: bytes, name="pengukuran.txt"):
    return run_import(
        "eppgbm", user=user, kabupaten=Wilayah.objects.get(code="73.24"), source=io.BytesIO(data), file_name=name
    )


def _error(batch) -> str:
    with translation.override("id"):
        return str(batch.summary())


def test_excel_unicode_text_is_read(alice):
    """Excel's "Save As: Unicode Text": UTF-16 LE with a byte order mark, tab-separated, CR LF."""
    data = codecs.BOM_UTF16_LE + _text("Séno Ünal Unicode").encode("utf-16-le")
    assert data[:4] == b"\xff\xfeL\x00"  # "Laporan…", as Excel writes it
    batch = _run(alice, data)
    assert batch.status == BatchStatus.DONE and batch.created == 1
    assert Child.objects.filter(name="Séno Ünal Unicode").exists()


def test_utf32_with_a_byte_order_mark_is_read(alice):
    batch = _run(alice, _text("Séno Utf Tigapuluhdua").encode("utf-32"))  # Python writes the BOM
    assert batch.status == BatchStatus.DONE and batch.created == 1
    assert Child.objects.filter(name="Séno Utf Tigapuluhdua").exists()


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-be", "utf-32-le"])
def test_utf16_or_utf32_without_a_byte_order_mark_is_refused_with_what_to_do(alice, encoding):
    batch = _run(alice, _text("Tanpa Penanda").encode(encoding))
    assert batch.status == BatchStatus.FAILED
    assert SAVE_AS_UTF8 in _error(batch) and "biner" not in _error(batch)


def test_a_broken_utf16_file_is_refused_not_read_as_latin1(alice):
    data = codecs.BOM_UTF16_LE + _text("Terpotong").encode("utf-16-le") + b"\x00"  # an odd byte at the end
    batch = _run(alice, data)
    assert batch.status == BatchStatus.FAILED and SAVE_AS_UTF8 in _error(batch)
