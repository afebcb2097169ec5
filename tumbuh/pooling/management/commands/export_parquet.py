"""``tumbuh export_parquet OUT [--kabupaten CODE] [--chunk-size N] [--no-progress]``

Writes the instance's visits (or one kabupaten's) as pseudonymous, hive-partitioned Parquet with
a manifest (``tumbuh.pooling.export``); docs/deployment.md, "Pooling", says what leaves the
district and why that is lawful.
"""

import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from tqdm import tqdm

from tumbuh.accounts import policy
from tumbuh.audit.actions import record_about
from tumbuh.audit.models import AuditAction
from tumbuh.core.numbers import format_number
from tumbuh.pooling.export import PoolingKeyError, export_parquet, pooling_key, visits_to_export
from tumbuh.wilayah.models import Level, Wilayah


class Command(BaseCommand):
    help = "Write this instance's visits as pseudonymous Parquet for pooling (no name, no NIK)."

    def add_arguments(self, parser):
        parser.add_argument("out", help=_("new directory for the export (must not exist)"))
        parser.add_argument("--kabupaten", help=_("only this kabupaten's visits (code, e.g. 73.24)"))
        parser.add_argument("--chunk-size", type=int, default=20_000, help=_("rows read at a time"))
        parser.add_argument("--no-progress", action="store_true", help=_("no progress bar"))

    def handle(self, *args, out, kabupaten=None, chunk_size=20_000, no_progress=False, **options):
        with translation.override(settings.LANGUAGE_CODE):
            self.run(Path(out), kabupaten, chunk_size, no_progress)

    def run(self, out: Path, kabupaten: str | None, chunk_size: int, no_progress: bool) -> None:
        if out.exists():
            raise CommandError(_("%(path)s exists already: give a new directory.") % {"path": out})
        if chunk_size <= 0:
            raise CommandError(_("--chunk-size must be positive."))
        if kabupaten and not Wilayah.objects.filter(code=kabupaten, level=Level.KABUPATEN).exists():
            raise CommandError(_("No kabupaten with the code %(code)s.") % {"code": kabupaten})
        try:
            key = pooling_key()
        except (PoolingKeyError, OSError) as exc:
            raise CommandError(_("The pooling key cannot be read: %(error)s") % {"error": exc}) from None
        total = visits_to_export(kabupaten).count()
        with tqdm(
            total=total, unit=" kunjungan", file=sys.stderr, dynamic_ncols=True, mininterval=0.5, disable=no_progress
        ) as bar:
            result = export_parquet(
                out, key=key, now=timezone.now(), kabupaten=kabupaten, chunk_size=chunk_size, progress=bar.update
            )
        record_about(
            policy.SYSTEM,
            AuditAction.CREATE,
            object_type="pooling.export",
            object_id=result.manifest["key_id"],
            object_repr=_("Pooled export to %(path)s") % {"path": str(out)[:150]},
            wilayah_code=kabupaten or "",
            after={k: result.manifest[k] for k in ("generated_at", "key_id", "rows")} | {"files": len(result.files)},
        )
        self.stdout.write(
            _("%(rows)s visits in %(files)s files written to %(path)s (no name, no NIK; key %(key)s).")
            % {
                "rows": format_number(result.rows, 0),
                "files": format_number(len(result.files), 0),
                "path": out,
                "key": result.manifest["key_id"],
            }
        )
