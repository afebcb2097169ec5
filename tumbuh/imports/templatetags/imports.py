"""Template helpers for import batches."""

from __future__ import annotations

from django import template
from django.utils.text import capfirst

from tumbuh.imports.framework import kinds

register = template.Library()

#: How many rejected rows a batch's page shows; the rest are in the download.
PREVIEW_ROWS = 200


@register.inclusion_tag("imports/_rejected_rows.html")
def rejected_rows(batch) -> dict:
    """The first rejected rows of ``batch`` with their reasons and cells, under the file's
    headers (a row longer than the headers gets blank headers, a shorter row blank cells)."""
    rows = list(batch.rejected_rows.all()[:PREVIEW_ROWS])
    width = max([len(batch.headers)] + [len(r.cells) for r in rows])
    return {
        "headers": list(batch.headers) + [""] * (width - len(batch.headers)),
        "table": [(r, list(r.cells) + [""] * (width - len(r.cells))) for r in rows],
        "more_rejected": max(0, batch.rejected - len(rows)),
    }


@register.filter
def kind_title(kind: str) -> str:
    """An import kind as people call it ("Child measurements (e-PPGBM)" for ``eppgbm``): its
    importer's title; a kind no importer registers any more, as stored."""
    importer = kinds().get(kind)
    return str(capfirst(importer.title)) if importer is not None else kind
