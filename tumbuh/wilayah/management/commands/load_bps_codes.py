"""``tumbuh load_bps_codes FILE [--user USERNAME] [--kabupaten CODE] [--dry-run] [--no-progress]``

Loads the desa's BPS codes from an XLSX or CSV table ("Kode Kemendagri", "Kode BPS"), exactly as
the upload on the Regions page does (the ``kode-bps`` import: same checks, same audit, one
transaction). Prints the summary, and writes the rejected rows next to the file as
``<name>-ditolak.xlsx``. With ``--user`` it runs as that user (a district admin, for their own
district); without, as the system (audited as "sistem", like ``load_regions``), for the district
given by ``--kabupaten`` or, when the file's desa all lie in one district, for that one.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tumbuh.accounts import policy
from tumbuh.accounts.models import User
from tumbuh.imports.cells import clean_text, wilayah_code
from tumbuh.imports.errors import ImportFileError
from tumbuh.imports.framework import run_import
from tumbuh.imports.models import BatchStatus, ImportBatch
from tumbuh.imports.readers import inspect_source, open_table
from tumbuh.imports.xlsx import rejected_workbook
from tumbuh.wilayah.importers import KIND, BpsCodeImporter
from tumbuh.wilayah.models import BpsCode, Level, Wilayah


def system_user() -> User:
    """The system as the importing user (never saved): sees every region, audited as "sistem"."""
    return User(username="sistem", full_name="sistem", is_superuser=True, is_active=True)


def districts_in(path: Path) -> set[str]:
    """The districts whose desa the file names (by their Kemendagri codes)."""
    with path.open("rb") as source:
        try:
            table = open_table(source, inspect_source(source), BpsCodeImporter.header_spec())
        except ImportFileError as exc:
            raise CommandError(exc.text()) from exc
        column = table.columns["code"]
        codes = {wilayah_code(clean_text(cells[column])) for _n, cells in table.rows if column < len(cells)}
    prefixes = {c[:5] for c in codes if c.count(".") == 3}
    return set(Wilayah.objects.filter(code__in=prefixes, level=Level.KABUPATEN).values_list("code", flat=True))


class Command(BaseCommand):
    help = "Load the BPS codes of the desa from an XLSX or CSV file (Kode Kemendagri, Kode BPS)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", help="who loads (audited as them): a district admin; default: the system")
        parser.add_argument("--kabupaten", help="regency code (for the system or a superuser); default: the file's")
        parser.add_argument("--dry-run", action="store_true", help="check every row, save nothing")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, file, user=None, kabupaten=None, dry_run=False, no_progress=False, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        actor = self._actor(user)
        target = self._kabupaten(actor, kabupaten, path)
        if not (policy.can(actor, policy.ADD, ImportBatch) and policy.can(actor, policy.CHANGE, BpsCode)):
            raise CommandError(f"{actor.username} may not set BPS codes")
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
                batch = run_import(KIND, user=actor, kabupaten=target, source=source, file_name=path.name, dry_run=dry_run,
                                   on_complete=write_rejected, progress=progress)
        finally:
            if bar is not None:
                bar.close()
        if batch.status == BatchStatus.FAILED:
            raise CommandError(batch.summary())
        prefix = _("Dry run, nothing saved.") + " " if dry_run else ""
        self.stdout.write(f"{target.name}: {prefix}{batch.summary()}")
        if batch.rejected:
            self.stdout.write(_("Rejected rows written to %(path)s") % {"path": rejected_path})

    def _actor(self, username: str | None) -> User:
        if not username:
            return system_user()
        actor = User.objects.filter(username=username, is_active=True).first()
        if actor is None:
            raise CommandError(f"no active user {username!r}")
        return actor

    def _kabupaten(self, actor: User, code: str | None, path: Path) -> Wilayah:
        if not policy.is_global(actor):
            own = actor.wilayah_id[:5] if actor.wilayah_id else None
            if own is None or (code and code != own):
                raise CommandError(f"{actor.username} loads the codes of their own regency only")
            return Wilayah.objects.get(code=own)
        if not code:
            found = districts_in(path)
            if len(found) != 1:
                listed = ", ".join(sorted(found)) or "-"
                raise CommandError(f"the file names desa of {len(found)} regencies ({listed}); choose one with --kabupaten")
            code = found.pop()
        target = Wilayah.objects.filter(code=code, level=Level.KABUPATEN).first()
        if target is None:
            raise CommandError(f"unknown regency code {code}")
        return target
