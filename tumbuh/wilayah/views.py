from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render

from tumbuh.accounts import policy
from tumbuh.core.focus import get_focus

from .models import Wilayah


@login_required
def wilayah_list(request, code=None):
    """Browse the region tree below the focus (or a chosen node), one level at a time."""
    if code:
        node = policy.get_object_or_404(request.user, Wilayah, code=code)
    else:
        node = get_focus(request)
    if node is None:
        children = policy.visible(request.user, Wilayah.objects.filter(level=4))
    else:
        children = policy.visible(request.user, node.children.all())
    children = children.annotate(n_children=Count("children", distinct=True), n_posyandu=Count("posyandu_set", distinct=True))
    return render(request, "wilayah/list.html", {"node": node, "children": children})
