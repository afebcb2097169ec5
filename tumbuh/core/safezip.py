"""Zip containers from uploads (.xlsx, .docx, .odt, zipped shapefiles), judged before and while
they are unpacked (issue 15: a 616 KB workbook unpacked to 800 MB in the web process).

Two steps, both cheap next to what they guard:

- :func:`open_archive` reads only the **central directory** and refuses, with a reason, a file
  that would unpack to more than the caller's limit, a member compressed more than
  ``max_ratio`` to 1 (or the whole file, for a swarm of small members), too many members,
  members claiming more packed bytes than the file holds (the "overlapping" bomb, whose
  thousands of entries share one compressed block), a name that climbs out of the archive
  (``../``, ``/etc``, ``C:``), a symbolic link, an encrypted member, or an archive inside the
  archive (outside an Office file's ``embeddings/`` folder, which nothing here opens).
- :func:`verify` (and :func:`read` for one member) then inflates the members as a stream,
  counting: a member whose data unpacks to more than its header declares (a **lying
  header**), or whose checksum is wrong, is refused. Python's zipfile already stops at the
  declared size; this check does not rely on it, and it also tells the user why.

The ratio limit comes from measured files (``bench/bench_zip_ratios.py``, docs/performance.md):
an e-PPGBM list written by openpyxl compresses 12 : 1, a very repetitive one 16 : 1, a Word
document 39 : 1, a shapefile's attribute table (.dbf, padded with spaces) up to 82 : 1; zlib's
own ceiling is about 1,032 : 1, which bombs use. Apache POI refuses past 100 : 1 too.
"""

from __future__ import annotations

import posixpath
import stat
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext, gettext_noop

MB = 1 << 20
#: What the first bytes of a member look like when it is an archive itself.
_ARCHIVE_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"Rar!", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b")
_ARCHIVE_SUFFIXES = (".zip", ".xlsx", ".xlsm", ".docx", ".docm", ".odt", ".ods", ".jar", ".rar", ".7z", ".gz", ".tar")
_CHUNK = 1 << 16
#: The fixed part of a zip's local file header (APPNOTE 4.3.7).
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")


class UnsafeArchive(Exception):
    """A zip refused as unsafe: an English msgid and its parameters, translated when shown
    (``text()``); callers pass both on to their own error (``ImportFileError``,
    ``BoundaryFileError``, ``ValidationError``)."""

    def __init__(self, message: str, **params):
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params

    def text(self) -> str:
        text = gettext(self.message)
        return text % self.params if self.params else text


@dataclass(frozen=True)
class Limits:
    """What one kind of upload may unpack to."""

    max_unpacked: int
    max_ratio: int = 100
    max_members: int = 10_000
    #: Members smaller than this are not judged by their own ratio (a 2 KB XML part of
    #: repeated tags compresses 50 : 1); the file as a whole still is.
    grace: int = 100 * 1024
    #: Whether an archive inside may be opened by the caller (a portal's zip in a zip).
    nested: bool = False


def upload_ratio() -> int:
    return int(getattr(settings, "TUMBUH_UPLOAD_MAX_RATIO", 100))


def _mb(n: int) -> int:
    """Megabytes, rounded up (a limit of 1 MB exceeded by a few bytes is still "more than 1")."""
    return -(-n // MB)


def _unsafe_name(name: str) -> bool:
    path = name.replace("\\", "/")
    return path.startswith("/") or (len(path) > 1 and path[1] == ":") or ".." in path.split("/") or "\0" in path


def _embedded(name: str) -> bool:
    """An Office file's embedded object (a chart's workbook in a Word report): never opened here."""
    return "/embeddings/" in "/" + name.replace("\\", "/").lower()


def open_archive(source, limits: Limits, *, size: int | None = None) -> zipfile.ZipFile:
    """The zip in ``source`` (a seekable binary file), after the central directory's checks.

    Raises :class:`UnsafeArchive`, or zipfile's own errors (``BadZipFile``, ``OSError``,
    ``ValueError``) for a file that is no readable zip. The caller closes the archive."""
    if size is None:
        source.seek(0, 2)
        size = source.tell()
    source.seek(0)
    archive = zipfile.ZipFile(source)
    try:
        check(archive, limits, size)
    except BaseException:
        archive.close()
        raise
    return archive


def check(archive: zipfile.ZipFile, limits: Limits, size: int) -> None:
    """The central directory's checks (see the module's docstring); nothing is unpacked,
    except the first bytes of a member that may be an archive."""
    infos = archive.infolist()
    if len(infos) > limits.max_members:
        raise UnsafeArchive(
            gettext_noop(
                "The file holds %(n)s parts, more than the %(max)s a real file of this kind has: it is refused as unsafe. "
                "Save the file again from the program that made it and upload it again."
            ),
            n=len(infos),
            max=limits.max_members,
        )
    unpacked = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos)
    if packed > size:
        raise UnsafeArchive(
            gettext_noop(
                'The file\'s parts claim more packed data than the whole file holds: it is a forged archive (a "zip bomb") '
                "and is refused."
            )
        )
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.grace and ratio > limits.max_ratio:
            raise bomb(info.filename, ratio, info.file_size, limits)
    if unpacked > limits.grace and unpacked > limits.max_ratio * max(packed, 1):
        raise bomb("", unpacked / max(packed, 1), unpacked, limits)
    if unpacked > limits.max_unpacked:
        raise UnsafeArchive(
            gettext_noop(
                "The file would unpack to %(size)s MB, more than the %(limit)s MB allowed. Split it into smaller files and "
                "upload them one by one."
            ),
            size=_mb(unpacked),
            limit=_mb(limits.max_unpacked),
        )
    for info in infos:
        name = info.filename[:120]
        if _unsafe_name(info.filename):
            raise UnsafeArchive(
                gettext_noop(
                    "The file holds a part named %(name)s, which points outside the archive: it is refused as unsafe."
                ),
                name=name,
            )
        if stat.S_ISLNK(info.external_attr >> 16):
            raise UnsafeArchive(
                gettext_noop("The file holds a symbolic link (%(name)s): it is refused as unsafe."), name=name
            )
        if info.flag_bits & 0x1:
            raise UnsafeArchive(
                gettext_noop("The file is protected by a password (%(name)s): upload it without one."), name=name
            )
    if not limits.nested:
        for info in infos:
            if info.is_dir() or _embedded(info.filename):
                continue
            if info.filename.lower().endswith(_ARCHIVE_SUFFIXES) or head(archive, info, 8).startswith(_ARCHIVE_MAGIC):
                raise UnsafeArchive(
                    gettext_noop(
                        "The file holds another archive inside it (%(name)s): it is refused as unsafe. Save "
                        "the file again from the program that made it and upload it again."
                    ),
                    name=info.filename[:120],
                )


def bomb(name: str, ratio: float, size: int, limits: Limits) -> UnsafeArchive:
    return UnsafeArchive(
        gettext_noop(
            'This file looks like a "zip bomb": it would unpack to %(size)s MB, compressed %(ratio)s to 1%(part)s, while '
            "real files are compressed at most about %(max)s to 1. Save the file again from the program that made it "
            "and upload it again."
        ),
        size=_mb(size),
        ratio=round(ratio),
        part=f" ({name[:120]})" if name else "",
        max=limits.max_ratio,
    )


def _lying(info: zipfile.ZipInfo) -> UnsafeArchive:
    return UnsafeArchive(
        gettext_noop(
            'This file looks like a "zip bomb": %(name)s unpacks to more than the %(size)s bytes its header declares. '
            "Save the file again from the program that made it and upload it again."
        ),
        name=info.filename[:120],
        size=info.file_size,
    )


def _damaged(info: zipfile.ZipInfo, error) -> UnsafeArchive:
    return UnsafeArchive(
        gettext_noop(
            "The file is damaged (%(name)s: %(error)s). Save the file again from the program "
            "that made it and upload it again."
        ),
        name=info.filename[:120],
        error=str(error)[:120],
    )


def head(archive: zipfile.ZipFile, info: zipfile.ZipInfo, n: int) -> bytes:
    """The first ``n`` unpacked bytes of a member (b"" if it cannot be read)."""
    try:
        with archive.open(info) as member:
            return member.read(n)
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError, NotImplementedError, EOFError, zlib.error):
        return b""


class _Counted:
    """A member's unpacked bytes, counted as they are read: past the declared size the read fails."""

    def __init__(self, member, info: zipfile.ZipInfo):
        self.member, self.info, self.count = member, info, 0

    def read(self, n: int = -1) -> bytes:
        data = self.member.read(n)
        self.count += len(data)
        if self.count > self.info.file_size:
            raise _lying(self.info)
        return data


def read(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """A whole member, read through the counting reader, its actual size checked first
    (:func:`actual_size`). For members the caller keeps in memory (a shapefile's parts)."""
    actual_size(archive, info)
    try:
        with archive.open(info) as member:
            counted = _Counted(member, info)
            parts = []
            while chunk := counted.read(_CHUNK):
                parts.append(chunk)
            return b"".join(parts)
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError, NotImplementedError, EOFError, zlib.error) as exc:
        raise _damaged(info, exc) from None


def actual_size(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> int:
    """Inflate a member's compressed bytes, as stored, and drop them: the size it really unpacks
    to, which must be the declared one (with the right checksum). Memory stays at one chunk;
    nothing past the declared size is inflated. Members stored or deflated (every Office file
    and nearly every zip) are read from the raw bytes, others through zipfile."""
    fp = archive.fp
    if fp is None or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return _through_zipfile(archive, info)
    try:
        fp.seek(info.header_offset)
        fields = _LOCAL_HEADER.unpack(fp.read(_LOCAL_HEADER.size))
    except (OSError, struct.error) as exc:
        raise _damaged(info, exc) from None
    if fields[0] != b"PK\x03\x04":
        raise _damaged(info, "no local header")
    fp.seek(info.header_offset + _LOCAL_HEADER.size + fields[9] + fields[10])
    inflate = zlib.decompressobj(-zlib.MAX_WBITS) if info.compress_type == zipfile.ZIP_DEFLATED else None
    left, count, crc = info.compress_size, 0, 0
    try:
        while left > 0 and not (inflate and inflate.eof):
            data = fp.read(min(left, _CHUNK))
            if not data:
                raise _damaged(info, "truncated")
            left -= len(data)
            while data:
                # At most one byte past the declared size is ever inflated: enough to see the lie.
                out = inflate.decompress(data, info.file_size - count + 1) if inflate else data
                data = inflate.unconsumed_tail if inflate else b""
                count += len(out)
                if count > info.file_size:
                    raise _lying(info)
                crc = zlib.crc32(out, crc)
                if inflate and not out and data:
                    break  # no progress: a broken stream
    except zlib.error as exc:
        raise _damaged(info, exc) from None
    if count != info.file_size or crc != info.CRC:
        raise _damaged(info, "size or checksum differs from the header")
    return count


def _through_zipfile(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> int:
    try:
        with archive.open(info) as member:
            counted = _Counted(member, info)
            while counted.read(_CHUNK):
                pass
            return counted.count
    except UnsafeArchive:
        raise
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError, NotImplementedError, EOFError, zlib.error) as exc:
        raise _damaged(info, exc) from None


def verify(archive: zipfile.ZipFile, keep: Callable[[zipfile.ZipInfo], bool] | None = None) -> None:
    """Every member (or those ``keep`` picks) inflated and dropped: each must unpack to exactly
    its declared size, with the right checksum. The time is that of unpacking the file once
    (what zipfile takes to read it, docs/performance.md "Uploads"), the memory one chunk."""
    for info in archive.infolist():
        if not info.is_dir() and (keep is None or keep(info)):
            actual_size(archive, info)


def member_name(info: zipfile.ZipInfo) -> str:
    """A member's base name (for messages)."""
    return posixpath.basename(info.filename.replace("\\", "/"))
