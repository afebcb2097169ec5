"""Zipped shapefiles for tests, written with pyshp as BIG and BPS distribute them: the
attribute tables in their styles, a ``.prj`` in ESRI WKT (UTM zone 50S, EPSG:32750, or
geographic WGS 84), or none; names in Windows-1252 without a ``.cpg``.

The polygons are the squares of :mod:`tumbuh.maps.tests.geo` (made-up places for the real
codes of Luwu Timur): drawn in longitude/latitude, projected for a UTM file."""

from __future__ import annotations

import io
import zipfile

import shapefile
from pyproj import CRS, Transformer

from tumbuh.wilayah.models import Wilayah

from .geo import ORIGIN

UTM_50S = 32750
BIG_FIELDS = [
    ("NAMOBJ", "C", 50),
    ("FCODE", "C", 50),
    ("REMARK", "C", 250),
    ("SRS_ID", "C", 50),
    ("KDBBPS", "C", 50),
    ("KDCBPS", "C", 50),
    ("KDCPUM", "C", 50),
    ("KDEBPS", "C", 50),
    ("KDEPUM", "C", 50),
    ("KDPBPS", "C", 50),
    ("KDPKAB", "C", 50),
    ("KDPPUM", "C", 50),
    ("LUASWH", "N", 18, 6),
    ("TIPADM", "N", 4, 0),
    ("WADMKC", "C", 50),
    ("WADMKD", "C", 50),
    ("WADMKK", "C", 50),
    ("WADMPR", "C", 50),
]
BPS_FIELDS = [
    ("KDPROV", "C", 2),
    ("KDKAB", "C", 2),
    ("KDKEC", "C", 3),
    ("KDDESA", "C", 3),
    ("IDDESA", "C", 10),
    ("NMPROV", "C", 50),
    ("NMKAB", "C", 50),
    ("NMKEC", "C", 50),
    ("NMDESA", "C", 50),
]


def square_ring(lon: float, lat: float, size: float) -> list[tuple[float, float]]:
    """A closed ring, clockwise as shapefiles draw outer rings."""
    x0, y0, x1, y1 = (round(v, 6) for v in (lon, lat, lon + size, lat + size))
    return [(x0, y0), (x0, y1), (x1, y1), (x1, y0), (x0, y0)]


def grid(codes: list[str], columns: int = 5, size: float = 0.05) -> dict[str, list[tuple[float, float]]]:
    """A ring per code, side by side (neighbours share their borders exactly: a clean coverage)."""
    out = {}
    for i, code in enumerate(codes):
        lon = round(ORIGIN[0] + (i % columns) * size, 6)
        lat = round(ORIGIN[1] - (i // columns) * size, 6)
        out[code] = square_ring(lon, lat, size)
    return out


def big_record(desa: Wilayah, kecamatan_name: str, **override) -> dict:
    """A row of BIG's "Batas Wilayah Administrasi Desa" layer (KUGI attribute names)."""
    row = {
        "NAMOBJ": desa.name,
        "FCODE": "BA03070040",
        "REMARK": "Batas Desa",
        "SRS_ID": "SR02",
        "KDBBPS": "",
        "KDCBPS": "",
        "KDCPUM": desa.kecamatan_code,
        "KDEBPS": desa.bps_code or "",
        "KDEPUM": desa.code,
        "KDPBPS": "73",
        "KDPKAB": desa.kabupaten_code,
        "KDPPUM": "73",
        "LUASWH": 12.5,
        "TIPADM": 1 if desa.code.split(".")[-1].startswith("2") else 2,
        "WADMKC": kecamatan_name,
        "WADMKD": desa.name,
        "WADMKK": "Luwu Timur",
        "WADMPR": "Sulawesi Selatan",
    }
    row.update(override)
    return row


def bps_record(desa: Wilayah, kecamatan_name: str, bps_code: str, **override) -> dict:
    """A row of BPS's desa map: the BPS code whole and in parts, the names in capitals."""
    row = {
        "KDPROV": bps_code[:2],
        "KDKAB": bps_code[2:4],
        "KDKEC": bps_code[4:7],
        "KDDESA": bps_code[7:],
        "IDDESA": bps_code,
        "NMPROV": "SULAWESI SELATAN",
        "NMKAB": "LUWU TIMUR",
        "NMKEC": kecamatan_name.upper(),
        "NMDESA": desa.name.upper(),
    }
    row.update(override)
    return row


def write_shapefile(
    rows: list[tuple[dict, list]],
    fields: list[tuple],
    *,
    epsg: int | None = 4326,
    encoding: str = "cp1252",
    shape_type: int = shapefile.POLYGON,
    esri_wkt: bool = True,
) -> dict[str, bytes]:
    """{".shp", ".shx", ".dbf", ".prj"?: bytes} for ``rows`` of (attributes, ring in lon/lat)."""
    shp, shx, dbf = io.BytesIO(), io.BytesIO(), io.BytesIO()
    writer = shapefile.Writer(shp=shp, shx=shx, dbf=dbf, shapeType=shape_type, encoding=encoding)
    for f in fields:
        writer.field(*f)
    project = None
    if epsg not in (None, 4326):
        project = Transformer.from_crs(4326, epsg, always_xy=True).transform
    for attributes, ring in rows:
        points = [project(x, y) if project else (x, y) for x, y in ring]
        if shape_type == shapefile.POLYGON:
            writer.poly([points])
        elif shape_type == shapefile.POLYLINE:
            writer.line([points])
        else:
            writer.point(*points[0])
        writer.record(**{name: attributes.get(name, "") for name, *_rest in fields})
    writer.close()
    files = {".shp": shp.getvalue(), ".shx": shx.getvalue(), ".dbf": dbf.getvalue()}
    if epsg is not None:
        crs = CRS.from_epsg(epsg)
        files[".prj"] = crs.to_wkt("WKT1_ESRI" if esri_wkt else "WKT2_2019").encode("ascii")
    return files


def zipped(layers: dict[str, dict[str, bytes]], extra: dict[str, bytes] | None = None, folder: str = "") -> bytes:
    """A zip of ``layers`` ({stem: {extension: bytes}}), as a portal packs a download."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for stem, files in layers.items():
            for ext, content in files.items():
                z.writestr(f"{folder}{stem}{ext}", content)
        for name, content in (extra or {}).items():
            z.writestr(name, content)
    return buf.getvalue()
