"""The posyandu without signal, the whole trip of issue 16, in a real browser (Debian's chromium,
Playwright, a live server), on a phone-sized screen:

1. a cadre (the desa operator of Balantang) logs in, opens the offline page, goes offline
   (``context.set_offline(True)``);
2. reloads: the page still works, and so does ``/anak/kunjungan/`` (the service worker);
3. enters three visits and registers one new child;
4. sees the status computed on the phone: the same z-scores, Permenkes words and checks as the
   Python engine and the online form;
5. goes online: everything is sent exactly once (a lost answer sent again changes nothing),
   appears on the child pages with the server's z-scores, audited as the cadre's;
6. a visit the server already held for the same child and date, with other values, comes back
   as a conflict, shown with the server's values, and is resolved by a choice (audited).

And: logging out warns while entries wait, then clears the phone; an expired package is deleted
from the phone while the entries not yet sent are kept."""

from __future__ import annotations

import datetime as dt
import os
import re
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from tumbuh.core.testing import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("TUMBUH_SCREENSHOT_DIR", "/tmp")
ENTRY = "/anak/kunjungan/luring/"
RECORDS = "[data-testid=record]"


@pytest.fixture
def trip(transactional_db, settings):
    """The demo's organisation and accounts, and three children of Desa Balantang, each with
    one earlier visit (the package carries it: the phone checks the change since)."""
    from tumbuh.accounts.models import User
    from tumbuh.demo.generator import build_demo
    from tumbuh.measurements.tests.posyandu_fixtures import BALANTANG, record, register

    settings.DEMO_MODE = True
    build_demo()
    admin = User.objects.get(username="admin.lutim")
    today = timezone.localdate()
    kids = {}
    for key, name, sex, days, parent, (weight, lenhei, position) in (
        ("ani", "Ani Luring Satu", 2, 400, "Ibu Satu", ("8,6", "73,0", "l")),
        ("budi", "Budi Luring Dua", 1, 800, "Ibu Dua", ("11,0", "84,5", "h")),
        ("cici", "Cici Luring Tiga", 2, 1000, "Ibu Tiga", ("12,6", "90,0", "h")),
    ):
        birth = today - dt.timedelta(days=days)
        # Cici has a NIK (a girl's: day + 40), found on the phone by its hash's first digits.
        nik = f"732404{birth.day + 40:02d}{birth:%m%y}0007" if key == "cici" else ""
        child = register(admin, BALANTANG, name, sex=sex, birth=birth, nik=nik, parent=parent, today=today)
        record(
            admin,
            child,
            today - dt.timedelta(days=60),
            weight.replace(",", "."),
            lenhei.replace(",", "."),
            position,
            today=today,
        )
        kids[key] = child
    return {"today": today, "admin": admin, "bob": User.objects.get(username="desa.balantang"), **kids}


def _phone(browser):
    return browser.new_context(
        viewport={"width": 390, "height": 844}, locale="id-ID", timezone_id="Asia/Makassar", service_workers="allow"
    )


def _ready(page):
    # documentElement is null for a moment while the page navigates (seen on a loaded machine)
    page.wait_for_function("() => document.documentElement?.getAttribute('data-luring-ready') === '1'")


def _package_arrived(page):
    """The desa operator's package (their desa, asked for when the page opens)."""
    page.wait_for_function(
        "() => /^Balantang: \\d+ anak/.test(document.querySelector('[data-testid=package-info]').innerText)"
    )


def _open(page, live_server):
    page.goto(f"{live_server.url}{ENTRY}")
    _ready(page)


def _records(page) -> list[dict]:
    return page.eval_on_selector_all(
        RECORDS,
        "items => items.map(li => ({state: li.dataset.state, kind: li.dataset.kind, uuid: li.dataset.uuid, "
        "text: li.innerText}))",
    )


def _expected(child, today, weight, lenhei, position, muac=None, headc=None, oedema=False):
    """What the online form shows for these values: z (2 decimals, Indonesian), the words, the checks."""
    from tumbuh.growth.classify import LABELS
    from tumbuh.measurements.actions import check_measurement
    from tumbuh.measurements.models import Measurement

    m = Measurement(
        child=child,
        date=today,
        weight=Decimal(weight.replace(",", ".")),
        lenhei=Decimal(lenhei.replace(",", ".")),
        position=position,
        muac=None if muac is None else Decimal(muac.replace(",", ".")),
        headc=None if headc is None else Decimal(headc.replace(",", ".")),
        oedema=oedema,
    )
    from tumbuh.measurements.templatetags.measurements import zscore

    with translation.override("id"):
        problems = check_measurement(m, today=today)
        check = translation.gettext("Check:")
        # The online confirmation's own filter ("—" for a z-score the engine leaves out).
        z = {"z-tbu": zscore(m.zlen), "z-bbtb": zscore(m.zwfl), "z-bbu": zscore(m.zwei)}
    # As the online form's confirmation lists them: the errors, then the warnings.
    shown = [p.message for p in problems if p.severity == "error"]
    shown += [f"{check} {p.message}" for p in problems if p.severity != "error"]
    return {
        **z,
        "status-tbu": LABELS["tbu"][m.status_tbu][0],
        "status-bbtb": LABELS["bbtb"][m.status_bbtb][0],
        "status-bbu": LABELS["bbu"][m.status_bbu][0],
        "problems": shown,
    }


def _shown(page) -> dict:
    out = {
        key: page.locator(f"[data-testid={key}]").inner_text().strip()
        for key in ("z-tbu", "z-bbtb", "z-bbu", "status-tbu", "status-bbtb", "status-bbu")
    }
    out["problems"] = [t.strip() for t in page.locator("[data-testid=problems] li").all_inner_texts()]
    return out


def _find(page, text, name):
    page.fill("[data-testid=luring-search]", text)
    page.locator("[data-testid=luring-result]", has_text=name).click()
    page.wait_for_selector("[data-testid=luring-visit-form]", state="visible")


def _enter(page, weight, lenhei):
    page.fill("#luring-visit-weight", weight)
    page.fill("#luring-visit-lenhei", lenhei)


def _save(page):
    page.click("[data-testid=visit-save]")
    page.wait_for_selector("[data-testid=luring-search]", state="visible")


def test_a_cadre_enters_visits_without_signal_and_each_reaches_the_server_once(browser, live_server, trip):
    from tumbuh.audit.models import AuditAction, AuditLog
    from tumbuh.core.numbers import format_number
    from tumbuh.measurements.models import Child, Measurement
    from tumbuh.measurements.tests.posyandu_fixtures import record
    from tumbuh.offline.models import OfflineRecord

    today, bob = trip["today"], trip["bob"]
    context = _phone(browser)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    browser_login(page, live_server, "desa.balantang")

    # 1. The offline page, from the posyandu form's link; the package of Balantang comes at once.
    page.goto(f"{live_server.url}/anak/kunjungan/")
    page.click("[data-testid=offline-mode]")
    _ready(page)
    _package_arrived(page)
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")

    context.set_offline(True)
    # 2. Reloaded without signal: the cached page, the children from IndexedDB.
    page.reload()
    _ready(page)
    assert "Tanpa sinyal" in page.locator("[data-testid=luring-status]").inner_text()
    assert re.match(r"Balantang: \d+ anak", page.locator("[data-testid=package-info]").inner_text())
    page.goto(f"{live_server.url}/anak/kunjungan/")  # the posyandu form's address leads to it too
    _ready(page)
    assert page.locator("[data-testid=luring]").is_visible()

    # 3 and 4. A visit of Ani: a typing error is refused with the online form's words, then the
    # status appears as it is typed, the same as the server's engine and the online form.
    _find(page, "ibu satu", "Ani Luring Satu")  # by the mother's name
    assert page.locator("#luring-visit-position-l").is_checked()  # 13 months: lying
    _enter(page, "95", "75,5")
    expected = _expected(trip["ani"], today, "95", "75,5", "l")
    assert any(p.startswith("Berat") or "kg" in p for p in expected["problems"]), expected  # refused online too
    assert _shown(page)["problems"] == expected["problems"]
    assert page.locator("[data-testid=visit-save]").is_disabled()
    _enter(page, "9,1", "75,5")
    shown_ani = _shown(page)
    assert shown_ani == _expected(trip["ani"], today, "9,1", "75,5", "l")
    _save(page)

    _find(page, "budi", "Budi Luring Dua")
    assert page.locator("#luring-visit-position-h").is_checked()  # 26 months: standing
    _enter(page, "11,6", "86,2")
    # LiLA, head circumference and oedema too: oedema leaves the weight-based z-scores out and
    # puts those statuses in their most severe words, on the phone as on the server.
    page.fill("#luring-visit-muac", "14,5")
    page.fill("#luring-visit-headc", "48,0")
    page.check("#luring-visit-oedema")
    assert _shown(page) == _expected(trip["budi"], today, "11,6", "86,2", "h", "14,5", "48,0", oedema=True)
    _save(page)

    _find(page, trip["cici"].nik, "Cici Luring Tiga")  # by her NIK, which the phone does not hold
    _enter(page, "13,2", "92,0")
    assert _shown(page) == _expected(trip["cici"], today, "13,2", "92,0", "h")
    _save(page)

    # A new child, registered on the phone, then weighed.
    page.click("[data-testid=luring-register]")
    page.fill("#luring-child-name", "Dewi Anak Baru")
    page.check("#luring-child-sex-2")
    page.fill("#luring-child-birth", (today - dt.timedelta(days=200)).isoformat())
    page.fill("#luring-child-parent", "Ibu Baru")
    page.click("[data-testid=child-save]")
    page.wait_for_selector("[data-testid=luring-visit-form]", state="visible")
    assert page.locator("[data-testid=visit-child]").inner_text() == "Dewi Anak Baru"
    page.fill("#luring-visit-weight", "7,4")
    page.fill("#luring-visit-lenhei", "66,0")
    assert page.locator("[data-testid=status-tbu]").inner_text() != "—"
    _save(page)

    # What waits, in the cadre's words; still there after a reload without signal.
    page.reload()
    _ready(page)
    records = _records(page)
    assert sorted(r["kind"] for r in records) == ["child", "visit", "visit", "visit", "visit"]
    assert {r["state"] for r in records} == {"waiting"}
    assert all("menunggu dikirim" in r["text"] for r in records)
    assert "Menunggu: 5" in page.locator("[data-testid=record-counts]").inner_text()
    page.screenshot(path=f"{SCREENSHOTS}/tumbuh-offline-waiting.png", full_page=True)

    # Logging out now warns: the entries would be lost. Declined, nothing happens.
    dialogs: list[str] = []

    def decline(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", decline)
    page.get_by_role("button", name="Keluar").click()
    assert dialogs and "(5)" in dialogs[0] and "menghapusnya dari HP ini" in dialogs[0]
    assert page.url.endswith("/anak/kunjungan/") and len(_records(page)) == 5
    assert not Measurement.objects.filter(date=today).exists()  # nothing reached the server

    # 6 (first half). Meanwhile the puskesmas weighs Cici too, with other values.
    record(trip["admin"], trip["cici"], today, "13.9", "91.0", "h", today=today)

    # 5. Signal again: everything is sent.
    context.set_offline(False)
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=record][data-state=sent]').length === 4"
        " && document.querySelectorAll('[data-testid=record][data-state=attention]').length === 1"
    )
    assert Child.objects.filter(name="Dewi Anak Baru").count() == 1
    dewi = Child.objects.get(name="Dewi Anak Baru")
    assert dewi.desa_id == "73.24.04.2010" and dewi.parent_name == "Ibu Baru"
    sent = {
        "ani": Measurement.objects.get(child=trip["ani"], date=today),
        "budi": Measurement.objects.get(child=trip["budi"], date=today),
        "dewi": Measurement.objects.get(child=dewi, date=today),
    }
    assert sent["ani"].weight == Decimal("9.10") and sent["dewi"].lenhei == Decimal("66.0")
    budi = sent["budi"]
    assert (budi.muac, budi.headc, budi.oedema) == (Decimal("14.5"), Decimal("48.0"), True)
    assert budi.zwei is None and budi.zhc is not None and budi.zac is not None
    for m in [*sent.values()]:
        assert m.entered_by == bob
        created = AuditLog.objects.get(
            object_type="measurements.measurement", object_id=str(m.pk), action=AuditAction.CREATE
        )
        assert created.actor == bob
    assert (
        AuditLog.objects.get(object_type="measurements.child", object_id=str(dewi.pk), action=AuditAction.CREATE).actor
        == bob
    )
    # The server scored with its own engine: the phone showed the same (no record counts a
    # mismatch between the phone's rounded z-scores, flags and statuses and the server's).
    assert format_number(sent["ani"].zlen, 2, "id", grouping=False) == shown_ani["z-tbu"]
    assert OfflineRecord.objects.filter(kind="visit").count() == 4
    assert not OfflineRecord.objects.filter(has_mismatch=True).exists()

    # A lost answer: the phone sends a record again (same UUID and revision). Nothing doubles.
    ani_uuid = next(r["uuid"] for r in _records(page) if "Ani Luring Satu" in r["text"])
    page.evaluate(
        """async (id) => {
          const store = idbKeyval.createStore("tumbuh-luring", "data");
          const rec = await idbKeyval.get("rec:" + id, store);
          rec.state = "waiting";
          await idbKeyval.set("rec:" + id, rec, store);
        }""",
        ani_uuid,
    )
    _open(page, live_server)  # sent again as the page opens
    page.wait_for_function("() => document.querySelectorAll('[data-testid=record][data-state=sent]').length === 4")
    assert Measurement.objects.filter(child=trip["ani"], date=today).count() == 1
    assert Measurement.objects.filter(child=dewi).count() == 1
    assert Child.objects.filter(name="Dewi Anak Baru").count() == 1
    assert Measurement.objects.filter(date=today).count() == 4  # Ani, Budi, Dewi, and Cici's from the puskesmas

    # On the child pages, with the server's z-scores.
    for key, child in (("ani", trip["ani"]), ("dewi", dewi)):
        m = sent[key]
        page.goto(f"{live_server.url}/anak/{child.tumbuh_id}/")
        first = page.locator("[data-testid=visits] tbody tr").first
        assert today.strftime("%d/%m/%Y") in first.inner_text()
        assert format_number(m.zlen, 2, "id", grouping=False) in first.inner_text()
        assert format_number(m.zwfl, 2, "id", grouping=False) in first.inner_text()

    # 6. Cici's visit needs attention: the server's values are shown, and a choice settles it.
    _open(page, live_server)
    conflict = page.locator(f"{RECORDS}[data-state=attention]")
    assert "Cici Luring Tiga" in conflict.inner_text()
    assert conflict.locator("[data-testid=record-reason]").inner_text().strip()
    assert "13,9" in conflict.locator("[data-testid=conflict-server]").inner_text()
    page.screenshot(path=f"{SCREENSHOTS}/tumbuh-offline-conflict.png", full_page=True)
    conflict.locator("[data-testid=choice-reason]").fill("Ditimbang ulang dengan timbangan kader")
    conflict.locator("[data-testid=choice-use_phone]").click()
    page.wait_for_function("() => document.querySelectorAll('[data-testid=record][data-state=sent]').length === 5")
    cici = Measurement.objects.get(child=trip["cici"], date=today)
    assert cici.weight == Decimal("13.20") and cici.lenhei == Decimal("92.0")
    assert AuditLog.objects.filter(actor=bob, reason__contains="Ditimbang ulang dengan timbangan kader").exists()
    assert Measurement.objects.filter(child=trip["cici"], date=today).count() == 1

    # Logging out with nothing waiting: no question, and the phone is cleared.
    page.get_by_role("button", name="Keluar").click()
    page.wait_for_url(f"{live_server.url}/masuk/")
    left = page.evaluate(
        "async () => ({dbs: (await indexedDB.databases()).map(d => d.name),"
        " workers: (await navigator.serviceWorker.getRegistrations()).length,"
        " caches: (await caches.keys()).filter(k => k.startsWith('tumbuh-luring'))})"
    )
    assert left == {"dbs": [], "workers": 0, "caches": []}, left
    assert not errors, errors
    context.close()


def test_an_expired_package_is_deleted_from_the_phone_and_what_waits_is_kept(browser, live_server, trip):
    context = _phone(browser)
    page = context.new_page()
    browser_login(page, live_server, "desa.balantang")
    _open(page, live_server)
    _package_arrived(page)
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    context.set_offline(True)
    page.reload()
    _ready(page)
    _find(page, "budi", "Budi Luring Dua")
    _enter(page, "11,6", "86,2")
    _save(page)
    # A week without a successful sync: the package's expiry has passed.
    page.evaluate(
        """async () => {
          const store = idbKeyval.createStore("tumbuh-luring", "data");
          const pkg = await idbKeyval.get("package", store);
          pkg.data.expires_at = new Date(Date.now() - 60000).toISOString();
          await idbKeyval.set("package", pkg, store);
        }"""
    )
    page.reload()
    _ready(page)
    assert "kedaluwarsa" in page.locator("[data-testid=luring-message]").inner_text()
    left = page.evaluate(
        """async () => {
          const store = idbKeyval.createStore("tumbuh-luring", "data");
          return {pkg: await idbKeyval.get("package", store) || null,
                  recs: (await idbKeyval.keys(store)).filter(k => k.startsWith("rec:")).length};
        }"""
    )
    assert left == {"pkg": None, "recs": 1}
    assert [r["state"] for r in _records(page)] == ["waiting"]
    assert page.locator("[data-testid=luring-search]").is_disabled()
    context.close()
