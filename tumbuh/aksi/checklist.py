"""An action's checklist as Pantau Aksi shows it: each required output done or not, and why.

A required output whose ``OutputItem.proof`` names a key some app can check (``aksi.outputs
.provable``) is *automatic*: it is done when, and only when, a record proves it for the year
and the reader's area (``aksi.outputs.collect_proofs``), and it links to that record. It has no
checkbox: a hand tick left on it (from before it was automatic) is shown, but the record
decides. Every other output is ticked by hand (``ChecklistTick``). The progress counts both.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from .models import ActionYear, ChecklistTick, OutputItem
from .outputs import Proof, collect_proofs, provable


@dataclass
class Line:
    """One required output of an action's year."""

    item: OutputItem
    tick: ChecklistTick | None  #: the hand tick, if anyone set one
    checks: str = ""  #: what Tumbuh checks for it (automatic), or "" (ticked by hand)
    proofs: list[Proof] = field(default_factory=list)  #: the records that prove it

    @property
    def automatic(self) -> bool:
        return bool(self.checks)

    @property
    def done(self) -> bool:
        if self.automatic:
            return bool(self.proofs)
        return bool(self.tick and self.tick.done)

    @property
    def hand_tick_overruled(self) -> bool:
        """A hand tick stands on an output the records now decide (ticked before it was
        automatic): shown, never counted."""
        return self.automatic and self.tick is not None and self.tick.done


def keys_of(action_years, known: dict[str, str] | None = None) -> set[str]:
    """The proof keys the checklists of ``action_years`` name (and some app can check)."""
    known = provable() if known is None else known
    return {item.proof for a in action_years for item in a.definition.items.all() if item.proof in known}


def lines(
    action_year: ActionYear, user, *, today: datetime.date, proofs: dict[str, list[Proof]] | None = None
) -> list[Line]:
    """The checklist of ``action_year`` for ``user`` on ``today``. ``proofs`` (from
    ``collect_proofs`` for the same district, year and user) saves asking again when a page
    shows several actions."""
    known = provable()
    if proofs is None:
        cycle = action_year.cycle
        proofs = collect_proofs(cycle.kabupaten, cycle.year, user, today=today, keys=keys_of([action_year], known))
    return [
        Line(item, tick, known.get(item.proof, ""), list(proofs.get(item.proof, [])) if item.proof in known else [])
        for item, tick in action_year.checklist()
    ]


def progress(checklist: list[Line]) -> tuple[int, int]:
    """(required outputs done, required outputs)."""
    return sum(1 for line in checklist if line.done), len(checklist)
