"""The ways GENTING records change: each asks the policy, validates, writes and audits."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tumbuh.accounts import policy
from tumbuh.audit.actions import do_save
from tumbuh.documents.actions import do_attach

from .models import DEFAULT_SHARED, Asuhan, Bantuan, OrangTuaAsuh, StatusAsuhan


def do_save_orang_tua_asuh(actor, ota: OrangTuaAsuh, *, reason: str = "") -> OrangTuaAsuh:
    policy.require(actor, policy.ADD if ota.pk is None else policy.CHANGE, ota)
    return do_save(actor, ota, reason=reason)


def earlier_matches(*, keluarga=None, anak=None):
    """Every match (active or ended) of this family or this child."""
    qs = Asuhan.objects.none()
    if keluarga is not None:
        qs = qs | Asuhan.objects.filter(keluarga=keluarga)
    if anak is not None:
        qs = qs | Asuhan.objects.filter(anak=anak)
    return qs.select_related("orang_tua_asuh")


def do_match(actor, orang_tua_asuh: OrangTuaAsuh, *, keluarga=None, anak=None, mulai: datetime.date,
             shared_fields=None, alasan_ulang: str = "", prioritas: int = 0) -> Asuhan:
    """Confirm a match. A family or child that already has a match (now or before) is matched
    again only with a reason; otherwise the match is refused."""
    if keluarga is None and anak is None:
        raise ValidationError(_("Choose a family or a child."))
    target = keluarga or anak
    if not policy.is_visible(actor, target) or not policy.is_visible(actor, orang_tua_asuh):
        raise ValidationError(_("The family or child is outside your area."))
    if not orang_tua_asuh.aktif:
        raise ValidationError({"orang_tua_asuh": _("This foster parent is no longer active.")})
    if keluarga is not None and anak is not None and keluarga.desa_id != anak.desa_id:
        raise ValidationError(_("The child lives in another desa than the family."))
    asuhan = Asuhan(orang_tua_asuh=orang_tua_asuh, keluarga=keluarga, anak=anak, desa_id=target.desa_id, mulai=mulai,
                    shared_fields=list(DEFAULT_SHARED if shared_fields is None else shared_fields),
                    alasan_ulang=alasan_ulang.strip(), prioritas=prioritas,
                    dikonfirmasi_oleh=actor if getattr(actor, "pk", None) else None)
    policy.require(actor, policy.ADD, asuhan)
    with transaction.atomic():
        # Lock the target's earlier matches so that two secretaries confirming at once cannot both pass.
        earlier = list(earlier_matches(keluarga=keluarga, anak=anak).select_for_update())
        if earlier and not asuhan.alasan_ulang:
            names = ", ".join(sorted({str(m.orang_tua_asuh) for m in earlier}))
            raise ValidationError({"alasan_ulang": _(
                "Already matched (%(names)s): a family or child is matched again only with a reason."
            ) % {"names": names}})
        return do_save(actor, asuhan, reason=asuhan.alasan_ulang or _("match confirmed"))


def do_set_shared_fields(actor, asuhan: Asuhan, fields: list[str], *, reason: str = "") -> Asuhan:
    policy.require(actor, policy.CHANGE, asuhan)
    asuhan.shared_fields = list(fields)
    return do_save(actor, asuhan, reason=reason or _("shared fields changed"))


def do_end_match(actor, asuhan: Asuhan, *, selesai: datetime.date, reason: str = "") -> Asuhan:
    policy.require(actor, policy.CHANGE, asuhan)
    asuhan.status, asuhan.selesai = StatusAsuhan.SELESAI, selesai
    return do_save(actor, asuhan, reason=reason or _("match ended"))


def do_record_help(actor, asuhan: Asuhan, *, jenis: str, nilai: int, tanggal: datetime.date, uraian: str = "",
                   evidence=None) -> Bantuan:
    """Record help given under a match, with its evidence (a photo, a receipt) when given."""
    bantuan = Bantuan(asuhan=asuhan, jenis=jenis, nilai=nilai, tanggal=tanggal, uraian=uraian,
                      dicatat_oleh=actor if getattr(actor, "pk", None) else None)
    policy.require(actor, policy.ADD, bantuan)
    if asuhan.status != StatusAsuhan.AKTIF:
        raise ValidationError(_("The match has ended."))
    with transaction.atomic():
        do_save(actor, bantuan, reason=_("help given"))
        if evidence is not None:
            do_attach(actor, bantuan, file=evidence, kind="bukti bantuan", title=uraian or bantuan.get_jenis_display(),
                      wilayah_code=asuhan.desa_id, reason=_("evidence of help given"))
    return bantuan
