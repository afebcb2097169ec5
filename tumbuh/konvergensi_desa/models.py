"""The village layer of the convergence actions.

- Aksi 4: the district's Perbup/Perwali on the village role (number, date, the document) and,
  per desa and year, whether the desa issued its own regulation or budgeted Dana Desa for
  stunting.
- Aksi 5: the KPM (Kader Pembangunan Manusia) roster per desa with training records, and the
  quarterly village convergence scorecard: one row per target person with Y/T/TS per item
  (``scorecard.py`` holds the items and the arithmetic).
- OPD Pembina Desa: an agency assigned to mentor a desa for a year, and its visits.

Names follow the project's rule (docs/architecture.md, Glossary): desa, KPM, Perbup/Perwali,
Perdes, Dana Desa stay Indonesian; everything else is English.
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


class RegulationKind(models.TextChoices):
    PERBUP = "perbup", _("Peraturan Bupati (Perbup)")
    PERWALI = "perwali", _("Peraturan Wali Kota (Perwali)")


class DesaRoleRegulation(models.Model):
    """Aksi 4: the Perbup/Perwali on the role of desa in stunting reduction."""

    kabupaten = models.ForeignKey(
        Wilayah,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": Level.KABUPATEN},
        verbose_name=_("regency / city"),
    )
    kind = models.CharField(_("kind"), max_length=8, choices=RegulationKind.choices, default=RegulationKind.PERBUP)
    number = models.CharField(_("number"), max_length=60, help_text=_("e.g. 23 Tahun 2024"))
    date = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=300)

    scope_path = "kabupaten"
    personal_data = False
    scope_reaches_up = True  # every desa works under the district's regulation

    class Meta:
        verbose_name = _("village-role regulation")
        verbose_name_plural = _("village-role regulations")
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class DesaPolicy(models.Model):
    """Aksi 4 in one desa and year: its own regulation on stunting, and Dana Desa for it."""

    desa = models.ForeignKey(
        Wilayah, on_delete=models.PROTECT, related_name="+", limit_choices_to=_DESA, verbose_name=_("desa")
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=_YEAR)
    perdes_number = models.CharField(
        _("village regulation number"),
        max_length=60,
        blank=True,
        help_text=_("Perdes or Perkades on stunting; empty if none."),
    )
    perdes_date = models.DateField(_("village regulation date"), null=True, blank=True)
    perdes_title = models.CharField(_("village regulation title"), max_length=300, blank=True)
    dana_desa = models.PositiveBigIntegerField(_("Dana Desa budgeted for stunting (Rp)"), default=0)
    note = models.CharField(_("notes"), max_length=300, blank=True)

    scope_path = "desa"
    personal_data = False

    class Meta:
        verbose_name = _("village policy on stunting")
        verbose_name_plural = _("village policies on stunting")
        ordering = ["desa_id", "-year"]
        constraints = [models.UniqueConstraint(fields=["desa", "year"], name="desa_policy_one_per_year")]

    def __str__(self) -> str:
        return f"{self.desa} {self.year}"

    @property
    def has_regulation(self) -> bool:
        return bool(self.perdes_number)

    def clean(self):
        if self.perdes_date and not self.perdes_number:
            raise ValidationError({"perdes_number": _("Give the number of the village regulation.")})
        if self.perdes_date and self.year and self.perdes_date.year > self.year:
            raise ValidationError({"perdes_date": _("The regulation is dated after the year.")})


class Kpm(models.Model):
    """Aksi 5: a human-development cadre (KPM) of a desa."""

    desa = models.ForeignKey(
        Wilayah, on_delete=models.PROTECT, related_name="+", limit_choices_to=_DESA, verbose_name=_("desa")
    )
    name = models.CharField(_("name"), max_length=150)
    phone = models.CharField(_("telephone"), max_length=30, blank=True)
    sk_number = models.CharField(_("appointment decree (SK) number"), max_length=80, blank=True)
    since_year = models.PositiveSmallIntegerField(_("KPM since (year)"), validators=_YEAR)
    is_active = models.BooleanField(_("active"), default=True)

    scope_path = "desa"
    personal_data = True

    class Meta:
        verbose_name = _("KPM")
        verbose_name_plural = _("KPM")
        ordering = ["desa_id", "name"]

    def __str__(self) -> str:
        return self.name


class KpmTraining(models.Model):
    kpm = models.ForeignKey(Kpm, on_delete=models.CASCADE, related_name="trainings", verbose_name=_("KPM"))
    date = models.DateField(_("date"))
    title = models.CharField(_("training"), max_length=200)
    organiser = models.CharField(_("organiser"), max_length=150, blank=True)
    hours = models.PositiveSmallIntegerField(_("hours"), null=True, blank=True)

    scope_path = "kpm__desa"
    personal_data = True

    class Meta:
        verbose_name = _("KPM training")
        verbose_name_plural = _("KPM trainings")
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.title} ({self.date:%d/%m/%Y})" if self.date else self.title


class TargetGroup(models.TextChoices):
    IBU_HAMIL = scorecard.IBU_HAMIL, _("pregnant woman")
    ANAK_0_23 = scorecard.ANAK_0_23, _("child 0–23 months")
    ANAK_2_6 = scorecard.ANAK_2_6, _("child 2–6 years")


class ScorecardTarget(models.Model):
    """One target person in one desa's quarterly scorecard, with Y/T/TS per item.

    ``answers`` maps item codes to answers; ``filled_by_tumbuh`` lists the items Tumbuh filled
    from its own data (the child's measurements), which are not typed over."""

    desa = models.ForeignKey(
        Wilayah, on_delete=models.PROTECT, related_name="+", limit_choices_to=_DESA, verbose_name=_("desa")
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=_YEAR)
    quarter = models.PositiveSmallIntegerField(_("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)])
    group = models.CharField(pgettext_lazy("scorecard", "group"), max_length=10, choices=TargetGroup.choices)
    name = models.CharField(_("name"), max_length=150)
    child = models.ForeignKey(
        "measurements.Child",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("child in Tumbuh"),
    )
    answers = models.JSONField(_("answers"), default=dict)
    filled_by_tumbuh = models.JSONField(_("filled by Tumbuh"), default=list, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    scope_path = "desa"
    personal_data = True

    class Meta:
        verbose_name = _("scorecard target person")
        verbose_name_plural = _("scorecard target people")
        ordering = ["group", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["desa", "year", "quarter", "group", "name"], name="scorecard_one_row_per_person"
            ),
        ]
        indexes = [models.Index(fields=["desa", "year", "quarter"], name="scorecard_quarter_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_group_display()}, {self.year} T{self.quarter})"

    @classmethod
    def audit_labels(cls, field_name: str) -> dict:
        """The audit log's words for the items and answers stored as codes (``audit.display``)."""
        if field_name in ("answers", "filled_by_tumbuh"):
            return {**scorecard.item_labels(), **scorecard.ANSWER_LABELS}
        return {}

    def counts(self) -> tuple[int, int]:
        return scorecard.person_counts(self.group, self.answers)

    def clean(self):
        if not self.group:
            return
        known = {i.code for i in scorecard.items(self.group)}
        answers = self.answers or {}
        unknown = sorted(set(answers) - known)
        if unknown:
            raise ValidationError({"answers": _("Unknown items: %(items)s") % {"items": ", ".join(unknown)}})
        missing = [i.code for i in scorecard.items(self.group) if answers.get(i.code) not in scorecard.ANSWERS]
        if missing:
            raise ValidationError({"answers": _("Answer Y, T or TS for: %(items)s") % {"items": ", ".join(missing)}})
        if self.child_id and self.group == TargetGroup.IBU_HAMIL:
            raise ValidationError({"child": _("A pregnant woman is not linked to a child.")})
        if self.child_id and self.desa_id and self.child.desa_id != self.desa_id:
            raise ValidationError({"child": _("The child lives in another desa.")})


class DesaMentor(models.Model):
    """OPD Pembina Desa: an agency assigned to mentor one desa for one year."""

    opd = models.ForeignKey(Opd, on_delete=models.PROTECT, related_name="mentored_desa", verbose_name=_("OPD"))
    desa = models.ForeignKey(
        Wilayah, on_delete=models.PROTECT, related_name="+", limit_choices_to=_DESA, verbose_name=_("desa")
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=_YEAR)

    scope_path = "desa"
    personal_data = False

    class Meta:
        verbose_name = _("OPD Pembina Desa")
        verbose_name_plural = _("OPD Pembina Desa")
        ordering = ["-year", "desa_id"]
        constraints = [models.UniqueConstraint(fields=["desa", "year"], name="mentor_one_opd_per_desa_and_year")]

    def __str__(self) -> str:
        return (
            f"{self.opd.short_name} → {self.desa.name} ({self.year})"
            if self.opd_id and self.desa_id
            else str(self.year)
        )

    def clean(self):
        if self.opd_id and self.desa_id and self.opd.kabupaten_id != self.desa.kabupaten_code:
            raise ValidationError({"opd": _("The OPD belongs to another district.")})


class MentorVisit(models.Model):
    """A mentoring visit of the OPD to its desa, and the support given."""

    mentor = models.ForeignKey(
        DesaMentor, on_delete=models.CASCADE, related_name="visits", verbose_name=_("assignment")
    )
    date = models.DateField(_("date"))
    activity = models.CharField(_("activity"), max_length=250)
    support = models.TextField(_("support given"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    scope_path = "mentor__desa"
    personal_data = False

    class Meta:
        verbose_name = _("mentoring visit")
        verbose_name_plural = _("mentoring visits")
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.activity} ({self.date:%d/%m/%Y})" if self.date else self.activity

    def clean(self):
        if self.date and self.mentor_id and self.date.year != self.mentor.year:
            raise ValidationError({"date": _("The visit falls outside the assignment's year.")})
