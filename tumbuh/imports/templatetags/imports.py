"""Template helpers for import batches."""

from __future__ import annotations

from django import template

from tumbuh.imports import framework

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


kind_title = register.filter("kind_title", framework.kind_title)
