"""The KRS list, one family's page (its TPK, visits and children), a child's KRS families,
the targeting page, the TPK teams, and the number of families per desa (entered in a table, or
imported from the template). Thin: ask the policy, call an action, render."""

from __future__ import annotations

import datetime as dt
from functools import partial
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tumbuh.accounts import policy
from tumbuh.audit.actions import all_or_nothing
from tumbuh.core.focus import choices as focus_choices
from tumbuh.core.focus import get_focus, kabupaten_of, year_of
from tumbuh.dashboards import aggregates
from tumbuh.dashboards.periods import Period
from tumbuh.imports.cells import parse_count
from tumbuh.imports.forms import UploadForm
from tumbuh.imports.framework import run_import
from tumbuh.imports.models import BatchStatus, ImportBatch
from tumbuh.imports.views import XLSX, can_import
from tumbuh.measurements.models import Child
from tumbuh.organisation.forms import add_errors
from tumbuh.wilayah.models import Level, Wilayah

from . import linking, targeting
from .counts import risk_shares
from .actions import (do_assign_tpk, do_clear_jumlah_keluarga, do_link_child, do_log_visit, do_save_tpk,
                      do_set_jumlah_keluarga, do_unlink_child)
from .forms import AssignTpkForm, FilterForm, LinkForm, TpkForm, UnlinkForm, VisitForm
from .importers import KIND_JUMLAH, jumlah_keluarga_template
from .models import AnakKeluarga, CaraTautan, JumlahKeluarga, Keluarga, KunjunganTpk, TimPendampingKeluarga


def _in_focus(request, qs, path: str = "desa__"):
    focus = get_focus(request)
    return qs.filter(Wilayah.subtree_q(focus.code, path)) if focus is not None else qs


@login_required
def keluarga_list(request):
    policy.require(request.user, policy.VIEW, Keluarga)
    qs = _in_focus(request, policy.visible(request.user, Keluarga.objects.all()))
    years = list(qs.order_by("-tahun").values_list("tahun", flat=True).distinct())
    form = FilterForm(request.GET or None, years=years)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    tahun = data.get("tahun") or (years[0] if years else None)
    if tahun:
        qs = qs.filter(tahun=tahun)
    q = (data.get("q") or "").strip()
    if q:
        term = Q(nama_kepala__icontains=q) | Q(nama_istri__icontains=q) | Q(desa__name__icontains=q)
        if q.isdigit() and policy.can_see_nik(request.user):
            term |= Q(nik=q) | Q(no_kk=q) | Q(nik_istri=q)
        qs = qs.filter(term)
    if data.get("risiko"):
        qs = qs.filter(**{data["risiko"]: True})
    if data.get("tanpa_tpk"):
        qs = qs.filter(tpk__isnull=True)
    shares = risk_shares(qs)
    qs = qs.select_related("desa", "tpk").annotate(last_visit=Max("kunjungan__tanggal"), visits=Count("kunjungan"))
    page = Paginator(qs.order_by("desa__name", "nama_kepala"), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "krs/keluarga_list.html", {
        "page": page, "form": form, "tahun": tahun, "query": query.urlencode(),
        "can_import": can_import(request.user, "krs"),
        "total": page.paginator.count, "shares": shares,
        "filtered": bool(q or data.get("risiko") or data.get("tanpa_tpk")),
    })


def _keluarga(request, pk) -> Keluarga:
    return policy.get_object_or_404(request.user, Keluarga.objects.select_related("desa", "tpk"), pk=pk)


@login_required
def keluarga_detail(request, pk, assign_form=None, visit_form=None):
    keluarga = _keluarga(request, pk)
    can_assign = policy.can(request.user, policy.CHANGE, keluarga)
    can_visit = keluarga.tpk is not None and policy.can(request.user, policy.ADD, KunjunganTpk(keluarga=keluarga, tpk=keluarga.tpk))
    can_link = policy.can(request.user, policy.ADD, AnakKeluarga(keluarga=keluarga))
    q = request.GET.get("q", "").strip()
    return render(request, "krs/keluarga_detail.html", {
        "keluarga": keluarga,
        "visits": keluarga.kunjungan.select_related("tpk", "dicatat_oleh"),
        "assign_form": assign_form or (AssignTpkForm(actor=request.user, keluarga=keluarga) if can_assign else None),
        "visit_form": visit_form or (VisitForm() if can_visit else None),
        "links": _links(request.user, keluarga.anak_links.all()),
        "can_link": can_link, "q": q,
        "suggestions": linking.suggest_children(request.user, keluarga, q=q) if can_link else [],
    })


def _links(user, links):
    """The visible links with their child annotated with the latest length/height-for-age."""
    links = list(policy.visible(user, links.select_related("keluarga__tpk", "linked_by")))
    children = linking.with_latest_haz(policy.visible(user, Child.objects.filter(pk__in=[link.child_id for link in links])))
    by_pk = children.select_related("posyandu").in_bulk()
    for link in links:
        link.child = by_pk.get(link.child_id) or link.child
        link.can_unlink = policy.can(user, policy.DELETE, link)
    return links


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


def _back(request, keluarga: Keluarga, child: Child):
    if request.POST.get("back") == "anak":
        return redirect("krs:anak", tumbuh_id=child.tumbuh_id)
    return redirect("krs:detail", pk=keluarga.pk)


# ---------------------------------------------------------------- number of families per desa


def _families_year(request) -> int:
    """``?year=``, else last year: BKKBN's family data of a year is complete early the next."""
    return year_of(request, default=dt.date.today().year - 1)


def _district_desa(request, kabupaten) -> list[Wilayah]:
    return list(policy.district_desa(request.user, kabupaten.code)
                .order_by("kecamatan_code", "name"))


def _stored(request, tahun) -> dict[str, JumlahKeluarga]:
    return {j.desa_id: j for j in policy.visible(request.user, JumlahKeluarga.objects.filter(tahun=tahun))}


def _kecamatan_names(kabupaten) -> dict[str, str]:
    return dict(Wilayah.objects.filter(level=Level.KECAMATAN, kabupaten_code=kabupaten.code).values_list("code", "name"))


@login_required
def jumlah_keluarga(request):
    """The number of families per desa for one year: a table the district admin fills in (or
    imports from the template), with the KRS of the same year beside it."""
    kabupaten = kabupaten_of(request)
    tahun = _families_year(request)
    desa = _district_desa(request, kabupaten)
    stored = _stored(request, tahun)
    may_enter = policy.can(request.user, policy.ADD, JumlahKeluarga)  # the action checks each row again
    errors: dict[str, str] = {}
    reason = request.POST.get("reason", "").strip()
    if request.method == "POST":
        if not may_enter:
            raise PermissionDenied
        n, errors = all_or_nothing((w.code, partial(_save_family_row, request, tahun, w.code, stored.get(w.code), reason))
                                   for w in desa)
        if not errors:
            messages.success(request, _("%(n)d desa saved.") % {"n": n})
            return redirect(f"{reverse('krs:jumlah')}?year={tahun}")
        messages.error(request, _("Nothing was saved: correct the rows marked below."))
    krs = dict(Keluarga.objects.filter(desa_id__in=[w.code for w in desa], tahun=tahun).values_list("desa_id")
               .annotate(n=Count("pk")))
    kecamatan = _kecamatan_names(kabupaten)
    rows = [{"desa": w, "kecamatan": kecamatan.get(w.kecamatan_code, w.kecamatan_code), "j": stored.get(w.code),
             "krs": krs.get(w.code), "error": errors.get(w.code),
             "post": {k: request.POST.get(f"{k}-{w.code}", "") for k in ("jumlah", "balita")} if request.method == "POST" else None}
            for w in desa]
    may_import = can_import(request.user, KIND_JUMLAH)
    return render(request, "krs/jumlah_keluarga.html", {
        "kabupaten": kabupaten, "tahun": tahun, "rows": rows, "may_enter": may_enter, "may_import": may_import,
        "reason": reason, "upload_form": UploadForm(user=request.user) if may_import else None,
        "recent": policy.visible(request.user, ImportBatch.objects.filter(kind=KIND_JUMLAH))[:10] if may_import else [],
        "total": sum(j.jumlah for j in stored.values()), "filled": len(stored),
    })


def _save_family_row(request, tahun, code, j, reason) -> bool:
    """One desa's row of the table: saved if it changed (emptied: the number is removed)."""
    raw = {k: request.POST.get(f"{k}-{code}", "").strip() for k in ("jumlah", "balita")}
    try:
        jumlah, balita = parse_count(raw["jumlah"]), parse_count(raw["balita"])
    except ValueError:
        raise ValidationError(_("Not a whole number.")) from None
    if (jumlah is not None and jumlah < 0) or (balita is not None and balita < 0):
        raise ValidationError(_("A number of families cannot be negative."))
    if (j is None and jumlah is None and balita is None) or (j is not None and (jumlah, balita) == (j.jumlah, j.jumlah_balita)):
        return False
    if j is not None and not reason:
        raise ValidationError(_("Give a reason for changing a stored number."))
    if jumlah is None and balita is not None:
        raise ValidationError(_("Give the number of families."))
    if jumlah is None:
        do_clear_jumlah_keluarga(request.user, j, reason=reason)
    else:
        do_set_jumlah_keluarga(request.user, code, tahun, jumlah=jumlah, jumlah_balita=balita,
                               reason=reason or _("entered in the table of families per desa"))
    return True


@login_required
def jumlah_keluarga_template_download(request):
    if not can_import(request.user, KIND_JUMLAH):
        raise PermissionDenied
    kabupaten = kabupaten_of(request)
    tahun = _families_year(request)
    desa = _district_desa(request, kabupaten)
    stored = _stored(request, tahun)
    return FileResponse(jumlah_keluarga_template(tahun, desa, _kecamatan_names(kabupaten), stored), as_attachment=True,
                        filename=f"jumlah-keluarga-{kabupaten.code}-{tahun}.xlsx", content_type=XLSX)


@login_required
@require_POST
def link_child(request, pk):
    """Confirm a child (a suggestion, or one found by name) as a member of family ``pk``."""
    keluarga = _keluarga(request, pk)
    form = LinkForm(request.POST)
    if not form.is_valid():
        raise Http404
    child = policy.get_object_or_404(request.user, Child, pk=form.cleaned_data["child"])
    note = form.cleaned_data["catatan"].strip()
    suggestion = linking.explain(keluarga, child)  # a child found by name may have no reason: then the note says why
    why = _("suggestion confirmed: %(why)s") % {"why": suggestion.explanation()} if suggestion.score > 0 else ""
    reason = ". ".join(part for part in (why, note) if part)
    try:
        do_link_child(request.user, keluarga, child, reason=reason, cara=CaraTautan.SARAN if why else CaraTautan.MANUAL)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("%(child)s is linked to the family of %(family)s.") % {
            "child": child.name, "family": keluarga.nama_kepala})
    return _back(request, keluarga, child)


@login_required
@require_POST
def unlink_child(request, pk):
    link = policy.get_object_or_404(request.user, AnakKeluarga.objects.select_related("keluarga", "child"), pk=pk)
    form = UnlinkForm(request.POST)
    if form.is_valid():
        try:
            do_unlink_child(request.user, link, reason=form.cleaned_data["alasan"])
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("The link is removed."))
    else:
        messages.error(request, _("Say why the link is removed."))
    return _back(request, link.keluarga, link.child)


def _chosen_year(request, years: list[int], default: int | None) -> int | None:
    """The KRS list year asked for (``?tahun=``) when it is one of ``years``, else ``default``."""
    try:
        year = int(request.GET["tahun"])
    except (KeyError, ValueError):
        return default
    return year if year in years else default


@login_required
def child_families(request, tumbuh_id):
    """A child's at-risk families: the confirmed ones, and the families of a year's list in the
    child's desa suggested for them."""
    policy.require(request.user, policy.VIEW, Keluarga)
    child = policy.get_object_or_404(request.user, linking.with_latest_haz(Child.objects.select_related("desa", "posyandu")),
                                     tumbuh_id=tumbuh_id)
    years = list(policy.visible(request.user, Keluarga.objects.filter(desa_id=child.desa_id))
                 .order_by("-tahun").values_list("tahun", flat=True).distinct())
    year = _chosen_year(request, years, years[0] if years else None)
    can_link = year is not None and policy.can(request.user, policy.ADD, AnakKeluarga(keluarga=Keluarga(desa_id=child.desa_id)))
    return render(request, "krs/child_families.html", {
        "child": child, "years": years, "year": year,
        "links": _links(request.user, AnakKeluarga.objects.filter(child=child).order_by("-tahun")),
        "linked_this_year": AnakKeluarga.objects.filter(child=child, tahun=year).exists(),
        "under_five": year is not None and linking.under_five_in(child, year),
        "can_link": can_link,
        "suggestions": linking.suggest_families(request.user, child, year) if can_link else [],
    })


def _area(request) -> Wilayah | None:
    code = request.GET.get("within")
    if not code:
        return get_focus(request)
    if not policy.node_contains(request.user, code):
        raise Http404
    area = Wilayah.objects.filter(code=code).first()
    if area is None:
        raise Http404
    return area


@login_required
def targeting_page(request):
    """Stunted children without a KRS family, and KRS families with a stunted child but no TPK,
    per desa of the chosen area (see ``targeting``)."""
    policy.require(request.user, policy.VIEW, Keluarga)
    within = _area(request)
    try:
        period = Period.parse(request.GET["period"])
    except (KeyError, ValueError):
        period = aggregates.latest_period(user=request.user, kind="round") or Period.round_containing(dt.date.today())
    years = targeting.list_years(request.user, within)
    year = _chosen_year(request, years, targeting.default_year(years, period))
    desa = request.GET.get("desa") or None
    if desa and not (policy.node_contains(request.user, desa) and (within is None or Wilayah.objects.filter(
            Wilayah.subtree_q(within.code), code=desa).exists())):
        raise Http404
    report = targeting.build(request.user, period=period, year=year, within=within, desa_code=desa)
    show = "keluarga" if request.GET.get("show") == "keluarga" else "anak"
    page = Paginator(report.families if show == "keluarga" else report.children, 50).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    if show == "keluarga":
        stunted_of = targeting.stunted_children_of(page.object_list, period)
        for keluarga in page.object_list:
            keluarga.stunted_children = stunted_of.get(keluarga.pk, [])
    query = request.GET.copy()
    query.pop("page", None)
    base = query.copy()
    for key in ("show", "desa"):
        base.pop(key, None)
    return render(request, "krs/targeting.html", {
        "report": report, "within": within, "period": period, "years": years, "year": year, "desa": desa,
        "desa_name": Wilayah.objects.filter(code=desa).values_list("name", flat=True).first() if desa else "",
        "period_choices": aggregates.period_choices(user=request.user), "show": show, "page": page,
        "query": query.urlencode(), "base": base.urlencode(),
        "areas": [w for w in focus_choices(request.user) if w.level < Level.DESA],
        "can_link": policy.can(request.user, policy.ADD, AnakKeluarga),
    })


@login_required
@require_POST
def jumlah_keluarga_import(request):
    if not can_import(request.user, KIND_JUMLAH):
        raise PermissionDenied
    form = UploadForm(request.POST, request.FILES, user=request.user)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("krs:jumlah")
    upload = form.cleaned_data["file"]
    batch = run_import(KIND_JUMLAH, user=request.user, kabupaten=form.target_kabupaten(), source=upload,
                       file_name=Path(upload.name).name)
    (messages.error if batch.status == BatchStatus.FAILED else messages.success)(request, batch.summary())
    return redirect("imports:batch", pk=batch.pk)
