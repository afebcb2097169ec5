"""The yearly scope of the penilaian kinerja: which (year, aksi) a district is assessed on.

Year I of a district's convergence cycle is assessed on that year's Aksi 1–4; every later year
on the previous year's Aksi 5–8 (the year's second half: KPM, data, measurement and
publication, review) and this year's Aksi 1–4.
"""

from __future__ import annotations

#: The first half of a convergence year (analysis, plan, rembuk, regulation) and the second.
FIRST_HALF = (1, 2, 3, 4)
SECOND_HALF = (5, 6, 7, 8)


def assessed(year: int, first_year: bool) -> list[tuple[int, int]]:
    """The (year, aksi) pairs assessed in ``year``: in year I ``(year, 1–4)``; later
    ``(year - 1, 5–8)`` and ``(year, 1–4)``. Pure: the caller says whether it is year I."""
    this_year = [(year, n) for n in FIRST_HALF]
    if first_year:
        return this_year
    return [(year - 1, n) for n in SECOND_HALF] + this_year


def is_first_year(assessment, kabupaten_code: str) -> bool:
    """Whether ``kabupaten_code`` is in its year I in ``assessment``'s year.

    Where it comes from: the aksi app's convergence years first (``aksi.CycleYear``, per
    kabupaten): a district that Tumbuh holds a convergence year for the year before is past its
    year I. Tumbuh tells nothing else for sure (a district may have run the actions for years
    before it used Tumbuh), so otherwise the assessment's explicit field decides
    (``Assessment.first_year``, the districts the province marks as in their year I)."""
    return kabupaten_code not in past_first_year([kabupaten_code], assessment.year) and kabupaten_code in (
        first_year_codes(assessment)
    )


def past_first_year(kabupaten_codes, year: int) -> set[str]:
    """The districts among ``kabupaten_codes`` with a convergence year in Tumbuh for ``year - 1``."""
    from tumbuh.aksi.models import CycleYear

    return set(
        CycleYear.objects.filter(kabupaten_id__in=list(kabupaten_codes), year=year - 1).values_list(
            "kabupaten_id", flat=True
        )
    )


def first_year_codes(assessment) -> set[str]:
    if assessment.pk is None:
        return set()
    cached = getattr(assessment, "_first_year_codes", None)
    if cached is None:
        cached = set(assessment.first_year.values_list("code", flat=True))
        assessment._first_year_codes = cached
    return cached


def district_scopes(assessment, kabupaten_codes) -> dict[str, list[tuple[int, int]]]:
    """Each district's assessed (year, aksi) pairs, in two queries for all of them."""
    past = past_first_year(kabupaten_codes, assessment.year)
    marked = first_year_codes(assessment)
    return {code: assessed(assessment.year, code not in past and code in marked) for code in kabupaten_codes}


def aksi_in_scope(assessment, kabupaten_code: str, aksi: int) -> int | None:
    """The year whose ``aksi`` the district is assessed on in ``assessment``, or None when that
    aksi is outside its scope this year."""
    for year, n in assessed(assessment.year, is_first_year(assessment, kabupaten_code)):
        if n == aksi:
            return year
    return None
