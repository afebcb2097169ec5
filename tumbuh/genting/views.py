"""GENTING pages: foster parents, suggestions and matches, help with evidence, the child's
outcome, the foster parent's information sheet, and the Bupati's summary. Thin views."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tumbuh.accounts import policy
from tumbuh.core.editing import add_errors
from tumbuh.documents.models import UploadedDocument
from tumbuh.documents.official import document_response
from tumbuh.core.focus import kabupaten_of
from tumbuh.krs.models import Keluarga
from tumbuh.measurements.models import Child
from tumbuh.wilayah.models import Wilayah

from . import actions
from .forms import EndForm, HelpForm, MatchForm, OrangTuaAsuhForm, SharedFieldsForm
from .models import Asuhan, Bantuan, OrangTuaAsuh
from .outcome import outcome
from .priority import suggestions
from .sheet import information_sheet, shared_facts
from .summary import summary, summary_document


@login_required
def index(request):
    policy.require(request.user, policy.VIEW, Asuhan)
    parents = policy.visible(request.user, OrangTuaAsuh.objects.all()).annotate(
        matches=Count("asuhan", distinct=True), given=Sum("asuhan__bantuan__nilai"))
    matches = policy.visible(request.user, Asuhan.objects.select_related("orang_tua_asuh", "keluarga", "anak", "desa")).annotate(
        given=Sum("bantuan__nilai"))
    return render(request, "genting/index.html", {
        "parents": parents, "matches": matches[:200],
        "can_add_parent": policy.can(request.user, policy.ADD, OrangTuaAsuh),
        "can_match": policy.can(request.user, policy.ADD, Asuhan),
    })


@login_required
def parent_edit(request, pk=None):
    if pk is None:
        policy.require(request.user, policy.ADD, OrangTuaAsuh)
        ota = OrangTuaAsuh()
    else:
        ota = policy.get_object_or_404(request.user, OrangTuaAsuh, pk=pk)
    form = OrangTuaAsuhForm(request.POST or None, instance=ota, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_save_orang_tua_asuh(request.user, form.save(commit=False), reason=form.cleaned_data.get("reason", ""))
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("Saved."))
            return redirect("genting:index")
    return render(request, "genting/parent_form.html", {
        "form": form, "ota": ota if pk else None,
        "can_change": policy.can(request.user, policy.CHANGE, ota) if pk else True,
        "matches": ota.asuhan.select_related("desa") if pk else [],
    })


def _target(user, key: str):
    kind, _sep, pk = key.partition("-")
    model = {"keluarga": Keluarga, "anak": Child}.get(kind)
    if model is None or not pk.isdigit():
        raise Http404
    return kind, policy.get_object_or_404(user, model, pk=int(pk))


@login_required
def suggestion_list(request):
    policy.require(request.user, policy.ADD, Asuhan)
    include_helped = request.GET.get("semua") == "1"
    form = None
    if request.method == "POST":
        form = MatchForm(request.POST, actor=request.user)
        if form.is_valid():
            kind, target = _target(request.user, form.cleaned_data["target"])
            chosen = next((c for c in suggestions(request.user, desa_code=target.desa_id, include_helped=True)
                           if c.key == form.cleaned_data["target"]), None)
            try:
                asuhan = actions.do_match(
                    request.user, form.cleaned_data["orang_tua_asuh"], **{kind: target}, mulai=form.cleaned_data["mulai"],
                    shared_fields=form.cleaned_data["shared_fields"], alasan_ulang=form.cleaned_data["alasan_ulang"],
                    prioritas=chosen.score if chosen else 0)
            except ValidationError as e:
                add_errors(form, e)
            else:
                messages.success(request, _("The match is confirmed."))
                return redirect("genting:match", pk=asuhan.pk)
    candidates = suggestions(request.user, include_helped=include_helped, limit=100)
    blank = MatchForm(actor=request.user)
    # The blank form is drawn once per candidate: its foster-parent choices are read once here.
    blank.fields["orang_tua_asuh"].choices = list(blank.fields["orang_tua_asuh"].choices)
    return render(request, "genting/suggestions.html", {
        "candidates": candidates, "form": form, "blank": blank, "include_helped": include_helped,
        "failed_target": form.data.get("target") if form is not None else "",
    })


def _match(request, pk) -> Asuhan:
    return policy.get_object_or_404(
        request.user, Asuhan.objects.select_related("orang_tua_asuh", "keluarga", "anak", "desa"), pk=pk)


@login_required
def match_detail(request, pk, help_form=None, shared_form=None, end_form=None):
    asuhan = _match(request, pk)
    can_change = policy.can(request.user, policy.CHANGE, asuhan)
    can_help = asuhan.status == "aktif" and policy.can(request.user, policy.ADD, Bantuan(asuhan=asuhan))
    help_rows = list(asuhan.bantuan.select_related("dicatat_oleh"))
    evidence = {b.pk: list(UploadedDocument.for_object(b)) for b in help_rows}
    result = outcome(asuhan)
    return render(request, "genting/match_detail.html", {
        "asuhan": asuhan, "help_rows": [(b, evidence[b.pk]) for b in help_rows],
        "help_total": sum(b.nilai for b in help_rows),
        "outcome": result, "outcome_svg": result.svg() if result and result.points else "",
        "earlier": actions.earlier_matches(keluarga=asuhan.keluarga, anak=asuhan.anak).exclude(pk=asuhan.pk),
        "shared": shared_facts(asuhan, today=timezone.localdate()),
        "can_change": can_change,
        "help_form": help_form or (HelpForm() if can_help else None),
        "shared_form": shared_form or (SharedFieldsForm(initial={"shared_fields": asuhan.shared_fields}) if can_change else None),
        "end_form": end_form or (EndForm() if can_change and asuhan.status == "aktif" else None),
    })


def _act_on_match(request, pk, form, act, *, form_name: str, message: str = ""):
    """POST handlers of the match page: validate ``form``, run ``act(asuhan, data)`` (an
    action), and either go back to the page or show it again with the errors."""
    asuhan = _match(request, pk)
    if form.is_valid():
        try:
            act(asuhan, form.cleaned_data)
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, message or _("Saved."))
            return redirect("genting:match", pk=asuhan.pk)
    return match_detail(request, pk, **{form_name: form})


@login_required
@require_POST
def record_help(request, pk):
    def act(asuhan, data):
        actions.do_record_help(request.user, asuhan, jenis=data["jenis"], nilai=data["nilai"], tanggal=data["tanggal"],
                               uraian=data["uraian"], evidence=data["evidence"])

    return _act_on_match(request, pk, HelpForm(request.POST, request.FILES), act, form_name="help_form",
                         message=_("The help is recorded."))


@login_required
@require_POST
def set_shared(request, pk):
    def act(asuhan, data):
        actions.do_set_shared_fields(request.user, asuhan, data["shared_fields"])

    return _act_on_match(request, pk, SharedFieldsForm(request.POST), act, form_name="shared_form")


@login_required
@require_POST
def end_match(request, pk):
    def act(asuhan, data):
        actions.do_end_match(request.user, asuhan, selesai=data["selesai"], reason=data["reason"])

    return _act_on_match(request, pk, EndForm(request.POST), act, form_name="end_form")


@login_required
def sheet(request, pk, fmt="pdf"):
    """The foster parent's information sheet (shared fields only); the secretariat hands it on."""
    asuhan = _match(request, pk)
    policy.require(request.user, policy.CHANGE, asuhan)
    return document_response(information_sheet(asuhan, today=timezone.localdate()), fmt)


@login_required
def bupati(request):
    policy.require(request.user, policy.VIEW, Asuhan)
    return render(request, "genting/bupati.html", {"s": summary(request.user)})


@login_required
def bupati_document(request, fmt="pdf"):
    """The Bupati's page as a meeting handout, with the district's kop: the same figures, scoped
    to the user (a superuser: the district the region picker focuses on)."""
    policy.require(request.user, policy.VIEW, Asuhan)
    kabupaten = kabupaten_of(request)
    area = None if policy.is_global(request.user) else Wilayah.objects.filter(code=request.user.wilayah_id).first()
    s = summary(request.user, kabupaten=kabupaten.code)
    return document_response(summary_document(s, kabupaten, area, timezone.localdate()), fmt)
