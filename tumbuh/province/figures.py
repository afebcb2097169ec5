"""A province's districts side by side: for each kabupaten/kota, the figures its own pages show,
read through the functions those pages use (never recomputed, never from children's rows).

- prevalence, 95 % CI, children measured and small-area estimate: ``dashboards.aggregates``
  (the precomputed ``AreaAggregate`` rows at the kabupaten level);
- target and AARR: ``dashboards.targets`` (the targets page's verdict, ``assess_area``);
- data quality: ``dashboards.quality.quality_tables`` (the puskesmas' traffic lights);
- Aksi: ``aksi.progress`` (Pantau Aksi's rows);
- rembuk: ``rembuk.aksi_outputs`` (what proves Aksi 3: held, commitment, berita acara);
- rakor: the district TPPS's coordination meetings (``rapat``).

Every query goes through the policy as the reader: a district the reader may not see has no
row, and a figure it may not see is missing, not zero."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from tumbuh.accounts import policy
from tumbuh.aksi import progress as aksi_progress
from tumbuh.aksi.models import CycleYear
from tumbuh.aksi.models import Status as AksiStatus
from tumbuh.dashboards import aggregates
from tumbuh.dashboards.aggregates import AreaRow, indicator_table
from tumbuh.dashboards.models import DistrictTarget
from tumbuh.dashboards.periods import Period
from tumbuh.dashboards.quality import quality_tables
from tumbuh.dashboards.targets import Assessment, assess_area, target_for
from tumbuh.rapat.models import Rapat
from tumbuh.rembuk import aksi_outputs as rembuk_outputs
from tumbuh.rembuk.models import RembukEvent
from tumbuh.wilayah.models import Level, Wilayah

LIGHTS = ("green", "yellow", "red", "grey")


@dataclass
class Quality:
    """The district's puskesmas by traffic light (the data-quality page's judgement)."""

    lights: Counter = field(default_factory=Counter)

    @property
    def judged(self) -> int:
        return sum(self.lights[c] for c in ("green", "yellow", "red"))

    @property
    def total(self) -> int:
        return sum(self.lights.values())

    @property
    def worst(self) -> str:
        for c in ("red", "yellow", "green"):
            if self.lights[c]:
                return c
        return "grey"

    @property
    def green_share(self) -> float | None:
        """Share of the judged puskesmas with a green light (percent); None: none judged."""
        return 100 * self.lights["green"] / self.judged if self.judged else None

    def count(self, light: str) -> int:
        return self.lights[light]


@dataclass
class Aksi:
    """Pantau Aksi's year for the district, summed."""

    started: bool
    actions: int = 0
    done_actions: int = 0
    in_progress: int = 0
    overdue: int = 0
    outputs_done: int = 0
    outputs_total: int = 0
    docs: int = 0
    per_action: list = field(default_factory=list)  # (number, status, done, total)

    @property
    def share(self) -> float | None:
        return 100 * self.outputs_done / self.outputs_total if self.outputs_total else None


@dataclass
class Rembuk:
    held: bool = False
    date: dt.date | None = None
    planned: dt.date | None = None  # a rembuk of the year not held yet
    commitment: bool = False
    berita_acara: bool = False

    @property
    def score(self) -> int:
        return int(self.held) + int(self.commitment) + int(self.berita_acara)


@dataclass
class Rakor:
    held: int = 0
    last: dt.date | None = None
    with_minutes: int = 0


@dataclass
class DistrictRow:
    kabupaten: Wilayah
    figure: AreaRow | None  # None: no measurement in the period ("no data yet", never 0 %)
    target: DistrictTarget | None
    assessment: Assessment | None
    quality: Quality
    aksi: Aksi
    rembuk: Rembuk
    rakor: Rakor

    @property
    def code(self) -> str:
        return self.kabupaten.code

    @property
    def name(self) -> str:
        return self.kabupaten.name

    @property
    def has_data(self) -> bool:
        return self.figure is not None and self.figure.n_measured > 0 and self.figure.r is not None


def districts(user, province: Wilayah):
    """The kabupaten/kota of ``province`` that ``user`` sees, by code."""
    return policy.visible(
        user, Wilayah.objects.filter(level=Level.KABUPATEN, provinsi_code=province.code).order_by("code")
    )


def baseline(user, now: Period) -> Period:
    """The targets page's baseline: the first round with data (``now`` without any)."""
    rounds = aggregates.available_periods(user=user, kind="round")
    return rounds[-1] if rounds else now


def verdict_round(user, period: Period, today: dt.date) -> Period:
    """The round a verdict is given for, as on the targets page: the period when it is a round,
    else the default round."""
    from tumbuh.dashboards.default_period import default_round

    return period if period.kind == "round" else default_round(user, today=today)


def district_rows(
    user, province: Wilayah, *, period: Period, indicator: str, today: dt.date, year: int | None = None
) -> list[DistrictRow]:
    """One row per district of ``province`` that ``user`` sees, districts without data too."""
    year = year or period.year
    kabupaten = list(districts(user, province))
    codes = [k.code for k in kabupaten]
    figures = {
        r.code: r
        for r in indicator_table(
            user=user, within_code=province.code, level="kabupaten", period=period, indicator=indicator
        )
    }
    now = verdict_round(user, period, today)
    base = baseline(user, now)
    now_rows = (
        figures
        if now == period
        else {
            r.code: r
            for r in indicator_table(
                user=user, within_code=province.code, level="kabupaten", period=now, indicator=indicator
            )
        }
    )
    base_rows = {
        r.code: r
        for r in indicator_table(
            user=user, within_code=province.code, level="kabupaten", period=base, indicator=indicator
        )
    }
    targets: dict[str, list] = {}
    for t in policy.visible(
        user, DistrictTarget.objects.filter(kabupaten_id__in=codes, indicator=indicator).order_by("year")
    ):
        targets.setdefault(t.kabupaten_id, []).append(t)
    quality = _quality(user, province, period)
    rakor = _rakor(user, codes, year, today)
    # One query each for the districts that have a cycle or a rembuk of the year: only those
    # are asked the per-district questions.
    cycles = {
        c.kabupaten_id: c
        for c in policy.visible(user, CycleYear.objects.filter(kabupaten_id__in=codes, year=year)).select_related(
            "action_set", "kabupaten"
        )
    }
    with_rembuk = set(
        policy.visible(user, RembukEvent.objects.filter(wilayah_id__in=codes, year=year)).values_list(
            "wilayah_id", flat=True
        )
    )
    stamp = _records_stamp(year, today)
    out = []
    for k in kabupaten:
        target = target_for(targets.get(k.code, []), now.year)
        now_row = now_rows.get(k.code)
        assessment = (
            assess_area(now_row, base_rows.get(k.code), now=now, base=base, target=target)
            if now_row is not None or target is not None
            else None
        )
        out.append(
            DistrictRow(
                kabupaten=k,
                figure=figures.get(k.code),
                target=target,
                assessment=assessment,
                quality=quality.get(k.code, Quality()),
                aksi=_cached(f"aksi:{k.code}:{stamp}", lambda k=k: aksi_of(cycles[k.code], today))
                if k.code in cycles
                else Aksi(started=False),
                rembuk=_cached(f"rembuk:{k.code}:{user.pk}:{stamp}", lambda k=k: rembuk_of(user, k, year, today))
                if k.code in with_rembuk
                else Rembuk(),
                rakor=rakor.get(k.code, Rakor()),
            )
        )
    return out


#: How long a district's Aksi and rembuk columns are reused; any audited change starts afresh.
CACHE_SECONDS = 300


def _records_stamp(year: int, today: dt.date) -> str:
    """What the Aksi and rembuk columns depend on besides the district (and, for the rembuk's, the
    reader, whose scope it reads through): the year, the day, and the last audited change (every record they read is written through
    ``do_save``/``do_delete`` or ``BulkWrite``, each of which writes an audit row)."""
    from django.db.models import Max

    from tumbuh.audit.models import AuditLog

    last = AuditLog.objects.aggregate(m=Max("id"))["m"]
    return f"{year}:{today.isoformat()}:{last}"


def _cached(key: str, build):
    """Pantau Aksi's rows cost every app's outputs and proofs (tenths of a second per district):
    a province page reuses them per district until a record changes (``_records_stamp``)."""
    from django.core.cache import cache

    key = f"tumbuh:province:{key}"
    found = cache.get(key)
    if found is None:
        found = build()
        cache.set(key, found, CACHE_SECONDS)
    return found


def _kabupaten_code(code: str) -> str:
    return ".".join(code.split(".")[:2])


def _quality(user, province: Wilayah, period: Period) -> dict[str, Quality]:
    out: dict[str, Quality] = {}
    # The puskesmas' lights alone: the province's thousands of posyandu rows are not read (issue 18).
    for r in quality_tables(user=user, within_code=province.code, period=period, levels=("puskesmas",))["puskesmas"]:
        out.setdefault(_kabupaten_code(r.wilayah_code), Quality()).lights[r.light] += 1
    return out


def aksi_of(cycle, today: dt.date) -> Aksi:
    """Pantau Aksi's rows of the district's ``cycle`` (``aksi.CycleYear``), summed: the
    district's own progress, as its secretariat sees it on Pantau Aksi. The reader saw the cycle
    (``district_rows`` reads it through the policy); the rows are counted as the system sees the
    district, because an output may be proved by records the province may not read (Aksi 5's
    KPM trained, a rakor's attendance): the province gets the counts, never those records."""
    rows = aksi_progress.year_rows(cycle, policy.SYSTEM, today=today)
    return Aksi(
        started=True,
        actions=len(rows),
        done_actions=sum(1 for r in rows if r["a"].status == AksiStatus.DONE),
        in_progress=sum(1 for r in rows if r["a"].status == AksiStatus.IN_PROGRESS),
        overdue=sum(1 for r in rows if r["overdue"]),
        outputs_done=sum(r["done"] for r in rows),
        outputs_total=sum(r["total"] for r in rows),
        docs=sum(r["docs"] for r in rows),
        per_action=[(r["a"].definition.number, r["a"].status, r["done"], r["total"]) for r in rows],
    )


def rembuk_of(user, kabupaten: Wilayah, year: int, today: dt.date) -> Rembuk:
    """The district's own rembuk of ``year`` (a kecamatan's is not the district's), and what
    proves Aksi 3 (the records Pantau Aksi ticks itself from)."""
    district = [e for e in rembuk_outputs.events(kabupaten, year, user) if not e.is_kecamatan]
    held = [e for e in district if e.date <= today]
    keys = {p.key for p in rembuk_outputs.proofs(kabupaten, year, user, today)}
    return Rembuk(
        held=bool(held),
        date=held[-1].date if held else None,
        planned=min((e.date for e in district if e.date > today), default=None),
        commitment=rembuk_outputs.COMMITMENT in keys,
        berita_acara=rembuk_outputs.BERITA_ACARA in keys,
    )


def _rakor(user, codes: list[str], year: int, today: dt.date) -> dict[str, Rakor]:
    """The district TPPS's coordination meetings held in ``year`` up to ``today``."""
    out: dict[str, Rakor] = {}
    meetings = policy.visible(
        user, Rapat.objects.filter(tpps__wilayah_id__in=codes, date__year=year, date__lte=today)
    ).values_list("tpps__wilayah_id", "date", "minutes")
    for code, date, minutes in meetings:
        r = out.setdefault(code, Rakor())
        r.held += 1
        r.last = max(r.last, date) if r.last else date
        r.with_minutes += bool((minutes or "").strip())
    return out


# ---------------------------------------------------------------- sorting
def _none_last(value):
    return (value is None, value)


#: ``?sort=`` keys → (column label, key of a row). A row without the figure sorts last either
#: way; "-key" sorts descending.
SORTS = {
    "name": (_("Regency / city"), lambda r: (False, r.name.lower())),
    "code": (_("Code"), lambda r: (False, r.code)),
    "prevalence": (_("Prevalence (%)"), lambda r: _none_last(r.figure.r if r.has_data else None)),
    "measured": (_("Children measured"), lambda r: _none_last(r.figure.n_measured if r.has_data else None)),
    "estimate": (_("Small-area estimate (%)"), lambda r: _none_last(r.figure.eb_r if r.has_data else None)),
    "target": (_("Target (%)"), lambda r: _none_last(float(r.target.target) if r.target else None)),
    "aarr": (_("AARR achieved (%/year)"), lambda r: _none_last(r.assessment.aarr if r.assessment else None)),
    "required": (
        _("AARR required (%/year)"),
        lambda r: _none_last(r.assessment.aarr_required if r.assessment else None),
    ),
    "quality": (_("Data quality"), lambda r: _none_last(r.quality.green_share)),
    "aksi": (_("Aksi progress"), lambda r: _none_last(r.aksi.share)),
    "rembuk": (_("Rembuk"), lambda r: (False, r.rembuk.score)),
    "rakor": (_("Rakor"), lambda r: (False, r.rakor.held)),
}
DEFAULT_SORT = "-prevalence"


def parse_sort(value: str | None) -> tuple[str, bool]:
    """``?sort=`` → (key, descending); an unknown key gives the default."""
    value = value or DEFAULT_SORT
    key, desc = (value[1:], True) if value.startswith("-") else (value, False)
    if key not in SORTS:
        return parse_sort(DEFAULT_SORT)
    return key, desc


def sort_rows(rows: list[DistrictRow], key: str, descending: bool) -> list[DistrictRow]:
    """Rows by ``key``; rows without the figure last whichever the direction, ties by code."""
    by = SORTS[key][1]
    with_value = [r for r in rows if by(r)[0] is False]
    without = [r for r in rows if by(r)[0] is not False]
    with_value.sort(key=lambda r: r.code)
    with_value.sort(key=lambda r: by(r)[1], reverse=descending)
    return with_value + sorted(without, key=lambda r: r.code)
