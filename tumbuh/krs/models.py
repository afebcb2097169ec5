"""At-risk families (KRS, Keluarga Berisiko Stunting) from BKKBN's family data, the family
companion teams (TPK) assigned to them, the TPK's visits, the children measured at the
posyandu whom a user confirmed as members of a family (``FamilyChild``), and the number of
all families per desa and year (``FamilyCount``), the total the KRS are a part of.

A family is known by its data year and the NIK of its head: the same family in next year's
list is a new row (its risks may have changed), the same file imported twice is not. The
head's NIK is personal data: it is matched on, and shown only through ``{% nik %}`` (the
wife's too: ``{% nik family "wife_nik" %}``).

Every family on the list is at risk by BKKBN's own determination. Each risk factor and target
member is yes, no, or unknown (``None``): a list that does not carry a factor (BKKBN's Verval
KRS list has no housing, maternal education or poverty columns) leaves it unknown, which is
never counted as "no" (see ``counts.risk_shares``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tumbuh.measurements.nik import mask_nik
from tumbuh.wilayah.models import Level, Wilayah

#: The risk factors of BKKBN's family data, as (field, label). Order is the order of the list.
RISK_FACTORS = (
    ("air_tidak_layak", _("unsafe drinking water")),
    ("jamban_tidak_layak", _("unfit toilet")),
    ("rumah_tidak_layak", _("unfit housing")),
    ("pendidikan_ibu_rendah", _("low maternal education")),
    ("miskin", _("poor family")),
    ("terlalu_muda", _("mother too young (< 20)")),
    ("terlalu_tua", _("mother too old (35–40 years)")),
    ("terlalu_dekat", _("births too close (< 2 years)")),
    ("terlalu_banyak", _("too many children (≥ 3)")),
)

#: The family's target members (sasaran), as (field, label). ``ada_balita`` is a child of
#: 0–59 months: a child under two or one of 24–59 months.
TARGET_MEMBERS = (
    ("ada_baduta", _("child under 2")),
    ("ada_anak_24_59", _("child of 24–59 months")),
    ("ada_balita", _("child under 5")),
    ("ada_pus", _("couple of fertile age")),
    ("ada_ibu_hamil", _("pregnant woman")),
)

#: BKKBN's codes for the accompaniment a family received ("Jenis Pendampingan yang Diterima"),
#: as (code, the words a list may write instead, label). The one place these codes are declared.
PENDAMPINGAN = (
    ("1", ("rujukan", "dirujuk", "referral"), _("referral")),
    ("2", ("bansos", "bantuan sosial", "social assistance"), _("social assistance")),
    (
        "3",
        ("kie", "penyuluhan", "komunikasi informasi dan edukasi", "konseling"),
        _("counselling and information (KIE)"),
    ),
)


class Tpk(models.Model):
    """A TPK (Tim Pendamping Keluarga): a midwife, a PKK cadre and a KB cadre who accompany
    families in one desa."""

    desa = models.ForeignKey(
        Wilayah,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": Level.DESA},
        verbose_name=_("desa"),
    )
    name = models.CharField(_("team name"), max_length=120, help_text=_("e.g. TPK Balantang 1"))
    midwife = models.CharField(_("midwife"), max_length=120)
    pkk_cadre = models.CharField(_("PKK cadre"), max_length=120)
    kb_cadre = models.CharField(_("KB cadre"), max_length=120)
    phone = models.CharField(_("telephone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    scope_path = "desa"
    personal_data = True

    class Meta:
        verbose_name = _("family companion team (TPK)")
        verbose_name_plural = _("family companion teams (TPK)")
        ordering = ["desa_id", "name"]
        constraints = [models.UniqueConstraint(fields=["desa", "name"], name="tpk_unique_name_per_desa")]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.desa_id and self.desa.level != Level.DESA:
            raise ValidationError({"desa": _("Choose a desa or kelurahan.")})


class Family(models.Model):
    """One at-risk family (keluarga berisiko stunting) in one year's list. The yes/no fields
    and ``jenis_pendampingan`` keep the names of BKKBN's own variables."""

    year = models.PositiveSmallIntegerField(_("data year"))
    desa = models.ForeignKey(
        Wilayah,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": Level.DESA},
        verbose_name=_("desa"),
    )
    nik = models.CharField(_("NIK of the family head"), max_length=16)
    kk_number = models.CharField(_("family card (KK) number"), max_length=16, blank=True)
    head_name = models.CharField(_("family head"), max_length=150)
    rt = models.CharField(_("RT"), max_length=4, blank=True)
    rw = models.CharField(_("RW"), max_length=4, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)

    wife_nik = models.CharField(_("NIK of the wife"), max_length=16, blank=True)
    wife_name = models.CharField(_("wife"), max_length=150, blank=True)

    # Yes, no or unknown (None: the list did not carry it).
    ada_baduta = models.BooleanField(_("child under 2"), null=True, blank=True, default=None)
    ada_anak_24_59 = models.BooleanField(_("child of 24–59 months"), null=True, blank=True, default=None)
    ada_balita = models.BooleanField(_("child under 5"), null=True, blank=True, default=None)
    ada_pus = models.BooleanField(_("couple of fertile age"), null=True, blank=True, default=None)
    ada_ibu_hamil = models.BooleanField(_("pregnant woman"), null=True, blank=True, default=None)

    air_tidak_layak = models.BooleanField(_("unsafe drinking water"), null=True, blank=True, default=None)
    jamban_tidak_layak = models.BooleanField(_("unfit toilet"), null=True, blank=True, default=None)
    rumah_tidak_layak = models.BooleanField(_("unfit housing"), null=True, blank=True, default=None)
    pendidikan_ibu_rendah = models.BooleanField(_("low maternal education"), null=True, blank=True, default=None)
    miskin = models.BooleanField(_("poor family"), null=True, blank=True, default=None)
    terlalu_muda = models.BooleanField(_("mother too young (< 20)"), null=True, blank=True, default=None)
    terlalu_tua = models.BooleanField(_("mother too old (35–40 years)"), null=True, blank=True, default=None)
    terlalu_dekat = models.BooleanField(_("births too close (< 2 years)"), null=True, blank=True, default=None)
    terlalu_banyak = models.BooleanField(_("too many children (≥ 3)"), null=True, blank=True, default=None)
    #: BKKBN's own summary column "PUS 4 Terlalu", as the list gives it (checked on import
    #: against the four, a disagreement is a warning of the batch).
    empat_terlalu = models.BooleanField(
        _("couple with any of the 4 terlalu (as listed)"), null=True, blank=True, default=None
    )
    bukan_peserta_kb_modern = models.BooleanField(
        _("not using modern contraception"), null=True, blank=True, default=None
    )
    #: The codes of ``PENDAMPINGAN`` received, comma-separated ("1,3"); a code the list wrote
    #: that Tumbuh does not know is kept as written. "" none; None: the list did not say.
    jenis_pendampingan = models.CharField(  # noqa: DJ001  None ≠ "" (see above)
        _("accompaniment received"), max_length=60, null=True, blank=True, default=None
    )

    tpk = models.ForeignKey(
        Tpk, on_delete=models.SET_NULL, null=True, blank=True, related_name="families", verbose_name=_("TPK")
    )
    import_batch = models.ForeignKey(
        "imports.ImportBatch",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("import batch"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    scope_path = "desa"
    personal_data = True

    class Meta:
        verbose_name = _("at-risk family (KRS)")
        verbose_name_plural = _("at-risk families (KRS)")
        ordering = ["desa_id", "head_name"]
        constraints = [models.UniqueConstraint(fields=["year", "nik"], name="krs_one_family_per_year")]
        indexes = [models.Index(fields=["desa", "year"], name="krs_family_desa_year_idx")]

    def __str__(self) -> str:
        return f"{self.head_name} ({self.year})"

    @property
    def nik_masked(self) -> str:
        return mask_nik(self.nik)

    def risk_factors(self) -> list:
        """The risk factors the list marks (yes), as labels."""
        return [label for name, label in RISK_FACTORS if getattr(self, name) is True]

    def unknown_risk_factors(self) -> list:
        """The risk factors the list did not carry."""
        return [label for name, label in RISK_FACTORS if getattr(self, name) is None]

    @property
    def risk_count(self) -> int:
        """How many risk factors are marked; an unknown one is not counted."""
        return sum(1 for name, _label in RISK_FACTORS if getattr(self, name) is True)

    def target_members(self) -> list:
        return [label for name, label in TARGET_MEMBERS if getattr(self, name) is True]

    def unknown_target_members(self) -> list:
        return [label for name, label in TARGET_MEMBERS if getattr(self, name) is None]

    @property
    def has_under_five(self) -> bool | None:
        """Does the list name a child of 0–59 months in the family? None: it does not say."""
        flags = (self.ada_balita, self.ada_baduta, self.ada_anak_24_59)
        if True in flags:
            return True
        return (
            False if self.ada_balita is False or (self.ada_baduta is False and self.ada_anak_24_59 is False) else None
        )

    def accompaniment(self) -> list[str] | None:
        """The accompaniment received, in words (a code Tumbuh does not know as written);
        [] none, None: the list did not say."""
        if self.jenis_pendampingan is None:
            return None
        labels = {code: label for code, _words, label in PENDAMPINGAN}
        return [str(labels.get(code, code)) for code in self.jenis_pendampingan.split(",") if code]

    def clean(self):
        if self.tpk_id and self.desa_id and self.tpk.desa_id != self.desa_id:
            raise ValidationError({"tpk": _("The TPK works in another desa.")})


#: Where the number of families comes from unless the district says otherwise.
SOURCE_PK = "Pendataan Keluarga BKKBN"


class FamilyCount(models.Model):
    """How many families live in a desa in a year, from BKKBN's family data (Pendataan
    Keluarga): the column "Jumlah Keluarga" of the Master Ansit, beside the KRS on that year's
    list. One number per desa and year: entering or importing it again updates it."""

    desa = models.ForeignKey(
        Wilayah,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": Level.DESA},
        verbose_name=_("desa"),
    )
    year = models.PositiveSmallIntegerField(
        _("data year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    families = models.PositiveIntegerField(_("families"))
    families_with_under_five = models.PositiveIntegerField(_("families with a child under five"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=120, default=SOURCE_PK)
    import_batch = models.ForeignKey(
        "imports.ImportBatch",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("import batch"),
    )

    scope_path = "desa"
    personal_data = False

    class Meta:
        verbose_name = _("number of families")
        verbose_name_plural = _("numbers of families")
        ordering = ["desa_id", "year"]
        constraints = [models.UniqueConstraint(fields=["desa", "year"], name="krs_family_count_per_desa_year")]

    def __str__(self) -> str:
        return f"{self.desa_id} {self.year}: {self.families}"

    def clean(self):
        if self.desa_id and self.desa.level != Level.DESA:
            raise ValidationError({"desa": _("Choose a desa or kelurahan.")})
        with_under_five = self.families_with_under_five
        if with_under_five is not None and self.families is not None and with_under_five > self.families:
            raise ValidationError(
                {"families_with_under_five": _("More families with a child under five than families.")}
            )


class Activity(models.TextChoices):
    """What a TPK visit did. The stored values are the Indonesian words of the TPK's report."""

    COUNSELLING = "penyuluhan", _("counselling (KIE)")
    REFERRAL = "rujukan", _("referral to health services")
    SOCIAL_ASSISTANCE = "bantuan", _("help with social assistance")
    MONITORING = "pemantauan", _("monitoring")


class TpkVisit(models.Model):
    """One visit of a TPK to a family."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="visits", verbose_name=_("family"))
    tpk = models.ForeignKey(Tpk, on_delete=models.PROTECT, related_name="visits", verbose_name=_("TPK"))
    date = models.DateField(_("date"))
    activity = models.CharField(_("activity"), max_length=20, choices=Activity.choices)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    scope_path = "family__desa"
    personal_data = True

    class Meta:
        verbose_name = _("TPK visit")
        verbose_name_plural = _("TPK visits")
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.family.head_name} {self.date:%d/%m/%Y}" if self.date else str(self.family)

    def clean(self):
        if self.tpk_id and self.family_id and self.tpk.desa_id != self.family.desa_id:
            raise ValidationError({"tpk": _("The TPK works in another desa.")})


class LinkMethod(models.TextChoices):
    SUGGESTION = "saran", _("confirmed from a suggestion")
    MANUAL = "manual", _("chosen by a user")


class FamilyChild(models.Model):
    """A child measured at the posyandu, confirmed by a user as a member of an at-risk family of
    one year's list. Tumbuh only suggests (``linking.py``); a link exists once someone confirmed it.

    A child belongs to at most one family of a year's list (``year`` is the family's year, kept
    here so the database can hold that rule); next year's list has new family rows, linked anew."""

    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="child_links", verbose_name=_("family"))
    child = models.ForeignKey(
        "measurements.Child", on_delete=models.PROTECT, related_name="krs_links", verbose_name=_("child")
    )
    year = models.PositiveSmallIntegerField(_("data year"))
    method = models.CharField(_("how"), max_length=10, choices=LinkMethod.choices, default=LinkMethod.SUGGESTION)
    reason = models.CharField(_("why"), max_length=300)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("linked by"),
    )
    created_at = models.DateTimeField(_("linked on"), auto_now_add=True)

    scope_path = "family__desa"
    personal_data = True

    class Meta:
        verbose_name = _("child of an at-risk family")
        verbose_name_plural = _("children of at-risk families")
        ordering = ["family_id", "child__birth_date"]
        constraints = [
            models.UniqueConstraint(fields=["family", "child"], name="krs_child_once_per_family"),
            models.UniqueConstraint(fields=["child", "year"], name="krs_child_one_family_per_year"),
        ]

    def __str__(self) -> str:
        child = self.child.name if self.child_id else "—"
        family = self.family.head_name if self.family_id else "—"
        return f"{child} ↔ {family} ({self.year})"

    def clean(self):
        if self.family_id and self.year != self.family.year:
            raise ValidationError({"year": _("The year is the family's data year.")})
        if self.family_id and self.child_id and self.child.desa_id != self.family.desa_id:
            raise ValidationError({"child": _("The child lives in another desa than the family.")})
