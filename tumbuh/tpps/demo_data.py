"""Luwu Timur's TPPS for the demo: the decree, working groups and members (with one dated
change of chair), and Kecamatan Malili's team. Idempotent; written through the actions."""

from __future__ import annotations

import datetime as dt

from tumbuh.accounts.models import User
from tumbuh.organisation.models import Opd, Tpps

from . import actions
from .models import Decree, Member, Pokja, Position

REASON = "data demo"
KABUPATEN, MALILI = "73.24", "73.24.04"

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
    ("Hj. Sri Wahyuni", Position.KOORDINATOR, "Ketua TP PKK Kabupaten", "", "TP PKK Kabupaten Luwu Timur", 3, "2025-02-10", None),
    ("H. Muhlis, S.Ag.", Position.ANGGOTA, "Kepala Kantor Kemenag", "", "Kantor Kementerian Agama Luwu Timur", 3, "2025-02-10", None),
]

MALILI_MEMBERS = [
    ("Andi Rahmat, S.STP.", Position.KETUA, "Camat Malili", "Kecamatan Malili"),
    ("Sitti Hasnah, S.KM.", Position.SEKRETARIS, "Kepala Puskesmas Malili", "Puskesmas Malili"),
    ("Rina Marlina", Position.ANGGOTA, "Ketua TP PKK Kecamatan", "TP PKK Kecamatan Malili"),
    ("Yusuf Palallo", Position.ANGGOTA, "PLKB Kecamatan Malili", "DP2KB (PLKB)"),
    ("Hamzah, S.Pd.", Position.ANGGOTA, "Koordinator PAUD", "UPT Pendidikan Malili"),
]


def _day(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def seed(seed: int) -> None:
    admin = User.objects.filter(username="admin.lutim").first()
    tpps = Tpps.objects.filter(wilayah_id=KABUPATEN).first()
    if admin is None or tpps is None or Decree.objects.filter(tpps=tpps).exists():
        return
    decree = actions.do_record_decree(admin, Decree(
        tpps=tpps, number=tpps.sk_number or "188.45/123/II/2025", date=dt.date(2025, 2, 10), signed_by="Bupati Luwu Timur",
        title="Pembentukan Tim Percepatan Penurunan Stunting Kabupaten Luwu Timur"), reason=REASON)
    change = actions.do_record_decree(admin, Decree(
        tpps=tpps, number="188.45/201/II/2025", date=dt.date(2025, 2, 20), signed_by="Bupati Luwu Timur",
        title="Perubahan susunan keanggotaan TPPS setelah pelantikan kepala daerah"), reason=REASON)
    pokja = [actions.do_save_team_record(admin, Pokja(tpps=tpps, name=n, duties=d, order=i + 1), reason=REASON)
             for i, (n, d) in enumerate(POKJA)]
    opd = {o.short_name: o for o in Opd.objects.filter(kabupaten_id=KABUPATEN)}
    for n, (name, position, office, short, other, group, start, until) in enumerate(MEMBERS):
        actions.do_save_team_record(admin, Member(
            tpps=tpps, name=name, position=position, office=office, opd=opd.get(short), organisation=other,
            pokja=pokja[group] if group is not None else None, decree=change if start == "2025-02-20" else decree,
            phone=f"0811420{n:04d}", valid_from=_day(start), valid_to=_day(until)),
            reason=REASON)
    malili = Tpps.objects.filter(wilayah_id=MALILI).first()
    if malili is not None:
        sk = actions.do_record_decree(admin, Decree(tpps=malili, number="141/07/KEC-MLL/III/2025", date=dt.date(2025, 3, 3),
                                                    signed_by="Camat Malili", title="Pembentukan TPPS Kecamatan Malili"),
                                      reason=REASON)
        for i, (name, position, office, org) in enumerate(MALILI_MEMBERS):
            actions.do_save_team_record(admin, Member(
                tpps=malili, name=name, position=position, office=office, organisation=org, decree=sk,
                phone=f"08134455{i:04d}", valid_from=dt.date(2025, 3, 3)), reason=REASON)
