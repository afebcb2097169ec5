"""The ways KRS data changes: each asks the policy, validates, writes and audits."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tumbuh.accounts import policy
from tumbuh.audit.actions import do_delete, do_save

from .models import SUMBER_PK, JumlahKeluarga, Keluarga, KunjunganTpk, TimPendampingKeluarga


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


def do_set_jumlah_keluarga(actor, desa_code: str, tahun: int, *, jumlah: int, jumlah_balita: int | None = None,
                           sumber: str = "", reason: str) -> JumlahKeluarga:
    """Create or update the number of families of one desa in one year (``sumber`` empty: the
    stored source, for a new number Pendataan Keluarga BKKBN)."""
    obj = JumlahKeluarga.objects.filter(desa_id=desa_code, tahun=tahun).first() or JumlahKeluarga(desa_id=desa_code, tahun=tahun)
    policy.require(actor, policy.ADD if obj.pk is None else policy.CHANGE, obj)
    obj.jumlah, obj.jumlah_balita = jumlah, jumlah_balita
    obj.sumber = sumber or obj.sumber or SUMBER_PK
    obj.import_batch = None  # entered by hand from now on
    return do_save(actor, obj, reason=reason)


def do_clear_jumlah_keluarga(actor, obj: JumlahKeluarga, *, reason: str) -> None:
    """Remove a desa's number of families for the year (the Master Ansit cell goes empty)."""
    policy.require(actor, policy.DELETE, obj)
    do_delete(actor, obj, reason=reason)
