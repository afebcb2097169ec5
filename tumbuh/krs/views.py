"""The KRS list, one family's page (its TPK, visits and children), a child's KRS families,
the targeting page, the TPK teams, and the number of families per desa (entered in a table, or
imported from the template). Thin: ask the policy, call an action, render."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tumbuh.accounts import policy
from tumbuh.audit.actions import all_or_nothing
from tumbuh.core.editing import add_errors
from tumbuh.core.focus import choices as focus_choices
from tumbuh.core.focus import get_focus, kabupaten_of, year_of
from tumbuh.core.numbers import format_number
from tumbuh.core.private_search import page_query, searched
from tumbuh.dashboards import aggregates
from tumbuh.dashboards.conclusions import Base, conclude
from tumbuh.dashboards.default_period import default_round
from tumbuh.dashboards.periods import Period
from tumbuh.imports.cells import parse_count
from tumbuh.imports.forms import UploadForm
from tumbuh.imports.models import ImportBatch
from tumbuh.imports.views import XLSX, announce, can_import, start_upload
from tumbuh.measurements.models import Child
from tumbuh.wilayah.models import Level, Wilayah

from . import linking, targeting
from .actions import (
    do_assign_tpk,
    do_clear_family_count,
    do_link_child,
    do_log_visit,
    do_save_tpk,
    do_set_family_count,
    do_unlink_child,
)
from .counts import risk_shares
from .forms import AssignTpkForm, FilterForm, LinkForm, TpkForm, UnlinkForm, VisitForm
from .importers import KIND_FAMILY_COUNT, family_count_template
from .models import Family, FamilyChild, FamilyCount, LinkMethod, Tpk, TpkVisit


def _in_focus(request, qs, path: str = "desa__"):
    focus = get_focus(request)
    return qs.filter(Wilayah.subtree_q(focus.code, path)) if focus is not None else qs


@login_required
@require_http_methods(["GET", "POST"])
def family_list(request):
    """The KRS families; the filter is posted (``core.private_search``), so a NIK or family
    number typed into it never reaches a URL."""
    policy.require(request.user, policy.VIEW, Family)
    query, posted = searched(request, "krs-families")
    if posted is not None:
        return posted
    qs = _in_focus(request, policy.visible(request.user, Family.objects.all()))
    years = list(qs.order_by("-year").values_list("year", flat=True).distinct())
    form = FilterForm(query or None, years=years)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    year = data.get("year") or (years[0] if years else None)
    if year:
        qs = qs.filter(year=year)
    q = (data.get("q") or "").strip()
    if q:
        term = Q(head_name__icontains=q) | Q(wife_name__icontains=q) | Q(desa__name__icontains=q)
        if q.isdigit() and policy.can_see_nik(request.user):
            term |= Q(nik=q) | Q(kk_number=q) | Q(wife_nik=q)
        qs = qs.filter(term)
    if data.get("risk"):
        qs = qs.filter(**{data["risk"]: True})
    if data.get("without_tpk"):
        qs = qs.filter(tpk__isnull=True)
    shares = risk_shares(qs)
    qs = qs.select_related("desa", "tpk").annotate(last_visit=Max("visits__date"), visit_count=Count("visits"))
    page = Paginator(qs.order_by("desa__name", "head_name"), 50).get_page(query.get("page"))
    return render(
        request,
        "krs/family_list.html",
        {
            "page": page,
            "form": form,
            "year": year,
            "query": page_query(request, query),
            "can_import": can_import(request.user, "krs"),
            "total": page.paginator.count,
            "shares": shares,
            "filtered": bool(q or data.get("risk") or data.get("without_tpk")),
        },
    )


def _family(request, pk) -> Family:
    return policy.get_object_or_404(request.user, Family.objects.select_related("desa", "tpk"), pk=pk)


@login_required
def family_detail(request, pk, assign_form=None, visit_form=None):
    family = _family(request, pk)
    can_assign = policy.can(request.user, policy.CHANGE, family)
    can_visit = family.tpk is not None and policy.can(request.user, policy.ADD, TpkVisit(family=family, tpk=family.tpk))
    can_link = policy.can(request.user, policy.ADD, FamilyChild(family=family))
    q = request.GET.get("q", "").strip()
    return render(
        request,
        "krs/family_detail.html",
        {
            "family": family,
            "visits": family.visits.select_related("tpk", "recorded_by"),
            "assign_form": assign_form or (AssignTpkForm(actor=request.user, family=family) if can_assign else None),
            "visit_form": visit_form or (VisitForm() if can_visit else None),
            "links": _links(request.user, family.child_links.all()),
            "can_link": can_link,
            "q": q,
            "suggestions": linking.suggest_children(request.user, family, q=q) if can_link else [],
        },
    )


def _links(user, links):
    """The visible links with their child annotated with the latest length/height-for-age."""
    links = list(policy.visible(user, links.select_related("family__tpk", "linked_by")))
    children = linking.with_latest_haz(
        policy.visible(user, Child.objects.filter(pk__in=[link.child_id for link in links]))
    )
    by_pk = children.select_related("posyandu").in_bulk()
    for link in links:
        link.child = by_pk.get(link.child_id) or link.child
        link.can_unlink = policy.can(user, policy.DELETE, link)
    return links


@login_required
@require_POST
def assign_tpk(request, pk):
    family = _family(request, pk)
    policy.require(request.user, policy.CHANGE, family)
    form = AssignTpkForm(request.POST, actor=request.user, family=family)
    if form.is_valid():
        try:
            do_assign_tpk(request.user, family, form.cleaned_data["tpk"])
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("Saved."))
            return redirect("krs:detail", pk=family.pk)
    return family_detail(request, pk, assign_form=form)


@login_required
@require_POST
def log_visit(request, pk):
    family = _family(request, pk)
    form = VisitForm(request.POST)
    if form.is_valid():
        try:
            do_log_visit(request.user, family, **form.cleaned_data, today=timezone.localdate())
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("The visit is recorded."))
            return redirect("krs:detail", pk=family.pk)
    return family_detail(request, pk, visit_form=form)


@login_required
def tpk_list(request):
    policy.require(request.user, policy.VIEW, Tpk)
    qs = _in_focus(request, policy.visible(request.user, Tpk.objects.select_related("desa")))
    qs = qs.annotate(
        family_count=Count("families", distinct=True),
        visit_count=Count("visits", distinct=True),
        last_visit=Max("visits__date"),
    )
    return render(
        request,
        "krs/tpk_list.html",
        {
            "teams": qs,
            "can_add": policy.can(request.user, policy.ADD, Tpk),
        },
    )


@login_required
def tpk_edit(request, pk=None):
    if pk is None:
        tpk = Tpk()
        policy.require(request.user, policy.ADD, Tpk)
    else:
        tpk = policy.get_object_or_404(request.user, Tpk, pk=pk)
    can_change = policy.can(request.user, policy.CHANGE if pk else policy.ADD, tpk if pk else Tpk)
    form = TpkForm(request.POST or None, instance=tpk, actor=request.user)
    if request.method == "POST":
        policy.require(request.user, policy.CHANGE if pk else policy.ADD, tpk if pk else Tpk)
        if form.is_valid():
            try:
                do_save_tpk(request.user, form.save(commit=False), reason=form.cleaned_data.get("reason", ""))
            except ValidationError as e:
                add_errors(form, e)
            else:
                messages.success(request, _("Saved."))
                return redirect("krs:tpk_list")
    return render(request, "krs/tpk_form.html", {"form": form, "tpk": tpk if pk else None, "can_change": can_change})


def _back(request, family: Family, child: Child):
    if request.POST.get("back") == "child":
        return redirect("krs:child_families", tumbuh_id=child.tumbuh_id)
    return redirect("krs:detail", pk=family.pk)


# ---------------------------------------------------------------- number of families per desa


def _families_year(request) -> int:
    """``?year=``, else last year: BKKBN's family data of a year is complete early the next."""
    today = timezone.localdate()
    return year_of(request, default=today.year - 1, today=today)


def _district_desa(request, kabupaten) -> list[Wilayah]:
    return list(policy.district_desa(request.user, kabupaten.code).order_by("kecamatan_code", "name"))


def _stored(request, year) -> dict[str, FamilyCount]:
    return {count.desa_id: count for count in policy.visible(request.user, FamilyCount.objects.filter(year=year))}


def _kecamatan_names(kabupaten) -> dict[str, str]:
    return dict(
        Wilayah.objects.filter(level=Level.KECAMATAN, kabupaten_code=kabupaten.code).values_list("code", "name")
    )


#: The inputs of a desa's row, named ``families-<desa code>`` and ``under_five-<desa code>``.
_ROW_INPUTS = ("families", "under_five")


@login_required
def family_counts(request):
    """The number of families per desa for one year: a table the district admin fills in (or
    imports from the template), with the KRS of the same year beside it."""
    kabupaten = kabupaten_of(request)
    year = _families_year(request)
    desa = _district_desa(request, kabupaten)
    stored = _stored(request, year)
    may_enter = policy.can(request.user, policy.ADD, FamilyCount)  # the action checks each row again
    errors: dict[str, str] = {}
    reason = request.POST.get("reason", "").strip()
    if request.method == "POST":
        if not may_enter:
            raise PermissionDenied
        n, errors = all_or_nothing(
            (w.code, partial(_save_family_row, request, year, w.code, stored.get(w.code), reason)) for w in desa
        )
        if not errors:
            messages.success(request, _("%(n)d desa saved.") % {"n": n})
            return redirect(f"{reverse('krs:family_counts')}?year={year}")
        messages.error(request, _("Nothing was saved: correct the rows marked below."))
    krs = dict(
        Family.objects.filter(desa_id__in=[w.code for w in desa], year=year)
        .values_list("desa_id")
        .annotate(n=Count("pk"))
    )
    kecamatan = _kecamatan_names(kabupaten)
    rows = [
        {
            "desa": w,
            "kecamatan": kecamatan.get(w.kecamatan_code, w.kecamatan_code),
            "count": stored.get(w.code),
            "krs": krs.get(w.code),
            "error": errors.get(w.code),
            "post": {k: request.POST.get(f"{k}-{w.code}", "") for k in _ROW_INPUTS}
            if request.method == "POST"
            else None,
        }
        for w in desa
    ]
    may_import = can_import(request.user, KIND_FAMILY_COUNT)
    return render(
        request,
        "krs/family_counts.html",
        {
            "kabupaten": kabupaten,
            "year": year,
            "rows": rows,
            "may_enter": may_enter,
            "may_import": may_import,
            "reason": reason,
            "upload_form": UploadForm(user=request.user) if may_import else None,
            "recent": policy.visible(request.user, ImportBatch.objects.filter(kind=KIND_FAMILY_COUNT))[:10]
            if may_import
            else [],
            "total": sum(count.families for count in stored.values()),
            "filled": len(stored),
        },
    )


def _save_family_row(request, year, code, count, reason) -> bool:
    """One desa's row of the table: saved if it changed (emptied: the number is removed)."""
    raw = {k: request.POST.get(f"{k}-{code}", "").strip() for k in _ROW_INPUTS}
    try:
        families, under_five = parse_count(raw["families"]), parse_count(raw["under_five"])
    except ValueError:
        raise ValidationError(_("Not a whole number.")) from None
    if (families is not None and families < 0) or (under_five is not None and under_five < 0):
        raise ValidationError(_("A number of families cannot be negative."))
    if (count is None and families is None and under_five is None) or (
        count is not None and (families, under_five) == (count.families, count.families_with_under_five)
    ):
        return False
    if count is not None and not reason:
        raise ValidationError(_("Give a reason for changing a stored number."))
    if families is None and under_five is not None:
        raise ValidationError(_("Give the number of families."))
    if families is None:
        do_clear_family_count(request.user, count, reason=reason)
    else:
        do_set_family_count(
            request.user,
            code,
            year,
            families=families,
            families_with_under_five=under_five,
            reason=reason or _("entered in the table of families per desa"),
        )
    return True


@login_required
def family_count_template_download(request):
    if not can_import(request.user, KIND_FAMILY_COUNT):
        raise PermissionDenied
    kabupaten = kabupaten_of(request)
    year = _families_year(request)
    desa = _district_desa(request, kabupaten)
    stored = _stored(request, year)
    return FileResponse(
        family_count_template(year, desa, _kecamatan_names(kabupaten), stored),
        as_attachment=True,
        filename=f"jumlah-keluarga-{kabupaten.code}-{year}.xlsx",
        content_type=XLSX,
    )


@login_required
@require_POST
def link_child(request, pk):
    """Confirm a child (a suggestion, or one found by name) as a member of family ``pk``."""
    family = _family(request, pk)
    form = LinkForm(request.POST)
    if not form.is_valid():
        raise Http404
    child = policy.get_object_or_404(request.user, Child, pk=form.cleaned_data["child"])
    note = form.cleaned_data["note"].strip()
    suggestion = linking.explain(family, child)  # a child found by name may have no reason: then the note says why
    why = _("suggestion confirmed: %(why)s") % {"why": suggestion.explanation()} if suggestion.score > 0 else ""
    reason = ". ".join(part for part in (why, note) if part)
    try:
        do_link_child(
            request.user, family, child, reason=reason, method=LinkMethod.SUGGESTION if why else LinkMethod.MANUAL
        )
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(
            request,
            _("%(child)s is linked to the family of %(family)s.") % {"child": child.name, "family": family.head_name},
        )
    return _back(request, family, child)


@login_required
@require_POST
def unlink_child(request, pk):
    link = policy.get_object_or_404(request.user, FamilyChild.objects.select_related("family", "child"), pk=pk)
    form = UnlinkForm(request.POST)
    if form.is_valid():
        try:
            do_unlink_child(request.user, link, reason=form.cleaned_data["reason"])
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("The link is removed."))
    else:
        messages.error(request, _("Say why the link is removed."))
    return _back(request, link.family, link.child)


def _chosen_year(request, years: list[int], default: int | None) -> int | None:
    """The KRS list year asked for (``?year=``, or ``?tahun=`` of older links) when it is one of
    ``years``, else ``default``."""
    try:
        year = int(request.GET.get("year") or request.GET["tahun"])
    except (KeyError, ValueError):
        return default
    return year if year in years else default


@login_required
def child_families(request, tumbuh_id):
    """A child's at-risk families: the confirmed ones, and the families of a year's list in the
    child's desa suggested for them."""
    policy.require(request.user, policy.VIEW, Family)
    child = policy.get_object_or_404(
        request.user, linking.with_latest_haz(Child.objects.select_related("desa", "posyandu")), tumbuh_id=tumbuh_id
    )
    years = list(
        policy.visible(request.user, Family.objects.filter(desa_id=child.desa_id))
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )
    year = _chosen_year(request, years, years[0] if years else None)
    can_link = year is not None and policy.can(
        request.user, policy.ADD, FamilyChild(family=Family(desa_id=child.desa_id))
    )
    return render(
        request,
        "krs/child_families.html",
        {
            "child": child,
            "years": years,
            "year": year,
            "links": _links(request.user, FamilyChild.objects.filter(child=child).order_by("-year")),
            "linked_this_year": FamilyChild.objects.filter(child=child, year=year).exists(),
            "under_five": year is not None and linking.under_five_in(child, year),
            "can_link": can_link,
            "suggestions": linking.suggest_families(request.user, child, year) if can_link else [],
        },
    )


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
    policy.require(request.user, policy.VIEW, Family)
    within = _area(request)
    try:
        period = Period.parse(request.GET["period"])
    except (KeyError, ValueError):
        period = default_round(request.user, today=timezone.localdate())
    years = targeting.list_years(request.user, within)
    year = _chosen_year(request, years, targeting.default_year(years, period))
    desa = request.GET.get("desa") or None
    if desa and not (
        policy.node_contains(request.user, desa)
        and (within is None or Wilayah.objects.filter(Wilayah.subtree_q(within.code), code=desa).exists())
    ):
        raise Http404
    report = targeting.build(request.user, period=period, year=year, within=within, desa_code=desa)
    show = "families" if request.GET.get("show") in ("families", "keluarga") else "children"  # keluarga: older links
    page = Paginator(report.families if show == "families" else report.children, 50).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    if show == "families":
        stunted_of = targeting.stunted_children_of(page.object_list, period)
        for family in page.object_list:
            family.stunted_children = stunted_of.get(family.pk, [])
    query = request.GET.copy()
    query.pop("page", None)
    base = query.copy()
    for key in ("show", "desa"):
        base.pop(key, None)
    return render(
        request,
        "krs/targeting.html",
        {
            "report": report,
            "nothing_listed": "" if page.object_list else _nothing_listed(report, show),
            "no_rows": ""
            if report.rows
            else conclude(
                _("No stunted child and no KRS family in this area and period."),
                Base(report.measured, _("No length/height measurement and no KRS family in this area and period.")),
            ),
            "within": within,
            "period": period,
            "years": years,
            "year": year,
            "desa": desa,
            "desa_name": Wilayah.objects.filter(code=desa).values_list("name", flat=True).first() if desa else "",
            "period_choices": aggregates.period_choices(user=request.user),
            "show": show,
            "page": page,
            "query": query.urlencode(),
            "base": base.urlencode(),
            "areas": [w for w in focus_choices(request.user) if w.level < Level.DESA],
            "can_link": policy.can(request.user, policy.ADD, FamilyChild),
        },
    )


def _nothing_listed(report: targeting.Targeting, show: str) -> str:
    """What an empty list says: its conclusion only when there are children measured, stunted
    and (for the families) linked to a family (``dashboards.conclusions``)."""
    measured = Base(
        report.measured,
        _(
            "No child here has a valid length/height measurement in this period: "
            "nothing can be said about stunted children yet."
        ),
    )
    stunted = Base(
        report.stunted,
        _("No child measured here in this period is stunted (%(n)s measured).")
        % {"n": format_number(report.measured, 0)},
    )
    if show == "children":
        return conclude(_("Every stunted child here is in a KRS family."), measured, stunted)
    return conclude(
        _("Every KRS family with a stunted child here has a TPK."),
        Base(report.year, _("No at-risk family (KRS) list in this area for this year.")),
        measured,
        stunted,
        Base(
            report.families_stunted,
            _("No KRS family here is linked to a stunted child yet: confirm the children of each family on its page."),
        ),
    )


@login_required
@require_POST
def family_count_import(request):
    if not can_import(request.user, KIND_FAMILY_COUNT):
        raise PermissionDenied
    form = UploadForm(request.POST, request.FILES, user=request.user)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("krs:family_counts")
    batch = start_upload(KIND_FAMILY_COUNT, request.user, form.target_kabupaten(), form.cleaned_data["file"])
    announce(request, batch)
    return redirect("imports:batch", pk=batch.pk)
