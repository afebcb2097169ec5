"""What the phone sent: one row per record made offline (a child registered, a visit entered),
kept with its result so that sending it again returns the same answer and writes nothing.

A record is identified by the UUID the phone made for it; a higher ``revision`` is the same
record corrected on the phone. Its ``state`` is what the phone shows:

- ``sent``: on the server (``child``/``visit`` is the row it created or matched);
- ``attention``: needs a person: a conflict (``conflict``, with the choices) or a refusal
  (``reason``: implausible values, outside the user's area); fixed on the phone (a higher
  revision) or resolved by a choice (``do_choose``);
- ``retry``: a visit whose child record has not arrived (or is not resolved) yet;
- ``discarded``: a choice left the phone's values out (kept the server's, or discarded them).

The server scores every visit again with the growth engine; when the phone's rounded z-scores,
flags or statuses differ (``phone`` against ``server``), ``mismatch`` says how: a defect,
counted by ``tumbuh offline_mismatches`` and listed on the conflicts page.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tumbuh.measurements.models import Child, Measurement
from tumbuh.wilayah.models import Level, Wilayah


class Kind(models.TextChoices):
    CHILD = "child", _("child registered")
    VISIT = "visit", _("visit")


class State(models.TextChoices):
    SENT = "sent", _("sent")
    ATTENTION = "attention", _("needs attention")
    RETRY = "retry", _("waiting for its child")
    DISCARDED = "discarded", _("not used")


class ConflictKind(models.TextChoices):
    VISIT_DIFFERS = "visit_differs", _("the server has other values for this child and date")
    NIK_EXISTS = "nik_exists", _("a child with this NIK is already registered")
    MOVED = "moved", _("the child has moved out of the area")
    OUTSIDE_AREA = "outside_area", _("outside the area")
    INVALID = "invalid", _("refused by the server's checks")
    CHILD_DISCARDED = "child_discarded", _("the child's record was not used")
    CHANGED_AFTER_SENT = "changed_after_sent", _("changed on the phone after it was sent")


class Choice(models.TextChoices):
    KEEP_SERVER = "keep_server", _("Keep the server's values")
    USE_PHONE = "use_phone", _("Use the phone's values")
    SAME_CHILD = "same_child", _("It is the same child")
    NEW_CHILD = "new_child", _("It is another child")
    DISCARD = "discard", _("Discard the phone's record")


class OfflineRecord(models.Model):
    uuid = models.UUIDField(_("record id (made on the phone)"), unique=True)
    revision = models.PositiveIntegerField(_("revision"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    device = models.CharField(_("device"), max_length=64)
    phone_created_at = models.DateTimeField(_("entered on the phone at"), null=True, blank=True)
    #: The record's ``data`` as the phone sent it (its latest revision).
    payload = models.JSONField(_("data from the phone"), default=dict)
    #: SHA-256 of ``payload``: the same revision sent again with other data is refused.
    payload_hash = models.CharField(_("data fingerprint"), max_length=64)
    #: What the phone computed for a visit (``TumbuhGrowth.assess``), as sent.
    phone = models.JSONField(_("computed on the phone"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, db_index=True)
    reason = models.TextField(_("reason"), blank=True)
    #: ``{"kind", "server", "choices"}`` while a person must choose; kept after the choice.
    conflict = models.JSONField(_("conflict"), null=True, blank=True)
    #: The answer sent for this revision, returned as it is when the same revision comes again.
    result = models.JSONField(_("answer"), default=dict)

    choice = models.CharField(_("choice"), max_length=12, choices=Choice.choices, blank=True)
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("chosen by"),
    )
    chosen_at = models.DateTimeField(_("chosen at"), null=True, blank=True)
    choice_reason = models.TextField(_("reason for the choice"), blank=True)

    #: The desa the record is about (the child's), for the policy; empty when that may not be said.
    desa = models.ForeignKey(
        Wilayah,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"level": Level.DESA},
        verbose_name=_("desa"),
    )
    child = models.ForeignKey(
        Child, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("child")
    )
    visit = models.ForeignKey(
        Measurement, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("visit")
    )

    #: The server's own computed fields for the visit (rounded as the phone compares them).
    server = models.JSONField(_("computed on the server"), null=True, blank=True)
    #: ``{field: {"phone": …, "server": …}}`` where the phone's engine disagreed with the server's.
    mismatch = models.JSONField(_("phone and server disagree"), null=True, blank=True)
    has_mismatch = models.BooleanField(_("phone and server disagree"), default=False)

    created_at = models.DateTimeField(_("received at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    scope_path = "desa"
    personal_data = True

    class Meta:
        verbose_name = _("offline record")
        verbose_name_plural = _("offline records")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["author", "state"], name="offline_author_state_idx"),
            models.Index(fields=["desa", "state"], name="offline_desa_state_idx"),
            models.Index(fields=["has_mismatch"], condition=Q(has_mismatch=True), name="offline_mismatch_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.uuid}"
