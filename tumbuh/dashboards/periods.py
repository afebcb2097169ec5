"""Reporting periods: a measurement round (February or August, Bulan Penimbangan Balita), a
calendar month, or a calendar year.

A period is a closed date range. A child counts once per period: their latest measurement
dated inside it (see ``aggregates``). Periods have a short, URL-safe key:

- ``R2025-08``: the August 2025 round (measurements dated 1–31 August 2025);
- ``M2025-03``: March 2025;
- ``Y2025``: the year 2025.

A round and its month cover the same dates; the round is what the TPPS reports on (twice a
year), the month and year views serve monitoring.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

ROUND_MONTHS = (2, 8)
KINDS = ("round", "month", "year")

_MONTHS_ID = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
_KEY = re.compile(r"^(?:R(?P<ry>\d{4})-(?P<rm>02|08)|M(?P<my>\d{4})-(?P<mm>0[1-9]|1[0-2])|Y(?P<yy>\d{4}))$")


@dataclass(frozen=True, order=True)
class Period:
    kind: str  # "round" | "month" | "year"
    year: int
    month: int | None = None  # 2 or 8 for a round, 1–12 for a month, None for a year

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown period kind {self.kind!r}")
        if self.kind == "round" and self.month not in ROUND_MONTHS:
            raise ValueError("a round is February (2) or August (8)")
        if self.kind == "month" and not (self.month and 1 <= self.month <= 12):
            raise ValueError("month must be 1–12")
        if self.kind == "year" and self.month is not None:
            raise ValueError("a year has no month")

    # ---------------------------------------------------------------- constructors
    @classmethod
    def round(cls, year: int, month: int) -> Period:
        return cls("round", year, month)

    @classmethod
    def month_of(cls, year: int, month: int) -> Period:
        return cls("month", year, month)

    @classmethod
    def year_of(cls, year: int) -> Period:
        return cls("year", year)

    @classmethod
    def parse(cls, key: str) -> Period:
        """``R2025-08`` / ``M2025-03`` / ``Y2025`` → Period; ValueError otherwise."""
        m = _KEY.match((key or "").strip())
        if not m:
            raise ValueError(f"not a period key: {key!r}")
        if m["ry"]:
            return cls("round", int(m["ry"]), int(m["rm"]))
        if m["my"]:
            return cls("month", int(m["my"]), int(m["mm"]))
        return cls("year", int(m["yy"]))

    @classmethod
    def round_containing(cls, day: dt.date) -> Period:
        """The latest round that started on or before ``day``."""
        if day.month >= 8:
            return cls.round(day.year, 8)
        if day.month >= 2:
            return cls.round(day.year, 2)
        return cls.round(day.year - 1, 8)

    # ---------------------------------------------------------------- properties
    @property
    def key(self) -> str:
        if self.kind == "round":
            return f"R{self.year}-{self.month:02d}"
        if self.kind == "month":
            return f"M{self.year}-{self.month:02d}"
        return f"Y{self.year}"

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.month or 1, 1)

    @property
    def end(self) -> dt.date:
        """Last day, inclusive."""
        if self.kind == "year":
            return dt.date(self.year, 12, 31)
        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def label(self) -> str:
        if self.kind == "round":
            return _("Round %(month)s %(year)s") % {"month": _MONTHS_ID[self.month - 1], "year": self.year}
        if self.kind == "month":
            return f"{_MONTHS_ID[self.month - 1]} {self.year}"
        return str(self.year)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def previous(self) -> Period:
        if self.kind == "year":
            return Period.year_of(self.year - 1)
        if self.kind == "round":
            return Period.round(self.year, 2) if self.month == 8 else Period.round(self.year - 1, 8)
        return Period.month_of(self.year - 1, 12) if self.month == 1 else Period.month_of(self.year, self.month - 1)

    def __str__(self) -> str:
        return self.label


def periods_covering(day: dt.date) -> list[Period]:
    """Every period whose date range holds ``day`` (its month, its year, and its round if any)."""
    out = [Period.month_of(day.year, day.month), Period.year_of(day.year)]
    if day.month in ROUND_MONTHS:
        out.insert(0, Period.round(day.year, day.month))
    return out


def periods_between(first: dt.date, last: dt.date, kind: str) -> list[Period]:
    """All periods of ``kind`` from the one holding ``first`` to the one holding ``last``."""
    out: list[Period] = []
    if kind == "year":
        return [Period.year_of(y) for y in range(first.year, last.year + 1)]
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        if kind == "month":
            out.append(Period.month_of(y, m))
        elif m in ROUND_MONTHS:
            out.append(Period.round(y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out
