"""Demo: Luwu Timur's 2026 convergence year, part way through (Aksi 1 done, 2 and 3 under way).

Only the required outputs no record proves are ticked here, by hand; the others tick
themselves from the demo's records (the lokus, the plan, the rembuk, the measured rounds)."""

from __future__ import annotations

import datetime

from django.db import transaction

from tumbuh.accounts import policy

from . import actions
from .default_set import load_default_set, wire_proofs
from .models import ActionDefinition, ActionSet, CycleYear, OutputItem, Status
from .outputs import provable

KABUPATEN = "73.24"
YEAR = 2026
REASON = "Data demo"
#: number → (status, start, how many of the required outputs ticked by hand are ticked)
PROGRESS = {
    1: (Status.DONE, datetime.date(2026, 1, 12), 2),
    2: (Status.IN_PROGRESS, datetime.date(2026, 3, 2), 0),
    3: (Status.IN_PROGRESS, datetime.date(2026, 5, 4), 0),
    6: (Status.IN_PROGRESS, datetime.date(2026, 2, 2), 0),
    7: (Status.IN_PROGRESS, datetime.date(2026, 2, 1), 0),
}


@transaction.atomic
def seed(seed: int) -> None:
    system = policy.SYSTEM  # demo records are logged as "sistem", not as a demo user
    if ActionSet.default() is None:
        # A flushed test database (browser tests) has lost the set its migration seeded.
        load_default_set(ActionSet, ActionDefinition, OutputItem)
        wire_proofs(OutputItem)
    action_set = ActionSet.default()
    if action_set is None or CycleYear.objects.filter(kabupaten_id=KABUPATEN, year=YEAR).exists():
        return
    cycle = actions.start_year(system, KABUPATEN, YEAR, action_set, reason=REASON)
    automatic = provable()
    for a in cycle.actions.select_related("definition"):
        status, start, ticked = PROGRESS.get(a.definition.number, (Status.NOT_STARTED, None, 0))
        done_date = datetime.date(2026, 3, 27) if status == Status.DONE else None
        actions.update_action_year(
            system,
            a,
            {"status": status, "start_date": start, "done_date": done_date},
            reason=REASON,
            today=datetime.date(2026, 3, 27),
        )
        by_hand = [item for item in a.definition.items.all() if item.proof not in automatic]
        for item in by_hand[:ticked]:
            actions.tick(system, a, item, done=True, reason=REASON)
