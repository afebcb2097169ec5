"""List, add, change and delete the district's organisation, all through the policy and the
audited actions. One small table of kinds drives the views; each kind keeps its own form."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ImproperlyConfigured
from django.core.paginator import Paginator
from django.db.models import Manager, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import yesno
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tumbuh.accounts import policy
from tumbuh.audit.actions import do_delete
from tumbuh.core.editing import edit
from tumbuh.core.focus import get_focus
from tumbuh.documents.forms import LetterheadForm
from tumbuh.documents.models import Letterhead
from tumbuh.wilayah.models import Wilayah

from . import forms
from .models import Opd, Posyandu, Puskesmas


@dataclass(frozen=True)
class Kind:
    slug: str
    model: type
    form: type
    columns: tuple[tuple[str, str], ...]  # (label, attribute path, or a function of the object)
    search: tuple[str, ...]
    focus_path: str  # lookup from the object to a Wilayah, for the region picker
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    done_url: str = ""  # where saving or deleting returns to (default: this kind's list)

    def done_to(self) -> str:
        return reverse(self.done_url) if self.done_url else reverse("organisation:list", kwargs={"kind": self.slug})


KINDS = {
    k.slug: k
    for k in [
        Kind(
            "opd",
            Opd,
            forms.OpdForm,
            (
                (gettext_lazy("Short name"), "short_name"),
                (gettext_lazy("Name"), "name"),
                (gettext_lazy("Kind"), "get_kind_display"),
                (gettext_lazy("Regency / city"), "kabupaten.name"),
            ),
            ("name", "short_name"),
            "kabupaten__",
            ("kabupaten",),
        ),
        Kind(
            "puskesmas",
            Puskesmas,
            forms.PuskesmasForm,
            (
                (gettext_lazy("Code"), "code"),
                (gettext_lazy("Name"), "name"),
                (gettext_lazy("Kecamatan"), "kecamatan.name"),
                (gettext_lazy("Desa served"), "desa.count"),
            ),
            ("name", "code"),
            "desa__",
            ("kecamatan",),
        ),
        Kind(
            "posyandu",
            Posyandu,
            forms.PosyanduForm,
            (
                (gettext_lazy("Name"), "name"),
                (gettext_lazy("Desa"), "desa.name"),
                (gettext_lazy("Puskesmas"), "puskesmas.name"),
                (gettext_lazy("Address"), "address"),
            ),
            ("name", "desa__name"),
            "desa__",
            ("desa", "puskesmas"),
        ),
        Kind(
            "kop-surat",
            Letterhead,
            LetterheadForm,
            (
                (gettext_lazy("Government line"), "government"),
                (gettext_lazy("Office"), "office"),
                (gettext_lazy("Regency / city"), "kabupaten.name"),
                (gettext_lazy("Default"), "is_default"),
            ),
            ("government", "office"),
            "kabupaten__",
            ("kabupaten",),
        ),
    ]
}


def register_kind(kind: Kind) -> None:
    """Let an app above the foundation list and edit its records here (``tpps`` registers its
    teams from its ``AppConfig.ready``), so that this app never imports it."""
    if KINDS.get(kind.slug, kind) is not kind:
        raise ImproperlyConfigured(f"organisation kind {kind.slug!r} is registered twice")
    KINDS[kind.slug] = kind


def _kind(slug: str) -> Kind:
    try:
        return KINDS[slug]
    except KeyError:
        raise Http404 from None


def _cell(obj, path):
    if callable(path):
        return path(obj)
    value = obj
    for part in path.split("."):
        value = getattr(value, part, None)
        if callable(value) and not isinstance(value, Manager):  # related managers are callable too
            value = value()
        if value is None:
            return ""
    if isinstance(value, bool):
        return yesno(value)  # "ya"/"tidak" in Indonesian, not True/False
    return value


def _can_import(user, slug: str) -> bool:
    from tumbuh.imports.views import can_import

    return can_import(user, slug)


@login_required
def object_list(request, kind):
    kind = _kind(kind)
    policy.require(request.user, policy.VIEW, kind.model)
    qs = kind.model.objects.select_related(*kind.select_related).prefetch_related(*kind.prefetch_related)
    qs = policy.visible(request.user, qs)
    focus = get_focus(request)
    if focus is not None and kind.model not in (Opd, Letterhead):
        qs = qs.filter(Wilayah.subtree_q(focus.code, kind.focus_path)).distinct()
    q = request.GET.get("q", "").strip()
    if q:
        term = Q()
        for field in kind.search:
            term |= Q(**{f"{field}__icontains": q})
        qs = qs.filter(term)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    rows = [(obj, [_cell(obj, path) for _, path in kind.columns]) for obj in page]
    return render(
        request,
        "organisation/object_list.html",
        {
            "kind": kind,
            "title": kind.model._meta.verbose_name_plural,
            "headers": [label for label, _ in kind.columns],
            "rows": rows,
            "page": page,
            "q": q,
            "can_add": policy.can(request.user, policy.ADD, kind.model),
            "can_import": _can_import(request.user, kind.slug),
        },
    )


@login_required
def object_edit(request, kind, pk=None):
    kind = _kind(kind)
    return edit(
        request,
        kind.model,
        kind.form,
        pk,
        template="organisation/object_form.html",
        done=kind.done_to(),
        context={"kind": kind, "title": kind.model._meta.verbose_name},
    )


@login_required
def object_delete(request, kind, pk):
    kind = _kind(kind)
    obj = policy.get_object_or_404(request.user, kind.model, pk=pk)
    policy.require(request.user, policy.DELETE, obj)
    form = forms.DeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        from django.db.models import ProtectedError

        try:
            do_delete(request.user, obj, reason=form.cleaned_data["reason"])
        except ProtectedError:
            messages.error(request, _("It cannot be deleted while other records use it. Mark it inactive instead."))
            return redirect("organisation:edit", kind=kind.slug, pk=pk)
        messages.success(request, _("Deleted."))
        return redirect(kind.done_to())
    return render(
        request,
        "core/confirm_delete.html",
        {
            "heading": _("Delete %(object)s?") % {"object": obj},
            "form": form,
            "back": reverse("organisation:edit", kwargs={"kind": kind.slug, "pk": pk}),
        },
    )


@login_required
def posyandu_puskesmas(request):
    """The posyandu form's puskesmas select for the desa chosen (``?desa=``), keeping the
    puskesmas already chosen when it serves that desa: what htmx swaps in when the desa changes."""
    policy.require(request.user, policy.VIEW, Posyandu)
    form = forms.PosyanduForm(
        actor=request.user,
        initial={"desa": request.GET.get("desa", ""), "puskesmas": request.GET.get("puskesmas") or None},
    )
    chosen = form.initial["puskesmas"]
    if chosen and not any(str(value) == chosen for value, _label in form.fields["puskesmas"].widget.choices):
        form.initial["puskesmas"] = None
        form.offer_puskesmas_of(request.GET.get("desa", ""))  # preselects the only one serving the desa
    return HttpResponse(str(form["puskesmas"]))
