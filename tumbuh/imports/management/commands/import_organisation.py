"""``tumbuh import_organisation KIND FILE --user USERNAME [--dry-run]``

Imports a puskesmas, posyandu or OPD list exactly as the upload page does (same checks,
same audit, one transaction), prints the summary, and writes the rejected rows next to the
file as ``<name>-ditolak.xlsx``. With ``--dry-run`` nothing is saved.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tumbuh.accounts import policy
from tumbuh.accounts.models import User
from tumbuh.imports.framework import importer_for, kinds, run_import
from tumbuh.imports.models import BatchStatus, ImportBatch
from tumbuh.imports.xlsx import rejected_workbook
from tumbuh.wilayah.models import Level, Wilayah

ORGANISATION_KINDS = ("puskesmas", "posyandu", "opd")


class Command(BaseCommand):
    help = "Import a puskesmas, posyandu or OPD list from an XLSX or CSV file."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=ORGANISATION_KINDS)
        parser.add_argument("file")
        parser.add_argument("--user", required=True, help="the district admin doing the import (audited as them)")
        parser.add_argument("--kabupaten", help="regency code, for a superuser (a district admin imports into their own)")
        parser.add_argument("--dry-run", action="store_true", help="check every row, save nothing")

    def handle(self, *args, kind, file, user, kabupaten=None, dry_run=False, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        actor = User.objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"no active user {user!r}")
        importer_cls = importer_for(kind) if kind in kinds() else None
        if importer_cls is None or not (
            policy.can(actor, policy.ADD, ImportBatch) and policy.can(actor, policy.ADD, importer_cls.model)
        ):
            raise CommandError(f"{user} may not import {kind} lists")
        if policy.is_global(actor):
            if not kabupaten:
                raise CommandError("--kabupaten is required for a superuser")
            target = Wilayah.objects.filter(code=kabupaten, level=Level.KABUPATEN).first()
            if target is None:
                raise CommandError(f"unknown regency code {kabupaten}")
        else:
            if kabupaten and kabupaten != actor.wilayah_id:
                raise CommandError(f"{user} imports into {actor.wilayah_id} only")
            target = actor.wilayah

        rejected_path = path.with_name(f"{path.stem}-ditolak.xlsx")

        def write_rejected(batch):
            if batch.rejected:
                with rejected_workbook(batch) as out, rejected_path.open("wb") as dest:
                    shutil.copyfileobj(out, dest)

        with path.open("rb") as source:
            batch = run_import(
                kind, user=actor, kabupaten=target, source=source, file_name=path.name, dry_run=dry_run,
                on_complete=write_rejected,
            )
        if batch.status == BatchStatus.FAILED:
            raise CommandError(batch.summary())
        prefix = _("Dry run, nothing saved.") + " " if dry_run else ""
        self.stdout.write(prefix + batch.summary())
        if batch.skipped:
            self.stdout.write(_("Template example rows skipped: %(n)s") % {"n": batch.skipped})
        if batch.rejected:
            self.stdout.write(_("Rejected rows written to %(path)s") % {"path": rejected_path})
        if not dry_run:
            self.stdout.write(_("Batch %(pk)s") % {"pk": batch.pk})
