"""The records sent from phones that need a person, and the phone's engine disagreeing with the
server's: ``/anak/kunjungan/luring/konflik/``, for puskesmas officers, desa operators and the
district admin (their area's records) and every author (their own).

Each record shows what the phone sent beside what the server holds, the reason in words, and
the choices (``actions.do_choose``, with a reason, audited) to whoever may make them. Thin
views: ``permissions`` decides who sees and chooses, ``actions`` carries the choice out."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from tumbuh.accounts import policy
from tumbuh.measurements.nik import clean_nik, mask_nik
from tumbuh.organisation.models import Posyandu
from tumbuh.wilayah.models import Wilayah

from .actions import do_choose
from .models import Choice, ConflictKind, Kind, OfflineRecord, State
from .permissions import may_choose, may_open_page, may_see

#: The most records of each list on the page (the oldest waiting longest come first).
LIMIT = 200

_CHILD_LABELS = (
    ("name", gettext_noop("Name")),
    ("sex", gettext_noop("Sex")),
    ("birth_date", gettext_noop("Birth date")),
    ("parent_name", gettext_noop("Parent")),
    ("nik", gettext_noop("NIK")),
    ("desa", gettext_noop("Desa")),
    ("posyandu", gettext_noop("Posyandu")),
)
_VISIT_LABELS = (
    ("date", gettext_noop("Visit date")),
    ("weight", gettext_noop("Weight (kg)")),
    ("lenhei", gettext_noop("Length/height (cm)")),
    ("position", gettext_noop("Position")),
    ("muac", gettext_noop("LiLA (cm)")),
    ("headc", gettext_noop("Head circumference (cm)")),
    ("oedema", gettext_noop("Oedema")),
)


def _records(user):
    """The records the user sees: their own, and their area's for the page's roles."""
    qs = OfflineRecord.objects.select_related("author", "chosen_by", "child", "desa")
    if policy.is_global(user):
        return qs
    return qs.filter(Q(author=user) | (policy.scope_q(user, OfflineRecord) & Q(desa__isnull=False)))


def _value(key: str, value) -> str:
    from tumbuh.core.numbers import format_number

    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if key == "position":
        return {"L": _("lying"), "H": _("standing"), "l": _("lying"), "h": _("standing")}.get(str(value), str(value))
    if key == "sex":
        return {1: _("boy"), 2: _("girl"), "1": _("boy"), "2": _("girl"), "L": _("boy"), "P": _("girl")}.get(
            value, str(value)
        )
    if key in ("date", "birth_date") and isinstance(value, str) and len(value) == 10:
        return f"{value[8:10]}/{value[5:7]}/{value[0:4]}"
    if isinstance(value, (int, float)):
        return format_number(value, 2, grouping=False)
    return str(value)


def _name(qs, given) -> str:
    """The name of what the phone named by its id (ids are not secrets: the phone's own desa and posyandu)."""
    found = qs.values_list("name", flat=True).first()
    return found or str(given or "")


def _pairs(rec: OfflineRecord) -> list[dict]:
    """What the phone sent beside what the server holds, line by line (NIKs masked)."""
    phone = dict(rec.payload or {})
    server = (rec.conflict or {}).get("server") or {}
    if rec.kind == Kind.CHILD:
        phone["nik"] = mask_nik(clean_nik(phone.get("nik")))
        phone["desa"] = _name(Wilayah.objects.filter(code=str(phone.get("desa_id") or "")[:13]), phone.get("desa_id"))
        posyandu_id = str(phone.get("posyandu_id") or "")
        posyandu = Posyandu.objects.filter(pk=int(posyandu_id)) if posyandu_id.isdigit() else Posyandu.objects.none()
        phone["posyandu"] = _name(posyandu, posyandu_id)
        server = {**server, "nik": server.get("nik_masked")}
        labels = _CHILD_LABELS
    else:
        labels = _VISIT_LABELS
    rows = []
    for key, label in labels:
        mine, theirs = _value(key, phone.get(key)), _value(key, server.get(key)) if server else ""
        rows.append({"label": _(label), "phone": mine, "server": theirs, "differs": bool(server) and mine != theirs})
    return rows


def _row(user, rec: OfflineRecord, error: str = "") -> dict:
    chooser = rec.state == State.ATTENTION and rec.conflict and may_choose(user, rec)
    choices = [(c, Choice(c).label) for c in (rec.conflict or {}).get("choices", [])] if chooser else []
    child_name = ""
    if rec.child_id and (rec.author_id == user.pk or policy.is_visible(user, rec.child)):
        child_name = f"{rec.child.name} ({rec.child.tumbuh_id})"
    elif rec.kind == Kind.CHILD:
        child_name = str((rec.payload or {}).get("name", ""))
    kind = (rec.conflict or {}).get("kind", "")
    return {
        "rec": rec,
        "kind_label": ConflictKind(kind).label if kind in ConflictKind.values else "",
        "child_name": child_name,
        "pairs": _pairs(rec),
        "has_server": bool((rec.conflict or {}).get("server")),
        "choices": choices,
        "error": error,
    }


def _mismatch_rows(records) -> list[dict]:
    out = []
    for rec in records:
        out.append(
            {
                "rec": rec,
                "fields": [
                    {"field": field, "phone": _value("", d.get("phone")), "server": _value("", d.get("server"))}
                    for field, d in sorted((rec.mismatch or {}).items())
                ],
            }
        )
    return out


@login_required
def conflict_list(request):
    user = request.user
    if not may_open_page(user):
        raise PermissionDenied(policy.ROLE_REFUSED)
    records = _records(user)
    attention = list(records.filter(state=State.ATTENTION).order_by("created_at", "pk")[:LIMIT])
    waiting = records.filter(state=State.RETRY).count()
    mismatched = records.filter(has_mismatch=True)
    return render(
        request,
        "offline/conflicts.html",
        {
            "rows": [_row(user, rec) for rec in attention],
            "waiting": waiting,
            "mismatch_count": mismatched.count(),
            "mismatches": _mismatch_rows(mismatched.order_by("-created_at", "-pk")[:LIMIT]),
        },
    )


@login_required
@require_POST
def conflict_choose(request, uuid):
    user = request.user
    rec = OfflineRecord.objects.select_related("author", "child", "desa").filter(uuid=uuid).first()
    if rec is None or not may_see(user, rec):
        raise Http404
    error = ""
    try:
        rec = do_choose(
            user,
            rec,
            request.POST.get("choice", ""),
            request.POST.get("reason", "")[:2000],
            now=timezone.now(),
            today=timezone.localdate(),
        )
    except ValidationError as e:
        error = " ".join(e.messages)
    if request.htmx:
        rec = OfflineRecord.objects.select_related("author", "chosen_by", "child", "desa").get(pk=rec.pk)
        return render(request, "offline/_conflict.html", {"row": _row(user, rec, error)})
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Chosen: %(what)s.") % {"what": rec.reason})
    return redirect("luring:konflik")
