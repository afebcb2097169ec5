"""Small-cell suppression for the public page and its CSV.

**Primary suppression.** An area where fewer than :data:`MIN_N` children were measured for an
indicator (but at least one) shows no figure: no count, no number of cases, no prevalence,
only "fewer than 10 children measured". An area with no child measured shows that it has no
data (it tells nothing about any child).

**Complementary suppression.** Public tables add up: a kecamatan's children measured and cases
are the sums of its desa, and the district's are the sums of its kecamatan. If exactly one
figure in such a sum were hidden, it could be recovered by subtraction (the kecamatan total
minus the desa shown). So for every sum — *parent = Σ children* — the number of hidden
figures among the parent and its children must be zero or at least two. When exactly one is
hidden, the shown child with the fewest children measured (then the lowest code) is hidden
too ("hidden so that a small area cannot be worked out"); if no child is left to hide, the
parent is hidden. Hiding a figure can break another sum (a kecamatan hidden to protect
another kecamatan becomes the one unknown in its own desa sum), so the rule is applied again
until nothing changes. The hidden set only grows, so this ends.

The same function decides the page and the CSV; each indicator is decided on its own (its
children measured differ: a flagged z-score is not counted).

This module never imports Django.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

MIN_N = 10

SMALL = "small"  # fewer than MIN_N children measured
COMPLEMENTARY = "complementary"  # hidden so that a small area cannot be worked out


@dataclass
class Cell:
    """One area's figure for one indicator."""

    code: str
    parent_code: str
    n: int
    cases: int
    r: float | None = None
    ll: float | None = None
    ul: float | None = None
    suppressed: str = ""  # "", SMALL or COMPLEMENTARY

    @property
    def hidden(self) -> bool:
        return bool(self.suppressed)


def suppress(cells: Iterable[Cell], min_n: int = MIN_N) -> list[Cell]:
    """Mark ``cells`` (one indicator; the district, its kecamatan and its desa, each naming its
    parent by ``parent_code``) in place and return them.

    A cell whose ``parent_code`` is not among the cells is a root: it protects nobody and no
    sum involves it as a child."""
    cells = list(cells)
    by_code = {c.code: c for c in cells}
    children: dict[str, list[Cell]] = {}
    for c in cells:
        if c.parent_code in by_code:
            children.setdefault(c.parent_code, []).append(c)
    for c in cells:
        if 0 < c.n < min_n:
            c.suppressed = SMALL
    changed = True
    while changed:
        changed = False
        for parent_code in sorted(children):
            parent, kids = by_code[parent_code], children[parent_code]
            members = [parent, *kids]
            if sum(1 for c in members if c.hidden) != 1:
                continue
            candidates = sorted((c for c in kids if not c.hidden and c.n > 0), key=lambda c: (c.n, c.code))
            if candidates:
                candidates[0].suppressed = COMPLEMENTARY
            elif not parent.hidden:
                parent.suppressed = COMPLEMENTARY
            else:  # the parent is the one hidden figure and no child has children measured: nothing to recover
                continue
            changed = True
    return cells
