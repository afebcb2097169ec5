from django.conf import settings

from . import focus, navigation


def tumbuh(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"demo_mode": settings.DEMO_MODE}
    return {
        "demo_mode": settings.DEMO_MODE,
        "menu": navigation.menu(user),
        "focus": focus.get_focus(request),
        "focus_choices": focus.choices(user),
    }
