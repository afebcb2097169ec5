from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tumbuh.accounts import policy
from tumbuh.organisation.models import Posyandu, Puskesmas
from tumbuh.wilayah.models import Level, Wilayah

from . import focus as focus_module
from .navigation import aksi_links


@login_required
def home(request):
    focus = focus_module.get_focus(request)
    posyandu = policy.visible(request.user, Posyandu.objects.all())
    puskesmas = policy.visible(request.user, Puskesmas.objects.all())
    desa = policy.visible(request.user, Wilayah.objects.filter(level=Level.DESA))
    if focus is not None:
        posyandu = posyandu.filter(Wilayah.subtree_q(focus.code, "desa__"))
        desa = desa.filter(Wilayah.subtree_q(focus.code))
        puskesmas = puskesmas.filter(Wilayah.subtree_q(focus.code, "desa__")).distinct()
    return render(
        request,
        "core/home.html",
        {
            "counts": {
                "desa": desa.count(),
                "puskesmas": puskesmas.count(),
                "posyandu": posyandu.count(),
            },
            "actions": aksi_links(request.user),
            "today": timezone.localdate(),  # the open action items say which are overdue
        },
    )


@login_required
@require_POST
def set_focus(request):
    if not focus_module.set_focus(request, request.POST.get("wilayah", "")):
        return HttpResponse(_("That region is outside your area."), status=403)
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return redirect(request.POST.get("next") or "home")
