"""Luwu Timur's demo GENTING: foster parents of every kind, matches confirmed by the
secretariat from the top of the suggestion list (families of the KRS list and stunted
children of Malili), and the help they gave, with evidence for some."""

from __future__ import annotations

import datetime as dt
import random

from django.core.files.base import ContentFile

from tumbuh.accounts.models import User
from tumbuh.wilayah.models import Wilayah

from .actions import do_match, do_record_help, do_save_foster_parent
from .models import FosterMatch, FosterParent, HelpKind, SharedField
from .priority import suggestions

KABUPATEN = "73.24"
PARENTS = [
    (
        "PT Nikel Sorowako Lestari",
        "perusahaan",
        "Bagian CSR",
        "Makanan tambahan bergizi untuk 4 keluarga selama 12 bulan",
        48_000_000,
    ),
    (
        "Yayasan Peduli Anak Luwu Timur",
        "lsm",
        "Koordinator Program",
        "Jamban sehat dan air bersih untuk 3 keluarga",
        30_000_000,
    ),
    (
        "Dinas Kesehatan Kabupaten Luwu Timur (ASN)",
        "instansi",
        "Sekretaris Dinas",
        "Iuran ASN untuk paket pangan 3 anak",
        18_000_000,
    ),
    (
        "Bank Daerah Cabang Malili",
        "perusahaan",
        "Pimpinan Cabang",
        "Bedah rumah tidak layak huni untuk 1 keluarga",
        25_000_000,
    ),
    ("H. Andi Baso Pawellangi", "individu", "", "Paket pangan untuk 2 anak selama 6 bulan", 6_000_000),
]
_HELP = {
    "perusahaan": [(HelpKind.FOOD, 1_000_000, "Paket telur, susu dan ikan")],
    "lsm": [
        (HelpKind.TOILET, 6_500_000, "Pembangunan jamban sehat"),
        (HelpKind.WATER, 3_500_000, "Sambungan air bersih"),
    ],
    "instansi": [(HelpKind.FOOD, 500_000, "Paket pangan bulanan")],
    "individu": [(HelpKind.FOOD, 500_000, "Paket pangan bulanan")],
}
#: A tiny PDF as evidence (a real one would be a photo or a receipt).
_EVIDENCE = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _parents(admin: User, kabupaten: Wilayah, rng: random.Random) -> list[FosterParent]:
    parents = []
    for name, kind, contact, commitment, rupiah in PARENTS:
        parent = FosterParent.objects.filter(kabupaten=kabupaten, name=name).first()
        if parent is None:
            parent = do_save_foster_parent(
                admin,
                FosterParent(
                    kabupaten=kabupaten,
                    name=name,
                    kind=kind,
                    contact=contact,
                    phone=f"08{rng.randint(1100000000, 1399999999)}",
                    commitment=commitment,
                    commitment_rupiah=rupiah,
                ),
                reason="data demo",
            )
        parents.append(parent)
    return parents


def seed(seed: int) -> None:
    admin = User.objects.filter(username="admin.lutim").first()
    kabupaten = Wilayah.objects.filter(pk=KABUPATEN).first()
    if admin is None or kabupaten is None:
        return
    rng = random.Random(seed + 11)  # seeded demo data, no secret  # nosec B311
    parents = _parents(admin, kabupaten, rng)
    if FosterMatch.objects.filter(desa__kabupaten_code=KABUPATEN).exists():
        return
    candidates = suggestions(admin, limit=1_000_000)  # the whole district: families and children are ranked together
    families = [c for c in candidates if c.kind == "family" and c.desa.kecamatan_code == "73.24.04"][:8]
    children = [c for c in candidates if c.kind == "child"][:5]
    start = dt.date(2024, 9, 1)
    evidence_left = 3
    for i, c in enumerate(families + children):
        parent = parents[i % len(parents)]
        shared = [SharedField.DESA, SharedField.HELP] + (
            [SharedField.NAME, SharedField.AGE] if c.kind == "child" else []
        )
        match = do_match(
            admin,
            parent,
            **{c.kind: c.obj},
            start_date=start + dt.timedelta(days=7 * i),
            shared_fields=shared,
            priority=c.score,
        )
        for month in range(rng.randint(2, 6)):
            for kind, value, description in _HELP[parent.kind]:
                if kind != HelpKind.FOOD and month:
                    continue  # building a toilet or a water connection happens once
                evidence = None
                if evidence_left and month == 0:
                    evidence, evidence_left = (
                        ContentFile(_EVIDENCE, name=f"bukti-bantuan-{i + 1}.pdf"),
                        evidence_left - 1,
                    )
                do_record_help(
                    admin,
                    match,
                    kind=kind,
                    value=value,
                    date=match.start_date + dt.timedelta(days=30 * month + 5),
                    description=description,
                    evidence=evidence,
                )
