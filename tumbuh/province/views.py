"""The province's pages (``/provinsi/``): its districts side by side, chosen districts compared
over the rounds, the districts on the map, and the table as Excel. Thin views: the policy
decides which province the reader may look at (its region must lie in the reader's node: a
province user's own, any for a superuser), ``figures`` reads the districts' figures."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tumbuh.accounts import policy
from tumbuh.dashboards import aggregates, charts, xlsx
from tumbuh.dashboards.default_period import default_round
from tumbuh.dashboards.models import DistrictTarget
from tumbuh.dashboards.periods import Period
from tumbuh.dashboards.views import INDICATOR_LABELS
from tumbuh.maps import classes as colour
from tumbuh.organisation.models import Opd
from tumbuh.wilayah.models import Level, Wilayah

from . import figures, maps

#: The indicators the province compares (the dashboards' labels).
INDICATORS = ("stunting", "wasting", "underweight", "overweight")
ESTIMATES = ("raw", "eb")
COMPARE_MIN, COMPARE_MAX = 2, 4
#: Rounds a trend in the comparison covers (as the dashboard's trend).
TREND_ROUNDS = 6


@dataclass
class Query:
    province: Wilayah
    period: Period
    indicator: str
    sort: str
    descending: bool
    estimate: str = "raw"
    year: int = 0  # of Aksi, the rembuk and the rakor (default: the period's)

    @property
    def sort_param(self) -> str:
        return ("-" if self.descending else "") + self.sort

    @property
    def indicator_label(self):
        return INDICATOR_LABELS[self.indicator]

    def params(self, **changes) -> str:
        values = {
            "provinsi": self.province.code,
            "period": self.period.key,
            "indicator": self.indicator,
            "sort": self.sort_param,
            "year": self.year if self.year != self.period.year else "",
            **changes,
        }
        return urlencode({k: v for k, v in values.items() if v})

    def sort_link(self, key: str) -> str:
        """The column's link: descending first, the other way round when it is the current sort."""
        desc = not (key == self.sort and self.descending)
        return self.params(sort=("-" if desc else "") + key)


def _default_province(user) -> Wilayah | None:
    """The province the page opens on: the user's own node when it is one, for a superuser the
    province of the first district Tumbuh serves (one with an OPD)."""
    if user.wilayah_id and user.wilayah.level == Level.PROVINSI:
        return user.wilayah
    if user.wilayah_id:
        return Wilayah.objects.filter(code=user.wilayah.provinsi_code).first()
    served = Opd.objects.order_by("kabupaten_id").values_list("kabupaten_id", flat=True).first()
    code = served.split(".")[0] if served else None
    return Wilayah.objects.filter(code=code, level=Level.PROVINSI).first() if code else None


def _province(request) -> Wilayah:
    """The province asked for (``?provinsi=``) or the default; 403 unless its region lies in the
    reader's node (``policy.require``: a district's account is refused, as is a province user of
    another province)."""
    user = request.user
    code = request.GET.get("provinsi")
    province = Wilayah.objects.filter(code=code, level=Level.PROVINSI).first() if code else _default_province(user)
    if province is None:
        raise Http404
    policy.require(user, policy.VIEW, province)
    return province


def _query(request) -> Query:
    province = _province(request)
    try:
        period = Period.parse(request.GET["period"])
    except (KeyError, ValueError):
        period = default_round(request.user, today=timezone.localdate())
    indicator = request.GET.get("indicator")
    if indicator not in INDICATORS:
        indicator = "stunting"
    sort, descending = figures.parse_sort(request.GET.get("sort"))
    estimate = request.GET.get("estimate")
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else period.year
    return Query(province, period, indicator, sort, descending, estimate if estimate in ESTIMATES else "raw", year)


def _rows(request, q: Query) -> list[figures.DistrictRow]:
    rows = figures.district_rows(
        request.user, q.province, period=q.period, indicator=q.indicator, today=timezone.localdate(), year=q.year
    )
    return figures.sort_rows(rows, q.sort, q.descending)


def _dashboard_link(q: Query, code: str) -> str:
    """The district's own prevalence dashboard, focused on it, for the same round and indicator."""
    return (
        reverse("dashboards:prevalence")
        + "?"
        + urlencode({"within": code, "level": "kecamatan", "period": q.period.key, "indicator": q.indicator})
    )


def _common(request, q: Query) -> dict:
    return {
        "q": q,
        "indicators": [(i, INDICATOR_LABELS[i]) for i in INDICATORS],
        "period_choices": aggregates.period_choices(user=request.user),
        "provinces": _provinces(request.user),
    }


def _provinces(user) -> list[Wilayah]:
    """The provinces a superuser may pick (those with a district Tumbuh serves); for anyone
    else only their own."""
    if not policy.is_global(user):
        return []
    codes = {c.split(".")[0] for c in Opd.objects.values_list("kabupaten_id", flat=True).distinct()}
    return list(Wilayah.objects.filter(code__in=codes, level=Level.PROVINSI).order_by("code"))


@login_required
def districts(request):
    q = _query(request)
    rows = _rows(request, q)
    for r in rows:
        r.dashboard = _dashboard_link(q, r.code)
    context = {
        **_common(request, q),
        "title": _("Districts of %(province)s") % {"province": q.province.name},
        "rows": rows,
        "with_data": sum(1 for r in rows if r.has_data),
        "sorts": {
            key: {"key": key, "label": label, "url": q.sort_link(key), "current": key == q.sort}
            for key, (label, _by) in figures.SORTS.items()
        },
        "fresh": aggregates.freshness(user=request.user, period=q.period),
        "verdict_round": figures.verdict_round(request.user, q.period, timezone.localdate()),
    }
    template = (
        "province/_table.html"
        if request.htmx and request.htmx.target == "district-table"
        else "province/districts.html"
    )
    return render(request, template, context)


@login_required
def compare(request):
    q = _query(request)
    every = list(figures.districts(request.user, q.province))
    by_code = {k.code: k for k in every}
    chosen = []
    for code in request.GET.getlist("kabupaten"):
        if code not in by_code:
            raise Http404  # not a district of this province the reader sees
        if code not in chosen:
            chosen.append(code)
    context = {**_common(request, q), "title": _("Compare districts"), "every": every, "chosen": chosen}
    if not COMPARE_MIN <= len(chosen) <= COMPARE_MAX:
        context["error"] = _("Choose from %(min)s to %(max)s districts.") % {"min": COMPARE_MIN, "max": COMPARE_MAX}
        return render(request, "province/compare.html", context, status=400 if chosen else 200)
    rows = {
        r.code: r
        for r in figures.district_rows(
            request.user, q.province, period=q.period, indicator=q.indicator, today=timezone.localdate(), year=q.year
        )
    }
    until = (
        q.period if q.period.kind == "round" else figures.verdict_round(request.user, q.period, timezone.localdate())
    )
    columns = []
    for code in chosen:
        k = by_code[code]
        points = aggregates.trend(
            user=request.user, code=code, level="kabupaten", indicator=q.indicator, last=TREND_ROUNDS, until=until
        )
        targets = list(
            policy.visible(request.user, DistrictTarget.objects.filter(kabupaten_id=code, indicator=q.indicator))
        )
        svg = charts.svg(
            charts.trend_lines(
                points,
                _("%(ind)s over rounds: %(area)s") % {"ind": INDICATOR_LABELS[q.indicator], "area": k.name},
                targets=[t for t in targets if t.year <= until.year + 6],
                width=360,
                height=200,
            )
        )
        rows[code].dashboard = _dashboard_link(q, code)
        columns.append({"row": rows[code], "points": points, "svg": svg})
    context.update({"columns": columns, "rounds": [p for p, _r in columns[0]["points"]]})
    return render(request, "province/compare.html", context)


@login_required
def map_page(request):
    q = _query(request)
    rows = figures.sort_rows(
        figures.district_rows(
            request.user, q.province, period=q.period, indicator=q.indicator, today=timezone.localdate(), year=q.year
        ),
        "code",
        False,
    )
    areas = maps.areas(rows, q.indicator, q.estimate)
    shapes, synthetic = maps.district_shapes([r.code for r in rows])
    return render(
        request,
        "province/map.html",
        {
            **_common(request, q),
            "title": _("Map of %(province)s") % {"province": q.province.name},
            "areas": areas,
            "with_data": sum(1 for a in areas if a.value is not None),
            "classes": colour.classes(q.indicator),
            "map_svg": maps.choropleth_svg(shapes, areas, str(q.indicator_label)) if shapes else "",
            "without_shape": [a for a in areas if a.code not in shapes],
            "synthetic": synthetic,
            "estimates": [("raw", _("Raw prevalence")), ("eb", _("Small-area estimate (shrunk)"))],
        },
    )


EXPORT_TITLE = gettext_lazy("Districts side by side")


@login_required
def districts_xlsx(request):
    q = _query(request)
    rows = _rows(request, q)
    verdicts = {"on_track": _("on track"), "off_track": _("off track"), "unknown": _("not enough data")}
    lights = {"green": _("green"), "yellow": _("yellow"), "red": _("red"), "grey": _("grey")}
    columns = [
        (_("Code"), "text"),
        (_("Regency / city"), "text"),
        (_("Children measured"), "int"),
        (_("Cases"), "int"),
        (_("Prevalence (%)"), "pct"),
        (_("95% CI lower"), "pct"),
        (_("95% CI upper"), "pct"),
        (_("Small-area estimate (%)"), "pct"),
        (_("Small-area lower"), "pct"),
        (_("Small-area upper"), "pct"),
        (_("Target (%)"), "pct"),
        (_("Target year"), "text"),
        (_("AARR achieved (%/year)"), "dec"),
        (_("AARR required (%/year)"), "dec"),
        (_("Verdict"), "text"),
        *[(_("Puskesmas, data quality %(light)s") % {"light": lights[c]}, "int") for c in figures.LIGHTS],
        (_("Aksi: actions done"), "int"),
        (_("Aksi: actions"), "int"),
        (_("Aksi: required outputs done"), "int"),
        (_("Aksi: required outputs"), "int"),
        (_("Aksi: documents"), "int"),
        (_("Rembuk held on"), "text"),
        (_("Commitment signed"), "text"),
        (_("Berita acara uploaded"), "text"),
        (_("Rakor held"), "int"),
        (_("Last rakor"), "text"),
        (_("Rakor with minutes"), "int"),
    ]
    pct = lambda v: None if v is None else 100 * v  # noqa: E731
    yes = lambda v: str(_("yes") if v else _("no"))  # noqa: E731
    data = []
    for r in rows:
        f = r.figure if r.has_data else None
        a = r.assessment
        data.append(
            (
                r.code,
                r.name,
                f.n_measured if f else None,
                f.cases if f else None,
                f.r if f else None,
                f.ll if f else None,
                f.ul if f else None,
                f.eb_r if f else None,
                f.eb_ll if f else None,
                f.eb_ul if f else None,
                float(r.target.target) if r.target else None,
                str(r.target.year) if r.target else "",
                pct(a.aarr) if a else None,
                pct(a.aarr_required) if a else None,
                (str(verdicts[a.verdict]) + (f" ({a.note})" if a.note else "")) if a else "",
                *[r.quality.count(c) for c in figures.LIGHTS],
                r.aksi.done_actions if r.aksi.started else None,
                r.aksi.actions if r.aksi.started else None,
                r.aksi.outputs_done if r.aksi.started else None,
                r.aksi.outputs_total if r.aksi.started else None,
                r.aksi.docs if r.aksi.started else None,
                r.rembuk.date.isoformat() if r.rembuk.date else "",
                yes(r.rembuk.commitment),
                yes(r.rembuk.berita_acara),
                r.rakor.held,
                r.rakor.last.isoformat() if r.rakor.last else "",
                r.rakor.with_minutes,
            )
        )
    meta = [
        (_("Province"), q.province.name),
        (_("Indicator"), str(q.indicator_label)),
        (_("Period"), q.period.label),
        (_("Year (Aksi, rembuk, rakor)"), str(q.year)),
        (
            _("Sorted by"),
            _("%(column)s (%(direction)s)")
            % {"column": figures.SORTS[q.sort][0], "direction": _("descending") if q.descending else _("ascending")},
        ),
        (
            _("Data source"),
            _(
                "Tumbuh: each district's precomputed dashboard figures (posyandu measurements, WHO 2006 z-scores), targets, Pantau Aksi, Rembuk Stunting and TPPS meetings"
            ),
        ),
    ]
    content = xlsx.workbook(
        str(EXPORT_TITLE),
        meta,
        columns,
        data,
        notes=[
            _("An empty prevalence: no measurement in the period (no data yet), not 0 %."),
            _(
                "Prevalence with its confidence interval (95%, logit; growth engine, prevalence_simple); flagged z-scores excluded."
            ),
        ],
        now=timezone.now(),
    )
    response = xlsx.response(content, f"provinsi-{q.province.code}-{q.indicator}-{q.period.key}.xlsx")
    response["Cache-Control"] = "no-store, private"
    return response
