"""Luwu Timur's Rembuk Stunting for the 2026 plan (held: attendance, materials frozen,
decisions, the plan agreed as version 1; the signed scans not yet uploaded) and Kecamatan
Malili's rembuk (planned), through the audited actions."""

from __future__ import annotations

import datetime as dt
import random

from tumbuh.accounts import policy
from tumbuh.wilayah.models import Wilayah

from . import actions
from .models import Category, RembukEvent

#: The demo is written by the system itself (audited as "sistem"), like the rest of build_demo.
SYSTEM = policy.SYSTEM
#: Names on the demo commitment (fictional people).
NAMES = {Category.BUPATI: "H. Andi Mappaseng (fiktif)", Category.DPRD: "Muh. Ridwan Latif (fiktif)"}


def seed(seed: int) -> None:
    if (
        not Wilayah.objects.filter(code="73.24.04").exists()
        or RembukEvent.objects.filter(wilayah_id="73.24", year=2026).exists()
    ):
        return
    rng = random.Random(seed)  # seeded demo data, no secret  # nosec B311
    event = actions.do_save_event(
        SYSTEM,
        RembukEvent(
            wilayah_id="73.24",
            year=2026,
            title="Rembuk Stunting Kabupaten Luwu Timur Tahun 2026",
            date=dt.date(2026, 4, 15),
            place="Aula Kantor Bupati Luwu Timur, Puncak Indah",
            signing_place="Malili",
            agenda="Pembukaan oleh Bupati Luwu Timur\nPaparan hasil analisis situasi (Aksi 1) oleh Bappeda\n"
            "Paparan rancangan rencana kegiatan terintegrasi (Aksi 2)\nDiskusi dan penyepakatan\n"
            "Penandatanganan komitmen dan berita acara",
            decisions="Menyepakati rencana kegiatan terintegrasi percepatan penurunan stunting tahun 2026\n"
            "Desa lokus menganggarkan Dana Desa untuk insentif KPM dan operasional posyandu\n"
            "DPUPR memprioritaskan SPAM perpipaan di desa lokus dengan cakupan air minum layak terendah\n"
            "Sekretariat TPPS memantau pelaksanaan setiap triwulan",
            nomor_berita_acara="050/118/TPPS-LT/IV/2026",
            nomor_komitmen="050/119/TPPS-LT/IV/2026",
        ),
        reason="data demo",
        invite=True,
    )
    for p in event.invitees.filter(category__in=list(NAMES)):
        p.name = NAMES[p.category]
        actions.do_save_participant(SYSTEM, p, reason="data demo")
    people = list(event.invitees.values_list("pk", flat=True))
    actions.do_record_attendance(SYSTEM, event, [pk for pk in people if rng.random() < 0.85])
    actions.do_freeze_materials(
        SYSTEM, event, now=dt.datetime.combine(event.date, dt.time(10), dt.timezone(dt.timedelta(hours=8)))
    )
    actions.do_agree_plan(SYSTEM, event, note="Disepakati seluruh peserta rembuk")
    actions.do_save_event(
        SYSTEM,
        RembukEvent(
            wilayah_id="73.24.04",
            year=2026,
            title="Rembuk Stunting Kecamatan Malili Tahun 2026",
            date=dt.date(2026, 3, 5),
            place="Aula Kantor Camat Malili",
            signing_place="Malili",
            agenda="Paparan hasil Musrenbang desa\nSinkronisasi dengan rencana kegiatan kabupaten",
        ),
        reason="data demo",
        invite=True,
    )
