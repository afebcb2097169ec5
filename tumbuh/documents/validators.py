"""What an uploaded file really is, whatever its name says (issue 15).

A signed scan closes a rembuk and a decree proves a team exists, so a file is judged by its
content: a ``.pdf`` must start like a PDF and end with a PDF trailer, a ``.jpg``/``.png`` must
be a JPEG/PNG that Pillow can read, and Word, Excel and ODT files must be zip archives holding
that kind's main part (``word/document.xml``, ``xl/workbook.xml``, an ODF text ``mimetype``).
An HTML page renamed ``scan.pdf`` is refused. Every upload of a scan or a document goes
through :func:`validate_upload` (``UploadedDocument.clean`` and ``UploadForm``).

A zip container is also judged as every upload's is (:mod:`tumbuh.core.safezip`): a zip bomb,
a lying header, a name that climbs out of the archive or an archive inside it is refused.
Nothing on the server unpacks a document, but whoever opens it would, and the check costs at
most one pass over ``TUMBUH_DOCUMENT_MAX_UNPACKED_BYTES``.
"""

from __future__ import annotations

import zipfile
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tumbuh.core import safezip

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


#: The most an Office document may unpack to: a 20 MB upload of text at Word's 39 : 1 would be
#: 780 MB, which no report is; pictures, the bulk of large documents, do not compress.
MAX_UNPACKED = 100 << 20
#: The part each kind must hold (lower-case), beside ``[Content_Types].xml`` for OOXML.
_MAIN_PART = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml", ".odt": "content.xml"}


def _limits() -> safezip.Limits:
    return safezip.Limits(
        max_unpacked=int(getattr(settings, "TUMBUH_DOCUMENT_MAX_UNPACKED_BYTES", MAX_UNPACKED)),
        max_ratio=safezip.upload_ratio(),
        max_members=5000,
    )


def _office_problem(file, ext: str) -> ValidationError | None:
    """Why a .docx/.xlsx/.odt is refused, or None: not a zip, not that kind, or unsafe."""
    not_office = ValidationError(_("This file is not a valid Word, Excel or ODT document."), code="not_office")
    try:
        archive = safezip.open_archive(file, _limits(), size=_size(file))
    except safezip.UnsafeArchive as exc:
        return ValidationError(exc.text(), code="unsafe_archive")
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return not_office
    with archive:
        names = {info.filename.lower(): info for info in archive.infolist()}
        if _MAIN_PART[ext] not in names:
            return not_office
        if ext == ".odt":
            mimetype = names.get("mimetype")
            if mimetype is None or not safezip.head(archive, mimetype, 100).startswith(
                b"application/vnd.oasis.opendocument.text"
            ):
                return not_office
        elif "[content_types].xml" not in names:
            return not_office
        try:
            safezip.verify(archive)
        except safezip.UnsafeArchive as exc:
            return ValidationError(exc.text(), code="unsafe_archive")
    return None


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
                raise ValidationError(
                    _("This file is not a valid image: a .jpg must be a JPEG and a .png a PNG."), code="not_image"
                )
        elif ext in _ZIP_FORMATS:
            problem = _office_problem(file, ext)
            if problem is not None:
                raise problem
    finally:
        file.seek(0)
