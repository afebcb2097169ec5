"""Children and their visits: the list, the child's page with WHO charts, the parent's
summary, the posyandu entry (search or register, enter, confirm, save; a visit corrected,
its date too), taking a mistake back (remove and restore a visit, the removed visits of an
area, merge a child registered twice and undo it), and the visits as e-PPGBM's bulk-upload file.

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
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from tumbuh.accounts import policy
from tumbuh.audit import display
from tumbuh.audit.models import AuditAction, AuditLog
from tumbuh.core import keyset
from tumbuh.core.editing import add_errors
from tumbuh.core.focus import get_focus
from tumbuh.core.private_search import page_query, searched
from tumbuh.wilayah.models import Wilayah

from . import charts
from .actions import (
    check_measurement,
    do_merge_children,
    do_record_measurement,
    do_register_child,
    do_remove_visit,
    do_restore_visit,
    do_unmerge_child,
    plan_merge,
    plan_unmerge,
)
from .eppgbm_export import lacks_nik, upload_visits, upload_workbook, withhold_unseen
from .forms import ChildForm, EppgbmExportForm, MeasurementForm, ReasonForm
from .models import Child, Measurement, Source
from .nik import clean_nik, mask_nik
from .scoring import COMPUTED_FIELDS
from .upload_layout import load_layout

log = logging.getLogger(__name__)

PAGE_SIZE = 50
#: The child list's order: by name, then birth date, then id (a total order, for keyset pages).
CHILD_ORDER = ("name", "birth_date", "pk")
LIVE_RESULTS = 8

#: Fields shown in a visit's or a child's audit history (computed ones are summarised).
AUDIT_FIELDS = {
    "measurements.measurement": (*Measurement.INPUT_FIELDS, *Measurement.SERVICE_FIELDS),
    "measurements.child": (
        "name",
        "nik",
        "sex",
        "birth_date",
        "birth_order",
        "parent_name",
        "parent_nik",
        "parent_phone",
        "desa",
        "posyandu",
        "rt",
        "rw",
        "address",
        "birth_weight",
        "birth_length",
    ),
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
@require_http_methods(["GET", "POST"])
def child_list(request):
    """The children in the user's area; the search is posted (``core.private_search``), so a
    NIK typed into it never reaches a URL."""
    policy.require(request.user, policy.VIEW, Child)
    query, posted = searched(request, "children")
    if posted is not None:
        return posted
    q = query.get("q", "").strip()
    # Page the ids first, then read the page's 50 children with their desa, posyandu and last
    # status: joined and sorted over a whole district, PostgreSQL misjudged the scope filter
    # (one row for 25,000) and re-scanned the posyandu table per child (1–2.6 s a page). The ids
    # by keyset (``core.keyset``, index child_name_birth_id_idx): as cheap at the millionth child
    # of a province as at the first, and a child registered meanwhile shifts no page.
    scoped = _search(request, _children(request), q).values_list("pk", flat=True)
    page = keyset.paginate(
        scoped, CHILD_ORDER, after=query.get(keyset.AFTER), before=query.get(keyset.BEFORE), size=PAGE_SIZE
    )
    ids = list(page.object_list)
    by_pk = _with_latest_status(Child.objects.select_related("desa", "posyandu")).in_bulk(ids)
    page.object_list = [by_pk[pk] for pk in ids if pk in by_pk]
    return render(
        request,
        "measurements/child_list.html",
        {
            "page": page,
            "q": q,
            "page_query": page_query(request, query),
            "can_add": policy.can(request.user, policy.ADD, Child),
            "nik_search": policy.can_see_nik(request.user),
        },
    )


def _get_child(request, tumbuh_id: str, *, merged: bool = False) -> Child:
    """The child the user may see; a child merged into another only where ``merged`` (its own
    page, and undoing the merge): nothing is recorded on it."""
    qs = (Child.all_objects if merged else Child.objects).select_related("desa", "posyandu", "merged_into", "merged_by")
    return policy.get_object_or_404(request.user, qs, tumbuh_id=tumbuh_id)


def _event(e: AuditLog, changes: dict) -> str:
    """What an audit row of a child or a visit did, as an inspector says it."""
    what = _("child") if e.object_type == "measurements.child" else _("visit")
    if e.action != AuditAction.UPDATE:
        return f"{e.get_action_display()} {what}"
    if "removed_at" in changes:
        return _("restored visit") if changes["removed_at"][0] else _("removed visit")
    if "merged_into" in changes:
        return _("merge undone of child") if changes["merged_into"][0] else _("merged child")
    if e.object_type == "measurements.measurement" and "child" in changes:
        return _("moved visit")
    if e.object_type == "measurements.child" and (e.after or e.before or {}).get("merged_from"):
        return _("merge into child") if e.after else _("merge undone into child")
    return f"{e.get_action_display()} {what}"


def _shown(log: AuditLog, hidden: tuple[str, ...]) -> AuditLog:
    """An unsaved copy of ``log`` holding only the fields the child's history shows, less
    ``hidden`` ones, for ``audit.display`` to put in words."""
    fields = set(AUDIT_FIELDS.get(log.object_type, ())) - set(hidden)

    def keep(snapshot):
        return {k: v for k, v in snapshot.items() if k in fields} if isinstance(snapshot, dict) else snapshot

    return AuditLog(
        pk=log.pk,
        at=log.at,
        action=log.action,
        object_type=log.object_type,
        object_id=log.object_id,
        object_repr=log.object_repr,
        before=keep(log.before),
        after=keep(log.after),
    )


def _masked(log: AuditLog) -> list[display.Change]:
    """The personal numbers a row changed, masked (``mask_nik``): shown as changed even where the
    masks agree, as when a NIK's middle digits were corrected."""
    model = display.model_of(log.object_type)
    shown = AUDIT_FIELDS.get(log.object_type, ())
    return [
        display.Change(
            str(capfirst(model._meta.get_field(f).verbose_name)),
            mask_nik(before or "") or display.EMPTY,
            mask_nik(after or "") or display.EMPTY,
        )
        for f, before, after in log.changes()
        if f in _PRIVATE_FIELDS and f in shown
    ]


def _audit_entries(request, child: Child, visit_ids):
    """The audit history of the child and its visits (removed ones too), newest first, in an
    inspector's words (``audit.display``: field names, choices, related objects by name), with
    NIKs and the parent's phone masked for those who may not read them and the engine's fields
    summarised."""
    see_nik = policy.can_see_nik(request.user, child)
    logs = list(
        AuditLog.objects.filter(
            Q(object_type="measurements.child", object_id=str(child.pk))
            | Q(object_type="measurements.measurement", object_id__in=[str(pk) for pk in visit_ids])
        ).order_by("-at", "-id")[:200]
    )
    hidden = () if see_nik else _PRIVATE_FIELDS
    described = display.describe([_shown(e, hidden) for e in logs], request.user)
    out = []
    for e, words in zip(logs, described, strict=True):
        all_changes = {field: (before, after) for field, before, after in e.changes()}
        computed = any(field in COMPUTED_FIELDS or field == "warnings" for field in all_changes)
        changes = words.changes + ([] if see_nik else _masked(e))
        out.append({"entry": e, "changes": changes, "computed": computed, "event": _event(e, all_changes)})
    return out


def _visit_rows(visits):
    from .actions import ENGINE_MESSAGES, FLAG_MESSAGES

    rows = []
    for m in visits:
        notes = []
        for code in filter(None, (m.warnings or "").split(";")):
            message = ENGINE_MESSAGES.get(code) or FLAG_MESSAGES.get(code) or _warning_message(code)
            notes.append(str(message))
        flags = [
            label
            for field, label in (
                ("flen", "TB/U"),
                ("fwei", "BB/U"),
                ("fwfl", "BB/TB"),
                ("fhc", "LK/U"),
                ("fac", "LiLA/U"),
            )
            if getattr(m, field)
        ]
        rows.append(
            {"m": m, "notes": notes, "flags": flags, "merged_from": m.merged_from if m.merged_from_id else None}
        )
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
    "vitamin_a_under_6_months": _lazy(
        "Vitamin A recorded before 6 months of age (the capsules are given from 6 months): "
        "check the birth date and the capsule."
    ),
}


def _warning_message(code: str) -> str:
    from .importers import warning_text

    if code.startswith("nik_invalid"):
        return str(_lazy("The NIK in the imported file is not valid."))
    return str(WARNING_TEXT.get(code) or warning_text(code) or code)


@login_required
def child_detail(request, tumbuh_id):
    child = _get_child(request, tumbuh_id, merged=True)
    visits = list(
        Measurement.objects.filter(child=child).select_related("posyandu", "entered_by", "merged_from").order_by("date")
    )
    for m in visits:
        m.child = child
    see_nik = policy.can_see_nik(request.user, child)
    # The history: the child's visits, removed ones too, and those that left it in a merge.
    visit_ids = Measurement.all_objects.filter(Q(child=child) | Q(merged_from=child)).values_list("pk", flat=True)
    can_change = policy.can(request.user, policy.CHANGE, child)
    return render(
        request,
        "measurements/child_detail.html",
        {
            "child": child,
            "parent_nik": child.parent_nik if see_nik else child.parent_nik_masked,
            "parent_phone": child.parent_phone if see_nik else "",
            "visits": _visit_rows(reversed(visits)),
            "latest": visits[-1] if visits else None,
            "charts": [(c, c.svg()) for c in charts.child_charts(child, visits, today=timezone.localdate())],
            "audit": _audit_entries(request, child, list(visit_ids)),
            "can_change": can_change and not child.is_merged,
            "can_unmerge": can_change and child.is_merged,
            "can_record": not child.is_merged
            and policy.can(request.user, policy.ADD, Measurement(child=child, desa_id=child.desa_id)),
            "removed": Measurement.all_objects.filter(child=child, removed_at__isnull=False).count(),
            "merged_children": list(
                policy.visible(request.user, Child.all_objects.filter(merged_into=child)).order_by("merged_at")
            ),
            "moved_away": Measurement.all_objects.filter(merged_from=child).count() if child.is_merged else 0,
        },
    )


@login_required
def child_summary(request, tumbuh_id):
    """A one-page summary for the parent, always in Bahasa Indonesia, printable on A4."""
    child = _get_child(request, tumbuh_id)
    visits = list(Measurement.objects.filter(child=child).order_by("date"))
    for m in visits:
        m.child = child
    today = timezone.localdate()
    with translation.override("id"):
        # One page: length/height-for-age, weight-for-age and the weight-for-length/height
        # chart that fits the latest visit.
        latest_kind = charts.wflh_kind(visits[-1]) if visits else None
        chosen = [
            c
            for c in charts.child_charts(child, visits, width=300, height=230, today=today)
            if c.kind in ("lhfa", "wfa") or latest_kind in (None, c.kind)
        ][:3]
        chart_list = [(c, c.svg()) for c in chosen]
        response = render(
            request,
            "measurements/child_summary.html",
            {
                "child": child,
                "visits": visits[-5:][::-1],
                "latest": visits[-1] if visits else None,
                "charts": chart_list,
                "today": today,
            },
        )
    return response


@login_required
def child_edit(request, tumbuh_id=None):
    if tumbuh_id is None:
        policy.require(request.user, policy.ADD, Child)
        child = Child()
    else:
        child = _get_child(request, tumbuh_id)
        policy.require(request.user, policy.CHANGE, child)
    form = ChildForm(request.POST or None, instance=child, actor=request.user, today=timezone.localdate())
    if request.method == "POST" and form.is_valid():
        try:
            child = do_register_child(
                request.user,
                form.save(commit=False),
                reason=form.cleaned_data.get("reason", ""),
                today=timezone.localdate(),
            )
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
    return render(
        request,
        "measurements/visit_start.html",
        {
            "q": q,
            "results": results,
            "can_register": policy.can(request.user, policy.ADD, Child),
        },
    )


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
def visit_entry(request, tumbuh_id, pk=None):
    """Step 2: enter the visit; step 3: confirm what the engine computed; then save. With ``pk``
    the stored visit is corrected, its date too; without, a date that already has a visit
    corrects that one."""
    child = _get_child(request, tumbuh_id)
    policy.require(request.user, policy.ADD, Measurement(child=child, desa_id=child.desa_id))
    today = timezone.localdate()
    existing = None
    if pk is not None:
        existing = policy.get_object_or_404(request.user, Measurement.objects.filter(child=child), pk=pk)
        policy.require(request.user, policy.CHANGE, existing)
        existing_date = existing.date
    else:
        date_param = request.POST.get("date") or request.GET.get("tanggal")
        if date_param and re.fullmatch(r"\d{4}-\d{2}-\d{2}", date_param):
            existing = Measurement.objects.filter(child=child, date=date_param).first()
        existing_date = existing.date if existing is not None else None
    instance = existing or Measurement(
        child=child, desa_id=child.desa_id, posyandu_id=child.posyandu_id, source=Source.FORM
    )
    # A stored visit's form posts to the visit's own address, where its date too can change.
    action = (
        reverse("measurements:visit_correct", args=[child.tumbuh_id, existing.pk])
        if existing is not None
        else reverse("measurements:visit", args=[child.tumbuh_id])
    )
    context = {"child": child, "existing": existing, "existing_date": existing_date, "action": action}
    if request.method != "POST":
        form = MeasurementForm(instance=instance, child=child, today=today)
        return render(request, "measurements/visit_form.html", {**context, "form": form})
    form = MeasurementForm(request.POST, instance=instance, child=child, today=today)
    if not form.is_valid() or "edit" in request.POST:
        return render(request, "measurements/visit_form.html", {**context, "form": form})
    m = form.save(commit=False)
    m.child = child
    problems = check_measurement(m, today=today)
    errors = [p for p in problems if p.severity == "error"]
    if "confirm" in request.POST and not errors:
        if existing is not None:
            policy.require(request.user, policy.CHANGE, existing)
        try:
            do_record_measurement(request.user, m, reason=form.cleaned_data.get("reason", ""), today=today)
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("The visit of %(date)s is saved.") % {"date": m.date.strftime("%d/%m/%Y")})
            return redirect("measurements:child", tumbuh_id=child.tumbuh_id)
    return render(
        request,
        "measurements/visit_confirm.html",
        {
            **context,
            "form": form,
            "m": m,
            "errors": errors,
            "warnings": [p for p in problems if p.severity != "error"],
        },
    )


# ---------------------------------------------------------------- taking a mistake back


def _visit_lines(m: Measurement) -> list[str]:
    values = [
        _("weight %(w)s kg") % {"w": _number(m.weight)} if m.weight is not None else "",
        _("length/height %(h)s cm") % {"h": _number(m.lenhei)} if m.lenhei is not None else "",
    ]
    return [
        _("Visit of %(name)s (%(id)s) on %(date)s: %(values)s.")
        % {
            "name": m.child.name,
            "id": m.child.tumbuh_id,
            "date": m.date.strftime("%d/%m/%Y"),
            "values": ", ".join(v for v in values if v) or "—",
        }
    ]


def _number(value) -> str:
    from django.utils.formats import number_format

    return number_format(value, use_l10n=True, force_grouping=False)


@login_required
def visit_remove(request, pk):
    """Confirm, then (POST) remove a visit entered by mistake, with a reason. It can be restored
    from the removed visits of the area."""
    m = policy.get_object_or_404(request.user, Measurement.objects.select_related("child"), pk=pk)
    policy.require(request.user, policy.CHANGE, m)
    form = ReasonForm(request.POST or None, label=_("Why is the visit removed?"))
    if request.method == "POST" and form.is_valid():
        try:
            do_remove_visit(request.user, m, form.cleaned_data["reason"], now=timezone.now())
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(
                request,
                _("The visit of %(date)s is removed. It can be restored from the removed visits.")
                % {"date": m.date.strftime("%d/%m/%Y")},
            )
            return redirect("measurements:child", tumbuh_id=m.child.tumbuh_id)
    return render(
        request,
        "core/confirm_delete.html",
        {
            "heading": _("Remove this visit?"),
            "lines": [
                *_visit_lines(m),
                _(
                    "The visit is kept, with who removed it, when and why, but no figure, list, export "
                    "or chart counts it any more. It can be restored from the removed visits."
                ),
            ],
            "form": form,
            "back": reverse("measurements:child", args=[m.child.tumbuh_id]),
        },
    )


@login_required
def removed_visits(request):
    """The visits removed in the user's area (narrowed to the region picker's focus), newest
    removal first, each restorable by whoever may change it."""
    policy.require(request.user, policy.VIEW, Measurement)
    qs = policy.visible(
        request.user,
        Measurement.all_objects.filter(removed_at__isnull=False).select_related(
            "child", "desa", "posyandu", "removed_by"
        ),
    )
    focus = get_focus(request)
    if focus is not None:
        qs = qs.filter(Wilayah.subtree_q(focus.code, "desa__"))
    anak = request.GET.get("anak", "").strip()
    if anak:  # one child's (from its page)
        qs = qs.filter(child__tumbuh_id=anak)
    page = Paginator(qs.order_by("-removed_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    for m in page:
        m.can_restore = policy.can(request.user, policy.CHANGE, m)
    return render(request, "measurements/removed_visits.html", {"page": page, "focus": focus, "anak": anak})


@login_required
def visit_restore(request, pk):
    """Confirm, then (POST) restore a removed visit, with a reason."""
    m = policy.get_object_or_404(
        request.user,
        Measurement.all_objects.filter(removed_at__isnull=False).select_related("child", "removed_by"),
        pk=pk,
    )
    policy.require(request.user, policy.CHANGE, m)
    form = ReasonForm(request.POST or None, label=_("Why is the visit restored?"))
    if request.method == "POST" and form.is_valid():
        try:
            do_restore_visit(
                request.user, m, form.cleaned_data["reason"], now=timezone.now(), today=timezone.localdate()
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("The visit of %(date)s is restored.") % {"date": m.date.strftime("%d/%m/%Y")})
            return redirect("measurements:child", tumbuh_id=m.child.tumbuh_id)
    removed = _("Removed on %(at)s by %(who)s: %(reason)s") % {
        "at": timezone.localtime(m.removed_at).strftime("%d/%m/%Y %H:%M"),
        "who": m.removed_by or _("someone no longer registered"),
        "reason": m.removal_reason,
    }
    return render(
        request,
        "measurements/confirm.html",
        {
            "heading": _("Restore this visit?"),
            "lines": [
                *_visit_lines(m),
                removed,
                _(
                    "It counts again in every figure, list and chart, scored with the "
                    "child's sex and birth date as they are now."
                ),
            ],
            "form": form,
            "button": _("Restore"),
            "back": reverse("measurements:removed_visits"),
        },
    )


def _candidates(request, child: Child, q: str):
    """Who ``child`` may be merged into: those the search finds, else the children of the same
    desa born on the same day or with a similar name."""
    qs = _with_latest_status(
        policy.visible(request.user, Child.objects.select_related("desa", "posyandu")).exclude(pk=child.pk)
    )
    if q:
        return list(_search(request, qs, q).order_by("name", "birth_date")[:LIVE_RESULTS])
    first = child.name.split()[0] if child.name.split() else child.name
    return list(
        qs.filter(Q(desa_id=child.desa_id) & (Q(birth_date=child.birth_date) | Q(name__icontains=first))).order_by(
            "name", "birth_date"
        )[:LIVE_RESULTS]
    )


@login_required
def child_merge(request, tumbuh_id):
    """Merge a child registered twice into the right record: choose it (``?ke=`` its Tumbuh ID),
    see what the merge does and what the two disagree on, give a reason, confirm."""
    child = _get_child(request, tumbuh_id)
    policy.require(request.user, policy.CHANGE, child)
    target_id = request.POST.get("ke") or request.GET.get("ke")
    if not target_id:
        q = request.GET.get("q", "").strip()
        return render(
            request,
            "measurements/child_merge.html",
            {
                "child": child,
                "q": q,
                "candidates": _candidates(request, child, q),
                "nik_search": policy.can_see_nik(request.user),
            },
        )
    survivor = _get_child(request, target_id)
    today = timezone.localdate()
    plan = plan_merge(request.user, child, survivor, today=today)
    form = ReasonForm(request.POST or None, label=_("Why are the two records one child?"))
    if request.method == "POST" and not plan.refusals and form.is_valid():
        try:
            do_merge_children(
                request.user, child, survivor, form.cleaned_data["reason"], now=timezone.now(), today=today
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(
                request,
                _("%(merged)s is merged into %(survivor)s.") % {"merged": child.name, "survivor": survivor.name},
            )
            return redirect("measurements:child", tumbuh_id=survivor.tumbuh_id)
    return render(
        request,
        "measurements/child_merge_confirm.html",
        {
            "child": child,
            "survivor": survivor,
            "plan": plan,
            "form": form,
        },
    )


@login_required
def child_unmerge(request, tumbuh_id):
    """Undo a merge: the visits that moved go back, the child counts again. With a reason."""
    child = _get_child(request, tumbuh_id, merged=True)
    policy.require(request.user, policy.CHANGE, child)
    refusals = plan_unmerge(request.user, child)
    form = ReasonForm(request.POST or None, label=_("Why is the merge undone?"))
    if request.method == "POST" and not refusals and form.is_valid():
        try:
            do_unmerge_child(request.user, child, form.cleaned_data["reason"], today=timezone.localdate())
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("%(name)s is a record of its own again.") % {"name": child.name})
            return redirect("measurements:child", tumbuh_id=child.tumbuh_id)
    moved = Measurement.all_objects.filter(merged_from=child).count()
    lines = []
    if child.is_merged:
        lines = [
            _("%(name)s (%(id)s) was merged into %(survivor)s (%(survivor_id)s) on %(at)s: %(reason)s")
            % {
                "name": child.name,
                "id": child.tumbuh_id,
                "survivor": child.merged_into.name,
                "survivor_id": child.merged_into.tumbuh_id,
                "at": timezone.localtime(child.merged_at).strftime("%d/%m/%Y") if child.merged_at else "—",
                "reason": child.merge_reason,
            },
            ngettext(
                "The %(n)s visit that moved then goes back to %(name)s, scored with its own sex and birth "
                "date; visits entered for %(survivor)s since stay there.",
                "The %(n)s visits that moved then go back to %(name)s, scored with its own sex and birth "
                "date; visits entered for %(survivor)s since stay there.",
                moved,
            )
            % {"n": moved, "name": child.name, "survivor": child.merged_into.name},
        ]
    return render(
        request,
        "measurements/confirm.html",
        {
            "heading": _("Undo the merge?"),
            "lines": lines,
            "form": form,
            "button": _("Undo the merge"),
            "refusal": " ".join(refusals),
            "back": reverse("measurements:child", args=[child.tumbuh_id]),
        },
    )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _export_denied(request):
    """403 with the reason: the file carries full NIKs, which only some roles may read."""
    return render(request, "measurements/eppgbm_export.html", {"denied": True}, status=403)


def _export_form(request) -> EppgbmExportForm:
    return EppgbmExportForm(request.GET or None, user=request.user, today=timezone.localdate())


def _export_visits(request, form):
    data = form.cleaned_data
    return withhold_unseen(
        request.user,
        list(
            upload_visits(
                request.user,
                month=data["bulan"],
                posyandu=data["posyandu"],
                desa=data["desa"],
                include_imported=data["semua"],
            )
        ),
    )


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
        context.update(
            {
                "rows": rows,
                "missing_nik": [m for m, lacks in rows if lacks],
                "place": form.place,
                "month": form.cleaned_data["bulan"],
                "download_query": request.GET.urlencode(),
            }
        )
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
    log.info(
        "e-PPGBM upload file: user %s, %s %s, %s, %d visits",
        request.user.username,
        "posyandu" if form.cleaned_data["posyandu"] else "desa",
        place.pk,
        f"{month:%Y-%m}",
        len(visits),
    )
    name = f"unggah-eppgbm-{slugify(place.name) or place.pk}-{month:%Y-%m}.xlsx"
    return FileResponse(upload_workbook(load_layout(), visits), as_attachment=True, filename=name, content_type=XLSX)
