"""Users, each with one role bound to one node of the region tree."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from tumbuh.wilayah.models import Level, Wilayah


class Role(models.TextChoices):
    PROVINCE = "province", _("Province (TPPS / Bappeda provinsi)")
    DISTRICT_ADMIN = "district_admin", _("District admin (TPPS secretariat)")
    OPD = "opd", _("OPD staff")
    KECAMATAN = "kecamatan", _("Kecamatan (camat / TPPS kecamatan)")
    PUSKESMAS = "puskesmas", _("Puskesmas officer")
    DESA = "desa", _("Desa operator")
    VIEWER = "viewer", _("Read-only viewer")


#: The level of the node each role is bound to (a viewer may sit at any level).
ROLE_LEVEL = {
    Role.PROVINCE: {Level.PROVINSI},
    Role.DISTRICT_ADMIN: {Level.KABUPATEN},
    Role.OPD: {Level.KABUPATEN},
    Role.KECAMATAN: {Level.KECAMATAN},
    Role.PUSKESMAS: {Level.KECAMATAN},
    Role.DESA: {Level.DESA},
    Role.VIEWER: {Level.KABUPATEN, Level.KECAMATAN, Level.DESA},
}


class User(AbstractUser):
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    wilayah = models.ForeignKey(
        Wilayah, on_delete=models.PROTECT, null=True, blank=True, related_name="users", verbose_name=_("region")
    )
    puskesmas = models.ForeignKey(
        "organisation.Puskesmas",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="officers",
        verbose_name=_("puskesmas"),
    )
    opd = models.ForeignKey(
        "organisation.Opd", on_delete=models.PROTECT, null=True, blank=True, related_name="staff", verbose_name=_("OPD")
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    scope_path = "wilayah"
    personal_data = True

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.full_name or self.username

    def clean(self):
        super().clean()
        if self.is_superuser:
            return
        errors = {}
        if not self.role:
            errors["role"] = _("Every user needs a role.")
        elif not self.wilayah_id:
            errors["wilayah"] = _("Every user is bound to a region.")
        elif self.wilayah.level not in ROLE_LEVEL[Role(self.role)]:
            errors["wilayah"] = _("This role is bound to a region at another level.")
        if self.role == Role.PUSKESMAS:
            if not self.puskesmas_id:
                errors["puskesmas"] = _("A puskesmas officer needs a puskesmas.")
            elif self.wilayah_id and self.puskesmas.kecamatan_id != self.wilayah_id:
                errors["wilayah"] = _("A puskesmas officer's region is the puskesmas's kecamatan.")
        if self.role == Role.OPD:
            if not self.opd_id:
                errors["opd"] = _("OPD staff need an OPD.")
            elif self.wilayah_id and self.opd.kabupaten_id != self.wilayah_id:
                errors["opd"] = _("The OPD belongs to another regency.")
        if errors:
            raise ValidationError(errors)
