"""In chromium: the district admin adds a posyandu (the puskesmas offered follow the desa
chosen), corrects it and deletes it again, through the one edit view (core.editing) and the
shared delete confirmation (core/confirm_delete.html). Runs with ``-m browser`` (see tumbuh/core/tests/test_browser.py)."""

from __future__ import annotations

import pytest

from tumbuh.core.testing import browser_confirm_delete, browser_login
from tumbuh.core.tests.test_browser import demo  # noqa: F401  (the demo district, built per test)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_adds_corrects_and_deletes_a_posyandu(browser, live_server, demo):
    from playwright.sync_api import expect

    from tumbuh.audit.models import AuditLog
    from tumbuh.organisation.models import Posyandu, Puskesmas

    malili = Puskesmas.objects.get(desa="73.24.04.2001")
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="id-ID")
    page = context.new_page()
    browser_login(page, live_server, "admin.lutim")
    offered = page.locator("#id_puskesmas option:not([value=''])")

    # Choosing the desa offers the puskesmas that serve it, the only one chosen.
    page.goto(f"{live_server.url}/organisasi/posyandu/baru/")
    assert offered.count() > 2  # the district's puskesmas, until a desa is chosen
    page.fill("#id_name", "Posyandu Uji Peramban")
    page.select_option("#id_desa", "73.24.04.2001")
    expect(offered).to_have_text(["Puskesmas Malili"])
    expect(page.locator("#id_puskesmas")).to_have_value(str(malili.pk))
    with page.expect_navigation():
        page.click("button[type=submit].primary")
    assert page.url == f"{live_server.url}/organisasi/posyandu/"
    assert "Tersimpan." in page.locator("ul.messages").inner_text()
    posyandu = Posyandu.objects.get(name="Posyandu Uji Peramban")
    assert posyandu.puskesmas == malili

    # Moving it to Balantang (Puskesmas Lakawali's) offers Lakawali instead; back to Harapan, Malili again.
    page.goto(f"{live_server.url}/organisasi/posyandu/{posyandu.pk}/")
    expect(offered).to_have_text(["Puskesmas Malili"])
    page.select_option("#id_desa", "73.24.04.2010")
    expect(offered).to_have_text(["Puskesmas Lakawali"])
    page.select_option("#id_desa", "73.24.04.2001")
    expect(offered).to_have_text(["Puskesmas Malili"])
    page.fill("#id_name", "Posyandu Uji Diperbaiki")
    page.fill("#id_reason", "nama diperbaiki")
    with page.expect_navigation():
        page.click("button[type=submit].primary")
    posyandu.refresh_from_db()
    assert posyandu.name == "Posyandu Uji Diperbaiki" and posyandu.puskesmas == malili
    assert AuditLog.objects.filter(object_type="organisation.posyandu", object_id=str(posyandu.pk)).latest("id").reason == "nama diperbaiki"

    page.goto(f"{live_server.url}/organisasi/posyandu/{posyandu.pk}/")
    with page.expect_navigation():
        page.click("text=Hapus")
    assert page.locator("h1").inner_text() == "Hapus Posyandu Uji Diperbaiki — Desa Harapan?"
    browser_confirm_delete(page, "salah input")
    assert page.url == f"{live_server.url}/organisasi/posyandu/"
    assert not Posyandu.objects.filter(pk=posyandu.pk).exists()
    context.close()
