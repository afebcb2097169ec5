"""Aksi 1 pages: the situation table and gap heatmap, the lokus ranking and selection, the
draft SK and the Master Ansit export. Thin views: ``situation`` and ``ranking`` compute,
``actions`` write, the policy decides."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tumbuh.accounts import policy
from tumbuh.core.contracts import app_modules
from tumbuh.core.focus import kabupaten_of, year_of
from tumbuh.documents.official import document_response

from . import actions, charts, situation
from .ansit import master_ansit
from .decree import sk_lokus
from .forms import DecreeForm, WeightsForm
from .models import Lokus, LokusWeights
from .permissions import district_wide
from .ranking import PARTS, rank

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PART_LABELS = {
    "prevalence": gettext_lazy("Stunting prevalence (small-area estimate, %)"),
    "stunted": gettext_lazy("Stunted children (pendek + sangat pendek)"),
    "coverage_gap": gettext_lazy("Mean gap to target (percentage points)"),
    "data_quality": gettext_lazy("Weak data (percent of under-fives not measured)"),
}
SHORT_LABELS = {
    "prevalence": gettext_lazy("prevalence"),
    "stunted": gettext_lazy("stunted"),
    "coverage_gap": gettext_lazy("coverage gap"),
    "data_quality": gettext_lazy("not measured"),
}


def _url(name: str, year: int) -> str:
    return f"{reverse(name)}?year={year}"


@login_required
def situasi(request):
    kabupaten = kabupaten_of(request)
    year = year_of(request, today=timezone.localdate())
    s = situation.build(request.user, kabupaten, year)
    return render(
        request,
        "analisis/situasi.html",
        {
            "s": s,
            "indicators": situation.reported_indicators(s),
            "heatmap": charts.gap_heatmap_svg(s),
            "year": year,
            "totals": s.totals,
            "recommendations": _last_review_recommendations(kabupaten.code, year),
            "can_ansit": district_wide(request.user),
        },
    )


def _last_review_recommendations(kabupaten_code: str, year: int) -> list:
    """The previous year's annual review (Aksi 8) seeds this year's analysis (``cycle_inputs``)."""
    return [r for module in app_modules("cycle_inputs") for r in module.review_recommendations(kabupaten_code, year)]


def _ranking(request, kabupaten, year):
    s = situation.build(request.user, kabupaten, year)
    weights = actions.weights_for(kabupaten.code, year)
    scores = rank([r.figures() for r in s.rows], {k: float(v) for k, v in weights.as_dict().items()})
    return s, weights, scores


@login_required
def lokus(request):
    kabupaten = kabupaten_of(request)
    year = year_of(request, today=timezone.localdate())
    user = request.user
    saved = {
        d.desa_id: d
        for d in policy.visible(user, Lokus.objects.filter(kabupaten=kabupaten, year=year).select_related("desa"))
    }
    context = {
        "kabupaten": kabupaten,
        "year": year,
        "saved": saved,
        "part_labels": SHORT_LABELS,
        "selected": [d for d in saved.values() if d.selected],
    }
    if not district_wide(user):
        return render(request, "analisis/lokus.html", {**context, "scores": None})
    s, weights, scores = _ranking(request, kabupaten, year)
    try:
        recommended_n = max(0, min(len(scores), int(request.GET.get("n") or 10)))
    except ValueError:
        recommended_n = 10
    can_decide = policy.can(user, policy.ADD, Lokus)
    errors = {}
    if request.method == "POST":
        if not can_decide:
            raise PermissionDenied
        chosen = set(request.POST.getlist("selected"))
        decisions = []
        for sc in scores:
            recommended = sc.rank <= recommended_n
            selected = sc.code in chosen
            text = request.POST.get(f"reason-{sc.code}", "").strip()
            previous = saved.get(sc.code)
            if not selected and not recommended and previous is None and not text:
                continue  # nothing to record: not chosen, not recommended, never decided
            if previous is not None and text == previous.reason and actions.is_ranking_reason(previous):
                text = ""  # the ranking's words of the last decision, quoting its score: written anew below
            if not text and selected == recommended:
                text = actions.default_reason(sc, selected)
            decisions.append(actions.Decision(sc.code, selected, text))
        try:
            actions.decide_lokus(
                user,
                kabupaten.code,
                year,
                decisions,
                {sc.code: sc for sc in scores},
                weights.as_dict(),
                reason=request.POST.get("reason", ""),
            )
            messages.success(
                request,
                _("Lokus for %(year)d saved: %(n)d desa.")
                % {"year": year, "n": sum(1 for d in decisions if d.selected)},
            )
            return redirect(_url("analisis:lokus", year) + f"&n={recommended_n}")
        except ValidationError as e:
            errors = {k: " ".join(v) for k, v in e.message_dict.items()}
            messages.error(request, _("Nothing was saved: a desa chosen against the ranking needs a written reason."))
    rows = s.rows
    by_code = {r.desa.code: r for r in rows}
    table = [
        {
            "score": sc,
            "row": by_code[sc.code],
            "recommended": sc.rank <= recommended_n,
            "saved": saved.get(sc.code),
            "error": errors.get(sc.code),
            "moved": saved[sc.code].moved_since(sc.score, sc.rank) if sc.code in saved else None,
            "checked": (sc.code in request.POST.getlist("selected"))
            if request.method == "POST"
            else (saved[sc.code].selected if sc.code in saved else sc.rank <= recommended_n),
        }
        for sc in scores
    ]
    return render(
        request,
        "analisis/lokus.html",
        {
            **context,
            "scores": table,
            "weights": weights,
            "moved": sum(1 for t in table if t["moved"]),
            "recommended_n": recommended_n,
            "can_decide": can_decide,
            "weights_form": WeightsForm(instance=weights) if policy.can(user, policy.ADD, LokusWeights) else None,
            "decree_form": DecreeForm(initial={"date": timezone.localdate()}),
            "s": s,
            "weight_rows": [(PART_LABELS[p], weights.as_dict()[p]) for p in PARTS],
        },
    )


@login_required
@require_POST
def weights(request):
    kabupaten = kabupaten_of(request)
    year = year_of(request, today=timezone.localdate())
    current = actions.weights_for(kabupaten.code, year)
    form = WeightsForm(request.POST, instance=current)
    if form.is_valid():
        try:
            actions.save_weights(request.user, form.instance, reason=form.cleaned_data["reason"])
            messages.success(request, _("Weights saved; the ranking below uses them."))
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect(_url("analisis:lokus", year))


@login_required
def decree(request):
    kabupaten = kabupaten_of(request)
    year = year_of(request, today=timezone.localdate())
    if not district_wide(request.user):
        raise PermissionDenied
    form = DecreeForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {"format": "pdf"}
    s, _weights, scores = _ranking(request, kabupaten, year)
    decisions = list(
        policy.visible(request.user, Lokus.objects.filter(kabupaten=kabupaten, year=year, selected=True))
        .select_related("desa")
        .order_by("rank", "desa_id")
    )
    doc = sk_lokus(
        s,
        decisions,
        nomor=data.get("nomor", ""),
        place=data.get("place", ""),
        date=data.get("date") or timezone.localdate(),
        bupati=data.get("bupati", ""),
        live={sc.code: sc for sc in scores},
    )
    return document_response(doc, data.get("format") or "pdf")


@login_required
def ansit(request):
    """The Master Ansit workbook: every desa of the district, so for those who see them all."""
    kabupaten = kabupaten_of(request)
    year = year_of(request, today=timezone.localdate())
    if not district_wide(request.user):
        raise PermissionDenied
    s = situation.build(request.user, kabupaten, year)
    on = min(timezone.localdate(), datetime.date(year, 12, 31))  # the TPPS as it stands, or stood at the year's end
    return FileResponse(
        master_ansit(s, request.user, on, now=timezone.now()),
        as_attachment=True,
        filename=f"master-ansit-{kabupaten.code}-{year}.xlsx",
        content_type=XLSX,
    )
