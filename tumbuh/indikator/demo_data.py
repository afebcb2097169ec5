"""Demo coverage for Luwu Timur, data year 2025 (what Aksi 1 for 2026 analyses).

The desa of three kecamatan (Malili, Angkona, Nuha: 30 desa; the others have not reported,
as happens) get a plausible, reproducible value for a handful of indicators, lower in some
kecamatan than in others so the gap heatmap shows a pattern; "balita dipantau" is computed from
the demo measurements. Written through ``set_coverage`` (audited) by the secretariat, in one
transaction; kept small because it runs for every test session."""

from __future__ import annotations

import random

from django.core.management import call_command
from django.db import transaction

from tumbuh.wilayah.models import Level, Wilayah

from .actions import set_coverage
from .catalogue import CATALOGUE
from .computations import compute
from .models import Coverage, CoverageSource, Indicator

KABUPATEN = "73.24"
YEAR = 2025
KECAMATAN = ("73.24.04", "73.24.05", "73.24.02")
REASON = "Data demo"
#: indicator → usual coverage (%) in the district
INDICATORS = {
    "bumil-ttd-90": 72, "asi-eksklusif": 66, "imunisasi-dasar-lengkap": 84, "air-minum-layak": 81,
    "sanitasi-layak": 74,
}


@transaction.atomic  # one commit: seconds, not half a minute, on SQLite
def seed(seed: int) -> None:
    system = None  # demo records are logged as "sistem", not as a demo user
    if Indicator.objects.national().count() < len(CATALOGUE):
        # A flushed test database (browser tests) has lost the catalogue its migration seeded.
        call_command("load_indicators", verbosity=0)
    if Coverage.objects.filter(desa__kabupaten_code=KABUPATEN, year=YEAR).exists():
        return
    rng = random.Random(seed)
    desa = list(Wilayah.objects.filter(level=Level.DESA, kecamatan_code__in=KECAMATAN).order_by("code"))
    kecamatan_shift = {k: rng.uniform(-14, 8) for k in sorted({w.kecamatan_code for w in desa})}
    for code, usual in INDICATORS.items():
        indicator = Indicator.objects.get(kabupaten=None, code=code)
        for w in desa:
            denominator = rng.randint(12, 60)
            share = min(1.0, max(0.15, (usual + kecamatan_shift[w.kecamatan_code] + rng.gauss(0, 8)) / 100))
            set_coverage(system, indicator, w.code, YEAR, numerator=round(denominator * share), denominator=denominator,
                         source=CoverageSource.IMPORTED, reason=REASON)
    compute(KABUPATEN, YEAR, [w.code for w in desa])
