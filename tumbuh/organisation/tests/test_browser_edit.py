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
    assert (
        AuditLog.objects.filter(object_type="organisation.posyandu", object_id=str(posyandu.pk)).latest("id").reason
        == "nama diperbaiki"
    )

    page.goto(f"{live_server.url}/organisasi/posyandu/{posyandu.pk}/")
    with page.expect_navigation():
        page.click("text=Hapus")
    assert page.locator("h1").inner_text() == "Hapus Posyandu Uji Diperbaiki — Desa Harapan?"
    browser_confirm_delete(page, "salah input")
    assert page.url == f"{live_server.url}/organisasi/posyandu/"
    assert not Posyandu.objects.filter(pk=posyandu.pk).exists()
    context.close()


def test_a_puskesmas_officer_sets_a_posyandu_location_from_the_phone(browser, live_server, demo):
    """On a phone at the posyandu: "Gunakan lokasi saya", with its consent text, asks the browser
    for the position once and fills the two fields with the decimal comma; saving stores it."""
    from decimal import Decimal

    from tumbuh.accounts.models import User
    from tumbuh.organisation.models import Posyandu

    officer = User.objects.get(username="pkm.malili")
    posyandu = Posyandu.objects.filter(puskesmas_id=officer.puskesmas_id).order_by("pk").first()
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        locale="id-ID",
        is_mobile=True,
        has_touch=True,
        geolocation={"latitude": -2.574812, "longitude": 121.041377, "accuracy": 12},
        permissions=["geolocation"],
    )
    page = context.new_page()
    served = []
    page.on("request", lambda r: served.append(r.url))
    browser_login(page, live_server, "pkm.malili")
    page.goto(f"{live_server.url}/organisasi/posyandu/{posyandu.pk}/")
    button = page.locator("[data-testid=use-my-location]")
    assert button.is_visible() and button.inner_text() == "Gunakan lokasi saya"
    assert "Ponsel akan menanyakan" in page.locator("[data-geolocate]").inner_text()
    assert page.input_value("#id_latitude") == ""  # nothing is read before the button is pressed
    button.tap()
    page.wait_for_selector("[data-geolocate][data-filled='1']")
    assert page.input_value("#id_latitude") == "-2,574812" and page.input_value("#id_longitude") == "121,041377"
    assert "12 m" in page.locator("[data-testid=location-status]").inner_text()
    with page.expect_navigation():
        page.click("button[type=submit].primary")
    posyandu.refresh_from_db()
    assert (posyandu.latitude, posyandu.longitude) == (Decimal("-2.574812"), Decimal("121.041377"))
    assert served and all(u.startswith(live_server.url) for u in served)  # the script is the project's own
    context.close()
