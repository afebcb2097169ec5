"""The public page: publishing and withdrawing (audited, admin only), what anonymous visitors
see, suppression on the page and in the CSV, and no child-level data anywhere."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tumbuh.audit.models import AuditLog
from tumbuh.dashboards.aggregates import latest_period
from tumbuh.dashboards.periods import Period
from tumbuh.publik.data import compute_snapshot
from tumbuh.publik.models import PublishedRound

pytestmark = pytest.mark.django_db

MALILI = "73.24.04"


def _csv_rows(text: str) -> tuple[list[str], dict[str, dict]]:
    comments = [line for line in text.splitlines() if line.startswith("#")]
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    rows = {r["kode_wilayah"]: r for r in csv.DictReader(io.StringIO(body))}
    return comments, rows


def _row_html(body: str, code: str) -> str:
    match = re.search(rf'<tr data-code="{re.escape(code)}">(.*?)</tr>', body, re.S)
    assert match, code
    return match.group(1)


@pytest.fixture
def crafted(alice):
    """A published round with figures chosen to exercise suppression: in Malili, Laskap has 4
    children measured (hidden), Manurung 12 (the next smallest: hidden too)."""
    period = Period.round(2025, 8)
    snapshot = compute_snapshot("73.24", period)
    figures = {}
    desa = {"73.24.04.2001": (25, 5), "73.24.04.2002": (4, 3), "73.24.04.2004": (12, 3), "73.24.04.2005": (30, 6)}
    for indicator in ("stunting", "wasting", "underweight"):
        per = {code: [n, c, round(100 * c / n, 2), 1.0, 60.0] for code, (n, c) in desa.items()}
        per[MALILI] = [71, 17, round(100 * 17 / 71, 2), 15.0, 35.0]
        per["73.24.06"] = [200, 40, 20.0, 15.0, 26.0]
        per["73.24"] = [271, 57, 21.03, 17.0, 26.0]
        figures[indicator] = per
    snapshot["figures"] = figures
    return PublishedRound.objects.create(
        kabupaten_id="73.24",
        period=period.key,
        published_at=timezone.now(),
        by=alice,
        figures=snapshot,
        note="Data ronde Agustus",
    )


def test_suppression_holds_on_the_page(client, crafted):
    body = client.get(reverse("publik:round", args=["73.24", "R2025-08"])).content.decode()
    laskap = _row_html(body, "73.24.04.2002")
    assert laskap.count('data-suppressed="small"') == 3  # stunting, wasting, underweight
    assert "75,0" not in laskap and "75.0" not in laskap and ">4<" not in laskap
    manurung = _row_html(body, "73.24.04.2004")
    assert manurung.count('data-suppressed="complementary"') == 3
    assert "25,0" not in manurung and ">12<" not in manurung
    harapan = _row_html(body, "73.24.04.2001")
    assert "data-suppressed" not in harapan and "20,0 %" in harapan and ">25<" in harapan
    assert ">71<" in _row_html(body, MALILI)  # the kecamatan total stays: two hidden desa share the rest
    assert 'data-testid="method-note"' in body and "Permenkes 2/2020" in body and "WHO" in body


def test_suppression_holds_in_the_csv(client, crafted):
    response = client.get(reverse("publik:csv", args=["73.24", "R2025-08"]))
    assert response["Content-Type"].startswith("text/csv")
    comments, rows = _csv_rows(response.content.decode())
    assert any("Permenkes 2/2020" in c for c in comments) and any("WHO" in c for c in comments)
    for indicator in ("stunting", "wasting", "underweight"):
        for code in ("73.24.04.2002", "73.24.04.2004"):
            row = rows[code]
            assert (
                row[f"{indicator}_n_diukur"] == row[f"{indicator}_kasus"] == row[f"{indicator}_prevalensi_persen"] == ""
            )
            assert row[f"{indicator}_keterangan"]
        assert rows["73.24.04.2001"][f"{indicator}_n_diukur"] == "25"
        assert rows["73.24.04.2001"][f"{indicator}_prevalensi_persen"] == "20.0"
    # Subtracting the desa shown from the kecamatan leaves two desa, not one.
    shown = sum(int(r["stunting_n_diukur"] or 0) for c, r in rows.items() if c.startswith(MALILI + "."))
    assert int(rows[MALILI]["stunting_n_diukur"]) - shown == 4 + 12


def test_the_csv_carries_no_formula_from_the_note_or_an_area_name(client, crafted):
    crafted.note = 'Data ronde Agustus, =HYPERLINK("http://x.invalid","klik");@SUM(A1)'
    area = next(a for a in crafted.figures["areas"] if a["code"] == "73.24.04.2001")
    area["name"] = "=1+2"
    crafted.save()
    text = client.get(reverse("publik:csv", args=["73.24", "R2025-08"])).content.decode()
    comments, rows = _csv_rows(text)
    assert '# Data ronde Agustus, \'=HYPERLINK("http://x.invalid","klik");\'@SUM(A1)' in comments
    assert rows["73.24.04.2001"]["nama_wilayah"] == "'=1+2"
    assert rows["73.24.04.2001"]["stunting_n_diukur"] == "25"  # numbers untouched
    for delimiter in ",;":  # however a spreadsheet splits a line, no field starts a formula
        for line in csv.reader(io.StringIO(text), delimiter=delimiter):
            assert not any(field.strip(' "').startswith(("=", "+", "-", "@")) for field in line), line


def test_publishing_and_withdrawing_are_audited_and_decide_what_anonymous_visitors_see(client, alice):
    period = latest_period(user=alice)
    round_url = reverse("publik:round", args=["73.24", period.key])
    csv_url = reverse("publik:csv", args=["73.24", period.key])
    assert client.get(round_url).status_code == 404  # not published yet
    assert client.get(csv_url).status_code == 404

    client.force_login(alice)
    assert client.get(reverse("publik:manage")).status_code == 200
    assert client.get(reverse("publik:preview", args=[period.key])).status_code == 200
    response = client.post(reverse("publik:manage"), {"period": period.key, "note": "Hasil BPB"})
    assert response.status_code == 302
    published = PublishedRound.objects.get(kabupaten_id="73.24", period=period.key)
    assert published.by == alice and published.is_public and published.figures["figures"]["stunting"]
    assert AuditLog.objects.filter(
        object_type="publik.publishedround", object_id=str(published.pk), action="create"
    ).exists()

    client.logout()
    assert client.get(round_url).status_code == 200
    assert client.get(reverse("publik:district", args=["73.24"])).status_code == 200
    assert period.key in client.get(reverse("publik:index")).content.decode()
    assert client.get(reverse("publik:round", args=["73.24", period.previous().key])).status_code == 404
    assert client.get(reverse("publik:round", args=["73.17", period.key])).status_code == 404  # Luwu published nothing

    client.force_login(alice)
    client.post(reverse("publik:withdraw", args=[published.pk]), {"reason": "ada koreksi data"})
    published.refresh_from_db()
    assert published.withdrawn_at is not None and published.withdrawn_by == alice
    entry = AuditLog.objects.get(object_type="publik.publishedround", object_id=str(published.pk), action="update")
    assert entry.reason == "ada koreksi data"
    client.logout()
    assert client.get(round_url).status_code == 404
    assert client.get(csv_url).status_code == 404
    assert period.key not in client.get(reverse("publik:index")).content.decode()

    # Published again: a new row, the history kept.
    client.force_login(alice)
    client.post(reverse("publik:manage"), {"period": period.key})
    assert PublishedRound.objects.filter(period=period.key).count() == 2
    assert PublishedRound.objects.active().filter(period=period.key).count() == 1


def test_real_round_is_suppressed_consistently_and_shows_no_child(client, alice):
    from tumbuh.measurements.models import Child

    period = latest_period(user=alice)
    client.force_login(alice)
    client.post(reverse("publik:manage"), {"period": period.key})
    client.logout()
    page = client.get(reverse("publik:round", args=["73.24", period.key]))
    data = client.get(reverse("publik:csv", args=["73.24", period.key]))
    body, text = page.content.decode(), data.content.decode()
    comments, rows = _csv_rows(text)

    for indicator in ("stunting", "wasting", "underweight"):
        groups: dict[str, list[dict]] = {}
        for code, row in rows.items():
            n = row[f"{indicator}_n_diukur"]
            assert n == "" or int(n) == 0 or int(n) >= 10, f"{code} shows a small cell"
            if row["kode_induk"] in rows:
                groups.setdefault(row["kode_induk"], []).append(row)
        for parent, kids in groups.items():
            hidden = sum(1 for r in [rows[parent], *kids] if r[f"{indicator}_n_diukur"] == "")
            assert hidden != 1, f"{indicator}: {parent} lets one hidden area be worked out"
    malili_desa = [r for c, r in rows.items() if c.startswith(MALILI + ".")]
    assert any(r["stunting_n_diukur"] not in ("", "0") for r in malili_desa)  # the demo's children show up

    # No child-level data: no NIK, no name, no birth date, no child column.
    header = text.splitlines()[len(comments)].lower()
    for word in ("nik", "nama_anak", "tanggal_lahir", "tgl_lahir", "birth", "tumbuh_id", "nama_ortu"):
        assert word not in header
    children = Child.objects.filter(desa__kabupaten_code="73.24")
    assert children.exists()
    for child in children:
        if child.nik:
            assert child.nik not in body and child.nik not in text
        assert child.tumbuh_id not in body and child.tumbuh_id not in text
        if " " in child.name:
            assert child.name not in body and child.name not in text
        if child.parent_name and " " in child.parent_name:
            assert child.parent_name not in body and child.parent_name not in text
    stored = str(PublishedRound.objects.get(period=period.key).figures)
    assert not any(child.tumbuh_id in stored for child in children[:50])


def test_public_pages_are_cacheable_and_need_no_login(client, crafted):
    for url in [
        reverse("publik:index"),
        reverse("publik:district", args=["73.24"]),
        reverse("publik:round", args=["73.24", "R2025-08"]),
        reverse("publik:csv", args=["73.24", "R2025-08"]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]
        assert "Cookie" not in response.get("Vary", "") and not response.cookies


def test_login_page_links_to_public_data(client):
    body = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("publik:index")}"' in body


def test_only_the_district_admin_publishes(client, demo_users, crafted):
    for username in ["dinkes.lutim", "camat.malili", "pkm.malili", "desa.balantang", "pantau.lutim"]:
        client.force_login(demo_users[username])
        assert client.get(reverse("publik:manage")).status_code == 403, username
        assert client.post(reverse("publik:manage"), {"period": "R2025-02"}).status_code == 403, username
        assert client.post(reverse("publik:withdraw", args=[crafted.pk])).status_code in (403, 404), username
    client.force_login(demo_users["admin.luwu"])
    assert client.post(reverse("publik:withdraw", args=[crafted.pk])).status_code == 404
    crafted.refresh_from_db()
    assert crafted.is_public


def test_action_7_in_the_menu_opens_publishing_for_the_district_admin(client, alice, demo_users):
    client.force_login(alice)
    body = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("publik:manage")}"' in body and f'href="{reverse("maps:map")}"' in body
    client.force_login(demo_users["dinkes.lutim"])
    body = client.get(reverse("home")).content.decode()
    assert reverse("publik:manage") not in body and f'href="{reverse("maps:map")}"' in body
