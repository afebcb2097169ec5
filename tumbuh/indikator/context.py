"""Which district and year a convergence page is about (shared by indikator, aksi, analisis)."""

from __future__ import annotations

import datetime

from tumbuh.core.focus import kabupaten_of  # noqa: F401  (here for the apps that import it from here)


def year_of(request, default: int | None = None) -> int:
    """``?year=`` when it is a plausible year, else ``default`` (this year)."""
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or 0)
    except ValueError:
        year = 0
    return year if 2000 <= year <= 2100 else (default or datetime.date.today().year)
