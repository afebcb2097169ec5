"""Loading the desa's BPS codes beside their Kemendagri codes (import kind ``kode-bps``).

No package ships the crosswalk between the two numberings (BPS numbers kecamatan and desa its
own way), so a district loads it from a table it gets from its BPS office: one row per desa with
"Kode Kemendagri" (``7324042010`` or ``73.24.04.2010``) and "Kode BPS" (10 digits). The same
import runs from the Regions page and as ``tumbuh load_bps_codes``.

Every row is accepted or kept with its reason: an unknown desa or one outside the user's area,
a BPS code that is not 10 digits, one desa given two BPS codes, or one BPS code given to two
desa (in the file, or already held by a desa that the file does not move to another code).
All rows are checked together before anything is written, so both rows of a conflict are
refused and a file that swaps two codes loads. Re-importing a file changes nothing.
"""

from __future__ import annotations

import re
from collections import defaultdict

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from tumbuh.imports.cells import wilayah_code
from tumbuh.imports.errors import RowError
from tumbuh.imports.framework import Column, Importer, Plan, Row, register

from .models import BPS_DIGITS, BpsCode, Level, Wilayah

KIND = "kode-bps"
_SEPARATORS = re.compile(r"[\s.\-/]+")


def bps_digits(value: str) -> str:
    """A BPS code as typed (``7325010001``, ``73.25.010.001``, ``7325 010 001``) → its digits."""
    return _SEPARATORS.sub("", (value or "").replace("\xa0", ""))


@register
class BpsCodeImporter(Importer):
    kind = KIND
    title = _("BPS codes of the desa")
    model = BpsCode
    columns = (
        Column(
            "code",
            "Kode Kemendagri",
            (
                "kode desa kemendagri",
                "kode kemendagri desa",
                "kode desa",
                "kode wilayah",
                "kode desa/kelurahan",
                "kode dagri",
                "kode kemendagri wilayah",
                "kode_kemendagri",
                "kode permendagri",
            ),
            _("Required. Kemendagri code of the desa, e.g. 73.24.04.2010 or 7324042010."),
            "00.00.00.2001",
            True,
        ),
        Column(
            "bps",
            "Kode BPS",
            ("kode desa bps", "kode bps desa", "idbps", "id bps", "kode_bps", "kd bps", "kode wilayah bps", "bps"),
            _("Required. The desa's 10-digit BPS code, e.g. 7325010001."),
            "0000000000",
            True,
        ),
        Column(
            "name",
            "Nama Desa",
            ("desa", "desa/kelurahan", "nama desa/kelurahan", "nama"),
            _("For reading only."),
            "",
            used=False,
        ),
    )
    required = (("code",), ("bps",))
    #: Every row in one chunk: a conflict is only seen with all rows at hand (a district has a
    #: few hundred desa; a whole province a few thousand).
    chunk_size = 10_000_000

    @classmethod
    def list_url(cls) -> str:
        return reverse("wilayah:list")

    @classmethod
    def references(cls, user, kabupaten):
        from tumbuh.accounts import policy

        desa = policy.district_desa(user, kabupaten.code).order_by("code")
        return [("Desa", ["Kode Kemendagri", "Nama Desa", "Kode BPS"], [[w.code, w.name, w.bps_code] for w in desa])]

    def prepare(self):
        self.desa = {
            w.code: w
            for w in self.in_scope(BpsCode.objects.filter(level=Level.DESA, kabupaten_code=self.kabupaten.code))
        }

    def validate(self, row: Row) -> Plan:
        code = wilayah_code(row["code"])
        if not code:
            raise RowError(gettext_noop("Kode Kemendagri is empty"))
        desa = self.desa.get(code)
        if desa is None:
            known = Wilayah.objects.filter(code=code).values_list("level", flat=True).first()
            if known is None:
                raise RowError(gettext_noop("Unknown desa code %(code)s"), code=code)
            if known != Level.DESA:
                raise RowError(gettext_noop("%(code)s is not the code of a desa"), code=code)
            raise RowError(gettext_noop("Desa %(code)s is outside your area"), code=code)
        bps = bps_digits(row["bps"])
        if not bps:
            raise RowError(gettext_noop("Kode BPS is empty"))
        if not (bps.isdigit() and len(bps) == BPS_DIGITS[Level.DESA]):
            raise RowError(gettext_noop("Kode BPS of a desa has 10 digits: %(value)s"), value=row["bps"])
        return Plan(row, desa, changed=desa.bps_code != bps, extra={"bps": bps})

    def write(self, plans: list[Plan]) -> list[str | RowError]:
        refused = _conflicts(plans)
        results = []
        for plan in plans:
            error = refused.get(plan.row.number)
            if error is None:
                plan.obj.bps_code = plan.extra["bps"]
                error = self.save_audited(plan)
            results.append(error)
        return results


def _rows(plans) -> str:
    return ", ".join(str(p.row.number) for p in plans)


def _conflicts(plans: list[Plan]) -> dict[int, RowError]:
    """The rows (by number) that cannot be loaded together, each with its reason."""
    refused: dict[int, RowError] = {}
    by_desa: dict[str, list[Plan]] = defaultdict(list)
    for plan in plans:
        by_desa[plan.obj.code].append(plan)
    for same in by_desa.values():
        if len({p.extra["bps"] for p in same}) > 1:
            for p in same:
                refused[p.row.number] = RowError(
                    gettext_noop("Two BPS codes for one desa (rows %(rows)s)"), rows=_rows(same)
                )
        else:
            for p in same[1:]:
                refused[p.row.number] = RowError(
                    gettext_noop("Duplicate of row %(row)s in this file"), row=same[0].row.number
                )
    by_bps: dict[str, list[Plan]] = defaultdict(list)
    for plan in plans:
        if plan.row.number not in refused:
            by_bps[plan.extra["bps"]].append(plan)
    for bps, same in by_bps.items():
        if len(same) > 1:
            for p in same:
                refused[p.row.number] = RowError(
                    gettext_noop("One BPS code %(bps)s for two desa (rows %(rows)s)"), bps=bps, rows=_rows(same)
                )
    # Against what is stored: a code stays with its desa unless this file gives that desa
    # another code; refusing a row keeps its desa's old code, which may refuse another row.
    wanted = {p.extra["bps"]: p for p in plans if p.row.number not in refused}
    holders: dict[str, set[str]] = defaultdict(set)
    for code, bps in Wilayah.objects.filter(bps_code__in=list(wanted)).values_list("code", "bps_code"):
        holders[bps].add(code)
    names = dict(
        Wilayah.objects.filter(code__in={c for codes in holders.values() for c in codes}).values_list("code", "name")
    )
    changed = True
    while changed:
        changed = False
        moving = {p.obj.code for p in plans if p.row.number not in refused}
        for bps, plan in wanted.items():
            if plan.row.number in refused:
                continue
            kept = sorted(c for c in holders.get(bps, ()) if c != plan.obj.code and c not in moving)
            if kept:
                refused[plan.row.number] = RowError(
                    gettext_noop("Kode BPS %(bps)s is already the code of %(name)s (%(code)s)"),
                    bps=bps,
                    name=names.get(kept[0], ""),
                    code=kept[0],
                )
                changed = True
    return refused
