"""The team pages: thin views over ``actions`` and the policy."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tumbuh.accounts import policy
from tumbuh.core.editing import add_errors

from . import actions, forms
from .models import Decree, Member, Pokja, Tpps, members_on, on_date_q


@login_required
def tpps_list(request):
    today = timezone.localdate()
    teams = policy.visible(request.user, Tpps.objects.select_related("wilayah").prefetch_related("decrees")).annotate(
        n_members=Count("members", filter=on_date_q(today, "members__")),
    )
    q = request.GET.get("q", "").strip()
    if q:
        teams = teams.filter(Q(name__icontains=q) | Q(wilayah__name__icontains=q))
    rows = [(t, t.current_decree(today)) for t in teams.order_by("wilayah_id")[:200]]
    return render(
        request, "tpps/tpps_list.html", {"rows": rows, "q": q, "can_add": policy.can(request.user, policy.ADD, Tpps)}
    )


@login_required
def team(request, pk):
    tpps = policy.get_object_or_404(request.user, Tpps.objects.select_related("wilayah", "secretariat"), pk=pk)
    picker = forms.OnDateForm(request.GET or None)
    day = (picker.cleaned_data.get("tanggal") if picker.is_valid() else None) or timezone.localdate()
    members = members_on(tpps, day)
    pokja = list(Pokja.objects.filter(tpps=tpps))
    by_pokja = [(p, [m for m in members if m.pokja_id == p.pk]) for p in pokja]
    decrees = Decree.objects.filter(tpps=tpps, date__lte=day).prefetch_related("members")
    return render(
        request,
        "tpps/team.html",
        {
            "tpps": tpps,
            "day": day,
            "picker": forms.OnDateForm(initial={"tanggal": day}),
            "members": members,
            "by_pokja": by_pokja,
            "pokja": pokja,
            "decrees": decrees,
            "history": Member.objects.filter(tpps=tpps)
            .exclude(on_date_q(day))
            .select_related("opd", "pokja")
            .order_by("-valid_from")[:50],
            "can_change": policy.can(request.user, policy.ADD, Member(tpps=tpps)),
        },
    )


def _edit(request, tpps, form_class, instance, template_title):
    """Add or change one record of ``tpps`` through ``form_class``; returns a response."""
    if instance.pk is None:
        instance.tpps = tpps
    policy.require(request.user, policy.CHANGE if instance.pk else policy.ADD, instance)
    form = form_class(request.POST or None, request.FILES or None, instance=instance, actor=request.user, tpps=tpps)
    if request.method == "POST" and form.is_valid():
        try:
            form.apply(request.user)
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("Saved."))
            return redirect("tpps:team", pk=tpps.pk)
    documents = instance.documents() if isinstance(instance, Decree) and instance.pk else []
    return render(
        request,
        "tpps/edit.html",
        {"tpps": tpps, "form": form, "title": template_title, "object": instance, "documents": documents},
    )


def _tpps(request, pk):
    return policy.get_object_or_404(request.user, Tpps.objects.select_related("wilayah"), pk=pk)


#: The records of a team edited through ``_edit``: URL segment → (model, form, title).
RECORDS = {
    "anggota": (Member, forms.MemberForm, gettext_lazy("TPPS member")),
    "pokja": (Pokja, forms.PokjaForm, gettext_lazy("Working group (pokja)")),
    "sk": (Decree, forms.DecreeForm, gettext_lazy("Decree (SK)")),
}


@login_required
def record_edit(request, pk, kind, record_pk=None):
    """Add or change a member, working group or decree of team ``pk``."""
    if kind not in RECORDS:
        raise Http404
    model, form_class, title = RECORDS[kind]
    tpps = _tpps(request, pk)
    record = policy.get_object_or_404(request.user, model, pk=record_pk, tpps=tpps) if record_pk else model()
    return _edit(request, tpps, form_class, record, title)


@login_required
def member_end(request, pk, member_pk):
    tpps = _tpps(request, pk)
    member = policy.get_object_or_404(request.user, Member, pk=member_pk, tpps=tpps)
    policy.require(request.user, policy.CHANGE, member)
    form = forms.EndMembershipForm(request.POST or None, initial={"last_day": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_end_membership(
                request.user, member, last_day=form.cleaned_data["last_day"], reason=form.cleaned_data["reason"]
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("The membership has ended."))
            return redirect("tpps:team", pk=tpps.pk)
    return render(
        request,
        "tpps/edit.html",
        {"tpps": tpps, "form": form, "object": member, "title": _("End membership: %(name)s") % {"name": member.name}},
    )


def decree_in_force(tpps) -> str:
    """The list column "Decree (SK)" of the team pages: the number of the decree in force today."""
    decree = tpps.current_decree(timezone.localdate())
    return decree.number if decree else ""
