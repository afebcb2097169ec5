"""Scorecard items Tumbuh already knows, from the child's measurements.

- ``timbang`` (weighed every month): Y when the child has a weight in every month of the
  quarter in which it was alive and under 24 months; T when a month is missing.
- ``ukur_panjang`` (length measured at least twice a year): Y with two or more length/height
  measurements in the 12 months ending with the quarter; TS for a child under 6 months at the
  quarter's end that has fewer (too young to have had two); T otherwise.
- ``kunjungan_gizi`` (home visit if underweight or stunted): TS when the child's latest
  measurement up to the quarter's end is neither stunted (TB/U) nor underweight (BB/U);
  otherwise Tumbuh does not know about home visits, and the KPM answers.

The services a visit records besides the measurements (``Measurement.SERVICE_FIELDS``: vitamin
A, KIA book, weight gain N/T/O/B, KPSP, kelas ibu balita, MBG, exclusive breastfeeding) answer
no item of the Kemendes scorecard, so none is filled from them (they feed coverage indicators
instead, ``indikator/computations.py``):

- vitamin A, the KIA book, KPSP and MBG are not items of the scorecard (the ten items for a
  child 0–23 months, as DOMAIN.md lists them and ``scorecard.GROUPS`` declares them, have no
  "pemberian vitamin A" or "buku KIA");
- kelas ibu balita, the health centre's class for mothers of under-fives, is neither
  ``konseling`` (the parent at monthly nutrition counselling) nor ``kelas_pengasuhan``
  (the parenting class of Bina Keluarga Balita, BKB): a Y there would claim a service the
  record does not show;
- weight gain judges a weighing (gained or not since last month), it does not say whether
  the child was weighed every month: ``timbang`` stays computed from the weights.
"""

from __future__ import annotations

import calendar
import datetime as dt

from tumbuh.measurements.models import Child, Measurement

from .scorecard import TS, T, Y

_STUNTED = {"pendek", "sangat_pendek"}
_UNDERWEIGHT = {"bb_kurang", "bb_sangat_kurang"}


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    first_month = 3 * quarter - 2
    last_month = first_month + 2
    return dt.date(year, first_month, 1), dt.date(year, last_month, calendar.monthrange(year, last_month)[1])


def _months(start: dt.date) -> list[tuple[int, int, dt.date, dt.date]]:
    out = []
    for i in range(3):
        month = start.month + i
        first = dt.date(start.year, month, 1)
        out.append((start.year, month, first, dt.date(start.year, month, calendar.monthrange(start.year, month)[1])))
    return out


def child_answers(child: Child, year: int, quarter: int) -> dict[str, str]:
    """The items of a child 0–23 months that Tumbuh can answer for this quarter."""
    start, end = quarter_bounds(year, quarter)
    visits = list(
        Measurement.objects.filter(child=child, date__lte=end)
        .order_by("date")
        .values("date", "weight", "lenhei", "status_tbu", "status_bbu")
    )
    answers: dict[str, str] = {}

    eligible = [
        (y, m)
        for y, m, first, last in _months(start)
        if child.birth_date <= last and (first - child.birth_date).days < 731
    ]
    weighed = {(v["date"].year, v["date"].month) for v in visits if v["weight"] is not None and v["date"] >= start}
    answers["timbang"] = TS if not eligible else (Y if all(ym in weighed for ym in eligible) else T)

    window_start = max(child.birth_date, end - dt.timedelta(days=365))
    measured = sum(1 for v in visits if v["lenhei"] is not None and v["date"] >= window_start)
    if measured >= 2:
        answers["ukur_panjang"] = Y
    else:
        answers["ukur_panjang"] = TS if (end - child.birth_date).days < 183 else T

    latest = visits[-1] if visits else None
    if (
        latest
        and latest["status_tbu"]
        and latest["status_tbu"] not in _STUNTED
        and latest["status_bbu"] not in _UNDERWEIGHT
    ):
        answers["kunjungan_gizi"] = TS
    return answers
