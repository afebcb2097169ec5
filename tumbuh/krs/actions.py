"""The ways KRS data changes: each asks the policy, validates, writes and audits."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tumbuh.accounts import policy
from tumbuh.audit.actions import do_save

from .models import Keluarga, KunjunganTpk, TimPendampingKeluarga


def do_save_tpk(actor, tpk: TimPendampingKeluarga, *, reason: str = "") -> TimPendampingKeluarga:
    policy.require(actor, policy.ADD if tpk.pk is None else policy.CHANGE, tpk)
    return do_save(actor, tpk, reason=reason)


def do_assign_tpk(actor, keluarga: Keluarga, tpk: TimPendampingKeluarga | None, *, reason: str = "") -> Keluarga:
    """Give the family a TPK of its own desa (``None``: no team any more)."""
    policy.require(actor, policy.CHANGE, keluarga)
    if tpk is not None:
        if not policy.is_visible(actor, tpk):
            raise ValidationError({"tpk": _("Choose a TPK of your area.")})
        if not tpk.aktif:
            raise ValidationError({"tpk": _("This TPK is no longer active.")})
    keluarga.tpk = tpk
    return do_save(actor, keluarga, reason=reason or _("TPK assigned"))


def do_log_visit(actor, keluarga: Keluarga, *, tanggal: datetime.date, kegiatan: str, catatan: str = "",
                 tpk: TimPendampingKeluarga | None = None) -> KunjunganTpk:
    """Record a TPK visit to the family; the family's own TPK unless another is named."""
    tpk = tpk or keluarga.tpk
    if tpk is None:
        raise ValidationError({"tpk": _("Assign a TPK to the family first.")})
    visit = KunjunganTpk(keluarga=keluarga, tpk=tpk, tanggal=tanggal, kegiatan=kegiatan, catatan=catatan,
                         dicatat_oleh=actor if getattr(actor, "pk", None) else None)
    policy.require(actor, policy.ADD, visit)
    return do_save(actor, visit, reason=_("TPK visit"))
