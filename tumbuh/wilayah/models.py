"""The Kemendagri region tree: provinsi → kabupaten/kota → kecamatan → desa/kelurahan.

Codes are dotted and hierarchical (``73``, ``73.24``, ``73.24.01``, ``73.24.01.2001``), so a
node's ancestors are prefixes of its code. Each row stores its ancestors' codes in indexed
columns; a subtree query is one equality on one of them, never a recursive walk.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    PROVINSI = 1, _("Province")
    KABUPATEN = 2, _("Regency / city")
    KECAMATAN = 3, _("District (kecamatan)")
    DESA = 4, _("Village (desa / kelurahan)")


#: For a node at each level, the column that holds that node's code on its descendants.
ANCESTOR_FIELD = {
    Level.PROVINSI: "provinsi_code",
    Level.KABUPATEN: "kabupaten_code",
    Level.KECAMATAN: "kecamatan_code",
    Level.DESA: "code",
}


#: Digits of a BPS (Statistics Indonesia) code at each level: ``73``, ``7325``, ``7325010``,
#: ``7325010001``. BPS numbers regions its own way, so no rule turns a Kemendagri code into a BPS
#: code: the district loads them (``tumbuh load_bps_codes``, or the "kode-bps" import).
BPS_DIGITS = {Level.PROVINSI: 2, Level.KABUPATEN: 4, Level.KECAMATAN: 7, Level.DESA: 10}


def level_of(code: str) -> int:
    return code.count(".") + 1


def ancestor_codes(code: str) -> list[str]:
    """``73.24.01.2001`` → ``["73", "73.24", "73.24.01"]``."""
    parts = code.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


#: The word before a region's name in its label (a kabupaten's or kota's name already has it).
LABEL_PREFIX = {
    "provinsi": "Provinsi",
    "kecamatan": "Kecamatan",
    "desa": "Desa",
    "kelurahan": "Kelurahan",
    "distrik": "Distrik",
}


def wilayah_label(name: str, kind: str) -> str:
    """A region's human label from its name and kind ("Desa Balantang", "Kecamatan Malili",
    "Provinsi Sulawesi Selatan"), for rows read with ``values()`` as for a ``Wilayah``."""
    prefix = LABEL_PREFIX.get(kind)
    return f"{prefix} {name}" if prefix else name


class WilayahQuerySet(models.QuerySet):
    def subtree(self, code: str, include_self: bool = True) -> WilayahQuerySet:
        qs = self.filter(Wilayah.subtree_q(code))
        return qs if include_self else qs.exclude(code=code)

    def kecamatan(self):
        return self.filter(level=Level.KECAMATAN)

    def desa(self):
        return self.filter(level=Level.DESA)


class Wilayah(models.Model):
    code = models.CharField(_("code"), max_length=13, primary_key=True)
    name = models.CharField(_("name"), max_length=120)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, db_index=True)
    kind = models.CharField(_("kind"), max_length=20)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        db_constraint=False,
        verbose_name=_("parent region"),
    )
    provinsi_code = models.CharField(_("provinsi code"), max_length=2, db_index=True)
    kabupaten_code = models.CharField(_("kabupaten code"), max_length=5, blank=True, db_index=True)
    kecamatan_code = models.CharField(_("kecamatan code"), max_length=8, blank=True, db_index=True)
    bps_code = models.CharField(
        _("BPS code"),
        max_length=10,
        blank=True,
        db_index=True,
        help_text=_("Statistics Indonesia's code (10 digits for a desa); blank until the district loads it."),
    )

    objects = WilayahQuerySet.as_manager()

    scope_path = ""  # a region is scoped by its own code
    personal_data = False
    personal_data_reason = "a region's name"

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def label(self) -> str:
        """A human label with the kind, e.g. "Kecamatan Malili", "Desa Balantang"."""
        return wilayah_label(self.name, self.kind)

    @staticmethod
    def subtree_q(code: str, path: str = "") -> Q:
        """Q selecting the node ``code`` and everything under it, through ``path`` (a lookup
        to a Wilayah, e.g. ``"desa__"``).

        Through a path it is ``desa IN (the subtree's codes)``: the database reads the few
        hundred codes of the subtree by index rather than joining every row to the 90,000
        regions of Indonesia (a district's child list counted its children in 177 ms that way,
        37 ms this way; docs/performance.md, Load)."""
        field = ANCESTOR_FIELD[Level(level_of(code))]
        q = Q(**{field: code})
        if field != "code":
            q |= Q(code=code)
        if not path:
            return q
        return Q(**{f"{path.removesuffix('__')}__in": Wilayah.objects.filter(q).values("code")})

    def clean(self):
        digits = BPS_DIGITS.get(self.level)
        if self.bps_code and not (self.bps_code.isdigit() and len(self.bps_code) == digits):
            raise ValidationError({"bps_code": _("A BPS code at this level has %(n)d digits.") % {"n": digits}})

    def contains(self, other: Wilayah | str) -> bool:
        other_code = other if isinstance(other, str) else other.code
        return other_code == self.code or other_code.startswith(self.code + ".")

    @property
    def kabupaten(self) -> Wilayah | None:
        return Wilayah.objects.filter(code=self.kabupaten_code).first() if self.kabupaten_code else None

    def ancestors(self) -> list[Wilayah]:
        codes = ancestor_codes(self.code)
        by_code = {w.code: w for w in Wilayah.objects.filter(code__in=codes)}
        return [by_code[c] for c in codes if c in by_code]


class BpsCode(Wilayah):
    """A region as the holder of its BPS code: the one thing about a region that a district sets.

    The region tree itself is Kemendagri's (``load_regions``) and no user edits it; this proxy
    (same table, no column of its own) carries the permission to set the code
    (``permissions.py``: the district admin, for the regions of their district), and its audit
    rows read ``wilayah.bpscode``."""

    class Meta:
        proxy = True
        verbose_name = _("BPS code of a region")
        verbose_name_plural = _("BPS codes of regions")
