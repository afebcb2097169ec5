"""``tumbuh import-measurements FILE --user USERNAME [--dry-run]``

Imports an e-PPGBM export (or Tumbuh's measurement template) exactly as the upload page
does: same checks, same audit, one transaction. Prints the summary, writes the rejected
rows next to the file as ``<name>-ditolak.xlsx`` and shows a progress bar while it reads.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tumbuh.accounts import policy
from tumbuh.accounts.models import User
from tumbuh.imports.framework import run_import
from tumbuh.imports.models import BatchStatus, ImportBatch
from tumbuh.imports.xlsx import rejected_workbook
from tumbuh.wilayah.models import Level, Wilayah

KIND = "eppgbm"


def importing_kabupaten(actor) -> Wilayah | None:
    """The regency a (non-global) user imports into: their own, or their node's."""
    node = actor.wilayah
    if node is None:
        return None
    if node.level == Level.KABUPATEN:
        return node
    return Wilayah.objects.filter(code=node.kabupaten_code, level=Level.KABUPATEN).first()


class Command(BaseCommand):
    help = "Import child measurements from an e-PPGBM export (XLSX or CSV)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", required=True, help="who imports (audited as them): a district admin or puskesmas officer")
        parser.add_argument("--kabupaten", help="regency code, for a superuser")
        parser.add_argument("--dry-run", action="store_true", help="check every row, save nothing")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, file, user, kabupaten=None, dry_run=False, no_progress=False, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        actor = User.objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"no active user {user!r}")
        if policy.is_global(actor):
            if not kabupaten:
                raise CommandError("--kabupaten is required for a superuser")
            target = Wilayah.objects.filter(code=kabupaten, level=Level.KABUPATEN).first()
            if target is None:
                raise CommandError(f"unknown regency code {kabupaten}")
        else:
            target = importing_kabupaten(actor)
            if target is None or (kabupaten and kabupaten != target.code):
                raise CommandError(f"{user} imports into their own regency only")
        if not policy.can(actor, policy.ADD, ImportBatch(kind=KIND, kabupaten=target, created_by=actor)):
            raise CommandError(f"{user} may not import measurements")

        rejected_path = path.with_name(f"{path.stem}-ditolak.xlsx")

        def write_rejected(batch):
            if batch.rejected:
                with rejected_workbook(batch) as out, rejected_path.open("wb") as dest:
                    shutil.copyfileobj(out, dest)

        bar = None
        if not no_progress:
            from tqdm import tqdm

            bar = tqdm(total=0, unit=" baris", file=sys.stderr, dynamic_ncols=True, mininterval=0.5)

        def progress(done, total):
            if bar is not None:
                bar.total = max(total, done)
                bar.update(done - bar.n)

        try:
            with path.open("rb") as source:
                batch = run_import(
                    KIND, user=actor, kabupaten=target, source=source, file_name=path.name, dry_run=dry_run,
                    on_complete=write_rejected, progress=progress,
                )
        finally:
            if bar is not None:
                bar.close()
        if batch.status == BatchStatus.FAILED:
            raise CommandError(batch.summary())
        prefix = _("Dry run, nothing saved.") + " " if dry_run else ""
        self.stdout.write(prefix + batch.summary())
        findings = batch.findings or {}
        if findings.get("zscore_disagreements"):
            self.stdout.write(
                _("e-PPGBM's z-scores differ from Tumbuh's by more than 0.01 in %(n)s rows.") % {"n": findings["zscore_disagreements"]}
            )
        if findings.get("anonymised_names"):
            self.stdout.write(
                _("%(n)s rows carry an anonymised name (ANON_…), recognised by the NIK only; %(new)s new children got it as a placeholder name.")
                % {"n": findings["anonymised_names"], "new": findings.get("anonymised_new_children", 0)}
            )
        if findings.get("service_unreadable"):
            self.stdout.write(
                _("%(n)s service cells could not be read and are stored as unknown (their rows were kept).")
                % {"n": findings["service_unreadable"]}
            )
        if findings.get("ignored_cells"):
            columns = ", ".join(f"{column} {n}" for column, n in findings["ignored_cells"].items())
            self.stdout.write(_("Cells that could not be read, per column: %(columns)s") % {"columns": columns})
        for entry in findings.get("unmatched", [])[:20]:
            self.stdout.write(
                _("Unknown %(kind)s name %(name)s (%(rows)s rows); proposal: %(proposal)s")
                % {"kind": entry["kind"], "name": entry["source_text"], "rows": entry["rows"], "proposal": entry["proposal_name"] or "—"}
            )
        if batch.rejected:
            self.stdout.write(_("Rejected rows written to %(path)s") % {"path": rejected_path})
        if not dry_run:
            self.stdout.write(_("Batch %(pk)s") % {"pk": batch.pk})
