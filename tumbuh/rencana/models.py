"""Rencana kegiatan (Aksi 2): each OPD's activities for a year, the integrated plan.

An activity names its OPD, its place in the regional-government nomenclature (program /
kegiatan / sub-kegiatan, with the Kepmendagri code where known), the indicator it moves, the
desa it reaches, its volume, budget and funding source, and when it runs. The plan feeds the
OPD's Renja and the RKPD (see ``xlsx.py``); the gap check (``gaps.py``) names the lokus desa
whose coverage gaps no activity addresses.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from tumbuh.wilayah.models import Level, Wilayah

#: Nomenclature codes (Permendagri 90/2019, Kepmendagri 050-5889/2021): urusan.bidang.program,
#: then .kegiatan (x.xx), then .sub-kegiatan (xx or xxxx).
PROGRAM_CODE = re.compile(r"^[0-9X]\.[0-9X]{2}\.\d{2}$")
KEGIATAN_CODE = re.compile(r"^[0-9X]\.[0-9X]{2}\.\d{2}\.\d\.\d{2}$")
SUB_KEGIATAN_CODE = re.compile(r"^[0-9X]\.[0-9X]{2}\.\d{2}\.\d\.\d{2}\.(\d{2}|\d{4})$")


class FundingSource(models.TextChoices):
    APBD = "apbd", _("APBD")
    DAK = "dak", _("DAK")
    DANA_DESA = "dana_desa", _("Dana Desa")
    CSR = "csr", _("CSR / GENTING")
    OTHER = "lain", _("Other")


MONTH_VALIDATORS = [MinValueValidator(1), MaxValueValidator(12)]


class Activity(models.Model):
    """One OPD activity of the year's convergence plan."""

    kabupaten = models.ForeignKey(
        Wilayah,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": Level.KABUPATEN},
        verbose_name=_("regency / city"),
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    opd = models.ForeignKey("organisation.Opd", on_delete=models.PROTECT, related_name="+", verbose_name=_("OPD"))
    program_code = models.CharField(_("programme code"), max_length=20, blank=True, help_text=_("e.g. 1.02.02"))
    program = models.CharField(_("programme"), max_length=300)
    kegiatan_code = models.CharField(_("kegiatan code"), max_length=20, blank=True, help_text=_("e.g. 1.02.02.2.02"))
    kegiatan = models.CharField(_("kegiatan (activity)"), max_length=300)
    sub_kegiatan_code = models.CharField(
        _("sub-kegiatan code"), max_length=25, blank=True, help_text=_("e.g. 1.02.02.2.02.0033")
    )
    sub_kegiatan = models.CharField(_("sub-kegiatan (sub-activity)"), max_length=300, blank=True)
    indicator = models.ForeignKey(
        "indikator.Indicator", on_delete=models.PROTECT, related_name="+", verbose_name=_("indicator it moves")
    )
    desa = models.ManyToManyField(
        Wilayah, related_name="+", blank=True, limit_choices_to={"level": Level.DESA}, verbose_name=_("target desa")
    )
    volume = models.DecimalField(_("volume"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    unit = models.CharField(_("unit"), max_length=40, help_text=_("e.g. paket, orang, desa, unit"))
    budget = models.DecimalField(_("budget (Rp)"), max_digits=16, decimal_places=0, validators=[MinValueValidator(0)])
    funding_source = models.CharField(
        _("funding source"), max_length=10, choices=FundingSource.choices, default=FundingSource.APBD
    )
    funding_note = models.CharField(_("funding source (other)"), max_length=120, blank=True)
    start_month = models.PositiveSmallIntegerField(_("from month"), validators=MONTH_VALIDATORS, default=1)
    end_month = models.PositiveSmallIntegerField(_("to month"), validators=MONTH_VALIDATORS, default=12)
    note = models.CharField(_("note"), max_length=300, blank=True)

    scope_path = "kabupaten"
    personal_data = False
    scope_reaches_up = True  # camat and desa read the district's plan; editing is the OPD's

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = [
            "kabupaten_id",
            "year",
            "opd__short_name",
            "program_code",
            "kegiatan_code",
            "sub_kegiatan_code",
            "pk",
        ]
        indexes = [models.Index(fields=["kabupaten", "year"], name="rencana_activity_kab_year")]

    def __str__(self) -> str:
        return self.sub_kegiatan or self.kegiatan

    def clean(self) -> None:
        errors = {}
        checks = (
            ("program_code", PROGRAM_CODE, "", _("A programme code looks like 1.02.02.")),
            ("kegiatan_code", KEGIATAN_CODE, "program_code", _("A kegiatan code looks like 1.02.02.2.02.")),
            (
                "sub_kegiatan_code",
                SUB_KEGIATAN_CODE,
                "kegiatan_code",
                _("A sub-kegiatan code looks like 1.02.02.2.02.0033."),
            ),
        )
        for name, pattern, parent, message in checks:
            value = getattr(self, name).strip()
            setattr(self, name, value)
            if not value:
                continue
            if not pattern.match(value):
                errors[name] = message
            elif parent and getattr(self, parent) and not value.startswith(getattr(self, parent) + "."):
                errors[name] = _("The code does not fall under the code above it.")
        if self.sub_kegiatan_code and not self.sub_kegiatan:
            errors["sub_kegiatan"] = _("Name the sub-kegiatan of this code.")
        if self.start_month and self.end_month and self.start_month > self.end_month:
            errors["end_month"] = _("The activity ends before it starts.")
        if self.funding_source == FundingSource.OTHER and not self.funding_note:
            errors["funding_note"] = _("Name the other funding source.")
        if self.opd_id and self.kabupaten_id and self.opd.kabupaten_id != self.kabupaten_id:
            errors["opd"] = _("The OPD belongs to another regency.")
        if self.indicator_id and self.indicator.kabupaten_id not in (None, self.kabupaten_id):
            errors["indicator"] = _("This indicator belongs to another regency.")
        if errors:
            raise ValidationError(errors)

    def clean_desa(self, desa) -> None:
        """The target desa lie in the activity's kabupaten (many-to-many is checked apart)."""
        outside = [d for d in desa if getattr(d, "kabupaten_code", "") != self.kabupaten_id or d.level != Level.DESA]
        if outside:
            raise ValidationError(
                {
                    "desa": _("These are not desa of this regency: %(desa)s")
                    % {"desa": ", ".join(d.name for d in outside)}
                }
            )

    @property
    def timing(self) -> str:
        start, end = str(MONTHS[self.start_month]), str(MONTHS[self.end_month])
        return start if start == end else f"{start}–{end}"

    @property
    def funding_label(self) -> str:
        if self.funding_source == FundingSource.OTHER:
            return self.funding_note
        return self.get_funding_source_display()

    def nomenclature(self) -> list[tuple[str, str]]:
        return [
            (self.program_code, self.program),
            (self.kegiatan_code, self.kegiatan),
            (self.sub_kegiatan_code, self.sub_kegiatan),
        ]
