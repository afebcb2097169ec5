"""The TPPS (Tim Percepatan Penurunan Stunting) of a kabupaten, kecamatan or desa; who is in
it, and since when: the decree (SK) that set it up, its working groups (pokja) and its
members, each dated with ``valid_from`` and ``valid_to``.

A membership is never overwritten when someone leaves or changes position: it is ended (its
``valid_to`` set) and a new one starts, so :func:`members_on` answers "who was in the team
on 12 March 2025?" for any date.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tumbuh.organisation.models import Opd
from tumbuh.wilayah.models import Level, Wilayah


class Tpps(models.Model):
    """A stunting-reduction team (Tim Percepatan Penurunan Stunting) at one level.

    Its decrees (SK) are ``Decree`` rows, dated and with the signed scan (``decrees``). It
    lived in ``organisation`` until migrations tpps 0003 and 0004 moved it here, rows kept."""

    wilayah = models.ForeignKey(Wilayah, on_delete=models.PROTECT, related_name="tpps_set", verbose_name=_("region"))
    name = models.CharField(_("name"), max_length=200)
    secretariat = models.ForeignKey(
        Opd,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tpps_secretariat",
        verbose_name=_("secretariat"),
    )

    scope_path = "wilayah"
    personal_data = False
    personal_data_reason = "the team's name"
    scope_reaches_up = True

    class Meta:
        verbose_name = _("TPPS")
        verbose_name_plural = _("TPPS")
        ordering = ["wilayah_id"]
        constraints = [models.UniqueConstraint(fields=["wilayah"], name="tpps_one_per_wilayah")]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.wilayah_id and self.wilayah.level == Level.PROVINSI:
            raise ValidationError({"wilayah": _("Tumbuh keeps TPPS from the regency level down.")})

    def current_decree(self, on: dt.date):
        """The decree in force on ``on``: the latest dated on or before it, or None. Reads
        ``decrees`` as a whole, so a list that prefetches them asks nothing more."""
        in_force = [d for d in self.decrees.all() if d.date <= on]
        return max(in_force, key=lambda d: (d.date, d.pk), default=None)


class Decree(models.Model):
    """A Surat Keputusan that set up or changed the team."""

    tpps = models.ForeignKey(Tpps, on_delete=models.PROTECT, related_name="decrees", verbose_name=_("TPPS"))
    number = models.CharField(_("decree (SK) number"), max_length=120)
    date = models.DateField(_("decree date"))
    title = models.CharField(
        _("about"), max_length=250, help_text=_("e.g. Pembentukan Tim Percepatan Penurunan Stunting")
    )
    signed_by = models.CharField(_("signed by"), max_length=120, blank=True, help_text=_("e.g. Bupati Luwu Timur"))

    scope_path = "tpps__wilayah"
    personal_data = False
    scope_reaches_up = True

    class Meta:
        verbose_name = _("decree (SK)")
        verbose_name_plural = _("decrees (SK)")
        ordering = ["tpps_id", "-date", "number"]
        constraints = [models.UniqueConstraint(fields=["tpps", "number"], name="tpps_decree_unique_number")]

    def __str__(self) -> str:
        return self.number

    def documents(self):
        from tumbuh.documents.models import UploadedDocument

        return UploadedDocument.for_object(self)


class Pokja(models.Model):
    """A working group of the team (e.g. Pokja Intervensi Spesifik)."""

    tpps = models.ForeignKey(Tpps, on_delete=models.PROTECT, related_name="pokja_set", verbose_name=_("TPPS"))
    name = models.CharField(_("name"), max_length=150)
    duties = models.TextField(_("duties"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    scope_path = "tpps__wilayah"
    personal_data = False
    personal_data_reason = "a working group's name"
    scope_reaches_up = True

    class Meta:
        verbose_name = _("working group (pokja)")
        verbose_name_plural = _("working groups (pokja)")
        ordering = ["tpps_id", "order", "name"]
        constraints = [models.UniqueConstraint(fields=["tpps", "name"], name="tpps_pokja_unique_name")]

    def __str__(self) -> str:
        return self.name


class Position(models.TextChoices):
    PENGARAH = "pengarah", _("Steering (pengarah)")
    KETUA = "ketua", _("Chair")
    WAKIL_KETUA = "wakil_ketua", _("Vice chair")
    SEKRETARIS = "sekretaris", _("Secretary")
    KOORDINATOR = "koordinator", _("Working-group coordinator")
    ANGGOTA = "anggota", _("Member")


#: The order in which a team is listed (chair first).
POSITION_ORDER = {p: i for i, p in enumerate(Position)}


class Member(models.Model):
    """One person's place in the team for a span of dates (``valid_to`` inclusive; open-ended
    while blank)."""

    tpps = models.ForeignKey(Tpps, on_delete=models.PROTECT, related_name="members", verbose_name=_("TPPS"))
    name = models.CharField(_("name"), max_length=150)
    position = models.CharField(
        _("position in the team"), max_length=20, choices=Position.choices, default=Position.ANGGOTA
    )
    office = models.CharField(
        _("office held"), max_length=150, blank=True, help_text=_("e.g. Kepala Dinas Kesehatan, Camat Malili")
    )
    opd = models.ForeignKey(
        Opd,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tpps_members",
        verbose_name=_("agency (OPD)"),
    )
    organisation = models.CharField(
        _("other organisation"),
        max_length=150,
        blank=True,
        help_text=_("When not an OPD: TP PKK, puskesmas, Kemenag, a university …"),
    )
    pokja = models.ForeignKey(
        Pokja,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("working group (pokja)"),
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    decree = models.ForeignKey(
        Decree,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("appointed by decree"),
    )
    valid_from = models.DateField(_("member from"))
    valid_to = models.DateField(_("member until"), null=True, blank=True, help_text=_("Blank while still a member."))

    scope_path = "tpps__wilayah"
    personal_data = False
    personal_data_reason = "officials appointed by the decree, in office; the province coordinates with them"
    scope_reaches_up = True

    class Meta:
        verbose_name = _("TPPS member")
        verbose_name_plural = _("TPPS members")
        ordering = ["tpps_id", "valid_from", "name"]
        indexes = [models.Index(fields=["tpps", "valid_from", "valid_to"], name="tpps_member_dates_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_position_display()})"

    @property
    def agency(self) -> str:
        return self.opd.name if self.opd_id else self.organisation

    def clean(self):
        errors = {}
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            errors["valid_to"] = _("A membership cannot end before it starts.")
        if self.tpps_id:
            if self.pokja_id and self.pokja.tpps_id != self.tpps_id:
                errors["pokja"] = _("This working group belongs to another team.")
            if self.decree_id and self.decree.tpps_id != self.tpps_id:
                errors["decree"] = _("This decree belongs to another team.")
            if self.opd_id and self.opd.kabupaten_id != self.tpps.wilayah_id[:5]:  # "73.24" of "73.24.04"
                errors["opd"] = _("This OPD belongs to another regency.")
        if not self.opd_id and not self.organisation.strip():
            errors["organisation"] = _("Give the member's agency (OPD) or organisation.")
        if errors:
            raise ValidationError(errors)

    def is_member_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or self.valid_to >= day)


def on_date_q(day: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}valid_from__lte": day}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": day})
    )


def members_on(tpps: Tpps, day: dt.date) -> list[Member]:
    """The team as it stood on ``day``: chair first, then by position, working group and name."""
    members = Member.objects.filter(on_date_q(day), tpps=tpps).select_related("opd", "pokja", "decree")
    return sorted(
        members,
        key=lambda m: (
            POSITION_ORDER[Position(m.position)],
            m.pokja.order if m.pokja else 0,
            m.pokja.name if m.pokja else "",
            m.name,
        ),
    )
