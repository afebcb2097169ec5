"""What an uploaded file really is, whatever its name says (issue 15).

A signed scan closes a rembuk and a decree proves a team exists, so a file is judged by its
content: a ``.pdf`` must start like a PDF and end with a PDF trailer, a ``.jpg``/``.png`` must
be a JPEG/PNG that Pillow can read, and Word, Excel and ODT files must be zip archives (the
formats they are). An HTML page renamed ``scan.pdf`` is refused. Every upload of a scan or a
document goes through :func:`validate_upload` (``UploadedDocument.clean`` and ``UploadForm``).
"""

from __future__ import annotations

import zipfile
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

#: A PDF's header may follow a little junk (the spec lets readers look within the first 1024
#: bytes) and its last ``%%EOF`` may be followed by a few bytes of padding.
_PDF_WINDOW = 1024

_IMAGE_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG"}
_ZIP_FORMATS = {".docx", ".xlsx", ".odt"}


def _read(file, start: int, length: int) -> bytes:
    file.seek(start)
    return file.read(length)


def _size(file) -> int:
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, 2)
        size = file.tell()
    return size


def _is_pdf(file) -> bool:
    size = _size(file)
    head = _read(file, 0, _PDF_WINDOW)
    tail = _read(file, max(0, size - _PDF_WINDOW), _PDF_WINDOW)
    return b"%PDF-" in head and b"%%EOF" in tail


def _image_format(file) -> str | None:
    from PIL import Image

    try:
        file.seek(0)
        with Image.open(file) as image:
            found = image.format
            image.verify()
        return found
    except Exception:  # Pillow raises many kinds (UnidentifiedImageError, SyntaxError, OSError, bombs)
        return None


def _is_zip(file) -> bool:
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            return bool(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def validate_upload(file) -> None:
    """Raise ``ValidationError`` unless ``file`` holds what its extension claims.

    Extensions outside the allowed kinds are refused by ``UploadedDocument.clean``; here only
    the content is judged. The file is left at its start."""
    if not file:
        return
    ext = PurePath(file.name or "").suffix.lower()
    try:
        if ext == ".pdf":
            if not _is_pdf(file):
                raise ValidationError(_("This file is not a valid PDF."), code="not_pdf")
        elif ext in _IMAGE_FORMATS:
            if _image_format(file) != _IMAGE_FORMATS[ext]:
                raise ValidationError(_("This file is not a valid image: a .jpg must be a JPEG and a .png a PNG."),
                                      code="not_image")
        elif ext in _ZIP_FORMATS:
            if not _is_zip(file):
                raise ValidationError(_("This file is not a valid Word, Excel or ODT document."), code="not_office")
    finally:
        file.seek(0)
