"""The village layer of the convergence actions.

- Aksi 4: the district's Perbup/Perwali on the village role (number, date, the document) and,
  per desa and year, whether the desa issued its own regulation or budgeted Dana Desa for
  stunting.
- Aksi 5: the KPM (Kader Pembangunan Manusia) roster per desa with training records, and the
  quarterly village convergence scorecard: one row per target person with Y/T/TS per item
  (``scorecard.py`` holds the items and the arithmetic).
- OPD Pembina Desa: an agency assigned to mentor a desa for a year, and its visits.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tumbuh.organisation.models import Opd
from tumbuh.wilayah.models import Level, Wilayah

from . import scorecard

_DESA = {"level": Level.DESA}
_YEAR = [MinValueValidator(2018), MaxValueValidator(2100)]


class JenisRegulasi(models.TextChoices):
    PERBUP = "perbup", _("Peraturan Bupati (Perbup)")
    PERWALI = "perwali", _("Peraturan Wali Kota (Perwali)")


class RegulasiPeranDesa(models.Model):
    """Aksi 4: the Perbup/Perwali on the role of desa in stunting reduction."""

    kabupaten = models.ForeignKey(Wilayah, on_delete=models.PROTECT, related_name="+", limit_choices_to={"level": Level.KABUPATEN},
                                  verbose_name=_("regency / city"))
    jenis = models.CharField(_("kind"), max_length=8, choices=JenisRegulasi.choices, default=JenisRegulasi.PERBUP)
    nomor = models.CharField(_("number"), max_length=60, help_text=_("e.g. 23 Tahun 2024"))
    tanggal = models.DateField(_("date"))
    judul = models.CharField(_("title"), max_length=300)

    scope_path = "kabupaten"
    scope_reaches_up = True  # every desa works under the district's regulation

    class Meta:
        verbose_name = _("village-role regulation")
        verbose_name_plural = _("village-role regulations")
        ordering = ["-tanggal"]

    def __str__(self) -> str:
        return f"{self.get_jenis_display()} {self.nomor}"


class KebijakanDesa(models.Model):
    """Aksi 4 in one desa and year: its own regulation on stunting, and Dana Desa for it."""

    desa = models.ForeignKey(Wilayah, on_delete=models.PROTECT, related_name="+", limit_choices_to=_DESA, verbose_name=_("desa"))
    tahun = models.PositiveSmallIntegerField(_("year"), validators=_YEAR)
    perdes_nomor = models.CharField(_("village regulation number"), max_length=60, blank=True,
                                    help_text=_("Perdes or Perkades on stunting; empty if none."))
    perdes_tanggal = models.DateField(_("village regulation date"), null=True, blank=True)
    perdes_judul = models.CharField(_("village regulation title"), max_length=300, blank=True)
    dana_desa = models.PositiveBigIntegerField(_("Dana Desa budgeted for stunting (Rp)"), default=0)
    catatan = models.CharField(_("notes"), max_length=300, blank=True)

    scope_path = "desa"

    class Meta:
        verbose_name = _("village policy on stunting")
        verbose_name_plural = _("village policies on stunting")
        ordering = ["desa_id", "-tahun"]
        constraints = [models.UniqueConstraint(fields=["desa", "tahun"], name="kebijakan_desa_one_per_year")]

    def __str__(self) -> str:
        return f"{self.desa} {self.tahun}"

    @property
    def has_regulation(self) -> bool:
        return bool(self.perdes_nomor)

    def clean(self):
        if self.perdes_tanggal and not self.perdes_nomor:
            raise ValidationError({"perdes_nomor": _("Give the number of the village regulation.")})
        if self.perdes_tanggal and self.tahun and self.perdes_tanggal.year > self.tahun:
            raise ValidationError({"perdes_tanggal": _("The regulation is dated after the year.")})


class Kpm(models.Model):
    """Aksi 5: a human-development cadre (KPM) of a desa."""

    desa = models.ForeignKey(Wilayah, on_delete=models.PROTECT, related_name="+", limit_choices_to=_DESA, verbose_name=_("desa"))
    nama = models.CharField(_("name"), max_length=150)
    telepon = models.CharField(_("telephone"), max_length=30, blank=True)
    sk_nomor = models.CharField(_("appointment decree (SK) number"), max_length=80, blank=True)
    mulai = models.PositiveSmallIntegerField(_("KPM since (year)"), validators=_YEAR)
    aktif = models.BooleanField(_("active"), default=True)

    scope_path = "desa"

    class Meta:
        verbose_name = _("KPM")
        verbose_name_plural = _("KPM")
        ordering = ["desa_id", "nama"]

    def __str__(self) -> str:
        return self.nama


class PelatihanKpm(models.Model):
    kpm = models.ForeignKey(Kpm, on_delete=models.CASCADE, related_name="pelatihan", verbose_name=_("KPM"))
    tanggal = models.DateField(_("date"))
    judul = models.CharField(_("training"), max_length=200)
    penyelenggara = models.CharField(_("organiser"), max_length=150, blank=True)
    jam = models.PositiveSmallIntegerField(_("hours"), null=True, blank=True)

    scope_path = "kpm__desa"

    class Meta:
        verbose_name = _("KPM training")
        verbose_name_plural = _("KPM trainings")
        ordering = ["-tanggal"]

    def __str__(self) -> str:
        return f"{self.judul} ({self.tanggal:%d/%m/%Y})" if self.tanggal else self.judul


class Kelompok(models.TextChoices):
    IBU_HAMIL = scorecard.IBU_HAMIL, _("pregnant woman")
    ANAK_0_23 = scorecard.ANAK_0_23, _("child 0–23 months")
    ANAK_2_6 = scorecard.ANAK_2_6, _("child 2–6 years")


class SasaranScorecard(models.Model):
    """One target person in one desa's quarterly scorecard, with Y/T/TS per item.

    ``jawaban`` maps item codes to answers; ``otomatis`` lists the items Tumbuh filled from
    its own data (the child's measurements), which are not typed over."""

    desa = models.ForeignKey(Wilayah, on_delete=models.PROTECT, related_name="+", limit_choices_to=_DESA, verbose_name=_("desa"))
    tahun = models.PositiveSmallIntegerField(_("year"), validators=_YEAR)
    triwulan = models.PositiveSmallIntegerField(_("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)])
    kelompok = models.CharField(pgettext_lazy("scorecard", "group"), max_length=10, choices=Kelompok.choices)
    nama = models.CharField(_("name"), max_length=150)
    anak = models.ForeignKey("measurements.Child", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("child in Tumbuh"))
    jawaban = models.JSONField(_("answers"), default=dict)
    otomatis = models.JSONField(_("filled by Tumbuh"), default=list, blank=True)
    dicatat_oleh = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("recorded by"))

    scope_path = "desa"

    class Meta:
        verbose_name = _("scorecard target person")
        verbose_name_plural = _("scorecard target people")
        ordering = ["kelompok", "nama"]
        constraints = [
            models.UniqueConstraint(fields=["desa", "tahun", "triwulan", "kelompok", "nama"], name="scorecard_one_row_per_person"),
        ]
        indexes = [models.Index(fields=["desa", "tahun", "triwulan"], name="scorecard_quarter_idx")]

    def __str__(self) -> str:
        return f"{self.nama} ({self.get_kelompok_display()}, {self.tahun} T{self.triwulan})"

    def counts(self) -> tuple[int, int]:
        return scorecard.person_counts(self.kelompok, self.jawaban)

    def clean(self):
        if not self.kelompok:
            return
        known = {i.code for i in scorecard.items(self.kelompok)}
        jawaban = self.jawaban or {}
        unknown = sorted(set(jawaban) - known)
        if unknown:
            raise ValidationError({"jawaban": _("Unknown items: %(items)s") % {"items": ", ".join(unknown)}})
        missing = [i.code for i in scorecard.items(self.kelompok) if jawaban.get(i.code) not in scorecard.ANSWERS]
        if missing:
            raise ValidationError({"jawaban": _("Answer Y, T or TS for: %(items)s") % {"items": ", ".join(missing)}})
        if self.anak_id and self.kelompok == Kelompok.IBU_HAMIL:
            raise ValidationError({"anak": _("A pregnant woman is not linked to a child.")})
        if self.anak_id and self.desa_id and self.anak.desa_id != self.desa_id:
            raise ValidationError({"anak": _("The child lives in another desa.")})


class PembinaDesa(models.Model):
    """OPD Pembina Desa: an agency assigned to mentor one desa for one year."""

    opd = models.ForeignKey(Opd, on_delete=models.PROTECT, related_name="desa_binaan", verbose_name=_("OPD"))
    desa = models.ForeignKey(Wilayah, on_delete=models.PROTECT, related_name="+", limit_choices_to=_DESA, verbose_name=_("desa"))
    tahun = models.PositiveSmallIntegerField(_("year"), validators=_YEAR)

    scope_path = "desa"

    class Meta:
        verbose_name = _("OPD Pembina Desa")
        verbose_name_plural = _("OPD Pembina Desa")
        ordering = ["-tahun", "desa_id"]
        constraints = [models.UniqueConstraint(fields=["desa", "tahun"], name="pembina_one_opd_per_desa_and_year")]

    def __str__(self) -> str:
        return f"{self.opd.short_name} → {self.desa.name} ({self.tahun})" if self.opd_id and self.desa_id else str(self.tahun)

    def clean(self):
        if self.opd_id and self.desa_id and self.opd.kabupaten_id != self.desa.kabupaten_code:
            raise ValidationError({"opd": _("The OPD belongs to another district.")})


class KunjunganPembina(models.Model):
    """A mentoring visit of the OPD to its desa, and the support given."""

    pembina = models.ForeignKey(PembinaDesa, on_delete=models.CASCADE, related_name="kunjungan", verbose_name=_("assignment"))
    tanggal = models.DateField(_("date"))
    kegiatan = models.CharField(_("activity"), max_length=250)
    dukungan = models.TextField(_("support given"), blank=True)
    dicatat_oleh = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("recorded by"))

    scope_path = "pembina__desa"

    class Meta:
        verbose_name = _("mentoring visit")
        verbose_name_plural = _("mentoring visits")
        ordering = ["-tanggal"]

    def __str__(self) -> str:
        return f"{self.kegiatan} ({self.tanggal:%d/%m/%Y})" if self.tanggal else self.kegiatan

    def clean(self):
        if self.tanggal and self.pembina_id and self.tanggal.year != self.pembina.tahun:
            raise ValidationError({"tanggal": _("The visit falls outside the assignment's year.")})
