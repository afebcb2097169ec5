"""Indicators Tumbuh computes from its own data, per desa and year (``Indicator.computed_from``).

Each computation returns {desa code: (numerator, denominator, note)} for the desa where Tumbuh
has records of what it counts in that year, and nothing for the others; ``compute`` writes
them as computed coverage (source "computed"), which nobody edits or imports over by hand.
A desa left out keeps whatever the district entered or imported for it.

Children are counted in the desa they are registered in (``Child.desa``), at their age on the
day of the visit (``Measurement.age_days``, from the growth engine; a visit without an age is
not counted). Under five: 0 to 59 months (``age_days`` < 1826); 6 months from day 183.

The services recorded with a visit (vitamin A, KIA book, weight gain, kelas ibu balita, MBG:
e-PPGBM's columns) count only where the source said something: an empty value is "not
recorded", in neither the numerator nor the denominator, and the note says how many children
seen in the year had nothing recorded.

At-risk families (KRS) are counted on the year's list (``krs.Family.year``), in the desa the
list puts them in; their accompaniment is what the list says they received
(``Family.jenis_pendampingan``) and the visits of their TPK (``krs.TpkVisit``).

Which indicator uses which computation: the national catalogue's "balita-dipantau"
(growth monitored), "balita-vitamin-a" (vitamin A), "asi-eksklusif" (exclusive
breastfeeding, from the ASI months 0–6 a visit records) and "krs-pendampingan" (KRS
accompanied) are computed for every district. KIA
book, weight gain (N/D′), kelas ibu balita and MBG are in neither Perpres 72/2021's targets nor
the catalogue's essential indicators, so Tumbuh does not invent national indicators for them:
a district that tracks one creates its own indicator and attaches the computation
(``computed_from``, see :func:`attachable`); ``compute`` then computes it for that district only.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable

from django.db import transaction
from django.db.models import Count

from tumbuh.audit.actions import do_delete, require_step
from tumbuh.core.numbers import format_number

from .actions import set_coverage
from .catalogue import CATALOGUE
from .models import Computation, Coverage, CoverageSource, Indicator, IndicatorSetting
from .permissions import may_compute, may_recompute_import

REASON = "dihitung Tumbuh dari data yang tercatat di Tumbuh"
STALE_REASON = "dihapus Tumbuh: tidak ada lagi data yang dihitung di desa ini pada tahun ini"
UNDER_FIVE_DAYS = 1826
SIX_MONTHS_DAYS = 183  # 6 × 30.4375 = 182.6: a child is 6 months old from day 183

Result = dict[str, tuple[int, int, str]]

#: What each computation a district can attach counts, in Indonesian: the numerator and
#: denominator its indicator shows when left blank (the catalogue states the national ones).
DEFINITIONS: dict[str, tuple[str, str]] = {
    Computation.KIA_BOOK: (
        "Balita yang catatan terakhirnya dalam tahun berjalan menyatakan memiliki buku KIA",
        "Balita yang kepemilikan buku KIA-nya tercatat dalam tahun berjalan (tanpa catatan: tidak dihitung)",
    ),
    Computation.WEIGHT_GAIN: (
        "Penimbangan bulanan balita berkode N (naik berat badan) dalam tahun berjalan",
        "Penimbangan bulanan balita berkode N atau T, yaitu ditimbang juga bulan sebelumnya (D′: O dan B tidak dihitung)",
    ),
    Computation.KELAS_IBU_BALITA: (
        "Balita yang ibunya tercatat mengikuti kelas ibu balita setidaknya sekali dalam tahun berjalan",
        "Balita yang keikutsertaan kelas ibu balitanya tercatat dalam tahun berjalan (tanpa catatan: tidak dihitung)",
    ),
    Computation.MBG: (
        "Balita yang tercatat menerima Makan Bergizi Gratis (MBG) setidaknya sekali dalam tahun berjalan",
        "Balita yang penerimaan MBG-nya tercatat dalam tahun berjalan (tanpa catatan: tidak dihitung)",
    ),
}


def source_of(computation: str) -> str:
    """What a computation counts from, in Indonesian (for the Master Ansit's list of sources)."""
    return "daftar KRS dan kunjungan TPK" if computation == Computation.KRS_ACCOMPANIED else "pengukuran"


def _n(x: int) -> str:
    """A count as Indonesian writes it (1.234)."""
    return format_number(x, 0, "id")


def _unrecorded(missing: int, what: str, group: str = "balita") -> str:
    return (
        f"{_n(missing)} {group} tanpa catatan {what} tidak dihitung"
        if missing
        else f"semua {group} punya catatan {what}"
    )


def growth_monitored(desa_codes: list[str], year: int) -> Result:
    """Children under five whose length/height was measured at least once in ``year``, over
    the desa's under-fives: Dukcapil's count when recorded and not below the measured
    children, else the children registered in Tumbuh who were under five during the year.

    A desa counts only when Tumbuh has a visit of one of its under-fives in the year (a
    weighing without a length is a record: "not measured"); without one, a number entered for
    the desa stays."""
    from tumbuh.dashboards.models import UnderFivePopulation
    from tumbuh.measurements.models import Child, Measurement

    visits = Measurement.objects.filter(child__desa_id__in=desa_codes, date__year=year, age_days__lt=UNDER_FIVE_DAYS)
    with_visits = set(visits.values_list("child__desa_id", flat=True).distinct())
    measured = dict(
        visits.filter(lenhei__isnull=False)
        .values_list("child__desa_id")
        .annotate(n=Count("child", distinct=True))
        .values_list("child__desa_id", "n")
    )
    born_after = datetime.date(year - 5, 1, 1)
    registered = dict(
        Child.objects.filter(
            desa_id__in=desa_codes, birth_date__gt=born_after, birth_date__lte=datetime.date(year, 12, 31)
        )
        .values_list("desa_id")
        .annotate(n=Count("pk"))
        .values_list("desa_id", "n")
    )
    dukcapil = dict(
        UnderFivePopulation.objects.filter(wilayah_id__in=desa_codes, year=year).values_list("wilayah_id", "count")
    )
    out = {}
    for code in desa_codes:
        if code not in with_visits:
            continue
        n = measured.get(code, 0)
        if dukcapil.get(code) and dukcapil[code] >= n:
            out[code] = (n, dukcapil[code], "penyebut: balita Dukcapil")
        elif registered.get(code):
            out[code] = (n, registered[code], "penyebut: balita terdaftar di Tumbuh")
    return out


def _service_visits(desa_codes: list[str], year: int, field: str, min_age_days: int = 0):
    """(desa, child, date, value) of the year's visits of children aged ``min_age_days`` to 59
    months, each child's visits in date order."""
    from tumbuh.measurements.models import Measurement

    return (
        Measurement.objects.filter(
            child__desa_id__in=desa_codes, date__year=year, age_days__gte=min_age_days, age_days__lt=UNDER_FIVE_DAYS
        )
        .order_by("child_id", "date")
        .values_list("child__desa_id", "child_id", "date", field)
        .iterator(chunk_size=5000)
    )


def _per_child(
    desa_codes: list[str],
    year: int,
    field: str,
    answered: Callable[[list], bool],
    *,
    what: str,
    min_age_days: int = 0,
    group: str = "balita",
) -> Result:
    """Children with a record of ``field`` in the year whose recorded values (in date order)
    ``answered`` yes, over the children with a record; children seen in the year with
    nothing recorded are left out and counted in the note."""
    seen: dict[str, set[int]] = defaultdict(set)
    recorded: dict[str, dict[int, list]] = defaultdict(dict)
    for desa, child, _date, value in _service_visits(desa_codes, year, field, min_age_days):
        seen[desa].add(child)
        if value is not None and value != "":
            recorded[desa].setdefault(child, []).append(value)
    out = {}
    for desa, children in recorded.items():
        numerator = sum(1 for values in children.values() if answered(values))
        missing = len(seen[desa]) - len(children)
        out[desa] = (
            numerator,
            len(children),
            f"penyebut: {group} dengan catatan {what}; {_unrecorded(missing, what, group)}",
        )
    return out


def vitamin_a(desa_codes: list[str], year: int) -> Result:
    """Vitamin A ("balita-vitamin-a"): children aged 6–59 months at a visit in ``year`` whose
    recorded number of capsules is at least 1 at one such visit, over the children aged 6–59
    months with a recorded number (0 included) at one such visit. Indonesia gives the capsules
    in February and August (6–11 months one blue capsule, 12–59 months a red one each round);
    this counts a child who got at least one in the year, not whether it got both rounds.
    Visits before 6 months (day 183) do not count."""
    return _per_child(
        desa_codes,
        year,
        "vitamin_a",
        lambda values: any(v >= 1 for v in values),
        what="vitamin A",
        min_age_days=SIX_MONTHS_DAYS,
        group="balita 6–59 bulan",
    )


def kia_book(desa_codes: list[str], year: int) -> Result:
    """KIA book: children under five whose latest visit in ``year`` that records the KIA book
    says they have one, over the children with such a record in the year (a book can be lost:
    the latest record is what the child has now)."""
    return _per_child(desa_codes, year, "kia_book", lambda values: values[-1] is True, what="buku KIA")


def kelas_ibu_balita(desa_codes: list[str], year: int) -> Result:
    """Kelas ibu balita (the health centre's class for mothers of under-fives, with the KIA
    book; not BKB's parenting class): children under five whose mother is recorded as
    attending at one visit or more in ``year``, over the children with a record."""
    return _per_child(desa_codes, year, "kelas_ibu_balita", any, what="kelas ibu balita")


def mbg(desa_codes: list[str], year: int) -> Result:
    """Free nutritious meals (Makan Bergizi Gratis): children under five recorded as receiving
    MBG at one visit or more in ``year``, over the children with a record."""
    return _per_child(desa_codes, year, "mbg", any, what="MBG")


def weight_gain(desa_codes: list[str], year: int) -> Result:
    """Weight gain, SKDN's N/D′ over the year: monthly weighings of children under five coded
    N (gained weight since last month) over those coded N or T (weighed this month and the
    month before: SKDN's D′; O, not weighed the month before, and B, weighed for the first
    time, are left out as SKDN does). Counted per child and month (the month's last coded
    visit), i.e. the sum of the monthly N over the sum of the monthly N + T. A visit without a
    code is not recorded; the note counts the O/B weighings and the children seen in the year
    with no code at all."""
    months: dict[str, dict[tuple[int, int], str]] = defaultdict(dict)
    seen: dict[str, set[int]] = defaultdict(set)
    coded: dict[str, set[int]] = defaultdict(set)
    for desa, child, date, code in _service_visits(desa_codes, year, "weight_gain"):
        seen[desa].add(child)
        if code:
            coded[desa].add(child)
            months[desa][(child, date.month)] = code
    out = {}
    for desa, codes in months.items():
        n = sum(1 for c in codes.values() if c == "N")
        d = sum(1 for c in codes.values() if c in ("N", "T"))
        if not d:
            continue  # only O/B: nobody was weighed two months running
        other = len(codes) - d
        missing = len(seen[desa]) - len(coded[desa])
        out[desa] = (
            n,
            d,
            f"pembilang N, penyebut N+T per anak per bulan; {_n(other)} penimbangan O/B tidak dihitung; "
            f"{_unrecorded(missing, 'naik berat badan')}",
        )
    return out


def _exclusive_so_far(months: str, age_days: int) -> bool | None:
    """Whether a visit's breastfeeding record (``Measurement.asi_months``: Y/T/- for months 0
    to 6) says the infant has been exclusively breastfed from birth to its age in completed
    months; None when that month is not recorded."""
    month = min(int(age_days / 30.4375), 6)
    if len(months) <= month or months[month] not in "YT":
        return None
    return "T" not in months[: month + 1] and months[month] == "Y"


def asi_exclusive(desa_codes: list[str], year: int) -> Result:
    """Exclusive breastfeeding ("asi-eksklusif"): infants under 6 months (``age_days`` < 183)
    at a visit in ``year`` whose latest such visit with a record of the current month says
    they have had only breast milk from birth (Y in every month up to their age, no T), over
    the infants under 6 months with such a record. A visit whose current month is not recorded
    ("-" or nothing) is not a record; the note counts the infants seen with none."""
    from tumbuh.measurements.models import Measurement

    seen: dict[str, set[int]] = defaultdict(set)
    latest: dict[str, dict[int, bool]] = defaultdict(dict)
    visits = (
        Measurement.objects.filter(child__desa_id__in=desa_codes, date__year=year, age_days__lt=SIX_MONTHS_DAYS)
        .order_by("child_id", "date")
        .values_list("child__desa_id", "child_id", "age_days", "asi_months")
        .iterator(chunk_size=5000)
    )
    for desa, child, age_days, months in visits:
        seen[desa].add(child)
        answer = _exclusive_so_far(months or "", age_days)
        if answer is not None:
            latest[desa][child] = answer  # date order: the latest record wins
    out = {}
    for desa, children in latest.items():
        missing = len(seen[desa]) - len(children)
        out[desa] = (
            sum(children.values()),
            len(children),
            f"penyebut: bayi < 6 bulan dengan catatan ASI; {_unrecorded(missing, 'ASI eksklusif', 'bayi < 6 bulan')}",
        )
    return out


def krs_accompanied(desa_codes: list[str], year: int) -> Result:
    """At-risk families accompanied ("krs-pendampingan"): the families on ``year``'s KRS list
    that received accompaniment, i.e. whose list names a kind received (``jenis_pendampingan``:
    1 rujukan, 2 bansos, 3 KIE, or a kind written out) or whom their TPK visited in ``year``
    (``TpkVisit``), over every family on the year's list in the desa ("Seluruh KRS", as the
    catalogue defines it).

    A desa counts only where Tumbuh holds accompaniment of that year: a family of its list with
    a kind received, or a TPK visit. A list whose accompaniment column is empty for every
    family of the desa, or a list without that column, and no visit: nothing is computed there
    and a number entered for the desa stays. Within a desa that counts, a family with neither is
    not accompanied; the note counts those the list said nothing about (no column), so that a
    reader knows the share may be low for want of records rather than of accompaniment."""
    from django.apps import apps

    if not apps.is_installed("tumbuh.krs"):
        return {}
    from tumbuh.krs.models import Family, TpkVisit

    families = Family.objects.filter(desa_id__in=desa_codes, year=year)
    visited = set(TpkVisit.objects.filter(family__in=families, date__year=year).values_list("family_id", flat=True))
    total: dict[str, int] = defaultdict(int)
    accompanied: dict[str, int] = defaultdict(int)
    unsaid: dict[str, int] = defaultdict(int)
    for pk, desa, kinds in families.values_list("pk", "desa_id", "jenis_pendampingan").iterator(chunk_size=5000):
        total[desa] += 1
        if kinds or pk in visited:
            accompanied[desa] += 1
        elif kinds is None:
            unsaid[desa] += 1
    out = {}
    for desa, n in accompanied.items():
        missing = (
            f"{_n(unsaid[desa])} KRS tanpa catatan pendampingan di daftar dan tanpa kunjungan TPK dihitung tidak didampingi"
            if unsaid[desa]
            else "semua KRS punya catatan pendampingan"
        )
        out[desa] = (
            n,
            total[desa],
            f"penyebut: seluruh KRS tahun {year}; didampingi: jenis pendampingan diterima "
            f"(Verval KRS) atau dikunjungi TPK; {missing}",
        )
    return out


COMPUTATIONS: dict[str, Callable[[list[str], int], Result]] = {
    Computation.GROWTH_MONITORED: growth_monitored,
    Computation.VITAMIN_A: vitamin_a,
    Computation.KIA_BOOK: kia_book,
    Computation.WEIGHT_GAIN: weight_gain,
    Computation.KELAS_IBU_BALITA: kelas_ibu_balita,
    Computation.MBG: mbg,
    Computation.ASI_EXCLUSIVE: asi_exclusive,
    Computation.KRS_ACCOMPANIED: krs_accompanied,
}
#: What each kind of record feeds: the visits (e-PPGBM, the posyandu form) and the KRS list with its TPK visits.
FROM_VISITS = frozenset(c for c in COMPUTATIONS if c != Computation.KRS_ACCOMPANIED)
FROM_KRS = frozenset({Computation.KRS_ACCOMPANIED})


def attachable() -> list[Computation]:
    """The computations a district may attach to its own indicator: those no national
    indicator carries (that one is computed for every district already)."""
    national = {row.get("computed_from", "") for row in CATALOGUE}
    return [c for c in Computation if c and c not in national]


def computed_indicators(kabupaten_code: str):
    """The district's computed indicators: national and its own, active, and not switched off
    in the district's settings ("not used in this district")."""
    unused = IndicatorSetting.objects.filter(kabupaten_id=kabupaten_code, is_active=False).values("indicator_id")
    return Indicator.objects.for_kabupaten(kabupaten_code).exclude(computed_from="").exclude(pk__in=unused)


def compute(
    kabupaten_code: str,
    year: int,
    desa_codes: Iterable[str],
    progress=None,
    *,
    actor,
    computations: Iterable[str] | None = None,
    batch=None,
) -> int:
    """Compute every computable indicator the district has and write it (audited as ``actor``:
    the user who asked for it, by the button, the command or the import ``batch`` that feeds
    it, or ``policy.SYSTEM``, e.g. the nightly command). Whether they may is asked here, once,
    of ``permissions.may_compute`` (``may_recompute_import`` for a ``batch``), and every row is
    written in that right.
    Only the desa a computation returns are written (those with records in the year): in the
    others an entered or imported number stays, and a number Tumbuh computed earlier is
    deleted (audited): its records are gone (a child moved to its right desa, a visit
    corrected), and nobody could correct a computed row by hand. ``computations`` limits the
    run to those (e.g. what an import fed); ``progress()`` is called after each indicator.
    Returns the number of coverage rows written or checked. (``work_out`` then ``store``: a
    caller that holds a transaction around the writes works the figures out before it.)"""
    desa_codes = list(desa_codes)
    worked = work_out(kabupaten_code, year, desa_codes, progress, computations=computations)
    return store(kabupaten_code, year, desa_codes, worked, actor=actor, batch=batch)


def work_out(
    kabupaten_code: str,
    year: int,
    desa_codes: Iterable[str],
    progress=None,
    *,
    computations: Iterable[str] | None = None,
) -> list[tuple[Indicator, Result | None]]:
    """The reading half of ``compute``: each computed indicator with its result per desa
    ({desa: (numerator, denominator, note)}; None for a computation no longer offered). Writes
    nothing, so it runs outside any write transaction (on SQLite one locks every writer out)."""
    desa_codes = list(desa_codes)
    only = set(computations) if computations is not None else None
    results: dict[str, Result] = {}
    worked = []
    for indicator in computed_indicators(kabupaten_code):
        if only is not None and indicator.computed_from not in only:
            continue
        computation = COMPUTATIONS.get(indicator.computed_from)  # None: a choice no longer offered
        if computation is not None and indicator.computed_from not in results:
            results[indicator.computed_from] = computation(desa_codes, year)
        worked.append((indicator, results[indicator.computed_from] if computation is not None else None))
        if progress:
            progress()
    return worked


def store(
    kabupaten_code: str,
    year: int,
    desa_codes: Iterable[str],
    worked: list[tuple[Indicator, Result | None]],
    *,
    actor,
    batch=None,
) -> int:
    """The writing half of ``compute``: what ``work_out`` found, audited as ``actor``, each
    indicator's rows in a transaction of their own (short: a login waits a moment at most)."""
    step = (may_recompute_import, batch) if batch is not None else (may_compute, kabupaten_code)
    require_step(actor, step)
    desa_codes = list(desa_codes)
    written = 0
    for indicator, result in worked:
        with transaction.atomic():
            written += _store_one(indicator, result, year, desa_codes, actor, step)
    return written


def _store_one(indicator: Indicator, result: Result | None, year: int, desa_codes: list[str], actor, step) -> int:
    """One indicator's rows of ``store``; the rows written or checked."""
    written = 0
    found = result or {}
    stored = {
        c.desa_id: (c.numerator, c.denominator, c.note, c.source)
        for c in Coverage.objects.filter(indicator=indicator, year=year, desa_id__in=list(found))
    }
    for code, (numerator, denominator, note) in found.items():
        if not denominator:
            continue
        written += 1
        if stored.get(code) == (numerator, denominator, note, CoverageSource.COMPUTED):
            continue  # unchanged: no write, no audit record
        # Tumbuh's own number replaces an earlier entered or imported one, and says so.
        set_coverage(
            actor,
            indicator,
            code,
            year,
            numerator=numerator,
            denominator=denominator,
            note=note,
            source=CoverageSource.COMPUTED,
            reason=REASON,
            permitted_by=step,
        )
    if result is not None:
        kept = [code for code, (_n, denominator, _note) in found.items() if denominator]
        stale = Coverage.objects.filter(
            indicator=indicator, year=year, desa_id__in=desa_codes, source=CoverageSource.COMPUTED
        )
        for c in stale.exclude(desa_id__in=kept):
            do_delete(actor, c, reason=STALE_REASON, permitted_by=step)
    return written
