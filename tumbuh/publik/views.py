"""The public page (Aksi 7: publikasi): published rounds, without login, light and cacheable;
and the district admin's page to publish and withdraw rounds.

Public views never read ``request.user`` or the session and render without context
processors, so a response is the same for every visitor and a cache may keep it. They show
only rounds with an active :class:`PublishedRound`, from the figures stored when it was
published, suppressed by :mod:`tumbuh.publik.suppression`."""

from __future__ import annotations

import io

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_POST

from tumbuh.accounts import policy
from tumbuh.audit.actions import do_save
from tumbuh.core.focus import kabupaten_of
from tumbuh.core.numbers import PERCENT_PLACES, csv_number
from tumbuh.core.spreadsheet import Number, csv_comment, csv_writer
from tumbuh.dashboards.periods import Period
from tumbuh.wilayah.models import Level, Wilayah

from . import map as public_map
from .data import INDICATORS, compute_snapshot, public_table
from .models import PublishedRound
from .suppression import COMPLEMENTARY, MIN_N, SMALL

INDICATOR_LABELS = {
    "stunting": gettext_lazy("Stunting (height-for-age < −2 SD)"),
    "wasting": gettext_lazy("Wasting (weight-for-height < −2 SD)"),
    "underweight": gettext_lazy("Underweight (weight-for-age < −2 SD)"),
}
CACHE_SECONDS = 300


def method_note() -> list[str]:
    """The short note on method and source, one paragraph per item (page and CSV)."""
    return [
        _(
            "Prevalence is the share of children under five, measured in the round, whose z-score is below −2 SD of "
            "the WHO Child Growth Standards (2006), adopted in Indonesia by Permenkes 2/2020: stunting uses "
            "length/height-for-age, wasting weight-for-length/height, underweight weight-for-age. Z-scores that the "
            "WHO rules flag as implausible are left out. Intervals are 95 percent confidence intervals."
        ),
        _(
            "Source: routine posyandu measurements (weighing months in February and August) recorded by the "
            "puskesmas and scored with the WHO standards by Tumbuh; each child counts once per round, with their "
            "latest measurement. These are routine data, not a survey: they cover the children brought to the "
            "posyandu and can differ from survey figures (SSGI, SKI)."
        ),
        _(
            "Privacy: no child is shown. An area with fewer than %(n)d children measured shows no figure, and where "
            "needed a second area is hidden too, so that a small area cannot be worked out by subtracting the areas "
            "shown from the total."
        )
        % {"n": MIN_N},
    ]


def _suppressed_text(cell) -> str:
    if cell.suppressed == SMALL:
        return _("fewer than %(n)d children measured") % {"n": MIN_N}
    if cell.suppressed == COMPLEMENTARY:
        return _("hidden so that a small area cannot be worked out")
    if cell.n == 0:
        return _("no child measured")
    return ""


def _kabupaten(code: str) -> Wilayah:
    w = Wilayah.objects.filter(code=code, level=Level.KABUPATEN).first()
    if w is None:
        raise Http404
    return w


def _active_round(kabupaten: Wilayah, period_key: str) -> PublishedRound:
    try:
        Period.parse(period_key)
    except ValueError:
        raise Http404 from None
    published = PublishedRound.objects.active().filter(kabupaten=kabupaten, period=period_key).first()
    if published is None:
        raise Http404
    return published


def _public_response(template: str, context: dict) -> HttpResponse:
    return HttpResponse(render_to_string(template, context))


@require_GET
@cache_control(public=True, max_age=CACHE_SECONDS)
def index(request):
    rounds = PublishedRound.objects.active().select_related("kabupaten").order_by("kabupaten_id", "-period")
    districts: dict[str, tuple[Wilayah, list[Period]]] = {}
    for r in rounds:
        districts.setdefault(r.kabupaten_id, (r.kabupaten, []))[1].append(Period.parse(r.period))
    return _public_response("publik/index.html", {"districts": list(districts.values())})


@require_GET
@cache_control(public=True, max_age=CACHE_SECONDS)
def district(request, kab):
    kabupaten = _kabupaten(kab)
    latest = PublishedRound.objects.active().filter(kabupaten=kabupaten).order_by("-period").first()
    if latest is None:
        return _public_response(
            "publik/round.html", {"kabupaten": kabupaten, "published": None, "rounds": [], "note": method_note()}
        )
    return _round_page(kabupaten, latest)


@require_GET
@cache_control(public=True, max_age=CACHE_SECONDS)
def round_page(request, kab, period):
    kabupaten = _kabupaten(kab)
    return _round_page(kabupaten, _active_round(kabupaten, period))


def _round_page(kabupaten, published, preview=False):
    rounds = [
        Period.parse(p)
        for p in PublishedRound.objects.active()
        .filter(kabupaten=kabupaten)
        .order_by("-period")
        .values_list("period", flat=True)
    ]
    table = public_table(published.figures)
    return _public_response("publik/round.html", _round_context(kabupaten, published, table, rounds, preview))


def _round_context(kabupaten, published, table, rounds, preview):
    def row(area):
        return {"area": area, "cells": [(c, _suppressed_text(c)) for c in area.cell_list()]}

    # The map reads the published snapshot through its own URL; a preview (not published) has none.
    boundary = None if preview else public_map.desa_boundary(kabupaten.code)
    map_info = {"drawable": False} if preview else public_map.map_context(table, boundary)

    return {
        "kabupaten": kabupaten,
        "published": published,
        "period": table.period,
        "rounds": rounds,
        "preview": preview,
        "indicators": [INDICATOR_LABELS[i] for i in INDICATORS],
        "total_rows": [row(table.kabupaten)],
        "kecamatan": [row(k) for k in table.kecamatan],
        "desa_groups": [(k, [row(d) for d in desa]) for k, desa in table.desa_by_kecamatan],
        "note": method_note(),
        "min_n": MIN_N,
        "csv_url": reverse("publik:csv", args=[kabupaten.code, table.period.key]) if not preview else "",
        "map": map_info,
        "map_url": reverse("publik:map_data", args=[kabupaten.code, table.period.key]) if map_info["drawable"] else "",
    }


CSV_COLUMNS = ["kode_wilayah", "nama_wilayah", "tingkat", "kode_induk", "periode"]
CSV_PER_INDICATOR = ["n_diukur", "kasus", "prevalensi_persen", "ci95_bawah", "ci95_atas", "keterangan"]


def csv_text(kabupaten: Wilayah, published: PublishedRound) -> str:
    """The open-data CSV: a commented header with the method and source, then one row per
    area (district, kecamatan, desa), the same suppression as the page."""
    table = public_table(published.figures)
    out = io.StringIO()
    out.write(
        "# "
        + csv_comment(
            f"{_('Prevalence of stunting, wasting and underweight')} — {kabupaten.name} "
            f"({kabupaten.code}), {table.period.label}"
        )
        + "\n"
    )
    out.write(f"# {_('Published')}: {timezone.localtime(published.published_at):%Y-%m-%d %H:%M}\n")
    for paragraph in method_note():
        out.write(f"# {paragraph}\n")
    if published.note:
        out.write(f"# {csv_comment(' '.join(published.note.split()))}\n")  # typed by the admin: no formula in any piece
    writer = csv_writer(out, lineterminator="\n")  # every text through the one rule (csv_row)
    writer.writerow(CSV_COLUMNS + [f"{i}_{c}" for i in INDICATORS for c in CSV_PER_INDICATOR])
    for area in table.all_areas():
        line = [area.code, area.name, area.level, area.parent_code, table.period.key]
        for cell in area.cell_list():
            if cell.hidden or cell.n == 0:
                line += ["" if cell.hidden else 0, "", "", "", "", _suppressed_text(cell)]
            else:
                line += [cell.n, cell.cases, _num(cell.r), _num(cell.ll), _num(cell.ul), ""]
        writer.writerow(line)
    return out.getvalue()


def _num(v) -> str:
    """A percentage for the CSV: rounded as on the page and every export (one decimal, half up on
    the decimal value), with a decimal point, as open data is read by programs."""
    return Number(csv_number(v, PERCENT_PLACES))


@require_GET
@cache_control(public=True, max_age=CACHE_SECONDS)
def round_csv(request, kab, period):
    kabupaten = _kabupaten(kab)
    published = _active_round(kabupaten, period)
    response = HttpResponse(csv_text(kabupaten, published), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="prevalensi-{kabupaten.code}-{period}.csv"'
    return response


@require_GET
@cache_control(public=True, max_age=CACHE_SECONDS)
def round_map(request, kab, period):
    """The public map's data: the published round's desa and posyandu, suppressed as the table,
    and the district's desa boundaries (see :mod:`tumbuh.publik.map`)."""
    kabupaten = _kabupaten(kab)
    published = _active_round(kabupaten, period)
    table = public_table(published.figures)
    return JsonResponse(public_map.map_json(table, public_map.desa_boundary(kabupaten.code), _suppressed_text))


# ---------------------------------------------------------------- the district admin's side


class PublishForm(forms.Form):
    period = forms.ChoiceField(label=gettext_lazy("Round"))
    note = forms.CharField(
        label=gettext_lazy("Note shown with the round (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [(p.key, p.label) for p in periods]


@login_required
def manage(request):
    policy.require(request.user, policy.ADD, PublishedRound)
    kabupaten = kabupaten_of(request)
    from tumbuh.maps.data import rounds_with_data

    rounds = policy.visible(request.user, PublishedRound.objects.filter(kabupaten=kabupaten)).select_related(
        "by", "withdrawn_by"
    )
    active = {r.period for r in rounds if r.is_public}
    available = [p for p in rounds_with_data(kabupaten.code) if p.key not in active]
    form = PublishForm(request.POST or None, periods=available)
    if request.method == "POST" and form.is_valid():
        period = Period.parse(form.cleaned_data["period"])
        published = PublishedRound(
            kabupaten=kabupaten,
            period=period.key,
            published_at=timezone.now(),
            by=request.user,
            note=form.cleaned_data["note"],
            figures=compute_snapshot(kabupaten.code, period),
        )
        policy.require(request.user, policy.ADD, published)
        do_save(request.user, published, reason=_("published on the public page"))
        messages.success(request, _("%(round)s is now public.") % {"round": period.label})
        return redirect("publik:manage")
    return render(
        request,
        "publik/manage.html",
        {
            "kabupaten": kabupaten,
            "form": form,
            "available": available,
            "rounds": [(r, Period.parse(r.period)) for r in rounds],
            "public_url": reverse("publik:district", args=[kabupaten.code]),
        },
    )


@login_required
@require_POST
def withdraw(request, pk):
    published = policy.get_object_or_404(request.user, PublishedRound, pk=pk)
    policy.require(request.user, policy.CHANGE, published)
    if published.withdrawn_at is None:
        published.withdrawn_at = timezone.now()
        published.withdrawn_by = request.user
        do_save(request.user, published, reason=request.POST.get("reason") or _("withdrawn from the public page"))
        messages.success(request, _("%(round)s is no longer public.") % {"round": Period.parse(published.period).label})
    return redirect("publik:manage")


@never_cache
@login_required
def preview(request, period):
    """What the public page would show for a round, before publishing it (live figures)."""
    policy.require(request.user, policy.ADD, PublishedRound)
    kabupaten = kabupaten_of(request)
    try:
        p = Period.parse(period)
    except ValueError:
        raise Http404 from None
    draft = PublishedRound(
        kabupaten=kabupaten, period=p.key, published_at=timezone.now(), figures=compute_snapshot(kabupaten.code, p)
    )
    table = public_table(draft.figures)
    return _public_response("publik/round.html", _round_context(kabupaten, draft, table, [], preview=True))
