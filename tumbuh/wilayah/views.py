from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render

from tumbuh.accounts import policy
from tumbuh.core.focus import get_focus

from .models import ANCESTOR_FIELD, Level, Wilayah


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
    children = list(children.annotate(n_children=Count("children", distinct=True)))
    counts = posyandu_counts(request.user, children)
    for w in children:
        w.n_posyandu = counts.get(w.code, 0)
    return render(
        request,
        "wilayah/list.html",
        {
            "node": node,
            "children": children,
            "with_bps": any(w.bps_code for w in children),
            "can_load_bps": _can_load_bps(request.user, node),
        },
    )


def posyandu_counts(user, nodes) -> dict[str, int]:
    """{code: posyandu in the desa under the node} for regions of one level, counting the
    posyandu ``user`` may see (one query per level)."""
    from tumbuh.organisation.models import Posyandu

    by_level: dict[int, list[str]] = {}
    for w in nodes:
        by_level.setdefault(w.level, []).append(w.code)
    counts: dict[str, int] = {}
    for level, codes in by_level.items():
        column = "desa__" + ANCESTOR_FIELD[Level(level)]
        rows = (
            policy.visible(user, Posyandu.objects.filter(**{f"{column}__in": codes}))
            .order_by()
            .values(column)
            .annotate(n=Count("pk"))
            .values_list(column, "n")
        )
        counts.update(rows)
    return counts


def _can_load_bps(user, node) -> bool:
    """The BPS-code import, offered from a district's pages (the user sees only their own)."""
    from tumbuh.imports.views import can_import

    from .importers import KIND

    return node is not None and node.level >= Level.KABUPATEN and can_import(user, KIND)
