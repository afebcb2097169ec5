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
    return [f"{ws.title}!{cell.coordinate}" for ws in workbook.worksheets for row in ws.iter_rows() for cell in row
            if cell.data_type == "f"]
