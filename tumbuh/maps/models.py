"""Area boundaries for the choropleth: one simplified GeoJSON file per kabupaten and level.

The geometry lives in a file (``MEDIA_ROOT/boundaries/``), named by its content hash, so the
audit log records which file was in use without copying megabytes of coordinates; a
replaced file stays on disk for the record."""

from __future__ import annotations

import json
from functools import lru_cache

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models
from django.utils.translation import gettext_lazy as _

from tumbuh.wilayah.models import Level, Wilayah


class MapLevel(models.IntegerChoices):
    KECAMATAN = Level.KECAMATAN, _("Kecamatan")
    DESA = Level.DESA, _("Desa / kelurahan")


class Boundary(models.Model):
    kabupaten = models.ForeignKey(
        Wilayah,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": Level.KABUPATEN},
        verbose_name=_("regency / city"),
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=MapLevel.choices)
    #: The stored, simplified GeoJSON: a name in the default storage (a plain text column, so
    #: the audit log records it as text).
    file_name = models.CharField(_("simplified GeoJSON"), max_length=200)
    source_name = models.CharField(_("uploaded file"), max_length=200, blank=True)
    feature_count = models.PositiveIntegerField(_("areas with a boundary"), default=0)
    missing_count = models.PositiveIntegerField(_("areas missing"), default=0)
    unknown_count = models.PositiveIntegerField(_("unknown codes"), default=0)
    repaired_count = models.PositiveIntegerField(_("geometries repaired"), default=0)
    size_before = models.PositiveIntegerField(_("size uploaded (bytes)"), default=0)
    size_after = models.PositiveIntegerField(_("size simplified (bytes)"), default=0)
    tolerance = models.FloatField(_("simplification tolerance (degrees)"), default=0.0003)
    report = models.JSONField(_("check report"), default=dict, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now=True)

    scope_path = "kabupaten"
    personal_data = False
    personal_data_reason = "a boundary file's name, not a person's"
    scope_reaches_up = True  # everyone in the district may see its map

    class Meta:
        verbose_name = _("boundary file")
        verbose_name_plural = _("boundary files")
        ordering = ["kabupaten_id", "level"]
        constraints = [models.UniqueConstraint(fields=["kabupaten", "level"], name="boundary_one_per_kabupaten_level")]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.kabupaten_id}"

    def collection(self) -> dict:
        """The stored FeatureCollection (read once per file and process)."""
        return _read_collection(self.file_name)

    @property
    def synthetic(self) -> bool:
        """Made up by the demo (``tumbuh.demo.boundaries``), not a district's real boundaries:
        every map drawn from it says so."""
        return bool((self.report or {}).get("synthetic"))

    @property
    def unmatched_count(self) -> int:
        """Features of the uploaded file that matched no area (all kinds), from the stored report."""
        from .geojson import UNMATCHED

        counts = (self.report or {}).get("issue_counts")
        if counts is None:
            return self.unknown_count
        return sum(counts.get(kind, 0) for kind in UNMATCHED)

    def extent(self) -> tuple[float, float, float, float] | None:
        """(min lon, min lat, max lon, max lat) of the stored areas."""
        bbox = (self.report or {}).get("bbox")
        if bbox and len(bbox) == 4:
            return tuple(bbox)
        return _extent_of(self.file_name)


def district_extent(kabupaten_code: str) -> tuple[float, float, float, float] | None:
    """The extent of a district's boundary files (all levels together), or None without one:
    registered with ``organisation.location`` to check a posyandu's location."""
    extents = [b.extent() for b in Boundary.objects.filter(kabupaten_id=kabupaten_code)]
    extents = [e for e in extents if e]
    if not extents:
        return None
    return (
        min(e[0] for e in extents),
        min(e[1] for e in extents),
        max(e[2] for e in extents),
        max(e[3] for e in extents),
    )


@lru_cache(maxsize=16)
def _extent_of(name: str):
    import shapely
    from shapely.geometry import shape

    features = _read_collection(name)["features"]
    if not features:
        return None
    return tuple(shapely.total_bounds([shape(f["geometry"]) for f in features]).tolist())


@lru_cache(maxsize=16)
def _read_collection(name: str) -> dict:
    with default_storage.open(name, "rb") as fh:
        return json.loads(fh.read().decode("utf-8"))
