"""Rapat Koordinasi TPPS: the meeting, its participants and their attendance, its decisions and
the action items that follow it up until they are done.

An action item belongs to the meeting that agreed it and to one owner (an OPD, a kecamatan or
a desa). Its status changes only through progress notes, each dated and with evidence, and it
records the day it was closed, so every later meeting can list exactly the items that were
still open when it opened (:func:`carry_over`), even after they were closed.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tumbuh.organisation.models import Opd
from tumbuh.tpps.models import Tpps
from tumbuh.wilayah.models import Level, Wilayah


class Group(models.TextChoices):
    """Who is invited: the groups an attendance list is counted by."""

    OPD = "opd", _("OPD")
    CAMAT = "camat", _("Camat")
    KEPALA_DESA = "kepala_desa", _("Kepala desa")
    LURAH = "lurah", _("Lurah")
    PUSKESMAS = "puskesmas", _("Puskesmas")
    PKK = "pkk", _("TP PKK")
    PLKB = "plkb", _("PLKB (family planning)")
    KEMENAG = "kemenag", _("Kemenag / KUA")
    MITRA = "mitra", _("Partners (university, NGO, business)")
    LAIN = "lain", _("Other")


class Rapat(models.Model):
    """One coordination meeting of a TPPS (its level is the team's)."""

    tpps = models.ForeignKey(Tpps, on_delete=models.PROTECT, related_name="rapat_set", verbose_name=_("TPPS"))
    title = models.CharField(_("title"), max_length=200)
    nomor = models.CharField(_("invitation number"), max_length=100, blank=True)
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("starts at"), default=dt.time(9, 0))
    place = models.CharField(_("place"), max_length=200)
    chair = models.CharField(_("chaired by"), max_length=150)
    agenda = models.TextField(_("agenda"), help_text=_("One item per line."))
    invited_groups = models.JSONField(_("invited groups"), default=list, blank=True)
    minutes = models.TextField(
        _("minutes"), blank=True, help_text=_("The discussion, briefly; decisions are listed separately.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    # Attendance and minutes lock after the meeting day (``is_locked``); the district admin may
    # reopen the meeting with a reason, and close it again (``actions.do_reopen``/``do_close``).
    reopened_on = models.DateField(_("reopened on"), null=True, blank=True, editable=False)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("reopened by"),
    )
    reopen_reason = models.TextField(_("reason for reopening"), blank=True, editable=False)

    scope_path = "tpps__wilayah"
    personal_data = False
    scope_reaches_up = True  # a camat and a desa see the district's meetings; only the district changes them

    class Meta:
        verbose_name = _("coordination meeting")
        verbose_name_plural = _("coordination meetings")
        ordering = ["-date", "-start_time", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def level(self) -> str:
        return {Level.KABUPATEN: _("Regency"), Level.KECAMATAN: _("Kecamatan"), Level.DESA: _("Desa")}.get(
            self.tpps.wilayah.level, ""
        )

    @property
    def agenda_items(self) -> list[str]:
        return [line.strip(" -•\t") for line in self.agenda.splitlines() if line.strip(" -•\t")]

    @property
    def is_reopened(self) -> bool:
        return self.reopened_on is not None

    def is_locked(self, today: dt.date) -> bool:
        """Whether its attendance and minutes are locked on ``today``: from the day after the
        meeting on, unless a district admin has reopened it."""
        return today > self.date and not self.is_reopened

    @property
    def invited_group_labels(self) -> list[str]:
        return [str(Group(g).label) for g in self.invited_groups if g in Group.values]

    def clean(self):
        unknown = [g for g in self.invited_groups or [] if g not in Group.values]
        if unknown:
            raise ValidationError({"invited_groups": _("Unknown group: %(g)s") % {"g": ", ".join(unknown)}})
        if self.tpps_id and self.tpps.wilayah.level == Level.PROVINSI:
            raise ValidationError({"tpps": _("Tumbuh keeps TPPS from the regency level down.")})


class Attendee(models.Model):
    """Someone on the meeting's attendance list: an invitee or a walk-in, with the short code
    their QR card carries; present once checked in."""

    rapat = models.ForeignKey(Rapat, on_delete=models.CASCADE, related_name="attendees", verbose_name=_("meeting"))
    name = models.CharField(_("name"), max_length=150)
    group = models.CharField(_("group"), max_length=20, choices=Group.choices)
    organisation = models.CharField(_("agency / organisation"), max_length=200, blank=True)
    position = models.CharField(_("position"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    code = models.CharField(_("check-in code"), max_length=8)
    invited = models.BooleanField(_("invited"), default=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked in by"),
    )

    scope_path = "rapat__tpps__wilayah"
    personal_data = True
    scope_reaches_up = True

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["rapat_id", "group", "organisation", "name"]
        constraints = [models.UniqueConstraint(fields=["rapat", "code"], name="rapat_attendee_unique_code")]

    def __str__(self) -> str:
        return self.name

    @property
    def present(self) -> bool:
        return self.checked_in_at is not None

    @property
    def qr_payload(self) -> str:
        """What the QR card holds: the meeting and the code, so a card of another meeting is told apart."""
        return f"R{self.rapat_id}-{self.code}"


class Decision(models.Model):
    rapat = models.ForeignKey(Rapat, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("meeting"))
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("decision"))

    scope_path = "rapat__tpps__wilayah"
    personal_data = False
    scope_reaches_up = True

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["rapat_id", "number"]
        constraints = [models.UniqueConstraint(fields=["rapat", "number"], name="rapat_decision_unique_number")]

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:80]}"


class OwnerKind(models.TextChoices):
    OPD = "opd", _("OPD")
    KECAMATAN = "kecamatan", _("Kecamatan")
    DESA = "desa", _("Desa")


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


CLOSED = (Status.DONE, Status.CANCELLED)


class ActionItemQuerySet(models.QuerySet):
    def open_on(self, day: dt.date) -> ActionItemQuerySet:
        """Items agreed before ``day`` that were not yet closed on it."""
        return self.filter(rapat__date__lt=day).filter(Q(closed_on__isnull=True) | Q(closed_on__gte=day))

    def still_open(self) -> ActionItemQuerySet:
        return self.exclude(status__in=CLOSED)

    def owned_by(self, user) -> ActionItemQuerySet:
        """The items whose owner is the user's OPD, kecamatan or desa (none for other roles)."""
        from tumbuh.accounts.models import Role

        if user.role == Role.OPD and user.opd_id:
            return self.filter(owner_kind=OwnerKind.OPD, owner_opd_id=user.opd_id)
        if user.role in (Role.KECAMATAN, Role.DESA) and user.wilayah_id:
            return self.filter(owner_kind__in=(OwnerKind.KECAMATAN, OwnerKind.DESA), owner_wilayah_id=user.wilayah_id)
        return self.none()


class ActionItem(models.Model):
    """A follow-up agreed at a meeting: who does what by when."""

    rapat = models.ForeignKey(Rapat, on_delete=models.CASCADE, related_name="action_items", verbose_name=_("meeting"))
    decision = models.ForeignKey(
        Decision,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_items",
        verbose_name=_("decision"),
    )
    title = models.CharField(_("action"), max_length=300)
    owner_kind = models.CharField(_("owner kind"), max_length=10, choices=OwnerKind.choices)
    owner_opd = models.ForeignKey(
        Opd, on_delete=models.PROTECT, null=True, blank=True, related_name="action_items", verbose_name=_("owner OPD")
    )
    owner_wilayah = models.ForeignKey(
        Wilayah,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner kecamatan / desa"),
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    objects = ActionItemQuerySet.as_manager()

    scope_path = "rapat__tpps__wilayah"
    personal_data = False
    scope_reaches_up = True

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["due_date", "pk"]
        indexes = [
            models.Index(fields=["owner_kind", "owner_opd", "status"], name="rapat_item_owner_opd_idx"),
            models.Index(fields=["owner_wilayah", "status"], name="rapat_item_owner_wil_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def owner_label(self) -> str:
        if self.owner_kind == OwnerKind.OPD and self.owner_opd_id:
            return self.owner_opd.short_name
        return self.owner_wilayah.label if self.owner_wilayah_id else ""

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED

    def is_overdue(self, on: dt.date) -> bool:
        return self.is_open and self.due_date < on

    @property
    def evidence_wilayah_code(self) -> str:
        """Where its evidence files are scoped: the owning kecamatan/desa, else the meeting's region."""
        return self.owner_wilayah_id if self.owner_kind != OwnerKind.OPD else self.rapat.tpps.wilayah_id

    def clean(self):
        errors = {}
        if self.owner_kind == OwnerKind.OPD:
            if not self.owner_opd_id:
                errors["owner_opd"] = _("Choose the OPD that owns this action.")
            elif self.rapat_id and self.owner_opd.kabupaten_id != self.rapat.tpps.wilayah_id[:5]:
                errors["owner_opd"] = _("This OPD belongs to another regency.")
            self.owner_wilayah = None
        elif self.owner_kind in (OwnerKind.KECAMATAN, OwnerKind.DESA):
            level = Level.KECAMATAN if self.owner_kind == OwnerKind.KECAMATAN else Level.DESA
            if not self.owner_wilayah_id or self.owner_wilayah.level != level:
                errors["owner_wilayah"] = _("Choose the %(kind)s that owns this action.") % {
                    "kind": OwnerKind(self.owner_kind).label.lower()
                }
            elif self.rapat_id and not _inside(self.owner_wilayah_id, self.rapat.tpps.wilayah_id):
                errors["owner_wilayah"] = _("The owner lies outside this team's region.")
            self.owner_opd = None
        if self.decision_id and self.rapat_id and self.decision.rapat_id != self.rapat_id:
            errors["decision"] = _("This decision was taken at another meeting.")
        if errors:
            raise ValidationError(errors)


def _inside(code: str, node: str) -> bool:
    return code == node or code.startswith(node + ".")


class ProgressNote(models.Model):
    """What the owner reports: the status after this note, and evidence (``do_attach``)."""

    item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="notes", verbose_name=_("action item"))
    date = models.DateField(_("date"))
    text = models.TextField(_("progress"))
    status = models.CharField(_("status after this note"), max_length=12, choices=Status.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )  # blank when the system wrote it (the demo)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    scope_path = "item__rapat__tpps__wilayah"
    personal_data = False
    scope_reaches_up = True

    class Meta:
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")
        ordering = ["item_id", "date", "pk"]

    def __str__(self) -> str:
        return f"{self.date}: {self.text[:60]}"

    def documents(self):
        from tumbuh.documents.models import UploadedDocument

        return UploadedDocument.for_object(self)


def carry_over(rapat: Rapat) -> list[ActionItem]:
    """The items the meeting opens with: agreed at earlier meetings of the same team and still
    open on its date, overdue ones first."""
    items = (
        ActionItem.objects.filter(rapat__tpps_id=rapat.tpps_id)
        .exclude(rapat=rapat)
        .open_on(rapat.date)
        .select_related("rapat", "owner_opd", "owner_wilayah")
    )
    return sorted(items, key=lambda i: (i.due_date >= rapat.date, i.due_date, i.pk))
