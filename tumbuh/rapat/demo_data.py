"""Two coordination meetings of Luwu Timur's TPPS for the demo, with invitees from the
registry, most of them checked in, decisions and action items: some done, some still open
(carried over to the second meeting and shown on the owners' home pages). Idempotent."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from tumbuh.accounts import policy
from tumbuh.organisation.models import Opd
from tumbuh.tpps.models import Tpps
from tumbuh.wilayah.models import Wilayah

from . import actions
from .models import ActionItem, Attendee, Group, OwnerKind, Rapat, Status

REASON = "data demo"
#: The demo is written by the system, like the rest of the demo (the accounts' audit trails stay their own).
SYSTEM = policy.SYSTEM
KABUPATEN, MALILI, BALANTANG = "73.24", "73.24.04", "73.24.04.2010"
GROUPS = [Group.OPD, Group.CAMAT, Group.PUSKESMAS, Group.PKK, Group.PLKB]

MEETINGS = [
    dict(
        title="Rapat Koordinasi TPPS Kabupaten Luwu Timur Semester I 2025",
        nomor="005/041/BAPPEDA/III/2025",
        date=dt.date(2025, 3, 13),
        place="Ruang Rapat Bappeda, Malili",
        chair="Hj. Puspawati Husler",
        agenda="Hasil pengukuran Februari 2025\nEvaluasi aksi konvergensi 2024\nRencana kegiatan semester I",
        minutes="Prevalensi stunting hasil penimbangan Februari turun, tetapi cakupan pengukuran di beberapa desa "
        "Kecamatan Malili masih rendah.\n\nPeserta sepakat memperkuat validasi data dan kunjungan rumah.",
    ),
    dict(
        title="Rapat Koordinasi TPPS Kabupaten Luwu Timur Semester II 2025",
        nomor="005/112/BAPPEDA/VIII/2025",
        date=dt.date(2025, 8, 28),
        place="Aula Kantor Bupati, Malili",
        chair="Hj. Puspawati Husler",
        agenda="Tindak lanjut rapat sebelumnya\nHasil pengukuran Agustus 2025\nPersiapan laporan semester",
        minutes="Tindak lanjut rapat Maret dibahas satu per satu; dua masih terbuka.\n\nDisepakati target "
        "cakupan pengukuran 95% pada semua desa lokus.",
    ),
]

# (meeting index, decision, action, owner (OPD short name or region code), due, progress [(date, text, status)])
DECISIONS = [
    (
        0,
        "Dinas Kesehatan memvalidasi data e-PPGBM Februari sebelum publikasi.",
        "Validasi data e-PPGBM Februari 2025",
        "DINKES",
        "2025-04-15",
        [("2025-04-10", "Validasi selesai di 15 puskesmas; berita acara terlampir.", Status.DONE)],
    ),
    (
        0,
        "Cakupan pengukuran di desa dengan cakupan di bawah 80% dinaikkan.",
        "Sweeping balita yang belum diukur di desa cakupan rendah",
        MALILI,
        "2025-05-31",
        [("2025-05-20", "Sweeping berjalan di 6 dari 14 desa.", Status.IN_PROGRESS)],
    ),
    (
        0,
        "Desa menganggarkan Dana Desa untuk PMT lokal.",
        "Anggaran PMT lokal dalam APBDes perubahan",
        BALANTANG,
        "2025-07-31",
        [],
    ),
    (
        1,
        "Data KRS dari DP2KB dipadankan dengan data balita stunting.",
        "Pemadanan data KRS dan balita stunting",
        "DP2KB",
        "2025-10-31",
        [],
    ),
    (
        1,
        "Pendampingan desa lokus oleh OPD pembina dijadwalkan.",
        "Jadwal kunjungan OPD pembina ke desa lokus",
        "DPMD",
        "2025-09-30",
        [
            ("2025-09-10", "Jadwal disusun untuk 10 desa lokus.", Status.IN_PROGRESS),
            ("2025-09-25", "Kunjungan pertama ke 10 desa lokus selesai; laporan terlampir.", Status.DONE),
        ],
    ),
    (
        1,
        "Kelas ibu balita di Balantang digelar tiap bulan.",
        "Kelas ibu balita bulanan di Desa Balantang",
        BALANTANG,
        "2025-12-15",
        [],
    ),
]


def _invite(actor, rapat: Rapat, rng: random.Random, present_share: float) -> None:
    """Malili's village heads besides the groups the meeting was created with; check-ins on the
    meeting's morning. The demo acts on the meeting's day, before it locked."""
    taken = set(Attendee.objects.filter(rapat=rapat).values_list("code", flat=True))
    for desa in Wilayah.objects.filter(parent_id=MALILI).order_by("code"):
        actions.do_add_participant(
            actor,
            Attendee(
                rapat=rapat,
                group=Group.KEPALA_DESA,
                name=f"Kepala Desa {desa.name}",
                organisation=desa.label,
                position="Kepala Desa",
            ),
            today=rapat.date,
            reason=REASON,
            taken=taken,
        )
    start = timezone.make_aware(dt.datetime.combine(rapat.date, rapat.start_time)) - dt.timedelta(minutes=45)
    for i, p in enumerate(Attendee.objects.filter(rapat=rapat).order_by("pk")):
        if rng.random() < present_share:
            actions.do_check_in(actor, p, at=start + dt.timedelta(seconds=20 * i))


def seed(seed: int) -> None:
    tpps = Tpps.objects.filter(wilayah_id=KABUPATEN).first()
    if tpps is None or Rapat.objects.filter(tpps=tpps).exists():
        return
    rng = random.Random(seed)  # seeded demo data, no secret  # nosec B311
    meetings = []
    for spec in MEETINGS:
        rapat = actions.do_save_rapat(
            SYSTEM, Rapat(tpps=tpps, invited_groups=GROUPS, **spec), today=spec["date"], reason=REASON
        )  # choosing the groups invites them
        _invite(SYSTEM, rapat, rng, present_share=0.85)
        meetings.append(rapat)
    opd = {o.short_name: o for o in Opd.objects.filter(kabupaten_id=KABUPATEN)}
    for index, text, action, owner, due, progress in DECISIONS:
        item = ActionItem(title=action, due_date=dt.date.fromisoformat(due))
        if owner in opd:
            item.owner_kind, item.owner_opd = OwnerKind.OPD, opd[owner]
        else:
            item.owner_kind = OwnerKind.KECAMATAN if owner == MALILI else OwnerKind.DESA
            item.owner_wilayah = Wilayah.objects.get(pk=owner)
        actions.do_record_decision(SYSTEM, meetings[index], text, item=item, today=meetings[index].date, reason=REASON)
        for day, note, status in progress:
            actions.do_report_progress(
                SYSTEM, item, text=note, status=status, day=dt.date.fromisoformat(day), reason=REASON
            )
