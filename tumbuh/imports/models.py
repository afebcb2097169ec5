"""A record of every import: the file (name, sha256, the bytes themselves), who ran it, the
counts, and every rejected row's original cells with the reason it was refused."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tumbuh.core.numbers import message_params
from tumbuh.wilayah.models import Level, Wilayah


class BatchStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed: nothing saved")


class ImportBatch(models.Model):
    kind = models.CharField(_("kind"), max_length=40, db_index=True)
    kabupaten = models.ForeignKey(
        Wilayah,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": Level.KABUPATEN},
        verbose_name=_("regency / city"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    created_by_name = models.CharField(_("who (name)"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("started"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    file_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64, db_index=True)
    file_size = models.PositiveBigIntegerField(_("file size"), default=0)
    source = models.FileField(_("uploaded file"), upload_to="imports/", max_length=300, blank=True)
    headers = models.JSONField(_("column headers in the file"), default=list, blank=True)
    header_row = models.PositiveIntegerField(_("header row"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=BatchStatus.choices, default=BatchStatus.RUNNING)
    error = models.TextField(_("error"), blank=True)
    total_rows = models.PositiveIntegerField(_("data rows"), default=0)
    created = models.PositiveIntegerField(_("new"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    skipped = models.PositiveIntegerField(_("template example rows skipped"), default=0)
    #: Progress of a running batch (also written to a progress file while the batch's
    #: transaction is open, see ``progress.py``).
    rows_total = models.PositiveIntegerField(_("rows to read (estimate)"), default=0)
    rows_done = models.PositiveIntegerField(_("rows read"), default=0)
    #: What an importer found beyond accepted/rejected: data-quality findings, names to
    #: confirm, follow-up batches (e.g. ``{"zscore_disagreements": 12, "unmatched": [...]}``).
    findings = models.JSONField(_("findings"), default=dict, blank=True)
    #: What the user gave with the file (the importer's ``options``, e.g. ``{"year": 2025}``).
    options = models.JSONField(_("options"), default=dict, blank=True)
    #: Who runs a running batch ("pid@host") and when it last said so in the database: set
    #: when the batch starts, outside its transaction. The live heartbeat, written while the
    #: transaction is open, is the progress file (``progress.py``); ``background.py`` marks a
    #: batch whose worker is gone as failed.
    worker = models.CharField(_("worker process"), max_length=200, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    #: The failed batch whose stored file this one runs again (``background.rerun``).
    retry_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="retries",
        verbose_name=_("runs again the file of"),
    )

    scope_path = "kabupaten"
    personal_data = True

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        """ "Child measurements (e-PPGBM) eppgbm.csv (2025-08-12 10:30)": the kind by its importer's
        title, in the active language (an audit row keeps the name it was written with)."""
        name = f"{self.kind_title} {self.file_name}"
        return f"{name} ({timezone.localtime(self.created_at):%Y-%m-%d %H:%M})" if self.created_at else name

    def save(self, *args, **kwargs):
        """A batch saved as running names its process, whatever started it (the queue's worker,
        ``tumbuh import``, an upload run in the request), so one whose process died is found."""
        if self.status == BatchStatus.RUNNING and not self.worker:
            from .progress import worker_name

            self.worker, self.heartbeat_at = worker_name(), timezone.now()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "worker", "heartbeat_at"}
        super().save(*args, **kwargs)

    @property
    def kind_title(self) -> str:
        """The import kind as people call it, its importer's title ("Child measurements
        (e-PPGBM)" for ``eppgbm``); a kind no importer registers any more, as stored."""
        from .framework import kind_title

        return kind_title(self.kind)

    @property
    def accepted(self) -> int:
        """Rows taken in: new, updated or already up to date."""
        return self.created + self.updated + self.unchanged

    def reset_counts(self) -> None:
        self.total_rows = self.created = self.updated = self.unchanged = self.rejected = self.skipped = 0
        self.rows_done = 0
        self.findings = {}

    @property
    def is_active(self) -> bool:
        return self.status in (BatchStatus.QUEUED, BatchStatus.RUNNING)

    @property
    def percent(self) -> int:
        if self.status == BatchStatus.DONE:
            return 100
        return min(99, int(100 * self.rows_done / self.rows_total)) if self.rows_total else 0

    def warnings(self) -> list[tuple[int, str]]:
        """Rows an importer kept with a warning, as (row, text in the active language), from
        ``findings["warnings"]``: ``[{"reason": msgid, "count": n, "rows": [[row, params], ...]}]``
        (the rows listed may be the first few of ``count``)."""
        rows = []
        for entry in (self.findings or {}).get("warnings", []):
            text = gettext(entry["reason"])
            rows += [(number, text % message_params(params) if params else text) for number, params in entry["rows"]]
        return sorted(rows)

    def set_notice(
        self,
        key: str,
        reason: str,
        params: dict | None = None,
        *,
        level: str = "info",
        action: str = "",
        button: str = "",
    ) -> None:
        """Record what a step after the import did or could not do (a receiver of
        ``signals.batch_imported``), for the batch page and the command line: ``reason`` an
        English msgid (shown in the reader's language) with ``params``; ``level`` "info" or
        "error"; ``action`` a URL name taking the batch's pk that a button labelled ``button`` (a
        msgid) posts to. Saved at once (one UPDATE of the stored findings); a notice of the same
        ``key`` replaces the earlier one."""
        stored = ImportBatch.objects.filter(pk=self.pk).values_list("findings", flat=True).first()
        findings = dict(stored if stored is not None else self.findings or {})
        findings["notices"] = {
            **findings.get("notices", {}),
            key: {"reason": reason, "params": params or {}, "level": level, "action": action, "button": button},
        }
        self.findings = findings
        ImportBatch.objects.filter(pk=self.pk).update(findings=findings)

    def notices(self) -> list[dict]:
        """The notices of ``set_notice``, in the active language: dicts of ``text``, ``level``,
        ``action`` (a URL, or "") and ``button``."""
        out = []
        for entry in (self.findings or {}).get("notices", {}).values():
            text = gettext(entry["reason"])
            out.append(
                {
                    "text": text % message_params(entry["params"]) if entry["params"] else text,
                    "level": entry["level"],
                    "action": reverse(entry["action"], args=[self.pk]) if entry["action"] else "",
                    "button": gettext(entry["button"]) if entry["button"] else "",
                }
            )
        return out

    def summary(self) -> str:
        """One line, in the active language, for the command line and messages."""
        if self.status == BatchStatus.FAILED:
            return gettext("Import failed, nothing was saved: %(error)s") % {"error": self.error}
        return gettext(
            "%(total)s rows: %(accepted)s accepted (%(created)s new, %(updated)s updated, %(unchanged)s unchanged), "
            "%(rejected)s rejected."
        ) % {
            "total": self.total_rows,
            "accepted": self.accepted,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }


class ImportRow(models.Model):
    """A rejected row: its original cells (as text, aligned with ``batch.headers``) and why."""

    batch = models.ForeignKey(
        ImportBatch, on_delete=models.CASCADE, related_name="rejected_rows", verbose_name=_("import batch")
    )
    row_number = models.PositiveIntegerField(_("row"))
    cells = models.JSONField(_("original cells"), default=list)
    #: An English msgid (marked with gettext_noop where it is raised) and its parameters, so
    #: the reason shows in the reader's language.
    reason = models.CharField(_("reason"), max_length=300)
    params = models.JSONField(_("values in the reason"), default=dict, blank=True)

    #: Not scoped itself: a rejected row is read only through its batch, which is.
    unscoped = "read through its batch (policy.get_object_or_404 on the ImportBatch)"

    class Meta:
        verbose_name = _("rejected row")
        verbose_name_plural = _("rejected rows")
        ordering = ["batch_id", "row_number"]
        indexes = [models.Index(fields=["batch", "row_number"], name="import_row_batch_idx")]

    def __str__(self) -> str:
        return f"{self.row_number}: {self.message}"

    @property
    def message(self) -> str:
        """The reason in the active language, its numbers in that language's format (a measured
        value "82,9"; a row number or year as digits, "1070")."""
        text = gettext(self.reason)
        return text % message_params(self.params) if self.params else text
