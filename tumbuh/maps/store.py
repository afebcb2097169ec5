"""Keeping a checked boundary file: the simplified GeoJSON in the default storage (named by its
content) and the :class:`~tumbuh.maps.models.Boundary` row that names it, saved through the
audited action. The upload page and the demo's synthetic boundaries both keep theirs here, so
a demo map is stored exactly as an uploaded one."""

from __future__ import annotations

import hashlib
import json

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from tumbuh.audit.actions import do_save

from .geojson import Report
from .models import Boundary


def store_file(report: Report) -> str:
    """The simplified collection in the default storage, named by its SHA-256 (a file already
    stored under that name is reused)."""
    content = json.dumps(report.geojson, separators=(",", ":")).encode("utf-8")
    digest = hashlib.sha256(content).hexdigest()[:16]
    name = f"boundaries/{report.kabupaten_code}-{report.level}-{digest}.geojson"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(content))
    return name


def save_report(
    actor,
    boundary: Boundary,
    report: Report,
    *,
    source_name: str,
    tolerance: float,
    reason: str,
    uploaded_by=None,
    **report_extra,
) -> Boundary:
    """Store ``report``'s file and save ``boundary`` (new or the district's existing one for the
    level) with its counts and report, as ``actor`` (``do_save`` asks the policy).
    ``report_extra`` is kept in the stored report beside the check's summary (the demo marks its
    boundaries ``synthetic=True``)."""
    boundary.file_name = store_file(report)
    boundary.source_name = source_name[:200]
    boundary.feature_count = report.features_kept
    boundary.missing_count = len(report.missing)
    boundary.unknown_count = len(report.unknown)
    boundary.repaired_count = len(report.repaired)
    boundary.size_before = report.size_before
    boundary.size_after = report.size_after
    boundary.tolerance = tolerance
    boundary.report = {**report.summary(), **report_extra}
    boundary.uploaded_by = uploaded_by
    return do_save(actor, boundary, reason=reason)
