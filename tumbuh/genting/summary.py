"""The Bupati's page: foster parents, families and children reached, help given, villages covered;
the same figures as a handout (PDF/DOCX) for the Bupati's meeting. Aggregates only: no name, no NIK."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Sum
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from tumbuh.accounts import policy
from tumbuh.documents.models import Letterhead
from tumbuh.documents.official import (
    LANGUAGE,
    Heading,
    OfficialDocument,
    Paragraph,
    Table,
    indonesian_date,
    indonesian_number,
)
from tumbuh.wilayah.models import Wilayah

from .models import FosterMatch, FosterParent, FosterParentKind, Help, HelpKind


@dataclass
class Summary:
    foster_parents: int
    by_kind: list[tuple[str, int]]
    families: int
    children: int
    help_total: int
    help_by_kind: list[tuple[str, int, int]]  # label, count, rupiah
    villages: int
    per_kecamatan: list[dict]


def summary(user, kabupaten: str | None = None) -> Summary:
    """The figures ``user`` may see; with ``kabupaten`` (a code), only that district's (a
    superuser sees every district, the handout is about one)."""
    parents = policy.visible(user, FosterParent.objects.filter(is_active=True))
    matches = policy.visible(user, FosterMatch.objects.all())
    help_rows = policy.visible(user, Help.objects.all())
    if kabupaten:
        parents = parents.filter(kabupaten_id=kabupaten)
        matches = matches.filter(desa__kabupaten_code=kabupaten)
        help_rows = help_rows.filter(match__desa__kabupaten_code=kabupaten)
    kinds = dict(parents.values_list("kind").annotate(n=Count("pk")))
    per_kind = {row["kind"]: row for row in help_rows.values("kind").annotate(n=Count("pk"), total=Sum("value"))}
    rows: dict[str, dict] = defaultdict(lambda: {"desa": set(), "families": set(), "children": set(), "help": 0})
    for desa, kecamatan, family, child in matches.values_list(
        "desa_id", "desa__kecamatan_code", "family_id", "child_id"
    ):
        row = rows[kecamatan]
        row["desa"].add(desa)
        if family:
            row["families"].add(family)
        if child:
            row["children"].add(child)
    for kecamatan, total in help_rows.values_list("match__desa__kecamatan_code").annotate(total=Sum("value")):
        rows[kecamatan]["help"] += total or 0
    names = dict(Wilayah.objects.filter(code__in=list(rows)).values_list("code", "name"))
    per_kecamatan = [
        {
            "code": code,
            "name": names.get(code, code),
            "villages": len(r["desa"]),
            "families": len(r["families"]),
            "children": len(r["children"]),
            "help": r["help"],
        }
        for code, r in sorted(rows.items(), key=lambda kv: names.get(kv[0], kv[0]))
    ]
    return Summary(
        foster_parents=parents.count(),
        by_kind=[(label, kinds.get(value, 0)) for value, label in FosterParentKind.choices],
        families=matches.filter(family__isnull=False).values("family").distinct().count(),
        children=matches.filter(child__isnull=False).values("child").distinct().count(),
        help_total=sum((row["total"] or 0) for row in per_kind.values()),
        help_by_kind=[
            (label, per_kind.get(value, {}).get("n", 0), per_kind.get(value, {}).get("total") or 0)
            for value, label in HelpKind.choices
        ],
        villages=matches.values("desa").distinct().count(),
        per_kecamatan=per_kecamatan,
    )


def summary_document(s: Summary, kabupaten: Wilayah, area: Wilayah | None, today: dt.date) -> OfficialDocument:
    """The Bupati's page as an official handout: the district's kop, the same figures, in
    Indonesian whatever the reader's language. ``area`` is the reader's node when it is
    narrower than the district (a camat's handout says it covers one kecamatan)."""
    with translation.override(LANGUAGE):
        scope = area.label if area is not None and area.code != kabupaten.code else kabupaten.name
        kinds = ", ".join(f"{label} {indonesian_number(n)}" for label, n in s.by_kind)
        blocks = [
            Paragraph(
                _(
                    "Position on %(date)s for %(area)s. The figures count foster parents, the families and "
                    "children they support and the help recorded with its value; they name no family or child."
                )
                % {"date": indonesian_date(today), "area": scope}
            ),
            Table(
                [_("Figure"), pgettext("quantity", "Number")],
                [
                    [_("Active foster parents"), s.foster_parents],
                    [_("Families reached"), s.families],
                    [_("Children reached"), s.children],
                    [_("Villages covered"), s.villages],
                    [_("Help given (Rp)"), s.help_total],
                ],
                widths=[3, 1],
                numeric=[1],
            ),
            Paragraph(_("Foster parents by kind: %(kinds)s.") % {"kinds": kinds}, align="left"),
            Heading(_("Help by kind"), 2),
            Table(
                [_("Kind"), _("Times"), _("Value (Rp)")],
                [[str(label), n, total] for label, n, total in s.help_by_kind],
                widths=[3, 1, 2],
                numeric=[1, 2],
                footer=[_("Total"), sum(n for _l, n, _t in s.help_by_kind), s.help_total],
            ),
            Heading(_("Per kecamatan"), 2),
            Table(
                [_("Kecamatan"), _("Villages"), _("Families"), _("Children"), _("Help given (Rp)")],
                [[r["name"], r["villages"], r["families"], r["children"], r["help"]] for r in s.per_kecamatan]
                or [[_("No match yet."), "", "", "", ""]],
                widths=[3, 1, 1, 1, 2],
                numeric=[1, 2, 3, 4],
            ),
        ]
        return OfficialDocument(
            kop=Letterhead.kop_for(kabupaten),
            title=_("GENTING: summary for the Bupati"),
            subtitle=_("Gerakan Orang Tua Asuh Cegah Stunting"),
            blocks=blocks,
            filename=f"genting-ringkasan-{kabupaten.code}-{today:%Y%m%d}",
        )
