"""The district's own organisation: OPD (agencies), puskesmas and posyandu (the TPPS teams
live in the ``tpps`` app).

Every object hangs off a wilayah node; ``scope_path`` names the lookup from the object to
that node, which is all the permission policy needs to scope it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tumbuh.wilayah.models import Level, Wilayah, wilayah_label


class OpdKind(models.TextChoices):
    DINAS = "dinas", _("Dinas (agency)")
    BADAN = "badan", _("Badan (board)")
    KANTOR = "kantor", _("Kantor / vertical office")
    SEKRETARIAT = "sekretariat", _("Secretariat")
    OTHER = "lain", _("Other")


class Opd(models.Model):
    """A district agency (Organisasi Perangkat Daerah)."""

    kabupaten = models.ForeignKey(
        Wilayah,
        on_delete=models.PROTECT,
        related_name="opd_set",
        limit_choices_to={"level": Level.KABUPATEN},
        verbose_name=_("regency / city"),
    )
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=40)
    kind = models.CharField(_("kind"), max_length=20, choices=OpdKind.choices, default=OpdKind.DINAS)
    is_active = models.BooleanField(_("active"), default=True)

    scope_path = "kabupaten"
    personal_data = False
    personal_data_reason = "an agency's name"
    scope_reaches_up = True  # the whole district works with its agencies

    class Meta:
        verbose_name = _("OPD (agency)")
        verbose_name_plural = _("OPD (agencies)")
        ordering = ["kabupaten_id", "short_name"]
        constraints = [models.UniqueConstraint(fields=["kabupaten", "short_name"], name="opd_unique_short_name")]

    def __str__(self) -> str:
        return self.short_name


class Puskesmas(models.Model):
    """A health centre; it serves one or more desa (its wilayah kerja)."""

    code = models.CharField(_("Kemenkes code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kecamatan = models.ForeignKey(
        Wilayah,
        on_delete=models.PROTECT,
        related_name="puskesmas_located",
        limit_choices_to={"level": Level.KECAMATAN},
        verbose_name=_("kecamatan"),
    )
    desa = models.ManyToManyField(
        Wilayah,
        related_name="puskesmas_set",
        limit_choices_to={"level": Level.DESA},
        verbose_name=_("desa served"),
        blank=True,
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    scope_path = "kecamatan"
    personal_data = False
    personal_data_reason = "a health centre's name and address"

    class Meta:
        verbose_name = _("puskesmas")
        verbose_name_plural = _("puskesmas")
        ordering = ["kecamatan_id", "name"]

    def __str__(self) -> str:
        return self.name

    def desa_codes(self) -> list[str]:
        return list(self.desa.values_list("code", flat=True))


class Posyandu(models.Model):
    """A village health post, run by cadres, in one desa and served by one puskesmas."""

    name = models.CharField(_("name"), max_length=120)
    code = models.CharField(_("code"), max_length=30, blank=True)
    desa = models.ForeignKey(
        Wilayah,
        on_delete=models.PROTECT,
        related_name="posyandu_set",
        limit_choices_to={"level": Level.DESA},
        verbose_name=_("desa"),
    )
    puskesmas = models.ForeignKey(
        Puskesmas, on_delete=models.PROTECT, related_name="posyandu_set", verbose_name=_("puskesmas")
    )
    address = models.CharField(_("address (RT/RW, dusun)"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    #: Where it stands (WGS 84, as a phone gives it), for the map; checked by ``location.check``.
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
        help_text=_("Decimal degrees, negative south of the equator, e.g. −2,574812."),
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
        help_text=_("Decimal degrees east, e.g. 121,041377."),
    )

    scope_path = "desa"
    personal_data = False
    personal_data_reason = "a posyandu's name and address"

    class Meta:
        verbose_name = _("posyandu")
        verbose_name_plural = _("posyandu")
        ordering = ["desa_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["desa", "name"], name="posyandu_unique_name_in_desa"),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(latitude__isnull=False, longitude__isnull=False),
                name="posyandu_location_both_or_neither",
                violation_error_message=_("Give both latitude and longitude, or neither."),
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The posyandu named with its desa, "Posyandu Anggrek — Desa Balantang": posyandu
        names repeat from one desa to the next, so every list of posyandu shows this (or
        :func:`posyandu_labels` for many at once)."""
        return posyandu_label(self.name, self.desa.label if self.desa_id else "")

    @property
    def full_label(self) -> str:
        """The label with the puskesmas, for a list that spans several puskesmas (desa names
        repeat within a district: Luwu Timur has two Desa Baruga)."""
        return posyandu_label(
            self.name, self.desa.label if self.desa_id else "", self.puskesmas.name if self.puskesmas_id else ""
        )

    def clean(self):
        if self.desa_id and self.puskesmas_id and not self.puskesmas.desa.filter(code=self.desa_id).exists():
            raise ValidationError({"puskesmas": _("This puskesmas does not serve the chosen desa.")})

    def clean_fields(self, exclude=None):
        """The fields, then the location as a pair: both or neither, in Indonesia, and inside
        the district when its extent is known (``location.check``)."""
        from . import location

        errors = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as e:
            errors = e.update_error_dict(errors)
        skip = set(exclude or ()) | set(errors)
        located = self.latitude is not None or self.longitude is not None
        if located and not skip & {"latitude", "longitude"} and self.desa_id:
            kabupaten_code = ".".join(self.desa_id.split(".")[:2])
            name = Wilayah.objects.filter(code=kabupaten_code).values_list("name", flat=True).first() or kabupaten_code
            for finding in location.check(self.latitude, self.longitude, kabupaten_code, name).errors:
                errors.setdefault(finding.field, []).append(finding.text())
        if errors:
            raise ValidationError(errors)

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None


def posyandu_label(name: str, desa: str, puskesmas: str = "") -> str:
    """The one rule naming a posyandu in a list: its name, its desa (as ``Wilayah.label``
    gives it, "Desa Balantang") and, when given, its puskesmas:
    "Posyandu Anggrek — Desa Balantang (Puskesmas Malili)"."""
    label = f"{name} — {desa}" if desa else name
    return f"{label} ({puskesmas})" if puskesmas else label


def posyandu_labels(ids, *, with_puskesmas: bool | None = None) -> dict[int, str]:
    """{id: label} of the posyandu ``ids`` in one query, for rows that carry only a
    posyandu's id or name (precomputed figures, ``values()`` queries). ``with_puskesmas``:
    name the puskesmas too; by default when the posyandu listed are served by more than one
    puskesmas. Ids of posyandu that no longer exist are left out."""
    rows = list(
        Posyandu.objects.filter(pk__in={int(i) for i in ids}).values_list(
            "pk", "name", "desa__name", "desa__kind", "puskesmas_id", "puskesmas__name"
        )
    )
    if with_puskesmas is None:
        with_puskesmas = len({r[4] for r in rows}) > 1
    return {
        pk: posyandu_label(name, wilayah_label(desa, kind) if desa else "", pkm if with_puskesmas else "")
        for pk, name, desa, kind, _pkm_id, pkm in rows
    }
