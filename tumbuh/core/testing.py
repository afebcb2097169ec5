"""Helpers shared by tests (imported by test modules and ``tumbuh/conftest.py``)."""

from __future__ import annotations

import os

import pytest


def require_or_skip(condition: bool, why: str) -> None:
    """Skip a test that needs a system part (chromium, pango, poppler) when it is missing,
    except in CI, where ``TUMBUH_REQUIRE_BROWSER`` turns the skip into a failure."""
    if not condition:
        if os.environ.get("TUMBUH_REQUIRE_BROWSER"):
            pytest.fail(why)
        pytest.skip(why)


def browser_login(page, live_server, username: str) -> None:
    """Log a Playwright ``page`` in as demo account ``username`` (browser tests), with the
    password of the login shortcuts (the demo's)."""
    from .contracts import app_modules

    page.goto(f"{live_server.url}/masuk/")
    page.fill("#id_username", username)
    page.fill("#id_password", app_modules("login_shortcuts")[0].PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server.url}/")


def browser_confirm_delete(page, reason: str) -> None:
    """On the confirmation page (``core/confirm_delete.html``), give ``reason`` and delete (browser tests)."""
    page.fill("[data-testid=confirm-delete] input[name=reason]", reason)
    with page.expect_navigation():
        page.click("[data-testid=confirm-delete] button[type=submit]")


def formula_cells(data) -> list[str]:
    """The cells of an XLSX file (bytes or a binary file) that hold a formula, as ``Sheet!A1``:
    tests of formula injection assert there are none."""
    import io

    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data) if isinstance(data, bytes) else data)
    return [
        f"{ws.title}!{cell.coordinate}"
        for ws in workbook.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]


# ---------------------------------------------------------------- hostile zips (issue 15)


def zip_bomb(members: dict[str, bytes], name: str, size: int, *, prefix: bytes = b"", fill: bytes = b"0") -> bytes:
    """A real zip bomb: ``members`` as given, and a member ``name`` that unpacks to ``size``
    bytes (``prefix``, then ``fill`` repeated), deflated as bombs are (about 1,000 : 1).

    So that the test stays light, a megabyte of ``fill`` is deflated once, with a full flush
    (which makes the piece stand alone), and the piece repeated: 400 MB cost a fraction of a
    second. The member is written by zipfile as stored, then its headers say "deflated", with
    the sizes and checksum of what it unpacks to."""
    import io
    import struct
    import zipfile
    import zlib

    block = fill * ((1 << 20) // len(fill))
    squeeze = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    head = squeeze.compress(prefix) + squeeze.flush(zlib.Z_FULL_FLUSH)
    piece = squeeze.compress(block) + squeeze.flush(zlib.Z_FULL_FLUSH)
    count, rest = divmod(size - len(prefix), len(block))
    tail = squeeze.compress(block[:rest]) + squeeze.flush(zlib.Z_FINISH)
    crc = zlib.crc32(prefix)
    for _ in range(count):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(block[:rest], crc)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, content in members.items():
            archive.writestr(member, content)
        info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_STORED
        with archive.open(info, "w") as stream:
            stream.write(head)
            for _ in range(count):
                stream.write(piece)
            stream.write(tail)
    data = bytearray(out.getvalue())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        offset = archive.getinfo(name).header_offset
    struct.pack_into("<H", data, offset + 8, zipfile.ZIP_DEFLATED)
    struct.pack_into("<L", data, offset + 14, crc)
    struct.pack_into("<L", data, offset + 22, size)
    central = data.rfind(b"PK\x01\x02")  # the bomb's entry: written last
    struct.pack_into("<H", data, central + 10, zipfile.ZIP_DEFLATED)
    struct.pack_into("<L", data, central + 16, crc)
    struct.pack_into("<L", data, central + 24, size)
    return bytes(data)


def lying_zip(data: bytes, name: str, declared: int) -> bytes:
    """``data`` (a zip) with member ``name``'s unpacked size set to ``declared`` in both of its
    headers, as a forger would (the compressed data, and so what it really unpacks to, kept)."""
    import io
    import struct
    import zipfile

    out = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(name)
    struct.pack_into("<L", out, info.header_offset + 22, declared)  # local header: uncompressed size
    at = 0
    while (at := out.find(b"PK\x01\x02", at)) >= 0:
        length = struct.unpack_from("<H", out, at + 28)[0]
        if bytes(out[at + 46 : at + 46 + length]).decode("utf-8", "replace") == name:
            struct.pack_into("<L", out, at + 24, declared)  # central directory: uncompressed size
        at += 4
    return bytes(out)
