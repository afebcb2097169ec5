"""The foster parent's information sheet: only what the secretariat chose to share."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from tumbuh.core.numbers import format_number
from tumbuh.documents.models import Letterhead
from tumbuh.documents.official import Heading, OfficialDocument, Paragraph, Table
from tumbuh.growth.classify import LABELS
from tumbuh.measurements.models import Measurement

from .models import FosterMatch, SharedField


def _first_name(name: str) -> str:
    return (name or "").split(" ")[0]


def shared_facts(match: FosterMatch, *, today: dt.date) -> list[tuple[str, str]]:
    """(label, value) pairs of the shared fields, in a fixed order; never the NIK; the child's age on `today`."""
    facts = []
    if match.shares(SharedField.NAME):
        facts.append((_("Name"), _first_name(match.target_name)))
    if match.shares(SharedField.DESA):
        facts.append((_("Desa"), match.desa.label))
    if match.shares(SharedField.RISKS) and match.family_id:
        facts.append((_("Risk factors"), ", ".join(str(r) for r in match.family.risk_factors())))
    if match.child_id and match.shares(SharedField.AGE):
        months = (today - match.child.birth_date).days * 12 // 365
        facts.append((_("Age of the child"), _("%(n)s months") % {"n": months}))
    if match.child_id and match.shares(SharedField.STATUS):
        latest = Measurement.objects.filter(child_id=match.child_id).exclude(status_tbu="").order_by("-date").first()
        if latest:
            label = LABELS.get("tbu", {}).get(latest.status_tbu, (latest.status_tbu,))[0]
            facts.append((_("Latest nutrition status (TB/U)"), f"{label} ({latest.date:%d/%m/%Y})"))
    return facts


def information_sheet(match: FosterMatch, *, today: dt.date) -> OfficialDocument:
    blocks = [
        Paragraph(
            _(
                "To %(name)s. Thank you for taking part in GENTING (Gerakan Orang Tua Asuh Cegah Stunting). "
                "This sheet holds what the TPPS secretariat shares with you about the family you support."
            )
            % {"name": match.foster_parent.name}
        ),
        Table(
            [_("Item"), _("Information")],
            [[k, v] for k, v in shared_facts(match, today=today)] or [[_("(nothing shared)"), ""]],
        ),
    ]
    if match.shares(SharedField.HELP):
        rows = [
            [h.date.strftime("%d/%m/%Y"), h.get_kind_display(), h.description, format_number(h.value, 0)]
            for h in match.help_given.order_by("date")
        ]
        blocks += [
            Heading(_("Help given"), 2),
            Table([_("Date"), _("Kind"), _("Description"), _("Value (Rp)")], rows or [["—", "", "", ""]], numeric=[3]),
        ]
    blocks.append(
        Paragraph(_("Personal data of the family are protected (UU PDP 27/2022); please do not pass them on."))
    )
    return OfficialDocument(
        kop=Letterhead.kop_for(match.desa.kabupaten_code),
        title=_("GENTING information sheet for the foster parent"),
        blocks=blocks,
        date=today,
        filename=f"genting-{match.pk}",
    )
