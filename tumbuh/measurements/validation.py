"""Checks on one visit (and the child's previous visit): pure functions, no database.

The posyandu form shows the problems as warnings before a value is confirmed; the e-PPGBM
importer rejects a row on the first ``error`` and keeps the row, marked, on a ``warning``.

``check_visit(visit, previous=None, today=...)`` returns a list of :class:`Problem`. A
*visit* is anything with the attributes ``date``, ``weight`` (kg), ``lenhei`` (cm),
``position`` (``"l"`` lying, ``"h"`` standing, ``""`` unknown), optionally ``muac`` (cm), and
the child's ``birth_date`` either on the visit itself or on ``visit.child`` (so a
``Measurement`` with its ``Child`` works as it is, and so does :class:`Visit`). When the
visit has been scored (``scoring.score``), WHO's flags (``flen``, ``fwei``, ``fwfl``,
``fbmi``, ``fac``, ``fhc``) add warnings.

Each problem has a stable ``code`` (for programs and tests), a ``severity`` (``error``
rejects, ``warning`` keeps and marks), an English msgid marked with ``gettext_noop`` and its
``params`` (translated when shown: ``problem.text()``). A measured value is kept in ``params``
as a number (a float, so it survives an import row's JSON) and written when the text is, in the
reader's language (:func:`tumbuh.core.numbers.message_params`: "82,9 cm" in Indonesian, "82.9 cm"
in English); a count stays an integer, written without thousands separator.

Thresholds and where they come from
-----------------------------------
- **Age**: the WHO Child Growth Standards (2006), adopted by Permenkes 2/2020 for 0–5 years,
  cover 0–60 months; e-PPGBM's *balita* are 0–59 months. A visit at 1826 days (5 × 365.25)
  or more is an error (``age_over_59_months``). A visit before the birth date is an error;
  so is a visit date after today.
- **Plausible ranges** (errors outside them): weight 0.5–40 kg; length/height 38–130 cm;
  LiLA/MUAC 7–30 cm; head circumference 25–65 cm. These are wider than anything WHO's standards chart for 0–60 months
  (weight-for-age −5 SD at birth ≈ 1.5 kg, +5 SD at 60 months ≈ 36 kg; length-for-age
  −6 SD at birth ≈ 38 cm, +6 SD at 60 months ≈ 130 cm; MUAC-for-age covers 3–60 months,
  ≈ 9–23 cm across ±5 SD; head circumference-for-age ±5 SD spans ≈ 28 cm at birth to ≈ 58 cm
  at 60 months), so a value outside them is a typing or unit error, not a child.
  WHO's own software (anthro) accepts length/height 38–150 cm only for its tables' whole
  range; we narrow it to the under-fives.
- **Unit errors**: a height above 300 that falls in range once divided by 10 is in mm; one
  below 2 that falls in range once multiplied by 100 is in metres; a weight above 400 that
  falls in range once divided by 1000 is in grams; a MUAC of 70–300 that falls in range
  once divided by 10 is in mm, and so is a head circumference of 250–650. The reason names the probable fix ("did you mean 85.0 cm?").
- **Swapped weight and height**: the weight is a plausible height and the height a plausible
  weight, and the weight is larger than the height.
- **Height decreasing**: lengths are converted to heights first (a length measured lying is
  0.7 cm more than a height measured standing, WHO Child Growth Standards 2006, and
  Permenkes 2/2020); a fall of more than 1.5 cm since the previous visit is an error. WHO's
  training course (Training Course on Child Growth Assessment, 2008, module B) and the WHO
  Multicentre Growth Reference Study's technical error of measurement (under 0.5 cm
  between trained observers; about 1 cm at routine posyandu) put repeated-measurement error
  well below 1.5 cm. Without a position, the expected one for the age is assumed (lying
  under 24 months).
- **Impossible weight change**: a gain of more than 1.0 kg + 0.07 kg per day since the
  previous visit (the WHO weight velocity standards, 2009: the 99th centile of 1-month
  increments in the first month is about 1.8 kg, ≈ 0.065 kg/day, and velocity only falls
  after that), or a loss of more than 1.0 kg + min(0.05 kg per day, 30 % of the previous
  weight). The 1.0 kg covers scale error, clothing and the day's meals.
- **Services for the age**: exclusive breastfeeding is recorded per month of life (0 = the
  first month); a month after the child's age in completed months at the visit (age in days
  ÷ 30.4375) has not happened yet, so anything but "-" there is an error
  (``asi_month_after_age``; an import ignores such a month with a warning instead). Vitamin A
  before 6 completed months is a warning (``vitamin_a_under_6_months``): Indonesia gives the
  capsules from 6 months (blue 6–11, red 12–59; Kemenkes' vitamin A guidelines).
- **WHO flags** (warnings): the growth engine's flags, WHO's limits for biologically
  implausible z-scores (length/height-for-age < −6 or > +6; weight-for-age < −6 or > +5;
  weight-for-length/height and BMI-for-age < −5 or > +5; WHO Anthro manual, 2011).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext, gettext_noop

from tumbuh.core.numbers import message_params, round_figure

ERROR, WARNING = "error", "warning"

MAX_AGE_DAYS = 1826  # 5 × 365.25: from this day on the child is 60 months old
WEIGHT_RANGE = (0.5, 40.0)  # kg
LENHEI_RANGE = (38.0, 130.0)  # cm
MUAC_RANGE = (7.0, 30.0)  # cm
HEADC_RANGE = (25.0, 65.0)  # cm
POSITION_CORRECTION = 0.7  # cm, lying minus standing (WHO)
LYING_UNTIL_DAYS = 731  # under 24 months the child is measured lying
DAYS_PER_MONTH = 30.4375  # 365.25 / 12: completed months = age in days / this
VITAMIN_A_FROM_MONTHS = 6  # Indonesia gives vitamin A capsules from 6 months
HEIGHT_DECREASE_TOLERANCE = 1.5  # cm
WEIGHT_TOLERANCE = 1.0  # kg
WEIGHT_GAIN_PER_DAY = 0.07  # kg/day
WEIGHT_LOSS_PER_DAY = 0.05  # kg/day
WEIGHT_LOSS_MAX_SHARE = 0.30  # of the previous weight

#: The growth engine's flag fields and what each flags.
FLAG_FIELDS = {
    "flen": gettext_noop("length/height-for-age"),
    "fwei": gettext_noop("weight-for-age"),
    "fwfl": gettext_noop("weight-for-length/height"),
    "fbmi": gettext_noop("BMI-for-age"),
    "fac": gettext_noop("arm circumference-for-age"),
    "fhc": gettext_noop("head circumference-for-age"),
}


#: Each problem's English msgid (``gettext_noop``: translated when shown), by its ``code``: the one
#: definition the checks below and the phone's copy of them (``tumbuh.offline.phone``) share.
_WHO_FLAG = gettext_noop("The %(indicator)s z-score is outside WHO's plausible limits: measure the child again")
MESSAGES = {
    "date_missing": gettext_noop("The measurement date is empty"),
    "date_in_future": gettext_noop("The measurement date %(date)s is in the future"),
    "birth_after_visit": gettext_noop("The birth date %(birth)s is after the measurement date %(date)s"),
    "age_over_59_months": gettext_noop(
        "The child is %(months)s months old at the measurement; only children aged 0–59 months are recorded"
    ),
    "weight_height_swapped": gettext_noop(
        "Weight %(weight)s and height %(height)s look swapped: did you mean weight %(height)s kg and height %(weight)s cm?"
    ),
    "weight_in_grams": gettext_noop("Weight %(value)s looks like grams: did you mean %(fixed)s kg?"),
    "weight_out_of_range": gettext_noop("Weight %(value)s kg is outside the plausible range %(low)s–%(high)s kg"),
    "height_in_mm": gettext_noop("Height %(value)s looks like millimetres: did you mean %(fixed)s cm?"),
    "height_in_m": gettext_noop("Height %(value)s looks like metres: did you mean %(fixed)s cm?"),
    "height_out_of_range": gettext_noop("Height %(value)s cm is outside the plausible range %(low)s–%(high)s cm"),
    "muac_in_mm": gettext_noop("LiLA %(value)s looks like millimetres: did you mean %(fixed)s cm?"),
    "muac_out_of_range": gettext_noop("LiLA %(value)s cm is outside the plausible range %(low)s–%(high)s cm"),
    "headc_in_mm": gettext_noop("Head circumference %(value)s looks like millimetres: did you mean %(fixed)s cm?"),
    "headc_out_of_range": gettext_noop(
        "Head circumference %(value)s cm is outside the plausible range %(low)s–%(high)s cm"
    ),
    "asi_month_after_age": gettext_noop(
        "The child was %(age)s months old at the visit: exclusive breastfeeding can be recorded up to "
        "month %(age)s, not for month %(months)s; leave it at —"
    ),
    "vitamin_a_under_6_months": gettext_noop(
        "Vitamin A at %(age)s months: the capsules are given from 6 months of age; check the birth date and the capsule"
    ),
    "height_decreased": gettext_noop(
        "Height fell from %(before)s cm on %(date)s to %(after)s cm, more than the %(tolerance)s cm a measurement can be off"
    ),
    "weight_change_impossible": gettext_noop(
        "Weight changed from %(before)s kg on %(date)s to %(after)s kg in %(days)s days: not possible for a child"
    ),
    **{f"who_flag_{name[1:]}": _WHO_FLAG for name in FLAG_FIELDS},
}


@dataclass(frozen=True)
class Problem:
    code: str
    severity: str  # ERROR or WARNING
    message: str  # English msgid (gettext_noop); translated by text()
    params: dict = field(default_factory=dict)
    field: str = ""  # the input it is about: date, birth_date, weight, lenhei, muac

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def text(self) -> str:
        """In the active language, its numbers in that language's format."""
        text = gettext(self.message)
        params = message_params({k: gettext(v) if k == "indicator" else v for k, v in self.params.items()})
        return text % params if params else text


@dataclass
class Visit:
    """A visit for checking when there is no ``Measurement`` at hand."""

    date: dt.date | None
    birth_date: dt.date | None = None
    weight: Any = None
    lenhei: Any = None
    position: str = ""
    muac: Any = None
    asi_months: str = ""
    vitamin_a: int | None = None


# ---------------------------------------------------------------- helpers


def _num(value) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if number != number else number  # NaN → None


def _fmt(value: float) -> float:
    """A measured value for a message's ``params``: rounded to two decimals (by the one rule),
    kept a number so that the message writes it in the reader's language (``85,0``, ``9,5``,
    ``12,35``)."""
    return float(round_figure(value, 2))


def _birth_date(visit) -> dt.date | None:
    birth = getattr(visit, "birth_date", None)
    if birth is None:
        child = getattr(visit, "child", None) if _has_child(visit) else None
        birth = getattr(child, "birth_date", None)
    return birth


def _has_child(visit) -> bool:
    # A Measurement without its child raises on ``.child``: treat it as unknown.
    try:
        return getattr(visit, "child", None) is not None
    except Exception:
        return False


def _in(value: float, bounds: tuple[float, float]) -> bool:
    return bounds[0] <= value <= bounds[1]


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.is_error]


def warnings(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if not p.is_error]


def first_error(problems: list[Problem]) -> Problem | None:
    return next((p for p in problems if p.is_error), None)


# ---------------------------------------------------------------- the checks


def check_dates(date: dt.date | None, birth_date: dt.date | None, today: dt.date) -> list[Problem]:
    problems = []
    if date is None:
        problems.append(Problem("date_missing", ERROR, MESSAGES["date_missing"], field="date"))
        return problems
    if date > today:
        problems.append(
            Problem(
                "date_in_future",
                ERROR,
                MESSAGES["date_in_future"],
                {"date": f"{date:%d/%m/%Y}"},
                "date",
            )
        )
    if birth_date is None:
        return problems
    if birth_date > date:
        problems.append(
            Problem(
                "birth_after_visit",
                ERROR,
                MESSAGES["birth_after_visit"],
                {"birth": f"{birth_date:%d/%m/%Y}", "date": f"{date:%d/%m/%Y}"},
                "birth_date",
            )
        )
    elif (date - birth_date).days >= MAX_AGE_DAYS:
        months = int((date - birth_date).days / 30.4375)
        problems.append(
            Problem(
                "age_over_59_months",
                ERROR,
                MESSAGES["age_over_59_months"],
                {"months": months},
                "birth_date",
            )
        )
    return problems


def check_values(weight, lenhei, muac=None, headc=None) -> list[Problem]:
    """Ranges, unit errors and swapped weight/height, for one visit's values."""
    w, h, a, c = _num(weight), _num(lenhei), _num(muac), _num(headc)
    problems: list[Problem] = []
    if w is not None and h is not None and not _in(w, WEIGHT_RANGE) and not _in(h, LENHEI_RANGE):
        if _in(w, LENHEI_RANGE) and _in(h, WEIGHT_RANGE) and w > h:
            return [
                Problem(
                    "weight_height_swapped",
                    ERROR,
                    MESSAGES["weight_height_swapped"],
                    {"weight": _fmt(w), "height": _fmt(h)},
                    "weight",
                )
            ]
    if w is not None and not _in(w, WEIGHT_RANGE):
        if w > 400 and _in(w / 1000, WEIGHT_RANGE):
            problems.append(
                Problem(
                    "weight_in_grams",
                    ERROR,
                    MESSAGES["weight_in_grams"],
                    {"value": _fmt(w), "fixed": _fmt(w / 1000)},
                    "weight",
                )
            )
        else:
            problems.append(
                Problem(
                    "weight_out_of_range",
                    ERROR,
                    MESSAGES["weight_out_of_range"],
                    {"value": _fmt(w), "low": _fmt(WEIGHT_RANGE[0]), "high": _fmt(WEIGHT_RANGE[1])},
                    "weight",
                )
            )
    if h is not None and not _in(h, LENHEI_RANGE):
        if h > 300 and _in(h / 10, LENHEI_RANGE):
            problems.append(
                Problem(
                    "height_in_mm",
                    ERROR,
                    MESSAGES["height_in_mm"],
                    {"value": _fmt(h), "fixed": _fmt(h / 10)},
                    "lenhei",
                )
            )
        elif 0 < h < 2 and _in(h * 100, LENHEI_RANGE):
            problems.append(
                Problem(
                    "height_in_m",
                    ERROR,
                    MESSAGES["height_in_m"],
                    {"value": _fmt(h), "fixed": _fmt(h * 100)},
                    "lenhei",
                )
            )
        else:
            problems.append(
                Problem(
                    "height_out_of_range",
                    ERROR,
                    MESSAGES["height_out_of_range"],
                    {"value": _fmt(h), "low": _fmt(LENHEI_RANGE[0]), "high": _fmt(LENHEI_RANGE[1])},
                    "lenhei",
                )
            )
    for name, value in (("muac", a), ("headc", c)):
        if value is not None:
            problems += _circumference(name, value)
    return problems


#: Circumferences: plausible range (cm), what in millimetres looks like, and the messages.
_CIRCUMFERENCES = {
    "muac": (MUAC_RANGE, (70, 300), MESSAGES["muac_in_mm"], MESSAGES["muac_out_of_range"]),
    "headc": (HEADC_RANGE, (250, 650), MESSAGES["headc_in_mm"], MESSAGES["headc_out_of_range"]),
}


def _circumference(field: str, value: float) -> list[Problem]:
    bounds, mm, in_mm, out_of_range = _CIRCUMFERENCES[field]
    if _in(value, bounds):
        return []
    if mm[0] <= value <= mm[1] and _in(value / 10, bounds):
        return [Problem(f"{field}_in_mm", ERROR, in_mm, {"value": _fmt(value), "fixed": _fmt(value / 10)}, field)]
    return [
        Problem(
            f"{field}_out_of_range",
            ERROR,
            out_of_range,
            {"value": _fmt(value), "low": _fmt(bounds[0]), "high": _fmt(bounds[1])},
            field,
        )
    ]


def completed_months(date: dt.date, birth_date: dt.date) -> int:
    return int((date - birth_date).days / DAYS_PER_MONTH)


def asi_months_after_age(asi_months: str, date: dt.date | None, birth_date: dt.date | None) -> list[int]:
    """The months of exclusive breastfeeding recorded (Y or T) after the child's age in
    completed months at the visit: they have not happened yet."""
    if not asi_months or date is None or birth_date is None or birth_date > date:
        return []
    age = completed_months(date, birth_date)
    return [month for month, value in enumerate(asi_months.upper()) if month > age and value in ("Y", "T")]


def check_services(
    date: dt.date | None, birth_date: dt.date | None, asi_months: str = "", vitamin_a=None
) -> list[Problem]:
    """The services recorded at a visit against the child's age: exclusive breastfeeding for a
    month not yet reached (error), vitamin A before 6 months (warning)."""
    if date is None or birth_date is None or birth_date > date:
        return []
    age = completed_months(date, birth_date)
    problems = []
    later = asi_months_after_age(asi_months, date, birth_date)
    if later:
        problems.append(
            Problem(
                "asi_month_after_age",
                ERROR,
                MESSAGES["asi_month_after_age"],
                {"age": age, "months": ", ".join(str(m) for m in later)},
                "asi_months",
            )
        )
    if vitamin_a and age < VITAMIN_A_FROM_MONTHS:
        problems.append(
            Problem(
                "vitamin_a_under_6_months",
                WARNING,
                MESSAGES["vitamin_a_under_6_months"],
                {"age": age},
                "vitamin_a",
            )
        )
    return problems


def standing_height(lenhei: float, position: str, age_days: int | None) -> float:
    """The height as if measured standing (WHO: lying length = standing height + 0.7 cm)."""
    if position not in ("l", "h"):
        position = "l" if age_days is not None and age_days < LYING_UNTIL_DAYS else "h"
    return lenhei - POSITION_CORRECTION if position == "l" else lenhei


def check_change(visit, previous, birth_date: dt.date | None = None) -> list[Problem]:
    """Height and weight between two visits of the same child (in either order)."""
    d1, d2 = getattr(previous, "date", None), getattr(visit, "date", None)
    if d1 is None or d2 is None or d1 == d2:
        return []
    earlier, later = (previous, visit) if d1 < d2 else (visit, previous)
    days = abs((d2 - d1).days)
    birth = birth_date or _birth_date(visit) or _birth_date(previous)
    problems: list[Problem] = []
    h1, h2 = _num(earlier.lenhei), _num(later.lenhei)
    if h1 is not None and h2 is not None and _in(h1, LENHEI_RANGE) and _in(h2, LENHEI_RANGE):
        age1 = (earlier.date - birth).days if birth else None
        age2 = (later.date - birth).days if birth else None
        s1 = standing_height(h1, getattr(earlier, "position", "") or "", age1)
        s2 = standing_height(h2, getattr(later, "position", "") or "", age2)
        if s1 - s2 > HEIGHT_DECREASE_TOLERANCE:
            problems.append(
                Problem(
                    "height_decreased",
                    ERROR,
                    MESSAGES["height_decreased"],
                    {
                        "before": _fmt(h1),
                        "after": _fmt(h2),
                        "date": f"{earlier.date:%d/%m/%Y}",
                        "tolerance": _fmt(HEIGHT_DECREASE_TOLERANCE),
                    },
                    "lenhei",
                )
            )
    w1, w2 = _num(earlier.weight), _num(later.weight)
    if w1 is not None and w2 is not None and _in(w1, WEIGHT_RANGE) and _in(w2, WEIGHT_RANGE):
        change = w2 - w1
        gain_limit = WEIGHT_TOLERANCE + WEIGHT_GAIN_PER_DAY * days
        loss_limit = WEIGHT_TOLERANCE + min(WEIGHT_LOSS_PER_DAY * days, WEIGHT_LOSS_MAX_SHARE * w1)
        if change > gain_limit or -change > loss_limit:
            problems.append(
                Problem(
                    "weight_change_impossible",
                    ERROR,
                    MESSAGES["weight_change_impossible"],
                    {"before": _fmt(w1), "after": _fmt(w2), "date": f"{earlier.date:%d/%m/%Y}", "days": days},
                    "weight",
                )
            )
    return problems


def check_flags(visit) -> list[Problem]:
    """WHO-flagged z-scores of a scored visit: warnings."""
    problems = []
    for name, indicator in FLAG_FIELDS.items():
        if getattr(visit, name, None):
            problems.append(
                Problem(
                    f"who_flag_{name[1:]}",
                    WARNING,
                    MESSAGES[f"who_flag_{name[1:]}"],
                    {"indicator": indicator},
                    "weight" if name in ("fwei", "fwfl", "fbmi") else "lenhei",
                )
            )
    return problems


def check_visit(visit, previous=None, *, today: dt.date) -> list[Problem]:
    """Every check on one visit entered ``today``; ``previous`` is the same child's visit nearest before it."""
    birth = _birth_date(visit)
    problems = check_dates(getattr(visit, "date", None), birth, today)
    values = check_values(
        getattr(visit, "weight", None),
        getattr(visit, "lenhei", None),
        getattr(visit, "muac", None),
        getattr(visit, "headc", None),
    )
    problems += values
    problems += check_services(
        getattr(visit, "date", None), birth, getattr(visit, "asi_months", "") or "", getattr(visit, "vitamin_a", None)
    )
    if previous is not None and not any(p.is_error for p in values):
        problems += check_change(visit, previous, birth)
    problems += check_flags(visit)
    return problems
