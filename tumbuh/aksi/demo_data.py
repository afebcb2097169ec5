"""Demo: Luwu Timur's 2026 convergence year, part way through (Aksi 1 done, 2 and 3 under way)."""

from __future__ import annotations

import datetime

from django.db import transaction

from tumbuh.accounts import policy

from . import actions
from .default_set import load_default_set
from .models import ActionDefinition, ActionSet, CycleYear, OutputItem, Status

KABUPATEN = "73.24"
YEAR = 2026
REASON = "Data demo"
#: number → (status, start, how many required outputs ticked)
PROGRESS = {
    1: (Status.DONE, datetime.date(2026, 1, 12), 5),
    2: (Status.IN_PROGRESS, datetime.date(2026, 3, 2), 1),
    3: (Status.IN_PROGRESS, datetime.date(2026, 5, 4), 1),
    6: (Status.IN_PROGRESS, datetime.date(2026, 2, 2), 1),
    7: (Status.IN_PROGRESS, datetime.date(2026, 2, 1), 2),
}


@transaction.atomic
def seed(seed: int) -> None:
    system = policy.SYSTEM  # demo records are logged as "sistem", not as a demo user
    if ActionSet.default() is None:
        # A flushed test database (browser tests) has lost the set its migration seeded.
        load_default_set(ActionSet, ActionDefinition, OutputItem)
    action_set = ActionSet.default()
    if action_set is None or CycleYear.objects.filter(kabupaten_id=KABUPATEN, year=YEAR).exists():
        return
    cycle = actions.start_year(system, KABUPATEN, YEAR, action_set, reason=REASON)
    for a in cycle.actions.select_related("definition"):
        status, start, ticked = PROGRESS.get(a.definition.number, (Status.NOT_STARTED, None, 0))
        done_date = datetime.date(2026, 3, 27) if status == Status.DONE else None
        actions.update_action_year(system, a, {"status": status, "start_date": start, "done_date": done_date}, reason=REASON,
                                   today=datetime.date(2026, 3, 27))
        for item in list(a.definition.items.all())[:ticked]:
            actions.tick(system, a, item, done=True, reason=REASON)
