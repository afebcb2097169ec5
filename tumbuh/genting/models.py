"""GENTING (Gerakan Orang Tua Asuh Cegah Stunting): foster parents who fund help for at-risk
families (KRS) or stunted children, the matches the TPPS secretariat confirms, and the help.

Privacy. Foster parents get no login: they are outside government, come and go, and a new
role would widen who can read children's data. Instead each match carries ``shared_fields``,
the secretariat's explicit choice of what the foster parent may know about their family
(by default only the desa and the help given), and the secretariat hands them a generated
information sheet (PDF) with exactly those fields. NIK is never one of the choices.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from tumbuh.wilayah.models import Level, Wilayah


class JenisOrangTuaAsuh(models.TextChoices):
    INDIVIDU = "individu", _("individual")
    INSTANSI = "instansi", _("government agency")
    PERUSAHAAN = "perusahaan", _("company")
    LSM = "lsm", _("NGO")


class OrangTuaAsuh(models.Model):
    """A foster parent: a person or an organisation, with a contact and a commitment."""

    kabupaten = models.ForeignKey(Wilayah, on_delete=models.PROTECT, related_name="+", limit_choices_to={"level": Level.KABUPATEN},
                                  verbose_name=_("regency / city"))
    nama = models.CharField(_("name"), max_length=200)
    jenis = models.CharField(_("kind"), max_length=12, choices=JenisOrangTuaAsuh.choices)
    kontak = models.CharField(_("contact person"), max_length=150, blank=True)
    telepon = models.CharField(_("telephone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    alamat = models.CharField(_("address"), max_length=250, blank=True)
    komitmen = models.TextField(_("commitment"), help_text=_("What they committed to, e.g. food for two families for six months."))
    komitmen_rupiah = models.PositiveBigIntegerField(_("committed value (Rp)"), null=True, blank=True)
    aktif = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_path = "kabupaten"

    class Meta:
        verbose_name = _("foster parent")
        verbose_name_plural = _("foster parents")
        ordering = ["nama"]

    def __str__(self) -> str:
        return self.nama


class SharedField(models.TextChoices):
    """What the secretariat may choose to share with a foster parent. Never the NIK."""

    DESA = "desa", _("desa and kecamatan")
    NAMA = "nama", _("first name")
    RISIKO = "risiko", _("risk factors of the family")
    USIA = "usia", _("age of the child")
    STATUS = "status", _("latest nutrition status (TB/U)")
    BANTUAN = "bantuan", _("help given")


DEFAULT_SHARED = [SharedField.DESA, SharedField.BANTUAN]


class StatusAsuhan(models.TextChoices):
    AKTIF = "aktif", _("active")
    SELESAI = "selesai", _("ended")


class Asuhan(models.Model):
    """A confirmed match of a foster parent to an at-risk family or a stunted child."""

    orang_tua_asuh = models.ForeignKey(OrangTuaAsuh, on_delete=models.PROTECT, related_name="asuhan", verbose_name=_("foster parent"))
    keluarga = models.ForeignKey("krs.Keluarga", on_delete=models.PROTECT, null=True, blank=True, related_name="asuhan",
                                 verbose_name=_("at-risk family"))
    anak = models.ForeignKey("measurements.Child", on_delete=models.PROTECT, null=True, blank=True, related_name="asuhan",
                             verbose_name=_("child"))
    desa = models.ForeignKey(Wilayah, on_delete=models.PROTECT, related_name="+", verbose_name=_("desa"))
    mulai = models.DateField(_("start"))
    selesai = models.DateField(_("end"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=StatusAsuhan.choices, default=StatusAsuhan.AKTIF)
    prioritas = models.PositiveSmallIntegerField(_("priority score when matched"), default=0)
    alasan_ulang = models.TextField(_("why matched again"), blank=True,
                                    help_text=_("Required when the family or child already has a match."))
    shared_fields = models.JSONField(_("shared with the foster parent"), default=list, blank=True)
    dikonfirmasi_oleh = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                          related_name="+", verbose_name=_("confirmed by"))
    created_at = models.DateTimeField(auto_now_add=True)

    scope_path = "desa"

    class Meta:
        verbose_name = _("foster match")
        verbose_name_plural = _("foster matches")
        ordering = ["-mulai", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(keluarga__isnull=False) | models.Q(anak__isnull=False),
                                   name="asuhan_has_a_target"),
        ]

    def __str__(self) -> str:
        return f"{self.orang_tua_asuh} → {self.target_name}"

    @property
    def target_name(self) -> str:
        if self.anak_id:
            return self.anak.name
        return self.keluarga.nama_kepala if self.keluarga_id else "—"

    def shares(self, name: str) -> bool:
        return name in (self.shared_fields or [])

    def clean(self):
        unknown = set(self.shared_fields or []) - set(SharedField.values)
        if unknown:
            raise ValidationError({"shared_fields": _("Unknown field to share: %(names)s") % {"names": ", ".join(sorted(unknown))}})
        if self.selesai and self.mulai and self.selesai < self.mulai:
            raise ValidationError({"selesai": _("The end is before the start.")})


class JenisBantuan(models.TextChoices):
    PANGAN = "pangan", _("food")
    AIR = "air", _("clean water")
    JAMBAN = "jamban", _("toilet")
    RUMAH = "rumah", _("housing")
    LAINNYA = "lainnya", _("other")


class Bantuan(models.Model):
    """Help given under a match: kind, value in rupiah, date; evidence is attached with do_attach."""

    asuhan = models.ForeignKey(Asuhan, on_delete=models.PROTECT, related_name="bantuan", verbose_name=_("foster match"))
    jenis = models.CharField(_("kind of help"), max_length=10, choices=JenisBantuan.choices)
    nilai = models.PositiveBigIntegerField(_("value (Rp)"))
    tanggal = models.DateField(_("date"))
    uraian = models.CharField(_("description"), max_length=250, blank=True)
    dicatat_oleh = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("recorded by"))

    scope_path = "asuhan__desa"

    class Meta:
        verbose_name = _("help given")
        verbose_name_plural = _("help given")
        ordering = ["-tanggal", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_jenis_display()} {self.tanggal:%d/%m/%Y}" if self.tanggal else self.get_jenis_display()

    def clean(self):
        if self.tanggal and self.asuhan_id and self.tanggal < self.asuhan.mulai:
            raise ValidationError({"tanggal": _("Help is recorded from the start of the match.")})
        if self.nilai is not None and self.nilai <= 0:
            raise ValidationError({"nilai": _("The value must be more than zero.")})
