"""The Bupati's page: foster parents, families and children reached, help given, villages covered."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Sum

from tumbuh.accounts import policy
from tumbuh.wilayah.models import Wilayah

from .models import Asuhan, Bantuan, JenisBantuan, JenisOrangTuaAsuh, OrangTuaAsuh


@dataclass
class Summary:
    foster_parents: int
    by_kind: list[tuple[str, int]]
    families: int
    children: int
    help_total: int
    help_by_kind: list[tuple[str, int, int]]  # label, count, rupiah
    villages: int
    per_kecamatan: list[dict]


def summary(user) -> Summary:
    parents = policy.visible(user, OrangTuaAsuh.objects.filter(aktif=True))
    kinds = dict(parents.values_list("jenis").annotate(n=Count("pk")))
    matches = policy.visible(user, Asuhan.objects.all())
    help_rows = policy.visible(user, Bantuan.objects.all())
    per_kind = {row["jenis"]: row for row in help_rows.values("jenis").annotate(n=Count("pk"), total=Sum("nilai"))}
    rows: dict[str, dict] = defaultdict(lambda: {"desa": set(), "families": set(), "children": set(), "help": 0})
    for desa, kecamatan, keluarga, anak in matches.values_list("desa_id", "desa__kecamatan_code", "keluarga_id", "anak_id"):
        row = rows[kecamatan]
        row["desa"].add(desa)
        if keluarga:
            row["families"].add(keluarga)
        if anak:
            row["children"].add(anak)
    for kecamatan, total in help_rows.values_list("asuhan__desa__kecamatan_code").annotate(total=Sum("nilai")):
        rows[kecamatan]["help"] += total or 0
    names = dict(Wilayah.objects.filter(code__in=list(rows)).values_list("code", "name"))
    per_kecamatan = [
        {"code": code, "name": names.get(code, code), "villages": len(r["desa"]), "families": len(r["families"]),
         "children": len(r["children"]), "help": r["help"]}
        for code, r in sorted(rows.items(), key=lambda kv: names.get(kv[0], kv[0]))
    ]
    return Summary(
        foster_parents=parents.count(),
        by_kind=[(label, kinds.get(value, 0)) for value, label in JenisOrangTuaAsuh.choices],
        families=matches.filter(keluarga__isnull=False).values("keluarga").distinct().count(),
        children=matches.filter(anak__isnull=False).values("anak").distinct().count(),
        help_total=sum((row["total"] or 0) for row in per_kind.values()),
        help_by_kind=[(label, per_kind.get(value, {}).get("n", 0), per_kind.get(value, {}).get("total") or 0)
                      for value, label in JenisBantuan.choices],
        villages=matches.values("desa").distinct().count(),
        per_kecamatan=per_kecamatan,
    )
