"""The convergence actions as configuration, and each district's progress on them per year.

An ``ActionSet`` (the 8-action set, seeded as data; the announced 4-action set, added by an
admin in the UI) holds ``ActionDefinition``s, each with the outputs it must produce
(``OutputItem``: the checklist; an output a record in Tumbuh can prove names it in ``proof``
and ticks itself, see ``aksi.checklist``). A district follows one set per year
(``CycleYear``); each action of that year (``ActionYear``) has a status, a responsible OPD,
dates, uploaded documents and hand ticks on its checklist (``ChecklistTick``).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from tumbuh.wilayah.models import Level, Wilayah

_year = [MinValueValidator(2000), MaxValueValidator(2100)]


class ActionSet(models.Model):
    """A set of convergence actions: national (no kabupaten) or a district's own copy."""

    kabupaten = models.ForeignKey(
        Wilayah,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"level": Level.KABUPATEN},
        verbose_name=_("regency / city"),
        help_text=_("Empty for a national set."),
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    from_year = models.PositiveSmallIntegerField(_("used from year"), null=True, blank=True, validators=_year)
    is_default = models.BooleanField(_("default set"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    scope_path = "kabupaten"
    personal_data = False
    personal_data_reason = "an action set's name"
    scope_reaches_up = True

    class Meta:
        verbose_name = _("action set")
        verbose_name_plural = _("action sets")
        ordering = ["-is_default", "code"]
        constraints = [
            models.UniqueConstraint(fields=["kabupaten", "code"], name="action_set_code_unique"),
            models.UniqueConstraint(
                fields=["code"], condition=models.Q(kabupaten__isnull=True), name="action_set_code_unique_national"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def available_to(cls, kabupaten_code: str) -> models.QuerySet:
        return cls.objects.filter(
            models.Q(kabupaten__isnull=True) | models.Q(kabupaten_id=kabupaten_code), is_active=True
        )

    @classmethod
    def default(cls) -> ActionSet | None:
        return cls.objects.filter(kabupaten__isnull=True, is_default=True, is_active=True).first()


class ActionDefinition(models.Model):
    """One action of a set: what it is, what it produces and what proves it."""

    action_set = models.ForeignKey(
        ActionSet, on_delete=models.CASCADE, related_name="actions", verbose_name=_("action set")
    )
    number = models.PositiveSmallIntegerField(_("number"), validators=[MinValueValidator(1), MaxValueValidator(99)])
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    outputs = models.TextField(_("outputs"), blank=True, help_text=_("What the action produces."))
    evidence = models.TextField(_("evidence"), blank=True, help_text=_("What is uploaded to Aksi Bangda as proof."))
    lead_opd = models.CharField(
        _("usual lead OPD"), max_length=40, blank=True, help_text=_("Short name, e.g. BAPPEDA.")
    )
    due_month = models.PositiveSmallIntegerField(
        _("usual due month"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    page = models.CharField(
        _("Tumbuh page"),
        max_length=60,
        blank=True,
        help_text=_("The Tumbuh page that produces this action's outputs (see aksi.pages)."),
    )

    scope_path = "action_set__kabupaten"
    personal_data = False
    personal_data_reason = "an action's name"
    scope_reaches_up = True

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["action_set_id", "number"]
        constraints = [models.UniqueConstraint(fields=["action_set", "number"], name="action_number_unique_in_set")]

    def __str__(self) -> str:
        return f"{_('Action')} {self.number}: {self.name}"

    def clean(self):
        from .pages import PAGES

        if self.page and self.page not in PAGES:
            raise ValidationError({"page": _("Unknown Tumbuh page.")})

    def page_link(self) -> tuple[str, str] | None:
        """(label, url) of the Tumbuh page that produces this action's outputs, if any."""
        from .pages import PAGES

        if not self.page or self.page not in PAGES:
            return None
        label, url_name = PAGES[self.page]
        try:
            return str(label), reverse(url_name)
        except NoReverseMatch:  # a page of an app not installed here
            return None


class OutputItem(models.Model):
    """A required output of an action: one line of its checklist."""

    action = models.ForeignKey(
        ActionDefinition, on_delete=models.CASCADE, related_name="items", verbose_name=_("action")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    label = models.CharField(_("required output"), max_length=300)
    proof = models.CharField(
        _("proved by"),
        max_length=60,
        blank=True,
        help_text=_("The record in Tumbuh that proves this output (then it ticks itself); empty: ticked by hand."),
    )

    scope_path = "action__action_set__kabupaten"
    personal_data = False
    scope_reaches_up = True

    class Meta:
        verbose_name = _("required output")
        verbose_name_plural = _("required outputs")
        ordering = ["action_id", "order", "pk"]

    def __str__(self) -> str:
        return self.label

    def clean(self):
        from .outputs import provable

        if self.proof and self.proof not in provable():
            raise ValidationError({"proof": _("No app of Tumbuh proves this.")})


class CycleYear(models.Model):
    """The set of actions a district follows in one year."""

    kabupaten = models.ForeignKey(
        Wilayah,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": Level.KABUPATEN},
        verbose_name=_("regency / city"),
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=_year)
    action_set = models.ForeignKey(ActionSet, on_delete=models.PROTECT, related_name="+", verbose_name=_("action set"))

    scope_path = "kabupaten"
    personal_data = False
    scope_reaches_up = True

    class Meta:
        verbose_name = _("convergence year")
        verbose_name_plural = _("convergence years")
        ordering = ["kabupaten_id", "-year"]
        constraints = [models.UniqueConstraint(fields=["kabupaten", "year"], name="cycle_year_unique")]

    def __str__(self) -> str:
        return f"{self.kabupaten_id} {self.year}"

    def clean(self):
        if self.action_set_id and self.action_set.kabupaten_id not in (None, self.kabupaten_id):
            raise ValidationError({"action_set": _("This action set belongs to another regency.")})


class Status(models.TextChoices):
    NOT_STARTED = "belum", _("Not started")
    IN_PROGRESS = "berjalan", _("In progress")
    DONE = "selesai", _("Done")


class ActionYear(models.Model):
    """One action in one district's year: who answers for it, by when, how far it is."""

    cycle = models.ForeignKey(CycleYear, on_delete=models.CASCADE, related_name="actions", verbose_name=_("year"))
    definition = models.ForeignKey(
        ActionDefinition, on_delete=models.PROTECT, related_name="+", verbose_name=_("action")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NOT_STARTED)
    responsible_opd = models.ForeignKey(
        "organisation.Opd",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible OPD"),
    )
    start_date = models.DateField(_("start"), null=True, blank=True)
    due_date = models.DateField(_("due"), null=True, blank=True)
    done_date = models.DateField(_("done on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    scope_path = "cycle__kabupaten"
    personal_data = False
    scope_reaches_up = True

    class Meta:
        verbose_name = _("action of the year")
        verbose_name_plural = _("actions of the year")
        ordering = ["cycle_id", "definition__number"]
        constraints = [models.UniqueConstraint(fields=["cycle", "definition"], name="action_year_unique")]

    def __str__(self) -> str:
        return f"{self.definition} ({self.cycle.year})"

    def clean(self):
        errors = {}
        if self.cycle_id and self.definition_id and self.definition.action_set_id != self.cycle.action_set_id:
            errors["definition"] = _("This action belongs to another action set.")
        if self.responsible_opd_id and self.cycle_id and self.responsible_opd.kabupaten_id != self.cycle.kabupaten_id:
            errors["responsible_opd"] = _("The OPD belongs to another regency.")
        if self.start_date and self.due_date and self.due_date < self.start_date:
            errors["due_date"] = _("The due date lies before the start.")
        if self.status != Status.DONE:
            self.done_date = None
        if errors:
            raise ValidationError(errors)

    def is_overdue(self, today: datetime.date) -> bool:
        return self.status != Status.DONE and self.due_date is not None and self.due_date < today

    def checklist(self) -> list[tuple[OutputItem, ChecklistTick | None]]:
        """Each required output with its hand tick, if any. Whether it is done, the records
        decide for the outputs they prove: see ``aksi.checklist``."""
        ticks = {t.item_id: t for t in self.ticks.all()}
        return [(item, ticks.get(item.pk)) for item in self.definition.items.all()]


class ChecklistTick(models.Model):
    """One required output of one action year: produced or not, by whom, with a note."""

    action_year = models.ForeignKey(
        ActionYear, on_delete=models.CASCADE, related_name="ticks", verbose_name=_("action")
    )
    item = models.ForeignKey(OutputItem, on_delete=models.CASCADE, related_name="+", verbose_name=_("required output"))
    done = models.BooleanField(_("done"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ticked by"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    scope_path = "action_year__cycle__kabupaten"
    personal_data = False
    scope_reaches_up = True

    class Meta:
        verbose_name = _("checklist tick")
        verbose_name_plural = _("checklist ticks")
        constraints = [models.UniqueConstraint(fields=["action_year", "item"], name="checklist_tick_unique")]

    def __str__(self) -> str:
        return f"{self.item} {'✓' if self.done else '–'}"

    def clean(self):
        from .outputs import provable

        if self.item_id and self.action_year_id and self.item.action_id != self.action_year.definition_id:
            raise ValidationError({"item": _("This output belongs to another action.")})
        checks = provable().get(self.item.proof) if self.item_id and self.done else None
        if checks:
            raise ValidationError(_("Tumbuh ticks this output itself, once %(what)s.") % {"what": checks})
