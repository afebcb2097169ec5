"""The ways KRS data changes: each asks the policy, validates, writes and audits."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tumbuh.accounts import policy
from tumbuh.audit.actions import do_delete, do_save

from .models import SUMBER_PK, AnakKeluarga, CaraTautan, JumlahKeluarga, Keluarga, KunjunganTpk, TimPendampingKeluarga


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
                 tpk: TimPendampingKeluarga | None = None, today: datetime.date) -> KunjunganTpk:
    """Record a TPK visit to the family; the family's own TPK unless another is named; never after ``today``."""
    tpk = tpk or keluarga.tpk
    if tpk is None:
        raise ValidationError({"tpk": _("Assign a TPK to the family first.")})
    visit = KunjunganTpk(keluarga=keluarga, tpk=tpk, tanggal=tanggal, kegiatan=kegiatan, catatan=catatan,
                         dicatat_oleh=actor if getattr(actor, "pk", None) else None)
    policy.require(actor, policy.ADD, visit)
    if tanggal > today:
        raise ValidationError({"tanggal": _("A visit cannot be in the future.")})
    return do_save(actor, visit, reason=_("TPK visit"))


def _reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"alasan": _("Say why: how do you know?")})
    return reason[:300]


def do_link_child(actor, keluarga: Keluarga, child, *, reason: str, cara: str = CaraTautan.SARAN) -> AnakKeluarga:
    """Confirm that ``child`` belongs to ``keluarga`` (a family of one year's list), with why.

    The child must live in the family's desa and be visible to the actor, and may belong to one
    family per year: a link to another family of that year is refused (remove it first)."""
    reason = _reason(reason)
    if not policy.is_visible(actor, child):
        raise ValidationError({"child": _("The child is outside your area.")})
    link = AnakKeluarga(keluarga=keluarga, child=child, tahun=keluarga.tahun, cara=cara, alasan=reason,
                        linked_by=actor if getattr(actor, "pk", None) else None)
    policy.require(actor, policy.ADD, link)
    with transaction.atomic():
        # Lock the child's links of that year so two users confirming at once cannot both pass.
        existing = AnakKeluarga.objects.select_for_update().filter(child=child, tahun=keluarga.tahun).first()
        if existing is not None:
            if existing.keluarga_id == keluarga.pk:
                raise ValidationError({"child": _("This child is already linked to this family.")})
            raise ValidationError({"child": _(
                "This child is already linked to %(family)s in the %(year)s list: remove that link first."
            ) % {"family": existing.keluarga.nama_kepala, "year": existing.tahun}})
        return do_save(actor, link, reason=reason)


def do_unlink_child(actor, link: AnakKeluarga, *, reason: str) -> None:
    """Remove a link (a mistaken confirmation, a child who moved away), with why."""
    reason = _reason(reason)
    policy.require(actor, policy.DELETE, link)
    do_delete(actor, link, reason=reason)


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
