"""Children and their visits: the list, the child's page with WHO charts, the parent's
summary, the posyandu entry (search or register, enter, confirm, save), and the visits as
e-PPGBM's bulk-upload file.

Thin views: the policy scopes and allows, ``actions.py`` validates, scores and audits."""

from __future__ import annotations

import logging
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import OuterRef, Q, Subquery
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from tumbuh.accounts import policy
from tumbuh.audit.models import AuditLog
from tumbuh.core.editing import add_errors
from tumbuh.core.focus import get_focus
from tumbuh.wilayah.models import Wilayah

from . import charts
from .actions import check_measurement, do_record_measurement, do_register_child
from .eppgbm_export import lacks_nik, upload_visits, upload_workbook, withhold_unseen
from .forms import ChildForm, EppgbmExportForm, MeasurementForm
from .models import Child, Measurement, Source
from .nik import clean_nik, mask_nik
from .scoring import COMPUTED_FIELDS
from .upload_layout import load_layout

log = logging.getLogger(__name__)

PAGE_SIZE = 50
LIVE_RESULTS = 8

#: Fields shown in a visit's or a child's audit history (computed ones are summarised).
AUDIT_FIELDS = {
    "measurements.measurement": (*Measurement.INPUT_FIELDS, *Measurement.SERVICE_FIELDS),
    "measurements.child": ("name", "nik", "sex", "birth_date", "birth_order", "parent_name", "parent_nik", "parent_phone",
                           "desa", "posyandu", "rt", "rw", "address", "birth_weight", "birth_length"),
}
#: Personal numbers in the child's history: shown in full only to whom ``policy.can_see_nik``.
_PRIVATE_FIELDS = ("nik", "parent_nik", "parent_phone")


def _children(request, focus_filter: bool = True):
    """The children the user may see, narrowed to the region picker's focus."""
    qs = policy.visible(request.user, Child.objects.select_related("desa", "posyandu"))
    focus = get_focus(request) if focus_filter else None
    if focus is not None:
        qs = qs.filter(Wilayah.subtree_q(focus.code, "desa__"))
    return qs


def _search(request, qs, q: str):
    """By name, parent's name or Tumbuh ID; by NIK only for roles that may see NIKs."""
    q = q.strip()
    if not q:
        return qs
    term = Q(name__icontains=q) | Q(parent_name__icontains=q) | Q(tumbuh_id__iexact=q)
    digits = clean_nik(q) if re.fullmatch(r"[\d\s.]+", q) else ""
    if digits and policy.can_see_nik(request.user):
        term |= Q(nik__startswith=digits) if len(digits) >= 4 else Q(nik=digits)
    return qs.filter(term)


def _with_latest_status(qs):
    latest = Measurement.objects.filter(child=OuterRef("pk")).order_by("-date")
    return qs.annotate(
        last_date=Subquery(latest.values("date")[:1]),
        last_tbu=Subquery(latest.values("status_tbu")[:1]),
        last_bbtb=Subquery(latest.values("status_bbtb")[:1]),
    )


@login_required
def child_list(request):
    policy.require(request.user, policy.VIEW, Child)
    q = request.GET.get("q", "").strip()
    qs = _with_latest_status(_search(request, _children(request), q))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "measurements/child_list.html", {
        "page": page,
        "q": q,
        "can_add": policy.can(request.user, policy.ADD, Child),
        "nik_search": policy.can_see_nik(request.user),
    })


def _get_child(request, tumbuh_id: str) -> Child:
    return policy.get_object_or_404(request.user, Child.objects.select_related("desa", "posyandu"), tumbuh_id=tumbuh_id)


def _audit_entries(request, child: Child, visits):
    """The audit history of the child and its visits, newest first, with NIKs masked for those
    who may not read them and the engine's fields summarised."""
    see_nik = policy.can_see_nik(request.user, child)
    entries = AuditLog.objects.filter(
        Q(object_type="measurements.child", object_id=str(child.pk))
        | Q(object_type="measurements.measurement", object_id__in=[str(m.pk) for m in visits])
    ).order_by("-at", "-id")[:200]
    out = []
    for e in entries:
        changes = []
        computed = False
        for field, before, after in e.changes():
            if field in COMPUTED_FIELDS or field == "warnings":
                computed = True
                continue
            if field not in AUDIT_FIELDS.get(e.object_type, ()):
                continue
            if field in _PRIVATE_FIELDS and not see_nik:
                before, after = mask_nik(before or ""), mask_nik(after or "")
            changes.append((field, before, after))
        out.append({"entry": e, "changes": changes, "computed": computed})
    return out


def _visit_rows(visits):
    from .actions import ENGINE_MESSAGES, FLAG_MESSAGES

    rows = []
    for m in visits:
        notes = []
        for code in filter(None, (m.warnings or "").split(";")):
            message = ENGINE_MESSAGES.get(code) or FLAG_MESSAGES.get(code) or _warning_message(code)
            notes.append(str(message))
        flags = [label for field, label in (("flen", "TB/U"), ("fwei", "BB/U"), ("fwfl", "BB/TB"), ("fhc", "LK/U"), ("fac", "LiLA/U"))
                 if getattr(m, field)]
        rows.append({"m": m, "notes": notes, "flags": flags})
    return rows


#: Short texts for the warning codes a stored visit carries (from the form or an import).
WARNING_TEXT = {
    "who_flag_len": _lazy("Length/height-for-age outside WHO's plausible limits: measure again."),
    "who_flag_wei": _lazy("Weight-for-age outside WHO's plausible limits: weigh again."),
    "who_flag_wfl": _lazy("Weight-for-length/height outside WHO's plausible limits: measure again."),
    "who_flag_bmi": _lazy("BMI-for-age outside WHO's plausible limits."),
    "who_flag_ac": _lazy("Arm circumference-for-age outside WHO's plausible limits."),
    "who_flag_hc": _lazy("Head circumference-for-age outside WHO's plausible limits."),
    "age_text_mismatch": _lazy("The age written in the file does not match the dates."),
    "vitamin_a_under_6_months": _lazy("Vitamin A recorded before 6 months of age (the capsules are given from 6 months): "
                                      "check the birth date and the capsule."),
}


def _warning_message(code: str) -> str:
    from .importers import warning_text

    if code.startswith("nik_invalid"):
        return str(_lazy("The NIK in the imported file is not valid."))
    return str(WARNING_TEXT.get(code) or warning_text(code) or code)


@login_required
def child_detail(request, tumbuh_id):
    child = _get_child(request, tumbuh_id)
    visits = list(child.measurements.select_related("posyandu", "entered_by").order_by("date"))
    for m in visits:
        m.child = child
    see_nik = policy.can_see_nik(request.user, child)
    return render(request, "measurements/child_detail.html", {
        "child": child,
        "parent_nik": child.parent_nik if see_nik else child.parent_nik_masked,
        "parent_phone": child.parent_phone if see_nik else "",
        "visits": _visit_rows(reversed(visits)),
        "latest": visits[-1] if visits else None,
        "charts": [(c, c.svg()) for c in charts.child_charts(child, visits)],
        "audit": _audit_entries(request, child, visits),
        "can_change": policy.can(request.user, policy.CHANGE, child),
        "can_record": policy.can(request.user, policy.ADD, Measurement(child=child, desa_id=child.desa_id)),
    })


@login_required
def child_summary(request, tumbuh_id):
    """A one-page summary for the parent, always in Bahasa Indonesia, printable on A4."""
    child = _get_child(request, tumbuh_id)
    visits = list(child.measurements.order_by("date"))
    for m in visits:
        m.child = child
    with translation.override("id"):
        # One page: length/height-for-age, weight-for-age and the weight-for-length/height
        # chart that fits the latest visit.
        latest_kind = charts.wflh_kind(visits[-1]) if visits else None
        chosen = [c for c in charts.child_charts(child, visits, width=300, height=230)
                  if c.kind in ("lhfa", "wfa") or latest_kind in (None, c.kind)][:3]
        chart_list = [(c, c.svg()) for c in chosen]
        response = render(request, "measurements/child_summary.html", {
            "child": child,
            "visits": visits[-5:][::-1],
            "latest": visits[-1] if visits else None,
            "charts": chart_list,
        })
    return response


@login_required
def child_edit(request, tumbuh_id=None):
    if tumbuh_id is None:
        policy.require(request.user, policy.ADD, Child)
        child = Child()
    else:
        child = _get_child(request, tumbuh_id)
        policy.require(request.user, policy.CHANGE, child)
    form = ChildForm(request.POST or None, instance=child, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            child = do_register_child(request.user, form.save(commit=False), reason=form.cleaned_data.get("reason", ""))
        except ValidationError as e:
            add_errors(form, e)
        else:
            if tumbuh_id is None:
                messages.success(request, _("%(name)s is registered. Now enter the visit.") % {"name": child.name})
                return redirect("measurements:visit", tumbuh_id=child.tumbuh_id)
            messages.success(request, _("Saved."))
            return redirect("measurements:child", tumbuh_id=child.tumbuh_id)
    return render(request, "measurements/child_form.html", {"form": form, "child": child if tumbuh_id else None})


@login_required
def visit_start(request):
    """Step 1 at the posyandu: find the child, or register a new one."""
    policy.require(request.user, policy.ADD, Measurement)
    q = request.GET.get("q", "").strip()
    results = _search_results(request, q)
    return render(request, "measurements/visit_start.html", {
        "q": q,
        "results": results,
        "can_register": policy.can(request.user, policy.ADD, Child),
    })


def _search_results(request, q: str):
    if len(q) < 2:
        return None
    qs = _with_latest_status(_search(request, _children(request, focus_filter=False), q))
    return list(qs.order_by("name", "birth_date")[:LIVE_RESULTS])


@login_required
def visit_search(request):
    """The htmx live search: a short list of children, scoped like everything else."""
    policy.require(request.user, policy.VIEW, Child)
    q = request.GET.get("q", "").strip()
    return render(request, "measurements/_search_results.html", {"q": q, "results": _search_results(request, q)})


@login_required
def visit_entry(request, tumbuh_id):
    """Step 2: enter the visit; step 3: confirm what the engine computed; then save."""
    child = _get_child(request, tumbuh_id)
    policy.require(request.user, policy.ADD, Measurement(child=child, desa_id=child.desa_id))
    existing = None
    date_param = request.POST.get("date") or request.GET.get("tanggal")
    if date_param:
        existing = child.measurements.filter(date=date_param).first() if re.fullmatch(r"\d{4}-\d{2}-\d{2}", date_param) else None
    instance = existing or Measurement(child=child, desa_id=child.desa_id, posyandu_id=child.posyandu_id, source=Source.FORM)
    if request.method != "POST":
        form = MeasurementForm(instance=instance, child=child)
        return render(request, "measurements/visit_form.html", {"child": child, "form": form, "existing": existing})
    form = MeasurementForm(request.POST, instance=instance, child=child)
    if not form.is_valid() or "edit" in request.POST:
        return render(request, "measurements/visit_form.html", {"child": child, "form": form, "existing": existing})
    m = form.save(commit=False)
    m.child = child
    problems = check_measurement(m)
    errors = [p for p in problems if p.severity == "error"]
    if "confirm" in request.POST and not errors:
        if existing is not None:
            policy.require(request.user, policy.CHANGE, existing)
        try:
            do_record_measurement(request.user, m, reason=form.cleaned_data.get("reason", ""))
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("The visit of %(date)s is saved.") % {"date": m.date.strftime("%d/%m/%Y")})
            return redirect("measurements:child", tumbuh_id=child.tumbuh_id)
    return render(request, "measurements/visit_confirm.html", {
        "child": child,
        "form": form,
        "m": m,
        "errors": errors,
        "warnings": [p for p in problems if p.severity != "error"],
        "existing": existing,
    })


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _export_denied(request):
    """403 with the reason: the file carries full NIKs, which only some roles may read."""
    return render(request, "measurements/eppgbm_export.html", {"denied": True}, status=403)


def _export_form(request) -> EppgbmExportForm:
    return EppgbmExportForm(request.GET or None, user=request.user, today=timezone.localdate())


def _export_visits(request, form):
    data = form.cleaned_data
    return withhold_unseen(request.user, list(upload_visits(request.user, month=data["bulan"], posyandu=data["posyandu"],
                                                            desa=data["desa"], include_imported=data["semua"])))


@login_required
def eppgbm_export(request):
    """Choose a posyandu (or desa) and a month; see the visits that go into e-PPGBM's upload
    file, those whose child has no valid NIK first (e-PPGBM may refuse them), and download it."""
    if not policy.can_see_nik(request.user):
        return _export_denied(request)
    form = _export_form(request)
    context = {"form": form, "layout": load_layout()}
    if form.is_bound and form.is_valid():
        rows = [(m, lacks_nik(m.child)) for m in _export_visits(request, form)]
        context.update({
            "rows": rows,
            "missing_nik": [m for m, lacks in rows if lacks],
            "place": form.place,
            "month": form.cleaned_data["bulan"],
            "download_query": request.GET.urlencode(),
        })
    return render(request, "measurements/eppgbm_export.html", context)


@login_required
def eppgbm_export_download(request):
    """The upload file itself (XLSX, in the declared layout)."""
    if not policy.can_see_nik(request.user):
        return _export_denied(request)
    form = _export_form(request)
    if not form.is_valid():
        return render(request, "measurements/eppgbm_export.html", {"form": form, "layout": load_layout()}, status=400)
    visits = list(_export_visits(request, form))
    place, month = form.place, form.cleaned_data["bulan"]
    # The audit log records changes, not reads; who downloaded which children's NIKs is logged here.
    log.info("e-PPGBM upload file: user %s, %s %s, %s, %d visits", request.user.username,
             "posyandu" if form.cleaned_data["posyandu"] else "desa", place.pk, f"{month:%Y-%m}", len(visits))
    name = f"unggah-eppgbm-{slugify(place.name) or place.pk}-{month:%Y-%m}.xlsx"
    return FileResponse(upload_workbook(load_layout(), visits), as_attachment=True, filename=name, content_type=XLSX)
