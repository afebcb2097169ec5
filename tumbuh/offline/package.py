"""The package a phone keeps for working offline: the children of ONE desa or posyandu that the
user may see, each with their last three visits, and the desa and posyandu to register a new
child in. Never a whole kecamatan or district.

NIKs never travel, not even masked: each child carries ``nik_hash``, the first
:data:`NIK_HASH_CHARS` hex digits of the HMAC-SHA256 of the 16-digit NIK keyed with the package's
random ``salt`` (its UTF-8 bytes), and ``parent_nik_hash``, the first :data:`PARENT_NIK_HASH_CHARS`.
The phone finds a typed NIK by its hash's first digits and, for the child's own NIK, the birth
date the NIK holds (DDMMYY, day + 40 for girls). Whoever holds the phone holds the salt too, and a
child's NIK is its region (known), its birth date (in the package) and a 4-digit serial: a full
hash would give the serial away in 10,000 tries. Cut to 8 bits, about 39 serials fit each child's
hash, and about 4,000 of a parent's (birth date unknown) fit theirs; a desa's few hundred children
rarely share a birth date and 8 bits (docs/security.md, "The phone"). The package expires
``TUMBUH_OFFLINE_DAYS`` days (default 7) after it was made, unless a sync succeeds."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db.models import F, Window
from django.db.models.functions import RowNumber

from tumbuh.accounts import policy
from tumbuh.measurements.models import Child, Measurement
from tumbuh.organisation.models import Posyandu
from tumbuh.wilayah.models import Wilayah

from .actions import visit_values

#: The package's format; a phone that knows another one asks again.
VERSION = 1
#: The visits each child carries (the latest first).
LAST_VISITS = 3


def offline_days() -> int:
    return int(getattr(settings, "TUMBUH_OFFLINE_DAYS", 7))


#: Hex digits of the HMAC kept per NIK: few enough that the phone cannot give a NIK back.
NIK_HASH_CHARS = 2
PARENT_NIK_HASH_CHARS = 3


def nik_hash(salt: str, nik: str) -> str:
    """HMAC-SHA256(key = the salt's UTF-8 bytes, message = the NIK's digits), lowercase hex; "" for no NIK."""
    if not nik:
        return ""
    return hmac.new(salt.encode("utf-8"), nik.encode("ascii"), hashlib.sha256).hexdigest()


def build_package(user, *, desa: Wilayah | None = None, posyandu: Posyandu | None = None, now: dt.datetime) -> dict:
    """The package of ``desa`` or of ``posyandu`` (one of them, already known visible to ``user``)."""
    if (desa is None) == (posyandu is None):
        raise ValueError("a package is of one desa or one posyandu")
    children = Child.objects.select_related("desa", "posyandu").order_by("name", "birth_date", "pk")
    if posyandu is not None:
        children = children.filter(posyandu=posyandu)
        home = posyandu.desa
        scope = {"kind": "posyandu", "id": posyandu.pk, "name": posyandu.name}
    else:
        children = children.filter(desa=desa)
        home = desa
        scope = {"kind": "desa", "id": desa.code, "name": desa.name}
    children = list(policy.visible(user, children))
    visits: dict[int, list[dict]] = {}
    latest = (
        Measurement.objects.filter(child__in=[c.pk for c in children])
        .annotate(rank=Window(RowNumber(), partition_by=[F("child_id")], order_by=[F("date").desc()]))
        .filter(rank__lte=LAST_VISITS)
        .order_by("child_id", "-date")
    )
    for m in latest:
        visits.setdefault(m.child_id, []).append(visit_values(m))
    salt = secrets.token_hex(16)
    posyandu_list = policy.visible(user, Posyandu.objects.filter(desa=home, is_active=True)).order_by("name")
    return {
        "version": VERSION,
        "generated_at": now.isoformat(),
        "expires_at": (now + dt.timedelta(days=offline_days())).isoformat(),
        "scope": scope,
        "user": {"username": user.get_username(), "name": str(user)},
        "salt": salt,
        "children": [
            {
                "tumbuh_id": c.tumbuh_id,
                "name": c.name,
                "sex": c.sex,
                "birth_date": c.birth_date.isoformat(),
                "parent_name": c.parent_name,
                "nik_hash": nik_hash(salt, c.nik)[:NIK_HASH_CHARS],
                "parent_nik_hash": nik_hash(salt, c.parent_nik)[:PARENT_NIK_HASH_CHARS],
                "desa_id": c.desa_id,
                "posyandu_id": c.posyandu_id,
                "visits": visits.get(c.pk, []),
            }
            for c in children
        ],
        "posyandu": [{"id": p.pk, "name": p.name, "desa_id": p.desa_id} for p in posyandu_list],
        "desa": [{"id": home.code, "name": home.name}],
    }
