"""``tumbuh run_import [BATCH_ID]``: the import worker, running the queued batches oldest first.

``background.start`` starts it, detached, when an upload has to wait its turn; it takes the
instance's import lock and runs every queued batch until none is left, then ends. With a batch
id it checks that this batch is queued first (and runs it in its turn, with the rest). Run by
hand, it does nothing when a worker already runs: that one drains the queue."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from tumbuh.imports.background import drain
from tumbuh.imports.models import BatchStatus, ImportBatch


class Command(BaseCommand):
    help = "Run the queued import batches, oldest first (the worker the upload page starts)."

    def add_arguments(self, parser):
        parser.add_argument("batch_id", type=int, nargs="?", help="a queued batch that must be among those run")

    def handle(self, *args, batch_id=None, **options):
        if batch_id is not None:
            batch = ImportBatch.objects.filter(pk=batch_id).first()
            if batch is None:
                raise CommandError(f"no import batch {batch_id}")
            if batch.status != BatchStatus.QUEUED:
                raise CommandError(f"batch {batch_id} is {batch.status}, not queued")
        ran = drain(on_done=lambda batch: self.stdout.write(f"{batch.pk} {batch.file_name}: {batch.summary()}"))
        if ran is None:
            self.stdout.write("another worker runs the queue")
        elif not ran:
            self.stdout.write("nothing to run")
