"""The plan as data: the activities of a kabupaten's year, and a frozen JSON copy of them.

The copy is what a Rembuk Stunting presents and agrees (``rembuk``), so it keeps names and
figures as they were, not ids that may change later."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import translation

from .models import Activity, FundingSource


def activities(kabupaten_code: str, year: int, *, within: str | None = None) -> QuerySet:
    """The year's activities; ``within`` a kecamatan: those reaching one of its desa, or no
    desa in particular (district-wide activities)."""
    qs = Activity.objects.filter(kabupaten_id=kabupaten_code, year=year).select_related("opd", "indicator")
    if within and within != kabupaten_code:
        qs = qs.filter(Q(desa__kecamatan_code=within) | Q(desa__isnull=True)).distinct()
    return qs.prefetch_related("desa")


def activity_row(a: Activity) -> dict:
    return {
        "id": a.pk,
        "opd": a.opd.short_name,
        "opd_name": a.opd.name,
        "program_code": a.program_code,
        "program": a.program,
        "kegiatan_code": a.kegiatan_code,
        "kegiatan": a.kegiatan,
        "sub_kegiatan_code": a.sub_kegiatan_code,
        "sub_kegiatan": a.sub_kegiatan,
        "indicator": a.indicator.code,
        "indicator_name": str(a.indicator),
        "desa": [{"code": d.code, "name": d.name} for d in sorted(a.desa.all(), key=lambda d: d.code)],
        "volume": str(a.volume),
        "unit": a.unit,
        "budget": int(a.budget),
        "funding_source": a.funding_source,
        "funding": a.funding_label,
        "start_month": a.start_month,
        "end_month": a.end_month,
        "timing": a.timing,
        "note": a.note,
    }


def snapshot(kabupaten_code: str, year: int, *, within: str | None = None) -> dict:
    """The plan frozen as JSON: every activity, and budget totals per OPD and funding source."""
    with translation.override("id"):  # frozen text stays in the language of the documents
        rows = [activity_row(a) for a in activities(kabupaten_code, year, within=within)]
        return {
            "kabupaten": kabupaten_code,
            "year": year,
            "within": within or kabupaten_code,
            "activities": rows,
            **totals(rows),
        }


def totals(rows: list[dict]) -> dict:
    by_opd: dict[str, dict] = defaultdict(lambda: {"activities": 0, "budget": 0})
    by_source = {s.value: 0 for s in FundingSource}
    for r in rows:
        by_opd[r["opd"]]["activities"] += 1
        by_opd[r["opd"]]["budget"] += r["budget"]
        by_source[r["funding_source"]] += r["budget"]
    return {
        "total_budget": sum(r["budget"] for r in rows),
        "by_opd": [{"opd": k, **v} for k, v in sorted(by_opd.items())],
        "by_source": [
            {"source": k, "label": str(FundingSource(k).label), "budget": v} for k, v in by_source.items() if v
        ],
    }


def budget_total(qs) -> Decimal:
    return sum((a.budget for a in qs), Decimal(0))
