"""Synthetic boundary files for tests: no registry package carries Indonesian boundary
polygons, so tests draw squares around made-up coordinates for the real codes of Luwu Timur."""

from __future__ import annotations

import json

from tumbuh.wilayah.models import Level, Wilayah

ORIGIN = (120.30, -2.30)  # roughly where Luwu Timur lies; the squares are not its real shape


def square(lon: float, lat: float, size: float = 0.08, steps: int = 40) -> list:
    """A closed ring with ``steps`` nearly collinear points per side and 9-decimal noise, so
    simplification and rounding have something to remove."""
    ring = []
    corners = [(lon, lat), (lon + size, lat), (lon + size, lat + size), (lon, lat + size)]
    for i, (x0, y0) in enumerate(corners):
        x1, y1 = corners[(i + 1) % 4]
        for s in range(steps):
            t = s / steps
            wobble = 1e-7 * ((s * 7919) % 13 - 6)
            ring.append([round(x0 + (x1 - x0) * t + wobble, 9), round(y0 + (y1 - y0) * t - wobble, 9)])
    ring.append(ring[0])
    return [ring]


def bowtie(lon: float, lat: float, size: float = 0.08) -> list:
    """A self-intersecting polygon (invalid: "Self-intersection")."""
    return [[[lon, lat], [lon + size, lat + size], [lon + size, lat], [lon, lat + size], [lon, lat]]]


def feature(code: str, coordinates: list, prop: str = "kode", name: str = "") -> dict:
    return {
        "type": "Feature",
        "properties": {prop: code, "nama": name},
        "geometry": {"type": "Polygon", "coordinates": coordinates},
    }


def grid_features(
    codes: list[str],
    prop: str = "kode",
    columns: int = 6,
    size: float = 0.08,
    undotted: bool = False,
    invalid: tuple[str, ...] = (),
) -> list[dict]:
    out = []
    for i, code in enumerate(codes):
        lon = ORIGIN[0] + (i % columns) * size
        lat = ORIGIN[1] - (i // columns) * size
        coords = bowtie(lon, lat, size) if code in invalid else square(lon, lat, size)
        out.append(feature(code.replace(".", "") if undotted else code, coords, prop))
    return out


def collection(features: list[dict]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": features}).encode("utf-8")


def district_codes(kabupaten: str = "73.24", level: int = Level.KECAMATAN) -> list[str]:
    return list(
        Wilayah.objects.filter(kabupaten_code=kabupaten, level=level).order_by("code").values_list("code", flat=True)
    )
