"""The pooled visits a provincial (or national) instance loads from district exports.

A row holds no name, no NIK, no birth date and nothing of the parents: a pseudonymous child key
(HMAC-SHA256 keyed by the exporting district, which alone holds the key), region codes, sex, age
in days, the measurements and the growth engine's results. ``(child_key, visit_date)`` is unique,
so importing an export again adds nothing. Rows are scoped by their desa code
(``wilayah_code``), like every other row of Tumbuh.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PooledImport(models.Model):
    """One export loaded: what its manifest said and what the load did."""

    imported_at = models.DateTimeField(_("imported at"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    exporter = models.CharField(_("exporting instance"), max_length=120)
    kabupaten_codes = models.CharField(_("kabupaten codes"), max_length=300, blank=True)
    #: The export's first kabupaten (an instance exports one district, as a rule): its scope.
    wilayah_code = models.CharField(_("region"), max_length=13, blank=True, db_index=True)
    key_id = models.CharField(_("key fingerprint"), max_length=64)
    schema_version = models.PositiveSmallIntegerField(_("schema version"))
    generated_at = models.DateTimeField(_("exported at"))
    manifest_sha256 = models.CharField(_("manifest SHA-256"), max_length=64, db_index=True)
    files = models.PositiveIntegerField(_("files"))
    rows = models.PositiveIntegerField(_("rows in the export"))
    added = models.PositiveIntegerField(_("visits added"), default=0)
    updated = models.PositiveIntegerField(_("visits already pooled"), default=0)
    deleted = models.PositiveIntegerField(_("visits replaced (deleted first)"), default=0)

    scope_path = "wilayah_code"
    personal_data = False

    class Meta:
        verbose_name = _("pooled import")
        verbose_name_plural = _("pooled imports")
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.exporter} {self.generated_at:%d/%m/%Y %H:%M}"


class PooledVisit(models.Model):
    child_key = models.CharField(_("pseudonymous child key"), max_length=64)
    visit_date = models.DateField(_("visit date"))
    provinsi_code = models.CharField(_("provinsi code"), max_length=2, db_index=True)
    kabupaten_code = models.CharField(_("kabupaten code"), max_length=5, db_index=True)
    kecamatan_code = models.CharField(_("kecamatan code"), max_length=8)
    #: The desa's code: the column the policy scopes by.
    wilayah_code = models.CharField(_("desa code"), max_length=13, db_index=True)
    posyandu_id = models.BigIntegerField(_("posyandu (id in the exporting instance)"), null=True, blank=True)
    posyandu_code = models.CharField(_("posyandu code"), max_length=30, blank=True)
    sex = models.PositiveSmallIntegerField(_("sex"))
    age_days = models.IntegerField(_("age (days)"))
    weight = models.FloatField(_("weight (kg)"), null=True, blank=True)
    lenhei = models.FloatField(_("length/height (cm)"), null=True, blank=True)
    measure = models.CharField(_("position measured"), max_length=1, blank=True)
    oedema = models.BooleanField(_("oedema"), default=False)
    headc = models.FloatField(_("head circumference (cm)"), null=True, blank=True)
    armc = models.FloatField(_("arm circumference, LiLA (cm)"), null=True, blank=True)
    zlen = models.FloatField(_("length/height-for-age z"), null=True, blank=True)
    zwei = models.FloatField(_("weight-for-age z"), null=True, blank=True)
    zwfl = models.FloatField(_("weight-for-length/height z"), null=True, blank=True)
    zbmi = models.FloatField(_("BMI-for-age z"), null=True, blank=True)
    zac = models.FloatField(_("arm circumference-for-age z"), null=True, blank=True)
    zhc = models.FloatField(_("head circumference-for-age z"), null=True, blank=True)
    flen = models.BooleanField(_("length/height-for-age z outside WHO's plausible limits"), null=True, blank=True)
    fwei = models.BooleanField(_("weight-for-age z outside WHO's plausible limits"), null=True, blank=True)
    fwfl = models.BooleanField(_("weight-for-length/height z outside WHO's plausible limits"), null=True, blank=True)
    fbmi = models.BooleanField(_("BMI-for-age z outside WHO's plausible limits"), null=True, blank=True)
    fac = models.BooleanField(_("arm circumference-for-age z outside WHO's plausible limits"), null=True, blank=True)
    fhc = models.BooleanField(_("head circumference-for-age z outside WHO's plausible limits"), null=True, blank=True)
    status_tbu = models.CharField(_("TB/U status"), max_length=24, blank=True)
    status_bbu = models.CharField(_("BB/U status"), max_length=24, blank=True)
    status_bbtb = models.CharField(_("BB/TB status"), max_length=24, blank=True)
    status_imtu = models.CharField(_("IMT/U status"), max_length=24, blank=True)
    pooled_import = models.ForeignKey(
        PooledImport, on_delete=models.PROTECT, related_name="visits", verbose_name=_("last loaded by")
    )

    scope_path = "wilayah_code"
    personal_data = True

    class Meta:
        verbose_name = _("pooled visit")
        verbose_name_plural = _("pooled visits")
        constraints = [
            models.UniqueConstraint(fields=["child_key", "visit_date"], name="pooledvisit_one_per_key_and_date")
        ]
        indexes = [models.Index(fields=["kabupaten_code", "visit_date"], name="pooledvisit_kab_date_idx")]

    def __str__(self) -> str:
        return f"{self.child_key[:12]}… {self.visit_date:%d/%m/%Y}"
