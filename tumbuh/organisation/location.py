"""Where a posyandu stands: the checks a latitude/longitude pair passes wherever it is set (the
posyandu form, a phone's location, the posyandu import).

- Both or neither: a location is a pair.
- In range (−90…90, −180…180), and inside Indonesia's extent (a swapped pair fails here).
- Inside the district's extent, when Tumbuh knows it: the bounding box of the district's
  boundary file, with a margin (:data:`MARGIN`). The boundary files belong to an app above
  this one (``maps``), which registers a function that gives the extent
  (:func:`register_extent`), so this app imports none of it. When no extent is known the
  location is kept, with a warning (:func:`check` returns it) that it could not be checked.

Messages are English msgids (``gettext_noop``) with their parameters, translated when shown:
a form shows them at once, an import keeps them with the row."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext, gettext_noop

#: (min lon, min lat, max lon, max lat) of Indonesia, with a little sea around it.
INDONESIA = (94.0, -11.5, 141.5, 6.5)
#: Degrees added around a district's extent (about 5 km): a posyandu on the border, or a
#: boundary simplified for the web, is not refused.
MARGIN = 0.05

Extent = tuple[float, float, float, float]
_PROVIDERS: list[Callable[[str], Extent | None]] = []

OUTSIDE_RANGE = gettext_noop("Latitude must be between −90 and 90 and longitude between −180 and 180.")
OUTSIDE_INDONESIA = gettext_noop(
    "The location %(lat)s, %(lon)s is not in Indonesia: are latitude and longitude swapped, or a digit missing?"
)
OUTSIDE_DISTRICT = gettext_noop(
    "The location %(lat)s, %(lon)s lies outside %(kabupaten)s (its boundaries span latitude %(south)s to %(north)s "
    "and longitude %(west)s to %(east)s). South of the equator the latitude is negative."
)
ONLY_ONE = gettext_noop("Give both latitude and longitude, or neither.")
NOT_CHECKED = gettext_noop(
    "The location could not be checked against the district's boundaries: no boundary file has been uploaded yet."
)


def register_extent(provider: Callable[[str], Extent | None]) -> None:
    """Let an app above the foundation tell the extent of a district (``maps`` does, from its
    boundary files, in its ``AppConfig.ready``): ``provider(kabupaten_code)`` → (min lon, min
    lat, max lon, max lat) in WGS 84, or None."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def district_extent(kabupaten_code: str) -> Extent | None:
    for provider in _PROVIDERS:
        extent = provider(kabupaten_code)
        if extent is not None:
            return extent
    return None


@dataclass
class Finding:
    message: str  # an English msgid
    params: dict = field(default_factory=dict)
    field: str = "latitude"  # the field it is about

    def text(self) -> str:
        text = gettext(self.message)
        return text % self.params if self.params else text


@dataclass
class LocationCheck:
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)


def _fmt(value) -> str:
    """A coordinate as people read it here: up to six decimals, decimal comma."""
    return f"{float(value):.6f}".rstrip("0").rstrip(".").replace(".", ",")


def check(latitude, longitude, kabupaten_code: str | None, kabupaten_name: str = "") -> LocationCheck:
    """Check a pair (Decimal, float or None each) for a posyandu of ``kabupaten_code``."""
    result = LocationCheck()
    if latitude is None and longitude is None:
        return result
    if latitude is None or longitude is None:
        result.errors.append(Finding(ONLY_ONE, field="latitude" if latitude is None else "longitude"))
        return result
    lat, lon = float(Decimal(str(latitude))), float(Decimal(str(longitude)))
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        result.errors.append(Finding(OUTSIDE_RANGE))
        return result
    params = {"lat": _fmt(lat), "lon": _fmt(lon)}
    west, south, east, north = INDONESIA
    if not (west <= lon <= east and south <= lat <= north):
        result.errors.append(Finding(OUTSIDE_INDONESIA, params))
        return result
    extent = district_extent(kabupaten_code) if kabupaten_code else None
    if extent is None:
        result.warnings.append(Finding(NOT_CHECKED))
        return result
    west, south, east, north = extent
    if not (west - MARGIN <= lon <= east + MARGIN and south - MARGIN <= lat <= north + MARGIN):
        result.errors.append(
            Finding(
                OUTSIDE_DISTRICT,
                {
                    **params,
                    "kabupaten": kabupaten_name or kabupaten_code,
                    "south": _fmt(south),
                    "north": _fmt(north),
                    "west": _fmt(west),
                    "east": _fmt(east),
                },
            )
        )
    return result
