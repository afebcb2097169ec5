"""The lokus ranking: a transparent score per desa, in plain Python (no models).

Every part is a number the team can check in the situation table, scaled against the worst
desa of the district (the desa with the highest value gets 1, a desa with none gets 0):

- ``prevalence``: the stunting prevalence, as the small-area estimate (which pulls a desa with
  few children measured towards its kecamatan, so three children do not make a "67 %" desa);
- ``stunted``: the number of stunted children (pendek + sangat pendek) measured;
- ``coverage_gap``: the mean gap to target, in percentage points, over the indicators with
  both a target and a reported coverage;
- ``data_quality``: how weak the data are: the percentage of the desa's under-fives *not*
  measured (100 when none was measured or the number of under-fives is unknown).

A desa with no prevalence (nobody measured) or no coverage reported is not rewarded for the
missing figure: that part takes the mean of the desa that have it, and says so (``imputed``).

score = Σ weight × scaled part ÷ Σ weights × 100, so 0–100, to two decimals (as a decision stores
it, rounded by the one rule of ``tumbuh.core.numbers``): the live score, the stored one, the
reason quoting it and the decree then show the same figure, never one rounded twice. Ties are
broken by the desa code, so the same figures and weights always give the same order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from tumbuh.core.numbers import round_figure

PARTS = ("prevalence", "stunted", "coverage_gap", "data_quality")
#: Decimals of a score (``Lokus.score`` stores two).
SCORE_PLACES = 2


@dataclass(frozen=True)
class DesaFigures:
    code: str
    name: str
    prevalence: float | None  # %, small-area estimate
    stunted: int
    coverage_gap: float | None  # mean gap to target, percentage points
    measured_share: float | None  # 0–1: children measured ÷ under-fives


def _rounded(x: float, places: int) -> float:
    return float(round_figure(x, places))


@dataclass
class Part:
    name: str
    value: float | None  # the figure as in the table
    scaled: float  # 0–1 against the worst desa
    weight: float
    points: float  # weight × scaled ÷ Σ weights × 100
    imputed: bool = False  # no figure for this desa: the mean of the other desa was used

    def as_dict(self) -> dict:
        return {
            "value": self.value,
            "scaled": _rounded(self.scaled, 4),
            "weight": self.weight,
            "points": _rounded(self.points, 2),
            "imputed": self.imputed,
        }


@dataclass
class Score:
    code: str
    name: str
    score: float
    rank: int
    parts: list[Part] = field(default_factory=list)

    def snapshot(self) -> dict:
        return {
            "score": _rounded(self.score, SCORE_PLACES),
            "rank": self.rank,
            "parts": {p.name: p.as_dict() for p in self.parts},
        }


#: Parts whose missing figure takes the mean of the other desa (not zero: no reward for no data).
IMPUTED = ("prevalence", "coverage_gap")


def _raw(d: DesaFigures) -> dict[str, float | None]:
    weak = 100.0 if d.measured_share is None else max(0.0, 100.0 * (1.0 - min(1.0, d.measured_share)))
    return {
        "prevalence": d.prevalence,
        "stunted": float(d.stunted),
        "coverage_gap": d.coverage_gap,
        "data_quality": weak,
    }


def rank(desa: Sequence[DesaFigures], weights: Mapping[str, float]) -> list[Score]:
    """Scores for every desa, best-first (highest need first)."""
    total = sum(float(weights.get(p, 0)) for p in PARTS)
    if total <= 0:
        raise ValueError("at least one weight must be positive")
    raws = {d.code: _raw(d) for d in desa}
    known = {p: [r[p] for r in raws.values() if r[p] is not None] for p in PARTS}
    highest = {p: max(known[p], default=0.0) for p in PARTS}
    mean = {p: sum(known[p]) / len(known[p]) if known[p] else None for p in IMPUTED}
    scores = []
    for d in desa:
        parts = []
        for p in PARTS:
            value = raws[d.code][p]
            imputed = value is None and p in IMPUTED and mean[p] is not None
            used = mean[p] if imputed else value
            scaled = (used / highest[p]) if used is not None and highest[p] > 0 else 0.0
            w = float(weights.get(p, 0))
            parts.append(Part(p, used, scaled, w, w * scaled / total * 100, imputed))
        scores.append(Score(d.code, d.name, float(round_figure(sum(x.points for x in parts), SCORE_PLACES)), 0, parts))
    scores.sort(key=lambda s: (-s.score, s.code))
    for i, s in enumerate(scores, start=1):
        s.rank = i
    return scores
