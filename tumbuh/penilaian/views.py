"""The penilaian kinerja pages: thin views over ``actions``, ``totals``, ``evidence`` and ``export``.

The province (``permissions.may_assess``) sees the whole assessment: the grid of districts ×
criteria, each district's page with its evidence beside the score form, the ranking and the
exports. A district reads only its own result, and only once it is final."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tumbuh.accounts import policy
from tumbuh.wilayah.models import Level as WilayahLevel
from tumbuh.wilayah.models import Wilayah

from . import actions, evidence, export, rubric, totals
from .forms import FirstYearForm, ReopenForm, RubricUploadForm, ScoreForm, StartForm
from .models import Assessment, Criterion, Level, Rubric, Score
from .permissions import may_assess

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _assessment(request, pk) -> Assessment:
    """The assessment, if the user sees it: the province always, a district once it is final."""
    assessment = policy.get_object_or_404(request.user, Assessment.objects.select_related("province", "rubric"), pk=pk)
    if not assessment.is_final and not may_assess(request.user, assessment):
        raise Http404
    return assessment


def _require_assessor(request, assessment) -> None:
    if not may_assess(request.user, assessment):
        raise PermissionDenied(policy.OUTSIDE_AREA)


def _criteria(assessment):
    return list(
        Criterion.objects.filter(rubric=assessment.rubric).prefetch_related(
            Prefetch("levels", queryset=Level.objects.order_by("value"))
        )
    )


def _districts(request, assessment, code: str | None = None):
    qs = Wilayah.objects.filter(level=WilayahLevel.KABUPATEN, provinsi_code=assessment.province_id)
    if code is not None:
        qs = qs.filter(code=code)
    return list(policy.visible(request.user, qs).order_by("code"))


def _rows(request, assessment, districts, criteria):
    scores = policy.visible(
        request.user,
        Score.objects.filter(assessment=assessment, kabupaten__in=[d.code for d in districts]).select_related("level"),
    )
    return totals.grid(assessment, districts, scores, criteria)


def _reads_a_district_of(user, assessment) -> bool:
    """A user bound to a district of the assessed province (who reads its own final result)."""
    node = user.wilayah if user.wilayah_id else None
    return node is not None and node.level == WilayahLevel.KABUPATEN and node.provinsi_code == assessment.province_id


@login_required
def index(request):
    user = request.user
    listed = [
        a
        for a in policy.visible(user, Assessment.objects.select_related("province", "rubric"))
        if may_assess(user, a) or (a.is_final and _reads_a_district_of(user, a))
    ]
    can_start = policy.can(user, policy.ADD, Assessment)
    rubrics = policy.visible(user, Rubric.objects.select_related("province"))
    return render(
        request,
        "penilaian/index.html",
        {
            "assessments": listed,
            "assessor": {a.pk for a in listed if may_assess(user, a)},
            "start_form": StartForm(rubrics=rubrics, today=timezone.localdate()) if can_start else None,
            "rubrics": rubrics if can_start else [],
        },
    )


@login_required
@require_POST
def start(request):
    rubrics = policy.visible(request.user, Rubric.objects.all())
    form = StartForm(request.POST, rubrics=rubrics, today=timezone.localdate())
    if form.is_valid():
        chosen = form.cleaned_data["rubric"]
        try:
            assessment = actions.do_start_assessment(request.user, chosen.province, form.cleaned_data["year"], chosen)
            return redirect("penilaian:grid", assessment.pk)
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
    else:
        messages.error(request, " ".join(str(m) for errors in form.errors.values() for m in errors))
    return redirect("penilaian:index")


@login_required
def grid(request, pk):
    assessment = _assessment(request, pk)
    if not may_assess(request.user, assessment):
        own = _districts(request, assessment)
        if len(own) == 1:
            return redirect("penilaian:district", assessment.pk, own[0].code)
        raise Http404
    criteria = _criteria(assessment)
    districts = _districts(request, assessment)
    rows = _rows(request, assessment, districts, criteria)
    can_change = policy.can(request.user, policy.CHANGE, assessment)
    return render(
        request,
        "penilaian/grid.html",
        {
            "assessment": assessment,
            "criteria": criteria,
            "rows": rows,
            "can_change": can_change and not assessment.is_final,
            "can_reopen": can_change and assessment.is_final,
            "first_year_form": FirstYearForm(
                districts=districts, initial={"districts": list(assessment.first_year.values_list("code", flat=True))}
            )
            if can_change and not assessment.is_final
            else None,
            "reopen_form": ReopenForm() if can_change and assessment.is_final else None,
        },
    )


@login_required
def district(request, pk, code):
    assessment = _assessment(request, pk)
    found = _districts(request, assessment, code)
    if not found:
        raise Http404
    kabupaten = found[0]
    criteria = _criteria(assessment)
    (row,) = _rows(request, assessment, [kabupaten], criteria)
    pairs = [(cell.year, cell.criterion.aksi) for cell in row.cells if cell.in_scope]
    held = evidence.for_district(kabupaten, set(pairs), request.user, today=timezone.localdate())
    probe = Score(assessment=assessment, kabupaten=kabupaten)
    can_score = not assessment.is_final and policy.can(request.user, policy.ADD, probe)
    return render(
        request,
        "penilaian/district.html",
        {
            "assessment": assessment,
            "kabupaten": kabupaten,
            "row": row,
            "items": [
                {
                    "cell": cell,
                    "evidence": held.get((cell.year, cell.criterion.aksi)),
                    "form": ScoreForm(criterion=cell.criterion, score=cell.score) if can_score else None,
                }
                for cell in row.cells
                if cell.in_scope
            ],
            "can_score": can_score,
            "assessor": may_assess(request.user, assessment),
        },
    )


@login_required
@require_POST
def score(request, pk, code, criterion_pk):
    assessment = _assessment(request, pk)
    _require_assessor(request, assessment)
    found = _districts(request, assessment, code)
    if not found:
        raise Http404
    kabupaten = found[0]
    criterion = policy.get_object_or_404(request.user, Criterion, pk=criterion_pk, rubric=assessment.rubric)
    form = ScoreForm(request.POST, criterion=criterion)
    error = ""
    if form.is_valid():
        try:
            actions.do_score(
                request.user,
                assessment,
                kabupaten.code,
                criterion,
                form.cleaned_data["level"],
                form.cleaned_data["comment"],
            )
        except ValidationError as e:
            error = " ".join(e.messages)
    else:
        error = " ".join(str(m) for errors in form.errors.values() for m in errors)
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("Saved."))
        return redirect("penilaian:district", assessment.pk, kabupaten.code)
    (row,) = _rows(
        request, assessment, [kabupaten], [criterion] + [c for c in _criteria(assessment) if c.pk != criterion.pk]
    )
    cell = row.cells[0]
    return render(
        request,
        "penilaian/_score_form.html",
        {
            "assessment": assessment,
            "kabupaten": kabupaten,
            "row": row,
            "item": {"cell": cell, "form": ScoreForm(criterion=criterion, score=cell.score)},
            "error": error,
            "saved": not error,
            "can_score": True,
            "oob": True,
        },
    )


@login_required
@require_POST
def first_year(request, pk):
    assessment = _assessment(request, pk)
    _require_assessor(request, assessment)
    form = FirstYearForm(request.POST, districts=_districts(request, assessment))
    if form.is_valid():
        try:
            actions.do_set_first_year(request.user, assessment, form.cleaned_data["districts"])
            messages.success(request, _("Saved."))
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
    return redirect("penilaian:grid", assessment.pk)


@login_required
@require_POST
def finalise(request, pk):
    assessment = _assessment(request, pk)
    _require_assessor(request, assessment)
    try:
        actions.do_finalise(request.user, assessment, now=timezone.now())
        messages.success(request, _("The assessment is final; each district now reads its own result."))
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    return redirect("penilaian:grid", assessment.pk)


@login_required
@require_POST
def reopen(request, pk):
    assessment = _assessment(request, pk)
    _require_assessor(request, assessment)
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            actions.do_reopen(request.user, assessment, reason=form.cleaned_data["reason"])
            messages.success(request, _("Reopened."))
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
    else:
        messages.error(request, _("Give the reason for reopening."))
    return redirect("penilaian:grid", assessment.pk)


def _ranked(request, assessment):
    _require_assessor(request, assessment)
    criteria = _criteria(assessment)
    return totals.rank(_rows(request, assessment, _districts(request, assessment), criteria))


@login_required
def ranking(request, pk):
    assessment = _assessment(request, pk)
    return render(request, "penilaian/ranking.html", {"assessment": assessment, "rows": _ranked(request, assessment)})


@login_required
def download(request, pk, fmt):
    assessment = _assessment(request, pk)
    ranked = _ranked(request, assessment)
    today = timezone.localdate()
    if fmt == "xlsx":
        response = HttpResponse(export.workbook(assessment, ranked, today=today), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{export.filename(assessment)}.xlsx"'
    elif fmt == "pdf":
        from tumbuh.documents.official import document_response

        response = document_response(export.document(assessment, ranked, today=today), "pdf")
    else:
        raise Http404
    response["Cache-Control"] = "no-store, private"
    return response


@login_required
def rubrics(request):
    """The rubrics the user sees, each with its criteria; the province loads its own file here."""
    user = request.user
    listed = policy.visible(user, Rubric.objects.select_related("province")).prefetch_related(
        Prefetch("criteria", queryset=Criterion.objects.prefetch_related("levels"))
    )
    provinces = [p for p in policy.visible(user, Wilayah.objects.filter(level=WilayahLevel.PROVINSI).order_by("code"))]
    may_load = policy.can(user, policy.ADD, Rubric) and bool(provinces)
    form, errors = None, []
    if may_load:
        form = RubricUploadForm(request.POST or None, request.FILES or None, provinces=provinces)
        if request.method == "POST" and form.is_valid():
            try:
                loaded = rubric.load_file(
                    user,
                    form.cleaned_data["province"],
                    form.cleaned_data["file"].read(),
                    reason=_("Rubric file uploaded"),
                )
                messages.success(request, _("Rubric %(rubric)s loaded.") % {"rubric": loaded})
                return redirect("penilaian:rubrics")
            except rubric.RubricError as e:
                errors = e.errors
            except PermissionDenied:
                errors = [str(policy.OUTSIDE_AREA)]
    elif request.method == "POST":
        raise PermissionDenied(policy.ROLE_REFUSED)
    return render(request, "penilaian/rubrics.html", {"rubrics": listed, "form": form, "errors": errors})
