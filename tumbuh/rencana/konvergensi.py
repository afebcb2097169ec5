"""The smallest adapter onto the first half of the convergence cycle (apps ``indikator`` and
``analisis``, built on the ``konvergensi`` branch): the lokus selection of Aksi 1 and the
coverage per desa. The plan, the rembuk and the review query them only through here (their
models are referenced by foreign key), so a change there is fixed here once."""

from __future__ import annotations


def lokus_desa(kabupaten_code: str, year: int) -> list[str]:
    """The codes of the year's lokus desa (Aksi 1), best-ranked first; [] while none are selected."""
    from tumbuh.analisis.models import lokus_desa as selected

    return list(selected(kabupaten_code, year))


def indicators(kabupaten_code: str):
    """The indicators the district uses (the national catalogue plus its own)."""
    from tumbuh.indikator.models import Indicator

    return Indicator.objects.for_kabupaten(kabupaten_code)


def latest_coverage(desa_codes, year: int) -> dict[tuple[int, str], tuple[int, object]]:
    """{(indicator id, desa code): (data year, value)}: per indicator and desa, the latest
    coverage of ``year`` or before (the plan for a year is made on the last data known)."""
    from tumbuh.indikator.models import Coverage

    out: dict[tuple[int, str], tuple[int, object]] = {}
    rows = (Coverage.objects.filter(desa_id__in=list(desa_codes), year__lte=year, value__isnull=False)
            .order_by("year").values_list("indicator_id", "desa_id", "year", "value"))
    for indicator_id, desa, y, value in rows:
        out[(indicator_id, desa)] = (y, value)  # later years overwrite earlier ones
    return out


def coverage_by_year(indicator_ids, kabupaten_code: str, years) -> dict[tuple[int, int], tuple[float, int]]:
    """{(indicator id, year): (district coverage %, desa reporting)}: the summed numerator over
    the summed denominator when every desa gives both, else the mean of the desa values."""
    from tumbuh.indikator.models import Coverage

    sums: dict[tuple[int, int], list] = {}
    rows = Coverage.objects.filter(indicator_id__in=list(indicator_ids), desa__kabupaten_code=kabupaten_code,
                                   year__in=list(years), value__isnull=False)
    for c in rows.values("indicator_id", "year", "numerator", "denominator", "value"):
        s = sums.setdefault((c["indicator_id"], c["year"]), [0, 0, 0, 0.0, 0])  # num, den, n with both, sum, n
        if c["numerator"] is not None and c["denominator"]:
            s[0] += c["numerator"]
            s[1] += c["denominator"]
            s[2] += 1
        s[3] += float(c["value"])
        s[4] += 1
    return {k: ((100.0 * s[0] / s[1]) if s[2] == s[4] else s[3] / s[4], s[4]) for k, s in sums.items()}
