"""``tumbuh backup [--output DIR]``: the database and the uploaded files in one archive
(``tumbuh.core.backup``; docs/deployment.md, "Cadangan dan pemulihan")."""

from __future__ import annotations

import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tumbuh.core import backup
from tumbuh.core.management.progress import Progress
from tumbuh.core.numbers import format_number


class Command(BaseCommand):
    @property
    def help(self) -> str:
        return _(
            "Back up the database and the uploaded files together into one .tar.gz archive, with a manifest "
            "that lets the restore check itself. Safe while the server runs."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            metavar="DIR",
            type=Path,
            help=_("folder for the archive (default: %(path)s)") % {"path": "<TUMBUH_VAR_DIR>/backups"},
        )

    def handle(self, *args, output=None, verbosity=1, **options):
        with translation.override(settings.LANGUAGE_CODE), Progress(sys.stderr, verbosity) as progress:
            try:
                folder = output or Path(settings.VAR_DIR) / "backups"
                result = backup.create_backup(
                    folder,
                    now=timezone.now(),
                    say=progress.say,
                    advance=progress.advance,
                    command=f"tumbuh backup --output {folder}",
                )
            except backup.BackupError as exc:
                raise CommandError(_("Backup failed: %(error)s") % {"error": exc}) from None
            self.stdout.write(_("Backup written: %(path)s") % {"path": result.archive})
            self.stdout.write(
                _("%(size)s, SHA-256 %(sha256)s") % {"size": backup.size_text(result.size), "sha256": result.sha256}
            )
            self.stdout.write(
                _("Database (%(engine)s): %(tables)s tables, %(rows)s rows; %(files)s uploaded files.")
                % {
                    "engine": result.manifest["engine"],
                    "tables": len(result.manifest["row_counts"]),
                    "rows": format_number(result.rows, 0),
                    "files": result.media_files,
                }
            )
