"""Demo: Sulawesi Selatan's rubric (the one Tumbuh ships), its penilaian kinerja of 2025, final,
with Luwu Timur's and Luwu's scores and comments, and of 2026, a draft under way."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from tumbuh.accounts import policy
from tumbuh.wilayah.models import Wilayah

from . import actions, rubric
from .models import Assessment, Criterion, Rubric

PROVINCE = "73"
REASON = "Data demo"
#: year → district → criterion code → (level value, comment)
SCORES = {
    2025: {
        "73.24": {
            "A1.1": (3, "Tabel situasi lengkap untuk semua desa; kesenjangan layanan dianalisis."),
            "A1.2": (2, "SK lokus ditetapkan."),
            "A2.1": (2, "Rencana lengkap, tetapi belum menjawab kesenjangan air minum di desa lokus."),
            "A3.1": (2, "Berita acara dan komitmen bertanda tangan."),
            "A4.1": (2, ""),
            "A5.1": (2, "KPM dilatih di sebagian besar desa."),
            "A6.1": (1, "Analisis kesenjangan data tanpa tindak lanjut."),
            "A7.1": (3, ""),
            "A7.2": (2, ""),
            "A8.1": (2, "Rekomendasi belum masuk analisis situasi."),
        },
        "73.17": {
            "A1.1": (2, "Sebagian desa belum ada data cakupan."),
            "A1.2": (2, ""),
            "A2.1": (1, "Hanya sebagian OPD."),
            "A3.1": (2, ""),
            "A4.1": (1, "Perbup masih rancangan."),
            "A5.1": (1, ""),
            "A6.1": (1, ""),
            "A7.1": (2, ""),
            "A7.2": (1, ""),
            "A8.1": (1, ""),
        },
    },
    2026: {"73.24": {"A1.1": (3, "Tabel situasi dan lokus di Tumbuh."), "A1.2": (2, "")}},
}


@transaction.atomic
def seed(seed: int) -> None:
    system = policy.SYSTEM
    province = Wilayah.objects.filter(code=PROVINCE).first()
    if province is None or Assessment.objects.filter(province=province).exists():
        return
    parsed = rubric.parse(rubric.DEFAULT_RUBRIC.read_bytes())
    shipped = Rubric.objects.filter(province=province, name=parsed.name, version=parsed.version).first()
    if shipped is None:
        shipped = rubric.load(system, province, parsed, reason=REASON)
    criteria = {c.code: c for c in Criterion.objects.filter(rubric=shipped).prefetch_related("levels")}
    for year, districts in SCORES.items():
        assessment = actions.do_start_assessment(system, province, year, shipped, reason=REASON)
        for code, scores in districts.items():
            if not Wilayah.objects.filter(code=code).exists():
                continue
            for criterion_code, (value, comment) in scores.items():
                criterion = criteria[criterion_code]
                level = next(level for level in criterion.levels.all() if level.value == value)
                actions.do_score(system, assessment, code, criterion, level, comment, reason=REASON)
        if year == 2025:
            at = timezone.make_aware(datetime.datetime(2026, 3, 20, 10, 0))
            actions.do_finalise(system, assessment, now=at, reason=REASON)
