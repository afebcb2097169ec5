"""Luwu Timur's TPPS for the demo: the decree, working groups and members (with one dated
change of chair), Kecamatan Malili's team and Desa Balantang's. Idempotent; written through
the actions."""

from __future__ import annotations

import datetime as dt

from tumbuh.accounts import policy
from tumbuh.audit.actions import do_save
from tumbuh.organisation.models import Opd

from . import actions
from .models import Decree, Member, Pokja, Position, Tpps

REASON = "data demo"
#: The demo is written by the system, like the rest of the demo (the accounts' audit trails stay their own).
SYSTEM = policy.SYSTEM
KABUPATEN, MALILI, BALANTANG = "73.24", "73.24.04", "73.24.04.2010"

POKJA = [
    ("Pokja Intervensi Spesifik", "Layanan gizi dan kesehatan ibu hamil, bayi dan balita."),
    ("Pokja Intervensi Sensitif", "Air minum, sanitasi, pangan, perlindungan sosial dan PAUD."),
    ("Pokja Data, Pemantauan dan Evaluasi", "Pengukuran, publikasi data stunting, kinerja tahunan."),
    ("Pokja Komunikasi Perubahan Perilaku", "Kampanye, konseling dan penggerakan masyarakat."),
]

# (name, position, office, OPD short name or "", other organisation, pokja index or None, from, until)
MEMBERS = [
    ("H. Budiman", Position.PENGARAH, "Bupati Luwu Timur", "SETDA", "", None, "2025-02-20", None),
    ("Ir. Andi Mahmud", Position.KETUA, "Wakil Bupati Luwu Timur", "SETDA", "", None, "2025-02-10", "2025-02-19"),
    ("Hj. Puspawati Husler", Position.KETUA, "Wakil Bupati Luwu Timur", "SETDA", "", None, "2025-02-20", None),
    ("Dr. Bahri Suli", Position.WAKIL_KETUA, "Sekretaris Daerah", "SETDA", "", None, "2025-02-10", None),
    ("Ramadhan Pirade, S.T., M.Si.", Position.SEKRETARIS, "Kepala Bappeda", "BAPPEDA", "", None, "2025-02-10", None),
    ("dr. Rosmini Pandin", Position.KOORDINATOR, "Kepala Dinas Kesehatan", "DINKES", "", 0, "2025-02-10", None),
    ("Andi Nurhikmah, S.Gz.", Position.ANGGOTA, "Kepala Seksi Gizi", "DINKES", "", 0, "2025-02-10", None),
    ("Muh. Arief, S.T.", Position.KOORDINATOR, "Kepala Dinas PUPR", "DPUPR", "", 1, "2025-02-10", None),
    ("Hasnawati, S.Sos.", Position.ANGGOTA, "Kepala Dinas Sosial", "DINSOS", "", 1, "2025-02-10", None),
    ("Drs. Yusri Tandi", Position.ANGGOTA, "Kepala DP2KB", "DP2KB", "", 1, "2025-02-10", None),
    ("Ahmad Sukri, S.Kom.", Position.KOORDINATOR, "Kepala Dinas Kominfo", "DISKOMINFO", "", 2, "2025-02-10", None),
    ("Nur Aisyah, S.E.", Position.ANGGOTA, "Kepala DPMD", "DPMD", "", 2, "2025-02-10", None),
    (
        "Hj. Sri Wahyuni",
        Position.KOORDINATOR,
        "Ketua TP PKK Kabupaten",
        "",
        "TP PKK Kabupaten Luwu Timur",
        3,
        "2025-02-10",
        None,
    ),
    (
        "H. Muhlis, S.Ag.",
        Position.ANGGOTA,
        "Kepala Kantor Kemenag",
        "",
        "Kantor Kementerian Agama Luwu Timur",
        3,
        "2025-02-10",
        None,
    ),
]

MALILI_MEMBERS = [
    ("Andi Rahmat, S.STP.", Position.KETUA, "Camat Malili", "Kecamatan Malili"),
    ("Sitti Hasnah, S.KM.", Position.SEKRETARIS, "Kepala Puskesmas Malili", "Puskesmas Malili"),
    ("Rina Marlina", Position.ANGGOTA, "Ketua TP PKK Kecamatan", "TP PKK Kecamatan Malili"),
    ("Yusuf Palallo", Position.ANGGOTA, "PLKB Kecamatan Malili", "DP2KB (PLKB)"),
    ("Hamzah, S.Pd.", Position.ANGGOTA, "Koordinator PAUD", "UPT Pendidikan Malili"),
]


BALANTANG_MEMBERS = [
    ("Andi Baso", Position.KETUA, "Kepala Desa Balantang", "Pemerintah Desa Balantang"),
    ("Nurhayati, A.Md.Keb.", Position.SEKRETARIS, "Bidan Desa", "Puskesmas Malili"),
    ("Rahmawati", Position.ANGGOTA, "Kader Pembangunan Manusia (KPM)", "Pemerintah Desa Balantang"),
    ("Hasnah", Position.ANGGOTA, "Ketua TP PKK Desa", "TP PKK Desa Balantang"),
    ("Sumarni", Position.ANGGOTA, "Kader Posyandu", "Posyandu Desa Balantang"),
]


def _day(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def seed(seed: int) -> None:
    tpps = Tpps.objects.filter(wilayah_id=KABUPATEN).first()
    if tpps is None or Pokja.objects.filter(tpps=tpps).exists():
        return
    # The formation decree comes with the district's team (demo.generator); the change of chair follows it.
    decree = tpps.current_decree(dt.date(2025, 2, 10)) or actions.do_record_decree(
        SYSTEM,
        Decree(
            tpps=tpps,
            number="188.45/123/II/2025",
            date=dt.date(2025, 2, 10),
            signed_by="Bupati Luwu Timur",
            title="Pembentukan Tim Percepatan Penurunan Stunting Kabupaten Luwu Timur",
        ),
        reason=REASON,
    )
    change = actions.do_record_decree(
        SYSTEM,
        Decree(
            tpps=tpps,
            number="188.45/201/II/2025",
            date=dt.date(2025, 2, 20),
            signed_by="Bupati Luwu Timur",
            title="Perubahan susunan keanggotaan TPPS setelah pelantikan kepala daerah",
        ),
        reason=REASON,
    )
    pokja = [
        actions.do_save_team_record(SYSTEM, Pokja(tpps=tpps, name=n, duties=d, order=i + 1), reason=REASON)
        for i, (n, d) in enumerate(POKJA)
    ]
    opd = {o.short_name: o for o in Opd.objects.filter(kabupaten_id=KABUPATEN)}
    for n, (name, position, office, short, other, group, start, until) in enumerate(MEMBERS):
        actions.do_save_team_record(
            SYSTEM,
            Member(
                tpps=tpps,
                name=name,
                position=position,
                office=office,
                opd=opd.get(short),
                organisation=other,
                pokja=pokja[group] if group is not None else None,
                decree=change if start == "2025-02-20" else decree,
                phone=f"0811420{n:04d}",
                valid_from=_day(start),
                valid_to=_day(until),
            ),
            reason=REASON,
        )
    malili = Tpps.objects.filter(wilayah_id=MALILI).first()
    if malili is not None:
        sk = actions.do_record_decree(
            SYSTEM,
            Decree(
                tpps=malili,
                number="141/07/KEC-MLL/III/2025",
                date=dt.date(2025, 3, 3),
                signed_by="Camat Malili",
                title="Pembentukan TPPS Kecamatan Malili",
            ),
            reason=REASON,
        )
        _members(SYSTEM, malili, sk, MALILI_MEMBERS, "08134455")
    balantang = Tpps.objects.filter(wilayah_id=BALANTANG).first()
    if balantang is None:
        balantang = Tpps(wilayah_id=BALANTANG, name="TPPS Desa Balantang")
        balantang = do_save(SYSTEM, balantang, reason=REASON)
    sk = actions.do_record_decree(
        SYSTEM,
        Decree(
            tpps=balantang,
            number="04/SK/DS-BLT/IV/2025",
            date=dt.date(2025, 4, 7),
            signed_by="Kepala Desa Balantang",
            title="Pembentukan Tim Percepatan Penurunan Stunting Desa Balantang",
        ),
        reason=REASON,
    )
    _members(SYSTEM, balantang, sk, BALANTANG_MEMBERS, "08529870")


def _members(actor, tpps, decree, rows, phone_prefix) -> None:
    for i, (name, position, office, org) in enumerate(rows):
        actions.do_save_team_record(
            actor,
            Member(
                tpps=tpps,
                name=name,
                position=position,
                office=office,
                organisation=org,
                decree=decree,
                phone=f"{phone_prefix}{i:04d}",
                valid_from=decree.date,
            ),
            reason=REASON,
        )
