"""Pages for importing e-PPGBM exports: upload, the batch (progress, findings, names to
confirm), the z-score disagreements, the template. Large files run in the background
(``tumbuh.imports.background``); the batch page polls progress every 2 s with htmx."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F, Q
from django.db.models.functions import Abs
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tumbuh.accounts import policy
from tumbuh.core.numbers import format_measure, format_number
from tumbuh.core.spreadsheet import Number, csv_writer
from tumbuh.imports import background
from tumbuh.imports.forms import UploadForm
from tumbuh.imports.framework import create_batch, importing_kabupaten, previous_batches, store_source
from tumbuh.imports.models import BatchStatus, ImportBatch
from tumbuh.imports.views import checked, import_denied, may_rerun, progress_context
from tumbuh.imports.xlsx import template_workbook

from .importers import ALL_NAME_REASONS, Z_TOLERANCE, EppgbmImporter, confirm_mapping, target_choices
from .models import Measurement

KIND = EppgbmImporter.kind
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _target_kabupaten(user, form):
    return form.target_kabupaten() if "kabupaten" in form.fields else importing_kabupaten(user)


def _may_import(user, kabupaten=None) -> bool:
    return user.is_authenticated and EppgbmImporter.may_import(user, kabupaten)


def _require_import(user):
    if not _may_import(user):
        raise import_denied(EppgbmImporter)


@login_required
@require_http_methods(["GET", "POST"])
def upload(request):
    _require_import(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user, options=EppgbmImporter.options)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        kabupaten = _target_kabupaten(request.user, form)
        batch = create_batch(
            KIND, user=request.user, kabupaten=kabupaten, file_name=Path(upload.name).name, options=form.option_values()
        )
        batch = store_source(batch, upload)
        batch = background.start(batch)
        if batch.status == BatchStatus.FAILED:
            messages.error(request, batch.summary())
        return redirect("measurement_imports:batch", pk=batch.pk)
    recent = policy.visible(request.user, ImportBatch.objects.filter(kind=KIND))[:10]
    return render(
        request, "measurements/import_upload.html", {"importer": EppgbmImporter, "form": form, "recent": recent}
    )


@login_required
def template_download(request):
    _require_import(request.user)
    kabupaten = importing_kabupaten(request.user) if not policy.is_global(request.user) else None
    references = EppgbmImporter.references(request.user, kabupaten) if kabupaten is not None else []
    return FileResponse(
        template_workbook(EppgbmImporter, references),
        as_attachment=True,
        filename="templat-pengukuran.xlsx",
        content_type=XLSX,
    )


def _batch(request, pk) -> ImportBatch:
    batch = policy.get_object_or_404(
        request.user, ImportBatch.objects.select_related("kabupaten", "created_by").filter(kind=KIND), pk=pk
    )
    policy.require(request.user, policy.VIEW, batch)
    return batch


def _context(request, batch):
    unmatched = []
    if batch.status == BatchStatus.DONE:
        for entry in (batch.findings or {}).get("unmatched", []):
            unmatched.append({**entry, "choices": target_choices(batch.kabupaten, entry["kind"], entry["parent"])})
    return {
        "batch": batch,
        **progress_context(batch),
        "may_rerun": may_rerun(request.user, batch),
        "findings": batch.findings or {},
        "unmatched": unmatched,
        "may_import": _may_import(request.user, batch.kabupaten),
        "rejected_sample": list(batch.rejected_rows.all()[:50]),
        "previous": previous_batches(batch).first(),
    }


@login_required
def batch_detail(request, pk):
    batch = checked(_batch(request, pk))
    return render(request, "measurements/import_batch.html", _context(request, batch))


@login_required
def batch_progress(request, pk):
    """The progress block alone, for htmx polling; a batch that ended reloads the page."""
    batch = checked(_batch(request, pk))
    if not batch.is_active:
        response = HttpResponse("")
        response["HX-Refresh"] = "true"
        return response
    return render(request, "measurements/import_progress.html", _context(request, batch))


@login_required
@require_POST
def confirm_names(request, pk):
    """Confirm the proposed (or chosen) meaning of unmatched names, remember them, and run
    the batch's rejected rows again as a new batch."""
    batch = _batch(request, pk)
    if not _may_import(request.user, batch.kabupaten) or batch.status != BatchStatus.DONE:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    confirmed = 0
    for i, entry in enumerate((batch.findings or {}).get("unmatched", [])):
        target = request.POST.get(f"map-{i}", "")
        if not target:
            continue
        try:
            confirm_mapping(
                request.user, batch, entry["kind"], entry["parent"], entry["source"], entry["source_text"], target
            )
        except ValueError:
            raise Http404 from None
        confirmed += 1
    if not confirmed:
        messages.info(request, _("No name was confirmed."))
        return redirect("measurement_imports:batch", pk=batch.pk)
    rerun = rerun_rejected(request.user, batch)
    messages.success(request, _("%(n)s names confirmed; the rejected rows are imported again.") % {"n": confirmed})
    return redirect("measurement_imports:batch", pk=rerun.pk)


def rerun_rejected(user, batch: ImportBatch) -> ImportBatch:
    """Import ``batch``'s rejected rows again (e.g. after names were confirmed), as a new
    batch whose rejected rows are what is left to fix."""
    text = io.StringIO()
    writer = csv.writer(
        text, delimiter=";"
    )  # read by Tumbuh's importer, never opened by a person: the cells as they came
    writer.writerow(batch.headers)
    for row in batch.rejected_rows.order_by("row_number").iterator(chunk_size=2000):
        writer.writerow(list(row.cells) + [""] * (len(batch.headers) - len(row.cells)))
    source = io.BytesIO(text.getvalue().encode("utf-8-sig"))
    new = create_batch(
        KIND,
        user=user,
        kabupaten=batch.kabupaten,
        file_name=f"{Path(batch.file_name).stem}-ulang.csv",
        options=batch.options,
    )
    new.findings = {"rerun_of": batch.pk}
    new = store_source(new, source)
    findings = dict(batch.findings or {})
    findings["rerun"] = new.pk
    ImportBatch.objects.filter(pk=batch.pk).update(findings=findings)
    return background.start(new)


def name_rejections(batch: ImportBatch):
    return batch.rejected_rows.filter(reason__in=ALL_NAME_REASONS)


def disagreements(batch: ImportBatch):
    q = Q()
    for ours, theirs in (("zlen", "eppgbm_zlen"), ("zwei", "eppgbm_zwei"), ("zwfl", "eppgbm_zwfl")):
        q |= Q(**{f"{theirs}__isnull": False}) & (Q(**{f"{ours}__isnull": True}) | Q(**{f"_d_{ours}__gt": Z_TOLERANCE}))
    return (
        Measurement.objects.filter(import_batch=batch)
        .annotate(
            _d_zlen=Abs(F("zlen") - F("eppgbm_zlen")),
            _d_zwei=Abs(F("zwei") - F("eppgbm_zwei")),
            _d_zwfl=Abs(F("zwfl") - F("eppgbm_zwfl")),
        )
        .filter(q)
        .select_related("child")
        .order_by("child__name", "date")
    )


@login_required
def disagreements_download(request, pk):
    batch = _batch(request, pk)
    text = io.StringIO()
    writer = csv_writer(text, delimiter=";")  # every row through the one rule (csv_row)
    writer.writerow(
        [
            "Tumbuh ID",
            "Nama",
            "Tgl Lahir",
            "Tanggal Pengukuran",
            "Berat",
            "Tinggi",
            "Cara Ukur",
            "ZS TB/U e-PPGBM",
            "ZS TB/U Tumbuh",
            "ZS BB/U e-PPGBM",
            "ZS BB/U Tumbuh",
            "ZS BB/TB e-PPGBM",
            "ZS BB/TB Tumbuh",
        ]
    )

    # A file for a person to set beside e-PPGBM's own (";" and, in Indonesian, the decimal comma, as
    # Excel in Indonesia writes it): numbers in the reader's language by the one rule, like the labels.
    def z(v):
        return Number(format_number(v, 2, grouping=False))

    for m in disagreements(batch).iterator(chunk_size=2000):
        writer.writerow(
            [
                m.child.tumbuh_id,
                m.child.name,
                f"{m.child.birth_date:%d/%m/%Y}",
                f"{m.date:%d/%m/%Y}",
                Number(format_measure(m.weight)),
                Number(format_measure(m.lenhei)),
                m.get_position_display(),
                z(m.eppgbm_zlen),
                z(m.zlen),
                z(m.eppgbm_zwei),
                z(m.zwei),
                z(m.eppgbm_zwfl),
                z(m.zwfl),
            ]
        )  # a name read from a file may start like a formula
    response = HttpResponse(text.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{Path(batch.file_name).stem}-zscore-beda.csv"'
    return response
