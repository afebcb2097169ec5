"""Rembuk Stunting (Aksi 3): the event, who was invited and came, what was shown and agreed.

A rembuk is held by the kabupaten or, the same way, by a kecamatan. Its record keeps the
materials presented (the Aksi 1 and Aksi 2 outputs frozen as of the event, as JSON), the
decisions, and the agreed plan as numbered versions of the Aksi 2 activities. Once the signed
commitment and berita acara are uploaded back the event is closed and no longer changes.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tumbuh.wilayah.models import Level, Wilayah


class Status(models.TextChoices):
    PLANNED = "planned", _("Planned")
    CLOSED = "closed", _("Closed (signed documents uploaded)")


class RembukEvent(models.Model):
    """One Rembuk Stunting of a kabupaten or a kecamatan, for the plan of ``year``."""

    wilayah = models.ForeignKey(
        Wilayah,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("region"),
        limit_choices_to={"level__in": (Level.KABUPATEN, Level.KECAMATAN)},
        help_text=_("The kabupaten, or a kecamatan for a kecamatan-level rembuk."),
    )
    year = models.PositiveSmallIntegerField(
        _("plan year"),
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        help_text=_("The year of the activity plan agreed at this rembuk."),
    )
    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, help_text=_("e.g. Aula Kantor Bupati Luwu Timur"))
    signing_place = models.CharField(
        _("town where documents are signed"),
        max_length=100,
        help_text=_("e.g. Malili; printed before the date of the documents."),
    )
    agenda = models.TextField(_("agenda"), blank=True, help_text=_("One item per line."))
    decisions = models.TextField(_("decisions"), blank=True, help_text=_("One decision per line."))
    nomor_berita_acara = models.CharField(_("number of the berita acara"), max_length=100, blank=True)
    nomor_komitmen = models.CharField(_("number of the commitment"), max_length=100, blank=True)
    materials = models.JSONField(_("materials presented"), null=True, blank=True, editable=False)
    materials_frozen_at = models.DateTimeField(_("materials frozen at"), null=True, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED, editable=False
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        editable=False,
        verbose_name=_("created by"),
    )

    scope_path = "wilayah"
    personal_data = False
    scope_reaches_up = True  # camat and desa see the district's rembuk they sign

    class Meta:
        verbose_name = _("Rembuk Stunting")
        verbose_name_plural = _("Rembuk Stunting")
        ordering = ["-date", "wilayah_id"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.wilayah_id and self.wilayah.level not in (Level.KABUPATEN, Level.KECAMATAN):
            raise ValidationError({"wilayah": _("A rembuk is held by a kabupaten or a kecamatan.")})

    @property
    def is_closed(self) -> bool:
        return self.status == Status.CLOSED

    @property
    def is_kecamatan(self) -> bool:
        return self.wilayah.level == Level.KECAMATAN

    @property
    def kabupaten_code(self) -> str:
        return self.wilayah.kabupaten_code if self.wilayah.level != Level.KABUPATEN else self.wilayah_id

    def agenda_items(self) -> list[str]:
        return _lines(self.agenda)

    def decision_items(self) -> list[str]:
        return _lines(self.decisions)

    def latest_plan(self) -> AgreedPlan | None:
        return self.plans.order_by("-version").first()


def _lines(text: str) -> list[str]:
    return [line.strip(" -•\t") for line in (text or "").splitlines() if line.strip(" -•\t")]


class Category(models.TextChoices):
    """Who a participant is, in the order they sign the commitment."""

    BUPATI = "bupati", _("Regent (Bupati) / deputy")
    DPRD = "dprd", _("DPRD (regional parliament)")
    TPPS = "tpps", _("TPPS")
    OPD = "opd", _("OPD head")
    CAMAT = "camat", _("Camat")
    PUSKESMAS = "puskesmas", _("Puskesmas")
    KEPALA_DESA = "kepala_desa", _("Village head")
    NON_GOVERNMENT = "nonpemerintah", _("Non-government (business, NGO, university, religious leader)")
    OTHER = "lain", _("Other")


CATEGORY_ORDER = {c.value: i for i, c in enumerate(Category)}


class Invitee(models.Model):
    """A person invited to the rembuk: from the OPD or TPPS lists, a village head, or a free entry;
    who signs the commitment and the berita acara, and whether they came."""

    event = models.ForeignKey(
        RembukEvent, on_delete=models.CASCADE, related_name="invitees", verbose_name=_("Rembuk Stunting")
    )
    category = models.CharField(_("category"), max_length=15, choices=Category.choices, default=Category.OTHER)
    name = models.CharField(_("name"), max_length=150, blank=True, help_text=_("Leave empty to fill in by hand."))
    position = models.CharField(_("position"), max_length=200)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    opd = models.ForeignKey(
        "organisation.Opd", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("OPD")
    )
    tpps = models.ForeignKey(
        "tpps.Tpps", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("TPPS")
    )
    desa = models.ForeignKey(
        Wilayah,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("desa"),
        limit_choices_to={"level": Level.DESA},
    )
    signs_commitment = models.BooleanField(_("signs the commitment"), default=True)
    signs_minutes = models.BooleanField(_("signs the berita acara"), default=False)
    attended = models.BooleanField(_("attended"), default=False)

    scope_path = "event__wilayah"
    personal_data = False
    personal_data_reason = (
        "officials invited in office, who sign the public commitment and berita acara; no contact details"
    )
    scope_reaches_up = True

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["event_id", "pk"]

    def __str__(self) -> str:
        return f"{self.name or '…'} ({self.position})"

    def clean(self) -> None:
        event = self.event if self.event_id else None
        if event is None:
            return
        kab = event.kabupaten_code
        if self.opd_id and self.opd.kabupaten_id != kab:
            raise ValidationError({"opd": _("This OPD belongs to another regency.")})
        if self.desa_id and not event.wilayah.contains(self.desa_id):
            raise ValidationError({"desa": _("This desa lies outside the rembuk's region.")})
        if self.tpps_id and not (
            self.tpps.wilayah_id == event.wilayah_id or event.wilayah.contains(self.tpps.wilayah_id)
        ):
            raise ValidationError({"tpps": _("This TPPS lies outside the rembuk's region.")})

    @property
    def sort_key(self) -> tuple:
        return (CATEGORY_ORDER.get(self.category, 99), self.pk or 0)


class AgreedPlan(models.Model):
    """A numbered, frozen copy of the Aksi 2 activities as agreed at the rembuk."""

    event = models.ForeignKey(
        RembukEvent, on_delete=models.CASCADE, related_name="plans", verbose_name=_("Rembuk Stunting")
    )
    version = models.PositiveSmallIntegerField(_("version"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    data = models.JSONField(_("activities"), editable=False)
    created_at = models.DateTimeField(_("agreed at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        editable=False,
        verbose_name=_("recorded by"),
    )

    scope_path = "event__wilayah"
    personal_data = False
    scope_reaches_up = True

    class Meta:
        verbose_name = _("agreed plan")
        verbose_name_plural = _("agreed plans")
        ordering = ["event_id", "version"]
        constraints = [models.UniqueConstraint(fields=["event", "version"], name="rembuk_plan_unique_version")]

    def __str__(self) -> str:
        return f"{self.event} — v{self.version}"
