"""What the annual review (Aksi 8) hands to the next year's situation analysis (Aksi 1), which
lies below it: its recommendations (the ``cycle_inputs`` contract of ``core/contracts.py``)."""

from .recommendations import recommendations_for


def plan_activities(user, kabupaten_code: str, year: int) -> list:
    return []  # the plan's (rencana)


def review_recommendations(kabupaten_code: str, year: int) -> list:
    return recommendations_for(kabupaten_code, year)
