"""BPS codes for the demo's Luwu Timur desa, so its Master Ansit shows both codes.

Made up in the shape BPS gives them (not BPS's real codes, which no package ships): the
province and district digits, the kecamatan numbered 010, 020, … and the desa 001, 002, … in
name order within their kecamatan, as BPS numbers them its own way. Deterministic; set through
the audited action as "sistem", once (a desa that has a code keeps it)."""

from __future__ import annotations

from tumbuh.accounts import policy
from tumbuh.audit.actions import do_save
from tumbuh.wilayah.models import BpsCode, Level, Wilayah

KABUPATEN = "73.24"
REASON = "data demo"


def demo_bps_codes(kabupaten: str = KABUPATEN) -> dict[str, str]:
    """Kemendagri code → a plausible 10-digit BPS code, for every desa of ``kabupaten``."""
    prefix = kabupaten.replace(".", "")
    kecamatan = list(
        Wilayah.objects.filter(level=Level.KECAMATAN, kabupaten_code=kabupaten)
        .order_by("code")
        .values_list("code", flat=True)
    )
    codes = {}
    for k, kec in enumerate(kecamatan, start=1):
        desa = (
            Wilayah.objects.filter(level=Level.DESA, kecamatan_code=kec)
            .order_by("name", "code")
            .values_list("code", flat=True)
        )
        for d, code in enumerate(desa, start=1):
            codes[code] = f"{prefix}{k * 10:03d}{d:03d}"
    return codes


def load_demo_bps_codes(kabupaten: str = KABUPATEN) -> int:
    """Give the district's desa their demo BPS codes; returns how many were set."""
    codes = demo_bps_codes(kabupaten)
    n = 0
    for desa in BpsCode.objects.filter(code__in=codes, bps_code=""):
        desa.bps_code = codes[desa.code]
        do_save(policy.SYSTEM, desa, reason=REASON, validate=False)
        n += 1
    return n
