"""What the import framework tells other apps: a batch's rows are in.

``batch_imported`` is sent once per batch whose data were committed: never for a dry run, never
for a failed batch, and only after the transaction commits (``transaction.on_commit``), so a
receiver sees the rows and nothing it does or fails to do can undo the import. Arguments:
``sender`` the importer class, ``batch`` the ``ImportBatch`` (``batch.findings`` as the importer
left them, e.g. ``findings["years"]``), ``user`` who ran it. Receivers are called with
``send_robust``: an exception is logged, not raised into the import. A receiver that has
something to tell the user (a follow-up done, or one that failed, with a button to retry)
records it with ``ImportBatch.set_notice``; the batch page and the command line show it.

The foundation names no receiver: domain apps connect theirs (``indikator`` recomputes the
coverage indicators an e-PPGBM or KRS batch feeds).
"""

from __future__ import annotations

import logging

from django.dispatch import Signal

log = logging.getLogger(__name__)

batch_imported = Signal()


def announce(importer_cls, batch, user) -> None:
    """Send ``batch_imported`` (called on commit by ``framework.process_batch``)."""
    for receiver, result in batch_imported.send_robust(sender=importer_cls, batch=batch, user=user):
        if isinstance(result, Exception):
            log.error("after import batch %s: %r failed", batch.pk, receiver, exc_info=result)
