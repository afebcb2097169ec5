"""Demo coverage for Luwu Timur, data year 2025 (what Aksi 1 for 2026 analyses).

The desa of three kecamatan (Malili, Angkona, Nuha: 30 desa; the others have not reported,
as happens) get a plausible, reproducible value for a handful of indicators, lower in some
kecamatan than in others so the gap heatmap shows a pattern; "balita dipantau" and vitamin A
are computed from the demo measurements, and so are the district's own indicators the demo
gives Luwu Timur for the other services its visits record (KIA book, weight gain N/D′, kelas
ibu balita, MBG: :data:`DISTRICT_INDICATORS`). Written through ``set_coverage`` (audited) by
the secretariat, in one transaction; kept small because it runs for every test session."""

from __future__ import annotations

import random

from django.core.management import call_command
from django.db import transaction

from tumbuh.accounts import policy
from tumbuh.audit.actions import do_save
from tumbuh.wilayah.models import Level, Wilayah

from .actions import set_coverage
from .catalogue import CATALOGUE
from .computations import DEFINITIONS, FROM_VISITS, compute
from .models import Category, Computation, Coverage, CoverageSource, Indicator

KABUPATEN = "73.24"
YEAR = 2025
KECAMATAN = ("73.24.04", "73.24.05", "73.24.02")
REASON = "Data demo"
#: indicator → usual coverage (%) in the district
INDICATORS = {
    "bumil-ttd-90": 72,
    "asi-eksklusif": 66,
    "imunisasi-dasar-lengkap": 84,
    "air-minum-layak": 81,
    "sanitasi-layak": 74,
}
#: Luwu Timur's own indicators computed by Tumbuh: (code, short name, name, kind, computation, lead OPD)
DISTRICT_INDICATORS = [
    (
        "balita-buku-kia",
        "Balita punya buku KIA",
        "Balita yang memiliki buku Kesehatan Ibu dan Anak (KIA)",
        "spesifik",
        Computation.KIA_BOOK,
        "DINKES",
    ),
    (
        "balita-naik-bb",
        "Balita naik BB (N/D′)",
        "Balita yang naik berat badannya di antara yang ditimbang dua bulan berturut-turut",
        "spesifik",
        Computation.WEIGHT_GAIN,
        "DINKES",
    ),
    (
        "kelas-ibu-balita",
        "Kelas ibu balita",
        "Ibu balita yang mengikuti kelas ibu balita",
        "spesifik",
        Computation.KELAS_IBU_BALITA,
        "DINKES",
    ),
    (
        "balita-mbg",
        "Balita terima MBG",
        "Balita yang menerima Makan Bergizi Gratis (MBG)",
        "sensitif",
        Computation.MBG,
        "",
    ),
]


@transaction.atomic  # one commit: seconds, not half a minute, on SQLite
def seed(seed: int) -> None:
    # Demo records are logged as "sistem" (policy.SYSTEM), not as a demo user.
    if Indicator.objects.national().count() < len(CATALOGUE):
        # A flushed test database (browser tests) has lost the catalogue its migration seeded.
        call_command("load_indicators", verbosity=0)
    _district_indicators()
    desa = list(Wilayah.objects.filter(level=Level.DESA, kecamatan_code__in=KECAMATAN).order_by("code"))
    if not Coverage.objects.filter(desa__kabupaten_code=KABUPATEN, year=YEAR, source=CoverageSource.IMPORTED).exists():
        _entered(seed, desa)
    # Every run (a second one writes nothing: unchanged rows are not saved again). What the
    # visits feed only: the KRS list and its TPK visits come after this seed (app krs), and the
    # lokus seeded in between ranks on this coverage; "KRS didampingi" is computed by a KRS import.
    compute(KABUPATEN, YEAR, [w.code for w in desa], actor=policy.SYSTEM, computations=FROM_VISITS)


def _district_indicators() -> None:
    from tumbuh.organisation.models import Opd

    opd = dict(Opd.objects.filter(kabupaten_id=KABUPATEN).values_list("short_name", "pk"))
    for code, short_name, name, kind, computation, lead in DISTRICT_INDICATORS:
        if Indicator.objects.filter(kabupaten_id=KABUPATEN, code=code).exists():
            continue
        numerator, denominator = DEFINITIONS[computation]
        do_save(
            policy.SYSTEM,
            Indicator(
                kabupaten_id=KABUPATEN,
                code=code,
                short_name=short_name,
                name=name,
                kind=kind,
                category=Category.DISTRICT,
                computed_from=computation,
                numerator=numerator,
                denominator=denominator,
                target_group="Balita 0–59 bulan",
                responsible_opd_id=opd.get(lead),
                order=500,
            ),
            reason=REASON,
        )


def _entered(seed: int, desa: list[Wilayah]) -> None:
    rng = random.Random(seed)  # seeded demo data, no secret  # nosec B311
    kecamatan_shift = {k: rng.uniform(-14, 8) for k in sorted({w.kecamatan_code for w in desa})}
    for code, usual in INDICATORS.items():
        indicator = Indicator.objects.get(kabupaten=None, code=code)
        for w in desa:
            denominator = rng.randint(12, 60)
            share = min(1.0, max(0.15, (usual + kecamatan_shift[w.kecamatan_code] + rng.gauss(0, 8)) / 100))
            set_coverage(
                policy.SYSTEM,
                indicator,
                w.code,
                YEAR,
                numerator=round(denominator * share),
                denominator=denominator,
                source=CoverageSource.IMPORTED,
                reason=REASON,
            )
