"""In chromium: a batch with many rejected rows of a wide file. The rejected rows stay inside
the page: the table scrolls in its own box, whose scroll bar is on screen (not 60 rows below)
and whose header stays in view. Runs with ``-m browser``."""

from __future__ import annotations

import pytest

from tumbuh.core.testing import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db, settings):
    from tumbuh.demo.generator import build_demo

    settings.DEMO_MODE = True
    build_demo(children=0, kecamatan=["73.24.04"])


def test_a_wide_table_of_rejected_rows_scrolls_inside_the_page(browser, live_server, demo):
    from tumbuh.accounts.models import User
    from tumbuh.imports.framework import run_import
    from tumbuh.imports.testing import csv_bytes
    from tumbuh.wilayah.models import Wilayah

    extra = [f"Keterangan Tambahan Nomor {i}" for i in range(24)]
    rows = [["Singkatan", "Nama OPD", "Jenis", *extra]]
    rows += [
        ["", f"Dinas Tanpa Singkatan {n}", "dinas", *(f"catatan-panjang-{n}-{i}" for i in range(24))] for n in range(60)
    ]
    batch = run_import(
        "opd",
        user=User.objects.get(username="admin.lutim"),
        kabupaten=Wilayah.objects.get(code="73.24"),
        source=csv_bytes(rows),
        file_name="opd-lebar.csv",
    )
    assert batch.rejected == 60

    for width in (1366, 390):
        context = browser.new_context(viewport={"width": width, "height": 800}, locale="id-ID")
        page = context.new_page()
        browser_login(page, live_server, "admin.lutim")
        page.goto(f"{live_server.url}/impor/{batch.pk}/")
        table = page.get_by_test_id("rejected-rows")
        table.scroll_into_view_if_needed()
        box = page.evaluate("""() => {
            const wrap = document.querySelector('[data-testid=rejected-rows]').parentElement;
            const r = wrap.getBoundingClientRect();
            return {page: document.documentElement.scrollWidth, view: window.innerWidth, height: r.height,
                    scrolls: wrap.scrollWidth > wrap.clientWidth, right: r.right, viewHeight: window.innerHeight};
        }""")
        assert box["page"] <= box["view"], box  # the page itself never scrolls sideways
        assert box["scrolls"] and box["right"] <= box["view"], box  # the table does, in its box
        assert box["height"] <= box["viewHeight"], box  # ... whose bottom edge, and scroll bar, fit on screen
        # Scrolled down inside the box, the header row is still visible.
        page.evaluate("document.querySelector('[data-testid=rejected-rows]').parentElement.scrollTop = 2000")
        header = page.evaluate("""() => {
            const wrap = document.querySelector('[data-testid=rejected-rows]').parentElement;
            const th = wrap.querySelector('thead th');
            return th.getBoundingClientRect().top - wrap.getBoundingClientRect().top;
        }""")
        assert abs(header) < 2, header
        context.close()
