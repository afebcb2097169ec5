"""``tumbuh restore ARCHIVE [--force]``: an archive of ``tumbuh backup`` back into the
configured database and MEDIA_ROOT, checked against its manifest (``tumbuh.core.backup``;
docs/deployment.md, "Cadangan dan pemulihan"). Stop the server first."""

from __future__ import annotations

import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from tumbuh.core import backup
from tumbuh.core.management.progress import Progress
from tumbuh.core.numbers import format_number


class Command(BaseCommand):
    @property
    def help(self) -> str:
        return _(
            "Restore a backup made by 'tumbuh backup' into this instance's database and uploaded files, "
            "checked against its manifest. Stop the server first."
        )

    def add_arguments(self, parser):
        parser.add_argument("archive", metavar="ARCHIVE", type=Path, help=_("the .tar.gz archive"))
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("replace an instance that already holds data (its uploaded files are moved aside)"),
        )

    def handle(self, *args, archive, force=False, verbosity=1, **options):
        with translation.override(settings.LANGUAGE_CODE), Progress(sys.stderr, verbosity) as progress:
            try:
                result = backup.restore_backup(
                    archive,
                    force=force,
                    now=timezone.now(),
                    say=progress.say,
                    advance=progress.advance,
                    migrate_out=sys.stderr,
                    command=f"tumbuh restore {archive}{' --force' if force else ''}",
                )
            except backup.BackupError as exc:
                raise CommandError(_("Restore refused or failed: %(error)s") % {"error": exc}) from None
            m = result.manifest
            made = parse_datetime(m.get("created_at") or "")
            self.stdout.write(
                _("Restored from %(path)s (made %(when)s by Tumbuh %(version)s).")
                % {
                    "path": result.archive,
                    "when": timezone.localtime(made).strftime("%Y-%m-%d %H:%M") if made else "?",
                    "version": m.get("tumbuh_version", "?"),
                }
            )
            self.stdout.write(
                _("Database (%(engine)s): %(tables)s tables, %(rows)s rows, every count as in the backup.")
                % {
                    "engine": m["engine"],
                    "tables": len(m["row_counts"]),
                    "rows": format_number(result.rows, 0),
                }
            )
            self.stdout.write(_("Uploaded files: %(n)s, each matching its checksum.") % {"n": result.media_files})
            if result.migrated:
                self.stdout.write(
                    _("Migrations applied (the backup was from an older Tumbuh): %(names)s")
                    % {"names": ", ".join(result.migrated)}
                )
            if result.kept_media:
                self.stdout.write(
                    _(
                        "The uploaded files that were here before are kept in %(path)s; delete that folder "
                        "once the restore is checked."
                    )
                    % {"path": result.kept_media}
                )
