"""``tumbuh import KIND FILE --user USER [--kabupaten CODE] [--dry-run] [--no-progress] [--OPTION VALUE …]``

Any registered importer from the command line, run exactly as its upload page runs it: the
same permission check (``Importer.may_import``), the same values given with the file (each
``Option`` is ``--name``, checked by ``Importer.clean_options``), the same row checks, audit
and single transaction (``run_import``). It prints the batch's summary line and the
importer's findings (``Importer.finding_lines``) in Indonesian (``--lang en`` for English),
writes the rejected rows next to the file as ``<name>-ditolak.xlsx``, shows a progress bar on
stderr unless ``--no-progress``, and exits non-zero when the batch fails. ``--dry-run`` checks
every row and saves nothing.

``tumbuh import --help`` lists the kinds, ``tumbuh import KIND --help`` that kind's options.
Each kind also has a command of its own, named as people say it (``tumbuh import-krs``,
``import-measurements``, ``import-coverage`` …): a file in the owning app's
``management/commands`` holding ``Command = command_for("krs")``.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from tqdm import tqdm

from tumbuh.accounts import policy
from tumbuh.accounts.models import User
from tumbuh.wilayah.models import Level, Wilayah

from .framework import Importer, Option, importer_for, importing_kabupaten, kinds, run_import
from .models import BatchStatus, ImportBatch
from .xlsx import rejected_workbook

#: Names the command's own arguments (and Django's) use: an importer's option may not take one.
RESERVED = frozenset(
    {
        "kind",
        "file",
        "user",
        "kabupaten",
        "dry_run",
        "no_progress",
        "lang",
        "help",
        "version",
        "verbosity",
        "settings",
        "pythonpath",
        "traceback",
        "no_color",
        "force_color",
        "skip_checks",
    }
)


def option_flag(option: Option) -> str:
    return "--" + option.name.replace("_", "-")


def _option_help(option: Option) -> str:
    text = str(option.label)
    if option.minimum is not None and option.maximum is not None:
        text += f" ({option.minimum}–{option.maximum})"
    if option.help:
        text += f"; {option.help}"
    return text


def _kind_line(importer_cls: type[Importer]) -> str:
    """One line per kind in ``tumbuh import --help``: what it imports and its options."""
    flags = [
        f"{option_flag(o)} {o.name.upper()}" if o.required else f"[{option_flag(o)} {o.name.upper()}]"
        for o in importer_cls.options
    ]
    return "; ".join([str(importer_cls.title), *flags])


def add_kind_arguments(parser, importer_cls: type[Importer]) -> None:
    """The arguments of one kind: the file, who imports, and the importer's options."""
    parser.add_argument("file", metavar="FILE", help=_("the file (XLSX, XLS or CSV, as downloaded)"))
    parser.add_argument("--user", required=True, help=_("who imports (the import is audited as them)"))
    parser.add_argument(
        "--kabupaten", metavar="CODE", help=_("regency code, for a superuser (everyone else imports into their own)")
    )
    parser.add_argument("--dry-run", action="store_true", help=_("check every row, save nothing"))
    parser.add_argument("--no-progress", action="store_true", help=_("no progress bar"))
    parser.add_argument(
        "--lang",
        choices=[code for code, _name in settings.LANGUAGES],
        help=_("language of the output (default: %(code)s)") % {"code": settings.LANGUAGE_CODE},
    )
    for option in importer_cls.options:
        if option.name in RESERVED:
            raise ImproperlyConfigured(f"{importer_cls.__name__}: option name {option.name!r} is taken by the command")
        parser.add_argument(
            option_flag(option),
            dest=option.name,
            required=option.required,
            metavar=option.name.upper(),
            help=_option_help(option),
        )


def target_kabupaten(actor, code: str | None) -> Wilayah:
    """The regency the import goes into: a superuser names it, everyone else imports into their own."""
    if policy.is_global(actor):
        if not code:
            raise CommandError(_("--kabupaten is required for a superuser."))
        target = Wilayah.objects.filter(code=code, level=Level.KABUPATEN).first()
        if target is None:
            raise CommandError(_("Unknown regency code %(code)s.") % {"code": code})
        return target
    target = importing_kabupaten(actor)
    if target is None or (code and code != target.code):
        raise CommandError(_("%(user)s imports into their own regency only.") % {"user": actor.username})
    return target


class ImportCommand(BaseCommand):
    #: The kind this command imports; None: the first argument (KIND) names it.
    kind: str | None = None
    #: The kinds KIND may name (None: every registered kind).
    choices: tuple[str, ...] | None = None

    @property
    def help(self) -> str:
        if self.kind is not None:
            return _("Import %(title)s from an XLSX, XLS or CSV file, with the upload page's checks.") % {
                "title": importer_for(self.kind).title
            }
        return _(
            "Import a file of any kind Tumbuh imports, with its upload page's checks. "
            "KIND --help lists that kind's options."
        )

    def offered(self) -> dict[str, type[Importer]]:
        return {k: c for k, c in sorted(kinds().items()) if self.choices is None or k in self.choices}

    def add_arguments(self, parser):
        if self.kind is not None:
            add_kind_arguments(parser, importer_for(self.kind))
            return
        # A parser per kind: KIND is read first, then that kind's own options.
        per_kind = parser.add_subparsers(dest="kind", metavar="KIND", required=True, title=_("kinds"))
        for kind, importer_cls in self.offered().items():
            add_kind_arguments(
                per_kind.add_parser(kind, help=_kind_line(importer_cls), description=str(importer_cls.title)),
                importer_cls,
            )

    def handle(self, *args, file, user, kabupaten=None, dry_run=False, no_progress=False, lang=None, **options):
        kind = self.kind or options["kind"]
        with translation.override(lang or settings.LANGUAGE_CODE):
            self.run(importer_for(kind), Path(file), user, kabupaten, dry_run, no_progress, options)

    def run(
        self,
        importer_cls: type[Importer],
        path: Path,
        username: str,
        kabupaten: str | None,
        dry_run: bool,
        no_progress: bool,
        given: dict,
    ) -> None:
        try:  # the values given with the file first: a wrong one stops before anything is read
            values = importer_cls.clean_options({o.name: given.get(o.name) for o in importer_cls.options})
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        actor = User.objects.filter(username=username, is_active=True).first()
        if actor is None:
            raise CommandError(_("No active user %(user)s.") % {"user": username})
        target = target_kabupaten(actor, kabupaten)
        if not importer_cls.may_import(actor, target):
            raise CommandError(
                _("%(user)s may not import %(title)s.") % {"user": username, "title": importer_cls.title}
            )
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        rejected_path = path.with_name(f"{path.stem}-ditolak.xlsx")
        unwritten: list[str] = []

        def write_rejected(batch: ImportBatch) -> None:
            if batch.rejected:
                try:
                    with rejected_workbook(batch) as out, rejected_path.open("wb") as dest:
                        shutil.copyfileobj(out, dest)
                except OSError as exc:  # e.g. a folder one may not write to: the import itself stands
                    unwritten.append(exc.strerror or str(exc))

        with tqdm(
            total=0, unit=" baris", file=sys.stderr, dynamic_ncols=True, mininterval=0.5, delay=0.5, disable=no_progress
        ) as bar:  # delay: a small file shows no bar

            def progress(done: int, total: int) -> None:
                bar.total = max(total, done)
                bar.update(done - bar.n)

            with path.open("rb") as source:
                batch = run_import(
                    importer_cls.kind,
                    user=actor,
                    kabupaten=target,
                    source=source,
                    file_name=path.name,
                    dry_run=dry_run,
                    on_complete=write_rejected,
                    progress=progress,
                    options=values,
                )
            bar.total = bar.n  # the total was estimated from the file's size: what was read is all there was
            bar.refresh()
        if batch.status == BatchStatus.FAILED:
            raise CommandError(batch.summary())
        prefix = _("Dry run, nothing saved.") + " " if dry_run else ""
        self.stdout.write(prefix + batch.summary())
        if batch.skipped:
            self.stdout.write(_("Template example rows skipped: %(n)s") % {"n": batch.skipped})
        for line in importer_cls.finding_lines(batch):
            self.stdout.write(line)
        for notice in batch.notices():  # what ran after the import (e.g. coverage recomputed)
            self.stdout.write(notice["text"])
        if batch.rejected and unwritten:
            message = (
                _("Rejected rows could not be written to %(path)s (%(error)s).")
                if dry_run
                else _(
                    "Rejected rows could not be written to %(path)s (%(error)s); download them from the import's page."
                )
            )
            self.stdout.write(message % {"path": rejected_path, "error": unwritten[0]})
        elif batch.rejected:
            self.stdout.write(_("Rejected rows written to %(path)s") % {"path": rejected_path})
        if not dry_run:
            self.stdout.write(_("Batch %(pk)s") % {"pk": batch.pk})


def command_for(kind: str) -> type[ImportCommand]:
    """The command of one kind, for its file in the owning app's ``management/commands``."""
    return type("Command", (ImportCommand,), {"kind": kind, "__doc__": f"``tumbuh import {kind}`` under its own name."})
