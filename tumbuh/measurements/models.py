"""Children under five and their measurements (visits).

A measurement stores what was measured; its z-scores, flags and Permenkes categories are
computed by the growth engine (``scoring.py``) whenever the inputs change, never typed in.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tumbuh.organisation.models import Posyandu
from tumbuh.wilayah.models import Level, Wilayah

from . import ids
from .nik import mask_nik


def new_tumbuh_id() -> str:
    """A stable identifier for a child with or without NIK, e.g. ``TB-7K2M-9QXA``: drawn for an
    unsaved child, made sure to be free when it is saved (``Child.save``; batches: ``ids``)."""
    return ids.draw()


class Sex(models.IntegerChoices):
    MALE = 1, _("Male (laki-laki)")
    FEMALE = 2, _("Female (perempuan)")


class Position(models.TextChoices):
    LYING = "l", _("Lying (length)")
    STANDING = "h", _("Standing (height)")


class Source(models.TextChoices):
    IMPORT = "import", _("Import")
    FORM = "form", _("Posyandu form")
    API = "api", _("API")
    DEMO = "demo", _("Demo data")


class ChildManager(models.Manager):
    """The children Tumbuh counts: not merged into another (``Child.objects``)."""

    def get_queryset(self):
        return super().get_queryset().filter(merged_into__isnull=True)


class Child(models.Model):
    """A child under five. A child registered twice is merged into the right record
    (``actions.do_merge_children``): the merged record stays, pointing at the survivor
    (``merged_into``), out of every list and figure (``Child.objects``), restorable by
    ``actions.do_unmerge_child``. ``Child.all_objects`` (the default manager, so that the
    audited actions find a merged child as it is stored) sees them too."""

    tumbuh_id = models.CharField(_("Tumbuh ID"), max_length=16, unique=True, default=new_tumbuh_id, editable=False)
    nik = models.CharField(_("NIK"), max_length=16, blank=True, db_index=True)
    name = models.CharField(_("name"), max_length=150)
    sex = models.PositiveSmallIntegerField(_("sex"), choices=Sex.choices)
    birth_date = models.DateField(_("birth date"))
    birth_weight = models.DecimalField(_("birth weight (kg)"), max_digits=4, decimal_places=2, null=True, blank=True)
    birth_length = models.DecimalField(_("birth length (cm)"), max_digits=4, decimal_places=1, null=True, blank=True)
    parent_name = models.CharField(_("mother's / parent's name"), max_length=150, blank=True)
    desa = models.ForeignKey(
        Wilayah,
        on_delete=models.PROTECT,
        related_name="child_set",
        limit_choices_to={"level": Level.DESA},
        verbose_name=_("desa"),
    )
    posyandu = models.ForeignKey(
        Posyandu, on_delete=models.SET_NULL, null=True, blank=True, related_name="children", verbose_name=_("posyandu")
    )
    rt = models.CharField(_("RT"), max_length=4, blank=True)
    rw = models.CharField(_("RW"), max_length=4, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    birth_order = models.PositiveSmallIntegerField(_("birth order (child number)"), null=True, blank=True)
    #: The parent's NIK is personal data like the child's: matched on, shown only through ``{% nik %}``.
    parent_nik = models.CharField(_("parent's NIK"), max_length=16, blank=True)
    parent_phone = models.CharField(_("parent's phone"), max_length=20, blank=True)
    #: A child registered twice: the record it was merged into (the survivor), when, by whom, why.
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_children",
        verbose_name=_("merged into"),
    )
    merged_at = models.DateTimeField(_("merged at"), null=True, blank=True)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("merged by"),
    )
    merge_reason = models.TextField(_("reason for the merge"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ChildManager()
    all_objects = models.Manager()  # noqa: DJ012  a manager, which ruff takes for a field

    scope_path = "desa"
    personal_data = True

    class Meta:
        verbose_name = _("child")
        verbose_name_plural = _("children")
        ordering = ["name", "birth_date"]
        default_manager_name = "all_objects"
        constraints = [
            # A valid NIK names one child; children without one have an empty NIK. A merged
            # record keeps its own NIK, which the survivor may then take.
            models.UniqueConstraint(
                fields=["nik"], condition=~Q(nik="") & Q(merged_into__isnull=True), name="child_unique_nik"
            ),
        ]
        indexes = [
            models.Index(fields=["desa", "name"], name="child_desa_name_idx"),
            models.Index(fields=["posyandu", "birth_date"], name="child_posyandu_birth_idx"),
            # The child list's keyset pages (``views.CHILD_ORDER``): a page at any depth of a
            # province's million children is an index seek.
            models.Index(fields=["name", "birth_date", "id"], name="child_name_birth_id_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        """A new child's Tumbuh ID is one no stored child holds: drawn again if it is, or if a
        concurrent transaction stores it before this INSERT (``ids.insert_with_ids``)."""
        if not self._state.adding:
            return super().save(*args, **kwargs)

        def insert(chosen: list[str]) -> None:
            self.tumbuh_id = chosen[0]
            super(Child, self).save(*args, **kwargs)

        return ids.insert_with_ids(insert, ids.free([self.tumbuh_id]))

    def validate_unique(self, exclude=None):
        # A new child's Tumbuh ID is made free by ``save``, never refused.
        if self._state.adding:
            exclude = {*(exclude or ()), "tumbuh_id"}
        super().validate_unique(exclude=exclude)

    @property
    def is_merged(self) -> bool:
        return self.merged_into_id is not None

    @property
    def nik_masked(self) -> str:
        return mask_nik(self.nik)

    @property
    def parent_nik_masked(self) -> str:
        return mask_nik(self.parent_nik)

    @property
    def name_is_anonymised(self) -> bool:
        """e-PPGBM downloads may carry ``ANON_123`` instead of a name: never a name to match on."""
        return is_anonymised(self.name)


_ANON = re.compile(r"^\s*anon[\s_-]*\d*\s*$", re.I)


def is_anonymised(name: str) -> bool:
    """``ANON_123``, ``anon-7``, ``ANON``: a placeholder for a name withheld by the exporting system."""
    return bool(_ANON.match(name or ""))


class WeightGain(models.TextChoices):
    """The growth-monitoring card's code for the month (SKDN): the basis of the N/D indicator."""

    NAIK = "N", _("N: gained weight")
    TIDAK_NAIK = "T", _("T: did not gain weight")
    TIDAK_DITIMBANG = "O", _("O: not weighed the month before")
    BARU = "B", _("B: weighed for the first time")


class VisitManager(models.Manager):
    """The visits that count: not removed (``Measurement.objects``)."""

    def get_queryset(self):
        return super().get_queryset().filter(removed_at__isnull=True)


class Measurement(models.Model):
    """One visit: what was measured on one date. A child has at most one per date.

    A visit entered by mistake is removed, not deleted (``actions.do_remove_visit``): it keeps
    its values with who removed it, when and why, and is left out of every figure, list,
    export, chart and aggregate, which all read ``Measurement.objects``; it can be restored
    (``actions.do_restore_visit``). ``Measurement.all_objects`` (the default manager, so that
    the audited actions find a removed visit as it is stored) sees removed visits too; so do the
    related managers (``child.measurements``): read a child's visits through
    ``Measurement.objects.filter(child=…)``."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="measurements", verbose_name=_("child"))
    date = models.DateField(_("measurement date"))
    weight = models.DecimalField(_("weight (kg)"), max_digits=5, decimal_places=2, null=True, blank=True)
    lenhei = models.DecimalField(_("length/height (cm)"), max_digits=5, decimal_places=1, null=True, blank=True)
    position = models.CharField(_("position measured"), max_length=1, choices=Position.choices, blank=True)
    muac = models.DecimalField(_("arm circumference, LiLA (cm)"), max_digits=4, decimal_places=1, null=True, blank=True)
    headc = models.DecimalField(_("head circumference (cm)"), max_digits=4, decimal_places=1, null=True, blank=True)
    oedema = models.BooleanField(_("oedema"), default=False)

    # Services recorded with the visit (e-PPGBM's columns); empty/None: the source did not say.
    weight_gain = models.CharField(_("weight gain (N/T/O/B)"), max_length=1, choices=WeightGain.choices, blank=True)
    vitamin_a = models.PositiveSmallIntegerField(_("vitamin A capsules received"), null=True, blank=True)
    kia_book = models.BooleanField(_("has the KIA book"), null=True, blank=True)
    kpsp = models.CharField(_("KPSP developmental screening"), max_length=40, blank=True)
    kelas_ibu_balita = models.BooleanField(_("mother attends kelas ibu balita"), null=True, blank=True)
    mbg = models.BooleanField(_("receives free nutritious meals (MBG)"), null=True, blank=True)
    #: Exclusive breastfeeding in months 0 to 6, one character per month: Y (yes), T (no), - (not recorded).
    asi_months = models.CharField(_("exclusive breastfeeding, months 0–6"), max_length=7, blank=True)

    # Where and how it came in.
    desa = models.ForeignKey(
        Wilayah,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": Level.DESA},
        verbose_name=_("desa"),
    )
    posyandu = models.ForeignKey(
        Posyandu,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measurements",
        verbose_name=_("posyandu"),
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.FORM)
    import_batch = models.ForeignKey(
        "imports.ImportBatch",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measurements",
        verbose_name=_("import batch"),
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # A visit removed by mistake, and the child it came from when two children were merged.
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("removed by"),
    )
    removal_reason = models.TextField(_("reason for the removal"), blank=True)
    merged_from = models.ForeignKey(
        Child,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("moved here from child (merge)"),
    )

    # Computed by the growth engine (scoring.py); never edited by hand.
    age_days = models.IntegerField(_("age (days)"), null=True, blank=True)
    zlen = models.FloatField(_("length/height-for-age z"), null=True, blank=True)
    zwei = models.FloatField(_("weight-for-age z"), null=True, blank=True)
    zwfl = models.FloatField(_("weight-for-length/height z"), null=True, blank=True)
    zbmi = models.FloatField(_("BMI-for-age z"), null=True, blank=True)
    zac = models.FloatField(_("arm circumference-for-age z"), null=True, blank=True)
    zhc = models.FloatField(_("head circumference-for-age z"), null=True, blank=True)
    # WHO's flags: a z-score outside the plausible limits.
    flen = models.BooleanField(_("length/height-for-age z outside WHO's plausible limits"), null=True, blank=True)
    fwei = models.BooleanField(_("weight-for-age z outside WHO's plausible limits"), null=True, blank=True)
    fwfl = models.BooleanField(_("weight-for-length/height z outside WHO's plausible limits"), null=True, blank=True)
    fbmi = models.BooleanField(_("BMI-for-age z outside WHO's plausible limits"), null=True, blank=True)
    fac = models.BooleanField(_("arm circumference-for-age z outside WHO's plausible limits"), null=True, blank=True)
    fhc = models.BooleanField(_("head circumference-for-age z outside WHO's plausible limits"), null=True, blank=True)
    status_tbu = models.CharField(_("TB/U status"), max_length=24, blank=True, db_index=True)
    status_bbu = models.CharField(_("BB/U status"), max_length=24, blank=True)
    status_bbtb = models.CharField(_("BB/TB status"), max_length=24, blank=True)
    status_imtu = models.CharField(_("IMT/U status"), max_length=24, blank=True)
    engine_reason = models.CharField(_("why a z-score is missing"), max_length=300, blank=True)
    warnings = models.CharField(_("warnings"), max_length=300, blank=True)

    # e-PPGBM's own z-scores, kept to compare with Tumbuh's.
    eppgbm_zlen = models.FloatField(_("length/height-for-age z (e-PPGBM)"), null=True, blank=True)
    eppgbm_zwei = models.FloatField(_("weight-for-age z (e-PPGBM)"), null=True, blank=True)
    eppgbm_zwfl = models.FloatField(_("weight-for-length/height z (e-PPGBM)"), null=True, blank=True)

    objects = VisitManager()
    all_objects = models.Manager()  # noqa: DJ012  a manager, which ruff takes for a field

    scope_path = "desa"
    personal_data = True

    #: Inputs: when one of these changes, the computed fields are computed again.
    INPUT_FIELDS = ("date", "weight", "lenhei", "position", "muac", "headc", "oedema")
    #: What the visit records besides the measurements (not inputs of the growth engine).
    SERVICE_FIELDS = ("weight_gain", "vitamin_a", "kia_book", "kpsp", "kelas_ibu_balita", "mbg", "asi_months")

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        ordering = ["child_id", "date"]
        default_manager_name = "all_objects"
        constraints = [
            # A removed visit leaves its date free for the right one.
            models.UniqueConstraint(
                fields=["child", "date"],
                condition=Q(removed_at__isnull=True),
                name="measurement_one_per_child_and_date",
            ),
        ]
        indexes = [
            models.Index(fields=["desa", "date"], name="measurement_desa_date_idx"),
            models.Index(fields=["posyandu", "date"], name="measurement_posyandu_date_idx"),
            models.Index(fields=["date"], name="measurement_date_idx"),
            # The few removed visits, for their list and for the importer (no entry for the others).
            models.Index(fields=["removed_at"], condition=Q(removed_at__isnull=False), name="measurement_removed_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.child} {self.date:%d/%m/%Y}" if self.child_id and self.date else "—"

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None


class NameKind(models.TextChoices):
    KECAMATAN = "kecamatan", _("kecamatan")
    DESA = "desa", _("desa")
    PUSKESMAS = "puskesmas", _("puskesmas")
    POSYANDU = "posyandu", _("posyandu")


class NameMapping(models.Model):
    """A name as written in imported files, confirmed once by a user to mean one of Tumbuh's
    records (a region code, or a puskesmas/posyandu id); later imports use it."""

    kabupaten = models.ForeignKey(
        Wilayah,
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"level": Level.KABUPATEN},
        verbose_name=_("regency / city"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=NameKind.choices)
    #: Where the name was looked up: the kecamatan code for a desa, the desa code for a
    #: posyandu, the kabupaten code for a kecamatan or puskesmas.
    parent = models.CharField(_("within"), max_length=20)
    source = models.CharField(_("name in the file (normalised)"), max_length=150)
    source_text = models.CharField(_("name in the file"), max_length=150)
    target = models.CharField(_("means"), max_length=30)
    target_name = models.CharField(_("means (name)"), max_length=150, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    created_at = models.DateTimeField(_("confirmed at"), auto_now_add=True)

    scope_path = "kabupaten"
    personal_data = False
    personal_data_reason = "names of places (desa, posyandu) as files write them, not of people"

    class Meta:
        verbose_name = _("name mapping")
        verbose_name_plural = _("name mappings")
        constraints = [
            models.UniqueConstraint(
                fields=["kabupaten", "kind", "parent", "source"], name="name_mapping_unique_source"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_text} → {self.target_name or self.target}"
