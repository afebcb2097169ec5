"""Prevalence, data-quality and target pages (``/dasbor/``), each with an XLSX export.

Thin views: parse the request, ask the policy, call ``aggregates`` / ``quality`` /
``targets``, render. Every figure comes from the growth engine through ``aggregates``."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tumbuh.accounts import policy
from tumbuh.core.editing import edit
from tumbuh.core.focus import get_focus
from tumbuh.wilayah.models import Level, Wilayah

from . import aggregates, charts, coverage, xlsx
from .aggregates import INDICATORS, freshness, indicator_table, trend
from .default_period import default_round
from .forms import DistrictTargetForm, PopulationForm, SurveyFigureForm
from .models import DistrictTarget, SurveyFigure, UnderFivePopulation
from .periods import Period
from .permissions import sees_part_of_kecamatan, summary_puskesmas
from .quality import MIN_N, needs_check, quality_tables
from .targets import assess, assess_area, target_for

INDICATOR_LABELS = {
    "stunting": gettext_lazy("Stunting (pendek + sangat pendek)"),
    "severe_stunting": gettext_lazy("Severe stunting (sangat pendek)"),
    "wasting": gettext_lazy("Wasting (gizi kurang + gizi buruk)"),
    "severe_wasting": gettext_lazy("Severe wasting (gizi buruk)"),
    "underweight": gettext_lazy("Underweight (BB kurang + sangat kurang)"),
    "overweight": gettext_lazy("Overweight (gizi lebih + obesitas)"),
}
LEVEL_LABELS = {
    "kabupaten": gettext_lazy("Regency / city"),
    "kecamatan": gettext_lazy("Kecamatan"),
    "puskesmas": gettext_lazy("Puskesmas"),
    "desa": gettext_lazy("Desa"),
    "posyandu": gettext_lazy("Posyandu"),
}
LEVEL_OF = {Level.PROVINSI: "provinsi", Level.KABUPATEN: "kabupaten", Level.KECAMATAN: "kecamatan", Level.DESA: "desa"}
BELOW = {"provinsi": "kabupaten", "kabupaten": "kecamatan", "kecamatan": "desa", "desa": "posyandu"}
ALLOWED_BELOW = {
    None: ("kabupaten", "kecamatan", "puskesmas", "desa", "posyandu"),
    "provinsi": ("kabupaten", "kecamatan", "desa"),
    "kabupaten": ("kabupaten", "kecamatan", "puskesmas", "desa", "posyandu"),
    "kecamatan": ("kecamatan", "puskesmas", "desa", "posyandu"),
    "desa": ("desa", "posyandu"),
}
SOURCE_LABELS = {
    "registered": gettext_lazy("registered children 0–59 months"),
    "dukcapil": gettext_lazy("Dukcapil figure"),
}


# ============================================================================ request parsing
#: How the prevalence table may be sorted: by the small-area estimate, by the number of cases
#: (then the prevalence), or by the prevalence itself (then the number of cases).
SORTS = {
    "estimate": gettext_lazy("small-area estimate"),
    "cases": gettext_lazy("number of cases"),
    "prevalence": gettext_lazy("prevalence"),
}


def default_sort(level: str) -> str:
    """Posyandu hold too few children for the small-area estimate to tell them apart (it is
    pulled almost wholly to the kecamatan's rate): they are sorted by their cases, which is
    where a cadre starts; every other level by the estimate."""
    return "cases" if level == "posyandu" else "estimate"


@dataclass
class Scope:
    within: Wilayah | None
    level: str
    period: Period
    indicator: str
    kind: str
    sort: str = "estimate"

    @property
    def within_code(self):
        return self.within.code if self.within else None

    @property
    def within_level(self):
        return LEVEL_OF[self.within.level] if self.within else None

    def query(self, **changes) -> str:
        q = {
            "within": self.within_code or "",
            "level": self.level,
            "period": self.period.key,
            "indicator": self.indicator,
            "sort": self.sort if self.sort != default_sort(self.level) else "",
        }
        q.update(changes)
        if "level" in changes and "sort" not in changes:
            q["sort"] = ""  # another level: its own default
        return "?" + urlencode({k: v for k, v in q.items() if v})


def _scope(request, default_level=None) -> Scope:
    user = request.user
    code = request.GET.get("within")
    if code:
        if not policy.node_contains(user, code):
            raise Http404
        within = Wilayah.objects.filter(code=code).first()
        if within is None:
            raise Http404
    else:
        within = get_focus(request)
    wl = LEVEL_OF[within.level] if within else None
    level = request.GET.get("level") or default_level or BELOW.get(wl, "desa")
    if level not in ALLOWED_BELOW[wl]:
        level = BELOW.get(wl, "desa")
    if sees_part_of_kecamatan(user) and within is None and level in ("kabupaten", "kecamatan"):
        level = "desa"
    indicator = request.GET.get("indicator") or "stunting"
    if indicator not in INDICATORS:
        indicator = "stunting"
    try:
        period = Period.parse(request.GET["period"])
    except (KeyError, ValueError):
        period = default_round(user, today=timezone.localdate())
    sort = request.GET.get("sort")
    if sort not in SORTS:
        sort = default_sort(level)
    return Scope(within, level, period, indicator, period.kind, sort)


def _period_choices(user):
    return aggregates.period_choices(user=user)


def _crumbs(user, within):
    if within is None:
        return []
    out = [w for w in within.ancestors() if w.level >= Level.KABUPATEN and policy.node_contains(user, w.code)]
    return out + [within]


def _kabupaten_of(scope: Scope, user) -> str | None:
    if scope.within is not None:
        return scope.within.kabupaten_code or (scope.within.code if scope.within.level == Level.KABUPATEN else None)
    return user.wilayah.kabupaten_code if user.wilayah_id and user.wilayah else None


def _fresh_context(user, period):
    fr = freshness(user=user, period=period)
    return {"fresh": fr, "fresh_age": (timezone.now() - fr.computed_at) if fr.computed_at else None}


def _ranked(rows, sort: str = "estimate"):
    """Rows in the order of ``sort`` (``SORTS``), numbered: by default the highest small-area
    estimate first (the raw rate of a tiny area is noise), for posyandu the most cases first
    (``default_sort``); areas without the figure last, ties by name."""
    keys = {
        "estimate": lambda r: (r.eb_r is None, -(r.eb_r or 0), r.name),
        "cases": lambda r: (r.r is None, -r.cases, -(r.r or 0), r.name),
        "prevalence": lambda r: (r.r is None, -(r.r or 0), -r.cases, r.name),
    }
    ranked = sorted(rows, key=keys[sort])
    for i, r in enumerate(ranked, 1):
        r.extra["rank"] = i
    return ranked


def shrinkage(rows) -> dict | None:
    """How far the small-area estimate pulled the areas together, for the page to say why it
    is nearly flat: the median children measured per area and the range of the estimates
    beside that of the direct prevalence (None without two areas with figures)."""
    rows = [r for r in rows if r.r is not None and r.eb_r is not None]
    if len(rows) < 2:
        return None
    n = sorted(r.n_measured for r in rows)
    median = n[len(n) // 2] if len(n) % 2 else (n[len(n) // 2 - 1] + n[len(n) // 2]) / 2
    return {
        "median_n": median,
        "eb_low": min(r.eb_r for r in rows),
        "eb_high": max(r.eb_r for r in rows),
        "r_low": min(r.r for r in rows),
        "r_high": max(r.r for r in rows),
    }


def _drill(scope: Scope, row) -> str | None:
    if row.level in ("kabupaten", "kecamatan", "desa"):
        return scope.query(within=row.code, level=BELOW[row.level])
    return None


# ============================================================================ prevalence
def _prevalence_data(request):
    user = request.user
    scope = _scope(request)
    rows = indicator_table(
        user=user, within_code=scope.within_code, level=scope.level, period=scope.period, indicator=scope.indicator
    )
    rows = _ranked(rows, scope.sort)
    for r in rows:
        r.extra["drill"] = _drill(scope, r)
        r.extra["source_label"] = SOURCE_LABELS.get(r.target_source, "")
    summary = []
    own_code, own_level = _own_area(user, scope)
    if own_code is not None:
        for ind in INDICATORS:
            own = [
                r
                for r in indicator_table(
                    user=user, within_code=scope.within_code, level=own_level, period=scope.period, indicator=ind
                )
                if r.code == own_code
            ]
            summary.append((ind, INDICATOR_LABELS[ind], own[0] if own else None))
    return scope, rows, summary


def _own_area(user, scope: Scope) -> tuple[str | None, str | None]:
    """The area the page summarises: the region looked at, or, for a puskesmas officer looking
    at their whole scope, their puskesmas (its row lies in the kecamatan they do not see)."""
    if scope.within is not None and scope.within_level == "provinsi":
        return None, None  # a province is no area of the aggregates: its districts are the rows
    if scope.within is not None:
        return scope.within_code, scope.within_level
    puskesmas = summary_puskesmas(user)
    if puskesmas is not None:
        return str(puskesmas.pk), "puskesmas"
    return None, None


def _area_label(user, scope: Scope) -> str:
    if scope.within is not None:
        return scope.within.label
    puskesmas = summary_puskesmas(user)
    if puskesmas is not None:
        return puskesmas.name
    return _("your area")


# ============================================================================ page cache
#: Longest reuse of a rendered dashboard (seconds); it is replaced sooner whenever the
#: aggregates, a survey figure, a target, a Dukcapil count or a user change (see _version).
PAGE_CACHE_SECONDS = 300
_AUDITED = ("dashboards.surveyfigure", "dashboards.districttarget", "dashboards.underfivepopulation", "accounts.user")


def _version() -> str:
    """What every rendered dashboard depends on besides the request and its own periods, in two
    small queries: how many periods were ever computed (a new round shows in the pickers and
    trends) and the last audited change of the admin-entered figures and of the users."""
    from django.db.models import Max

    from tumbuh.audit.models import AuditLog

    from .models import AggregateRun

    audit = AuditLog.objects.filter(object_type__in=_AUDITED).aggregate(m=Max("id"))["m"]
    return f"{AggregateRun.objects.count()}:{audit}"


def _cached(request, page: str, build):
    """The rendered parts of a dashboard for this user, query, focus and language, built by
    ``build()`` when missing or when what it shows changed. Django's cache is shared by the
    server's worker processes (files under ``var/cache`` by default, ``TUMBUH_CACHE_URL``
    otherwise: see ``tumbuh/core/cacheurl.py``). About 0.1 s of queries, Python and template
    work become one cache look-up and one small query.

    A rendered page keeps when each period it read was computed (``aggregates.reading_periods``)
    and is used while those stay the same: recomputing the 45 periods after an import replaces
    a page when one of *its* periods changes, not 45 times; marking periods stale replaces
    nothing (the freshness line is rendered per request)."""
    from django.core.cache import cache
    from django.utils.safestring import mark_safe
    from django.utils.translation import get_language

    from tumbuh.core.focus import SESSION_KEY

    prefix = ":".join(
        [
            "tumbuh:dash",
            page,
            str(request.user.pk),
            get_language() or "",
            str(request.session.get(SESSION_KEY, "")),
            request.GET.urlencode(),
        ]
    )
    live = getattr(settings, "TUMBUH_DASHBOARD_LIVE", os.environ.get("TUMBUH_DASHBOARD_LIVE") == "1")
    entry = None if live else cache.get(f"{prefix}:{_version()}")  # the benchmark's peer computes every time
    if entry is not None and aggregates.computed_stamps(entry["stamps"]) == entry["stamps"]:
        parts = entry["parts"]
    else:
        with aggregates.reading_periods() as read:
            parts = build()
        # Building may have computed a period (lazily), or a new one: stamped after building.
        entry = {"parts": parts, "stamps": aggregates.computed_stamps(read)}
        cache.set(f"{prefix}:{_version()}", entry, PAGE_CACHE_SECONDS)
    # "head" and "body" are our templates' own output (autoescaped), cached as text.
    return {k: mark_safe(v) if k in ("head", "body") else v for k, v in parts.items()}  # nosec B308 B703


#: The page's bar chart draws at most this many areas, the highest ranked (the table lists them
#: all): a province's 3,059 desa overflowed the chart renderer's stack (from about 1,500 bars, a
#: server error) and 1,000 bars took 15 s to draw.
PAGE_MAX_BARS = 100


@login_required
def prevalence(request):
    def build():
        ctx = _prevalence_context(request, max_bars=PAGE_MAX_BARS)
        return {
            "title": ctx["title"],
            "period": ctx["scope"].period.key,
            "head": render_to_string("dashboards/_prevalence_head.html", ctx, request=request),
            "body": render_to_string("dashboards/_prevalence_body.html", ctx, request=request),
        }

    parts = _cached(request, "prevalence", build)
    if aggregates.ensure_fresh(Period.parse(parts["period"])):  # stale for too long: recomputed, so rebuilt
        parts = _cached(request, "prevalence", build)
    return render(
        request, "dashboards/prevalence.html", {**parts, **_fresh_context(request.user, Period.parse(parts["period"]))}
    )


def _prevalence_context(request, max_bars=None):
    """Everything the prevalence page shows (also the PDF handout's content); ``max_bars``
    limits the bar chart to the highest-ranked areas."""
    user = request.user
    scope, rows, summary = _prevalence_data(request)
    ind_label = INDICATOR_LABELS[scope.indicator]
    area_label = _area_label(user, scope)
    bar_title = f"{ind_label}: {LEVEL_LABELS[scope.level]}, {scope.period.label}"
    if max_bars and len([r for r in rows if r.r is not None]) > max_bars:
        bar_title += " " + _("(the %(n)s highest)") % {"n": max_bars}
    bars = charts.svg(
        charts.ranked_bars([r for r in rows if r.r is not None][:max_bars] if max_bars else rows, bar_title)
    )
    trend_rows, surveys, targets_, trend_svg = [], [], [], ""
    kab = _kabupaten_of(scope, user)
    own_code, own_level = _own_area(user, scope)
    if own_code is not None:
        trend_rows = trend(
            user=user,
            code=own_code,
            level=own_level,
            indicator=scope.indicator,
            last=6,
            until=scope.period if scope.period.kind == "round" else None,
        )
        if kab and scope.within_level == "kabupaten":
            surveys = list(
                policy.visible(user, SurveyFigure.objects.filter(kabupaten_id=kab, indicator=scope.indicator))
            )
            targets_ = list(
                policy.visible(user, DistrictTarget.objects.filter(kabupaten_id=kab, indicator=scope.indicator))
            )
        trend_svg = charts.svg(
            charts.trend_lines(
                trend_rows,
                _("%(ind)s over rounds: %(area)s") % {"ind": ind_label, "area": area_label},
                surveys=surveys,
                targets=[t for t in targets_ if t.year <= scope.period.year + 6],
            )
        )
    comparison = _survey_comparison(user, kab, scope.indicator) if kab else []
    return {
        "title": _("Prevalence dashboard"),
        "scope": scope,
        "rows": rows,
        "summary": summary,
        "crumbs": _crumbs(user, scope.within),
        # children measured in the area (any measurement): a card without a valid z-score says which it lacks
        "children_measured": max((row.n_children for _i, _l, row in summary if row), default=0),
        "indicator_label": ind_label,
        "level_label": LEVEL_LABELS[scope.level],
        "area_label": area_label,
        "indicators": INDICATOR_LABELS.items(),
        "levels": [
            (lv, LEVEL_LABELS[lv])
            for lv in ALLOWED_BELOW[scope.within_level]
            if not (sees_part_of_kecamatan(user) and lv in ("kabupaten", "kecamatan"))
        ],
        "period_choices": _period_choices(user),
        "bars_svg": bars,
        "trend_svg": trend_svg,
        "trend_rows": trend_rows,
        "sorts": SORTS.items(),
        "sort_label": SORTS[scope.sort],
        "default_sort": default_sort(scope.level),
        "over_full": any(coverage.over_full(r.coverage) for r in [*rows, *(row for _i, _l, row in summary if row)]),
        "shrinkage": shrinkage(rows) if scope.level == "posyandu" else None,
        "comparison": comparison,
        "can_edit_surveys": policy.can(user, policy.ADD, SurveyFigure),
        **_fresh_context(user, scope.period),
    }


def _survey_comparison(user, kab, indicator):
    """Survey figures of the district next to the routine figure of the same year."""
    out = []
    figures = list(
        policy.visible(user, SurveyFigure.objects.filter(kabupaten_id=kab, indicator=indicator)).order_by(
            "-year", "survey"
        )
    )
    for f in figures:
        routine = (
            [
                r
                for r in indicator_table(
                    user=user, within_code=kab, level="kabupaten", period=Period.year_of(f.year), indicator=indicator
                )
                if r.code == kab
            ]
            if f.year <= dt.date.today().year
            else []
        )
        out.append((f, routine[0] if routine else None))
    return out


def _meta(user, scope: Scope, extra=()):
    kab = _kabupaten_of(scope, user)
    kab_name = Wilayah.objects.filter(code=kab).values_list("name", flat=True).first() if kab else ""
    return [
        (_("Regency / city"), kab_name or "—"),
        (_("Area"), scope.within.label if scope.within else _("your area")),
        (_("Period"), scope.period.label),
        *extra,
        (_("Data source"), _("Tumbuh: posyandu measurements (e-PPGBM import and posyandu entry), WHO 2006 z-scores")),
    ]


@login_required
def prevalence_xlsx(request):
    scope, rows, _summary = _prevalence_data(request)
    columns = [
        (_("Rank"), "int"),
        (_("Code"), "text"),
        (_("Area"), "text"),
        (_("Children measured"), "int"),
        (_("Valid z-scores"), "int"),
        (_("Cases"), "int"),
        (_("Prevalence (%)"), "pct"),
        (_("95% CI lower"), "pct"),
        (_("95% CI upper"), "pct"),
        (_("Small-area estimate (%)"), "pct"),
        (_("Small-area lower"), "pct"),
        (_("Small-area upper"), "pct"),
        (_("Children targeted"), "int"),
        (_("Denominator source"), "text"),
        (_("Coverage (%)"), "pct"),
        (_("Coverage note"), "text"),
    ]
    data = [
        (
            r.extra["rank"],
            r.code,
            r.name,
            r.n_children,
            r.n_measured,
            r.cases,
            r.r,
            r.ll,
            r.ul,
            r.eb_r,
            r.eb_ll,
            r.eb_ul,
            r.n_target,
            str(SOURCE_LABELS.get(r.target_source, "")),
            r.coverage,
            _coverage_mark(r.coverage),
        )
        for r in rows
    ]
    ind = INDICATOR_LABELS[scope.indicator]
    content = xlsx.workbook(
        str(ind),
        _meta(request.user, scope, [(_("Indicator"), str(ind)), (_("Level"), str(LEVEL_LABELS[scope.level]))]),
        columns,
        data,
        sheets=_prevalence_sheets(request.user, scope),
        notes=[
            _(
                "Prevalence with its confidence interval (95%, logit; growth engine, prevalence_simple); flagged z-scores excluded."
            ),
            _(
                "Small-area estimate: empirical-Bayes beta-binomial, shrunk towards the kecamatan (desa, posyandu, puskesmas) or the district (kecamatan)."
            ),
            _("Sorted by %(sort)s (the rank column).") % {"sort": SORTS[scope.sort]},
            *([coverage.note()] if any(coverage.over_full(r.coverage) for r in rows) else []),
            *([_shrinkage_note(shrunk)] if (shrunk := shrinkage(rows) if scope.level == "posyandu" else None) else []),
        ],
        now=timezone.now(),
    )
    return xlsx.response(content, f"prevalensi-{scope.indicator}-{scope.level}-{scope.period.key}.xlsx")


def _coverage_mark(value) -> str:
    """The footnote marker of a coverage above 100 % for a workbook's note column."""
    return coverage.MARK if coverage.over_full(value) else ""


def _shrinkage_note(shrunk: dict) -> str:
    """The page's explanation of a nearly flat small-area estimate, for the workbook."""
    import html

    from django.utils.html import strip_tags

    return " ".join(
        html.unescape(strip_tags(render_to_string("dashboards/_shrinkage.html", {"shrinkage": shrunk}))).split()
    )


def _prevalence_sheets(user, scope: Scope) -> list:
    """The page's other tables for the workbook: the trend over rounds and the survey figures
    next to the routine data."""
    sheets = []
    own_code, own_level = _own_area(user, scope)
    if own_code is not None:
        points = trend(
            user=user,
            code=own_code,
            level=own_level,
            indicator=scope.indicator,
            last=6,
            until=scope.period if scope.period.kind == "round" else None,
        )
        sheets.append(
            (
                str(_("Trend over rounds")),
                [
                    (_("Round"), "text"),
                    (_("Children measured"), "int"),
                    (_("Cases"), "int"),
                    (_("Prevalence (%)"), "pct"),
                    (_("95% CI lower"), "pct"),
                    (_("95% CI upper"), "pct"),
                ],
                [(p.label, *((r.n_measured, r.cases, r.r, r.ll, r.ul) if r else (None,) * 5)) for p, r in points],
            )
        )
    kab = _kabupaten_of(scope, user)
    comparison = _survey_comparison(user, kab, scope.indicator) if kab else []
    if comparison:
        fl = lambda v: None if v is None else float(v)  # noqa: E731
        sheets.append(
            (
                str(_("Survey figures and routine data")),
                [
                    (_("Year"), "text"),
                    (_("Survey"), "text"),
                    (_("Survey (%)"), "pct"),
                    (_("95% CI lower"), "pct"),
                    (_("95% CI upper"), "pct"),
                    (_("Routine data, same year (%)"), "pct"),
                    (_("95% CI lower"), "pct"),
                    (_("95% CI upper"), "pct"),
                    (_("Source"), "text"),
                ],
                [
                    (
                        str(f.year),
                        f.get_survey_display(),
                        fl(f.prevalence),
                        fl(f.ll),
                        fl(f.ul),
                        *((r.r, r.ll, r.ul) if r else (None,) * 3),
                        f.source,
                    )
                    for f, r in comparison
                ],
            )
        )
    return sheets


# ============================================================================ data quality
def _quality_data(request):
    scope = _scope(request)
    tables = quality_tables(user=request.user, within_code=scope.within_code, period=scope.period)
    return scope, tables


@login_required
def quality_page(request):
    def build():
        ctx = _quality_context(request)
        return {
            "title": ctx["title"],
            "period": ctx["scope"].period.key,
            "body": render_to_string("dashboards/_quality_body.html", ctx, request=request),
        }

    parts = _cached(request, "quality", build)
    if aggregates.ensure_fresh(Period.parse(parts["period"])):  # stale for too long: recomputed, so rebuilt
        parts = _cached(request, "quality", build)
    return render(
        request, "dashboards/quality.html", {**parts, **_fresh_context(request.user, Period.parse(parts["period"]))}
    )


def _quality_context(request):
    scope, tables = _quality_data(request)
    return {
        "title": _("Data quality"),
        "scope": scope,
        "tables": tables,
        "worst": needs_check(tables["posyandu"]),
        "over_full": any(coverage.over_full(r.coverage) for rows in tables.values() for r in rows),
        "crumbs": _crumbs(request.user, scope.within),
        "period_choices": _period_choices(request.user),
        "min_n": MIN_N,
        "area_label": _area_label(request.user, scope),
        **_fresh_context(request.user, scope.period),
    }


@login_required
def quality_xlsx(request):
    scope, tables = _quality_data(request)
    columns = [
        (_("Level"), "text"),
        (_("Name"), "text"),
        (_("Desa"), "text"),
        (_("Measurements"), "int"),
        (_("Flagged HAZ (%)"), "pct"),
        (_("SD of HAZ"), "dec"),
        (_("Digit preference, weight"), "pct"),
        (_("Digit preference, length/height"), "pct"),
        (_("Age heaping (6-month ratio)"), "dec"),
        (_("Coverage (%)"), "pct"),
        (_("With e-PPGBM z-scores"), "int"),
        (_("e-PPGBM disagreement (%)"), "pct"),
        (_("Traffic light"), "text"),
        (_("Reasons"), "text"),
        (_("Coverage note"), "text"),
    ]
    lights = {"green": _("green"), "yellow": _("yellow"), "red": _("red"), "grey": _("grey")}
    listed = [r for level in ("puskesmas", "posyandu") for r in tables[level]]
    data = [
        (
            str(LEVEL_LABELS[r.level]),
            r.name,
            r.parent,
            r.n,
            r.pct_flagged,
            r.sd_haz,
            r.dps_weight,
            r.dps_height,
            r.heaping,
            r.coverage,
            r.n_eppgbm,
            r.pct_disagree,
            str(lights[r.light]),
            " ".join(t for _c, t in r.reasons),
            _coverage_mark(r.coverage),
        )
        for r in listed
    ]
    notes = [coverage.note()] if any(coverage.over_full(r.coverage) for r in listed) else []
    content = xlsx.workbook(
        str(_("Data quality")), _meta(request.user, scope), columns, data, notes=notes, now=timezone.now()
    )
    return xlsx.response(content, f"kualitas-data-{scope.period.key}.xlsx")


# ============================================================================ targets
def _targets_data(request):
    user = request.user
    scope = _scope(request)
    kab = _kabupaten_of(scope, user)
    targets_ = list(
        policy.visible(
            user, DistrictTarget.objects.filter(indicator=scope.indicator, **({"kabupaten_id": kab} if kab else {}))
        ).order_by("year")
    )
    now = scope.period if scope.period.kind == "round" else default_round(user, today=timezone.localdate())
    rounds = aggregates.available_periods(user=user, kind="round")
    base = rounds[-1] if rounds else now
    target = target_for(targets_, now.year)
    rows = []
    for level in ("kabupaten", "kecamatan"):
        if scope.within is not None and scope.within.level > Level.KECAMATAN:
            continue
        within = kab if level == "kabupaten" else scope.within_code
        cur = {
            r.code: r
            for r in indicator_table(user=user, within_code=within, level=level, period=now, indicator=scope.indicator)
        }
        old = {
            r.code: r
            for r in indicator_table(user=user, within_code=within, level=level, period=base, indicator=scope.indicator)
        }
        for code, r in cur.items():
            o = old.get(code)
            a = assess_area(r, o, now=now, base=base, target=target)
            rows.append((level, r, o, a))
    surveys = list(
        policy.visible(
            user, SurveyFigure.objects.filter(indicator=scope.indicator, **({"kabupaten_id": kab} if kab else {}))
        ).order_by("year")
    )
    survey_assessment = None
    ssgi = [s for s in surveys if s.survey in ("SSGI", "SKI")]
    if len(ssgi) >= 2 and ssgi[0].year < ssgi[-1].year:
        survey_assessment = (
            ssgi[0],
            ssgi[-1],
            assess(
                float(ssgi[0].prevalence),
                dt.date(ssgi[0].year, 7, 1),
                float(ssgi[-1].prevalence),
                dt.date(ssgi[-1].year, 7, 1),
                float(target.target) if target else None,
                target.year if target else None,
            ),
        )
    return scope, targets_, target, base, now, rows, surveys, survey_assessment


@login_required
def targets(request):
    return render(request, "dashboards/targets.html", _targets_context(request))


def _targets_context(request):
    user = request.user
    scope, targets_, target, base, now, rows, surveys, survey_assessment = _targets_data(request)
    return {
        "title": _("Targets and rate of reduction"),
        "scope": scope,
        "targets": targets_,
        "target": target,
        "base": base,
        "now": now,
        "rows": rows,
        "surveys": surveys,
        "survey_assessment": survey_assessment,
        "crumbs": _crumbs(user, scope.within),
        "can_edit": policy.can(user, policy.ADD, DistrictTarget),
        "indicator_label": INDICATOR_LABELS[scope.indicator],
        "indicators": INDICATOR_LABELS.items(),
        "populations": policy.visible(user, UnderFivePopulation.objects.select_related("wilayah"))[:200],
        "can_edit_population": policy.can(user, policy.ADD, UnderFivePopulation),
    }


@login_required
def targets_xlsx(request):
    scope, targets_, target, base, now, rows, surveys, survey_assessment = _targets_data(request)
    verdicts = {"on_track": _("on track"), "off_track": _("off track"), "unknown": _("not enough data")}
    columns = [
        (_("Level"), "text"),
        (_("Code"), "text"),
        (_("Area"), "text"),
        (_("Baseline (%)"), "pct"),
        (_("Now (%)"), "pct"),
        (_("AARR achieved (%/year)"), "dec"),
        (_("AARR required (%/year)"), "dec"),
        (_("Projection (%)"), "pct"),
        (_("Target (%)"), "pct"),
        (_("Verdict"), "text"),
    ]
    pct = lambda v: None if v is None else 100 * v  # noqa: E731
    data = [
        (
            str(LEVEL_LABELS[level]),
            r.code,
            r.name,
            o.r if o else None,
            r.r,
            pct(a.aarr),
            pct(a.aarr_required),
            a.projection,
            a.target,
            str(verdicts[a.verdict]) + (f" ({a.note})" if a.note else ""),
        )
        for level, r, o, a in rows
    ]
    extra = [
        (_("Baseline"), base.label),
        (_("Now"), now.label),
        (_("Target"), f"{target.year}: {target.target} %" if target else "—"),
    ]
    populations = policy.visible(request.user, UnderFivePopulation.objects.select_related("wilayah")).order_by(
        "wilayah_id", "year"
    )
    sheets = [
        (
            str(_("District targets")),
            [(_("Year"), "text"), (_("Target (%)"), "pct"), (_("Basis"), "text")],
            [(str(t.year), float(t.target), t.source) for t in targets_],
        ),
        (
            str(_("Under-five population (Dukcapil)")),
            [
                (_("Code"), "text"),
                (_("Region"), "text"),
                (_("Year"), "text"),
                (_("Children aged 0–59 months"), "int"),
                (_("Source"), "text"),
            ],
            [(p.wilayah_id, p.wilayah.label, str(p.year), p.count, p.source) for p in populations],
        ),
    ]
    content = xlsx.workbook(
        str(_("Targets and rate of reduction")),
        _meta(request.user, scope, extra),
        columns,
        data,
        sheets=sheets,
        notes=[
            _(
                "AARR = 1 − (p_t / p_0)^(1 / (t − t_0)); required = 1 − (target / p_t)^(1 / (T − t)); projection = p_t · (1 − AARR)^(T − t)."
            )
        ],
        now=timezone.now(),
    )
    return xlsx.response(content, f"target-{scope.indicator}-{now.key}.xlsx")


# ============================================================================ admin-entered figures
def _edit(request, model, form_class, pk, title, back, initial=None):
    return edit(
        request,
        model,
        form_class,
        pk,
        template="dashboards/form.html",
        done=back,
        initial=initial,
        context={"title": title, "back": back},
    )


def _initial_kabupaten(request):
    user = request.user
    return {"kabupaten": user.wilayah.kabupaten_code or user.wilayah_id} if user.wilayah_id else None


@login_required
def target_edit(request, pk=None):
    return _edit(
        request,
        DistrictTarget,
        DistrictTargetForm,
        pk,
        _("District target"),
        reverse("dashboards:targets"),
        _initial_kabupaten(request),
    )


@login_required
def survey_edit(request, pk=None):
    return _edit(
        request,
        SurveyFigure,
        SurveyFigureForm,
        pk,
        _("Survey figure"),
        reverse("dashboards:surveys"),
        _initial_kabupaten(request),
    )


@login_required
def population_edit(request, pk=None):
    return _edit(
        request,
        UnderFivePopulation,
        PopulationForm,
        pk,
        _("Under-five population (Dukcapil)"),
        reverse("dashboards:targets"),
    )


@login_required
def surveys_xlsx(request):
    """The survey figures the user may see, every district, year and indicator."""
    figures = policy.visible(request.user, SurveyFigure.objects.select_related("kabupaten")).order_by(
        "kabupaten_id", "indicator", "year"
    )
    fl = lambda v: None if v is None else float(v)  # noqa: E731
    columns = [
        (_("Regency / city"), "text"),
        (_("Year"), "text"),
        (_("Survey"), "text"),
        (_("Indicator"), "text"),
        (_("Prevalence (%)"), "pct"),
        (_("95% CI lower"), "pct"),
        (_("95% CI upper"), "pct"),
        (_("Source"), "text"),
    ]
    rows = [
        (
            f.kabupaten.name,
            str(f.year),
            f.get_survey_display(),
            str(f.get_indicator_display()),
            fl(f.prevalence),
            fl(f.ll),
            fl(f.ul),
            f.source,
        )
        for f in figures
    ]
    meta = [(_("Data source"), _("Survey figures (SSGI/SKI) as entered by the district admin, labelled as such."))]
    content = xlsx.workbook(str(_("Survey figures (SSGI/SKI)")), meta, columns, rows, now=timezone.now())
    return xlsx.response(content, "survei.xlsx")


@login_required
def surveys(request):
    user = request.user
    figures = policy.visible(user, SurveyFigure.objects.select_related("kabupaten"))
    return render(
        request,
        "dashboards/surveys.html",
        {
            "title": _("Survey figures (SSGI/SKI)"),
            "figures": figures,
            "can_add": policy.can(user, policy.ADD, SurveyFigure),
        },
    )
