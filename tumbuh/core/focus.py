"""The wilayah picker: which part of their node a user is looking at right now.

The focus is kept in the session and always lies inside what the policy lets the user see."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from tumbuh.accounts import policy
from tumbuh.accounts.models import Role
from tumbuh.wilayah.models import Level, Wilayah

SESSION_KEY = "tumbuh_focus"


def choices(user) -> list[Wilayah]:
    """The nodes a user may focus on, parents first."""
    if not user.is_authenticated:
        return []
    if policy.is_global(user):
        from tumbuh.organisation.models import Opd

        kabupaten = set(Opd.objects.values_list("kabupaten_id", flat=True))
        qs = Wilayah.objects.filter(code__in=kabupaten) | Wilayah.objects.filter(
            level=Level.KECAMATAN, kabupaten_code__in=kabupaten
        )
        return list(qs.order_by("code"))
    if not user.wilayah_id:
        return []
    if user.role == Role.PROVINCE:
        return list(_served_districts(Wilayah.subtree_q(user.wilayah_id)))
    if user.role == Role.PUSKESMAS:
        return list(Wilayah.objects.filter(code__in=user.puskesmas.desa_codes()).order_by("code"))
    return list(Wilayah.objects.subtree(user.wilayah_id).order_by("code"))


def _served_districts(within) -> models.QuerySet:
    """The province's node, its kabupaten/kota that Tumbuh serves (those with OPDs) and their
    kecamatan: a province holds hundreds of kecamatan and thousands of desa, and the picker
    lists the districts the province compares, not every region of it."""
    from tumbuh.organisation.models import Opd

    kabupaten = set(
        Opd.objects.filter(kabupaten__in=Wilayah.objects.filter(within)).values_list("kabupaten_id", flat=True)
    )
    provinces = {code[:2] for code in kabupaten}
    return (
        Wilayah.objects.filter(code__in=provinces | kabupaten)
        | Wilayah.objects.filter(level=Level.KECAMATAN, kabupaten_code__in=kabupaten)
    ).order_by("code")


def province_districts(user) -> list[Wilayah]:
    """The kabupaten/kota a province user compares (those Tumbuh serves in their province);
    [] for every other role."""
    if not user.is_authenticated or user.role != Role.PROVINCE or not user.wilayah_id:
        return []
    return [w for w in _served_districts(Wilayah.subtree_q(user.wilayah_id)) if w.level == Level.KABUPATEN]


def get_focus(request) -> Wilayah | None:
    user = request.user
    code = request.session.get(SESSION_KEY)
    if code and policy.node_contains(user, code):
        focus = Wilayah.objects.filter(code=code).first()
        if focus:
            return focus
    if user.is_authenticated and user.wilayah_id and user.role != Role.PUSKESMAS:
        return user.wilayah
    return None


def whole_scope_label(user) -> str:
    """What the whole of a user's area is called: their node ("Kabupaten Luwu Timur",
    "Kecamatan Malili", "Desa Balantang"), a puskesmas officer's puskesmas (they see the desa
    it serves, not its kecamatan), every district for a superuser."""
    if not user.is_authenticated:
        return ""
    if policy.is_global(user):
        return _("All districts")
    if user.role == Role.PUSKESMAS and user.puskesmas_id:
        return user.puskesmas.name
    if user.wilayah_id:
        return user.wilayah.label
    return _("No region assigned to your account")


def whole_scope_is_no_node(user) -> bool:
    """Whether a user's whole area is no one region of the picker: every district (a
    superuser) or the desa a puskesmas serves."""
    return user.is_authenticated and (policy.is_global(user) or user.role == Role.PUSKESMAS)


def scope_label(user, focus: Wilayah | None) -> str:
    """The title of what a page shows: the region in view, else the user's whole area."""
    return focus.label if focus is not None else whole_scope_label(user)


def set_focus(request, code: str) -> bool:
    if not code:
        request.session.pop(SESSION_KEY, None)
        return True
    if not policy.node_contains(request.user, code):
        return False
    request.session[SESSION_KEY] = code
    return True


#: A province user on a page about one district, before picking one.
PICK_A_DISTRICT = _lazy("This page is about one district: pick a kabupaten or kota in the region picker first.")


def kabupaten_of(request) -> Wilayah:
    """The user's district; for a superuser or a province user, the district of the region
    picker's focus (a province user who has not picked one is asked to: ``PICK_A_DISTRICT``)."""
    user = request.user
    code = None
    if policy.is_global(user) or (user.is_authenticated and user.role == Role.PROVINCE):
        focus = get_focus(request)
        code = (focus.kabupaten_code or focus.code) if focus else None
        if user.role == Role.PROVINCE and (code is None or len(code) < 5):
            raise PermissionDenied(PICK_A_DISTRICT)
    elif user.wilayah_id:
        code = user.wilayah_id
    w = Wilayah.objects.filter(code=code[:5], level=Level.KABUPATEN).first() if code else None
    if w is None:
        raise Http404
    return w


def year_of(request, default: int | None = None, *, today: datetime.date) -> int:
    """``?year=`` when it is a plausible year, else ``default`` (the year of ``today``)."""
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or 0)
    except ValueError:
        year = 0
    return year if 2000 <= year <= 2100 else (default or today.year)
