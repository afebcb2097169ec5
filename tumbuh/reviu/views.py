"""Review pages: thin views over ``actions`` and ``figures``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tumbuh.accounts import policy
from tumbuh.core.focus import kabupaten_of, year_of
from tumbuh.documents.official import document_response
from tumbuh.rencana.models import Activity

from . import actions, documents, figures
from .forms import RealisationForm, RecommendationForm, ReviewForm
from .models import AnnualReview, Realisation, Recommendation


def _back(year: int):
    return redirect(f"{reverse('reviu:page')}?year={year}")


def _review(request, year: int) -> AnnualReview | None:
    kab = kabupaten_of(request)
    return policy.visible(request.user, AnnualReview.objects.filter(kabupaten=kab, year=year)).first()


@login_required
def page(request):
    kab, year = kabupaten_of(request), year_of(request, today=timezone.localdate())
    review = _review(request, year)
    rows = figures.activity_rows(
        kab.code,
        year,
        qs=policy.visible(
            request.user, Activity.objects.filter(kabupaten=kab, year=year).select_related("opd", "indicator")
        ),
    )
    editable = set()
    for r in rows:
        probe = r.realisation or Realisation(activity=r.activity)
        if policy.can(request.user, policy.CHANGE if r.realisation else policy.ADD, probe):
            editable.add(r.activity.pk)
    return render(
        request,
        "reviu/page.html",
        {
            "kabupaten": kab,
            "year": year,
            "review": review,
            "rows": rows,
            "editable": editable,
            "totals": figures.budget_totals(rows),
            "indicators": figures.indicator_rows(kab.code, year),
            "kecamatan": figures.kecamatan_prevalence(request.user, kab.code, year),
            "recommendations": review.recommendations.select_related("indicator", "opd") if review else [],
            "can_review": policy.can(request.user, policy.CHANGE if review else policy.ADD, review or AnnualReview),
            "can_recommend": review is not None and policy.can(request.user, policy.ADD, Recommendation(review=review)),
        },
    )


@login_required
def realisation_edit(request, activity_pk):
    activity = policy.get_object_or_404(request.user, Activity.objects.select_related("opd"), pk=activity_pk)
    realisation = Realisation.objects.filter(activity=activity).first() or Realisation(activity=activity)
    policy.require(request.user, policy.CHANGE if realisation.pk else policy.ADD, realisation)
    form = RealisationForm(request.POST or None, instance=realisation, actor=request.user)
    if request.method == "POST" and form.is_valid():
        actions.do_save_realisation(request.user, form.save(commit=False), reason=form.cleaned_data.get("reason", ""))
        messages.success(request, _("Saved."))
        return _back(activity.year)
    return render(request, "reviu/realisation_form.html", {"form": form, "activity": activity})


@login_required
def review_edit(request, year):
    kab = kabupaten_of(request)
    review = _review(request, year) or AnnualReview(kabupaten=kab, year=year)
    policy.require(request.user, policy.CHANGE if review.pk else policy.ADD, review)
    form = ReviewForm(request.POST or None, instance=review, actor=request.user)
    if request.method == "POST" and form.is_valid():
        actions.do_save_review(request.user, form.save(commit=False), reason=form.cleaned_data.get("reason", ""))
        messages.success(request, _("Saved."))
        return _back(year)
    return render(request, "reviu/review_form.html", {"form": form, "year": year})


@login_required
def recommendation_edit(request, year, pk=None):
    review = _review(request, year)
    if review is None:
        return _back(year)
    if pk is None:
        recommendation = Recommendation(review=review)
    else:
        recommendation = policy.get_object_or_404(request.user, Recommendation, pk=pk, review=review)
    policy.require(request.user, policy.CHANGE if pk else policy.ADD, recommendation)
    form = RecommendationForm(
        request.POST or None, instance=recommendation, actor=request.user, kabupaten_code=review.kabupaten_id
    )
    if request.method == "POST" and form.is_valid():
        actions.do_save_recommendation(
            request.user, form.save(commit=False), reason=form.cleaned_data.get("reason", "")
        )
        messages.success(request, _("Saved."))
        return _back(year)
    return render(
        request, "reviu/recommendation_form.html", {"form": form, "year": year, "recommendation": recommendation}
    )


@login_required
@require_POST
def recommendation_delete(request, year, pk):
    review = _review(request, year)
    recommendation = policy.get_object_or_404(request.user, Recommendation, pk=pk, review=review)
    actions.do_delete_recommendation(request.user, recommendation, reason=_("Removed from the review"))
    messages.success(request, _("Deleted."))
    return _back(year)


@login_required
def report(request, year, fmt):
    review = _review(request, year)
    if review is None:
        messages.error(request, _("Write the review first."))
        return _back(year)
    return document_response(documents.report(review, request.user), fmt)
