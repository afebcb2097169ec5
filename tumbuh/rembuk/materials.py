"""What a rembuk presents: the Aksi 1 outputs (the lokus desa and their unaddressed coverage
gaps) and the Aksi 2 plan, as plain JSON so they stay as they were on the day."""

from __future__ import annotations

from tumbuh.analisis.models import lokus_desa
from tumbuh.rencana import gaps as plan_gaps
from tumbuh.rencana import plan as rencana_plan
from tumbuh.wilayah.models import Wilayah

from .models import RembukEvent


def lokus_codes(event: RembukEvent) -> list[str]:
    """The year's lokus desa inside the rembuk's region."""
    codes = lokus_desa(event.kabupaten_code, event.year)
    return [c for c in codes if c == event.wilayah_id or c.startswith(event.wilayah_id + ".")]


def plan(event: RembukEvent) -> dict:
    """The Aksi 2 activities of the rembuk's year (a kecamatan: those reaching its desa)."""
    return rencana_plan.snapshot(event.kabupaten_code, event.year, within=event.wilayah_id)


def collect(event: RembukEvent) -> dict:
    """The Aksi 1 outputs and the Aksi 2 plan as they stand (``actions.do_freeze_materials`` stamps them)."""
    inside = set(lokus_codes(event))
    lokus = [
        {"code": w.code, "name": w.name, "kecamatan": w.parent.name if w.parent_id else ""}
        for w in Wilayah.objects.filter(code__in=inside).select_related("parent").order_by("code")
    ]
    check = plan_gaps.check(event.kabupaten_code, event.year)
    gaps = [
        {
            "desa": g.desa_name,
            "desa_code": g.desa_code,
            "kecamatan": g.kecamatan_name,
            "indicator": g.indicator,
            "coverage": float(g.coverage),
            "target": float(g.target),
            "gap": float(g.gap),
            "data_year": g.data_year,
        }
        for g in check.unaddressed
        if g.desa_code in inside
    ]
    return {"year": event.year, "aksi1": {"lokus": lokus, "unaddressed_gaps": gaps}, "aksi2": plan(event)}
