"""``tumbuh import_recover``: fail the import batches whose worker is gone, restart the queue.

The batch pages do the same whenever they are opened; this is for operators (e.g. after a
restart, or from cron). A running batch whose process is gone is marked failed with a reason
(nothing of it was saved; it can be run again from its page), and a worker is started if
batches are queued and none runs."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from tumbuh.imports.background import check
from tumbuh.imports.models import BatchStatus, ImportBatch


class Command(BaseCommand):
    help = "Mark import batches whose worker is gone as failed, and start a worker for queued batches."

    def handle(self, *args, **options):
        failed = check()
        for batch in failed:
            self.stdout.write(f"{batch.pk} {batch.file_name}: failed, its worker {batch.worker or '?'} is gone")
        queued = ImportBatch.objects.filter(status=BatchStatus.QUEUED).count()
        self.stdout.write(f"{len(failed)} batch(es) marked failed; {queued} queued")
