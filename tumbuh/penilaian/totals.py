"""Each district's weighted total, its share of the most it could score, and the ranking.

A district's *total* is the sum over the criteria in its scope of weight × the value of the
level it got; its *maximum* the same with every criterion's highest level; its *achievement*
the total as a percentage of the maximum, so that a district in its year I (Aksi 1–4 only) and
one assessed on eight actions are ranked alike. The achievement is a two-decimal figure
(``PLACES``): the ranking compares the figures as shown (rounded once, by
``core.numbers.round_figure``), so two districts shown alike share a rank (1, 2, 2, 4).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from tumbuh.core.numbers import round_figure

from .scope import district_scopes

#: Decimals of the achievement (percent), as every page and export writes it.
PLACES = 2


@dataclass
class Cell:
    criterion: object
    year: int | None  #: the year of the aksi assessed, or None: outside the district's scope
    score: object | None = None

    @property
    def in_scope(self) -> bool:
        return self.year is not None

    @property
    def value(self) -> Decimal | None:
        return self.score.level.value if self.score is not None and self.score.level_id else None

    @property
    def weighted(self) -> Decimal | None:
        return None if self.value is None else self.criterion.weight * self.value


@dataclass
class Row:
    kabupaten: object
    cells: list[Cell] = field(default_factory=list)
    first_year: bool = False
    rank: int | None = None

    @property
    def total(self) -> Decimal:
        return sum((c.weighted for c in self.cells if c.in_scope and c.weighted is not None), Decimal(0))

    @property
    def maximum(self) -> Decimal:
        return sum((c.criterion.weight * c.criterion.max_value() for c in self.cells if c.in_scope), Decimal(0))

    @property
    def achievement(self) -> Decimal | None:
        """The total as a percentage of the maximum (unrounded); None with nothing to score."""
        return self.total * 100 / self.maximum if self.maximum else None

    @property
    def scored(self) -> int:
        return sum(1 for c in self.cells if c.in_scope and c.value is not None)

    @property
    def assessed(self) -> int:
        return sum(1 for c in self.cells if c.in_scope)


def grid(assessment, districts, scores, criteria) -> list[Row]:
    """One row per district of ``districts`` (Wilayah), a cell per criterion of ``criteria``
    (their levels prefetched), with the district's ``scores`` (Score, level selected)."""
    codes = [d.code for d in districts]
    scopes = district_scopes(assessment, codes)
    by_key = {(s.kabupaten_id, s.criterion_id): s for s in scores}
    rows = []
    for district in districts:
        years = {aksi: year for year, aksi in scopes[district.code]}
        row = Row(district, first_year=not any(y != assessment.year for y in years.values()))
        for c in criteria:
            row.cells.append(Cell(c, years.get(c.aksi), by_key.get((district.code, c.pk))))
        rows.append(row)
    return rows


def rank(rows: list[Row]) -> list[Row]:
    """``rows`` by achievement, best first, each with its ``rank`` (equal figures share one;
    a district with nothing to score comes last, unranked)."""
    shown = {id(r): round_figure(r.achievement, PLACES) for r in rows}
    ordered = sorted(rows, key=lambda r: (shown[id(r)] is None, -(shown[id(r)] or 0), r.kabupaten.code))
    previous, place = None, 0
    for i, r in enumerate(ordered, start=1):
        if shown[id(r)] is None:
            r.rank = None
            continue
        if shown[id(r)] != previous:
            place, previous = i, shown[id(r)]
        r.rank = place
    return ordered
