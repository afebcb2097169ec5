"""``tumbuh import_parquet DIR [--user USER] [--replace] [--no-progress]``

Loads a district's pooled export (``tumbuh export_parquet``) into this instance's pooled visits,
all or nothing, once its manifest and every file's checksum and row count agree
(``tumbuh.pooling.load``). Without ``--user`` Tumbuh acts as itself (the audit log says
"sistem"); with it, the user must see every kabupaten of the export.
"""

import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from tqdm import tqdm

from tumbuh.accounts import policy
from tumbuh.accounts.models import User
from tumbuh.core.numbers import format_number
from tumbuh.pooling.load import ExportRefused, do_import_parquet


class Command(BaseCommand):
    help = "Load a district's pooled Parquet export (checked against its manifest) into the pooled visits."

    def add_arguments(self, parser):
        parser.add_argument("path", help=_("the export's directory (with _manifest.json)"))
        parser.add_argument("--user", help=_("who loads it (default: Tumbuh itself)"))
        parser.add_argument(
            "--replace",
            action="store_true",
            help=_("the export is the whole of its kabupaten: delete their pooled visits first"),
        )
        parser.add_argument("--no-progress", action="store_true", help=_("no progress bar"))

    def handle(self, *args, path, user=None, replace=False, no_progress=False, **options):
        with translation.override(settings.LANGUAGE_CODE):
            self.run(Path(path), user, replace, no_progress)

    def run(self, path: Path, username: str | None, replace: bool, no_progress: bool) -> None:
        actor = policy.SYSTEM
        if username:
            actor = User.objects.filter(username=username, is_active=True).first()
            if actor is None:
                raise CommandError(_("No active user %(user)s.") % {"user": username})
        with tqdm(unit=" kunjungan", file=sys.stderr, dynamic_ncols=True, mininterval=0.5, disable=no_progress) as bar:
            try:
                done = do_import_parquet(actor, path, now=timezone.now(), replace=replace, progress=bar.update)
            except (ExportRefused, PermissionError) as exc:
                raise CommandError(str(exc)) from None
        self.stdout.write(
            _(
                "Export of %(exporter)s (%(kabupaten)s) loaded: %(rows)s visits, %(added)s new, "
                "%(updated)s pooled already. Manifest SHA-256 %(sha)s: compare it with the one the district sent."
            )
            % {
                "exporter": done.exporter,
                "kabupaten": done.kabupaten_codes,
                "rows": format_number(done.rows, 0),
                "added": format_number(done.added, 0),
                "updated": format_number(done.updated, 0),
                "sha": done.manifest_sha256,
            }
        )
        if done.deleted:
            self.stdout.write(
                _("%(n)s pooled visits of these kabupaten were deleted first (--replace).")
                % {"n": format_number(done.deleted, 0)}
            )
