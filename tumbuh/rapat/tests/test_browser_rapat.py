"""In chromium: the secretariat creates a meeting, invites three people, checks them in at the
door (two by the quick search, one by their QR code on the scanner page), records a decision with
an action item for Desa Balantang, and the desa operator sees the item on their home page. Runs
with ``-m browser``."""

from __future__ import annotations

import base64

import pytest

from tumbuh.core.testing import browser_confirm_delete, browser_login
from tumbuh.core.tests.test_browser import demo  # noqa: F401  (the demo district, built per test)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


_DECODE = """async (src) => {
  const img = new Image();
  img.src = src;
  await img.decode();
  const canvas = document.createElement("canvas");
  canvas.width = img.width;
  canvas.height = img.height;
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#fff";  // the paper under the printed card
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(img, 0, 0);
  const data = ctx.getImageData(0, 0, img.width, img.height);
  const found = window.jsQR(data.data, data.width, data.height);
  return found ? found.data : null;
}"""


def test_meeting_check_in_decision_and_the_owners_home_page(browser, live_server, demo):
    from django.utils import timezone

    from tumbuh.rapat.models import ActionItem, Attendee, Rapat
    from tumbuh.tpps.models import Tpps
    from tumbuh.wilayah.models import Level, Wilayah

    today = timezone.localdate()  # the pages read the clock: a meeting held today is still open
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    page = context.new_page()
    browser_login(page, live_server, "admin.lutim")

    # Create the meeting: choosing the camat invites every camat of the district in the same step.
    page.goto(f"{live_server.url}/rapat/")
    page.click("[data-testid=rapat-add]")
    page.select_option("#id_tpps", str(Tpps.objects.get(wilayah_id="73.24").pk))
    page.fill("#id_title", "Rapat Koordinasi TPPS Desember 2026")
    page.fill("#id_date", today.isoformat())
    page.fill("#id_start_time", "09:00")
    page.fill("#id_place", "Aula Bappeda, Malili")
    page.fill("#id_chair", "Hj. Puspawati Husler")
    page.fill("#id_agenda", "Tindak lanjut rapat Agustus\nRencana 2027")
    page.check("input[name=invited_groups][value=camat]")
    with page.expect_navigation():
        page.click("[data-testid=rapat-form] button[type=submit]")
    rapat = Rapat.objects.get(title="Rapat Koordinasi TPPS Desember 2026")
    assert page.url.endswith(f"/rapat/{rapat.pk}/")
    camat = Wilayah.objects.filter(level=Level.KECAMATAN, kabupaten_code="73.24").count()
    assert f"{camat} diundang" in page.locator("[data-testid=attendance-counts]").inner_text()
    assert Attendee.objects.filter(rapat=rapat, group="camat").count() == camat
    # It opens with the open items of the demo's earlier meetings.
    carried = page.locator("[data-testid=carry-over]").inner_text()
    assert "Kelas ibu balita bulanan di Desa Balantang" in carried and "terlambat" in carried

    # Invite three people.
    page.goto(f"{live_server.url}/rapat/{rapat.pk}/peserta/")
    for name, group, org in [
        ("Andi Baso", "kepala_desa", "Desa Balantang"),
        ("Sitti Hasnah", "puskesmas", "Puskesmas Malili"),
        ("Muh. Arief", "opd", "Dinas PUPR"),
    ]:
        page.locator("[data-testid=participant-form]").evaluate("f => f.closest('details').open = true")
        page.fill("[data-testid=participant-form] #id_name", name)
        page.select_option("[data-testid=participant-form] #id_group", group)
        page.fill("[data-testid=participant-form] #id_organisation", org)
        with page.expect_navigation():
            page.click("[data-testid=participant-form] button[type=submit]")
    assert page.locator("[data-testid=participants] tbody tr").count() == camat + 3

    # Check in two by the quick search (htmx), the counts follow without a reload.
    page.goto(f"{live_server.url}/rapat/{rapat.pk}/hadir/")
    page.evaluate(
        "() => document.body.addEventListener('htmx:afterSettle', e => {"
        " if (e.target.id === 'check-in-results') window.searchSettled = true; })"
    )
    for words, name, expected in (
        ("andi", "Andi Baso", "1 peserta"),
        ("puskesmas malili", "Sitti Hasnah", "2 peserta"),
    ):
        page.evaluate("() => { window.searchSettled = false; }")
        page.fill("[data-testid=check-in-search]", words)
        page.wait_for_function(
            "() => window.searchSettled === true"
        )  # htmx has swapped in the results and wired their buttons
        row = page.locator("[data-testid=participant-row]", has_text=name)
        assert page.locator("[data-testid=participant-row]").count() == 1
        row.locator("[data-testid=check-in-button]").click()
        page.wait_for_function(
            f"() => document.querySelector('[data-testid=attendance-summary]').innerText.startsWith('{expected}')"
        )

    # The third by the QR code on the scanner page. Headless chromium has no camera, so the page's
    # own jsQR (served by Tumbuh) reads the QR image of the printed invitation card, and the
    # decoded text goes into the scanner's typed-code fallback.
    arief = Attendee.objects.get(rapat=rapat, name="Muh. Arief")
    page.goto(f"{live_server.url}/rapat/{rapat.pk}/kartu-qr/")
    svg = page.locator("[data-testid=qr-card]", has_text="Muh. Arief").locator("svg").evaluate("e => e.outerHTML")
    page.goto(f"{live_server.url}/rapat/{rapat.pk}/pindai/")
    page.wait_for_function("() => typeof window.jsQR === 'function'")
    decoded = page.evaluate(_DECODE, "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode())
    assert decoded == arief.qr_payload
    page.fill("[data-testid=code-form] input[name=code]", decoded)
    page.click("[data-testid=code-form] button[type=submit]")
    page.locator("[data-testid=scan-result][data-result=ok]").wait_for()
    assert "Muh. Arief" in page.locator("[data-testid=scan-result]").inner_text()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=attendance-summary]').innerText.startsWith('3 peserta')"
    )
    summary = page.locator("[data-testid=attendance-summary]").inner_text()
    assert "OPD 1" in summary and "Puskesmas 1" in summary and "Kepala desa 1" in summary

    # Record a decision with an action item for Desa Balantang.
    page.goto(f"{live_server.url}/rapat/{rapat.pk}/")
    page.fill("[data-testid=decision-form] #id_text", "Desa menyiapkan rumah desa sehat.")
    page.fill("[data-testid=decision-form] #id_action", "Bentuk Rumah Desa Sehat di Balantang")
    page.select_option("[data-testid=decision-form] #id_owner", "w:73.24.04.2010")
    page.fill("[data-testid=decision-form] #id_due_date", "2027-01-31")
    with page.expect_navigation():
        page.click("[data-testid=decision-form] button[type=submit]")
    assert "Desa menyiapkan rumah desa sehat." in page.locator("[data-testid=decisions]").inner_text()
    assert "Bentuk Rumah Desa Sehat di Balantang" in page.locator("[data-testid=action-items]").inner_text()
    item = ActionItem.objects.get(rapat=rapat)
    assert item.owner_wilayah_id == "73.24.04.2010" and item.decision.number == 1
    context.close()

    # The owner sees it on their home page.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    page = context.new_page()
    browser_login(page, live_server, "desa.balantang")
    mine = page.locator("[data-testid=my-action-items]")
    assert "Tindak lanjut saya yang masih terbuka" in mine.inner_text()
    assert "Bentuk Rumah Desa Sehat di Balantang" in mine.inner_text()
    with page.expect_navigation():
        mine.locator("a", has_text="Bentuk Rumah Desa Sehat").click()
    assert page.locator("[data-testid=item-owner]").inner_text() == "Desa Balantang"
    context.close()


def test_remove_an_invitee_with_a_reason_but_not_one_who_came(browser, live_server, demo):
    from django.utils import timezone

    from tumbuh.accounts import policy
    from tumbuh.audit.models import AuditLog
    from tumbuh.rapat import actions
    from tumbuh.rapat.models import Attendee, Group, Rapat
    from tumbuh.tpps.models import Tpps

    today = timezone.localdate()  # held today: its list may still change
    rapat = actions.do_save_rapat(
        policy.SYSTEM,
        Rapat(
            tpps=Tpps.objects.get(wilayah_id="73.24.04"),
            title="Rapat TPPS Malili Maret",
            date=today,
            place="Kantor Camat Malili",
            chair="Camat",
            agenda="Evaluasi",
        ),
        today=today,
    )
    came, twice, _other = (
        actions.do_add_participant(policy.SYSTEM, Attendee(rapat=rapat, name=name, group=Group.LAIN), today=today)
        for name in ("Ibu Hadir", "Bapak Dobel", "Ibu Lain")
    )
    actions.do_check_in(policy.SYSTEM, came, at=timezone.now())
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    page = context.new_page()
    browser_login(page, live_server, "camat.malili")
    page.goto(f"{live_server.url}/rapat/{rapat.pk}/peserta/")
    assert "3 diundang" in page.locator("[data-testid=attendance-counts]").inner_text()

    page.locator("[data-testid=participants] a", has_text="Bapak Dobel").click()
    page.locator("[data-testid=participant-delete]").click()
    browser_confirm_delete(page, "Tercatat dua kali")
    assert page.url.endswith(f"/rapat/{rapat.pk}/peserta/")
    assert "Bapak Dobel dihapus dari daftar" in page.locator(".messages").inner_text()
    assert "2 diundang" in page.locator("[data-testid=attendance-counts]").inner_text()
    assert "Bapak Dobel" not in page.locator("[data-testid=participants]").inner_text()
    assert (
        AuditLog.objects.get(object_type="rapat.attendee", object_id=str(twice.pk), action="delete").reason
        == "Tercatat dua kali"
    )

    # Someone who checked in: the page explains why not, and offers no delete button.
    page.locator("[data-testid=participants] a", has_text="Ibu Hadir").click()
    page.locator("[data-testid=participant-delete]").click()
    assert "Batalkan registrasi kehadirannya" in page.locator("[data-testid=refusal]").inner_text()
    assert page.locator("[data-testid=confirm-delete]").count() == 0
    assert Attendee.objects.filter(rapat=rapat).count() == 2
    context.close()
