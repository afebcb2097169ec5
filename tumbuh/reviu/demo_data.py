"""Luwu Timur's review of 2025: each OPD's realisation of the 2025 plan, the problems met and
the recommendations that seed the 2026 situation analysis."""

from __future__ import annotations

import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal

from tumbuh.accounts import policy
from tumbuh.indikator.models import Indicator
from tumbuh.organisation.models import Opd
from tumbuh.rencana.models import Activity

from . import actions
from .models import AnnualReview, Realisation, Recommendation

#: The demo is written by the system itself (audited as "sistem"), like the rest of build_demo.
SYSTEM = policy.SYSTEM
RECOMMENDATIONS = [
    (
        "Perluas PMT lokal ibu hamil KEK ke seluruh desa lokus dan mulai pada triwulan pertama.",
        "bumil-kek-pmt",
        "DINKES",
    ),
    (
        "Percepat pembangunan SPAM perpipaan: kontrak paling lambat bulan Mei agar selesai dalam tahun anggaran.",
        "air-minum-layak",
        "DPUPR",
    ),
    (
        "Pastikan setiap keluarga berisiko stunting di desa lokus didampingi TPK dan laporannya masuk setiap bulan.",
        "krs-pendampingan",
        "DP2KB",
    ),
    (
        "Tambahkan desa dengan prevalensi naik antara Februari dan Agustus 2025 ke dalam kandidat desa lokus 2026.",
        None,
        None,
    ),
]


def seed(seed: int) -> None:
    if AnnualReview.objects.filter(kabupaten_id="73.24", year=2025).exists():
        return
    rng = random.Random(seed + 8)  # seeded demo data, no secret  # nosec B311
    for activity in Activity.objects.filter(kabupaten_id="73.24", year=2025).order_by("pk"):
        physical_share = Decimal(str(rng.choice([0.65, 0.8, 0.9, 1.0, 1.0, 1.05])))
        budget_share = min(Decimal(1), physical_share * Decimal(str(rng.uniform(0.85, 0.98))))
        problems = (
            "Pengadaan terlambat; sebagian sasaran belum terjangkau sampai akhir tahun."
            if physical_share < Decimal("0.8")
            else ""
        )
        actions.do_save_realisation(
            SYSTEM,
            Realisation(
                activity=activity,
                physical=(activity.volume * physical_share).quantize(Decimal(1), ROUND_HALF_UP),
                budget=(activity.budget * budget_share / 1000).quantize(Decimal(1)) * 1000,
                problems=problems,
            ),
            reason="data demo",
        )
    review = actions.do_save_review(
        SYSTEM,
        AnnualReview(
            kabupaten_id="73.24",
            year=2025,
            nomor="050/402/TPPS-LT/XII/2025",
            date=dt.date(2025, 12, 18),
            signing_place="Malili",
            signer_name="Ir. Hasnah Sulaiman (fiktif)",
            problems="Data cakupan beberapa indikator sensitif belum dilaporkan per desa\n"
            "Pencairan Dana Desa tahap II terlambat di sebagian desa lokus\n"
            "Sebagian posyandu belum memiliki alat ukur panjang badan terstandar",
        ),
        reason="data demo",
    )
    opd = {o.short_name: o for o in Opd.objects.filter(kabupaten_id="73.24")}
    indicators = {i.code: i for i in Indicator.objects.filter(kabupaten=None)}
    for order, (text, indicator, short) in enumerate(RECOMMENDATIONS, 1):
        actions.do_save_recommendation(
            SYSTEM,
            Recommendation(
                review=review,
                text=text,
                order=order,
                indicator=indicators.get(indicator),
                opd=opd.get(short),
            ),
            reason="data demo",
        )
