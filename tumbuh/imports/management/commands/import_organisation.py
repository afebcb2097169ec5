"""``tumbuh import_organisation KIND FILE --user USER [--dry-run]``: a puskesmas, posyandu or OPD
list; the same as ``tumbuh import KIND`` (see ``tumbuh.imports.command``)."""

from tumbuh.imports.command import ImportCommand


class Command(ImportCommand):
    choices = ("puskesmas", "posyandu", "opd")
