"""Which district and year a convergence page is about (shared by indikator, aksi, analisis)."""

from __future__ import annotations

import datetime

from django.http import Http404

from tumbuh.accounts import policy
from tumbuh.core.focus import get_focus
from tumbuh.wilayah.models import Level, Wilayah


def kabupaten_of(request) -> Wilayah:
    """The user's district; for a superuser, the district of the region picker's focus."""
    user = request.user
    code = None
    if policy.is_global(user):
        focus = get_focus(request)
        code = (focus.kabupaten_code or focus.code) if focus else None
    elif user.wilayah_id:
        code = user.wilayah_id
    w = Wilayah.objects.filter(code=code[:5], level=Level.KABUPATEN).first() if code else None
    if w is None:
        raise Http404
    return w


def year_of(request, default: int | None = None) -> int:
    """``?year=`` when it is a plausible year, else ``default`` (this year)."""
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or 0)
    except ValueError:
        year = 0
    return year if 2000 <= year <= 2100 else (default or datetime.date.today().year)
