"""Pantau Aksi and the action pages: the year's progress, the menu, the 4-action set added in
the UI without a release, and who may post what."""

import pytest

from tumbuh.aksi.models import ActionSet, ActionYear, CycleYear, Status
from tumbuh.core.navigation import menu

pytestmark = pytest.mark.django_db


def test_pantau_shows_the_demo_year(client, demo_users):
    client.force_login(demo_users["pantau.lutim"])
    html = client.get("/aksi/?year=2026").content.decode()
    assert "Analisis Situasi" in html and "Reviu Kinerja Tahunan" in html
    assert 'data-testid="aksi-table"' in html and "5/5" in html  # Aksi 1 done in the demo
    assert 'data-testid="start-form"' not in html
    assert 'data-testid="evidence-year"' in html and "Unduh bukti semua aksi (ZIP)" in html


def test_menu_leads_to_the_actions(client, alice):
    cycle = menu(alice)[0][1]  # the "Convergence cycle" section
    urls = [url for _label, url in cycle]
    assert "/aksi/" in urls  # Pantau Aksi; each action opens its own work page
    assert {"/analisis/", "/rencana/", "/rembuk/"} <= set(urls)
    client.force_login(alice)
    response = client.get("/aksi/ke/2/?year=2026")
    a2 = ActionYear.objects.get(cycle__kabupaten_id="73.24", cycle__year=2026, definition__number=2)
    assert response.status_code == 302 and response.url == f"/aksi/{a2.pk}/"
    assert client.get("/aksi/ke/2/?year=2040").url.startswith("/aksi/?year=2040")


def test_admin_adds_the_4_action_set_in_the_ui_and_opens_a_year_with_it(client, alice):
    client.force_login(alice)
    r = client.post(
        "/aksi/set/baru/", {"code": "aksi-4", "name": "4 Aksi Konvergensi", "from_year": 2027, "is_active": "on"}
    )
    four = ActionSet.objects.get(code="aksi-4", kabupaten_id="73.24")
    assert r.status_code == 302
    for n, name in enumerate(["Perencanaan", "Pelaksanaan", "Pemantauan", "Evaluasi"], start=1):
        client.post(
            f"/aksi/set/{four.pk}/aksi/baru/",
            {"number": n, "name": name, "due_month": n * 3, "checklist": "Dokumen A\nDokumen B"},
        )
    assert four.actions.count() == 4
    html = client.get("/aksi/?year=2033").content.decode()
    assert 'data-testid="start-form"' in html and "4 Aksi Konvergensi" in html
    client.post("/aksi/mulai/", {"year": 2033, "action_set": four.pk})
    cycle = CycleYear.objects.get(kabupaten_id="73.24", year=2033)
    assert cycle.action_set == four and cycle.actions.count() == 4
    assert "Evaluasi" in client.get("/aksi/?year=2033").content.decode()


def test_action_page_posts(client, demo_users):
    a7 = ActionYear.objects.get(cycle__kabupaten_id="73.24", cycle__year=2026, definition__number=7)
    client.force_login(demo_users["dinkes.lutim"])
    html = client.get(f"/aksi/{a7.pk}/").content.decode()
    assert 'data-testid="status-form"' in html and "Pengukuran Agustus" in html
    assert f'href="/aksi/{a7.pk}/paket-bukti/"' in html and "Unduh paket bukti (ZIP)" in html
    assert f'name="due_date" value="{a7.due_date.isoformat()}"' in html  # a date input the browser can read back
    items = list(a7.definition.items.values_list("pk", flat=True))  # the rounds and the publication: records prove them
    r = client.post(
        f"/aksi/{a7.pk}/", {"form": "checklist", "done": [str(i) for i in items], f"note-{items[0]}": "e-PPGBM"}
    )
    assert r.status_code == 302 and not a7.ticks.exists()  # so the form ticks none of them
    r = client.post(
        f"/aksi/{a7.pk}/",
        {
            "form": "status",
            "status": Status.DONE,
            "responsible_opd": a7.responsible_opd_id,
            "due_date": a7.due_date.isoformat(),
            "note": "",
            "start_date": "",
        },
    )
    a7.refresh_from_db()
    assert r.status_code == 302 and a7.status == Status.DONE


@pytest.mark.parametrize(
    "username, status",
    [
        ("admin.lutim", 200),
        ("dinkes.lutim", 200),
        ("camat.malili", 200),
        ("pkm.malili", 200),
        ("desa.balantang", 200),
        ("pantau.lutim", 200),
        ("admin.luwu", 404),
    ],
)
def test_every_role_reads_the_action_page_of_its_district_only(client, demo_users, username, status):
    a1 = ActionYear.objects.get(cycle__kabupaten_id="73.24", cycle__year=2026, definition__number=1)
    client.force_login(demo_users[username])
    assert client.get(f"/aksi/{a1.pk}/").status_code == status


@pytest.mark.parametrize(
    "username, status",
    [
        ("dinkes.lutim", 403),
        ("camat.malili", 403),
        ("pkm.malili", 403),
        ("desa.balantang", 403),
        ("pantau.lutim", 403),
        ("admin.luwu", 404),
    ],
)
def test_who_may_not_post_on_bappeda_s_action(client, demo_users, username, status):
    a1 = ActionYear.objects.get(cycle__kabupaten_id="73.24", cycle__year=2026, definition__number=1)
    client.force_login(demo_users[username])
    assert client.post(f"/aksi/{a1.pk}/", {"form": "status", "status": Status.NOT_STARTED}).status_code == status
    a1.refresh_from_db()
    assert a1.status == Status.DONE


def test_the_national_set_is_read_only_for_a_district_admin(client, alice):
    client.force_login(alice)
    default = ActionSet.default()
    html = client.get(f"/aksi/set/{default.pk}/").content.decode()
    assert 'data-testid="set-form"' not in html and "Rembuk Stunting" in html
    assert client.post(f"/aksi/set/{default.pk}/", {"code": "x", "name": "x"}).status_code == 403
    d1 = default.actions.get(number=1)
    assert client.get(f"/aksi/set/{default.pk}/aksi/{d1.pk}/").status_code == 403
