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


class FosterParentKind(models.TextChoices):
    INDIVIDUAL = "individu", _("individual")
    AGENCY = "instansi", _("government agency")
    COMPANY = "perusahaan", _("company")
    NGO = "lsm", _("NGO")


class FosterParent(models.Model):
    """A foster parent (orang tua asuh): a person or an organisation, with a contact and a commitment."""

    kabupaten = models.ForeignKey(
        Wilayah,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": Level.KABUPATEN},
        verbose_name=_("regency / city"),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=FosterParentKind.choices)
    contact = models.CharField(_("contact person"), max_length=150, blank=True)
    phone = models.CharField(_("telephone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=250, blank=True)
    commitment = models.TextField(
        _("commitment"), help_text=_("What they committed to, e.g. food for two families for six months.")
    )
    commitment_rupiah = models.PositiveBigIntegerField(_("committed value (Rp)"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    scope_path = "kabupaten"
    personal_data = True

    class Meta:
        verbose_name = _("foster parent")
        verbose_name_plural = _("foster parents")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SharedField(models.TextChoices):
    """What the secretariat may choose to share with a foster parent. Never the NIK. (The
    stored values are the Indonesian words the matches were saved with.)"""

    DESA = "desa", _("desa and kecamatan")
    NAME = "nama", _("first name")
    RISKS = "risiko", _("risk factors of the family")
    AGE = "usia", _("age of the child")
    STATUS = "status", _("latest nutrition status (TB/U)")
    HELP = "bantuan", _("help given")


DEFAULT_SHARED = [SharedField.DESA, SharedField.HELP]


class MatchStatus(models.TextChoices):
    ACTIVE = "aktif", _("active")
    ENDED = "selesai", _("ended")


class FosterMatch(models.Model):
    """A confirmed match (asuhan) of a foster parent to an at-risk family or a stunted child."""

    foster_parent = models.ForeignKey(
        FosterParent, on_delete=models.PROTECT, related_name="matches", verbose_name=_("foster parent")
    )
    family = models.ForeignKey(
        "krs.Family",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="foster_matches",
        verbose_name=_("at-risk family"),
    )
    child = models.ForeignKey(
        "measurements.Child",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="foster_matches",
        verbose_name=_("child"),
    )
    desa = models.ForeignKey(Wilayah, on_delete=models.PROTECT, related_name="+", verbose_name=_("desa"))
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=MatchStatus.choices, default=MatchStatus.ACTIVE)
    priority = models.PositiveSmallIntegerField(_("priority score when matched"), default=0)
    rematch_reason = models.TextField(
        _("why matched again"), blank=True, help_text=_("Required when the family or child already has a match.")
    )
    shared_fields = models.JSONField(_("shared with the foster parent"), default=list, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    created_at = models.DateTimeField(_("matched at"), auto_now_add=True)

    scope_path = "desa"
    personal_data = True

    class Meta:
        verbose_name = _("foster match")
        verbose_name_plural = _("foster matches")
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(family__isnull=False) | models.Q(child__isnull=False),
                name="genting_match_has_a_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.foster_parent} → {self.target_name}"

    @property
    def target_name(self) -> str:
        if self.child_id:
            return self.child.name
        return self.family.head_name if self.family_id else "—"

    def shares(self, name: str) -> bool:
        return name in (self.shared_fields or [])

    def clean(self):
        unknown = set(self.shared_fields or []) - set(SharedField.values)
        if unknown:
            raise ValidationError(
                {"shared_fields": _("Unknown field to share: %(names)s") % {"names": ", ".join(sorted(unknown))}}
            )
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end is before the start.")})


class HelpKind(models.TextChoices):
    FOOD = "pangan", _("food")
    WATER = "air", _("clean water")
    TOILET = "jamban", _("toilet")
    HOUSING = "rumah", _("housing")
    OTHER = "lainnya", _("other")


class Help(models.Model):
    """Help given (bantuan) under a match: kind, value in rupiah, date; evidence is attached with do_attach."""

    match = models.ForeignKey(
        FosterMatch, on_delete=models.PROTECT, related_name="help_given", verbose_name=_("foster match")
    )
    kind = models.CharField(_("kind of help"), max_length=10, choices=HelpKind.choices)
    value = models.PositiveBigIntegerField(_("value (Rp)"))
    date = models.DateField(_("date"))
    description = models.CharField(_("description"), max_length=250, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    scope_path = "match__desa"
    personal_data = True

    class Meta:
        verbose_name = _("help given")
        verbose_name_plural = _("help given")
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date:%d/%m/%Y}" if self.date else self.get_kind_display()

    def clean(self):
        if self.date and self.match_id and self.date < self.match.start_date:
            raise ValidationError({"date": _("Help is recorded from the start of the match.")})
        if self.value is not None and self.value <= 0:
            raise ValidationError({"value": _("The value must be more than zero.")})
