"""What Tumbuh holds for one semester, gathered for the report (plain dicts of JSON-safe values,
so a final report freezes them as they were).

- meetings held by the team and the teams below it;
- prevalence and coverage: the semester's measurement round (February for semester I, August
  for semester II) against the round before, from the dashboards' aggregates;
- activities and their realisation (physical and budget, per activity, per OPD and in total):
  the plan of Aksi 2 (``rencana``) and the annual review of Aksi 8 (``reviu``), each read only
  when installed;
- action items closed in the semester and those still open at its end.
"""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.db.models import Q
from django.utils.translation import gettext as _

from tumbuh.core.numbers import format_number
from tumbuh.dashboards import aggregates
from tumbuh.dashboards.periods import Period
from tumbuh.rapat.attendance import attendance
from tumbuh.rapat.models import CLOSED, ActionItem, Group, Rapat, Status
from tumbuh.wilayah.models import Level, Wilayah

INDICATORS = ("stunting", "wasting", "underweight")
_LEVEL = {Level.KABUPATEN: "kabupaten", Level.KECAMATAN: "kecamatan", Level.DESA: "desa"}
_CHILD_LEVEL = {Level.KABUPATEN: "kecamatan", Level.KECAMATAN: "desa"}


def semester_round(year: int, semester: int) -> Period:
    return Period.round(year, 2 if semester == 1 else 8)


def _meetings(report, today: dt.date) -> list[dict]:
    node = report.tpps.wilayah_id
    meetings = Rapat.objects.filter(
        Wilayah.subtree_q(node, "tpps__wilayah__"), date__gte=report.start, date__lte=min(report.end, today)
    ).select_related("tpps__wilayah")
    out = []
    for r in meetings.order_by("date", "pk"):
        counts = attendance(r)
        out.append(
            {
                "date": r.date.isoformat(),
                "title": r.title,
                "level": r.tpps.wilayah.level,
                "place": r.place,
                "present": counts.present,
                "groups": [[g.group, g.present] for g in counts.groups if g.present],
                "decisions": r.decisions.count(),
                "action_items": r.action_items.count(),
            }
        )
    return out


def _row(rows, code):
    return next((r for r in rows if r.code == code), None)


def _prevalence(report, user) -> dict:
    """The team's area in the semester's round and the round before, per indicator; and, for
    stunting, each area one level down."""
    node = report.tpps.wilayah
    level = _LEVEL[Level(node.level)]
    now = semester_round(report.year, report.semester)
    before = now.previous()
    out = {"round": now.key, "previous_round": before.key, "indicators": [], "areas": []}
    for indicator in INDICATORS:
        cur = _row(
            aggregates.indicator_table(user=user, within_code=node.code, level=level, period=now, indicator=indicator),
            node.code,
        )
        prev = _row(
            aggregates.indicator_table(
                user=user, within_code=node.code, level=level, period=before, indicator=indicator
            ),
            node.code,
        )
        out["indicators"].append(
            {
                "indicator": indicator,
                "now": cur.r if cur else None,
                "before": prev.r if prev else None,
                "change": (cur.r - prev.r) if cur and prev and cur.r is not None and prev.r is not None else None,
                "measured": cur.n_measured if cur else 0,
                "measured_before": prev.n_measured if prev else 0,
                "coverage": cur.coverage if cur else None,
                "coverage_before": prev.coverage if prev else None,
            }
        )
    child = _CHILD_LEVEL.get(Level(node.level))
    if child:
        cur = aggregates.indicator_table(
            user=user, within_code=node.code, level=child, period=now, indicator="stunting"
        )
        prev = {
            r.code: r
            for r in aggregates.indicator_table(
                user=user, within_code=node.code, level=child, period=before, indicator="stunting"
            )
        }
        for r in cur:
            p = prev.get(r.code)
            out["areas"].append(
                {
                    "code": r.code,
                    "name": r.name,
                    "now": r.r,
                    "before": p.r if p else None,
                    "measured": r.n_measured,
                    "coverage": r.coverage,
                }
            )
    return out


def _activities(report) -> dict:
    """Planned activities of the year running in the semester (app ``rencana``, Aksi 2) and their
    realisation as the annual review holds it (app ``reviu``, Aksi 8): physical output against
    the target and budget realised against the allocation, per activity, per OPD and in total.
    An activity without review data is marked so (``reviewed`` False), never counted as 0 %."""
    section = {
        "rencana": apps.is_installed("tumbuh.rencana"),
        "reviu": apps.is_installed("tumbuh.reviu"),
        "rows": [],
        "realisation": True,
        "by_opd": [],
        "total": None,
    }
    if not section["rencana"]:
        return section
    from tumbuh.rencana.plan import activities

    first, last = (1, 6) if report.semester == 1 else (7, 12)
    qs = activities(report.tpps.wilayah_id[:5], report.year).filter(start_month__lte=last, end_month__gte=first)
    qs = qs.order_by("opd__short_name", "pk")
    if not section["reviu"]:
        section["rows"] = [_activity(a, None) for a in qs]
        return section
    from tumbuh.reviu.figures import activity_rows, budget_totals

    by_opd: dict[str, list] = {}
    for r in activity_rows(report.tpps.wilayah_id[:5], report.year, qs=qs):
        section["rows"].append(_activity(r.activity, r.realisation))
        by_opd.setdefault(r.activity.opd.short_name, []).append(r)
    section["by_opd"] = [{"opd": opd, **_realisation(rows, budget_totals(rows))} for opd, rows in by_opd.items()]
    every = [r for rows in by_opd.values() for r in rows]
    section["total"] = _realisation(every, budget_totals(every)) if every else None
    return section


def _float(value) -> float | None:
    return None if value is None else float(value)


def _activity(a, real) -> dict:
    return {
        "opd": a.opd.short_name,
        "activity": a.sub_kegiatan or a.kegiatan,
        "budget": int(a.budget),
        "months": f"{a.start_month}–{a.end_month}",
        "volume": float(a.volume),
        "unit": a.unit,
        "reviewed": real is not None,
        "physical": float(real.physical) if real else None,
        "budget_realised": int(real.budget) if real else None,
        "physical_percent": _float(real.physical_percent) if real else None,
        "budget_percent": _float(real.budget_percent) if real else None,
    }


def _realisation(rows, totals) -> dict:
    """Budget realised against the allocation of all ``rows`` as the annual review counts it
    (``reviu.figures.budget_totals``: an activity not yet reviewed has realised nothing yet), the
    mean physical achievement of the reviewed ones, and how many were reviewed; the realisation
    is None while none was."""
    physical = [r.physical_percent for r in rows if r.physical_percent is not None]
    reviewed = bool(totals.entered)
    return {
        "activities": totals.total,
        "reviewed": totals.entered,
        "budget": int(totals.budget),
        "budget_realised": int(totals.realised) if reviewed else None,
        "budget_percent": _float(totals.percent) if reviewed else None,
        # the mean of the unrounded percentages, rounded once where it is shown
        "physical_percent": _float(sum(physical) / len(physical)) if physical else None,
    }


def _item(i: ActionItem, end: dt.date) -> dict:
    return {
        "title": i.title,
        "owner": i.owner_label,
        "due": i.due_date.isoformat(),
        "status": i.status,
        "closed_on": i.closed_on.isoformat() if i.closed_on else None,
        "meeting": i.rapat.title,
        "overdue": i.due_date < end and (i.closed_on is None or i.closed_on > end),
    }


def _action_items(report) -> dict:
    node = report.tpps.wilayah_id
    items = ActionItem.objects.filter(Wilayah.subtree_q(node, "rapat__tpps__wilayah__")).select_related(
        "rapat", "owner_opd", "owner_wilayah"
    )
    done = items.filter(closed_on__gte=report.start, closed_on__lte=report.end, status__in=CLOSED)
    still_open = items.filter(rapat__date__lte=report.end).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gt=report.end)
    )
    return {
        "done": [_item(i, report.end) for i in done.order_by("closed_on", "pk")],
        "open": [_item(i, report.end) for i in still_open.order_by("due_date", "pk")],
    }


def collect(report, user, *, today: dt.date) -> dict:
    """All generated sections of ``report``, as seen by ``user`` (the policy scopes the figures);
    the meetings held by ``today``."""
    return {
        "meetings": _meetings(report, today),
        "prevalence": _prevalence(report, user),
        "activities": _activities(report),
        "action_items": _action_items(report),
    }


def display(data: dict) -> dict:
    """A copy of ``data`` for people to read, in the active language: dates as dates, periods,
    indicators, levels and statuses by their labels, each meeting's attendance line, the
    realisation's amounts and percentages as text in Indonesian number format (``*_text``)."""
    import copy

    from tumbuh.dashboards.models import INDICATOR_CHOICES

    out = copy.deepcopy(data)
    indicators = dict(INDICATOR_CHOICES)
    levels = {Level.KABUPATEN: _("Regency"), Level.KECAMATAN: _("Kecamatan"), Level.DESA: _("Desa")}
    for m in out["meetings"]:
        m["date"] = dt.date.fromisoformat(m["date"])
        m["level"] = levels.get(m["level"], "")
        parts = ", ".join(f"{Group(g).label} {format_number(n, 0)}" for g, n in m["groups"])
        m["summary"] = _("%(n)s participants") % {"n": format_number(m["present"], 0)} + (f": {parts}" if parts else "")
    prev = out["prevalence"]
    prev["round"], prev["previous_round"] = (
        Period.parse(prev["round"]).label,
        Period.parse(prev["previous_round"]).label,
    )
    for i in prev["indicators"]:
        i["label"] = indicators.get(i["indicator"], i["indicator"])
    _display_activities(out["activities"])
    for key in ("done", "open"):
        for i in out["action_items"][key]:
            i["due"] = dt.date.fromisoformat(i["due"])
            i["closed_on"] = dt.date.fromisoformat(i["closed_on"]) if i["closed_on"] else None
            i["status"] = Status(i["status"]).label
    return out


def _quantity(value) -> str:
    """A physical output in the active language: '1.250' or '12,5' in Indonesian (up to two
    decimals, none when whole)."""
    return format_number(value, 2, min_places=0)


def _percent_text(value) -> str:
    return "–" if value is None else f"{format_number(value, 1)}%"


def _rupiah(value) -> str:
    """'Rp 1.234.567' (Indonesian), 'Rp 1,234,567' (English): whole rupiah."""
    return f"Rp {format_number(int(value or 0), 0)}"


def _display_activities(acts: dict) -> None:
    """The realisation as text (``*_text``): amounts in rupiah, percentages with a decimal
    comma; where the review holds nothing yet, it says so instead of a 0 %. A report frozen
    before the realisation was part of it (no ``realisation`` key) is left as it was."""
    rupiah = _rupiah
    if not acts.get("realisation"):
        return
    not_yet = _("no review data yet")
    for r in acts["rows"]:
        r["budget_text"] = rupiah(r["budget"])
        r["target_text"] = f"{_quantity(r['volume'])} {r['unit']}".strip()
        if r["reviewed"]:
            r["physical_text"] = f"{_quantity(r['physical'])} {r['unit']}".strip()
            r["budget_realised_text"] = rupiah(r["budget_realised"])
        else:
            r["physical_text"], r["budget_realised_text"] = not_yet, "–"
        r["physical_percent_text"] = _percent_text(r["physical_percent"])
        r["budget_percent_text"] = _percent_text(r["budget_percent"])
    for group in [*acts["by_opd"], *([acts["total"]] if acts.get("total") else [])]:
        group["reviewed_text"] = _("%(n)s of %(m)s") % {"n": group["reviewed"], "m": group["activities"]}
        group["budget_text"] = rupiah(group["budget"])
        group["budget_realised_text"] = rupiah(group["budget_realised"]) if group["reviewed"] else not_yet
        group["budget_percent_text"] = _percent_text(group["budget_percent"])
        group["physical_percent_text"] = _percent_text(group["physical_percent"])
