"""``tumbuh run_import BATCH_ID``: run a queued import batch from its stored file.

The upload page starts this in a detached process for large files; it can also be run by
hand to retry a batch that was left queued (e.g. after a restart)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from tumbuh.imports.framework import run_stored
from tumbuh.imports.models import BatchStatus, ImportBatch


class Command(BaseCommand):
    help = "Run a queued import batch (started by the upload page for large files)."

    def add_arguments(self, parser):
        parser.add_argument("batch_id", type=int)

    def handle(self, *args, batch_id, **options):
        batch = ImportBatch.objects.select_related("created_by", "kabupaten").filter(pk=batch_id).first()
        if batch is None:
            raise CommandError(f"no import batch {batch_id}")
        if batch.status != BatchStatus.QUEUED:
            raise CommandError(f"batch {batch_id} is {batch.status}, not queued")
        batch = run_stored(batch)
        self.stdout.write(batch.summary())
