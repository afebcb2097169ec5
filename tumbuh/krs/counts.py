"""What other apps ask of the KRS list."""

from __future__ import annotations

from .models import Keluarga


def latest_year(desa_code: str | None = None) -> int | None:
    qs = Keluarga.objects.all()
    if desa_code:
        qs = qs.filter(desa_id=desa_code)
    return qs.order_by("-tahun").values_list("tahun", flat=True).first()


def krs_count(desa_code: str, year: int | None = None) -> int:
    """How many at-risk families the desa has in ``year``'s list (the latest list if None).

    Not scoped: callers ask the policy before showing the number."""
    if year is None:
        year = latest_year(desa_code)
        if year is None:
            return 0
    return Keluarga.objects.filter(desa_id=desa_code, tahun=year).count()
