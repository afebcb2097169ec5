"""Luwu Timur's convergence plans for 2025 (reviewed in ``reviu``) and 2026 (agreed at the
demo Rembuk Stunting), written by the system (audited as "sistem") through the same action the pages use.

Nomenclature codes are illustrative, in the Kepmendagri 050-5889/2021 format; some
activities (Dana Desa, CSR/GENTING, or a code not known yet) carry none. Target desa are the year's lokus (Aksi 1) when
selected, else desa of Malili, Towuti and Burau, the kecamatan with the highest prevalence."""

from __future__ import annotations

import random
from decimal import Decimal

from tumbuh.accounts import policy
from tumbuh.analisis.models import lokus_desa
from tumbuh.indikator.models import Indicator
from tumbuh.organisation.models import Opd
from tumbuh.wilayah.models import Level, Wilayah

from .actions import do_save_activity
from .models import Activity

KABUPATEN = "73.24"
REASON = "data demo"

#: (OPD, indicator, program code, program, kegiatan code, kegiatan, sub code, sub-kegiatan, volume, unit, budget,
#:  funding, months, how many target desa (0: the whole kabupaten))
ACTIVITIES = [
    (
        "DINKES",
        "bumil-kek-pmt",
        "1.02.02",
        "Program Pemenuhan Upaya Kesehatan Perorangan dan Upaya Kesehatan Masyarakat",
        "1.02.02.2.02",
        "Penyediaan Layanan Kesehatan untuk UKM dan UKP Rujukan Tingkat Daerah Kabupaten/Kota",
        "1.02.02.2.02.0033",
        "PMT lokal bagi ibu hamil KEK",
        450,
        "orang",
        675_000_000,
        "apbd",
        (3, 11),
        6,
    ),
    (
        "DINKES",
        "balita-dipantau",
        "1.02.02",
        "Program Pemenuhan Upaya Kesehatan Perorangan dan Upaya Kesehatan Masyarakat",
        "1.02.02.2.02",
        "Penyediaan Layanan Kesehatan untuk UKM dan UKP Rujukan Tingkat Daerah Kabupaten/Kota",
        "",
        "Pengadaan alat antropometri terstandar untuk posyandu",
        60,
        "unit",
        480_000_000,
        "dak",
        (2, 6),
        0,
    ),
    (
        "DINKES",
        "remaja-putri-ttd",
        "1.02.02",
        "Program Pemenuhan Upaya Kesehatan Perorangan dan Upaya Kesehatan Masyarakat",
        "1.02.02.2.02",
        "Penyediaan Layanan Kesehatan untuk UKM dan UKP Rujukan Tingkat Daerah Kabupaten/Kota",
        "",
        "Aksi bergizi: TTD remaja putri di sekolah",
        4200,
        "orang",
        96_000_000,
        "apbd",
        (1, 12),
        0,
    ),
    (
        "DP2KB",
        "krs-pendampingan",
        "2.14.04",
        "Program Pemberdayaan dan Peningkatan Keluarga Sejahtera (KS)",
        "2.14.04.2.01",
        "Pelaksanaan Pembangunan Keluarga melalui Pembinaan Ketahanan dan Kesejahteraan Keluarga",
        "",
        "Pendampingan keluarga berisiko stunting oleh Tim Pendamping Keluarga",
        1200,
        "keluarga",
        350_000_000,
        "apbd",
        (1, 12),
        8,
    ),
    (
        "DPUPR",
        "air-minum-layak",
        "1.03.03",
        "Program Pengelolaan dan Pengembangan Sistem Penyediaan Air Minum",
        "1.03.03.2.01",
        "Pengelolaan dan Pengembangan Sistem Penyediaan Air Minum (SPAM) di Daerah Kabupaten/Kota",
        "",
        "Pembangunan SPAM jaringan perpipaan desa",
        3,
        "unit",
        1_950_000_000,
        "dak",
        (4, 10),
        3,
    ),
    (
        "DISPERKIM",
        "sanitasi-layak",
        "",
        "Program Kawasan Permukiman",
        "",
        "Peningkatan kualitas sanitasi permukiman",
        "",
        "Bantuan jamban sehat individual",
        150,
        "unit",
        525_000_000,
        "apbd",
        (5, 11),
        4,
    ),
    (
        "DPMD",
        "posyandu-aktif",
        "",
        "Pemberdayaan Masyarakat Desa",
        "",
        "Fasilitasi konvergensi stunting di desa",
        "",
        "Insentif KPM dan operasional posyandu dari Dana Desa",
        40,
        "desa",
        1_280_000_000,
        "dana_desa",
        (1, 12),
        8,
    ),
    (
        "SETDA",
        "gizi-kurang-pmt",
        "",
        "Gerakan Orang Tua Asuh Cegah Stunting (GENTING)",
        "",
        "Bantuan pangan bergizi",
        "",
        "Paket pangan bergizi bagi baduta gizi kurang dari orang tua asuh",
        300,
        "paket",
        450_000_000,
        "csr",
        (6, 12),
        5,
    ),
    (
        "DISDUKCAPIL",
        "akta-kelahiran",
        "2.12.02",
        "Program Pendaftaran Penduduk",
        "",
        "Pelayanan Pendaftaran Penduduk",
        "",
        "Jemput bola akta kelahiran di posyandu",
        1500,
        "dokumen",
        85_000_000,
        "apbd",
        (3, 9),
        0,
    ),
]


def target_desa(year: int, rng: random.Random) -> list[str]:
    lokus = lokus_desa(KABUPATEN, year)
    if lokus:
        return sorted(lokus)
    desa = list(
        Wilayah.objects.filter(level=Level.DESA, kecamatan_code__in=["73.24.04", "73.24.03", "73.24.07"])
        .order_by("code")
        .values_list("code", flat=True)
    )
    return sorted(rng.sample(desa, min(10, len(desa))))


def seed(seed: int) -> None:
    if not Opd.objects.filter(kabupaten_id=KABUPATEN).exists():
        return
    for year, scale in ((2025, Decimal("0.9")), (2026, Decimal(1))):
        if Activity.objects.filter(kabupaten_id=KABUPATEN, year=year).exists():
            continue
        rng = random.Random(seed + year)  # seeded demo data, no secret  # nosec B311
        lokus = target_desa(year, rng)
        opd = {o.short_name: o for o in Opd.objects.filter(kabupaten_id=KABUPATEN)}
        indicators = {i.code: i for i in Indicator.objects.filter(kabupaten=None)}
        for short, code, pcode, prog, kcode, keg, scode, sub, volume, unit, budget, funding, (
            m1,
            m2,
        ), n_desa in ACTIVITIES:
            if short not in opd or code not in indicators:
                continue
            desa = sorted(rng.sample(lokus, min(n_desa, len(lokus)))) if n_desa else []
            activity = Activity(
                kabupaten_id=KABUPATEN,
                year=year,
                opd=opd[short],
                indicator=indicators[code],
                program_code=pcode,
                program=prog,
                kegiatan_code=kcode,
                kegiatan=keg,
                sub_kegiatan_code=scode,
                sub_kegiatan=sub,
                volume=Decimal(volume),
                unit=unit,
                budget=(Decimal(budget) * scale).quantize(Decimal(1_000_000)),
                funding_source=funding,
                start_month=m1,
                end_month=m2,
            )
            do_save_activity(policy.SYSTEM, activity, desa=Wilayah.objects.filter(code__in=desa), reason=REASON)
