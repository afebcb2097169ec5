"""Upload a list, see what happened to every row, download the rejected rows to fix them."""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tumbuh.accounts import policy
from tumbuh.wilayah.models import Level, Wilayah

from . import background
from .forms import UploadForm
from .framework import create_batch, importer_for, kinds, previous_batches, store_source
from .models import BatchStatus, ImportBatch
from .progress import read_progress
from .xlsx import rejected_workbook, template_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _importer(kind: str):
    try:
        return importer_for(kind)
    except KeyError:
        raise Http404 from None


def can_import(user, kind: str) -> bool:
    """For other apps' pages: may ``user`` import lists of ``kind``?"""
    return kind in kinds() and importer_for(kind).may_import(user)


def import_denied(importer_cls) -> PermissionDenied:
    """The 403 of an upload page, with who imports this kind of file (shown by ``403.html``)."""
    if importer_cls.kind in policy.PUSKESMAS_IMPORT_KINDS:
        reason = _(
            "Only the district's TPPS secretariat and the puskesmas officers import %(title)s: "
            "ask them to import your file."
        )
    else:
        reason = _("Only the district's TPPS secretariat imports %(title)s: ask it to import your file.")
    return PermissionDenied(reason % {"title": importer_cls.title})


def _require_import(user, importer_cls) -> None:
    if not importer_cls.may_import(user):
        raise import_denied(importer_cls)


@login_required
def batch_list(request):
    """The batches the user may see: the district admin every batch in their area
    (``policy.visible``); whoever else imports a kind of file (a puskesmas officer: e-PPGBM, OPD
    staff: coverage) the batches they ran."""
    available = [(slug, cls.title) for slug, cls in kinds().items() if can_import(request.user, slug)]
    sees_all = policy.can(request.user, policy.VIEW, ImportBatch)
    if not (available or sees_all):
        raise PermissionDenied(
            _(
                "The list of imports is for those who import files: the district's TPPS secretariat, "
                "puskesmas officers (child measurements) and OPD staff (coverage)."
            )
        )
    background.check()  # a batch whose worker is gone shows as failed, not as running forever
    qs = policy.visible(request.user, ImportBatch.objects.select_related("kabupaten"))
    if not sees_all:
        qs = qs.filter(created_by=request.user)
    kind = request.GET.get("kind", "")
    if kind:
        qs = qs.filter(kind=kind)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "imports/batch_list.html", {"page": page, "kinds": available, "kind": kind})


@login_required
@require_http_methods(["GET", "POST"])
def upload(request, kind):
    importer_cls = _importer(kind)
    if importer_cls.pages():
        return redirect(importer_cls.pages())
    _require_import(request.user, importer_cls)
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user, options=importer_cls.options)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        batch = start_upload(kind, request.user, form.target_kabupaten(), upload, options=form.option_values())
        announce(request, batch)
        return redirect("imports:batch", pk=batch.pk)
    recent = policy.visible(request.user, ImportBatch.objects.filter(kind=kind))[:10]
    return render(
        request, "imports/upload.html", {"importer": importer_cls, "kind": kind, "form": form, "recent": recent}
    )


def start_upload(kind: str, user, kabupaten, upload, *, options: dict | None = None) -> ImportBatch:
    """Store an uploaded file as a queued batch and hand it to the worker: the request only
    checks the file cheaply (``store_source``: its format, and a zip's central directory, so a
    zip bomb is refused here); reading the rows happens in ``background`` (small files may run
    at once, under the same limits)."""
    batch = create_batch(kind, user=user, kabupaten=kabupaten, file_name=Path(upload.name).name, options=options)
    return background.start(store_source(batch, upload))


def announce(request, batch: ImportBatch) -> None:
    """The message after an upload: the outcome when the batch is done or failed, else that
    it is being read (the batch page shows its progress)."""
    if batch.status == BatchStatus.FAILED:
        messages.error(request, batch.summary())
    elif batch.status == BatchStatus.DONE:
        messages.success(request, batch.summary())
    else:
        messages.info(request, _("The file is being processed; this page shows the result when it is done."))


def progress_response(request, batch: ImportBatch) -> HttpResponse:
    """The progress block of a batch page (``imports/_progress.html``), polled by htmx, after
    the queue's check (``checked``); once the batch is no longer queued or running, the page
    reloads to show the result."""
    batch = checked(batch)
    if not batch.is_active:
        response = HttpResponse("")
        response["HX-Refresh"] = "true"
        return response
    return render(request, "imports/_progress.html", progress_context(batch, request.path))


def _template_kabupaten(request) -> Wilayah | None:
    if not policy.is_global(request.user):
        return request.user.wilayah
    code = request.GET.get("kabupaten", "")
    return Wilayah.objects.filter(code=code, level=Level.KABUPATEN).first() if code else None


@login_required
def template_download(request, kind):
    importer_cls = _importer(kind)
    _require_import(request.user, importer_cls)
    kabupaten = _template_kabupaten(request)
    references = importer_cls.references(request.user, kabupaten) if kabupaten is not None else []
    return FileResponse(
        template_workbook(importer_cls, references),
        as_attachment=True,
        filename=f"templat-{kind}.xlsx",
        content_type=XLSX,
    )


def _batch(request, pk) -> ImportBatch:
    batch = policy.get_object_or_404(request.user, ImportBatch.objects.select_related("kabupaten", "created_by"), pk=pk)
    policy.require(request.user, policy.VIEW, batch)
    return batch


def checked(batch: ImportBatch) -> ImportBatch:
    """``batch`` after the queue's check (``background.check``): an active batch whose worker
    is gone is shown failed, and a queued one without a worker gets one."""
    if batch.is_active:
        background.check()
        batch.refresh_from_db()
    return batch


def progress_context(batch: ImportBatch, url: str = "") -> dict:
    """The progress of an active batch for its page, polled at ``url`` (none for a page that
    polls its own way): rows done of about ``total`` (the live progress file while it runs),
    its percent, and its place in the queue (``queue``)."""
    live = read_progress(batch.pk) if batch.is_active else None
    done, total = live if live else (batch.rows_done, batch.rows_total)
    total = max(total, done)
    percent = 100 if batch.status == BatchStatus.DONE else (min(99, 100 * done // total) if total else 0)
    return {
        "batch": batch,
        "progress_url": url,
        "done": done,
        "total": total,
        "percent": percent,
        "queue": background.queue_state(batch) if batch.is_active else None,
    }


def may_rerun(user, batch: ImportBatch) -> bool:
    """May ``user`` run this failed batch again? The upload's rule, for the batch's district."""
    importer_cls = kinds().get(batch.kind)
    return (
        batch.status == BatchStatus.FAILED
        and bool(batch.source)
        and importer_cls is not None
        and user.is_authenticated
        and importer_cls.may_import(user, batch.kabupaten)
    )


@login_required
def batch_detail(request, pk):
    batch = policy.get_object_or_404(request.user, ImportBatch.objects.select_related("kabupaten", "created_by"), pk=pk)
    importer_cls = kinds().get(batch.kind)
    if importer_cls is not None and importer_cls.pages(batch):
        return redirect(importer_cls.pages(batch))  # the kind's own page, which asks the policy itself
    policy.require(request.user, policy.VIEW, batch)
    batch = checked(batch)
    return render(
        request,
        "imports/batch_detail.html",
        {
            "batch": batch,
            **(progress_context(batch, reverse("imports:progress", args=[batch.pk])) if batch.is_active else {}),
            "importer": importer_cls,
            "options": given_options(importer_cls, batch),
            "previous": previous_batches(batch).first(),
            "may_rerun": may_rerun(request.user, batch),
            **_warnings(importer_cls, batch),
        },
    )


@login_required
def batch_progress(request, pk):
    """The progress block alone, for htmx polling; a batch that ended reloads the page."""
    return progress_response(request, _batch(request, pk))


@login_required
@require_POST
def batch_rerun(request, pk):
    """Run a failed batch again from its stored file, as a new batch of this user (the upload's
    permission for the batch's district; its rows audited as the user's, as an upload's are)."""
    batch = _batch(request, pk)
    importer_cls = _importer(batch.kind)
    if not may_rerun(request.user, batch):
        if batch.status != BatchStatus.FAILED or not batch.source:
            messages.error(request, _("Only a failed import whose file is kept can be run again."))
            return redirect(importer_cls.pages(batch) or reverse("imports:batch", args=[batch.pk]))
        raise import_denied(importer_cls)
    new = background.rerun(batch, request.user)
    if new.status == BatchStatus.FAILED:
        messages.error(request, new.summary())
    elif new.status == BatchStatus.DONE:
        messages.success(request, new.summary())
    return redirect(importer_cls.pages(new) or reverse("imports:batch", args=[new.pk]))


def given_options(importer_cls, batch: ImportBatch) -> list[tuple[str, str]]:
    """The values given with the file, labelled as the upload form labels them ("Tahun data", "2025")."""
    given = batch.options or {}
    declared = {o.name: o.label for o in (importer_cls.options if importer_cls else ())}
    return [(str(declared.get(name, name)), str(value)) for name, value in given.items() if value not in (None, "")]


def _warnings(importer_cls, batch: ImportBatch) -> dict:
    """Rows kept with a warning (``batch.warnings()``) and the fields the file did not carry
    (``findings["unknown_fields"]``, named as the model names them)."""
    findings = batch.findings or {}
    unknown = []
    for name in findings.get("unknown_fields", []):
        try:
            unknown.append(str(importer_cls.model._meta.get_field(name).verbose_name))
        except Exception:
            unknown.append(name)
    return {
        "warnings": batch.warnings(),
        "unknown_fields": unknown,
        "warnings_total": sum(entry["count"] for entry in findings.get("warnings", [])),
    }


@login_required
def rejected_download(request, pk):
    batch = _batch(request, pk)
    name = f"{Path(batch.file_name).stem}-ditolak.xlsx"
    return FileResponse(rejected_workbook(batch), as_attachment=True, filename=name, content_type=XLSX)


@login_required
def source_download(request, pk):
    batch = _batch(request, pk)
    if not batch.source:
        raise Http404
    return FileResponse(batch.source.open("rb"), as_attachment=True, filename=batch.file_name)
