"""The KRS list, one family's page (its TPK and visits), and the TPK teams. Thin: ask the
policy, call an action, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tumbuh.accounts import policy
from tumbuh.core.focus import get_focus
from tumbuh.imports.views import can_import
from tumbuh.wilayah.models import Wilayah

from .actions import do_assign_tpk, do_log_visit, do_save_tpk
from .forms import AssignTpkForm, FilterForm, TpkForm, VisitForm, add_errors
from .models import Keluarga, KunjunganTpk, TimPendampingKeluarga


def _in_focus(request, qs, path: str = "desa__"):
    focus = get_focus(request)
    return qs.filter(Wilayah.subtree_q(focus.code, path)) if focus is not None else qs


@login_required
def keluarga_list(request):
    policy.require(request.user, policy.VIEW, Keluarga)
    qs = _in_focus(request, policy.visible(request.user, Keluarga.objects.all()))
    years = sorted(set(qs.values_list("tahun", flat=True)), reverse=True)
    form = FilterForm(request.GET or None, years=years)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    tahun = data.get("tahun") or (years[0] if years else None)
    if tahun:
        qs = qs.filter(tahun=tahun)
    q = (data.get("q") or "").strip()
    if q:
        term = Q(nama_kepala__icontains=q) | Q(desa__name__icontains=q)
        if q.isdigit() and policy.can_see_nik(request.user):
            term |= Q(nik=q) | Q(no_kk=q)
        qs = qs.filter(term)
    if data.get("risiko"):
        qs = qs.filter(**{data["risiko"]: True})
    if data.get("tanpa_tpk"):
        qs = qs.filter(tpk__isnull=True)
    qs = qs.select_related("desa", "tpk").annotate(last_visit=Max("kunjungan__tanggal"), visits=Count("kunjungan"))
    page = Paginator(qs.order_by("desa__name", "nama_kepala"), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "krs/keluarga_list.html", {
        "page": page, "form": form, "tahun": tahun, "query": query.urlencode(),
        "can_import": can_import(request.user, "krs"),
        "total": page.paginator.count,
    })


def _keluarga(request, pk) -> Keluarga:
    return policy.get_object_or_404(request.user, Keluarga.objects.select_related("desa", "tpk"), pk=pk)


@login_required
def keluarga_detail(request, pk, assign_form=None, visit_form=None):
    keluarga = _keluarga(request, pk)
    can_assign = policy.can(request.user, policy.CHANGE, keluarga)
    can_visit = keluarga.tpk is not None and policy.can(request.user, policy.ADD, KunjunganTpk(keluarga=keluarga, tpk=keluarga.tpk))
    return render(request, "krs/keluarga_detail.html", {
        "keluarga": keluarga,
        "visits": keluarga.kunjungan.select_related("tpk", "dicatat_oleh"),
        "assign_form": assign_form or (AssignTpkForm(actor=request.user, keluarga=keluarga) if can_assign else None),
        "visit_form": visit_form or (VisitForm() if can_visit else None),
    })


@login_required
@require_POST
def assign_tpk(request, pk):
    keluarga = _keluarga(request, pk)
    policy.require(request.user, policy.CHANGE, keluarga)
    form = AssignTpkForm(request.POST, actor=request.user, keluarga=keluarga)
    if form.is_valid():
        try:
            do_assign_tpk(request.user, keluarga, form.cleaned_data["tpk"])
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("Saved."))
            return redirect("krs:detail", pk=keluarga.pk)
    return keluarga_detail(request, pk, assign_form=form)


@login_required
@require_POST
def log_visit(request, pk):
    keluarga = _keluarga(request, pk)
    form = VisitForm(request.POST)
    if form.is_valid():
        try:
            do_log_visit(request.user, keluarga, **form.cleaned_data)
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("The visit is recorded."))
            return redirect("krs:detail", pk=keluarga.pk)
    return keluarga_detail(request, pk, visit_form=form)


@login_required
def tpk_list(request):
    policy.require(request.user, policy.VIEW, TimPendampingKeluarga)
    qs = _in_focus(request, policy.visible(request.user, TimPendampingKeluarga.objects.select_related("desa")))
    qs = qs.annotate(families=Count("keluarga", distinct=True), visits=Count("kunjungan", distinct=True),
                     last_visit=Max("kunjungan__tanggal"))
    return render(request, "krs/tpk_list.html", {
        "teams": qs, "can_add": policy.can(request.user, policy.ADD, TimPendampingKeluarga),
    })


@login_required
def tpk_edit(request, pk=None):
    if pk is None:
        tpk = TimPendampingKeluarga()
        policy.require(request.user, policy.ADD, TimPendampingKeluarga)
    else:
        tpk = policy.get_object_or_404(request.user, TimPendampingKeluarga, pk=pk)
    can_change = policy.can(request.user, policy.CHANGE if pk else policy.ADD, tpk if pk else TimPendampingKeluarga)
    form = TpkForm(request.POST or None, instance=tpk, actor=request.user)
    if request.method == "POST":
        policy.require(request.user, policy.CHANGE if pk else policy.ADD, tpk if pk else TimPendampingKeluarga)
        if form.is_valid():
            try:
                do_save_tpk(request.user, form.save(commit=False), reason=form.cleaned_data.get("reason", ""))
            except ValidationError as e:
                add_errors(form, e)
            else:
                messages.success(request, _("Saved."))
                return redirect("krs:tpk_list")
    return render(request, "krs/tpk_form.html", {"form": form, "tpk": tpk if pk else None, "can_change": can_change})
