"""The indicator catalogue, coverage per desa (entry, template, import) and the computed
indicators. Thin views: the policy decides, ``actions`` and the import framework write."""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tumbuh.accounts import policy
from tumbuh.audit.actions import all_or_nothing
from tumbuh.core.editing import add_errors
from tumbuh.core.focus import kabupaten_of, year_of
from tumbuh.imports.cells import parse_count, parse_decimal
from tumbuh.imports.framework import importer_for
from tumbuh.imports.models import BatchStatus, ImportBatch
from tumbuh.imports.views import announce, progress_context, progress_response, start_upload
from tumbuh.imports.xlsx import rejected_workbook
from tumbuh.organisation.models import Opd
from tumbuh.wilayah.models import Level, Wilayah

from . import actions, after_import, permissions
from .computations import compute
from .forms import CoverageUploadForm, DistrictIndicatorForm, IndicatorSettingForm
from .importers import KIND, coverage_template
from .models import Coverage, CoverageSource, Indicator, IndicatorSetting
from .permissions import can_see_coverage_batch, may_compute
from .permissions import may_enter as may_enter_indicator

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _indicator(kabupaten, pk) -> Indicator:
    """A national indicator or one of the district's own (both read by everyone in it)."""
    return get_object_or_404(Indicator.objects.for_kabupaten(kabupaten.code), pk=pk)


@login_required
def catalogue(request):
    kabupaten = kabupaten_of(request)
    opd = dict(Opd.objects.filter(kabupaten=kabupaten).values_list("pk", "short_name"))
    rows = [
        (ind, ind.target_for(kabupaten.code), opd.get(ind.responsible_opd_id_for(kabupaten.code)))
        for ind in Indicator.objects.for_kabupaten(kabupaten.code)
    ]
    return render(
        request,
        "indikator/catalogue.html",
        {
            "kabupaten": kabupaten,
            "rows": rows,
            "can_add": policy.can(request.user, policy.ADD, Indicator),
        },
    )


@login_required
def indicator(request, pk: int):
    kabupaten = kabupaten_of(request)
    ind = _indicator(kabupaten, pk)
    setting = IndicatorSetting.objects.filter(kabupaten=kabupaten, indicator=ind).first() or IndicatorSetting(
        kabupaten=kabupaten, indicator=ind
    )
    can_set = policy.can(request.user, policy.CHANGE if setting.pk else policy.ADD, setting)
    form = IndicatorSettingForm(request.POST or None, instance=setting, kabupaten_code=kabupaten.code)
    if request.method == "POST":
        if not can_set:
            raise PermissionDenied
        if form.is_valid():
            try:
                actions.save_setting(request.user, form.instance, reason=form.cleaned_data["reason"])
                messages.success(request, _("Saved."))
                return redirect("indikator:indicator", ind.pk)
            except ValidationError as e:
                add_errors(form, e)
    return render(
        request,
        "indikator/indicator.html",
        {
            "ind": ind,
            "kabupaten": kabupaten,
            "form": form if can_set else None,
            "target": ind.target_for(kabupaten.code),
            "opd_id": ind.responsible_opd_id_for(kabupaten.code),
            "can_edit": not ind.is_national and policy.can(request.user, policy.CHANGE, ind),
        },
    )


@login_required
def indicator_edit(request, pk: int | None = None):
    kabupaten = kabupaten_of(request)
    ind = Indicator(kabupaten=kabupaten, category="daerah") if pk is None else _indicator(kabupaten, pk)
    policy.require(request.user, policy.ADD if pk is None else policy.CHANGE, ind)
    form = DistrictIndicatorForm(request.POST or None, instance=ind, kabupaten_code=kabupaten.code)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_indicator(request.user, form.instance, reason=form.cleaned_data["reason"])
            messages.success(request, _("Saved."))
            return redirect("indikator:indicator", form.instance.pk)
        except ValidationError as e:
            add_errors(form, e)
    return render(request, "indikator/indicator_edit.html", {"form": form, "ind": ind})


# ---------------------------------------------------------------- coverage


def _desa(request, kabupaten) -> list[Wilayah]:
    return list(policy.district_desa(request.user, kabupaten.code).order_by("kecamatan_code", "name"))


@login_required
def coverage(request):
    kabupaten = kabupaten_of(request)
    year = year_of(request, today=timezone.localdate())
    indicators = list(Indicator.objects.for_kabupaten(kabupaten.code))
    code = request.GET.get("indicator") or request.POST.get("indicator") or (indicators[0].code if indicators else "")
    ind = next((i for i in indicators if i.code == code), None)
    if ind is None:
        raise Http404
    desa = _desa(request, kabupaten)
    stored = {c.desa_id: c for c in policy.visible(request.user, Coverage.objects.filter(indicator=ind, year=year))}
    may_enter = may_enter_indicator(request.user, ind, kabupaten.code)  # the action checks each row again
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not may_enter:
            raise PermissionDenied
        n, errors = all_or_nothing(
            (w.code, partial(_save_row, request, ind, year, w.code, stored.get(w.code))) for w in desa
        )
        if not errors:
            messages.success(request, _("%(n)d desa saved.") % {"n": n})
            return redirect(f"{reverse('indikator:coverage')}?{urlencode({'indicator': ind.code, 'year': year})}")
        messages.error(request, _("Nothing was saved: correct the rows marked below."))
    target = ind.target_for(kabupaten.code)
    kecamatan = dict(
        Wilayah.objects.filter(level=Level.KECAMATAN, kabupaten_code=kabupaten.code).values_list("code", "name")
    )
    rows = []
    for w in desa:
        c = stored.get(w.code)
        rows.append(
            {
                "desa": w,
                "c": c,
                "kecamatan": kecamatan.get(w.kecamatan_code, w.kecamatan_code),
                "gap": ind.gap(c.value if c else None, target),
                "error": errors.get(w.code),
                "computed": c is not None and c.source == CoverageSource.COMPUTED,
                "post": {k: request.POST.get(f"{k}-{w.code}", "") for k in ("num", "den", "val", "note")}
                if request.method == "POST"
                else None,
            }
        )
    filled = [r["c"].value for r in rows if r["c"] and r["c"].value is not None]
    return render(
        request,
        "indikator/coverage.html",
        {
            "kabupaten": kabupaten,
            "year": year,
            "ind": ind,
            "indicators": indicators,
            "rows": rows,
            "target": target,
            "may_enter": may_enter,
            "filled": len(filled),
            "may_import": may_enter and not ind.is_computed,
            "mean": (sum(filled) / len(filled)).quantize(Decimal("0.1")) if filled else None,
            "may_compute": ind.is_computed and may_compute(request.user, kabupaten.code),
        },
    )


def _save_row(request, ind, year, code, c) -> bool:
    """One desa's row of the coverage table: saved if it changed (a row Tumbuh computed has no
    inputs and is left alone)."""
    if c is not None and c.source == CoverageSource.COMPUTED:
        return False
    raw = {k: request.POST.get(f"{k}-{code}", "").strip() for k in ("num", "den", "val", "note")}
    try:
        num, den, val = parse_count(raw["num"]), parse_count(raw["den"]), parse_decimal(raw["val"])
    except ValueError:
        raise ValidationError(_("Not a number.")) from None
    if c is None and not any(raw.values()):
        return False
    if (
        c is not None
        and (num, den, raw["note"]) == (c.numerator, c.denominator, c.note)
        and (num is not None or val == c.value)
    ):
        return False
    actions.set_coverage(
        request.user,
        ind,
        code,
        year,
        numerator=num,
        denominator=den,
        value=val,
        note=raw["note"],
        reason=_("entered on the coverage page"),
    )
    return True


@login_required
def coverage_template_download(request):
    kabupaten = kabupaten_of(request)
    year = year_of(request, today=timezone.localdate())
    ind = get_object_or_404(Indicator.objects.for_kabupaten(kabupaten.code), code=request.GET.get("indicator", ""))
    desa = _desa(request, kabupaten)
    existing = {c.desa_id: c for c in policy.visible(request.user, Coverage.objects.filter(indicator=ind, year=year))}
    return FileResponse(
        coverage_template(ind, year, desa, existing),
        as_attachment=True,
        filename=f"cakupan-{ind.code}-{year}.xlsx",
        content_type=XLSX,
    )


@login_required
def coverage_import(request):
    kabupaten = kabupaten_of(request)
    policy.require(request.user, policy.ADD, Coverage)
    form = CoverageUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        batch = start_upload(KIND, request.user, kabupaten, form.cleaned_data["file"])
        announce(request, batch)
        return redirect("indikator:import_batch", batch.pk)
    recent = [
        b
        for b in policy.visible(request.user, ImportBatch.objects.filter(kind=KIND))[:20]
        if can_see_coverage_batch(request.user, b)
    ]
    return render(
        request,
        "indikator/import.html",
        {
            "form": form,
            "recent": recent,
            "kabupaten": kabupaten,
            "indicators": Indicator.objects.for_kabupaten(kabupaten.code),
            "year": year_of(request, today=timezone.localdate()),
        },
    )


def _batch(request, pk) -> ImportBatch:
    batch = policy.get_object_or_404(request.user, ImportBatch.objects.filter(kind=KIND), pk=pk)
    if not can_see_coverage_batch(request.user, batch):
        raise PermissionDenied
    return batch


@login_required
def import_batch(request, pk: int):
    batch = _batch(request, pk)
    progress = progress_context(batch, reverse("indikator:import_progress", args=[pk])) if batch.is_active else {}
    return render(request, "indikator/import_batch.html", {"batch": batch, **progress})


@login_required
def import_progress(request, pk: int):
    return progress_response(request, _batch(request, pk))


@login_required
def import_rejected(request, pk: int):
    batch = _batch(request, pk)
    return FileResponse(
        rejected_workbook(batch),
        as_attachment=True,
        filename=f"{Path(batch.file_name).stem}-ditolak.xlsx",
        content_type=XLSX,
    )


@login_required
@require_POST
def coverage_compute(request):
    kabupaten = kabupaten_of(request)
    year = year_of(request, today=timezone.localdate())
    if not may_compute(request.user, kabupaten.code):
        raise PermissionDenied
    n = compute(kabupaten.code, year, [w.code for w in _desa(request, kabupaten)], actor=request.user)
    messages.success(request, _("%(n)d coverage rows computed from Tumbuh's visits.") % {"n": n})
    return redirect(
        f"{reverse('indikator:coverage')}?{urlencode({'indicator': request.POST.get('indicator', ''), 'year': year})}"
    )


@login_required
@require_POST
def coverage_refresh(request, pk: int):
    """Recompute what an import feeds (when it did not happen right after the import): the
    secretariat, or whoever ran the import, from the batch's page."""
    batch = policy.get_object_or_404(request.user, ImportBatch.objects.select_related("kabupaten"), pk=pk)
    allowed = permissions.may_recompute_import(request.user, batch)
    if not allowed or batch.kind not in after_import.FEEDS or batch.status != BatchStatus.DONE:
        raise PermissionDenied
    if after_import.refresh(batch, request.user) is None:
        messages.error(request, _("The coverage indicators could not be recomputed; the error was logged."))
    else:
        messages.success(request, _("Coverage indicators recomputed."))
    return redirect(importer_for(batch.kind).pages(batch) or reverse("imports:batch", args=[batch.pk]))
