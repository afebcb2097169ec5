"""The period a page shows when its address names none: one rule, in one place, for the
dashboards, the map and the KRS targeting page."""

from __future__ import annotations

import datetime as dt

from . import aggregates
from .periods import Period


def default_round(user, *, today: dt.date) -> Period:
    """The round shown by default to ``user``: the latest round up to the last measurement
    (``aggregates.latest_period``); with no measurements at all, the round running ``today``."""
    return aggregates.latest_period(user=user, kind="round") or Period.round_containing(today)
