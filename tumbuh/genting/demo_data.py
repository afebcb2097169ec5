"""Luwu Timur's demo GENTING: foster parents of every kind, matches confirmed by the
secretariat from the top of the suggestion list (families of the KRS list and stunted
children of Malili), and the help they gave, with evidence for some."""

from __future__ import annotations

import datetime as dt
import random

from django.core.files.base import ContentFile

from tumbuh.accounts.models import User
from tumbuh.wilayah.models import Wilayah

from .actions import do_match, do_record_help, do_save_orang_tua_asuh
from .models import Asuhan, JenisBantuan, OrangTuaAsuh, SharedField
from .priority import suggestions

KABUPATEN = "73.24"
PARENTS = [
    ("PT Nikel Sorowako Lestari", "perusahaan", "Bagian CSR", "Makanan tambahan bergizi untuk 4 keluarga selama 12 bulan", 48_000_000),
    ("Yayasan Peduli Anak Luwu Timur", "lsm", "Koordinator Program", "Jamban sehat dan air bersih untuk 3 keluarga", 30_000_000),
    ("Dinas Kesehatan Kabupaten Luwu Timur (ASN)", "instansi", "Sekretaris Dinas", "Iuran ASN untuk paket pangan 3 anak", 18_000_000),
    ("Bank Daerah Cabang Malili", "perusahaan", "Pimpinan Cabang", "Bedah rumah tidak layak huni untuk 1 keluarga", 25_000_000),
    ("H. Andi Baso Pawellangi", "individu", "", "Paket pangan untuk 2 anak selama 6 bulan", 6_000_000),
]
_HELP = {
    "perusahaan": [(JenisBantuan.PANGAN, 1_000_000, "Paket telur, susu dan ikan")],
    "lsm": [(JenisBantuan.JAMBAN, 6_500_000, "Pembangunan jamban sehat"), (JenisBantuan.AIR, 3_500_000, "Sambungan air bersih")],
    "instansi": [(JenisBantuan.PANGAN, 500_000, "Paket pangan bulanan")],
    "individu": [(JenisBantuan.PANGAN, 500_000, "Paket pangan bulanan")],
}
#: A tiny PDF as evidence (a real one would be a photo or a receipt).
_EVIDENCE = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _parents(admin: User, kabupaten: Wilayah, rng: random.Random) -> list[OrangTuaAsuh]:
    parents = []
    for nama, jenis, kontak, komitmen, rupiah in PARENTS:
        ota = OrangTuaAsuh.objects.filter(kabupaten=kabupaten, nama=nama).first()
        if ota is None:
            ota = do_save_orang_tua_asuh(admin, OrangTuaAsuh(
                kabupaten=kabupaten, nama=nama, jenis=jenis, kontak=kontak, telepon=f"08{rng.randint(1100000000, 1399999999)}",
                komitmen=komitmen, komitmen_rupiah=rupiah), reason="data demo")
        parents.append(ota)
    return parents


def seed(seed: int) -> None:
    admin = User.objects.filter(username="admin.lutim").first()
    kabupaten = Wilayah.objects.filter(pk=KABUPATEN).first()
    if admin is None or kabupaten is None:
        return
    rng = random.Random(seed + 11)
    parents = _parents(admin, kabupaten, rng)
    if Asuhan.objects.filter(desa__kabupaten_code=KABUPATEN).exists():
        return
    candidates = suggestions(admin, limit=1_000_000)  # the whole district: families and children are ranked together
    families = [c for c in candidates if c.kind == "keluarga" and c.desa.kecamatan_code == "73.24.04"][:8]
    children = [c for c in candidates if c.kind == "anak"][:5]
    start = dt.date(2024, 9, 1)
    evidence_left = 3
    for i, c in enumerate(families + children):
        ota = parents[i % len(parents)]
        shared = [SharedField.DESA, SharedField.BANTUAN] + ([SharedField.NAMA, SharedField.USIA] if c.kind == "anak" else [])
        asuhan = do_match(admin, ota, **{c.kind: c.obj}, mulai=start + dt.timedelta(days=7 * i), shared_fields=shared,
                          prioritas=c.score)
        for month in range(rng.randint(2, 6)):
            for jenis, nilai, uraian in _HELP[ota.jenis]:
                if jenis != JenisBantuan.PANGAN and month:
                    continue  # building a toilet or a water connection happens once
                evidence = None
                if evidence_left and month == 0:
                    evidence, evidence_left = ContentFile(_EVIDENCE, name=f"bukti-bantuan-{i + 1}.pdf"), evidence_left - 1
                do_record_help(admin, asuhan, jenis=jenis, nilai=nilai, tanggal=asuhan.mulai + dt.timedelta(days=30 * month + 5),
                               uraian=uraian, evidence=evidence)
