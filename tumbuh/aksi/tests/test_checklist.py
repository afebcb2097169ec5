"""Pantau Aksi sees its own evidence: a required output a record in Tumbuh proves ticks itself,
for the year and the reader's area on the day given, and links to the record ("Terbukti oleh");
only the outputs no record proves are ticked by hand. One test per family of records: the
rembuk (Aksi 3), the situation analysis and the plan (Aksi 1, 2), the village layer (Aksi 4,
5), the measured rounds and the publication (Aksi 6, 7), the review (Aksi 8), the TPPS decree
and the coordination meetings (for a district's own checklist)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tumbuh.accounts import policy
from tumbuh.aksi import actions, checklist
from tumbuh.aksi.default_set import PROOFS
from tumbuh.aksi.models import ActionDefinition, ActionSet, ActionYear, ChecklistTick, OutputItem
from tumbuh.aksi.outputs import collect_proofs, provable
from tumbuh.analisis.models import Lokus
from tumbuh.audit.actions import do_save
from tumbuh.documents.models import UploadedDocument
from tumbuh.konvergensi_desa.actions import do_save_checked
from tumbuh.konvergensi_desa.models import DesaRoleRegulation, Kpm, KpmTraining
from tumbuh.measurements.tests.posyandu_fixtures import BALANTANG, record, register
from tumbuh.publik.models import PublishedRound
from tumbuh.rembuk import actions as rembuk_actions
from tumbuh.rembuk.models import RembukEvent
from tumbuh.rembuk.tests.test_rembuk import scan
from tumbuh.rencana.testing import TEST_YEAR, make_activity
from tumbuh.reviu.actions import do_save_realisation
from tumbuh.reviu.models import Realisation
from tumbuh.wilayah.models import Wilayah

pytestmark = pytest.mark.django_db

DEMO_YEAR = (
    2026  # the demo's convergence year: Luwu Timur's actions, its rembuk (held 15 April 2026, attendance recorded)
)
SIGNED = datetime.datetime(2026, 4, 20, 8, tzinfo=datetime.UTC)


@pytest.fixture
def lutim():
    return Wilayah.objects.get(code="73.24")


def _aksi(number: int, year: int = DEMO_YEAR) -> ActionYear:
    return ActionYear.objects.get(cycle__kabupaten_id="73.24", cycle__year=year, definition__number=number)


def _open(alice, year: int):
    return actions.start_year(alice, "73.24", year, ActionSet.default(), reason="uji")


def _items(html: str) -> dict[str, str]:
    """Each required output on the action page: its label → the HTML of its line."""
    found = {}
    for line in re.findall(r'<li data-testid="checklist-item".*?</li>', html, re.S):
        label = re.sub(r"<[^>]+>", " ", line.split("·")[0])
        found[" ".join(label.replace("✓", " ").replace("○", " ").split())] = line
    return found


def _progress(html: str) -> str:
    """The count in the checklist's heading: "Keluaran wajib (2/3)"."""
    heading = re.search(r"<h2>Keluaran wajib \((.*?)\)</h2>", html).group(1)
    return re.sub(r"<[^>]+>", "", heading)


def _done(action_year, user, today) -> dict[str, list]:
    """Each required output → the titles of the records that prove it (for the automatic ones)."""
    return {
        line.item.label: [p.title for p in line.proofs]
        for line in checklist.lines(action_year, user, today=today)
        if line.automatic
    }


def _keys(lutim, year, user, today) -> dict[str, list]:
    return collect_proofs(lutim, year, user, today=today)


# ---------------------------------------------------------------- Aksi 3: the rembuk


def test_the_signed_berita_acara_ticks_aksi_3_itself_and_links_to_the_scan(client, alice, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    event = RembukEvent.objects.get(year=DEMO_YEAR, wilayah_id="73.24")
    a3 = _aksi(3)
    client.force_login(alice)
    html = client.get(f"/aksi/{a3.pk}/").content.decode()
    assert _progress(html) == "1/3"  # held, with who came recorded: the invitation and attendance list
    attendance = _items(html)["Undangan dan daftar hadir"]
    assert f'href="/rembuk/{event.pk}/dokumen/daftar-hadir.pdf" data-testid="proof-link"' in attendance

    rembuk_actions.do_upload_scan(
        alice,
        event,
        file=scan("ba.pdf"),
        kind=rembuk_actions.SCAN_BERITA_ACARA,
        title="Berita acara bertanda tangan",
        now=SIGNED,
    )
    document = UploadedDocument.for_object(event).get(kind=rembuk_actions.SCAN_BERITA_ACARA)
    html = client.get(f"/aksi/{a3.pk}/").content.decode()
    assert _progress(html) == "2/3"
    ba = _items(html)["Berita acara rembuk stunting"]
    assert "Terbukti oleh" in ba and f'href="/dokumen/berkas/{document.pk}/" data-testid="proof-link"' in ba
    assert "Berita acara bertanda tangan" in ba and 'type="checkbox"' not in ba  # no hand tick: the record decides
    commitment = _items(html)["Deklarasi komitmen ditandatangani"]
    assert 'data-testid="ticks-itself"' in commitment and "deklarasi komitmen bertanda tangan" in commitment
    assert 'name="done"' not in html  # every output of Aksi 3 is proved by a record
    row = re.search(r'<tr id="aksi-3">(.*?)</tr>', client.get(f"/aksi/?year={DEMO_YEAR}").content.decode(), re.S).group(
        1
    )
    assert "2/3" in row  # Pantau Aksi counts it too

    rembuk_actions.do_upload_scan(
        alice,
        event,
        file=scan("komitmen.pdf"),
        kind=rembuk_actions.SCAN_COMMITMENT,
        title="Komitmen bertanda tangan",
        now=SIGNED,
    )
    assert _progress(client.get(f"/aksi/{a3.pk}/").content.decode()) == "3/3"
    assert client.get(f"/dokumen/berkas/{document.pk}/").status_code == 200


def test_the_proof_wins_over_a_hand_tick_and_says_so(client, alice, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    event = RembukEvent.objects.get(year=DEMO_YEAR, wilayah_id="73.24")
    a3 = _aksi(3)
    attendance, commitment, ba = a3.definition.items.order_by("order")
    # Ticks set by hand before these outputs proved themselves (validation then allowed them).
    do_save(alice, ChecklistTick(action_year=a3, item=ba, done=True, by=alice), validate=False)
    do_save(alice, ChecklistTick(action_year=a3, item=attendance, done=False, by=alice), validate=False)
    client.force_login(alice)
    html = client.get(f"/aksi/{a3.pk}/").content.decode()
    assert _progress(html) == "1/3"  # the hand tick on the berita acara is not counted, the attendance is proved
    assert "tidak dihitung" in _items(html)["Berita acara rembuk stunting"]
    rembuk_actions.do_upload_scan(
        alice,
        event,
        file=scan("ba.pdf"),
        kind=rembuk_actions.SCAN_BERITA_ACARA,
        title="Berita acara bertanda tangan",
        now=SIGNED,
    )
    html = client.get(f"/aksi/{a3.pk}/").content.decode()
    assert _progress(html) == "2/3"
    line = _items(html)["Berita acara rembuk stunting"]
    assert "Terbukti oleh" in line and "menggantikan centang manual" in line
    # the form changes none of them, and the action refuses a new hand tick
    client.post(f"/aksi/{a3.pk}/", {"form": "checklist", "done": [str(commitment.pk)]})
    assert not ChecklistTick.objects.filter(action_year=a3, item=commitment).exists()
    with pytest.raises(ValidationError):
        actions.tick(alice, a3, commitment, done=True)
    assert _progress(client.get(f"/aksi/{a3.pk}/").content.decode()) == "2/3"


def test_rembuk_records_prove_only_the_district_s_held_rembuk(alice, demo_users, lutim, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    a3 = _open(alice, TEST_YEAR).actions.get(definition__number=3)
    held = datetime.date(TEST_YEAR, 4, 15)
    malili = rembuk_actions.do_save_event(
        demo_users["camat.malili"],
        RembukEvent(
            wilayah_id="73.24.04",
            year=TEST_YEAR,
            title="Rembuk Malili",
            date=held,
            place="Aula",
            signing_place="Malili",
        ),
        invite=True,
    )
    rembuk_actions.do_record_attendance(
        demo_users["camat.malili"], malili, malili.invitees.values_list("pk", flat=True)
    )
    rembuk_actions.do_upload_scan(
        demo_users["camat.malili"],
        malili,
        file=scan(),
        kind=rembuk_actions.SCAN_BERITA_ACARA,
        title="BA Malili",
        now=SIGNED,
    )
    assert all(not titles for titles in _done(a3, alice, datetime.date(TEST_YEAR, 5, 1)).values())  # a kecamatan's

    event = rembuk_actions.do_save_event(
        alice,
        RembukEvent(
            wilayah_id="73.24",
            year=TEST_YEAR,
            title="Rembuk Kabupaten",
            date=held,
            place="Aula",
            signing_place="Malili",
        ),
        invite=True,
    )
    bupati = event.invitees.order_by("pk").first()
    rembuk_actions.do_record_attendance(alice, event, [bupati.pk])
    assert _done(a3, alice, datetime.date(TEST_YEAR, 4, 14))["Undangan dan daftar hadir"] == []  # not held yet
    assert _done(a3, alice, held)["Undangan dan daftar hadir"] == ["Daftar hadir Rembuk Kabupaten"]
    rembuk_actions.do_upload_scan(
        alice, event, file=scan(), kind=rembuk_actions.SCAN_ATTENDANCE, title="Daftar hadir ttd", now=SIGNED
    )
    rembuk_actions.do_agree_plan(alice, event, note="v1")
    done = _done(a3, demo_users["pantau.lutim"], held)  # a viewer sees the same evidence
    assert done["Undangan dan daftar hadir"] == ["Daftar hadir ttd"]  # the signed list, once filed
    assert collect_proofs(lutim, TEST_YEAR, alice, today=held)["rembuk.plan-agreed"][0].url == f"/rembuk/{event.pk}/"
    assert _done(a3, demo_users["admin.luwu"], held) == {label: [] for label in done}  # another district sees nothing


# ---------------------------------------------------------------- Aksi 1 and 2: the analysis and the plan


def test_the_situation_lokus_plan_and_gap_check_prove_aksi_1_and_2(alice, lutim):
    day = datetime.date(DEMO_YEAR, 5, 1)
    found = _keys(lutim, DEMO_YEAR, alice, day)  # the demo: 2025's rounds and coverage, the 2026 lokus and plan
    assert (
        found["analisis.situation"][0].url == "/analisis/?year=2026"
        and "Putaran Agustus 2025" in found["analisis.situation"][0].note
    )
    assert found["analisis.lokus"][0].note == "10 desa lokus"
    assert {"rencana.activities", "rencana.gap-check"} <= set(found)

    cycle = _open(alice, TEST_YEAR)
    a1, a2 = cycle.actions.get(definition__number=1), cycle.actions.get(definition__number=2)
    today = datetime.date(TEST_YEAR, 3, 1)
    assert checklist.progress(checklist.lines(a1, alice, today=today)) == (0, 5)
    make_activity(alice, year=TEST_YEAR)
    assert _done(a2, alice, today) == {
        "Rencana kegiatan terintegrasi per OPD": ["Rencana kegiatan terintegrasi"],
        "Pemeriksaan kesenjangan terhadap desa lokus": [],
    }  # no lokus chosen yet
    do_save(
        alice,
        Lokus(kabupaten_id="73.24", year=TEST_YEAR, desa_id=BALANTANG, selected=True, reason="prevalensi tertinggi"),
    )
    assert all(_done(a2, alice, today).values())
    lines = checklist.lines(a1, alice, today=today)
    assert [line.done for line in lines] == [False, True, True, False, False]  # no 2029 data; SK and upload by hand
    assert [line.automatic for line in lines] == [True, True, True, False, False]


# ---------------------------------------------------------------- Aksi 4 and 5: the village layer


def test_the_perbup_kpm_trainings_and_scorecards_prove_aksi_4_and_5(alice, lutim, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cycle = _open(alice, TEST_YEAR)
    a4, a5 = cycle.actions.get(definition__number=4), cycle.actions.get(definition__number=5)
    perbup_2022 = DesaRoleRegulation.objects.get(kabupaten_id="73.24")  # the demo's, in force since 2022
    in_force = f"{perbup_2022}: {perbup_2022.title}"
    assert _done(a4, alice, datetime.date(TEST_YEAR, 6, 1)) == {"Perbup/Perwali diundangkan": [in_force]}
    assert "konvergensi_desa.regulation" not in _keys(lutim, 2021, alice, datetime.date(2021, 12, 31))  # enacted later
    assert "konvergensi_desa.regulation" not in _keys(lutim, 2022, alice, perbup_2022.date - datetime.timedelta(days=1))
    do_save(
        alice,
        DesaRoleRegulation(
            kabupaten_id="73.24",
            number="7 Tahun 2030",
            date=datetime.date(TEST_YEAR, 3, 2),
            title="Perubahan Peran Desa",
        ),
    )
    assert (
        len(_keys(lutim, TEST_YEAR, alice, datetime.date(TEST_YEAR, 3, 1))["konvergensi_desa.regulation"]) == 1
    )  # not yet
    newest = _keys(lutim, TEST_YEAR, alice, datetime.date(TEST_YEAR, 3, 2))["konvergensi_desa.regulation"][0]
    assert (
        newest.url == "/desa/aksi-4/" and newest.note == "diundangkan 2 Maret 2030" and "7 Tahun 2030" in newest.title
    )
    copy = UploadedDocument.for_object(perbup_2022).first()
    if copy:  # the filed copy is the evidence, where there is one
        assert _keys(lutim, TEST_YEAR, alice, datetime.date(TEST_YEAR, 3, 2))["konvergensi_desa.regulation"][1].url == (
            f"/dokumen/berkas/{copy.pk}/"
        )

    today = datetime.date(TEST_YEAR, 9, 1)
    done = _done(a5, alice, today)
    assert done["Daftar KPM per desa"] == ["Daftar KPM"]  # the demo's KPM, serving since before 2030
    assert done["Pelatihan KPM terlaksana"] == [] and done["Rekap skor konvergensi desa per triwulan"] == []
    kpm = Kpm.objects.filter(desa_id=BALANTANG).first()
    do_save_checked(alice, KpmTraining(kpm=kpm, date=datetime.date(TEST_YEAR, 8, 12), title="Pelatihan konvergensi"))
    assert _done(a5, alice, today)["Pelatihan KPM terlaksana"] == ["Pelatihan KPM tahun 2030"]
    assert _done(a5, alice, datetime.date(TEST_YEAR, 8, 11))["Pelatihan KPM terlaksana"] == []  # not held yet
    scorecards = _keys(lutim, 2025, alice, today)["konvergensi_desa.scorecard"]  # Balantang's third quarter of 2025
    assert scorecards[0].note == "1 desa · triwulan 3"


# ---------------------------------------------------------------- Aksi 6 and 7: the rounds and the publication


def test_a_measured_round_proves_aksi_6_and_7_but_one_visit_does_not(client, alice, bob, lutim):
    found = _keys(lutim, 2025, alice, datetime.date(2025, 3, 10))  # the demo measured February 2025; August not begun
    assert "dashboards.round-august" not in found
    [february] = found["dashboards.round-february"]
    assert (
        february.url == "/dasbor/?within=73.24&period=R2025-02"
        and february.title == "Prevalensi, Putaran Februari 2025"
    )
    assert [p.url for p in found["dashboards.quality"]] == ["/dasbor/kualitas/?within=73.24&period=R2025-02"]
    found = _keys(lutim, 2025, alice, datetime.date(2026, 1, 1))
    assert {"dashboards.round-february", "dashboards.round-august"} <= set(found) and len(
        found["dashboards.quality"]
    ) == 2
    for_bob = _keys(lutim, 2025, bob, datetime.date(2026, 1, 1))  # a desa operator: his desa's measurements, his pages
    assert for_bob["dashboards.round-august"][0].url == "/dasbor/?period=R2025-08"
    client.force_login(bob)
    assert client.get(for_bob["dashboards.round-august"][0].url).status_code == 200

    # One visit entered for February 2026 does not make the round measured (the dashboards' rule).
    child = register(alice, BALANTANG, "Anak Uji Aksi")
    record(alice, child, datetime.date(2026, 2, 10), "9.6", "79.0")
    assert "dashboards.round-february" not in _keys(lutim, 2026, alice, datetime.date(2026, 3, 1))

    a7 = _aksi(7)
    assert _done(a7, alice, datetime.date(2026, 3, 1))["Publikasi prevalensi per desa dan kecamatan"] == []
    client.force_login(alice)
    client.post(reverse("publik:manage"), {"period": "R2025-08", "note": "Hasil BPB"})
    published = PublishedRound.objects.get(kabupaten_id="73.24", period="R2025-08")
    day = timezone.localdate(published.published_at)
    [proof] = _keys(lutim, 2025, alice, day)["publik.published"]
    assert proof.url == "/publik/73.24/R2025-08/"
    assert "publik.published" not in _keys(lutim, 2025, alice, day - datetime.timedelta(days=1))
    published.withdrawn_at = published.published_at
    do_save(policy.SYSTEM, published)
    assert "publik.published" not in _keys(lutim, 2025, alice, day)


# ---------------------------------------------------------------- Aksi 8: the review


def test_the_realisation_report_and_recommendations_prove_aksi_8(alice, lutim):
    found = _keys(lutim, 2025, alice, datetime.date(2026, 1, 10))  # the demo's review of 2025
    assert {"reviu.realisation", "reviu.report", "reviu.recommendations"} <= set(found)
    assert found["reviu.report"][0].url == "/reviu/2025/laporan.pdf"
    assert found["reviu.report"][0].note == "nomor 050/402/TPPS-LT/XII/2025 · 18 Desember 2025"
    assert "reviu.report" not in _keys(lutim, 2025, alice, datetime.date(2025, 12, 17))  # dated the day after

    a8 = _open(alice, TEST_YEAR).actions.get(definition__number=8)
    today = datetime.date(TEST_YEAR + 1, 1, 10)
    first, second = (
        make_activity(alice, year=TEST_YEAR),
        make_activity(alice, year=TEST_YEAR, opd="DP2KB", indicator="krs-pendampingan"),
    )
    do_save_realisation(alice, Realisation(activity=first, physical=Decimal(10), budget=Decimal(90_000_000)))
    assert _done(a8, alice, today)["Realisasi per kegiatan dan anggaran"] == []  # one activity without its realisation
    do_save_realisation(alice, Realisation(activity=second, physical=Decimal(8), budget=Decimal(80_000_000)))
    assert _done(a8, alice, today)["Realisasi per kegiatan dan anggaran"] == ["Realisasi rencana 2030"]


# ---------------------------------------------------------------- a district's own checklist: decree, meetings


def test_a_district_wires_its_own_checklist_to_the_decree_and_the_meetings(client, alice, lutim):
    found = _keys(lutim, 2025, alice, datetime.date(2025, 12, 31))  # the demo: the TPPS decree, two rakor with minutes
    assert found["tpps.decree"][0].title.startswith("SK 188.45/201/II/2025")
    assert [p.note.split(" · ")[0] for p in found["rapat.minutes"]] == ["13 Maret 2025", "28 Agustus 2025"]
    assert "tpps.decree" not in _keys(lutim, 2024, alice, datetime.date(2024, 12, 31))
    assert (
        len(_keys(lutim, 2025, alice, datetime.date(2025, 5, 1))["rapat.minutes"]) == 1
    )  # the August one not held yet

    client.force_login(alice)
    client.post(
        "/aksi/set/baru/", {"code": "aksi-4", "name": "4 Aksi Konvergensi", "from_year": 2025, "is_active": "on"}
    )
    four = ActionSet.objects.get(code="aksi-4", kabupaten_id="73.24")
    client.post(
        f"/aksi/set/{four.pk}/aksi/baru/", {"number": 1, "name": "Perencanaan", "checklist": "SK TPPS\nRakor triwulan"}
    )
    definition = four.actions.get(number=1)
    sk, rakor = definition.items.order_by("order")
    assert not sk.proof and not rakor.proof  # a new line is ticked by hand until someone says what proves it
    html = client.get(f"/aksi/set/{four.pk}/aksi/{definition.pk}/").content.decode()
    assert f'name="proof-{sk.pk}"' in html and 'value="tpps.decree"' in html
    client.post(
        f"/aksi/set/{four.pk}/aksi/{definition.pk}/",
        {
            "number": 1,
            "name": "Perencanaan",
            "checklist": "SK TPPS\nRakor triwulan",
            f"proof-{sk.pk}": "tpps.decree",
            f"proof-{rakor.pk}": "rapat.minutes",
        },
    )
    sk.refresh_from_db(), rakor.refresh_from_db()
    assert (sk.proof, rakor.proof) == ("tpps.decree", "rapat.minutes")
    assert 'data-testid="ticks-itself"' in client.get(f"/aksi/set/{four.pk}/").content.decode()
    client.post("/aksi/mulai/", {"year": 2025, "action_set": four.pk})
    a1 = ActionYear.objects.get(cycle__kabupaten_id="73.24", cycle__year=2025, definition=definition)
    html = client.get(f"/aksi/{a1.pk}/").content.decode()
    assert _progress(html) == "2/2" and 'href="/rapat/' in _items(html)["Rakor triwulan"]


def test_every_key_of_the_default_set_is_proved_by_an_app_and_wired(alice):
    known = provable()
    assert set(PROOFS.values()) <= set(known)  # a key no app declares would never tick
    national = OutputItem.objects.filter(action__action_set=ActionSet.default())
    wired = dict(national.exclude(proof="").values_list("label", "proof"))
    assert wired == {label: key for (_number, label), key in PROOFS.items()}
    assert set(national.filter(proof="").values_list("label", flat=True)) == {
        "SK Bupati tentang desa lokus",
        "Master Ansit diunggah ke Aksi Bangda",
        "Kegiatan masuk Renja OPD / RKPD",
        "Rancangan Perbup/Perwali",
        "Rencana perbaikan mutu data",
    }
    with pytest.raises(ValidationError):
        do_save(
            policy.SYSTEM,
            OutputItem(
                action=ActionDefinition.objects.filter(action_set=ActionSet.default()).first(),
                label="x",
                proof="tidak.ada",
            ),
        )
