"""What the plan (Aksi 2) hands back to the situation analysis (Aksi 1), which lies below it:
the year's activities for the Master Ansit's program sheet (the ``cycle_inputs`` contract of
``core/contracts.py``)."""

from tumbuh.accounts import policy

from .plan import activities


def plan_activities(user, kabupaten_code: str, year: int):
    return policy.visible(user, activities(kabupaten_code, year))


def review_recommendations(kabupaten_code: str, year: int) -> list:
    return []  # the annual review's (reviu)
