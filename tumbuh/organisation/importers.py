"""Importing the district's puskesmas, posyandu and OPD lists from a spreadsheet.

Natural keys (re-importing a file never duplicates): puskesmas by code; posyandu by code
when it names one existing posyandu, else by (desa, name); OPD by (kabupaten, short name).
Names and codes in keys match case-insensitively, and a key's spelling is not rewritten.
An empty optional cell (address, working area, kind) leaves the stored value as it is.
Regions, puskesmas and existing records are looked up only within the importing user's
scope (``policy.visible``) and the batch's kabupaten.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from tumbuh.imports.cells import clean_code, fold, parse_decimal, split_codes, wilayah_code
from tumbuh.imports.errors import RowError
from tumbuh.imports.framework import Column, Importer, Plan, Row, assign, register
from tumbuh.wilayah.models import Level, Wilayah

from . import location
from .models import Opd, OpdKind, Posyandu, Puskesmas

_REGION_PREFIXES = ("desa ", "kelurahan ", "kel. ", "kel ", "ds. ", "ds ")
_PUSKESMAS_PREFIXES = ("puskesmas ", "pkm. ", "pkm ", "uptd puskesmas ")


def _bare(name: str, prefixes) -> str:
    """A folded name without its kind prefix: "Desa Harapan" and "harapan" match."""
    name = fold(name)
    for prefix in prefixes:
        if name.startswith(prefix):
            return name[len(prefix) :].strip()
    return name


def _degrees(text: str) -> Decimal:
    """``-2,574812``, ``-2.574812`` or ``−2.574812`` → Decimal, six decimals; ValueError otherwise."""
    number = parse_decimal((text or "").replace("\u2212", "-"))
    if number is None:
        raise ValueError(text)
    return number.quantize(Decimal("0.000001"))


def _split_pair(text: str) -> tuple[str, str]:
    """``"-2.574812, 121.041377"`` (or ``;``/space separated) → the two numbers as text."""
    import re

    parts = [p for p in re.split(r"\s*;\s*|,\s+|\s+", text.strip()) if p]
    if len(parts) != 2 and text.count(",") == 1 and text.count(".") == 2:
        parts = text.split(",")
    if len(parts) != 2:
        raise RowError(gettext_noop("Koordinat %(value)s is not a pair of latitude and longitude"), value=text)
    return parts[0].strip(), parts[1].strip()


class _OrganisationImporter(Importer):
    """Region lookups shared by the three lists, all within the user's scope."""

    def regions(self, level: int):
        return self.in_scope(Wilayah.objects.filter(level=level, kabupaten_code=self.kabupaten.code))

    _OUTSIDE = {
        Level.KECAMATAN: gettext_noop("Kecamatan %(code)s is outside your area"),
        Level.DESA: gettext_noop("Desa %(code)s is outside your area"),
    }
    _UNKNOWN = {
        Level.KECAMATAN: gettext_noop("Unknown kecamatan code %(code)s"),
        Level.DESA: gettext_noop("Unknown desa code %(code)s"),
    }

    def resolve_region(self, code: str, known: dict, level: int) -> Wilayah:
        """A region of ``level`` in the user's scope, or one clear reason why not."""
        if code in known:
            return known[code]
        if Wilayah.objects.filter(code=code, level=level).exists():
            raise RowError(self._OUTSIDE[level], code=code)
        raise RowError(self._UNKNOWN[level], code=code)

    @classmethod
    def list_url(cls) -> str:
        return reverse("organisation:list", args=[cls.kind])

    @classmethod
    def references(cls, user, kabupaten) -> list[tuple[str, list[str], list[list[str]]]]:
        return []


@register
class PuskesmasImporter(_OrganisationImporter):
    kind = "puskesmas"
    title = _("puskesmas")
    model = Puskesmas
    columns = (
        Column(
            "code",
            "Kode Puskesmas",
            ("kode pkm", "kode", "kode kemenkes", "kode puskesmas kemenkes", "code"),
            _("Required. The Kemenkes puskesmas code; it identifies the puskesmas on re-import."),
            "P0000000001",
            True,
        ),
        Column("name", "Nama Puskesmas", ("nama pkm", "nama", "puskesmas", "name"), _("Required."), "Puskesmas Contoh"),
        Column(
            "kecamatan_code",
            "Kode Kecamatan",
            ("kode kec", "kd kecamatan", "kecamatan"),
            _("Required. Kemendagri code of the kecamatan where it stands, e.g. 73.24.04."),
            "00.00.00",
            True,
        ),
        Column(
            "desa_codes",
            "Kode Desa Wilayah Kerja",
            ("wilayah kerja", "kode desa", "desa wilayah kerja", "kode desa binaan", "desa binaan"),
            _("Kemendagri codes of the desa it serves, separated by ';'. Empty: leave as it is."),
            "00.00.00.2001;00.00.00.2002",
            True,
        ),
        Column("address", "Alamat", ("alamat puskesmas", "address"), _("Optional."), "Jl. Contoh No. 1"),
    )
    required = (("code",), ("name",), ("kecamatan_code",))

    def prepare(self):
        self.kecamatan = {w.code: w for w in self.regions(Level.KECAMATAN)}
        self.desa = {w.code: w for w in self.regions(Level.DESA)}
        visible = self.in_scope(Puskesmas.objects.filter(kecamatan__kabupaten_code=self.kabupaten.code))
        self.existing = {p.code.upper(): p for p in visible}
        self.all_codes = {c.upper() for c in Puskesmas.objects.values_list("code", flat=True)}
        self.served = defaultdict(set)
        for pk, code in Puskesmas.desa.through.objects.filter(puskesmas__in=list(self.existing.values())).values_list(
            "puskesmas_id", "wilayah_id"
        ):
            self.served[pk].add(code)
        self.posyandu_desa = defaultdict(set)
        for pk, code in Posyandu.objects.filter(puskesmas__in=list(self.existing.values())).values_list(
            "puskesmas_id", "desa_id"
        ):
            self.posyandu_desa[pk].add(code)

    def validate(self, row: Row) -> Plan:
        code = clean_code(row["code"])
        if not code:
            raise RowError(gettext_noop("Puskesmas code is empty"))
        if not row["name"]:
            raise RowError(gettext_noop("Name is empty"))
        kecamatan_code = wilayah_code(row["kecamatan_code"])
        if not kecamatan_code:
            raise RowError(gettext_noop("Kecamatan code is empty"))
        kecamatan = self.resolve_region(kecamatan_code, self.kecamatan, Level.KECAMATAN)
        desa_codes = sorted({wilayah_code(c) for c in split_codes(row["desa_codes"])})
        for desa_code in desa_codes:
            self.resolve_region(desa_code, self.desa, Level.DESA)
        existing = self.existing.get(code.upper())
        if existing is None and code.upper() in self.all_codes:
            raise RowError(gettext_noop("Puskesmas code %(code)s is already used outside your area"), code=code)
        self.check_duplicate(row, (code.upper(), "code"))
        obj = existing or Puskesmas(code=code)
        fields = {"name": row["name"], "kecamatan_id": kecamatan.code}
        if row["address"]:
            fields["address"] = row["address"]
        changed = assign(obj, fields) or existing is None
        m2m = {}
        if desa_codes:
            before = self.served[existing.pk] if existing else set()
            still_used = sorted((before - set(desa_codes)) & self.posyandu_desa[existing.pk]) if existing else []
            if still_used:
                raise RowError(
                    gettext_noop(
                        "Posyandu in desa %(code)s still belong to this puskesmas; move them before dropping the desa"
                    ),
                    code=still_used[0],
                )
            m2m = {"desa": desa_codes}
            changed = changed or set(desa_codes) != before
        return Plan(row, obj, m2m=m2m, changed=changed)

    @classmethod
    def references(cls, user, kabupaten):
        from tumbuh.accounts import policy

        regions = policy.visible(
            user, Wilayah.objects.filter(kabupaten_code=kabupaten.code, level__in=[Level.KECAMATAN, Level.DESA])
        )
        kecamatan = {w.code: w.name for w in regions if w.level == Level.KECAMATAN}
        return [
            ("Kecamatan", ["Kode Kecamatan", "Nama Kecamatan"], [[c, n] for c, n in kecamatan.items()]),
            (
                "Desa",
                ["Kode Desa", "Nama Desa", "Kecamatan"],
                [[w.code, w.name, kecamatan.get(w.kecamatan_code, "")] for w in regions if w.level == Level.DESA],
            ),
        ]


@register
class PosyanduImporter(_OrganisationImporter):
    kind = "posyandu"
    title = _("posyandu")
    model = Posyandu
    columns = (
        Column(
            "name",
            "Nama Posyandu",
            ("nama", "posyandu", "name"),
            _("Required. Unique within its desa."),
            "Posyandu Contoh",
        ),
        Column(
            "code",
            "Kode Posyandu",
            ("kode", "code"),
            _("Optional. If it names an existing posyandu, that one is updated."),
            "",
            True,
        ),
        Column(
            "desa_code",
            "Kode Desa",
            ("kode desa kelurahan", "kode kelurahan", "kode wilayah desa", "desa code"),
            _("Kemendagri desa code. Give the code or the name of the desa."),
            "00.00.00.2001",
            True,
        ),
        Column(
            "desa_name",
            "Nama Desa",
            ("desa", "nama desa kelurahan", "desa kelurahan", "kelurahan", "nama kelurahan"),
            _("Used when the desa code is empty; must be unique in your area."),
            "Desa Contoh",
        ),
        Column(
            "puskesmas_code",
            "Kode Puskesmas",
            ("kode pkm",),
            _("Give the code or the name of the puskesmas; both empty: the one puskesmas serving the desa."),
            "P0000000001",
            True,
        ),
        Column(
            "puskesmas_name",
            "Nama Puskesmas",
            ("puskesmas", "pkm", "nama pkm"),
            _("Used when the puskesmas code is empty."),
            "Puskesmas Contoh",
        ),
        Column(
            "address", "Alamat", ("alamat posyandu", "address", "dusun"), _("Optional: dusun, RT/RW."), "Dusun 1, RT 01"
        ),
        Column(
            "latitude",
            "Lintang",
            ("latitude", "lat", "lintang selatan", "y"),
            _(
                "Optional: where the posyandu stands, decimal degrees, negative south of the equator (-2,574812). "
                "Empty: leave as it is."
            ),
            "",
        ),
        Column(
            "longitude",
            "Bujur",
            ("longitude", "lon", "long", "lng", "bujur timur", "x"),
            _("Optional: decimal degrees east (121,041377). Give both or neither."),
            "",
        ),
        Column(
            "coordinates",
            "Koordinat",
            ("koordinat posyandu", "lokasi", "titik koordinat", "coordinates"),
            _(
                "Optional, instead of Lintang and Bujur: both in one cell as a map app copies them "
                "(-2.574812, 121.041377)."
            ),
            "",
            in_template=False,
        ),
    )
    required = (("name",), ("desa_code", "desa_name"))

    def prepare(self):
        self.location_warnings: dict[str, dict] = {}
        self.desa = {w.code: w for w in self.regions(Level.DESA)}
        self.desa_by_name = defaultdict(list)
        for w in self.desa.values():
            self.desa_by_name[_bare(w.name, _REGION_PREFIXES)].append(w.code)
        puskesmas = list(self.in_scope(Puskesmas.objects.filter(kecamatan__kabupaten_code=self.kabupaten.code)))
        self.puskesmas = {p.code.upper(): p for p in puskesmas}
        self.puskesmas_by_name = defaultdict(list)
        for p in puskesmas:
            self.puskesmas_by_name[_bare(p.name, _PUSKESMAS_PREFIXES)].append(p)
        self.all_puskesmas_codes = {c.upper() for c in Puskesmas.objects.values_list("code", flat=True)}
        self.served = defaultdict(set)
        self.serving = defaultdict(list)
        for pk, code in Puskesmas.desa.through.objects.filter(puskesmas__in=puskesmas).values_list(
            "puskesmas_id", "wilayah_id"
        ):
            self.served[pk].add(code)
            self.serving[code].append(pk)
        self.by_pk = {p.pk: p for p in puskesmas}
        existing = list(self.in_scope(Posyandu.objects.filter(desa__kabupaten_code=self.kabupaten.code)))
        self.by_key = {(p.desa_id, fold(p.name)): p for p in existing}
        self.by_code = defaultdict(list)
        for p in existing:
            if p.code:
                self.by_code[clean_code(p.code).upper()].append(p)

    def _desa(self, row: Row) -> Wilayah:
        code = wilayah_code(row["desa_code"])
        if code:
            return self.resolve_region(code, self.desa, Level.DESA)
        if not row["desa_name"]:
            raise RowError(gettext_noop("Desa is empty"))
        matches = self.desa_by_name.get(_bare(row["desa_name"], _REGION_PREFIXES), [])
        if not matches:
            raise RowError(gettext_noop("No desa named %(name)s in your area"), name=row["desa_name"])
        if len(matches) > 1:
            raise RowError(
                gettext_noop("Desa name %(name)s matches several desa in your area; give the desa code"),
                name=row["desa_name"],
            )
        return self.desa[matches[0]]

    def _puskesmas(self, row: Row, desa: Wilayah) -> Puskesmas:
        code = clean_code(row["puskesmas_code"])
        if code:
            if code.upper() in self.puskesmas:
                return self.puskesmas[code.upper()]
            if code.upper() in self.all_puskesmas_codes:
                raise RowError(gettext_noop("Puskesmas %(code)s is outside your area"), code=code)
            raise RowError(gettext_noop("Unknown puskesmas code %(code)s"), code=code)
        if row["puskesmas_name"]:
            matches = self.puskesmas_by_name.get(_bare(row["puskesmas_name"], _PUSKESMAS_PREFIXES), [])
            if not matches:
                raise RowError(gettext_noop("No puskesmas named %(name)s in your area"), name=row["puskesmas_name"])
            if len(matches) > 1:
                raise RowError(
                    gettext_noop("Puskesmas name %(name)s matches several puskesmas; give the puskesmas code"),
                    name=row["puskesmas_name"],
                )
            return matches[0]
        serving = self.serving.get(desa.code, [])
        if len(serving) == 1:
            return self.by_pk[serving[0]]
        if not serving:
            raise RowError(gettext_noop("Puskesmas is empty and no puskesmas serves this desa"))
        raise RowError(
            gettext_noop("Puskesmas is empty and several puskesmas serve this desa; give the puskesmas code")
        )

    def validate(self, row: Row) -> Plan:
        name = row["name"]
        if not name:
            raise RowError(gettext_noop("Name is empty"))
        desa = self._desa(row)
        puskesmas = self._puskesmas(row, desa)
        if desa.code not in self.served[puskesmas.pk]:
            raise RowError(gettext_noop("Puskesmas does not serve this desa"))
        code = clean_code(row["code"])
        same_code = self.by_code.get(code.upper(), []) if code else []
        existing = same_code[0] if len(same_code) == 1 else self.by_key.get((desa.code, fold(name)))
        keys = [((desa.code, fold(name)), "name")]
        if code:
            keys.append((("code", code.upper()), "code"))
        if existing is not None:
            keys.append((("pk", existing.pk), "name"))
        self.check_duplicate(row, *keys)
        obj = existing or Posyandu()
        fields = {"desa_id": desa.code, "puskesmas_id": puskesmas.pk}
        if existing is None or fold(existing.name) != fold(name):
            fields["name"] = name
        if code and clean_code(obj.code).upper() != code.upper():
            fields["code"] = code
        if row["address"]:
            fields["address"] = row["address"]
        located = self._location(row)
        if located is not None:
            fields["latitude"], fields["longitude"] = located
        changed = assign(obj, fields) or existing is None
        return Plan(row, obj, changed=changed)

    def _location(self, row: Row) -> tuple[Decimal, Decimal] | None:
        """The row's latitude and longitude (None: the row gives none), checked as the form
        checks them; a location that cannot be checked (no boundary file yet) is kept with a
        warning."""
        lat_text, lon_text = row["latitude"], row["longitude"]
        if not (lat_text or lon_text) and row["coordinates"]:
            lat_text, lon_text = _split_pair(row["coordinates"])
        if not (lat_text or lon_text):
            return None
        try:
            lat, lon = (_degrees(t) if t else None for t in (lat_text, lon_text))
        except ValueError:
            raise RowError(
                gettext_noop("Latitude %(lat)s or longitude %(lon)s is not a number of degrees"),
                lat=lat_text,
                lon=lon_text,
            ) from None
        result = location.check(lat, lon, self.kabupaten.code, self.kabupaten.name)
        if result.errors:
            raise RowError(result.errors[0].message, **result.errors[0].params)
        for finding in result.warnings:
            entry = self.location_warnings.setdefault(
                finding.message, {"reason": finding.message, "count": 0, "rows": []}
            )
            entry["count"] += 1
            if len(entry["rows"]) < 50:
                entry["rows"].append([row.number, finding.params])
        return lat, lon

    def finish(self) -> None:
        if self.location_warnings:
            findings = dict(self.batch.findings or {})
            findings["warnings"] = [*findings.get("warnings", []), *self.location_warnings.values()]
            findings["warned_rows"] = sum(e["count"] for e in self.location_warnings.values())
            self.batch.findings = findings

    @classmethod
    def finding_lines(cls, batch) -> list[str]:
        from django.utils.translation import gettext

        warnings = batch.warnings()
        lines = (
            [gettext("Rows kept with a warning") + f": {(batch.findings or {}).get('warned_rows', len(warnings))}"]
            if warnings
            else []
        )
        return lines + [
            gettext("row %(row)s: %(warning)s") % {"row": number, "warning": text} for number, text in warnings[:20]
        ]

    @classmethod
    def references(cls, user, kabupaten):
        from tumbuh.accounts import policy

        desa = policy.district_desa(user, kabupaten.code)
        puskesmas = policy.visible(
            user, Puskesmas.objects.filter(kecamatan__kabupaten_code=kabupaten.code)
        ).prefetch_related("desa")
        return [
            ("Desa", ["Kode Desa", "Nama Desa"], [[w.code, w.name] for w in desa]),
            (
                "Puskesmas",
                ["Kode Puskesmas", "Nama Puskesmas", "Kode Desa Wilayah Kerja"],
                [[p.code, p.name, ";".join(sorted(d.code for d in p.desa.all()))] for p in puskesmas],
            ),
        ]


#: What people write in the "Jenis" column, folded, mapped to the stored kind.
_OPD_KINDS = {
    **{k.value: k.value for k in OpdKind},
    "lainnya": OpdKind.OTHER,
    "other": OpdKind.OTHER,
    "agency": OpdKind.DINAS,
    "board": OpdKind.BADAN,
    "kantor vertikal": OpdKind.KANTOR,
    "secretariat": OpdKind.SEKRETARIAT,
    "sekretariat daerah": OpdKind.SEKRETARIAT,
    "setda": OpdKind.SEKRETARIAT,
    "inspektorat": OpdKind.OTHER,
}


@register
class OpdImporter(_OrganisationImporter):
    kind = "opd"
    title = _("OPD")
    model = Opd
    columns = (
        Column(
            "short_name",
            "Singkatan",
            ("singkatan opd", "nama singkat", "short name"),
            _("Required. Identifies the OPD on re-import, e.g. DINKES."),
            "CONTOH",
        ),
        Column("name", "Nama OPD", ("nama", "nama perangkat daerah", "opd", "name"), _("Required."), "Dinas Contoh"),
        Column(
            "kind",
            "Jenis",
            ("jenis opd", "kind", "tipe"),
            _("dinas, badan, kantor, sekretariat or lain. Empty: dinas for a new OPD."),
            "dinas",
        ),
    )
    required = (("short_name",), ("name",))

    def prepare(self):
        self.existing = {fold(o.short_name): o for o in self.in_scope(Opd.objects.filter(kabupaten=self.kabupaten))}

    def validate(self, row: Row) -> Plan:
        short = row["short_name"]
        if not short:
            raise RowError(gettext_noop("Short name is empty"))
        if not row["name"]:
            raise RowError(gettext_noop("Name is empty"))
        kind = None
        if row["kind"]:
            kind = _OPD_KINDS.get(fold(row["kind"])) or _OPD_KINDS.get(fold(row["kind"]).split(" ")[0])
            if kind is None:
                raise RowError(
                    gettext_noop("Unknown OPD kind %(value)s; use dinas, badan, kantor, sekretariat or lain"),
                    value=row["kind"],
                )
        self.check_duplicate(row, (fold(short), "short_name"))
        existing = self.existing.get(fold(short))
        obj = existing or Opd(kabupaten=self.kabupaten, short_name=short, kind=OpdKind.DINAS)
        fields = {"name": row["name"]}
        if kind:
            fields["kind"] = kind
        changed = assign(obj, fields) or existing is None
        return Plan(row, obj, changed=changed)

    @classmethod
    def references(cls, user, kabupaten):
        return [("Jenis", ["Jenis", "Arti"], [[k.value, str(k.label)] for k in OpdKind])]
