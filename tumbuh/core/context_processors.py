from django.conf import settings

from . import focus, navigation


def tumbuh(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"demo_mode": settings.DEMO_MODE}
    in_view = focus.get_focus(request)
    return {
        "demo_mode": settings.DEMO_MODE,
        "menu": navigation.menu(user),
        "focus": in_view,
        "focus_choices": focus.choices(user),
        "whole_scope_label": focus.whole_scope_label(user),
        # The picker offers the whole area when it is no node of its own (a puskesmas's desa, every district).
        "whole_scope_option": focus.whole_scope_is_no_node(user),
        "scope_label": focus.scope_label(user, in_view),
    }
